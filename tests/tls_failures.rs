//! TLS failures told in words (SPEC §7, §8): the certificate a refused server presented,
//! `-k` still warning about a certificate for another name, a port that does not speak
//! TLS, and client keys that cannot be used (a usage error, before any connection).
//! Certificates are made here (rcgen); every server is on 127.0.0.1:0.

mod common;
use common::certs::*;
use common::*;

use std::io::{Read, Write};

use openssl::pkey::PKey;
use openssl::symm::Cipher;
use openssl::x509::X509;
use rcgen::ExtendedKeyUsagePurpose;
use time::{Duration as Span, OffsetDateTime};

fn run(args: &[&str]) -> Run {
    wscheck(args, b"")
}

/// The certificate's validity as OpenSSL prints it (`Feb 28 16:57:01 2027 GMT`).
fn validity(leaf: &Leaf) -> (String, String) {
    let cert = X509::from_pem(leaf.cert.as_bytes()).unwrap();
    (cert.not_before().to_string(), cert.not_after().to_string())
}

fn in_days(days: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + Span::days(days)
}

// ---------------------------------------------------------------- the presented certificate

#[test]
fn a_certificate_for_another_name_is_refused_listing_its_names() {
    let ca = new_ca();
    let leaf =
        ca.leaf("other", &["other.example", "*.other.example"], in_days(90), ExtendedKeyUsagePurpose::ServerAuth);
    let (from, until) = validity(&leaf);
    let (port, seen) = tls_server(&ca, &leaf);
    let r = run(&["--handshake-only", "--cacert", ca.path(), &format!("wss://localhost:{port}/")]);
    r.code(4).err_lacks("> GET");
    let line = r.stderr.lines().find(|l| l.starts_with("error: ")).unwrap_or_default();
    let words = format!(
        "error: TLS handshake with localhost:{port} failed: the certificate is not valid for localhost: it is for \
         DNS:other.example, DNS:*.other.example; the server's certificate: subject CN=other, issuer CN=wscheck test \
         CA, SANs DNS:other.example, DNS:*.other.example, valid from {from} until {until} (OpenSSL: error:"
    );
    assert!(line.starts_with(&words), "{line}\n--- expected the start:\n{words}");
    // OpenSSL's own text is kept, last.
    assert!(line.ends_with("(hostname mismatch))"), "{line}");
    assert_refused_then_looked_at(&seen);
}

#[test]
fn an_expired_certificate_says_when_it_expired() {
    let ca = new_ca();
    let leaf = ca.leaf("old", &["localhost"], in_days(-3), ExtendedKeyUsagePurpose::ServerAuth);
    let (from, until) = validity(&leaf);
    let (port, seen) = tls_server(&ca, &leaf);
    let r = run(&["--json", "--handshake-only", "--cacert", ca.path(), &format!("wss://localhost:{port}/")]);
    r.code(4);
    let events = r.events();
    let error = events.iter().find(|e| e["type"] == "error").expect("an error event");
    assert_eq!(error["kind"], "tls");
    let message = error["message"].as_str().unwrap();
    let words = format!(
        "TLS handshake with localhost:{port} failed: the certificate expired on {until}; the server's certificate: \
         subject CN=old, issuer CN=wscheck test CA, SANs DNS:localhost, valid from {from} until {until} (OpenSSL: "
    );
    assert!(message.starts_with(&words), "{message}\n--- expected the start:\n{words}");
    assert_refused_then_looked_at(&seen);
}

#[test]
fn insecure_still_warns_about_a_certificate_for_another_name() {
    let ca = new_ca();
    let leaf = ca.leaf("other", &["other.example"], in_days(90), ExtendedKeyUsagePurpose::ServerAuth);
    let (port, seen) = tls_server(&ca, &leaf);
    for host in ["localhost", "127.0.0.1"] {
        let r = run(&["--handshake-only", "-k", &format!("wss://{host}:{port}/")]);
        // A warning, not an error: -k asked to go on.
        r.code(0).err_has("* OK: ");
        err_line(
            &r,
            &format!(
                "  warn  certificate-name the certificate is not valid for {host}: it is for DNS:other.example \
                 (accepted because of -k)  [RFC 9110 §4.3.4]"
            ),
        );
        assert!(next(&seen, "the -k run got through").unwrap().starts_with("GET / HTTP/1.1\r\n"));
    }

    // The right name passes, verified or not.
    let (port, seen) = tls_server(&ca, &ca.server(90));
    for args in [&["-k"][..], &["--cacert", ca.path()][..]] {
        let mut all = vec!["--handshake-only"];
        all.extend_from_slice(args);
        let url = format!("wss://localhost:{port}/");
        all.push(&url);
        let r = run(&all);
        r.code(0);
        err_line(&r, "  ok    certificate-name the certificate is valid for localhost  [RFC 9110 §4.3.4]");
        next(&seen, "the run got through").unwrap();
    }
}

