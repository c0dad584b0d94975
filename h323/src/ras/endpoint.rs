//! EndpointType and VendorIdentifier (H.225.0 §7.6 types that every GRQ and RRQ carries).

use serde::Serialize;

use super::common::{Extensions, H221NonStandard, NonStandardParameter};
use crate::per::{PerError, PerErrorKind, Reader, Writer};

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
        let product_id = id(opt.first() == Some(&true), "productId")?;
        let version_id = id(opt.get(1) == Some(&true), "versionId")?;
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

/// EndpointType. A gateway's supported-protocol list is not modelled yet: an EndpointType
/// with `gateway` present is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointType {
    pub non_standard: Option<NonStandardParameter>,
    pub vendor: Option<VendorIdentifier>,
    pub gatekeeper: Option<NodeInfo>,
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
        let at = r.bit_offset();
        let opt = r.bitmap(6, "EndpointType optionals")?;
        let has = |i: usize| opt.get(i) == Some(&true);
        if has(3) {
            return Err(PerError {
                kind: PerErrorKind::UnknownAlternative {
                    what: "EndpointType.gateway (not supported yet)",
                    index: 3,
                },
                bit_offset: at + 3,
            });
        }
        let non_standard = has(0)
            .then(|| NonStandardParameter::decode(r))
            .transpose()?;
        let vendor = has(1).then(|| VendorIdentifier::decode(r)).transpose()?;
        let gatekeeper = has(2).then(|| NodeInfo::decode(r)).transpose()?;
        let mcu = has(4).then(|| NodeInfo::decode(r)).transpose()?;
        let terminal = has(5).then(|| NodeInfo::decode(r)).transpose()?;
        let mc = r.bit("mc")?;
        let undefined_node = r.bit("undefinedNode")?;
        Ok(Self {
            non_standard,
            vendor,
            gatekeeper,
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
            false,
            self.mcu.is_some(),
            self.terminal.is_some(),
        ]);
        if let Some(n) = &self.non_standard {
            n.encode(w)?;
        }
        if let Some(v) = &self.vendor {
            v.encode(w)?;
        }
        for info in [&self.gatekeeper, &self.mcu, &self.terminal]
            .into_iter()
            .flatten()
        {
            info.encode(w)?;
        }
        w.bit(self.mc);
        w.bit(self.undefined_node);
        self.extensions.encode(w)
    }
}
