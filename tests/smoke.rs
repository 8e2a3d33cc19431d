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