// ---------------------------------------------------------------- a port without TLS

#[test]
fn https_to_a_plain_http_port_says_try_ws() {
    // A plain HTTP server answers a ClientHello with a 400 in clear text, in two writes.
    let server = RawServer::start(|mut s| {
        let mut hello = [0u8; 5];
        let _ = s.read_exact(&mut hello);
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n");
        let _ = s.flush();
        let _ = s.write_all(b"Content-Type: text/plain\r\nConnection: close\r\n\r\n400 Bad Request");
        hello[0]
    });
    let r = run(&["--connect-timeout", "5", &format!("https://127.0.0.1:{}/", server.port)]);
    r.code(4).err_has(&format!(
        "error: TLS handshake with 127.0.0.1:{} failed: the server answered in plain HTTP (\"HTTP/1.1 400 Bad \
         Request\"): this port does not speak TLS — try ws:// instead of wss:// (OpenSSL: ",
        server.port
    ));
    assert_eq!(server.join(), 0x16, "a TLS ClientHello was sent");
}

// ---------------------------------------------------------------- client keys

/// A client certificate and its key as files.
fn client_leaf(ca: &Ca, cn: &str) -> Leaf {
    ca.leaf(cn, &[], in_days(90), ExtendedKeyUsagePurpose::ClientAuth)
}

#[test]
fn an_encrypted_key_is_a_usage_error_that_says_how_to_decrypt_it() {
    let ca = new_ca();
    let leaf = client_leaf(&ca, "client");
    let key = PKey::private_key_from_pem(leaf.key.as_bytes()).unwrap();
    let pkcs8 = key.private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), b"secret").unwrap();
    assert!(pkcs8.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let traditional = key.ec_key().unwrap().private_key_to_pem_passphrase(Cipher::aes_128_cbc(), b"secret").unwrap();
    assert!(String::from_utf8_lossy(&traditional).contains("Proc-Type: 4,ENCRYPTED"));
    let cert = pem_file(&leaf.cert);
    let (untouched, port) = untouched_listener();
    for pem in [pkcs8, traditional] {
        let key_file = pem_file(&String::from_utf8(pem).unwrap());
        let key = key_file.path().to_str().unwrap();
        let r = run(&["--cert", cert.path().to_str().unwrap(), "--key", key, &format!("wss://localhost:{port}/")]);
        r.code(2);
        err_line(
            &r,
            &format!(
                "error: --key {key}: the key is encrypted (a passphrase protects it), and wscheck reads only \
                 unencrypted keys: decrypt a copy with `openssl pkey -in {key} -out {key}.dec` (it asks for the \
                 passphrase; keep the copy private) and give --key {key}.dec"
            ),
        );
    }
    assert_never_connected(&untouched);
}

#[test]
fn a_key_that_is_not_the_certificates_is_a_usage_error() {
    let ca = new_ca();
    let (mine, other) = (client_leaf(&ca, "wscheck client"), client_leaf(&ca, "someone else"));
    let (cert, key) = (pem_file(&mine.cert), pem_file(&other.key));
    let (cert, key) = (cert.path().to_str().unwrap(), key.path().to_str().unwrap());
    let (untouched, port) = untouched_listener();
    let r = run(&["--cert", cert, "--key", key, &format!("wss://localhost:{port}/")]);
    r.code(2);
    err_line(
        &r,
        &format!(
            "error: --cert {cert} and --key {key} do not belong together: the key is not the private key of the \
             certificate (subject CN=wscheck client)"
        ),
    );
    assert_never_connected(&untouched);
}
