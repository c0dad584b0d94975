//! EndpointType, VendorIdentifier and the gateway's supported protocols (H.225.0 §7.6 types
//! that every GRQ and RRQ carries), and QseriesOptions.

use serde::Serialize;

use super::common::{Extensions, H221NonStandard, NonStandardParameter};
use super::field::{Bool, Field, SeqOf};
use crate::per::{Choice, PerError, Reader, Writer};

/// VendorIdentifier: the H.221 vendor code, product and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorIdentifier {
    pub vendor: H221NonStandard,
    pub product_id: Option<Vec<u8>>,
    pub version_id: Option<Vec<u8>>,
    pub extensions: Extensions,
}

impl VendorIdentifier {
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let opt = r.bitmap(2, "VendorIdentifier optionals")?;
        let vendor = H221NonStandard::decode(r)?;
        let mut id = |present: bool, what| -> Result<Option<Vec<u8>>, PerError> {
            present
                .then(|| r.octet_string(1, Some(256), what))
                .transpose()
        };
        let product_id = id(opt.get(0), "productId")?;
        let version_id = id(opt.get(1), "versionId")?;
        Ok(Self {
            vendor,
            product_id,
            version_id,
            extensions: Extensions::decode(r, ext)?,
        })
    }

    fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        w.extension_bit(self.extensions.is_extended());
        w.bitmap(&[self.product_id.is_some(), self.version_id.is_some()]);
        self.vendor.encode(w)?;
        for v in [&self.product_id, &self.version_id].into_iter().flatten() {
            w.octet_string(v, 1, Some(256), "productId/versionId")?;
        }
        self.extensions.encode(w)
    }
}

/// GatekeeperInfo, TerminalInfo and McuInfo share their root: optional non-standard data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeInfo {
    pub non_standard: Option<NonStandardParameter>,
    pub extensions: Extensions,
}

impl NodeInfo {
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let present = r.bit("nonStandardData present")?;
        let non_standard = present
            .then(|| NonStandardParameter::decode(r))
            .transpose()?;
        Ok(Self {
            non_standard,
            extensions: Extensions::decode(r, ext)?,
        })
    }

    fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        w.extension_bit(self.extensions.is_extended());
        w.bit(self.non_standard.is_some());
        if let Some(n) = &self.non_standard {
            n.encode(w)?;
        }
        self.extensions.encode(w)
    }
}

/// The protocols a gateway (or MCU) reaches: H310Caps to T120OnlyCaps share one root
/// (optional non-standard data; data rates and prefixes are extension additions), so they
/// are one [`NodeInfo`] with the protocol named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportedProtocols {
    NonStandardData(NonStandardParameter),
    Caps {
        protocol: Protocol,
        info: NodeInfo,
    },
    /// nonStandardProtocol, t38FaxAnnexbOnly, sip and later: index among the additions.
    Unknown {
        index: usize,
        contents: Vec<u8>,
    },
}

/// Which `*Caps` alternative of SupportedProtocols (root indices 1 to 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    H310,
    H320,
    H321,
    H322,
    H323,
    H324,
    Voice,
    T120Only,
}

const PROTOCOLS: [Protocol; 8] = [
    Protocol::H310,
    Protocol::H320,
    Protocol::H321,
    Protocol::H322,
    Protocol::H323,
    Protocol::H324,
    Protocol::Voice,
    Protocol::T120Only,
];

impl Field for SupportedProtocols {
    type Value = Self;
    const NAME: &'static str = "SupportedProtocols";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(9, true, Self::NAME)? {
            Choice::Root(0) => Self::NonStandardData(NonStandardParameter::decode(r)?),
            Choice::Root(i) => Self::Caps {
                protocol: PROTOCOLS.get(i - 1).copied().unwrap_or(Protocol::T120Only),
                info: NodeInfo::decode(r)?,
            },
            Choice::Extension(index) => Self::Unknown {
                index,
                contents: r.open_type(Self::NAME)?,
            },
        })
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        match v {
            Self::NonStandardData(n) => {
                w.choice_root(0, 9, true, Self::NAME)?;
                n.encode(w)
            }
            Self::Caps { protocol, info } => {
                let i = PROTOCOLS.iter().position(|p| p == protocol).unwrap_or(0);
                w.choice_root(i + 1, 9, true, Self::NAME)?;
                info.encode(w)
            }
            Self::Unknown { index, contents } => w.choice_extension(*index, contents, Self::NAME),
        }
    }
}

