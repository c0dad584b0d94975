#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    unused,
    clippy::too_many_arguments
)]
pub mod h235_security_messages {
    extern crate alloc;
    use core::borrow::Borrow;
    use rasn::prelude::*;
    use std::sync::LazyLock;
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum AuthenticationBES {
        default(()),
        radius(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum AuthenticationMechanism {
        dhExch(()),
        pwdSymEnc(()),
        pwdHash(()),
        certSign(()),
        ipsec(()),
        tls(()),
        nonStandard(H235NonStandardParameter),
        #[rasn(extension_addition)]
        authenticationBES(AuthenticationBES),
        #[rasn(extension_addition)]
        keyExch(ObjectIdentifier),
    }
    #[doc = " EXPORTS All"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, size("8..=128"))]
    pub struct ChallengeString(pub OctetString);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ClearToken {
        #[rasn(identifier = "tokenOID")]
        pub token_oid: ObjectIdentifier,
        #[rasn(identifier = "timeStamp")]
        pub time_stamp: Option<TimeStamp>,
        pub password: Option<Password>,
        pub dhkey: Option<DHset>,
        pub challenge: Option<ChallengeString>,
        pub random: Option<RandomVal>,
        pub certificate: Option<TypedCertificate>,
        #[rasn(identifier = "generalID")]
        pub general_id: Option<Identifier>,
        #[rasn(identifier = "nonStandard")]
        pub non_standard: Option<H235NonStandardParameter>,
        #[rasn(extension_addition)]
        pub eckasdhkey: Option<ECKASDH>,
        #[rasn(extension_addition, identifier = "sendersID")]
        pub senders_id: Option<Identifier>,
        #[rasn(extension_addition, identifier = "h235Key")]
        pub h235_key: Option<H235Key>,
        #[rasn(extension_addition, identifier = "profileInfo")]
        pub profile_info: Option<SequenceOf<ProfileElement>>,
        #[rasn(extension_addition)]
        pub dhkeyext: Option<DHsetExt>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoTokenCryptoEncryptedTokenTokenParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoTokenCryptoEncryptedTokenToken {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoTokenCryptoEncryptedTokenTokenParamS,
        #[rasn(identifier = "encryptedData")]
        pub encrypted_data: OctetString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoTokenCryptoEncryptedToken {
        #[rasn(identifier = "tokenOID")]
        pub token_oid: ObjectIdentifier,
        pub token: CryptoTokenCryptoEncryptedTokenToken,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoTokenCryptoSignedTokenTokenParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoTokenCryptoSignedTokenToken {
        #[rasn(identifier = "toBeSigned")]
        pub to_be_signed: EncodedGeneralToken,
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoTokenCryptoSignedTokenTokenParamS,
        pub signature: BitString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoTokenCryptoSignedToken {
        #[rasn(identifier = "tokenOID")]
        pub token_oid: ObjectIdentifier,
        pub token: CryptoTokenCryptoSignedTokenToken,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoTokenCryptoHashedTokenTokenParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoTokenCryptoHashedTokenToken {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoTokenCryptoHashedTokenTokenParamS,
        pub hash: BitString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoTokenCryptoHashedToken {
        #[rasn(identifier = "tokenOID")]
        pub token_oid: ObjectIdentifier,
        #[rasn(identifier = "hashedVals")]
        pub hashed_vals: ClearToken,
        pub token: CryptoTokenCryptoHashedTokenToken,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoTokenCryptoPwdEncrParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoTokenCryptoPwdEncr {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoTokenCryptoPwdEncrParamS,
        #[rasn(identifier = "encryptedData")]
        pub encrypted_data: OctetString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum CryptoToken {
        cryptoEncryptedToken(CryptoTokenCryptoEncryptedToken),
        cryptoSignedToken(CryptoTokenCryptoSignedToken),
        cryptoHashedToken(CryptoTokenCryptoHashedToken),
        cryptoPwdEncr(CryptoTokenCryptoPwdEncr),
    }
    #[doc = " if local octet representations of these bit strings are used they shall "]
    #[doc = " utilize standard Network Octet ordering (e.g., Big Endian)"]
    #[doc = " for keylength up to 2048"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct DHset {
        #[rasn(size("0..=2048"))]
        pub halfkey: BitString,
        #[rasn(size("0..=2048"), identifier = "modSize")]
        pub mod_size: BitString,
        #[rasn(size("0..=2048"))]
        pub generator: BitString,
    }
    #[doc = " for keylength exceeding 2048"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct DHsetExt {
        #[rasn(size("2049..=65536"))]
        pub halfkey: BitString,
        #[rasn(size("2049..=65536"), identifier = "modSize")]
        pub mod_size: Option<BitString>,
        #[rasn(size("2049..=65536"))]
        pub generator: Option<BitString>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct ECGDSASignature {
        #[rasn(size("0..=511"))]
        pub r: BitString,
        #[rasn(size("0..=511"))]
        pub s: BitString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct ECKASDHEckasdhp {
        #[rasn(identifier = "public-key")]
        pub public_key: ECpoint,
        #[rasn(size("0..=511"))]
        pub modulus: BitString,
        pub base: ECpoint,
        #[rasn(size("0..=511"), identifier = "weierstrassA")]
        pub weierstrass_a: BitString,
        #[rasn(size("0..=511"), identifier = "weierstrassB")]
        pub weierstrass_b: BitString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct ECKASDHEckasdh2 {
        #[rasn(identifier = "public-key")]
        pub public_key: ECpoint,
        #[rasn(size("0..=511"), identifier = "fieldSize")]
        pub field_size: BitString,
        pub base: ECpoint,
        #[rasn(size("0..=511"), identifier = "weierstrassA")]
        pub weierstrass_a: BitString,
        #[rasn(size("0..=511"), identifier = "weierstrassB")]
        pub weierstrass_b: BitString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ECKASDH {
        eckasdhp(ECKASDHEckasdhp),
        eckasdh2(ECKASDHEckasdh2),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ECpoint {
        #[rasn(size("0..=511"))]
        pub x: Option<BitString>,
        #[rasn(size("0..=511"))]
        pub y: Option<BitString>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum Element {
        octets(OctetString),
        integer(Integer),
        bits(BitString),
        name(BmpString),
        flag(bool),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct EncodedGeneralToken(pub Any);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct EncodedKeySignedMaterial(pub Any);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct EncodedKeySyncMaterial(pub Any);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct EncodedPwdCertToken(pub Any);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct EncodedReturnSig(pub Any);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H235CertificateSignatureSignatureParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct H235CertificateSignatureSignature {
        #[rasn(identifier = "toBeSigned")]
        pub to_be_signed: EncodedReturnSig,
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: H235CertificateSignatureSignatureParamS,
        pub signature: BitString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H235CertificateSignature {
        pub certificate: TypedCertificate,
        #[rasn(identifier = "responseRandom")]
        pub response_random: RandomVal,
        #[rasn(identifier = "requesterRandom")]
        pub requester_random: Option<RandomVal>,
        pub signature: H235CertificateSignatureSignature,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H235KeySharedSecretParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct H235KeySharedSecret {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: H235KeySharedSecretParamS,
        #[rasn(identifier = "encryptedData")]
        pub encrypted_data: OctetString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H235KeyCertProtectedKeyParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct H235KeyCertProtectedKey {
        #[rasn(identifier = "toBeSigned")]
        pub to_be_signed: EncodedKeySignedMaterial,
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: H235KeyCertProtectedKeyParamS,
        pub signature: BitString,
    }
    #[doc = " These allow the passing of session keys within the H.245 OLC structure."]
    #[doc = " They are encoded as standalone ASN.1 and based as an OCTET STRING within "]
    #[doc = " H.245"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum H235Key {
        secureChannel(KeyMaterial),
        sharedSecret(H235KeySharedSecret),
        certProtectedKey(H235KeyCertProtectedKey),
        #[rasn(extension_addition)]
        secureSharedSecret(V3KeySyncMaterial),
        #[rasn(extension_addition)]
        secureChannelExt(KeyMaterialExt),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct H235NonStandardParameter {
        #[rasn(identifier = "nonStandardIdentifier")]
        pub non_standard_identifier: ObjectIdentifier,
        pub data: OctetString,
    }
    #[doc = " initial value for 64-bit block ciphers"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct IV16(pub FixedOctetString<16usize>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct IV8(pub FixedOctetString<8usize>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, size("1..=128"))]
    pub struct Identifier(pub BmpString);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, size("1..=2048"))]
    pub struct KeyMaterial(pub BitString);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, size("2049..=65536"))]
    pub struct KeyMaterialExt(pub BitString);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct KeySignedMaterialEncrptvalParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct KeySignedMaterialEncrptval {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: KeySignedMaterialEncrptvalParamS,
        #[rasn(identifier = "encryptedData")]
        pub encrypted_data: OctetString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct KeySignedMaterial {
        #[rasn(identifier = "generalId")]
        pub general_id: Identifier,
        pub mrandom: RandomVal,
        pub srandom: Option<RandomVal>,
        #[rasn(identifier = "timeStamp")]
        pub time_stamp: Option<TimeStamp>,
        pub encrptval: KeySignedMaterialEncrptval,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct KeySyncMaterial {
        #[rasn(identifier = "generalID")]
        pub general_id: Identifier,
        #[rasn(identifier = "keyMaterial")]
        pub key_material: KeyMaterial,
    }
    #[doc = " initial value for 128-bit block ciphers"]
    #[doc = " signing algorithm used must select one of these types of parameters "]
    #[doc = " needed by receiving end of signature."]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct Params {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " 32-bit Integer"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, size("1..=128"))]
    pub struct Password(pub BmpString);
    #[doc = "\tAn object identifier should be placed in the tokenOID field when a"]
    #[doc = "\tClearToken is included directly in a message (as opposed to being"]
    #[doc = "\tencrypted). In all other cases, an application should use the"]
    #[doc = "\tobject identifier { 0 0 } to indicate that the tokenOID value is not "]
    #[doc = "\tpresent."]
    #[doc = "\tStart all the cryptographic parameterized types here..."]
    #[doc = ""]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ProfileElement {
        #[rasn(value("0..=255"), identifier = "elementID")]
        pub element_id: u8,
        #[rasn(identifier = "paramS")]
        pub param_s: Option<Params>,
        pub element: Option<Element>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct PwdCertToken(pub ClearToken);
    #[doc = " seconds since 00:00 1/1/1970 UTC"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct RandomVal(pub Integer);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct ReturnSig {
        #[rasn(identifier = "generalId")]
        pub general_id: Identifier,
        #[rasn(identifier = "responseRandom")]
        pub response_random: RandomVal,
        #[rasn(identifier = "requestRandom")]
        pub request_random: Option<RandomVal>,
        pub certificate: Option<TypedCertificate>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, value("1..=4294967295"))]
    pub struct TimeStamp(pub u32);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct TypedCertificate {
        #[rasn(identifier = "type")]
        pub r_type: ObjectIdentifier,
        pub certificate: OctetString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct V3KeySyncMaterial {
        #[rasn(identifier = "generalID")]
        pub general_id: Option<Identifier>,
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: Option<ObjectIdentifier>,
        #[rasn(identifier = "paramS")]
        pub param_s: Params,
        #[rasn(identifier = "encryptedSessionKey")]
        pub encrypted_session_key: Option<OctetString>,
        #[rasn(identifier = "encryptedSaltingKey")]
        pub encrypted_salting_key: Option<OctetString>,
        #[rasn(identifier = "clearSaltingKey")]
        pub clear_salting_key: Option<OctetString>,
        #[rasn(identifier = "paramSsalt")]
        pub param_ssalt: Option<Params>,
        #[rasn(identifier = "keyDerivationOID")]
        pub key_derivation_oid: Option<ObjectIdentifier>,
        #[rasn(extension_addition, identifier = "genericKeyMaterial")]
        pub generic_key_material: Option<OctetString>,
    }
}
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    unused,
    clippy::too_many_arguments
)]
pub mod h323_messages {
    extern crate alloc;
    use super::h235_security_messages::*;
    use super::multimedia_system_control::{DataProtocolCapability, QOSCapability, T38FaxProfile};
    use core::borrow::Borrow;
    use rasn::prelude::*;
    use std::sync::LazyLock;
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ANSI41UIMSystemId {
        #[rasn(size("1..=4"))]
        sid(TBCDSTRING),
        #[rasn(size("1..=4"))]
        mid(TBCDSTRING),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "ANSI-41-UIM")]
    #[non_exhaustive]
    pub struct ANSI41UIM {
        #[rasn(size("3..=16"))]
        pub imsi: Option<TBCDSTRING>,
        #[rasn(size("3..=16"))]
        pub min: Option<TBCDSTRING>,
        #[rasn(size("3..=16"))]
        pub mdn: Option<TBCDSTRING>,
        #[rasn(size("3..=16"))]
        pub msisdn: Option<TBCDSTRING>,
        #[rasn(size("16"))]
        pub esn: Option<TBCDSTRING>,
        #[rasn(size("3..=16"))]
        pub mscid: Option<TBCDSTRING>,
        #[rasn(identifier = "system-id")]
        pub system_id: ANSI41UIMSystemId,
        #[rasn(size("1"), identifier = "systemMyTypeCode")]
        pub system_my_type_code: Option<OctetString>,
        #[rasn(size("1"), identifier = "systemAccessType")]
        pub system_access_type: Option<OctetString>,
        #[rasn(size("1"), identifier = "qualificationInformationCode")]
        pub qualification_information_code: Option<OctetString>,
        #[rasn(size("16"))]
        pub sesn: Option<TBCDSTRING>,
        #[rasn(size("3..=16"))]
        pub soc: Option<TBCDSTRING>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct AddressPatternRange {
        #[rasn(identifier = "startOfRange")]
        pub start_of_range: PartyNumber,
        #[rasn(identifier = "endOfRange")]
        pub end_of_range: PartyNumber,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum AddressPattern {
        wildcard(AliasAddress),
        range(AddressPatternRange),
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "IA5String", size("1..=32"))]
    pub struct AnonymousAdmissionConfirmLanguage(pub Ia5String);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct AdmissionConfirmLanguage(pub SequenceOf<AnonymousAdmissionConfirmLanguage>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct AdmissionConfirm {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "bandWidth")]
        pub band_width: BandWidth,
        #[rasn(identifier = "callModel")]
        pub call_model: CallModel,
        #[rasn(identifier = "destCallSignalAddress")]
        pub dest_call_signal_address: TransportAddress,
        #[rasn(value("1..=65535"), identifier = "irrFrequency")]
        pub irr_frequency: Option<u16>,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "destinationInfo")]
        pub destination_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "destExtraCallInfo")]
        pub dest_extra_call_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "destinationType")]
        pub destination_type: Option<EndpointType>,
        #[rasn(extension_addition, identifier = "remoteExtensionAddress")]
        pub remote_extension_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "alternateEndpoints")]
        pub alternate_endpoints: Option<SequenceOf<Endpoint>>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "transportQOS")]
        pub transport_qos: Option<TransportQOS>,
        #[rasn(extension_addition, identifier = "willRespondToIRR")]
        pub will_respond_to_irr: Option<bool>,
        #[rasn(extension_addition, identifier = "uuiesRequested")]
        pub uuies_requested: Option<UUIEsRequested>,
        #[rasn(extension_addition)]
        pub language: Option<AdmissionConfirmLanguage>,
        #[rasn(extension_addition, identifier = "alternateTransportAddresses")]
        pub alternate_transport_addresses: Option<AlternateTransportAddresses>,
        #[rasn(extension_addition, identifier = "useSpecifiedTransport")]
        pub use_specified_transport: Option<UseSpecifiedTransport>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
        #[rasn(extension_addition, identifier = "usageSpec")]
        pub usage_spec: Option<SequenceOf<RasUsageSpecification>>,
        #[rasn(extension_addition, identifier = "supportedProtocols")]
        pub supported_protocols: Option<SequenceOf<SupportedProtocols>>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition, identifier = "multipleCalls")]
        pub multiple_calls: Option<bool>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "modifiedSrcInfo")]
        pub modified_src_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct AdmissionReject {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "rejectReason")]
        pub reject_reason: AdmissionRejectReason,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "altGKInfo")]
        pub alt_gkinfo: Option<AltGKInfo>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "callSignalAddress")]
        pub call_signal_address: Option<SequenceOf<TransportAddress>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum AdmissionRejectReason {
        calledPartyNotRegistered(()),
        invalidPermission(()),
        requestDenied(()),
        undefinedReason(()),
        callerNotRegistered(()),
        routeCallToGatekeeper(()),
        invalidEndpointIdentifier(()),
        resourceUnavailable(()),
        #[rasn(extension_addition)]
        securityDenial(()),
        #[rasn(extension_addition)]
        qosControlNotSupported(()),
        #[rasn(extension_addition)]
        incompleteAddress(()),
        #[rasn(extension_addition)]
        aliasesInconsistent(()),
        #[rasn(extension_addition)]
        routeCallToSCN(SequenceOf<PartyNumber>),
        #[rasn(extension_addition)]
        exceedsCallCapacity(()),
        #[rasn(extension_addition)]
        collectDestination(()),
        #[rasn(extension_addition)]
        collectPIN(()),
        #[rasn(extension_addition)]
        genericDataReason(()),
        #[rasn(extension_addition)]
        neededFeatureNotSupported(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors2),
        #[rasn(extension_addition)]
        securityDHmismatch(()),
        #[rasn(extension_addition)]
        noRouteToDestination(()),
        #[rasn(extension_addition)]
        unallocatedNumber(()),
        #[rasn(extension_addition)]
        registerWithAssignedGK(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct AdmissionRequest {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "callType")]
        pub call_type: CallType,
        #[rasn(identifier = "callModel")]
        pub call_model: Option<CallModel>,
        #[rasn(identifier = "endpointIdentifier")]
        pub endpoint_identifier: EndpointIdentifier,
        #[rasn(identifier = "destinationInfo")]
        pub destination_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "destCallSignalAddress")]
        pub dest_call_signal_address: Option<TransportAddress>,
        #[rasn(identifier = "destExtraCallInfo")]
        pub dest_extra_call_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "srcInfo")]
        pub src_info: SequenceOf<AliasAddress>,
        #[rasn(identifier = "srcCallSignalAddress")]
        pub src_call_signal_address: Option<TransportAddress>,
        #[rasn(identifier = "bandWidth")]
        pub band_width: BandWidth,
        #[rasn(identifier = "callReferenceValue")]
        pub call_reference_value: CallReferenceValue,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "callServices")]
        pub call_services: Option<QseriesOptions>,
        #[rasn(identifier = "conferenceID")]
        pub conference_id: ConferenceIdentifier,
        #[rasn(identifier = "activeMC")]
        pub active_mc: bool,
        #[rasn(identifier = "answerCall")]
        pub answer_call: bool,
        #[rasn(extension_addition, identifier = "canMapAlias")]
        pub can_map_alias: Option<bool>,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition, identifier = "srcAlternatives")]
        pub src_alternatives: Option<SequenceOf<Endpoint>>,
        #[rasn(extension_addition, identifier = "destAlternatives")]
        pub dest_alternatives: Option<SequenceOf<Endpoint>>,
        #[rasn(extension_addition, identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "transportQOS")]
        pub transport_qos: Option<TransportQOS>,
        #[rasn(extension_addition, identifier = "willSupplyUUIEs")]
        pub will_supply_uuies: Option<bool>,
        #[rasn(extension_addition, identifier = "callLinkage")]
        pub call_linkage: Option<CallLinkage>,
        #[rasn(extension_addition, identifier = "gatewayDataRate")]
        pub gateway_data_rate: Option<DataRate>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
        #[rasn(extension_addition, identifier = "desiredProtocols")]
        pub desired_protocols: Option<SequenceOf<SupportedProtocols>>,
        #[rasn(extension_addition, identifier = "desiredTunnelledProtocol")]
        pub desired_tunnelled_protocol: Option<TunnelledProtocol>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "canMapSrcAlias")]
        pub can_map_src_alias: Option<bool>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "Alerting-UUIE")]
    #[non_exhaustive]
    pub struct AlertingUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "destinationInfo")]
        pub destination_info: EndpointType,
        #[rasn(identifier = "h245Address")]
        pub h245_address: Option<TransportAddress>,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition, identifier = "h245SecurityMode")]
        pub h245_security_mode: Option<H245Security>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "fastStart")]
        pub fast_start: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "multipleCalls")]
        pub multiple_calls: Option<bool>,
        #[rasn(extension_addition, identifier = "maintainConnection")]
        pub maintain_connection: Option<bool>,
        #[rasn(extension_addition, identifier = "alertingAddress")]
        pub alerting_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "presentationIndicator")]
        pub presentation_indicator: Option<PresentationIndicator>,
        #[rasn(extension_addition, identifier = "screeningIndicator")]
        pub screening_indicator: Option<ScreeningIndicator>,
        #[rasn(extension_addition, identifier = "fastConnectRefused")]
        pub fast_connect_refused: Option<()>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "displayName")]
        pub display_name: Option<SequenceOf<DisplayName>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum AliasAddress {
        #[rasn(
            size("1..=128"),
            from(
                "\u{23}", "\u{2a}", "\u{2c}", "\u{30}", "\u{31}", "\u{32}", "\u{33}", "\u{34}",
                "\u{35}", "\u{36}", "\u{37}", "\u{38}", "\u{39}"
            )
        )]
        dialedDigits(Ia5String),
        #[rasn(size("1..=256"), identifier = "h323-ID")]
        h323_ID(BmpString),
        #[rasn(extension_addition, size("1..=512"), identifier = "url-ID")]
        url_ID(Ia5String),
        #[rasn(extension_addition)]
        transportID(TransportAddress),
        #[rasn(extension_addition, size("1..=512"), identifier = "email-ID")]
        email_ID(Ia5String),
        #[rasn(extension_addition)]
        partyNumber(PartyNumber),
        #[rasn(extension_addition)]
        mobileUIM(MobileUIM),
        #[rasn(extension_addition)]
        isupNumber(IsupNumber),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct AltGKInfo {
        #[rasn(identifier = "alternateGatekeeper")]
        pub alternate_gatekeeper: SequenceOf<AlternateGK>,
        #[rasn(identifier = "altGKisPermanent")]
        pub alt_gkis_permanent: bool,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct AlternateGK {
        #[rasn(identifier = "rasAddress")]
        pub ras_address: TransportAddress,
        #[rasn(identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(identifier = "needToRegister")]
        pub need_to_register: bool,
        #[rasn(value("0..=127"))]
        pub priority: u8,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct AlternateTransportAddresses {
        #[rasn(identifier = "annexE")]
        pub annex_e: Option<SequenceOf<TransportAddress>>,
        #[rasn(extension_addition)]
        pub sctp: Option<SequenceOf<TransportAddress>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum BandRejectReason {
        notBound(()),
        invalidConferenceID(()),
        invalidPermission(()),
        insufficientResources(()),
        invalidRevision(()),
        undefinedReason(()),
        #[rasn(extension_addition)]
        securityDenial(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors2),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, value("0..=4294967295"))]
    pub struct BandWidth(pub u32);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct BandwidthConfirm {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "bandWidth")]
        pub band_width: BandWidth,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "transportQOS")]
        pub transport_qos: Option<TransportQOS>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct BandwidthDetails {
        pub sender: bool,
        pub multicast: bool,
        pub bandwidth: BandWidth,
        #[rasn(identifier = "rtcpAddresses")]
        pub rtcp_addresses: TransportChannelInfo,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct BandwidthReject {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "rejectReason")]
        pub reject_reason: BandRejectReason,
        #[rasn(identifier = "allowedBandWidth")]
        pub allowed_band_width: BandWidth,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "altGKInfo")]
        pub alt_gkinfo: Option<AltGKInfo>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct BandwidthRequest {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "endpointIdentifier")]
        pub endpoint_identifier: EndpointIdentifier,
        #[rasn(identifier = "conferenceID")]
        pub conference_id: ConferenceIdentifier,
        #[rasn(identifier = "callReferenceValue")]
        pub call_reference_value: CallReferenceValue,
        #[rasn(identifier = "callType")]
        pub call_type: Option<CallType>,
        #[rasn(identifier = "bandWidth")]
        pub band_width: BandWidth,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition, identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "answeredCall")]
        pub answered_call: Option<bool>,
        #[rasn(extension_addition, identifier = "callLinkage")]
        pub call_linkage: Option<CallLinkage>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "usageInformation")]
        pub usage_information: Option<RasUsageInformation>,
        #[rasn(extension_addition, identifier = "bandwidthDetails")]
        pub bandwidth_details: Option<SequenceOf<BandwidthDetails>>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "transportQOS")]
        pub transport_qos: Option<TransportQOS>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CallCapacity {
        #[rasn(identifier = "maximumCallCapacity")]
        pub maximum_call_capacity: Option<CallCapacityInfo>,
        #[rasn(identifier = "currentCallCapacity")]
        pub current_call_capacity: Option<CallCapacityInfo>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CallCapacityInfo {
        #[rasn(identifier = "voiceGwCallsAvailable")]
        pub voice_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "h310GwCallsAvailable")]
        pub h310_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "h320GwCallsAvailable")]
        pub h320_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "h321GwCallsAvailable")]
        pub h321_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "h322GwCallsAvailable")]
        pub h322_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "h323GwCallsAvailable")]
        pub h323_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "h324GwCallsAvailable")]
        pub h324_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "t120OnlyGwCallsAvailable")]
        pub t120_only_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "t38FaxAnnexbOnlyGwCallsAvailable")]
        pub t38_fax_annexb_only_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "terminalCallsAvailable")]
        pub terminal_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(identifier = "mcuCallsAvailable")]
        pub mcu_calls_available: Option<SequenceOf<CallsAvailable>>,
        #[rasn(extension_addition, identifier = "sipGwCallsAvailable")]
        pub sip_gw_calls_available: Option<SequenceOf<CallsAvailable>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CallCreditCapability {
        #[rasn(identifier = "canDisplayAmountString")]
        pub can_display_amount_string: Option<bool>,
        #[rasn(identifier = "canEnforceDurationLimit")]
        pub can_enforce_duration_limit: Option<bool>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum CallCreditServiceControlBillingMode {
        credit(()),
        debit(()),
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum CallCreditServiceControlCallStartingPoint {
        alerting(()),
        connect(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CallCreditServiceControl {
        #[rasn(size("1..=512"), identifier = "amountString")]
        pub amount_string: Option<BmpString>,
        #[rasn(identifier = "billingMode")]
        pub billing_mode: Option<CallCreditServiceControlBillingMode>,
        #[rasn(value("1..=4294967295"), identifier = "callDurationLimit")]
        pub call_duration_limit: Option<u32>,
        #[rasn(identifier = "enforceCallDurationLimit")]
        pub enforce_call_duration_limit: Option<bool>,
        #[rasn(identifier = "callStartingPoint")]
        pub call_starting_point: Option<CallCreditServiceControlCallStartingPoint>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CallIdentifier {
        pub guid: GloballyUniqueID,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CallLinkage {
        #[rasn(identifier = "globalCallId")]
        pub global_call_id: Option<GloballyUniqueID>,
        #[rasn(identifier = "threadId")]
        pub thread_id: Option<GloballyUniqueID>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum CallModel {
        direct(()),
        gatekeeperRouted(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "CallProceeding-UUIE")]
    #[non_exhaustive]
    pub struct CallProceedingUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "destinationInfo")]
        pub destination_info: EndpointType,
        #[rasn(identifier = "h245Address")]
        pub h245_address: Option<TransportAddress>,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition, identifier = "h245SecurityMode")]
        pub h245_security_mode: Option<H245Security>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "fastStart")]
        pub fast_start: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "multipleCalls")]
        pub multiple_calls: Option<bool>,
        #[rasn(extension_addition, identifier = "maintainConnection")]
        pub maintain_connection: Option<bool>,
        #[rasn(extension_addition, identifier = "fastConnectRefused")]
        pub fast_connect_refused: Option<()>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
    }
    #[doc = " in 100s of bits"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, value("0..=65535"))]
    pub struct CallReferenceValue(pub u16);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum CallTerminationCause {
        releaseCompleteReason(ReleaseCompleteReason),
        #[rasn(size("2..=32"))]
        releaseCompleteCauseIE(OctetString),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum CallType {
        pointToPoint(()),
        oneToN(()),
        nToOne(()),
        nToN(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CallsAvailable {
        #[rasn(value("0..=4294967295"))]
        pub calls: u32,
        #[rasn(size("1..=128"))]
        pub group: Option<Ia5String>,
        #[rasn(extension_addition)]
        pub carrier: Option<CarrierInfo>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CapacityReportingCapability {
        #[rasn(identifier = "canReportCallCapacity")]
        pub can_report_call_capacity: bool,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CapacityReportingSpecificationWhen {
        #[rasn(identifier = "callStart")]
        pub call_start: Option<()>,
        #[rasn(identifier = "callEnd")]
        pub call_end: Option<()>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CapacityReportingSpecification {
        pub when: CapacityReportingSpecificationWhen,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CarrierInfo {
        #[rasn(size("3..=4"), identifier = "carrierIdentificationCode")]
        pub carrier_identification_code: Option<OctetString>,
        #[rasn(size("1..=128"), identifier = "carrierName")]
        pub carrier_name: Option<Ia5String>,
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "OCTET_STRING", size("2..=4"))]
    pub struct AnonymousCicInfoCic(pub OctetString);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct CicInfoCic(pub SequenceOf<AnonymousCicInfoCic>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CicInfo {
        pub cic: CicInfoCic,
        #[rasn(size("2..=5"), identifier = "pointCode")]
        pub point_code: OctetString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CircuitIdentifier {
        pub cic: Option<CicInfo>,
        pub group: Option<GroupID>,
        #[rasn(extension_addition)]
        pub carrier: Option<CarrierInfo>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CircuitInfo {
        #[rasn(identifier = "sourceCircuitID")]
        pub source_circuit_id: Option<CircuitIdentifier>,
        #[rasn(identifier = "destinationCircuitID")]
        pub destination_circuit_id: Option<CircuitIdentifier>,
        #[rasn(identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct ConferenceIdentifier(pub GloballyUniqueID);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ConferenceList {
        #[rasn(identifier = "conferenceID")]
        pub conference_id: Option<ConferenceIdentifier>,
        #[rasn(identifier = "conferenceAlias")]
        pub conference_alias: Option<AliasAddress>,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "IA5String", size("1..=32"))]
    pub struct AnonymousConnectUUIELanguage(pub Ia5String);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct ConnectUUIELanguage(pub SequenceOf<AnonymousConnectUUIELanguage>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "Connect-UUIE")]
    #[non_exhaustive]
    pub struct ConnectUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "h245Address")]
        pub h245_address: Option<TransportAddress>,
        #[rasn(identifier = "destinationInfo")]
        pub destination_info: EndpointType,
        #[rasn(identifier = "conferenceID")]
        pub conference_id: ConferenceIdentifier,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition, identifier = "h245SecurityMode")]
        pub h245_security_mode: Option<H245Security>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "fastStart")]
        pub fast_start: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "multipleCalls")]
        pub multiple_calls: Option<bool>,
        #[rasn(extension_addition, identifier = "maintainConnection")]
        pub maintain_connection: Option<bool>,
        #[rasn(extension_addition)]
        pub language: Option<ConnectUUIELanguage>,
        #[rasn(extension_addition, identifier = "connectedAddress")]
        pub connected_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "presentationIndicator")]
        pub presentation_indicator: Option<PresentationIndicator>,
        #[rasn(extension_addition, identifier = "screeningIndicator")]
        pub screening_indicator: Option<ScreeningIndicator>,
        #[rasn(extension_addition, identifier = "fastConnectRefused")]
        pub fast_connect_refused: Option<()>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "displayName")]
        pub display_name: Option<SequenceOf<DisplayName>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum Content {
        raw(OctetString),
        text(Ia5String),
        unicode(BmpString),
        bool(bool),
        #[rasn(value("0..=255"))]
        number8(u8),
        #[rasn(value("0..=65535"))]
        number16(u16),
        #[rasn(value("0..=4294967295"))]
        number32(u32),
        id(GenericIdentifier),
        alias(AliasAddress),
        transport(TransportAddress),
        #[rasn(size("1..=512"))]
        compound(SequenceOf<EnumeratedParameter>),
        #[rasn(size("1..=16"))]
        nested(SequenceOf<GenericData>),
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoH323TokenCryptoEPPwdHashTokenParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoH323TokenCryptoEPPwdHashToken {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoH323TokenCryptoEPPwdHashTokenParamS,
        pub hash: BitString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoH323TokenCryptoEPPwdHash {
        pub alias: AliasAddress,
        #[rasn(identifier = "timeStamp")]
        pub time_stamp: TimeStamp,
        pub token: CryptoH323TokenCryptoEPPwdHashToken,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoH323TokenCryptoGKPwdHashTokenParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoH323TokenCryptoGKPwdHashToken {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoH323TokenCryptoGKPwdHashTokenParamS,
        pub hash: BitString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoH323TokenCryptoGKPwdHash {
        #[rasn(identifier = "gatekeeperId")]
        pub gatekeeper_id: GatekeeperIdentifier,
        #[rasn(identifier = "timeStamp")]
        pub time_stamp: TimeStamp,
        pub token: CryptoH323TokenCryptoGKPwdHashToken,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoH323TokenCryptoEPPwdEncrParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoH323TokenCryptoEPPwdEncr {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoH323TokenCryptoEPPwdEncrParamS,
        #[rasn(identifier = "encryptedData")]
        pub encrypted_data: OctetString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoH323TokenCryptoGKPwdEncrParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoH323TokenCryptoGKPwdEncr {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoH323TokenCryptoGKPwdEncrParamS,
        #[rasn(identifier = "encryptedData")]
        pub encrypted_data: OctetString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoH323TokenCryptoEPCertParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoH323TokenCryptoEPCert {
        #[rasn(identifier = "toBeSigned")]
        pub to_be_signed: EncodedPwdCertToken,
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoH323TokenCryptoEPCertParamS,
        pub signature: BitString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoH323TokenCryptoGKCertParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoH323TokenCryptoGKCert {
        #[rasn(identifier = "toBeSigned")]
        pub to_be_signed: EncodedPwdCertToken,
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoH323TokenCryptoGKCertParamS,
        pub signature: BitString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct CryptoH323TokenCryptoFastStartParamS {
        #[rasn(identifier = "ranInt")]
        pub ran_int: Option<Integer>,
        pub iv8: Option<IV8>,
        #[rasn(extension_addition)]
        pub iv16: Option<IV16>,
        #[rasn(extension_addition)]
        pub iv: Option<OctetString>,
        #[rasn(extension_addition, identifier = "clearSalt")]
        pub clear_salt: Option<OctetString>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct CryptoH323TokenCryptoFastStart {
        #[rasn(identifier = "toBeSigned")]
        pub to_be_signed: EncodedFastStartToken,
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        #[rasn(identifier = "paramS")]
        pub param_s: CryptoH323TokenCryptoFastStartParamS,
        pub signature: BitString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum CryptoH323Token {
        cryptoEPPwdHash(CryptoH323TokenCryptoEPPwdHash),
        cryptoGKPwdHash(CryptoH323TokenCryptoGKPwdHash),
        cryptoEPPwdEncr(CryptoH323TokenCryptoEPPwdEncr),
        cryptoGKPwdEncr(CryptoH323TokenCryptoGKPwdEncr),
        cryptoEPCert(CryptoH323TokenCryptoEPCert),
        cryptoGKCert(CryptoH323TokenCryptoGKCert),
        cryptoFastStart(CryptoH323TokenCryptoFastStart),
        nestedcryptoToken(CryptoToken),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct DataRate {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "channelRate")]
        pub channel_rate: BandWidth,
        #[rasn(value("1..=256"), identifier = "channelMultiplier")]
        pub channel_multiplier: Option<u16>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct DisengageConfirm {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
        #[rasn(extension_addition, identifier = "usageInformation")]
        pub usage_information: Option<RasUsageInformation>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum DisengageReason {
        forcedDrop(()),
        normalDrop(()),
        undefinedReason(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct DisengageReject {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "rejectReason")]
        pub reject_reason: DisengageRejectReason,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "altGKInfo")]
        pub alt_gkinfo: Option<AltGKInfo>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum DisengageRejectReason {
        notRegistered(()),
        requestToDropOther(()),
        #[rasn(extension_addition)]
        securityDenial(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors2),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct DisengageRequest {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "endpointIdentifier")]
        pub endpoint_identifier: EndpointIdentifier,
        #[rasn(identifier = "conferenceID")]
        pub conference_id: ConferenceIdentifier,
        #[rasn(identifier = "callReferenceValue")]
        pub call_reference_value: CallReferenceValue,
        #[rasn(identifier = "disengageReason")]
        pub disengage_reason: DisengageReason,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition, identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "answeredCall")]
        pub answered_call: Option<bool>,
        #[rasn(extension_addition, identifier = "callLinkage")]
        pub call_linkage: Option<CallLinkage>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
        #[rasn(extension_addition, identifier = "usageInformation")]
        pub usage_information: Option<RasUsageInformation>,
        #[rasn(extension_addition, identifier = "terminationCause")]
        pub termination_cause: Option<CallTerminationCause>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct DisplayName {
        pub language: Option<Ia5String>,
        #[rasn(size("1..=80"))]
        pub name: BmpString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct EncodedFastStartToken(pub Any);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum EncryptIntAlg {
        nonStandard(NonStandardParameter),
        isoAlgorithm(ObjectIdentifier),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct Endpoint {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "aliasAddress")]
        pub alias_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "callSignalAddress")]
        pub call_signal_address: Option<SequenceOf<TransportAddress>>,
        #[rasn(identifier = "rasAddress")]
        pub ras_address: Option<SequenceOf<TransportAddress>>,
        #[rasn(identifier = "endpointType")]
        pub endpoint_type: Option<EndpointType>,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(value("0..=127"))]
        pub priority: Option<u8>,
        #[rasn(identifier = "remoteExtensionAddress")]
        pub remote_extension_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "destExtraCallInfo")]
        pub dest_extra_call_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "alternateTransportAddresses")]
        pub alternate_transport_addresses: Option<AlternateTransportAddresses>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, size("1..=128"))]
    pub struct EndpointIdentifier(pub BmpString);
    #[doc = " Beginning of common message elements section"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct EndpointType {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        pub vendor: Option<VendorIdentifier>,
        pub gatekeeper: Option<GatekeeperInfo>,
        pub gateway: Option<GatewayInfo>,
        pub mcu: Option<McuInfo>,
        pub terminal: Option<TerminalInfo>,
        pub mc: bool,
        #[rasn(identifier = "undefinedNode")]
        pub undefined_node: bool,
        #[rasn(extension_addition, size("32"))]
        pub set: Option<BitString>,
        #[rasn(extension_addition, identifier = "supportedTunnelledProtocols")]
        pub supported_tunnelled_protocols: Option<SequenceOf<TunnelledProtocol>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct EnumeratedParameter {
        pub id: GenericIdentifier,
        pub content: Option<Content>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ExtendedAliasAddress {
        pub address: AliasAddress,
        #[rasn(identifier = "presentationIndicator")]
        pub presentation_indicator: Option<PresentationIndicator>,
        #[rasn(identifier = "screeningIndicator")]
        pub screening_indicator: Option<ScreeningIndicator>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "Facility-UUIE")]
    #[non_exhaustive]
    pub struct FacilityUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "alternativeAddress")]
        pub alternative_address: Option<TransportAddress>,
        #[rasn(identifier = "alternativeAliasAddress")]
        pub alternative_alias_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "conferenceID")]
        pub conference_id: Option<ConferenceIdentifier>,
        pub reason: FacilityReason,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition, identifier = "destExtraCallInfo")]
        pub dest_extra_call_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "remoteExtensionAddress")]
        pub remote_extension_address: Option<AliasAddress>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition)]
        pub conferences: Option<SequenceOf<ConferenceList>>,
        #[rasn(extension_addition, identifier = "h245Address")]
        pub h245_address: Option<TransportAddress>,
        #[rasn(extension_addition, identifier = "fastStart")]
        pub fast_start: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "multipleCalls")]
        pub multiple_calls: Option<bool>,
        #[rasn(extension_addition, identifier = "maintainConnection")]
        pub maintain_connection: Option<bool>,
        #[rasn(extension_addition, identifier = "fastConnectRefused")]
        pub fast_connect_refused: Option<()>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "destinationInfo")]
        pub destination_info: Option<EndpointType>,
        #[rasn(extension_addition, identifier = "h245SecurityMode")]
        pub h245_security_mode: Option<H245Security>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum FacilityReason {
        routeCallToGatekeeper(()),
        callForwarded(()),
        routeCallToMC(()),
        undefinedReason(()),
        #[rasn(extension_addition)]
        conferenceListChoice(()),
        #[rasn(extension_addition)]
        startH245(()),
        #[rasn(extension_addition)]
        noH245(()),
        #[rasn(extension_addition)]
        newTokens(()),
        #[rasn(extension_addition)]
        featureSetUpdate(()),
        #[rasn(extension_addition)]
        forwardedElements(()),
        #[rasn(extension_addition)]
        transportedInformation(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct FastStartToken(pub ClearToken);
    #[doc = " This octet string contans"]
    #[doc = " ASN.1 PER encoded H.248"]
    #[doc = " SignalDescriptor"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct FeatureDescriptor(pub GenericData);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct FeatureSet {
        #[rasn(identifier = "replacementFeatureSet")]
        pub replacement_feature_set: bool,
        #[rasn(identifier = "neededFeatures")]
        pub needed_features: Option<SequenceOf<FeatureDescriptor>>,
        #[rasn(identifier = "desiredFeatures")]
        pub desired_features: Option<SequenceOf<FeatureDescriptor>>,
        #[rasn(identifier = "supportedFeatures")]
        pub supported_features: Option<SequenceOf<FeatureDescriptor>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "GSM-UIM")]
    #[non_exhaustive]
    pub struct GSMUIM {
        #[rasn(size("3..=16"))]
        pub imsi: Option<TBCDSTRING>,
        #[rasn(size("1..=4"))]
        pub tmsi: Option<OctetString>,
        #[rasn(size("3..=16"))]
        pub msisdn: Option<TBCDSTRING>,
        #[rasn(size("15..=16"))]
        pub imei: Option<TBCDSTRING>,
        #[rasn(size("1..=4"))]
        pub hplmn: Option<TBCDSTRING>,
        #[rasn(size("1..=4"))]
        pub vplmn: Option<TBCDSTRING>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GatekeeperConfirm {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(identifier = "rasAddress")]
        pub ras_address: TransportAddress,
        #[rasn(extension_addition, identifier = "alternateGatekeeper")]
        pub alternate_gatekeeper: Option<SequenceOf<AlternateGK>>,
        #[rasn(extension_addition, identifier = "authenticationMode")]
        pub authentication_mode: Option<AuthenticationMechanism>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "algorithmOID")]
        pub algorithm_oid: Option<ObjectIdentifier>,
        #[rasn(extension_addition)]
        pub integrity: Option<SequenceOf<IntegrityMechanism>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
        #[rasn(extension_addition, identifier = "rehomingModel")]
        pub rehoming_model: Option<RehomingModel>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, size("1..=128"))]
    pub struct GatekeeperIdentifier(pub BmpString);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GatekeeperInfo {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GatekeeperReject {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(identifier = "rejectReason")]
        pub reject_reason: GatekeeperRejectReason,
        #[rasn(extension_addition, identifier = "altGKInfo")]
        pub alt_gkinfo: Option<AltGKInfo>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum GatekeeperRejectReason {
        resourceUnavailable(()),
        terminalExcluded(()),
        invalidRevision(()),
        undefinedReason(()),
        #[rasn(extension_addition)]
        securityDenial(()),
        #[rasn(extension_addition)]
        genericDataReason(()),
        #[rasn(extension_addition)]
        neededFeatureNotSupported(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GatekeeperRequest {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "rasAddress")]
        pub ras_address: TransportAddress,
        #[rasn(identifier = "endpointType")]
        pub endpoint_type: EndpointType,
        #[rasn(identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(identifier = "callServices")]
        pub call_services: Option<QseriesOptions>,
        #[rasn(identifier = "endpointAlias")]
        pub endpoint_alias: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "alternateEndpoints")]
        pub alternate_endpoints: Option<SequenceOf<Endpoint>>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "authenticationCapability")]
        pub authentication_capability: Option<SequenceOf<AuthenticationMechanism>>,
        #[rasn(extension_addition, identifier = "algorithmOIDs")]
        pub algorithm_oids: Option<SequenceOf<ObjectIdentifier>>,
        #[rasn(extension_addition)]
        pub integrity: Option<SequenceOf<IntegrityMechanism>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "supportsAltGK")]
        pub supports_alt_gk: Option<()>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "supportsAssignedGK")]
        pub supports_assigned_gk: Option<bool>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GatewayInfo {
        pub protocol: Option<SequenceOf<SupportedProtocols>>,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GenericData {
        pub id: GenericIdentifier,
        #[rasn(size("1..=512"))]
        pub parameters: Option<SequenceOf<EnumeratedParameter>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum GenericIdentifier {
        #[rasn(value("0..=16383", extensible))]
        standard(Integer),
        oid(ObjectIdentifier),
        nonStandard(GloballyUniqueID),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct GloballyUniqueID(pub FixedOctetString<16usize>);
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "INTEGER", value("0..=65535"))]
    pub struct AnonymousGroupIDMember(pub u16);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct GroupIDMember(pub SequenceOf<AnonymousGroupIDMember>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GroupID {
        pub member: Option<GroupIDMember>,
        #[rasn(size("1..=128"))]
        pub group: Ia5String,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H221NonStandard {
        #[rasn(value("0..=255"), identifier = "t35CountryCode")]
        pub t35_country_code: u8,
        #[rasn(value("0..=255"), identifier = "t35Extension")]
        pub t35_extension: u8,
        #[rasn(value("0..=65535"), identifier = "manufacturerCode")]
        pub manufacturer_code: u16,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum H245Security {
        nonStandard(NonStandardParameter),
        noSecurity(()),
        tls(SecurityCapabilities),
        ipsec(SecurityCapabilities),
    }
    #[doc = " in seconds"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct H248PackagesDescriptor(pub OctetString);
    #[doc = " This octet string contans"]
    #[doc = " ASN.1 PER encoded H.248"]
    #[doc = " PackageDescriptor"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct H248SignalsDescriptor(pub OctetString);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H310Caps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H320Caps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H321Caps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H322Caps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum H323UUPDUH323MessageBody {
        setup(SetupUUIE),
        callProceeding(CallProceedingUUIE),
        connect(ConnectUUIE),
        alerting(AlertingUUIE),
        information(InformationUUIE),
        releaseComplete(ReleaseCompleteUUIE),
        facility(FacilityUUIE),
        #[rasn(extension_addition)]
        progress(ProgressUUIE),
        #[rasn(extension_addition)]
        empty(()),
        #[rasn(extension_addition)]
        status(StatusUUIE),
        #[rasn(extension_addition)]
        statusInquiry(StatusInquiryUUIE),
        #[rasn(extension_addition)]
        setupAcknowledge(SetupAcknowledgeUUIE),
        #[rasn(extension_addition)]
        notify(NotifyUUIE),
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H323UUPDUTunnelledSignallingMessage {
        #[rasn(identifier = "tunnelledProtocolID")]
        pub tunnelled_protocol_id: TunnelledProtocol,
        #[rasn(identifier = "messageContent")]
        pub message_content: SequenceOf<OctetString>,
        #[rasn(identifier = "tunnellingRequired")]
        pub tunnelling_required: Option<()>,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "H323-UU-PDU")]
    #[non_exhaustive]
    pub struct H323UUPDU {
        #[rasn(identifier = "h323-message-body")]
        pub h323_message_body: H323UUPDUH323MessageBody,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "h4501SupplementaryService")]
        pub h4501_supplementary_service: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "h245Tunneling")]
        pub h245_tunneling: Option<bool>,
        #[rasn(extension_addition, identifier = "h245Control")]
        pub h245_control: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "nonStandardControl")]
        pub non_standard_control: Option<SequenceOf<NonStandardParameter>>,
        #[rasn(extension_addition, identifier = "callLinkage")]
        pub call_linkage: Option<CallLinkage>,
        #[rasn(extension_addition, identifier = "tunnelledSignallingMessage")]
        pub tunnelled_signalling_message: Option<H323UUPDUTunnelledSignallingMessage>,
        #[rasn(extension_addition, identifier = "provisionalRespToH245Tunneling")]
        pub provisional_resp_to_h245_tunneling: Option<()>,
        #[rasn(extension_addition, identifier = "stimulusControl")]
        pub stimulus_control: Option<StimulusControl>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H323UserInformationUserData {
        #[rasn(value("0..=255"), identifier = "protocol-discriminator")]
        pub protocol_discriminator: u8,
        #[rasn(size("1..=131"), identifier = "user-information")]
        pub user_information: OctetString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "H323-UserInformation")]
    #[non_exhaustive]
    pub struct H323UserInformation {
        #[rasn(identifier = "h323-uu-pdu")]
        pub h323_uu_pdu: H323UUPDU,
        #[rasn(identifier = "user-data")]
        pub user_data: Option<H323UserInformationUserData>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H323Caps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct H324Caps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct ICV {
        #[rasn(identifier = "algorithmOID")]
        pub algorithm_oid: ObjectIdentifier,
        pub icv: BitString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct InfoRequest {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "callReferenceValue")]
        pub call_reference_value: CallReferenceValue,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "replyAddress")]
        pub reply_address: Option<TransportAddress>,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "uuiesRequested")]
        pub uuies_requested: Option<UUIEsRequested>,
        #[rasn(extension_addition, identifier = "callLinkage")]
        pub call_linkage: Option<CallLinkage>,
        #[rasn(extension_addition, identifier = "usageInfoRequested")]
        pub usage_info_requested: Option<RasUsageInfoTypes>,
        #[rasn(extension_addition, identifier = "segmentedResponseSupported")]
        pub segmented_response_supported: Option<()>,
        #[rasn(
            extension_addition,
            value("0..=65535"),
            identifier = "nextSegmentRequested"
        )]
        pub next_segment_requested: Option<u16>,
        #[rasn(extension_addition, identifier = "capacityInfoRequested")]
        pub capacity_info_requested: Option<()>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct InfoRequestAck {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct InfoRequestNak {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "nakReason")]
        pub nak_reason: InfoRequestNakReason,
        #[rasn(identifier = "altGKInfo")]
        pub alt_gkinfo: Option<AltGKInfo>,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum InfoRequestNakReason {
        notRegistered(()),
        securityDenial(()),
        undefinedReason(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors2),
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "SEQUENCE")]
    pub struct AnonymousAnonymousInfoRequestResponsePerCallInfoPdu {
        pub h323pdu: H323UUPDU,
        pub sent: bool,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct AnonymousInfoRequestResponsePerCallInfoPdu(
        pub SequenceOf<AnonymousAnonymousInfoRequestResponsePerCallInfoPdu>,
    );
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "SEQUENCE")]
    #[non_exhaustive]
    pub struct AnonymousInfoRequestResponsePerCallInfo {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "callReferenceValue")]
        pub call_reference_value: CallReferenceValue,
        #[rasn(identifier = "conferenceID")]
        pub conference_id: ConferenceIdentifier,
        pub originator: Option<bool>,
        pub audio: Option<SequenceOf<RTPSession>>,
        pub video: Option<SequenceOf<RTPSession>>,
        pub data: Option<SequenceOf<TransportChannelInfo>>,
        pub h245: TransportChannelInfo,
        #[rasn(identifier = "callSignaling")]
        pub call_signaling: TransportChannelInfo,
        #[rasn(identifier = "callType")]
        pub call_type: CallType,
        #[rasn(identifier = "bandWidth")]
        pub band_width: BandWidth,
        #[rasn(identifier = "callModel")]
        pub call_model: CallModel,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "substituteConfIDs")]
        pub substitute_conf_ids: Option<SequenceOf<ConferenceIdentifier>>,
        #[rasn(extension_addition)]
        pub pdu: Option<AnonymousInfoRequestResponsePerCallInfoPdu>,
        #[rasn(extension_addition, identifier = "callLinkage")]
        pub call_linkage: Option<CallLinkage>,
        #[rasn(extension_addition, identifier = "usageInformation")]
        pub usage_information: Option<RasUsageInformation>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct InfoRequestResponsePerCallInfo(
        pub SequenceOf<AnonymousInfoRequestResponsePerCallInfo>,
    );
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct InfoRequestResponse {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "endpointType")]
        pub endpoint_type: EndpointType,
        #[rasn(identifier = "endpointIdentifier")]
        pub endpoint_identifier: EndpointIdentifier,
        #[rasn(identifier = "rasAddress")]
        pub ras_address: TransportAddress,
        #[rasn(identifier = "callSignalAddress")]
        pub call_signal_address: SequenceOf<TransportAddress>,
        #[rasn(identifier = "endpointAlias")]
        pub endpoint_alias: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "perCallInfo")]
        pub per_call_info: Option<InfoRequestResponsePerCallInfo>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "needResponse")]
        pub need_response: Option<bool>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "irrStatus")]
        pub irr_status: Option<InfoRequestResponseStatus>,
        #[rasn(extension_addition)]
        pub unsolicited: Option<bool>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum InfoRequestResponseStatus {
        complete(()),
        incomplete(()),
        #[rasn(value("0..=65535"))]
        segment(u16),
        invalidCall(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "Information-UUIE")]
    #[non_exhaustive]
    pub struct InformationUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "fastStart")]
        pub fast_start: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "fastConnectRefused")]
        pub fast_connect_refused: Option<()>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum IntegrityMechanism {
        nonStandard(NonStandardParameter),
        digSig(()),
        iso9797(ObjectIdentifier),
        nonIsoIM(NonIsoIntegrityMechanism),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(
        delegate,
        size("1..=128"),
        from(
            "\u{30}", "\u{31}", "\u{32}", "\u{33}", "\u{34}", "\u{35}", "\u{36}", "\u{37}",
            "\u{38}", "\u{39}", "\u{41}", "\u{42}", "\u{43}", "\u{44}", "\u{45}"
        )
    )]
    pub struct IsupDigits(pub Ia5String);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum IsupNumber {
        e164Number(IsupPublicPartyNumber),
        dataPartyNumber(IsupDigits),
        telexPartyNumber(IsupDigits),
        privateNumber(IsupPrivatePartyNumber),
        nationalStandardPartyNumber(IsupDigits),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct IsupPrivatePartyNumber {
        #[rasn(identifier = "privateTypeOfNumber")]
        pub private_type_of_number: PrivateTypeOfNumber,
        pub address: IsupDigits,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct IsupPublicPartyNumber {
        #[rasn(identifier = "natureOfAddress")]
        pub nature_of_address: NatureOfAddress,
        pub address: IsupDigits,
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "IA5String", size("1..=32"))]
    pub struct AnonymousLocationConfirmLanguage(pub Ia5String);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct LocationConfirmLanguage(pub SequenceOf<AnonymousLocationConfirmLanguage>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct LocationConfirm {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "callSignalAddress")]
        pub call_signal_address: TransportAddress,
        #[rasn(identifier = "rasAddress")]
        pub ras_address: TransportAddress,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "destinationInfo")]
        pub destination_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "destExtraCallInfo")]
        pub dest_extra_call_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "destinationType")]
        pub destination_type: Option<EndpointType>,
        #[rasn(extension_addition, identifier = "remoteExtensionAddress")]
        pub remote_extension_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "alternateEndpoints")]
        pub alternate_endpoints: Option<SequenceOf<Endpoint>>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "alternateTransportAddresses")]
        pub alternate_transport_addresses: Option<AlternateTransportAddresses>,
        #[rasn(extension_addition, identifier = "supportedProtocols")]
        pub supported_protocols: Option<SequenceOf<SupportedProtocols>>,
        #[rasn(extension_addition, identifier = "multipleCalls")]
        pub multiple_calls: Option<bool>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition, identifier = "modifiedSrcInfo")]
        pub modified_src_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "bandWidth")]
        pub band_width: Option<BandWidth>,
        #[rasn(extension_addition)]
        pub language: Option<LocationConfirmLanguage>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct LocationReject {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "rejectReason")]
        pub reject_reason: LocationRejectReason,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "altGKInfo")]
        pub alt_gkinfo: Option<AltGKInfo>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum LocationRejectReason {
        notRegistered(()),
        invalidPermission(()),
        requestDenied(()),
        undefinedReason(()),
        #[rasn(extension_addition)]
        securityDenial(()),
        #[rasn(extension_addition)]
        aliasesInconsistent(()),
        #[rasn(extension_addition)]
        routeCalltoSCN(SequenceOf<PartyNumber>),
        #[rasn(extension_addition)]
        resourceUnavailable(()),
        #[rasn(extension_addition)]
        genericDataReason(()),
        #[rasn(extension_addition)]
        neededFeatureNotSupported(()),
        #[rasn(extension_addition)]
        hopCountExceeded(()),
        #[rasn(extension_addition)]
        incompleteAddress(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors2),
        #[rasn(extension_addition)]
        securityDHmismatch(()),
        #[rasn(extension_addition)]
        noRouteToDestination(()),
        #[rasn(extension_addition)]
        unallocatedNumber(()),
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "IA5String", size("1..=32"))]
    pub struct AnonymousLocationRequestLanguage(pub Ia5String);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct LocationRequestLanguage(pub SequenceOf<AnonymousLocationRequestLanguage>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct LocationRequest {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "endpointIdentifier")]
        pub endpoint_identifier: Option<EndpointIdentifier>,
        #[rasn(identifier = "destinationInfo")]
        pub destination_info: SequenceOf<AliasAddress>,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "replyAddress")]
        pub reply_address: TransportAddress,
        #[rasn(extension_addition, identifier = "sourceInfo")]
        pub source_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "canMapAlias")]
        pub can_map_alias: Option<bool>,
        #[rasn(extension_addition, identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "desiredProtocols")]
        pub desired_protocols: Option<SequenceOf<SupportedProtocols>>,
        #[rasn(extension_addition, identifier = "desiredTunnelledProtocol")]
        pub desired_tunnelled_protocol: Option<TunnelledProtocol>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, value("1..=255"), identifier = "hopCount")]
        pub hop_count: Option<u8>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition, identifier = "bandWidth")]
        pub band_width: Option<BandWidth>,
        #[rasn(extension_addition, identifier = "sourceEndpointInfo")]
        pub source_endpoint_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "canMapSrcAlias")]
        pub can_map_src_alias: Option<bool>,
        #[rasn(extension_addition)]
        pub language: Option<LocationRequestLanguage>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct McuInfo {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition)]
        pub protocol: Option<SequenceOf<SupportedProtocols>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum MobileUIM {
        #[rasn(identifier = "ansi-41-uim")]
        ansi_41_uim(ANSI41UIM),
        #[rasn(identifier = "gsm-uim")]
        gsm_uim(GSMUIM),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum NatureOfAddress {
        unknown(()),
        subscriberNumber(()),
        nationalNumber(()),
        internationalNumber(()),
        networkSpecificNumber(()),
        routingNumberNationalFormat(()),
        routingNumberNetworkSpecificFormat(()),
        routingNumberWithCalledDirectoryNumber(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum NonIsoIntegrityMechanism {
        #[rasn(identifier = "hMAC-MD5")]
        hMAC_MD5(()),
        #[rasn(identifier = "hMAC-iso10118-2-s")]
        hMAC_iso10118_2_s(EncryptIntAlg),
        #[rasn(identifier = "hMAC-iso10118-2-l")]
        hMAC_iso10118_2_l(EncryptIntAlg),
        #[rasn(identifier = "hMAC-iso10118-3")]
        hMAC_iso10118_3(ObjectIdentifier),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum NonStandardIdentifier {
        object(ObjectIdentifier),
        h221NonStandard(H221NonStandard),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct NonStandardMessage {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: NonStandardParameter,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct NonStandardParameter {
        #[rasn(identifier = "nonStandardIdentifier")]
        pub non_standard_identifier: NonStandardIdentifier,
        pub data: OctetString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct NonStandardProtocol {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(identifier = "supportedPrefixes")]
        pub supported_prefixes: SequenceOf<SupportedPrefix>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "Notify-UUIE")]
    #[non_exhaustive]
    pub struct NotifyUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "callIdentifier")]
        pub call_identifier: CallIdentifier,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "connectedAddress")]
        pub connected_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "presentationIndicator")]
        pub presentation_indicator: Option<PresentationIndicator>,
        #[rasn(extension_addition, identifier = "screeningIndicator")]
        pub screening_indicator: Option<ScreeningIndicator>,
        #[rasn(extension_addition, identifier = "destinationInfo")]
        pub destination_info: Option<EndpointType>,
        #[rasn(extension_addition, identifier = "displayName")]
        pub display_name: Option<SequenceOf<DisplayName>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(
        delegate,
        size("1..=128"),
        from(
            "\u{23}", "\u{2a}", "\u{2c}", "\u{30}", "\u{31}", "\u{32}", "\u{33}", "\u{34}",
            "\u{35}", "\u{36}", "\u{37}", "\u{38}", "\u{39}"
        )
    )]
    pub struct NumberDigits(pub Ia5String);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum PartyNumber {
        e164Number(PublicPartyNumber),
        dataPartyNumber(NumberDigits),
        telexPartyNumber(NumberDigits),
        privateNumber(PrivatePartyNumber),
        nationalStandardPartyNumber(NumberDigits),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum PresentationIndicator {
        presentationAllowed(()),
        presentationRestricted(()),
        addressNotAvailable(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct PrivatePartyNumber {
        #[rasn(identifier = "privateTypeOfNumber")]
        pub private_type_of_number: PrivateTypeOfNumber,
        #[rasn(identifier = "privateNumberDigits")]
        pub private_number_digits: NumberDigits,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum PrivateTypeOfNumber {
        unknown(()),
        level2RegionalNumber(()),
        level1RegionalNumber(()),
        pISNSpecificNumber(()),
        localNumber(()),
        abbreviatedNumber(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "Progress-UUIE")]
    #[non_exhaustive]
    pub struct ProgressUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "destinationInfo")]
        pub destination_info: EndpointType,
        #[rasn(identifier = "h245Address")]
        pub h245_address: Option<TransportAddress>,
        #[rasn(identifier = "callIdentifier")]
        pub call_identifier: CallIdentifier,
        #[rasn(identifier = "h245SecurityMode")]
        pub h245_security_mode: Option<H245Security>,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(identifier = "fastStart")]
        pub fast_start: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "multipleCalls")]
        pub multiple_calls: Option<bool>,
        #[rasn(extension_addition, identifier = "maintainConnection")]
        pub maintain_connection: Option<bool>,
        #[rasn(extension_addition, identifier = "fastConnectRefused")]
        pub fast_connect_refused: Option<()>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct ProtocolIdentifier(pub ObjectIdentifier);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct PublicPartyNumber {
        #[rasn(identifier = "publicTypeOfNumber")]
        pub public_type_of_number: PublicTypeOfNumber,
        #[rasn(identifier = "publicNumberDigits")]
        pub public_number_digits: NumberDigits,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum PublicTypeOfNumber {
        unknown(()),
        internationalNumber(()),
        nationalNumber(()),
        networkSpecificNumber(()),
        subscriberNumber(()),
        abbreviatedNumber(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct Q954Details {
        #[rasn(identifier = "conferenceCalling")]
        pub conference_calling: bool,
        #[rasn(identifier = "threePartyService")]
        pub three_party_service: bool,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct QseriesOptions {
        #[rasn(identifier = "q932Full")]
        pub q932_full: bool,
        #[rasn(identifier = "q951Full")]
        pub q951_full: bool,
        #[rasn(identifier = "q952Full")]
        pub q952_full: bool,
        #[rasn(identifier = "q953Full")]
        pub q953_full: bool,
        #[rasn(identifier = "q955Full")]
        pub q955_full: bool,
        #[rasn(identifier = "q956Full")]
        pub q956_full: bool,
        #[rasn(identifier = "q957Full")]
        pub q957_full: bool,
        #[rasn(identifier = "q954Info")]
        pub q954_info: Q954Details,
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "INTEGER", value("1..=255"))]
    pub struct AnonymousRTPSessionAssociatedSessionIds(pub u8);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct RTPSessionAssociatedSessionIds(
        pub SequenceOf<AnonymousRTPSessionAssociatedSessionIds>,
    );
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RTPSession {
        #[rasn(identifier = "rtpAddress")]
        pub rtp_address: TransportChannelInfo,
        #[rasn(identifier = "rtcpAddress")]
        pub rtcp_address: TransportChannelInfo,
        pub cname: PrintableString,
        #[rasn(value("1..=4294967295"))]
        pub ssrc: u32,
        #[rasn(value("1..=255"), identifier = "sessionId")]
        pub session_id: u8,
        #[rasn(identifier = "associatedSessionIds")]
        pub associated_session_ids: RTPSessionAssociatedSessionIds,
        #[rasn(extension_addition)]
        pub multicast: Option<()>,
        #[rasn(extension_addition)]
        pub bandwidth: Option<BandWidth>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum RasMessage {
        gatekeeperRequest(GatekeeperRequest),
        gatekeeperConfirm(GatekeeperConfirm),
        gatekeeperReject(GatekeeperReject),
        registrationRequest(RegistrationRequest),
        registrationConfirm(RegistrationConfirm),
        registrationReject(RegistrationReject),
        unregistrationRequest(UnregistrationRequest),
        unregistrationConfirm(UnregistrationConfirm),
        unregistrationReject(UnregistrationReject),
        admissionRequest(AdmissionRequest),
        admissionConfirm(AdmissionConfirm),
        admissionReject(AdmissionReject),
        bandwidthRequest(BandwidthRequest),
        bandwidthConfirm(BandwidthConfirm),
        bandwidthReject(BandwidthReject),
        disengageRequest(DisengageRequest),
        disengageConfirm(DisengageConfirm),
        disengageReject(DisengageReject),
        locationRequest(LocationRequest),
        locationConfirm(LocationConfirm),
        locationReject(LocationReject),
        infoRequest(InfoRequest),
        infoRequestResponse(InfoRequestResponse),
        nonStandardMessage(NonStandardMessage),
        unknownMessageResponse(UnknownMessageResponse),
        #[rasn(extension_addition)]
        requestInProgress(RequestInProgress),
        #[rasn(extension_addition)]
        resourcesAvailableIndicate(ResourcesAvailableIndicate),
        #[rasn(extension_addition)]
        resourcesAvailableConfirm(ResourcesAvailableConfirm),
        #[rasn(extension_addition)]
        infoRequestAck(InfoRequestAck),
        #[rasn(extension_addition)]
        infoRequestNak(InfoRequestNak),
        #[rasn(extension_addition)]
        serviceControlIndication(ServiceControlIndication),
        #[rasn(extension_addition)]
        serviceControlResponse(ServiceControlResponse),
        #[rasn(extension_addition)]
        admissionConfirmSequence(SequenceOf<AdmissionConfirm>),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RasUsageInfoTypes {
        #[rasn(identifier = "nonStandardUsageTypes")]
        pub non_standard_usage_types: SequenceOf<NonStandardParameter>,
        #[rasn(identifier = "startTime")]
        pub start_time: Option<()>,
        #[rasn(identifier = "endTime")]
        pub end_time: Option<()>,
        #[rasn(identifier = "terminationCause")]
        pub termination_cause: Option<()>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RasUsageInformation {
        #[rasn(identifier = "nonStandardUsageFields")]
        pub non_standard_usage_fields: SequenceOf<NonStandardParameter>,
        #[rasn(identifier = "alertingTime")]
        pub alerting_time: Option<TimeStamp>,
        #[rasn(identifier = "connectTime")]
        pub connect_time: Option<TimeStamp>,
        #[rasn(identifier = "endTime")]
        pub end_time: Option<TimeStamp>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RasUsageSpecificationWhen {
        pub start: Option<()>,
        pub end: Option<()>,
        #[rasn(identifier = "inIrr")]
        pub in_irr: Option<()>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RasUsageSpecificationCallStartingPoint {
        pub alerting: Option<()>,
        pub connect: Option<()>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RasUsageSpecification {
        pub when: RasUsageSpecificationWhen,
        #[rasn(identifier = "callStartingPoint")]
        pub call_starting_point: Option<RasUsageSpecificationCallStartingPoint>,
        pub required: RasUsageInfoTypes,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RegistrationConfirmPreGrantedARQ {
        #[rasn(identifier = "makeCall")]
        pub make_call: bool,
        #[rasn(identifier = "useGKCallSignalAddressToMakeCall")]
        pub use_gkcall_signal_address_to_make_call: bool,
        #[rasn(identifier = "answerCall")]
        pub answer_call: bool,
        #[rasn(identifier = "useGKCallSignalAddressToAnswer")]
        pub use_gkcall_signal_address_to_answer: bool,
        #[rasn(
            extension_addition,
            value("1..=65535"),
            identifier = "irrFrequencyInCall"
        )]
        pub irr_frequency_in_call: Option<u16>,
        #[rasn(extension_addition, identifier = "totalBandwidthRestriction")]
        pub total_bandwidth_restriction: Option<BandWidth>,
        #[rasn(extension_addition, identifier = "alternateTransportAddresses")]
        pub alternate_transport_addresses: Option<AlternateTransportAddresses>,
        #[rasn(extension_addition, identifier = "useSpecifiedTransport")]
        pub use_specified_transport: Option<UseSpecifiedTransport>,
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "IA5String", size("1..=32"))]
    pub struct AnonymousRegistrationConfirmLanguage(pub Ia5String);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct RegistrationConfirmLanguage(pub SequenceOf<AnonymousRegistrationConfirmLanguage>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RegistrationConfirm {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "callSignalAddress")]
        pub call_signal_address: SequenceOf<TransportAddress>,
        #[rasn(identifier = "terminalAlias")]
        pub terminal_alias: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(identifier = "endpointIdentifier")]
        pub endpoint_identifier: EndpointIdentifier,
        #[rasn(extension_addition, identifier = "alternateGatekeeper")]
        pub alternate_gatekeeper: Option<SequenceOf<AlternateGK>>,
        #[rasn(extension_addition, identifier = "timeToLive")]
        pub time_to_live: Option<TimeToLive>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "willRespondToIRR")]
        pub will_respond_to_irr: Option<bool>,
        #[rasn(extension_addition, identifier = "preGrantedARQ")]
        pub pre_granted_arq: Option<RegistrationConfirmPreGrantedARQ>,
        #[rasn(extension_addition, identifier = "maintainConnection")]
        pub maintain_connection: Option<bool>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition, identifier = "supportsAdditiveRegistration")]
        pub supports_additive_registration: Option<()>,
        #[rasn(extension_addition, identifier = "terminalAliasPattern")]
        pub terminal_alias_pattern: Option<SequenceOf<AddressPattern>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
        #[rasn(extension_addition, identifier = "usageSpec")]
        pub usage_spec: Option<SequenceOf<RasUsageSpecification>>,
        #[rasn(extension_addition, identifier = "featureServerAlias")]
        pub feature_server_alias: Option<AliasAddress>,
        #[rasn(extension_addition, identifier = "capacityReportingSpec")]
        pub capacity_reporting_spec: Option<CapacityReportingSpecification>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
        #[rasn(extension_addition, identifier = "rehomingModel")]
        pub rehoming_model: Option<RehomingModel>,
        #[rasn(extension_addition, identifier = "transportQOS")]
        pub transport_qos: Option<TransportQOS>,
        #[rasn(extension_addition)]
        pub language: Option<RegistrationConfirmLanguage>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RegistrationReject {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "rejectReason")]
        pub reject_reason: RegistrationRejectReason,
        #[rasn(identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(extension_addition, identifier = "altGKInfo")]
        pub alt_gkinfo: Option<AltGKInfo>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RegistrationRejectReasonInvalidTerminalAliases {
        #[rasn(identifier = "terminalAlias")]
        pub terminal_alias: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "terminalAliasPattern")]
        pub terminal_alias_pattern: Option<SequenceOf<AddressPattern>>,
        #[rasn(identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum RegistrationRejectReason {
        discoveryRequired(()),
        invalidRevision(()),
        invalidCallSignalAddress(()),
        invalidRASAddress(()),
        duplicateAlias(SequenceOf<AliasAddress>),
        invalidTerminalType(()),
        undefinedReason(()),
        transportNotSupported(()),
        #[rasn(extension_addition)]
        transportQOSNotSupported(()),
        #[rasn(extension_addition)]
        resourceUnavailable(()),
        #[rasn(extension_addition)]
        invalidAlias(()),
        #[rasn(extension_addition)]
        securityDenial(()),
        #[rasn(extension_addition)]
        fullRegistrationRequired(()),
        #[rasn(extension_addition)]
        additiveRegistrationNotSupported(()),
        #[rasn(extension_addition)]
        invalidTerminalAliases(RegistrationRejectReasonInvalidTerminalAliases),
        #[rasn(extension_addition)]
        genericDataReason(()),
        #[rasn(extension_addition)]
        neededFeatureNotSupported(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors),
        #[rasn(extension_addition)]
        registerWithAssignedGK(()),
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "IA5String", size("1..=32"))]
    pub struct AnonymousRegistrationRequestLanguage(pub Ia5String);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct RegistrationRequestLanguage(pub SequenceOf<AnonymousRegistrationRequestLanguage>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RegistrationRequest {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "discoveryComplete")]
        pub discovery_complete: bool,
        #[rasn(identifier = "callSignalAddress")]
        pub call_signal_address: SequenceOf<TransportAddress>,
        #[rasn(identifier = "rasAddress")]
        pub ras_address: SequenceOf<TransportAddress>,
        #[rasn(identifier = "terminalType")]
        pub terminal_type: EndpointType,
        #[rasn(identifier = "terminalAlias")]
        pub terminal_alias: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(identifier = "endpointVendor")]
        pub endpoint_vendor: VendorIdentifier,
        #[rasn(extension_addition, identifier = "alternateEndpoints")]
        pub alternate_endpoints: Option<SequenceOf<Endpoint>>,
        #[rasn(extension_addition, identifier = "timeToLive")]
        pub time_to_live: Option<TimeToLive>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "keepAlive")]
        pub keep_alive: Option<bool>,
        #[rasn(extension_addition, identifier = "endpointIdentifier")]
        pub endpoint_identifier: Option<EndpointIdentifier>,
        #[rasn(extension_addition, identifier = "willSupplyUUIEs")]
        pub will_supply_uuies: Option<bool>,
        #[rasn(extension_addition, identifier = "maintainConnection")]
        pub maintain_connection: Option<bool>,
        #[rasn(extension_addition, identifier = "alternateTransportAddresses")]
        pub alternate_transport_addresses: Option<AlternateTransportAddresses>,
        #[rasn(extension_addition, identifier = "additiveRegistration")]
        pub additive_registration: Option<()>,
        #[rasn(extension_addition, identifier = "terminalAliasPattern")]
        pub terminal_alias_pattern: Option<SequenceOf<AddressPattern>>,
        #[rasn(extension_addition, identifier = "supportsAltGK")]
        pub supports_alt_gk: Option<()>,
        #[rasn(extension_addition, identifier = "usageReportingCapability")]
        pub usage_reporting_capability: Option<RasUsageInfoTypes>,
        #[rasn(extension_addition, identifier = "multipleCalls")]
        pub multiple_calls: Option<bool>,
        #[rasn(extension_addition, identifier = "supportedH248Packages")]
        pub supported_h248_packages: Option<SequenceOf<H248PackagesDescriptor>>,
        #[rasn(extension_addition, identifier = "callCreditCapability")]
        pub call_credit_capability: Option<CallCreditCapability>,
        #[rasn(extension_addition, identifier = "capacityReportingCapability")]
        pub capacity_reporting_capability: Option<CapacityReportingCapability>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition)]
        pub restart: Option<()>,
        #[rasn(extension_addition, identifier = "supportsACFSequences")]
        pub supports_acfsequences: Option<()>,
        #[rasn(extension_addition, identifier = "supportsAssignedGK")]
        pub supports_assigned_gk: Option<bool>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
        #[rasn(extension_addition, identifier = "transportQOS")]
        pub transport_qos: Option<TransportQOS>,
        #[rasn(extension_addition)]
        pub language: Option<RegistrationRequestLanguage>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    pub enum RehomingModel {
        gatekeeperBased(()),
        endpointBased(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "ReleaseComplete-UUIE")]
    #[non_exhaustive]
    pub struct ReleaseCompleteUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        pub reason: Option<ReleaseCompleteReason>,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "busyAddress")]
        pub busy_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(extension_addition, identifier = "presentationIndicator")]
        pub presentation_indicator: Option<PresentationIndicator>,
        #[rasn(extension_addition, identifier = "screeningIndicator")]
        pub screening_indicator: Option<ScreeningIndicator>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition, identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(extension_addition, identifier = "destinationInfo")]
        pub destination_info: Option<EndpointType>,
        #[rasn(extension_addition, identifier = "displayName")]
        pub display_name: Option<SequenceOf<DisplayName>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ReleaseCompleteReason {
        noBandwidth(()),
        gatekeeperResources(()),
        unreachableDestination(()),
        destinationRejection(()),
        invalidRevision(()),
        noPermission(()),
        unreachableGatekeeper(()),
        gatewayResources(()),
        badFormatAddress(()),
        adaptiveBusy(()),
        inConf(()),
        undefinedReason(()),
        #[rasn(extension_addition)]
        facilityCallDeflection(()),
        #[rasn(extension_addition)]
        securityDenied(()),
        #[rasn(extension_addition)]
        calledPartyNotRegistered(()),
        #[rasn(extension_addition)]
        callerNotRegistered(()),
        #[rasn(extension_addition)]
        newConnectionNeeded(()),
        #[rasn(extension_addition)]
        nonStandardReason(NonStandardParameter),
        #[rasn(extension_addition)]
        replaceWithConferenceInvite(ConferenceIdentifier),
        #[rasn(extension_addition)]
        genericDataReason(()),
        #[rasn(extension_addition)]
        neededFeatureNotSupported(()),
        #[rasn(extension_addition)]
        tunnelledSignallingRejected(()),
        #[rasn(extension_addition)]
        invalidCID(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors),
        #[rasn(extension_addition)]
        hopCountExceeded(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RequestInProgress {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(value("1..=65535"))]
        pub delay: u16,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, value("1..=65535"))]
    pub struct RequestSeqNum(pub u16);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ResourcesAvailableConfirm {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ResourcesAvailableIndicate {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "endpointIdentifier")]
        pub endpoint_identifier: EndpointIdentifier,
        pub protocols: SequenceOf<SupportedProtocols>,
        #[rasn(identifier = "almostOutOfResources")]
        pub almost_out_of_resources: bool,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct SIPCaps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ScnConnectionAggregation {
        auto(()),
        none(()),
        h221(()),
        #[rasn(identifier = "bonded-mode1")]
        bonded_mode1(()),
        #[rasn(identifier = "bonded-mode2")]
        bonded_mode2(()),
        #[rasn(identifier = "bonded-mode3")]
        bonded_mode3(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ScnConnectionType {
        unknown(()),
        bChannel(()),
        hybrid2x64(()),
        hybrid384(()),
        hybrid1536(()),
        hybrid1920(()),
        multirate(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash, Copy)]
    #[rasn(enumerated)]
    #[non_exhaustive]
    pub enum ScreeningIndicator {
        userProvidedNotScreened = 0,
        userProvidedVerifiedAndPassed = 1,
        userProvidedVerifiedAndFailed = 2,
        networkProvided = 3,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct SecurityCapabilities {
        #[rasn(identifier = "nonStandard")]
        pub non_standard: Option<NonStandardParameter>,
        pub encryption: SecurityServiceMode,
        pub authenticaton: SecurityServiceMode,
        pub integrity: SecurityServiceMode,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum SecurityErrors {
        securityWrongSyncTime(()),
        securityReplay(()),
        securityWrongGeneralID(()),
        securityWrongSendersID(()),
        securityIntegrityFailed(()),
        securityWrongOID(()),
        securityDHmismatch(()),
        securityCertificateExpired(()),
        securityCertificateDateInvalid(()),
        securityCertificateRevoked(()),
        securityCertificateNotReadable(()),
        securityCertificateSignatureInvalid(()),
        securityCertificateMissing(()),
        securityCertificateIncomplete(()),
        securityUnsupportedCertificateAlgOID(()),
        securityUnknownCA(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum SecurityErrors2 {
        securityWrongSyncTime(()),
        securityReplay(()),
        securityWrongGeneralID(()),
        securityWrongSendersID(()),
        securityIntegrityFailed(()),
        securityWrongOID(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum SecurityServiceMode {
        nonStandard(NonStandardParameter),
        none(()),
        default(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ServiceControlDescriptor {
        #[rasn(size("0..=512"))]
        url(Ia5String),
        signal(H248SignalsDescriptor),
        nonStandard(NonStandardParameter),
        callCreditServiceControl(CallCreditServiceControl),
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ServiceControlIndicationCallSpecific {
        #[rasn(identifier = "callIdentifier")]
        pub call_identifier: CallIdentifier,
        #[rasn(identifier = "conferenceID")]
        pub conference_id: ConferenceIdentifier,
        #[rasn(identifier = "answeredCall")]
        pub answered_call: bool,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ServiceControlIndication {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "serviceControl")]
        pub service_control: SequenceOf<ServiceControlSession>,
        #[rasn(identifier = "endpointIdentifier")]
        pub endpoint_identifier: Option<EndpointIdentifier>,
        #[rasn(identifier = "callSpecific")]
        pub call_specific: Option<ServiceControlIndicationCallSpecific>,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ServiceControlResponseResult {
        started(()),
        failed(()),
        stopped(()),
        notAvailable(()),
        neededFeatureNotSupported(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ServiceControlResponse {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        pub result: Option<ServiceControlResponseResult>,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(identifier = "featureSet")]
        pub feature_set: Option<FeatureSet>,
        #[rasn(identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ServiceControlSessionReason {
        open(()),
        refresh(()),
        close(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ServiceControlSession {
        #[rasn(value("0..=255"), identifier = "sessionId")]
        pub session_id: u8,
        pub contents: Option<ServiceControlDescriptor>,
        pub reason: ServiceControlSessionReason,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum SetupUUIEConferenceGoal {
        create(()),
        join(()),
        invite(()),
        #[rasn(extension_addition, identifier = "capability-negotiation")]
        capability_negotiation(()),
        #[rasn(extension_addition)]
        callIndependentSupplementaryService(()),
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct SetupUUIEConnectionParameters {
        #[rasn(identifier = "connectionType")]
        pub connection_type: ScnConnectionType,
        #[rasn(value("0..=65535"), identifier = "numberOfScnConnections")]
        pub number_of_scn_connections: u16,
        #[rasn(identifier = "connectionAggregation")]
        pub connection_aggregation: ScnConnectionAggregation,
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "IA5String", size("1..=32"))]
    pub struct AnonymousSetupUUIELanguage(pub Ia5String);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct SetupUUIELanguage(pub SequenceOf<AnonymousSetupUUIELanguage>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "Setup-UUIE")]
    #[non_exhaustive]
    pub struct SetupUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "h245Address")]
        pub h245_address: Option<TransportAddress>,
        #[rasn(identifier = "sourceAddress")]
        pub source_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "sourceInfo")]
        pub source_info: EndpointType,
        #[rasn(identifier = "destinationAddress")]
        pub destination_address: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "destCallSignalAddress")]
        pub dest_call_signal_address: Option<TransportAddress>,
        #[rasn(identifier = "destExtraCallInfo")]
        pub dest_extra_call_info: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "destExtraCRV")]
        pub dest_extra_crv: Option<SequenceOf<CallReferenceValue>>,
        #[rasn(identifier = "activeMC")]
        pub active_mc: bool,
        #[rasn(identifier = "conferenceID")]
        pub conference_id: ConferenceIdentifier,
        #[rasn(identifier = "conferenceGoal")]
        pub conference_goal: SetupUUIEConferenceGoal,
        #[rasn(identifier = "callServices")]
        pub call_services: Option<QseriesOptions>,
        #[rasn(identifier = "callType")]
        pub call_type: CallType,
        #[rasn(extension_addition, identifier = "sourceCallSignalAddress")]
        pub source_call_signal_address: Option<TransportAddress>,
        #[rasn(extension_addition, identifier = "remoteExtensionAddress")]
        pub remote_extension_address: Option<AliasAddress>,
        #[rasn(extension_addition, identifier = "callIdentifier")]
        pub call_identifier: Option<CallIdentifier>,
        #[rasn(extension_addition, identifier = "h245SecurityCapability")]
        pub h245_security_capability: Option<SequenceOf<H245Security>>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "fastStart")]
        pub fast_start: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "mediaWaitForConnect")]
        pub media_wait_for_connect: Option<bool>,
        #[rasn(extension_addition, identifier = "canOverlapSend")]
        pub can_overlap_send: Option<bool>,
        #[rasn(extension_addition, identifier = "endpointIdentifier")]
        pub endpoint_identifier: Option<EndpointIdentifier>,
        #[rasn(extension_addition, identifier = "multipleCalls")]
        pub multiple_calls: Option<bool>,
        #[rasn(extension_addition, identifier = "maintainConnection")]
        pub maintain_connection: Option<bool>,
        #[rasn(extension_addition, identifier = "connectionParameters")]
        pub connection_parameters: Option<SetupUUIEConnectionParameters>,
        #[rasn(extension_addition)]
        pub language: Option<SetupUUIELanguage>,
        #[rasn(extension_addition, identifier = "presentationIndicator")]
        pub presentation_indicator: Option<PresentationIndicator>,
        #[rasn(extension_addition, identifier = "screeningIndicator")]
        pub screening_indicator: Option<ScreeningIndicator>,
        #[rasn(extension_addition, identifier = "serviceControl")]
        pub service_control: Option<SequenceOf<ServiceControlSession>>,
        #[rasn(extension_addition, identifier = "symmetricOperationRequired")]
        pub symmetric_operation_required: Option<()>,
        #[rasn(extension_addition)]
        pub capacity: Option<CallCapacity>,
        #[rasn(extension_addition, identifier = "circuitInfo")]
        pub circuit_info: Option<CircuitInfo>,
        #[rasn(extension_addition, identifier = "desiredProtocols")]
        pub desired_protocols: Option<SequenceOf<SupportedProtocols>>,
        #[rasn(extension_addition, identifier = "neededFeatures")]
        pub needed_features: Option<SequenceOf<FeatureDescriptor>>,
        #[rasn(extension_addition, identifier = "desiredFeatures")]
        pub desired_features: Option<SequenceOf<FeatureDescriptor>>,
        #[rasn(extension_addition, identifier = "supportedFeatures")]
        pub supported_features: Option<SequenceOf<FeatureDescriptor>>,
        #[rasn(extension_addition, identifier = "parallelH245Control")]
        pub parallel_h245_control: Option<SequenceOf<OctetString>>,
        #[rasn(extension_addition, identifier = "additionalSourceAddresses")]
        pub additional_source_addresses: Option<SequenceOf<ExtendedAliasAddress>>,
        #[rasn(extension_addition, value("1..=31"), identifier = "hopCount")]
        pub hop_count: Option<u8>,
        #[rasn(extension_addition, identifier = "displayName")]
        pub display_name: Option<SequenceOf<DisplayName>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "SetupAcknowledge-UUIE")]
    #[non_exhaustive]
    pub struct SetupAcknowledgeUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "callIdentifier")]
        pub call_identifier: CallIdentifier,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "Status-UUIE")]
    #[non_exhaustive]
    pub struct StatusUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "callIdentifier")]
        pub call_identifier: CallIdentifier,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags, identifier = "StatusInquiry-UUIE")]
    #[non_exhaustive]
    pub struct StatusInquiryUUIE {
        #[rasn(identifier = "protocolIdentifier")]
        pub protocol_identifier: ProtocolIdentifier,
        #[rasn(identifier = "callIdentifier")]
        pub call_identifier: CallIdentifier,
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct StimulusControl {
        #[rasn(identifier = "nonStandard")]
        pub non_standard: Option<NonStandardParameter>,
        #[rasn(identifier = "isText")]
        pub is_text: Option<()>,
        #[rasn(identifier = "h248Message")]
        pub h248_message: Option<OctetString>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct SupportedPrefix {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        pub prefix: AliasAddress,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum SupportedProtocols {
        nonStandardData(NonStandardParameter),
        h310(H310Caps),
        h320(H320Caps),
        h321(H321Caps),
        h322(H322Caps),
        h323(H323Caps),
        h324(H324Caps),
        voice(VoiceCaps),
        #[rasn(identifier = "t120-only")]
        t120_only(T120OnlyCaps),
        #[rasn(extension_addition)]
        nonStandardProtocol(NonStandardProtocol),
        #[rasn(extension_addition)]
        t38FaxAnnexbOnly(T38FaxAnnexbOnlyCaps),
        #[rasn(extension_addition)]
        sip(SIPCaps),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct T120OnlyCaps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct T38FaxAnnexbOnlyCaps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(identifier = "supportedPrefixes")]
        pub supported_prefixes: SequenceOf<SupportedPrefix>,
        #[rasn(identifier = "t38FaxProtocol")]
        pub t38_fax_protocol: DataProtocolCapability,
        #[rasn(identifier = "t38FaxProfile")]
        pub t38_fax_profile: T38FaxProfile,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(
        delegate,
        identifier = "TBCD-STRING",
        from(
            "\u{23}", "\u{2a}", "\u{30}", "\u{31}", "\u{32}", "\u{33}", "\u{34}", "\u{35}",
            "\u{36}", "\u{37}", "\u{38}", "\u{39}", "\u{61}", "\u{62}", "\u{63}"
        )
    )]
    pub struct TBCDSTRING(pub Ia5String);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct TerminalInfo {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
    }
    #[doc = " shall be set to"]
    #[doc = " {itu-t (0) recommendation (0) h (8) 2250 version (0) 8}"]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, value("1..=4294967295"))]
    pub struct TimeToLive(pub u32);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct TransportAddressIpAddress {
        #[rasn(size("4"))]
        pub ip: OctetString,
        #[rasn(value("0..=65535"))]
        pub port: u16,
    }
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "OCTET_STRING")]
    pub struct AnonymousTransportAddressIpSourceRouteRoute(pub FixedOctetString<4usize>);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct TransportAddressIpSourceRouteRoute(
        pub SequenceOf<AnonymousTransportAddressIpSourceRouteRoute>,
    );
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum TransportAddressIpSourceRouteRouting {
        strict(()),
        loose(()),
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct TransportAddressIpSourceRoute {
        #[rasn(size("4"))]
        pub ip: OctetString,
        #[rasn(value("0..=65535"))]
        pub port: u16,
        pub route: TransportAddressIpSourceRouteRoute,
        pub routing: TransportAddressIpSourceRouteRouting,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct TransportAddressIpxAddress {
        #[rasn(size("6"))]
        pub node: OctetString,
        #[rasn(size("4"))]
        pub netnum: OctetString,
        #[rasn(size("2"))]
        pub port: OctetString,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct TransportAddressIp6Address {
        #[rasn(size("16"))]
        pub ip: OctetString,
        #[rasn(value("0..=65535"))]
        pub port: u16,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum TransportAddress {
        ipAddress(TransportAddressIpAddress),
        ipSourceRoute(TransportAddressIpSourceRoute),
        ipxAddress(TransportAddressIpxAddress),
        ip6Address(TransportAddressIp6Address),
        #[rasn(size("16"))]
        netBios(OctetString),
        #[rasn(size("1..=20"))]
        nsap(OctetString),
        nonStandardAddress(NonStandardParameter),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct TransportChannelInfo {
        #[rasn(identifier = "sendAddress")]
        pub send_address: Option<TransportAddress>,
        #[rasn(identifier = "recvAddress")]
        pub recv_address: Option<TransportAddress>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum TransportQOS {
        endpointControlled(()),
        gatekeeperControlled(()),
        noControl(()),
        #[rasn(extension_addition, size("1..=256"))]
        qOSCapabilities(SequenceOf<QOSCapability>),
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum TunnelledProtocolId {
        tunnelledProtocolObjectID(ObjectIdentifier),
        tunnelledProtocolAlternateID(TunnelledProtocolAlternateIdentifier),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct TunnelledProtocol {
        pub id: TunnelledProtocolId,
        #[rasn(size("1..=64"), identifier = "subIdentifier")]
        pub sub_identifier: Option<Ia5String>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct TunnelledProtocolAlternateIdentifier {
        #[rasn(size("1..=64"), identifier = "protocolType")]
        pub protocol_type: Ia5String,
        #[rasn(size("1..=64"), identifier = "protocolVariant")]
        pub protocol_variant: Option<Ia5String>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct UUIEsRequested {
        pub setup: bool,
        #[rasn(identifier = "callProceeding")]
        pub call_proceeding: bool,
        pub connect: bool,
        pub alerting: bool,
        pub information: bool,
        #[rasn(identifier = "releaseComplete")]
        pub release_complete: bool,
        pub facility: bool,
        pub progress: bool,
        pub empty: bool,
        #[rasn(extension_addition)]
        pub status: Option<bool>,
        #[rasn(extension_addition, identifier = "statusInquiry")]
        pub status_inquiry: Option<bool>,
        #[rasn(extension_addition, identifier = "setupAcknowledge")]
        pub setup_acknowledge: Option<bool>,
        #[rasn(extension_addition)]
        pub notify: Option<bool>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct UnknownMessageResponse {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "messageNotUnderstood")]
        pub message_not_understood: Option<OctetString>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum UnregRejectReason {
        notCurrentlyRegistered(()),
        callInProgress(()),
        undefinedReason(()),
        #[rasn(extension_addition)]
        permissionDenied(()),
        #[rasn(extension_addition)]
        securityDenial(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors2),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum UnregRequestReason {
        reregistrationRequired(()),
        ttlExpired(()),
        securityDenial(()),
        undefinedReason(()),
        #[rasn(extension_addition)]
        maintenance(()),
        #[rasn(extension_addition)]
        securityError(SecurityErrors2),
        #[rasn(extension_addition)]
        registerWithAssignedGK(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct UnregistrationConfirm {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct UnregistrationReject {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "rejectReason")]
        pub reject_reason: UnregRejectReason,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "altGKInfo")]
        pub alt_gkinfo: Option<AltGKInfo>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct UnregistrationRequest {
        #[rasn(identifier = "requestSeqNum")]
        pub request_seq_num: RequestSeqNum,
        #[rasn(identifier = "callSignalAddress")]
        pub call_signal_address: SequenceOf<TransportAddress>,
        #[rasn(identifier = "endpointAlias")]
        pub endpoint_alias: Option<SequenceOf<AliasAddress>>,
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(identifier = "endpointIdentifier")]
        pub endpoint_identifier: Option<EndpointIdentifier>,
        #[rasn(extension_addition, identifier = "alternateEndpoints")]
        pub alternate_endpoints: Option<SequenceOf<Endpoint>>,
        #[rasn(extension_addition, identifier = "gatekeeperIdentifier")]
        pub gatekeeper_identifier: Option<GatekeeperIdentifier>,
        #[rasn(extension_addition)]
        pub tokens: Option<SequenceOf<ClearToken>>,
        #[rasn(extension_addition, identifier = "cryptoTokens")]
        pub crypto_tokens: Option<SequenceOf<CryptoH323Token>>,
        #[rasn(extension_addition, identifier = "integrityCheckValue")]
        pub integrity_check_value: Option<ICV>,
        #[rasn(extension_addition)]
        pub reason: Option<UnregRequestReason>,
        #[rasn(extension_addition, identifier = "endpointAliasPattern")]
        pub endpoint_alias_pattern: Option<SequenceOf<AddressPattern>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
        #[rasn(extension_addition, identifier = "alternateGatekeeper")]
        pub alternate_gatekeeper: Option<SequenceOf<AlternateGK>>,
        #[rasn(extension_addition, identifier = "genericData")]
        pub generic_data: Option<SequenceOf<GenericData>>,
        #[rasn(extension_addition, identifier = "assignedGatekeeper")]
        pub assigned_gatekeeper: Option<AlternateGK>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum UseSpecifiedTransport {
        tcp(()),
        annexE(()),
        #[rasn(extension_addition)]
        sctp(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct VendorIdentifier {
        pub vendor: H221NonStandard,
        #[rasn(size("1..=256"), identifier = "productId")]
        pub product_id: Option<OctetString>,
        #[rasn(size("1..=256"), identifier = "versionId")]
        pub version_id: Option<OctetString>,
        #[rasn(extension_addition, identifier = "enterpriseNumber")]
        pub enterprise_number: Option<ObjectIdentifier>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct VoiceCaps {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<NonStandardParameter>,
        #[rasn(extension_addition, identifier = "dataRatesSupported")]
        pub data_rates_supported: Option<SequenceOf<DataRate>>,
        #[rasn(extension_addition, identifier = "supportedPrefixes")]
        pub supported_prefixes: Option<SequenceOf<SupportedPrefix>>,
    }
}
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    unused,
    clippy::too_many_arguments
)]
pub mod multimedia_system_control {
    extern crate alloc;
    use core::borrow::Borrow;
    use rasn::prelude::*;
    use std::sync::LazyLock;
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ATMParameters {
        #[rasn(value("0..=65535"), identifier = "maxNTUSize")]
        pub max_ntusize: u16,
        #[rasn(identifier = "atmUBR")]
        pub atm_ubr: bool,
        #[rasn(identifier = "atmrtVBR")]
        pub atmrt_vbr: bool,
        #[rasn(identifier = "atmnrtVBR")]
        pub atmnrt_vbr: bool,
        #[rasn(identifier = "atmABR")]
        pub atm_abr: bool,
        #[rasn(identifier = "atmCBR")]
        pub atm_cbr: bool,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct AuthorizationParameters {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<H245NonStandardParameter>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum CapabilityIdentifier {
        standard(ObjectIdentifier),
        h221NonStandard(H245NonStandardParameter),
        #[rasn(size("16"))]
        uuid(OctetString),
        #[rasn(size("1..=64"))]
        domainBased(Ia5String),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum CompressionType {
        v42bis(V42bis),
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum DataProtocolCapabilityV76wCompression {
        transmitCompression(CompressionType),
        receiveCompression(CompressionType),
        transmitAndReceiveCompression(CompressionType),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum DataProtocolCapability {
        nonStandard(H245NonStandardParameter),
        v14buffered(()),
        v42lapm(()),
        hdlcFrameTunnelling(()),
        h310SeparateVCStack(()),
        h310SingleVCStack(()),
        transparent(()),
        #[rasn(extension_addition)]
        segmentationAndReassembly(()),
        #[rasn(extension_addition)]
        hdlcFrameTunnelingwSAR(()),
        #[rasn(extension_addition)]
        v120(()),
        #[rasn(extension_addition)]
        separateLANStack(()),
        #[rasn(extension_addition)]
        v76wCompression(DataProtocolCapabilityV76wCompression),
        #[rasn(extension_addition)]
        tcp(()),
        #[rasn(extension_addition)]
        udp(()),
        #[rasn(extension_addition)]
        sctp(SctpParam),
        #[rasn(extension_addition, identifier = "udp-dtls-sctp")]
        udp_dtls_sctp(SequenceOf<SctpParam>),
        #[rasn(extension_addition, identifier = "tcp-dtls-sctp")]
        tcp_dtls_sctp(SequenceOf<SctpParam>),
        #[rasn(extension_addition, identifier = "sctp-dtls")]
        sctp_dtls(SctpParam),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct GenericInformation(pub GenericMessage);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GenericMessage {
        #[rasn(identifier = "messageIdentifier")]
        pub message_identifier: CapabilityIdentifier,
        #[rasn(value("0..=127"), identifier = "subMessageIdentifier")]
        pub sub_message_identifier: Option<u8>,
        #[rasn(identifier = "messageContent")]
        pub message_content: Option<SequenceOf<GenericParameter>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GenericParameter {
        #[rasn(identifier = "parameterIdentifier")]
        pub parameter_identifier: ParameterIdentifier,
        #[rasn(identifier = "parameterValue")]
        pub parameter_value: ParameterValue,
        pub supersedes: Option<SequenceOf<ParameterIdentifier>>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct GenericTransportParameters {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<H245NonStandardParameter>,
        #[rasn(value("1..=4294967295"), identifier = "averageRate")]
        pub average_rate: Option<u32>,
        #[rasn(value("1..=4294967295"))]
        pub burst: Option<u32>,
        #[rasn(value("1..=4294967295"), identifier = "peakRate")]
        pub peak_rate: Option<u32>,
        #[rasn(value("1..=4294967295"), identifier = "maxPktSize")]
        pub max_pkt_size: Option<u32>,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct H245NonStandardIdentifierH221NonStandard {
        #[rasn(value("0..=255"), identifier = "t35CountryCode")]
        pub t35_country_code: u8,
        #[rasn(value("0..=255"), identifier = "t35Extension")]
        pub t35_extension: u8,
        #[rasn(value("0..=65535"), identifier = "manufacturerCode")]
        pub manufacturer_code: u16,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    pub enum H245NonStandardIdentifier {
        object(ObjectIdentifier),
        h221NonStandard(H245NonStandardIdentifierH221NonStandard),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct H245NonStandardParameter {
        #[rasn(identifier = "nonStandardIdentifier")]
        pub non_standard_identifier: H245NonStandardIdentifier,
        pub data: OctetString,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ParameterIdentifier {
        #[rasn(value("0..=127"))]
        standard(u8),
        h221NonStandard(H245NonStandardParameter),
        #[rasn(size("16"))]
        uuid(OctetString),
        #[rasn(size("1..=64"))]
        domainBased(Ia5String),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum ParameterValue {
        logical(()),
        #[rasn(value("0..=255"))]
        booleanArray(u8),
        #[rasn(value("0..=65535"))]
        unsignedMin(u16),
        #[rasn(value("0..=65535"))]
        unsignedMax(u16),
        #[rasn(value("0..=4294967295"))]
        unsigned32Min(u32),
        #[rasn(value("0..=4294967295"))]
        unsigned32Max(u32),
        octetString(OctetString),
        genericParameter(SequenceOf<GenericParameter>),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct QOSCapability {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<H245NonStandardParameter>,
        #[rasn(identifier = "rsvpParameters")]
        pub rsvp_parameters: Option<RSVPParameters>,
        #[rasn(identifier = "atmParameters")]
        pub atm_parameters: Option<ATMParameters>,
        #[rasn(extension_addition, identifier = "localQoS")]
        pub local_qo_s: Option<bool>,
        #[rasn(extension_addition, identifier = "genericTransportParameters")]
        pub generic_transport_parameters: Option<GenericTransportParameters>,
        #[rasn(extension_addition, identifier = "servicePriority")]
        pub service_priority: Option<ServicePriority>,
        #[rasn(extension_addition, identifier = "authorizationParameter")]
        pub authorization_parameter: Option<AuthorizationParameters>,
        #[rasn(extension_addition, identifier = "qosDescriptor")]
        pub qos_descriptor: Option<QOSDescriptor>,
        #[rasn(extension_addition, value("0..=63"), identifier = "dscpValue")]
        pub dscp_value: Option<u8>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum QOSClass {
        class0(()),
        class1(()),
        class2(()),
        class3(()),
        class4(()),
        class5(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct QOSDescriptor {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<H245NonStandardParameter>,
        #[rasn(identifier = "qosType")]
        pub qos_type: QOSType,
        #[rasn(identifier = "qosClass")]
        pub qos_class: QOSClass,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum QOSMode {
        guaranteedQOS(()),
        controlledLoad(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum QOSType {
        desired(()),
        required(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct RSVPParameters {
        #[rasn(identifier = "qosMode")]
        pub qos_mode: Option<QOSMode>,
        #[rasn(value("1..=4294967295"), identifier = "tokenRate")]
        pub token_rate: Option<u32>,
        #[rasn(value("1..=4294967295"), identifier = "bucketSize")]
        pub bucket_size: Option<u32>,
        #[rasn(value("1..=4294967295"), identifier = "peakRate")]
        pub peak_rate: Option<u32>,
        #[rasn(value("1..=4294967295"), identifier = "minPoliced")]
        pub min_policed: Option<u32>,
        #[rasn(value("1..=4294967295"), identifier = "maxPktSize")]
        pub max_pkt_size: Option<u32>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, value("0..=255"))]
    pub struct SCTPChunkType(pub u8);
    #[doc = " Anonymous SEQUENCE OF member "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate, identifier = "INTEGER", value("1..=4294967295"))]
    pub struct AnonymousSctpParamAppPPID(pub u32);
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(delegate)]
    pub struct SctpParamAppPPID(pub SequenceOf<AnonymousSctpParamAppPPID>);
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct SctpParam {
        #[rasn(identifier = "appPPID")]
        pub app_ppid: Option<SctpParamAppPPID>,
        #[rasn(identifier = "maxMessageSize")]
        pub max_message_size: Option<Integer>,
        #[rasn(identifier = "sctpExtensions")]
        pub sctp_extensions: Option<SequenceOf<SCTPChunkType>>,
        #[rasn(identifier = "genericInformation")]
        pub generic_information: Option<SequenceOf<GenericInformation>>,
        #[rasn(value("0..=65535"), identifier = "sctpPort")]
        pub sctp_port: Option<u16>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ServicePriority {
        #[rasn(identifier = "nonStandardData")]
        pub non_standard_data: Option<H245NonStandardParameter>,
        #[rasn(identifier = "servicePrioritySignalled")]
        pub service_priority_signalled: bool,
        #[rasn(identifier = "servicePriorityValue")]
        pub service_priority_value: Option<ServicePriorityValue>,
        #[rasn(extension_addition, value("0..=4095"), identifier = "serviceClass")]
        pub service_class: Option<u16>,
        #[rasn(extension_addition, value("0..=255"), identifier = "serviceSubclass")]
        pub service_subclass: Option<u8>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct ServicePriorityValue {
        #[rasn(identifier = "nonStandardParameter")]
        pub non_standard_parameter: Option<H245NonStandardParameter>,
        #[rasn(extension_addition, value("0..=255"))]
        pub value: Option<u8>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct T38FaxProfile {
        #[rasn(identifier = "fillBitRemoval")]
        pub fill_bit_removal: bool,
        #[rasn(identifier = "transcodingJBIG")]
        pub transcoding_jbig: bool,
        #[rasn(identifier = "transcodingMMR")]
        pub transcoding_mmr: bool,
        #[rasn(extension_addition, value("0..=255"))]
        pub version: Option<u8>,
        #[rasn(extension_addition, identifier = "t38FaxRateManagement")]
        pub t38_fax_rate_management: Option<T38FaxRateManagement>,
        #[rasn(extension_addition, identifier = "t38FaxUdpOptions")]
        pub t38_fax_udp_options: Option<T38FaxUdpOptions>,
        #[rasn(extension_addition, identifier = "t38FaxTcpOptions")]
        pub t38_fax_tcp_options: Option<T38FaxTcpOptions>,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum T38FaxRateManagement {
        localTCF(()),
        transferredTCF(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct T38FaxTcpOptions {
        #[rasn(identifier = "t38TCPBidirectionalMode")]
        pub t38_tcpbidirectional_mode: bool,
    }
    #[doc = " Inner type "]
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(choice, automatic_tags)]
    #[non_exhaustive]
    pub enum T38FaxUdpOptionsT38FaxUdpEC {
        t38UDPFEC(()),
        t38UDPRedundancy(()),
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    pub struct T38FaxUdpOptions {
        #[rasn(identifier = "t38FaxMaxBuffer")]
        pub t38_fax_max_buffer: Option<Integer>,
        #[rasn(identifier = "t38FaxMaxDatagram")]
        pub t38_fax_max_datagram: Option<Integer>,
        #[rasn(identifier = "t38FaxUdpEC")]
        pub t38_fax_udp_ec: T38FaxUdpOptionsT38FaxUdpEC,
    }
    #[derive(AsnType, Debug, Clone, Decode, Encode, PartialEq, Eq, Hash)]
    #[rasn(automatic_tags)]
    #[non_exhaustive]
    pub struct V42bis {
        #[rasn(value("1..=65536"), identifier = "numberOfCodewords")]
        pub number_of_codewords: u32,
        #[rasn(value("1..=256"), identifier = "maximumStringLength")]
        pub maximum_string_length: u16,
    }
}
