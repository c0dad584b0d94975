//! Vectors from RFC 7616 §3.9.1 and RFC 2617 §3.5, and client↔server round trips.

use super::*;
use crate::headers::AuthValue;

const RFC7616_REALM: &str = "http-auth@example.org";
const RFC7616_NONCE: &str = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
const RFC7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
const RFC7616_OPAQUE: &str = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
const RFC7616_MD5: &str = "8ca523f5e9506fed4657c9700eebdbec";
const RFC7616_SHA256: &str = "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1";
const GET_INDEX: DigestRequest<'static> = DigestRequest {
    method: "GET",
    uri: "/dir/index.html",
    body: b"",
};

fn rfc7616_challenge(alg: &str) -> String {
    format!(
        r#"Digest realm="{RFC7616_REALM}", qop="auth, auth-int", algorithm={alg}, nonce="{RFC7616_NONCE}", opaque="{RFC7616_OPAQUE}""#
    )
}

fn mufasa(user: &str, _realm: &str, _alg: Algorithm) -> Option<StoredSecret> {
    (user == "Mufasa").then(|| StoredSecret::Password(Password::from("Circle of Life")))
}

fn client_for(challenge: &str) -> DigestClient {
    DigestClient::new(Challenge::parse(&AuthValue::parse(challenge).unwrap()).unwrap())
}

#[test]
fn rfc7616_client_sha256_exact_header() {
    let mut client = client_for(&rfc7616_challenge("SHA-256"));
    let creds = Credentials::new("Mufasa", "Circle of Life");
    let value = client
        .authorization_with_cnonce(&creds, &GET_INDEX, RFC7616_CNONCE)
        .unwrap();
    assert_eq!(
        value,
        format!(
            r#"Digest username="Mufasa", realm="{RFC7616_REALM}", uri="/dir/index.html", algorithm=SHA-256, nonce="{RFC7616_NONCE}", nc=00000001, cnonce="{RFC7616_CNONCE}", qop=auth, response="{RFC7616_SHA256}", opaque="{RFC7616_OPAQUE}""#
        )
    );
    assert_eq!(client.nonce_count(), 1);
}

#[test]
fn rfc7616_client_md5() {
    let mut client = client_for(&rfc7616_challenge("MD5"));
    let creds = Credentials::new("Mufasa", "Circle of Life");
    let value = client
        .authorization_with_cnonce(&creds, &GET_INDEX, RFC7616_CNONCE)
        .unwrap();
    let parsed = AuthValue::parse(&value).unwrap();
    assert_eq!(parsed.param("response").unwrap(), RFC7616_MD5);
    assert_eq!(parsed.param("nc").unwrap(), "00000001");
    assert!(value.contains(", algorithm=MD5, ") && value.contains(", qop=auth, "));
    // The next request on the same nonce counts up.
    let next = client
        .authorization_with_cnonce(&creds, &GET_INDEX, RFC7616_CNONCE)
        .unwrap();
    assert!(next.contains("nc=00000002"));
}

fn rfc7616_credentials(alg: &str, response: &str) -> DigestResponse {
    let text = format!(
        r#"Digest username="Mufasa", realm="{RFC7616_REALM}", uri="/dir/index.html", algorithm={alg}, nonce="{RFC7616_NONCE}", nc=00000001, cnonce="{RFC7616_CNONCE}", qop=auth, response="{response}", opaque="{RFC7616_OPAQUE}""#
    );
    DigestResponse::parse(&AuthValue::parse(&text).unwrap()).unwrap()
}

fn rfc7616_server() -> DigestServer {
    DigestServer::new(
        ServerConfig::new(RFC7616_REALM),
        NonceSecret::new(&[1; 32]).unwrap(),
    )
}

