//! The echo service's certificates: a private CA and a leaf certificate it signed, made with
//! rcgen at first start and kept as PEM files so the gateway (and an operator's own tools)
//! keep trusting the same CA across restarts.
//!
//! Files in the certificate directory:
//! - `echo-ca.pem`: the CA certificate, the one thing a client must trust;
//! - `echo-cert.pem`: the leaf for `localhost`, `127.0.0.1` and `::1` (DNS and IP SANs, so a
//!   client may verify either the name or the address), followed by the CA certificate;
//! - `echo-key.pem`: the leaf's private key, mode 0600.
//!
//! The CA's private key is never written: once the leaf is signed nothing else can be, so a
//! leaked data directory cannot be used to mint certificates the gateway would trust.
//!
//! Either all three files are present and are used as they are, or any of them is missing
//! and all three are made afresh. A file that is present but unreadable is an error rather
//! than a reason to overwrite it: it may be an operator's replacement.

use std::io::Write;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls_pki_types::CertificateDer;

use super::EchoError;
use crate::transport::tls::load_certs;

pub const CA_FILE: &str = "echo-ca.pem";
pub const CERT_FILE: &str = "echo-cert.pem";
pub const KEY_FILE: &str = "echo-key.pem";

/// The names the leaf certificate is valid for. The echo service is in-process, so only the
/// loopback names matter; a client can verify `localhost` or the address it dialled.
pub const SUBJECT_ALT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Paths and the CA of a ready certificate directory.
#[derive(Debug, Clone)]
pub struct EchoPki {
    pub ca_pem_path: PathBuf,
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    pub ca_der: CertificateDer<'static>,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> EchoError + '_ {
    move |source| EchoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Loads the certificates in `dir`, making them first when any file is missing.
pub fn load_or_create(dir: &Path) -> Result<EchoPki, EchoError> {
    let ca_pem_path = dir.join(CA_FILE);
    let cert_path = dir.join(CERT_FILE);
    let key_path = dir.join(KEY_FILE);
    let present = [&ca_pem_path, &cert_path, &key_path]
        .iter()
        .all(|p| p.is_file());
    if present {
        tracing::debug!(dir = %dir.display(), "echo service: reusing certificates");
    } else {
        create_dir(dir)?;
        let (ca_pem, cert_pem, key_pem) = generate()?;
        // Key first, CA last: a crash in between leaves the CA missing, and the next start
        // makes all three again instead of pairing a new leaf with an old CA.
        write_atomic(&key_path, key_pem.as_bytes(), true)?;
        write_atomic(&cert_path, cert_pem.as_bytes(), false)?;
        write_atomic(&ca_pem_path, ca_pem.as_bytes(), false)?;
        tracing::info!(dir = %dir.display(), "echo service: made a new CA and certificate");
    }
    let ca_der = load_certs(&ca_pem_path)?
        .into_iter()
        .next()
        .ok_or_else(|| EchoError::Config("the echo CA file holds no certificate"))?;
    Ok(EchoPki {
        ca_pem_path,
        cert_path,
        key_path,
        ca_der,
    })
}

fn create_dir(dir: &Path) -> Result<(), EchoError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_err(dir))
}

/// (CA PEM, leaf chain PEM, leaf key PEM).
fn generate() -> Result<(String, String, String), EchoError> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Roomgate echo service CA");
    let ca = ca_params.self_signed(&ca_key)?;

    let key = KeyPair::generate()?;
    let names: Vec<String> = SUBJECT_ALT_NAMES.iter().map(|n| (*n).to_owned()).collect();
    let mut params = CertificateParams::new(names)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let leaf = params.signed_by(&key, &ca, &ca_key)?;
    let chain = format!("{}{}", leaf.pem(), ca.pem());
    Ok((ca.pem(), chain, key.serialize_pem()))
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file; a
/// `private` file is created with mode 0600 before any byte is written.
fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<(), EchoError> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_then_reuses() {
        let dir = std::env::temp_dir().join(format!(
            "roomgate-echo-cert-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let first = load_or_create(&dir).unwrap();
        let second = load_or_create(&dir).unwrap();
        assert_eq!(first.ca_der, second.ca_der);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first.key_path)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A missing file means all three are made again.
        std::fs::remove_file(&first.cert_path).unwrap();
        let third = load_or_create(&dir).unwrap();
        assert_ne!(first.ca_der, third.ca_der);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
