//! Data capabilities and modes: DataApplicationCapability (T.120, T.84, T.38 fax, vendor
//! data), DataProtocolCapability and the T.38 fax profile real endpoints announce beside
//! their audio.

use super::codec::{h245_choice, h245_sequence, BigInt, Int};
use super::generic::{GenericCapability, NonStandardParameter};
use crate::ras::field::{Bool, Null, Octets};

h245_sequence! {
    /// V42bis compression parameters.
    pub struct V42bis ext {
        number_of_codewords: req Int<1, 65_536>,
        maximum_string_length: req Int<1, 256>,
    }
}

h245_choice! {
    /// CompressionType.
    pub enum CompressionType(1, ...) {
        0 => V42bis(V42bis),
    } {}
}

h245_choice! {
    /// v76wCompression: which direction the compression applies to.
    pub enum V76Compression(3, ...) {
        0 => TransmitCompression(CompressionType),
        1 => ReceiveCompression(CompressionType),
        2 => TransmitAndReceiveCompression(CompressionType),
    } {}
}

h245_choice! {
    /// The protocol stack a data application runs on.
    pub enum DataProtocolCapability(7, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => V14Buffered(Null),
        2 => V42Lapm(Null),
        3 => HdlcFrameTunnelling(Null),
        4 => H310SeparateVcStack(Null),
        5 => H310SingleVcStack(Null),
        6 => Transparent(Null),
    } {
        0 => SegmentationAndReassembly(Null),
        1 => HdlcFrameTunnelingWSar(Null),
        2 => V120(Null),
        3 => SeparateLanStack(Null),
        4 => V76WCompression(V76Compression),
        5 => Tcp(Null),
        6 => Udp(Null),
    }
}

h245_sequence! {
    /// t84Restricted: the image formats a T.84 receiver accepts.
    pub struct T84Restricted ext {
        qcif: req Bool,
        cif: req Bool,
        ccir601_seq: req Bool,
        ccir601_prog: req Bool,
        hdtv_seq: req Bool,
        hdtv_prog: req Bool,
        g3_facs_mh200x100: req Bool,
        g3_facs_mh200x200: req Bool,
        g4_facs_mmr200x100: req Bool,
        g4_facs_mmr200x200: req Bool,
        jbig200x200_seq: req Bool,
        jbig200x200_prog: req Bool,
        jbig300x300_seq: req Bool,
        jbig300x300_prog: req Bool,
        dig_photo_low: req Bool,
        dig_photo_med_seq: req Bool,
        dig_photo_med_prog: req Bool,
        dig_photo_high_seq: req Bool,
        dig_photo_high_prog: req Bool,
    }
}

h245_choice! {
    /// T84Profile.
    pub enum T84Profile(2) {
        0 => T84Unrestricted(Null),
        1 => T84Restricted(T84Restricted),
    }
}

h245_sequence! {
    /// The t84 data application.
    pub struct T84 {
        t84_protocol: req DataProtocolCapability,
        t84_profile: req T84Profile,
    }
}

h245_sequence! {
    /// The nlpid data application.
    pub struct Nlpid {
        nlpid_protocol: req DataProtocolCapability,
        nlpid_data: req Octets,
    }
}

h245_choice! {
    /// T38FaxRateManagement.
    pub enum T38FaxRateManagement(2, ...) {
        0 => LocalTcf(Null),
        1 => TransferredTcf(Null),
    } {}
}

h245_choice! {
    /// t38FaxUdpEC: the UDP error correction of T.38.
    pub enum T38FaxUdpEc(2, ...) {
        0 => T38UdpFec(Null),
        1 => T38UdpRedundancy(Null),
    } {}
}

h245_sequence! {
    /// T38FaxUdpOptions (the buffer and datagram sizes are unconstrained INTEGERs).
    pub struct T38FaxUdpOptions {
        t38_fax_max_buffer: opt BigInt,
        t38_fax_max_datagram: opt BigInt,
        t38_fax_udp_ec: req T38FaxUdpEc,
    }
}

h245_sequence! {
    /// T38FaxTcpOptions.
    pub struct T38FaxTcpOptions ext {
        t38_tcp_bidirectional_mode: req Bool,
    }
}

h245_sequence! {
    /// T38FaxProfile: its version, rate management and transport options are extension
    /// additions (slots 0 to 3), kept as octets with accessors.
    pub struct T38FaxProfile ext {
        fill_bit_removal: req Bool,
        transcoding_jbig: req Bool,
        transcoding_mmr: req Bool,
    }
}

super::codec::h245_additions!(T38FaxProfile {
    0 => version, set_version: Int<0, 255>,
    1 => t38_fax_rate_management, set_t38_fax_rate_management: T38FaxRateManagement,
    2 => t38_fax_udp_options, set_t38_fax_udp_options: T38FaxUdpOptions,
    3 => t38_fax_tcp_options, set_t38_fax_tcp_options: T38FaxTcpOptions,
});

h245_sequence! {
    /// The t38fax data application.
    pub struct T38Fax {
        t38_fax_protocol: req DataProtocolCapability,
        t38_fax_profile: req T38FaxProfile,
    }
}

h245_choice! {
    /// DataApplicationCapability's application.
    pub enum DataApplication(10, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => T120(DataProtocolCapability),
        2 => DsmCc(DataProtocolCapability),
        3 => UserData(DataProtocolCapability),
        4 => T84(T84),
        5 => T434(DataProtocolCapability),
        6 => H224(DataProtocolCapability),
        7 => Nlpid(Nlpid),
        8 => DsvdControl(Null),
        9 => H222DataPartitioning(DataProtocolCapability),
    } {
        0 => T30Fax(DataProtocolCapability),
        1 => T140(DataProtocolCapability),
        2 => T38Fax(T38Fax),
        3 => GenericDataCapability(GenericCapability),
    }
}

h245_sequence! {
    /// DataApplicationCapability: a data application and its bit rate.
    pub struct DataApplicationCapability ext {
        application: req DataApplication,
        /// In units of 100 bit/s.
        max_bit_rate: req Int<0, 4_294_967_295>,
    }
}

h245_choice! {
    /// DataMode's application (RequestMode).
    pub enum DataModeApplication(10, ...) {
        0 => NonStandard(NonStandardParameter),
        1 => T120(DataProtocolCapability),
        2 => DsmCc(DataProtocolCapability),
        3 => UserData(DataProtocolCapability),
        4 => T84(DataProtocolCapability),
        5 => T434(DataProtocolCapability),
        6 => H224(DataProtocolCapability),
        7 => Nlpid(Nlpid),
        8 => DsvdControl(Null),
        9 => H222DataPartitioning(DataProtocolCapability),
    } {
        0 => T30Fax(DataProtocolCapability),
        1 => T140(DataProtocolCapability),
        2 => T38Fax(T38Fax),
        3 => GenericDataMode(GenericCapability),
    }
}

h245_sequence! {
    /// DataMode: the data application a RequestMode asks for.
    pub struct DataMode ext {
        application: req DataModeApplication,
        /// In units of 100 bit/s.
        bit_rate: req Int<0, 4_294_967_295>,
    }
}