#[test]
fn rfc7616_server_verifies_both_vectors() {
    let server = rfc7616_server();
    let ok = Verification::Ok {
        username: "Mufasa".into(),
    };
    let sha = rfc7616_credentials("SHA-256", RFC7616_SHA256);
    let md5 = rfc7616_credentials("MD5", RFC7616_MD5);
    assert_eq!(server.check_response(&sha, &GET_INDEX, &mufasa), ok);
    assert_eq!(server.check_response(&md5, &GET_INDEX, &mufasa), ok);
    // A store holding HA1 instead of the password.
    let ha1_store = |_: &str, realm: &str, alg: Algorithm| {
        Some(StoredSecret::Ha1(Ha1::compute(
            alg,
            "Mufasa",
            realm,
            "Circle of Life",
        )))
    };
    assert_eq!(server.check_response(&sha, &GET_INDEX, &ha1_store), ok);
    assert_eq!(server.check_response(&md5, &GET_INDEX, &ha1_store), ok);
    // Uppercase hex from the peer is fine; the MD5 response under SHA-256 is not.
    let upper = rfc7616_credentials("MD5", &RFC7616_MD5.to_uppercase());
    assert_eq!(server.check_response(&upper, &GET_INDEX, &mufasa), ok);
    let swapped = rfc7616_credentials("SHA-256", RFC7616_MD5);
    assert_eq!(
        server.check_response(&swapped, &GET_INDEX, &mufasa),
        Verification::Invalid(InvalidReason::WrongResponse)
    );
    let other_uri = DigestRequest {
        uri: "/dir/other.html",
        ..GET_INDEX
    };
    assert_eq!(
        server.check_response(&sha, &other_uri, &mufasa),
        Verification::Invalid(InvalidReason::UriMismatch)
    );
    let nobody = |_: &str, _: &str, _: Algorithm| None;
    assert_eq!(
        server.check_response(&sha, &GET_INDEX, &nobody),
        Verification::UnknownUser
    );
    let short_ha1 =
        |_: &str, _: &str, _: Algorithm| Some(StoredSecret::Ha1(Ha1::from_hex("ab").unwrap()));
    assert_eq!(
        server.check_response(&sha, &GET_INDEX, &short_ha1),
        Verification::Invalid(InvalidReason::StoredHa1Malformed)
    );
    // The example's nonce is not one of ours: the full path refuses it.
    let mut server = server;
    let text = format!(
        r#"Digest username="Mufasa", realm="{RFC7616_REALM}", uri="/dir/index.html", algorithm=MD5, nonce="{RFC7616_NONCE}", nc=00000001, cnonce="{RFC7616_CNONCE}", qop=auth, response="{RFC7616_MD5}""#
    );
    let value = AuthValue::parse(&text).unwrap();
    assert_eq!(
        server.verify(0, &value, &GET_INDEX, &mufasa),
        Verification::Invalid(InvalidReason::NonceNotOurs)
    );
}

#[test]
fn rfc2617_md5_example() {
    let challenge = r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
    let mut client = client_for(challenge);
    let value = client
        .authorization_with_cnonce(
            &Credentials::new("Mufasa", "Circle Of Life"),
            &GET_INDEX,
            "0a4f113b",
        )
        .unwrap();
    let parsed = AuthValue::parse(&value).unwrap();
    assert_eq!(
        parsed.param("response").unwrap(),
        "6629fae49393a05397450978507c4ef1"
    );
    let server = DigestServer::new(
        ServerConfig::new("testrealm@host.com"),
        NonceSecret::new(&[1; 32]).unwrap(),
    );
    let store =
        |_: &str, _: &str, _: Algorithm| Some(StoredSecret::Password("Circle Of Life".into()));
    assert_eq!(
        server.check_response(&DigestResponse::parse(&parsed).unwrap(), &GET_INDEX, &store),
        Verification::Ok {
            username: "Mufasa".into()
        }
    );
}

const NOW: u64 = 1_700_000_000;
const REGISTER: DigestRequest<'static> = DigestRequest {
    method: "REGISTER",
    uri: "sip:roomgate.example.com",
    body: b"",
};

fn alice(user: &str, _realm: &str, _alg: Algorithm) -> Option<StoredSecret> {
    (user == "alice").then(|| StoredSecret::Password("wonderland".into()))
}

fn server_with(algorithms: Vec<Algorithm>) -> DigestServer {
    let mut config = ServerConfig::new("roomgate");
    config.algorithms = algorithms;
    config.offer_auth_int = true;
    DigestServer::new(config, NonceSecret::new(&[42; 32]).unwrap())
}

fn client_of(server: &DigestServer, now: u64, random: u8) -> DigestClient {
    let offers = server.challenges(now, &[random; NONCE_RANDOM_LEN], false);
    let parsed: Vec<AuthValue> = offers
        .iter()
        .map(|c| AuthValue::parse(c).unwrap())
        .collect();
    DigestClient::new(Challenge::strongest(&parsed).unwrap())
}