super::field::ras_sequence! {
    /// GatewayInfo: the protocols a gateway reaches (Roomgate registers as an H.323
    /// gateway to SIP, so this is what its RRQ says).
    pub struct GatewayInfo {
        protocol: opt SeqOf<SupportedProtocols>,
        non_standard_data: opt NonStandardParameter,
    }
}

super::field::ras_sequence! {
    /// Q954Details: conference calling and three-party service support.
    pub struct Q954Details {
        conference_calling: req Bool,
        three_party_service: req Bool,
    }
}

super::field::ras_sequence! {
    /// QseriesOptions: the Q.93x supplementary services an endpoint supports fully.
    pub struct QseriesOptions {
        q932_full: req Bool,
        q951_full: req Bool,
        q952_full: req Bool,
        q953_full: req Bool,
        q955_full: req Bool,
        q956_full: req Bool,
        q957_full: req Bool,
        q954_info: req Q954Details,
    }
}

/// EndpointType: what kind of node an endpoint is, and its vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointType {
    pub non_standard: Option<NonStandardParameter>,
    pub vendor: Option<VendorIdentifier>,
    pub gatekeeper: Option<NodeInfo>,
    pub gateway: Option<GatewayInfo>,
    pub mcu: Option<NodeInfo>,
    pub terminal: Option<NodeInfo>,
    pub mc: bool,
    pub undefined_node: bool,
    /// `set` and `supportedTunnelledProtocols`, as octets.
    pub extensions: Extensions,
}

impl EndpointType {
    /// A plain terminal.
    pub fn terminal() -> Self {
        Self {
            non_standard: None,
            vendor: None,
            gatekeeper: None,
            gateway: None,
            mcu: None,
            terminal: Some(NodeInfo {
                non_standard: None,
                extensions: Extensions::default(),
            }),
            mc: false,
            undefined_node: false,
            extensions: Extensions::default(),
        }
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let opt = r.bitmap(6, "EndpointType optionals")?;
        let has = |i: usize| opt.get(i);
        let non_standard = has(0)
            .then(|| NonStandardParameter::decode(r))
            .transpose()?;
        let vendor = has(1).then(|| VendorIdentifier::decode(r)).transpose()?;
        let gatekeeper = has(2).then(|| NodeInfo::decode(r)).transpose()?;
        let gateway = has(3).then(|| GatewayInfo::decode(r)).transpose()?;
        let mcu = has(4).then(|| NodeInfo::decode(r)).transpose()?;
        let terminal = has(5).then(|| NodeInfo::decode(r)).transpose()?;
        let mc = r.bit("mc")?;
        let undefined_node = r.bit("undefinedNode")?;
        Ok(Self {
            non_standard,
            vendor,
            gatekeeper,
            gateway,
            mcu,
            terminal,
            mc,
            undefined_node,
            extensions: Extensions::decode(r, ext)?,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), PerError> {
        w.extension_bit(self.extensions.is_extended());
        w.bitmap(&[
            self.non_standard.is_some(),
            self.vendor.is_some(),
            self.gatekeeper.is_some(),
            self.gateway.is_some(),
            self.mcu.is_some(),
            self.terminal.is_some(),
        ]);
        if let Some(n) = &self.non_standard {
            n.encode(w)?;
        }
        if let Some(v) = &self.vendor {
            v.encode(w)?;
        }
        if let Some(info) = &self.gatekeeper {
            info.encode(w)?;
        }
        if let Some(g) = &self.gateway {
            GatewayInfo::encode(w, g)?;
        }
        for info in [&self.mcu, &self.terminal].into_iter().flatten() {
            info.encode(w)?;
        }
        w.bit(self.mc);
        w.bit(self.undefined_node);
        self.extensions.encode(w)
    }
}

impl Field for EndpointType {
    type Value = Self;
    const NAME: &'static str = "EndpointType";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Self::decode(r)
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        v.encode(w)
    }
}

impl Field for VendorIdentifier {
    type Value = Self;
    const NAME: &'static str = "VendorIdentifier";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Self::decode(r)
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        v.encode(w)
    }
}
