//! The zero-setup paths: `demo` and `serve` + inspect.
mod common;
use common::*;

#[test]
fn demo_shows_the_hixie_reason_phrase_and_passes() {
    let r = wscheck(&["demo"], b"");
    r.code(0)
        .err_has("< HTTP/1.1 101 Web Socket Protocol Handshake")
        .err_has("> GET /demo HTTP/1.1")
        .err_has("* OK: the server switched to WebSocket");
    r.finding_is("status-101", "ok");
    r.finding_is("reason-phrase", "info");
    r.finding_is("accept", "ok");
}

#[test]
fn serve_with_a_custom_reason_is_judged_by_its_code() {
    let server = Serve::start(&["--reason", "Hello There"]);
    let r = wscheck(&["--handshake-only", &server.url], b"");
    r.code(0).err_has("< HTTP/1.1 101 Hello There").err_has("* Close received: 1000 (normal closure)");
    assert!(r.finding_is("reason-phrase", "info").contains("\"Hello There\""));
}

#[test]
fn serve_speaks_wss_with_a_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let server = Serve::start(&["--cert", cert_path.to_str().unwrap(), "--key", key_path.to_str().unwrap()]);
    assert!(server.url.starts_with("wss://"), "{}", server.url);
    let url = server.url.replace("127.0.0.1", "localhost");
    let r = wscheck(&["--cacert", cert_path.to_str().unwrap(), "-x", "over tls", "--expect", "over tls", &url], b"");
    r.code(0)
        .err_has("* TLS established, ALPN http/1.1, certificate verified")
        .err_has("*   subject: CN=")
        .out_has("over tls\n");
    // Without trusting it, the same server is refused.
    wscheck(&["--handshake-only", &url], b"").code(4);
}