fn answer(client: &mut DigestClient, password: &str, request: &DigestRequest<'_>) -> String {
    client
        .authorization(
            &Credentials::new("alice", password),
            request,
            &[7; CNONCE_RANDOM_LEN],
        )
        .unwrap()
}

fn verify(
    server: &mut DigestServer,
    now: u64,
    value: &str,
    request: &DigestRequest<'_>,
) -> Verification {
    server.verify(now, &AuthValue::parse(value).unwrap(), request, &alice)
}

fn ok() -> Verification {
    Verification::Ok {
        username: "alice".into(),
    }
}

#[test]
fn round_trip_every_algorithm() {
    for alg in Algorithm::ALL {
        let mut server = server_with(vec![alg]);
        let mut client = client_of(&server, NOW, 1);
        assert_eq!(client.challenge().algorithm, alg);
        assert_eq!(client.challenge().qop, Some(Qop::Auth));
        let value = answer(&mut client, "wonderland", &REGISTER);
        assert!(value.contains(&format!("algorithm={alg},")), "{value}");
        assert_eq!(
            verify(&mut server, NOW + 10, &value, &REGISTER),
            ok(),
            "{alg}"
        );
        // The same nonce again with the next nc.
        let value = answer(&mut client, "wonderland", &REGISTER);
        assert_eq!(
            verify(&mut server, NOW + 20, &value, &REGISTER),
            ok(),
            "{alg}"
        );
        assert_eq!(server.tracked_nonces(), 1);
    }
}

#[test]
fn challenges_offer_sha256_first_and_client_picks_it() {
    let server = server_with(vec![Algorithm::Sha256, Algorithm::Md5]);
    let offers = server.challenges(NOW, &[1; NONCE_RANDOM_LEN], true);
    assert_eq!(offers.len(), 2);
    assert!(offers[0].contains("algorithm=SHA-256,"));
    assert!(offers[1].contains("algorithm=MD5,"));
    assert!(offers[0].starts_with("Digest realm=\"roomgate\", nonce=\""));
    assert!(offers[0].contains(", qop=\"auth,auth-int\", stale=true"));
    // MD5 listed first still loses to SHA-256.
    let parsed: Vec<AuthValue> = offers
        .iter()
        .rev()
        .map(|c| AuthValue::parse(c).unwrap())
        .collect();
    let chosen = Challenge::strongest(&parsed).unwrap();
    assert_eq!(chosen.algorithm, Algorithm::Sha256);
    assert!(chosen.stale);
    let basic = AuthValue::parse("Basic realm=\"x\"").unwrap();
    let aka = AuthValue::parse("Digest realm=\"x\", nonce=\"n\", algorithm=AKAv1-MD5").unwrap();
    assert_eq!(
        Challenge::strongest([&basic, &aka]),
        Err(ClientError::NoSupportedChallenge)
    );
    assert!(ServerConfig::new("r").algorithms == vec![Algorithm::Sha256, Algorithm::Md5]);
}

#[test]
fn wrong_password_unknown_user_and_foreign_nonce() {
    let mut server = server_with(vec![Algorithm::Sha256]);
    let mut client = client_of(&server, NOW, 1);
    let value = answer(&mut client, "looking-glass", &REGISTER);
    assert_eq!(
        verify(&mut server, NOW, &value, &REGISTER),
        Verification::Invalid(InvalidReason::WrongResponse)
    );
    let value = client
        .authorization(
            &Credentials::new("mallory", "x"),
            &REGISTER,
            &[7; CNONCE_RANDOM_LEN],
        )
        .unwrap();
    assert_eq!(
        verify(&mut server, NOW, &value, &REGISTER),
        Verification::UnknownUser
    );
    // A nonce made with another secret, answered correctly.
    let other = DigestServer::new(
        ServerConfig::new("roomgate"),
        NonceSecret::new(&[43; 32]).unwrap(),
    );
    let mut client = client_of(&other, NOW, 1);
    let value = answer(&mut client, "wonderland", &REGISTER);
    assert_eq!(
        verify(&mut server, NOW, &value, &REGISTER),
        Verification::Invalid(InvalidReason::NonceNotOurs)
    );
    // Failures do not enter the nonce-count table.
    assert_eq!(server.tracked_nonces(), 0);
}

