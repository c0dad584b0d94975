//! SIP over TLS in `roomgate serve`, with a CA and a server certificate made at test time
//! (rcgen): a client trusting that CA gets its OPTIONS and INVITE answered; a client that does
//! not trust it fails the handshake; a connection that never says ClientHello is closed after
//! `handshake_timeout_s`; TLS 1.0 and 1.1 are refused while 1.2 and 1.3 work (openssl).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{
    header, read_message, request, status_of, unique, wait_for_close, ChildGuard, ServeOptions,
    Server, StreamEnd, TempDir,
};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// A private CA and a server certificate for localhost / 127.0.0.1 it signed, as PEM files.
struct Pki {
    ca: CertificateDer<'static>,
    ca_pem: PathBuf,
    cert_pem: PathBuf,
    key_pem: PathBuf,
    _dir: TempDir,
}

fn make_ca(name: &str) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.distinguished_name.push(DnType::CommonName, name);
    (params.self_signed(&key).unwrap(), key)
}

fn make_pki() -> Pki {
    let dir = TempDir::new("pki");
    let (ca, ca_key) = make_ca("Roomgate test CA");
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    let (ca_pem, cert_pem, key_pem) = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&ca_pem, ca.pem()).unwrap();
    std::fs::write(&cert_pem, cert.pem()).unwrap();
    std::fs::write(&key_pem, key.serialize_pem()).unwrap();
    Pki {
        ca: ca.der().clone(),
        ca_pem,
        cert_pem,
        key_pem,
        _dir: dir,
    }
}

fn tls_server(pki: &Pki, limits: &str) -> Server {
    Server::start_with(ServeOptions {
        limits: limits.to_owned(),
        tls: Some((pki.cert_pem.clone(), pki.key_pem.clone())),
        ..ServeOptions::default()
    })
}

fn client_config(trusted: &CertificateDer<'static>) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    Arc::new(
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// Connects and completes the handshake (bounded by socket timeouts).
fn tls_connect(
    addr: SocketAddr,
    config: Arc<ClientConfig>,
    name: &str,
) -> std::io::Result<TlsStream> {
    let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
    tcp.set_write_timeout(Some(Duration::from_secs(5)))?;
    let name = ServerName::try_from(name.to_owned()).unwrap();
    let conn = ClientConnection::new(config, name).unwrap();
    let mut stream = StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock)?;
    }
    Ok(stream)
}

fn transact(stream: &mut TlsStream, method: &str) -> String {
    let local = stream.sock.local_addr().unwrap();
    let peer = stream.sock.peer_addr().unwrap();
    let id = unique("tls");
    let req = request(method, "TLS", local, peer, &id, &id, 1, "");
    stream.write_all(req.as_bytes()).unwrap();
    stream.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let resp = read_message(stream, deadline)
            .unwrap_or_else(|| panic!("no answer to {method} over TLS"));
        assert_eq!(header(&resp, "Call-ID"), Some(id.as_str()), "{resp}");
        if status_of(&resp).is_some_and(|s| s >= 200) {
            return resp;
        }
    }
}

#[test]
fn trusted_client_gets_options_and_invite_answered_over_tls() {
    let pki = make_pki();
    let server = tls_server(&pki, "");
    let tls = server.tls.unwrap();
    for name in ["localhost", "127.0.0.1"] {
        let mut stream = tls_connect(tls, client_config(&pki.ca), name)
            .unwrap_or_else(|e| panic!("handshake as {name}: {e}\n{}", server.log()));
        let ok = transact(&mut stream, "OPTIONS");
        assert_eq!(status_of(&ok), Some(200), "{ok}");
        assert!(
            header(&ok, "Allow").is_some_and(|a| a.contains("INVITE")),
            "{ok}"
        );
        assert!(
            header(&ok, "Via").is_some_and(|v| v.starts_with("SIP/2.0/TLS ")),
            "{ok}"
        );
        // A second request on the same connection: the stream stays usable.
        let nf = transact(&mut stream, "INVITE");
        assert_eq!(status_of(&nf), Some(404), "{nf}");
    }
}

#[test]
fn client_not_trusting_the_ca_fails_the_handshake() {
    let pki = make_pki();
    let server = tls_server(&pki, "");
    let tls = server.tls.unwrap();
    let (other_ca, _) = make_ca("Some other CA");
    let Err(err) = tls_connect(tls, client_config(other_ca.der()), "localhost") else {
        panic!("handshake succeeded with an untrusted issuer");
    };
    assert!(
        err.to_string().contains("UnknownIssuer"),
        "unexpected error: {err}"
    );
    // The failed handshake did not hurt the listener.
    let mut stream = tls_connect(tls, client_config(&pki.ca), "localhost").unwrap();
    assert_eq!(status_of(&transact(&mut stream, "OPTIONS")), Some(200));
}

#[test]
fn silent_connection_to_tls_port_is_closed_after_handshake_timeout() {
    let pki = make_pki();
    let server = tls_server(&pki, "handshake_timeout_s = 1");
    let mut tcp = TcpStream::connect(server.tls.unwrap()).unwrap();
    match wait_for_close(&mut tcp, Duration::from_secs(4)) {
        StreamEnd::Closed(after) => assert!(
            after >= Duration::from_millis(800),
            "closed after {after:?}, before the 1 s handshake timeout"
        ),
        StreamEnd::StillOpen => panic!("silent TLS connection still open after 4 s"),
    }
}

/// `openssl s_client` pinned to one protocol version; returns (success, output).
fn s_client(pki: &Pki, addr: SocketAddr, version: &str) -> (bool, String) {
    let dir = TempDir::new("openssl");
    let out = dir.join("out.txt");
    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-brief", "-connect"])
        .arg(addr.to_string())
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .args(["-verify_return_error", "-CAfile"])
        .arg(&pki.ca_pem)
        // Let the client offer the old versions at all (OpenSSL 3 disables them by default).
        .args([version, "-cipher", "DEFAULT@SECLEVEL=0"])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(dir.join("err.txt")).unwrap());
    let mut child = ChildGuard::spawn("openssl s_client", &mut cmd);
    let status = child
        .wait_timeout(Duration::from_secs(10))
        .expect("openssl s_client did not finish within 10 s");
    let text = std::fs::read_to_string(&out).unwrap_or_default()
        + &std::fs::read_to_string(dir.join("err.txt")).unwrap_or_default();
    (status.success(), text)
}

#[test]
fn only_tls_1_2_and_1_3_are_accepted() {
    let pki = make_pki();
    let server = tls_server(&pki, "");
    let tls = server.tls.unwrap();
    for (flag, name) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        let (ok, out) = s_client(&pki, tls, flag);
        assert!(ok, "{flag} refused:\n{out}");
        assert!(
            out.contains(&format!("Protocol version: {name}")),
            "{flag}:\n{out}"
        );
        assert!(out.contains("Verification: OK"), "{flag}:\n{out}");
    }
    for flag in ["-tls1", "-tls1_1"] {
        let (ok, out) = s_client(&pki, tls, flag);
        assert!(!ok, "{flag} accepted:\n{out}");
        // The server refused with an alert: the client really offered the old version.
        assert!(out.contains("SSL alert number"), "{flag}:\n{out}");
    }
}