#[test]
fn expired_nonce_is_stale_only_with_the_right_password() {
    let mut server = server_with(vec![Algorithm::Sha256]);
    let mut client = client_of(&server, NOW, 1);
    let later = NOW + DEFAULT_NONCE_LIFETIME_SECS + 1;
    let good = answer(&mut client, "wonderland", &REGISTER);
    assert_eq!(
        verify(&mut server, later, &good, &REGISTER),
        Verification::Stale
    );
    let bad = answer(&mut client, "nope", &REGISTER);
    assert_eq!(
        verify(&mut server, later, &bad, &REGISTER),
        Verification::Invalid(InvalidReason::WrongResponse)
    );
    // Right at the limit it is still fresh.
    let good = answer(&mut client, "wonderland", &REGISTER);
    assert_eq!(
        verify(
            &mut server,
            NOW + DEFAULT_NONCE_LIFETIME_SECS,
            &good,
            &REGISTER
        ),
        ok()
    );
}

#[test]
fn nonce_count_replay_is_rejected() {
    let mut server = server_with(vec![Algorithm::Md5]);
    let mut client = client_of(&server, NOW, 1);
    let first = answer(&mut client, "wonderland", &REGISTER);
    let second = answer(&mut client, "wonderland", &REGISTER);
    assert_eq!(verify(&mut server, NOW, &first, &REGISTER), ok());
    assert_eq!(
        verify(&mut server, NOW, &first, &REGISTER),
        Verification::Invalid(InvalidReason::NonceCountReplay)
    );
    assert_eq!(verify(&mut server, NOW, &second, &REGISTER), ok());
    assert_eq!(
        verify(&mut server, NOW, &first, &REGISTER),
        Verification::Invalid(InvalidReason::NonceCountReplay)
    );
    // Another client's nonce from the same second is distinct and counts on its own.
    let mut other = client_of(&server, NOW, 2);
    let value = answer(&mut other, "wonderland", &REGISTER);
    assert_eq!(verify(&mut server, NOW, &value, &REGISTER), ok());
}

#[test]
fn no_qop_answers_are_single_use() {
    let mut server = server_with(vec![Algorithm::Md5]);
    let offer = server
        .challenges(NOW, &[1; NONCE_RANDOM_LEN], false)
        .remove(0);
    let without_qop = offer.replace(", qop=\"auth,auth-int\"", "");
    let mut client = client_for(&without_qop);
    assert_eq!(client.challenge().qop, None);
    let value = answer(&mut client, "wonderland", &REGISTER);
    assert!(
        !value.contains("nc=") && !value.contains("cnonce="),
        "{value}"
    );
    assert_eq!(verify(&mut server, NOW, &value, &REGISTER), ok());
    assert_eq!(
        verify(&mut server, NOW, &value, &REGISTER),
        Verification::Stale
    );
    let mut strict = server_with(vec![Algorithm::Md5]);
    let mut config = strict.config().clone();
    config.accept_no_qop = false;
    strict = DigestServer::new(config, NonceSecret::new(&[42; 32]).unwrap());
    assert_eq!(
        verify(&mut strict, NOW, &value, &REGISTER),
        Verification::Invalid(InvalidReason::QopNotOffered)
    );
}

#[test]
fn auth_int_covers_the_body() {
    let mut server = server_with(vec![Algorithm::Sha256]);
    let offer = server
        .challenges(NOW, &[1; NONCE_RANDOM_LEN], false)
        .remove(0);
    let mut client = client_for(&offer.replace("auth,auth-int", "auth-int"));
    let invite = DigestRequest {
        method: "INVITE",
        uri: "sip:1000@roomgate.example.com",
        body: b"v=0\r\n",
    };
    let value = answer(&mut client, "wonderland", &invite);
    assert!(value.contains("qop=auth-int"));
    let tampered = DigestRequest {
        body: b"v=1\r\n",
        ..invite
    };
    assert_eq!(
        verify(&mut server, NOW, &value, &tampered),
        Verification::Invalid(InvalidReason::WrongResponse)
    );
    assert_eq!(verify(&mut server, NOW, &value, &invite), ok());
    // Not offered: refused even when correct.
    let mut plain = DigestServer::new(
        ServerConfig::new("roomgate"),
        NonceSecret::new(&[42; 32]).unwrap(),
    );
    let value = answer(&mut client, "wonderland", &invite);
    assert_eq!(
        verify(&mut plain, NOW, &value, &invite),
        Verification::Invalid(InvalidReason::QopNotOffered)
    );
}

#[test]
fn mismatches_are_invalid() {
    let mut server = server_with(vec![Algorithm::Sha256]);
    let offer = server
        .challenges(NOW, &[1; NONCE_RANDOM_LEN], false)
        .remove(0);
    // MD5 was not offered.
    let mut md5 = client_for(&offer.replace("SHA-256", "MD5"));
    let value = answer(&mut md5, "wonderland", &REGISTER);
    assert_eq!(
        verify(&mut server, NOW, &value, &REGISTER),
        Verification::Invalid(InvalidReason::AlgorithmNotOffered)
    );
    // The uri must be the Request-URI.
    let mut client = client_for(&offer);
    let value = answer(&mut client, "wonderland", &REGISTER);
    let other = DigestRequest {
        uri: "sip:roomgate.example.com:5060",
        ..REGISTER
    };
    assert_eq!(
        verify(&mut server, NOW, &value, &other),
        Verification::Invalid(InvalidReason::UriMismatch)
    );
    // opaque must be echoed unchanged when present.
    let opaque = Challenge::parse(&AuthValue::parse(&offer).unwrap())
        .unwrap()
        .opaque
        .unwrap();
    let value = answer(&mut client, "wonderland", &REGISTER).replace(&opaque, "changed");
    assert_eq!(
        verify(&mut server, NOW, &value, &REGISTER),
        Verification::Invalid(InvalidReason::OpaqueMismatch)
    );
    let value = answer(&mut client, "wonderland", &REGISTER)
        .replace("realm=\"roomgate\"", "realm=\"elsewhere\"");
    assert_eq!(
        verify(&mut server, NOW, &value, &REGISTER),
        Verification::Invalid(InvalidReason::RealmMismatch)
    );
}

#[test]
fn malformed_credentials_are_bad_requests() {
    let mut server = server_with(vec![Algorithm::Md5]);
    let cases = [
        ("Bearer realm=\"roomgate\"", BadRequest::NotDigest),
        (
            r#"Digest realm="roomgate", nonce="n", uri="sip:x", response="00""#,
            BadRequest::Missing("username"),
        ),
        (
            r#"Digest username="a", username="b", realm="roomgate", nonce="n", uri="sip:x", response="00""#,
            BadRequest::Duplicate("username"),
        ),
        (
            r#"Digest username="a", realm="roomgate", nonce="n", uri="sip:x", response="00", qop=auth, nc=1, cnonce="c""#,
            BadRequest::MalformedNc,
        ),
        (
            r#"Digest username="a", realm="roomgate", nonce="n", uri="sip:x", response="00", qop=auth, nc=00000001"#,
            BadRequest::Missing("cnonce"),
        ),
        (
            r#"Digest username="a", realm="roomgate", nonce="n", uri="sip:x", response="00", algorithm=SHA-1"#,
            BadRequest::UnknownAlgorithm,
        ),
        (
            r#"Digest username="a", realm="roomgate", nonce="n", uri="sip:x", response="00", qop=auth-conf, nc=00000001, cnonce="c""#,
            BadRequest::UnknownQop,
        ),
        (
            r#"Digest username="a", realm="roomgate", nonce="n", uri="sip:x", response="00", algorithm=MD5-sess"#,
            BadRequest::SessionWithoutQop,
        ),
    ];
    for (text, want) in cases {
        assert_eq!(
            verify(&mut server, NOW, text, &REGISTER),
            Verification::BadRequest(want),
            "{text}"
        );
    }
}

#[test]
fn verify_message_finds_our_realm() {
    let mut server = server_with(vec![Algorithm::Sha256]);
    let mut client = client_of(&server, NOW, 1);
    let request = DigestRequest {
        method: "REGISTER",
        uri: "sip:127.0.0.1",
        body: b"",
    };
    let value = answer(&mut client, "wonderland", &request);
    let msg = crate::OwnedMessage::request("REGISTER", "sip:127.0.0.1")
        .with(
            crate::HeaderName::Via,
            "SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK776",
        )
        .with(crate::HeaderName::To, "<sip:alice@127.0.0.1>")
        .with(crate::HeaderName::From, "<sip:alice@127.0.0.1>;tag=1")
        .with(crate::HeaderName::CallId, "a84b4c76e66710")
        .with(crate::HeaderName::CSeq, "2 REGISTER")
        .with(
            crate::HeaderName::Authorization,
            r#"Digest username="x", realm="other", nonce="n", uri="sip:127.0.0.1", response="00""#,
        )
        .with(crate::HeaderName::Authorization, &value)
        .to_bytes();
    let parsed = crate::parse_datagram(&msg).unwrap();
    assert_eq!(
        server.verify_message(NOW, &parsed, crate::HeaderName::Authorization, &alice),
        ok()
    );
    assert_eq!(
        server.verify_message(NOW, &parsed, crate::HeaderName::ProxyAuthorization, &alice),
        Verification::Missing
    );
}

#[test]
fn secrets_are_not_printed() {
    let creds = Credentials::new("alice", "wonderland");
    let server = server_with(vec![Algorithm::Md5]);
    let ha1 = Ha1::compute(Algorithm::Md5, "alice", "roomgate", "wonderland");
    let printed = format!(
        "{creds:?} {:?} {ha1:?} {server:?} {:?}",
        Password::from("wonderland"),
        StoredSecret::Ha1(ha1.clone())
    );
    assert!(!printed.contains("wonderland"), "{printed}");
    assert!(!printed.contains(ha1.expose()), "{printed}");
    assert!(!printed.contains("42, 42"), "{printed}");
    assert!(printed.contains("alice"));
    let resp = rfc7616_credentials("MD5", RFC7616_MD5);
    assert!(!format!("{resp:?}").contains(RFC7616_MD5));
}

#[test]
fn client_nc_restarts_on_new_nonce_and_refuses_bad_challenges() {
    let server = server_with(vec![Algorithm::Sha256]);
    let mut client = client_of(&server, NOW, 1);
    answer(&mut client, "wonderland", &REGISTER);
    answer(&mut client, "wonderland", &REGISTER);
    assert_eq!(client.nonce_count(), 2);
    let same = client.challenge().clone();
    client.update(same);
    assert_eq!(client.nonce_count(), 2);
    client.update(client_of(&server, NOW, 2).challenge().clone());
    assert_eq!(client.nonce_count(), 0);
    let parse = |t: &str| Challenge::parse(&AuthValue::parse(t).unwrap());
    assert_eq!(
        parse("Digest nonce=\"n\""),
        Err(ClientError::Missing("realm"))
    );
    assert_eq!(
        parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\""),
        Err(ClientError::UnsupportedQop)
    );
    assert_eq!(
        parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256-sess"),
        Err(ClientError::SessionWithoutQop)
    );
    let mut c = DigestClient::new(parse("Digest realm=\"r\", nonce=\"n\", qop=auth").unwrap());
    assert_eq!(
        c.authorization_with_cnonce(&Credentials::new("a", "b"), &REGISTER, "bad\"cnonce"),
        Err(ClientError::BadCnonce)
    );
}

#[test]
fn fuzz_entry_survives_odd_input() {
    let server = server_with(vec![Algorithm::Md5]);
    let offer = server
        .challenges(1_000, &[0; NONCE_RANDOM_LEN], false)
        .remove(0);
    let inputs: [&[u8]; 7] = [
        b"",
        b"Digest",
        b"\xff\xfe",
        b"Digest username=\"a\", qop=auth, nc=ffffffff, cnonce=\"\", response=\"\"",
        offer.as_bytes(),
        b"Digest realm=\"fuzz\", nonce=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", username=\"u\", uri=\"sip:fuzz@example.com\", response=\"0\", algorithm=SHA-512-256-sess, qop=auth-int, nc=00000001, cnonce=\"c\"",
        b"Digest realm=\"\\\"\", nonce=\"\"",
    ];
    for input in inputs {
        fuzz_digest(input);
    }
}

/// Captured from SIPp 3.6.1 (Debian sip-tester) answering a challenge with MD5 listed first:
/// `uri` is `sip:` + remote ip:port (or `-auth_uri`), no spaces after commas, unseeded
/// `rand()` cnonce.
#[test]
fn sipp_3_6_md5_answer_verifies() {
    let sipp = r#"Digest username="alice",realm="roomgate",cnonce="6b8b4567",nc=00000001,qop=auth,uri="sip:127.0.0.1:15060",nonce="abcdefNONCE",response="622aa5a7b270131f61ab9d9bb3e71eff",algorithm=MD5,opaque="0123456789abcdef""#;
    let creds = DigestResponse::parse(&AuthValue::parse(sipp).unwrap()).unwrap();
    let server = server_with(vec![Algorithm::Md5]);
    let request = DigestRequest {
        method: "REGISTER",
        uri: "sip:127.0.0.1:15060",
        body: b"",
    };
    assert_eq!(server.check_response(&creds, &request, &alice), ok());
}
