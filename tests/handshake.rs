//! The HTTP upgrade exchange attacked by hostile servers: raw TCP servers on 127.0.0.1:0
//! write exact bytes, and each test asserts the transcript lines and the exit code.
mod common;
use common::*;

use std::io::Write;
use std::time::{Duration, Instant};

const RFC_CLIENT: &str = "RFC 6455 §4.1";

/// `wscheck --handshake-only --connect-timeout 5 [extra] URL`.
fn inspect(url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--handshake-only", "--connect-timeout", "5"];
    args.extend_from_slice(extra);
    args.push(url);
    wscheck(&args, b"")
}

/// Assert that stderr has a line equal to `exact`.
/// The transcript line of a finding, exactly as the human renderer lays it out (no colour).
fn finding_line(mark: &str, id: &str, message: &str, rfc: &str) -> String {
    format!("  {mark:<5} {id:<16} {message}  [{rfc}]")
}

/// Assert the exact finding line.
fn finding(r: &Run, mark: &str, id: &str, message: &str, rfc: &str) {
    err_line(r, &finding_line(mark, id, message, rfc));
}

/// The `< ` lines of the transcript, in order (the response head and any body preview).
fn received_lines(r: &Run) -> Vec<&str> {
    r.stderr.lines().filter(|l| *l == "<" || l.starts_with("< ")).collect()
}

/// A 101 head for `head` with this status line and extra header lines (CRLF each),
/// Upgrade/Connection/Accept all correct.
fn head_101(head: &[u8], status_line: &str, extra: &str) -> Vec<u8> {
    format!(
        "{status_line}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n{extra}\r\n",
        accept_for(head)
    )
    .into_bytes()
}

/// A valid handshake ending cleanly: exit 0, the OK verdict, the Close exchange.
fn passes(r: &Run) {
    r.code(0)
        .err_has("* OK: the server switched to WebSocket (101")
        .err_has("* Close received: 1000 (normal closure)")
        .err_lacks("ERROR");
}

/// A 101 with `n` error findings: exit 6, the FAILED verdict, no session.
fn breaks_rfc(r: &Run, n: usize) {
    let s = if n == 1 { "" } else { "s" };
    r.code(6);
    err_line(
        r,
        &format!(
            "* FAILED: the server answered 101, but the handshake breaks RFC 6455 ({n} error{s}): a client must fail this connection"
        ),
    );
    r.err_lacks("* Close sent");
    let errors = r.stderr.lines().filter(|l| l.starts_with("  ERROR ")).count();
    assert_eq!(errors, n, "error findings\n--- stderr:\n{}", r.stderr);
}

// ---------------------------------------------------------------- reason phrases

#[test]
fn reason_switching_protocols_is_the_usual_one() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", ""));
    let r = inspect(&server.url("/"), &[]);
    let head = server.join();
    passes(&r);
    err_line(&r, "< HTTP/1.1 101 Switching Protocols");
    finding(&r, "info", "reason-phrase", "reason phrase \"Switching Protocols\", the usual one", "RFC 9110 §15.2.2");
    finding(&r, "ok", "status-101", "status 101: the server switched protocols", RFC_CLIENT);
    finding(&r, "ok", "http-version", "HTTP/1.1: HTTP/1.1 or later", RFC_CLIENT);
    finding(&r, "ok", "upgrade", "Upgrade: websocket", RFC_CLIENT);
    finding(&r, "ok", "connection", "Connection: Upgrade (has \"upgrade\")", RFC_CLIENT);
    finding(&r, "ok", "accept", &format!("Sec-WebSocket-Accept is \"{}\", as expected", accept_for(&head)), RFC_CLIENT);
    finding(&r, "ok", "subprotocol", "no subprotocol offered, none chosen", RFC_CLIENT);
    finding(&r, "ok", "extensions", "no extensions", RFC_CLIENT);
    finding(&r, "ok", "line-endings", "every line ends in CRLF", "RFC 9112 §2.2");
    finding(&r, "ok", "duplicate-header", "no handshake header is given twice", "RFC 6455 §11.3");
    finding(&r, "ok", "draft-hixie", "no pre-RFC (hixie-75/76) headers", "RFC 6455 §1.9");
    err_line(&r, "* OK: the server switched to WebSocket (101 Switching Protocols) and the handshake follows RFC 6455");
    err_line(&r, "* Close sent: 1000 (normal closure)");
}

#[test]
fn reason_web_socket_protocol_handshake_is_only_a_note() {
    let server = upgrade_then_close(|h| ok_101(h, "Web Socket Protocol Handshake", ""));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    err_line(&r, "< HTTP/1.1 101 Web Socket Protocol Handshake");
    finding(
        &r,
        "info",
        "reason-phrase",
        "reason phrase \"Web Socket Protocol Handshake\" (hixie-era wording), not \"Switching Protocols\": fine, the phrase is free text; only the code 101 counts",
        "RFC 9110 §15.2.2",
    );
    err_line(
        &r,
        "* OK: the server switched to WebSocket (101 Web Socket Protocol Handshake) and the handshake follows RFC 6455",
    );
}

#[test]
fn reason_absent_without_the_space_passes() {
    let server = upgrade_then_close(|h| head_101(h, "HTTP/1.1 101", ""));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    err_line(&r, "< HTTP/1.1 101");
    finding(
        &r,
        "info",
        "reason-phrase",
        "no reason phrase, not \"Switching Protocols\": fine, the phrase is free text; only the code 101 counts",
        "RFC 9110 §15.2.2",
    );
    err_line(&r, "* OK: the server switched to WebSocket (101) and the handshake follows RFC 6455");
    r.err_lacks("status-line");
}

#[test]
fn reason_empty_after_the_space_passes_and_keeps_the_space() {
    let server = upgrade_then_close(|h| head_101(h, "HTTP/1.1 101 ", ""));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    err_line(&r, "< HTTP/1.1 101 ");
    finding(
        &r,
        "info",
        "reason-phrase",
        "no reason phrase, not \"Switching Protocols\": fine, the phrase is free text; only the code 101 counts",
        "RFC 9110 §15.2.2",
    );
    r.err_lacks("status-line");
}

// ---------------------------------------------------------------- §4 findings, failing and passing

#[test]
fn http_1_0_101_breaks_the_rfc() {
    let server = answer_with(|h| head_101(h, "HTTP/1.0 101 Switching Protocols", ""));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    breaks_rfc(&r, 1);
    err_line(&r, "< HTTP/1.0 101 Switching Protocols");
    finding(&r, "ERROR", "http-version", "HTTP/1.0: the upgrade needs HTTP/1.1 or later", RFC_CLIENT);
}

#[test]
fn upgrade_missing_is_an_error() {
    let server = answer_with(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    breaks_rfc(&r, 1);
    finding(&r, "ERROR", "upgrade", "no Upgrade header: it must be \"websocket\"", RFC_CLIENT);
}

#[test]
fn upgrade_h2c_is_an_error() {
    let server = answer_with(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    breaks_rfc(&r, 1);
    err_line(&r, "< Upgrade: h2c");
    finding(&r, "ERROR", "upgrade", "Upgrade is \"h2c\", not \"websocket\"", RFC_CLIENT);
}

#[test]
fn upgrade_in_mixed_case_passes() {
    let server = upgrade_then_close(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    err_line(&r, "< Upgrade: WebSocket");
    finding(&r, "ok", "upgrade", "Upgrade: WebSocket", RFC_CLIENT);
}

#[test]
fn connection_missing_is_an_error() {
    let server = answer_with(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    breaks_rfc(&r, 1);
    finding(&r, "ERROR", "connection", "no Connection header: it must include \"upgrade\"", RFC_CLIENT);
}

#[test]
fn connection_keep_alive_is_an_error() {
    let server = answer_with(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    breaks_rfc(&r, 1);
    finding(&r, "ERROR", "connection", "Connection is \"keep-alive\": its tokens must include \"upgrade\"", RFC_CLIENT);
}

#[test]
fn connection_token_list_with_upgrade_passes() {
    let server = upgrade_then_close(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    err_line(&r, "< Connection: keep-alive, Upgrade");
    finding(&r, "ok", "connection", "Connection: keep-alive, Upgrade (has \"upgrade\")", RFC_CLIENT);
}

#[test]
fn accept_missing_is_an_error_showing_the_expected_value() {
    let server = answer_with(|_| {
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".to_vec()
    });
    let r = inspect(&server.url("/"), &[]);
    let head = server.join();
    breaks_rfc(&r, 1);
    finding(
        &r,
        "ERROR",
        "accept",
        &format!("no Sec-WebSocket-Accept header; expected \"{}\"", accept_for(&head)),
        RFC_CLIENT,
    );
}

#[test]
fn accept_wrong_shows_expected_and_got() {
    // The RFC's own example accept, which cannot match wscheck's random key.
    let server = answer_with(|_| {
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
            .to_vec()
    });
    let r = inspect(&server.url("/"), &[]);
    let head = server.join();
    breaks_rfc(&r, 1);
    finding(
        &r,
        "ERROR",
        "accept",
        &format!(
            "Sec-WebSocket-Accept is wrong: expected \"{}\", got \"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\"",
            accept_for(&head)
        ),
        RFC_CLIENT,
    );
}

#[test]
fn accept_with_surrounding_whitespace_passes() {
    let server = upgrade_then_close(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept:   {} \t\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    r.finding_is("accept", "ok");
}

#[test]
fn subprotocol_not_offered_is_an_error() {
    let server = answer_with(|h| ok_101(h, "Switching Protocols", "Sec-WebSocket-Protocol: superchat\r\n"));
    let r = inspect(&server.url("/"), &["-s", "chat"]);
    let head = server.join();
    assert!(String::from_utf8_lossy(&head).contains("\r\nSec-WebSocket-Protocol: chat\r\n"));
    breaks_rfc(&r, 1);
    finding(
        &r,
        "ERROR",
        "subprotocol",
        "the server chose subprotocol \"superchat\", which was not offered (chat)",
        RFC_CLIENT,
    );
}

#[test]
fn subprotocol_when_none_was_offered_is_an_error() {
    let server = answer_with(|h| ok_101(h, "Switching Protocols", "Sec-WebSocket-Protocol: chat\r\n"));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    breaks_rfc(&r, 1);
    finding(&r, "ERROR", "subprotocol", "the server chose subprotocol \"chat\", but none was offered", RFC_CLIENT);
}

#[test]
fn subprotocol_two_chosen_is_an_error() {
    let server = answer_with(|h| ok_101(h, "Switching Protocols", "Sec-WebSocket-Protocol: chat, superchat\r\n"));
    let r = inspect(&server.url("/"), &["-s", "chat", "-s", "superchat"]);
    server.join();
    breaks_rfc(&r, 1);
    finding(
        &r,
        "ERROR",
        "subprotocol",
        "the server chose 2 subprotocols (chat, superchat); it must choose one at most",
        RFC_CLIENT,
    );
}

#[test]
fn subprotocol_two_header_lines_is_an_error_and_a_duplicate() {
    let server = answer_with(|h| {
        ok_101(h, "Switching Protocols", "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n")
    });
    let r = inspect(&server.url("/"), &["-s", "chat"]);
    server.join();
    breaks_rfc(&r, 1);
    r.finding_is("subprotocol", "ERROR");
    finding(&r, "warn", "duplicate-header", "given more than once: Sec-WebSocket-Protocol (2 times)", "RFC 6455 §11.3");
}

#[test]
fn subprotocol_offered_and_chosen_passes() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", "Sec-WebSocket-Protocol: chat\r\n"));
    let r = inspect(&server.url("/"), &["-s", "chat"]);
    server.join();
    passes(&r);
    err_line(&r, "< Sec-WebSocket-Protocol: chat");
    finding(&r, "ok", "subprotocol", "the server chose the offered subprotocol \"chat\"", RFC_CLIENT);
}

#[test]
fn extension_not_offered_is_an_error() {
    let server = answer_with(|h| {
        ok_101(h, "Switching Protocols", "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n")
    });
    let r = inspect(&server.url("/"), &[]);
    let head = server.join();
    assert!(!String::from_utf8_lossy(&head).contains("Sec-WebSocket-Extensions"));
    breaks_rfc(&r, 1);
    finding(
        &r,
        "ERROR",
        "extensions",
        "the server uses extensions that were not offered: permessage-deflate",
        RFC_CLIENT,
    );
}

#[test]
fn bare_lf_header_line_warns_but_passes() {
    let server = upgrade_then_close(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    err_line(&r, "< Upgrade: websocket");
    finding(&r, "warn", "line-endings", "1 of 4 lines end in a bare LF, not CRLF (line 2)", "RFC 9112 §2.2");
}

#[test]
fn bare_lf_everywhere_warns_but_passes() {
    let server = upgrade_then_close(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: {}\n\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    r.finding_is("line-endings", "warn");
    assert!(r.finding("line-endings").contains("end in a bare LF, not CRLF (line 1, 2, 3, 4"));
}

#[test]
fn bare_lf_on_the_final_empty_line_warns() {
    let server = upgrade_then_close(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    finding(
        &r,
        "warn",
        "line-endings",
        "the empty line that ends the header ends in a bare LF, not CRLF",
        "RFC 9112 §2.2",
    );
}

#[test]
fn upgrade_twice_warns_as_duplicate() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", "Upgrade: websocket\r\n"));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    let upgrades = received_lines(&r).iter().filter(|l| **l == "< Upgrade: websocket").count();
    assert_eq!(upgrades, 2, "both Upgrade lines shown\n{}", r.stderr);
    finding(&r, "warn", "duplicate-header", "given more than once: Upgrade (2 times)", "RFC 6455 §11.3");
}

#[test]
fn hixie_76_server_is_named() {
    let server = answer_with(|_| {
        let mut out = b"HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Origin: http://example.com\r\nSec-WebSocket-Location: ws://example.com/demo\r\n\r\n".to_vec();
        out.extend_from_slice(b"8jKS'y:G*Co,Wxa-"); // the 16-byte challenge answer
        out
    });
    let r = inspect(&server.url("/demo"), &[]);
    let head = server.join();
    breaks_rfc(&r, 2);
    err_line(&r, "< HTTP/1.1 101 WebSocket Protocol Handshake");
    err_line(&r, "< Sec-WebSocket-Origin: http://example.com");
    err_line(&r, "< Sec-WebSocket-Location: ws://example.com/demo");
    finding(
        &r,
        "ERROR",
        "draft-hixie",
        "a pre-RFC hixie-76 (hybi-00) server: it sent Sec-WebSocket-Origin and Sec-WebSocket-Location and no Sec-WebSocket-Accept; it speaks the 2010 draft, not RFC 6455, and RFC 6455 clients cannot talk to it",
        "RFC 6455 §1.9",
    );
    finding(
        &r,
        "ERROR",
        "accept",
        &format!("no Sec-WebSocket-Accept (a hixie server never sends one); expected \"{}\"", accept_for(&head)),
        RFC_CLIENT,
    );
    finding(&r, "ok", "upgrade", "Upgrade: WebSocket", RFC_CLIENT);
    r.finding_is("connection", "ok");
    r.finding_is("reason-phrase", "info");
    // The challenge bytes are session bytes, not a header line.
    r.err_lacks("8jKS");
}

#[test]
fn hixie_75_server_is_named() {
    let server = answer_with(|_| {
        b"HTTP/1.1 101 Web Socket Protocol Handshake\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nWebSocket-Origin: http://example.com\r\nWebSocket-Location: ws://example.com/\r\n\r\n".to_vec()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    breaks_rfc(&r, 2);
    assert!(r.finding_is("draft-hixie", "ERROR").contains("hixie-75"));
}

// ---------------------------------------------------------------- raw lines as sent

#[test]
fn header_case_order_and_duplicates_are_kept() {
    let server = upgrade_then_close(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nx-custom: one\r\nCONNECTION: upgrade\r\nupgrade: WebSocket\r\nX-Custom: two\r\nsec-websocket-accept: {}\r\nServer:  spaced   value\r\nx-custom: one\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    let head = server.join();
    passes(&r);
    assert_eq!(
        received_lines(&r),
        [
            "< HTTP/1.1 101 Switching Protocols",
            "< x-custom: one",
            "< CONNECTION: upgrade",
            "< upgrade: WebSocket",
            "< X-Custom: two",
            &format!("< sec-websocket-accept: {}", accept_for(&head)),
            "< Server:  spaced   value",
            "< x-custom: one",
            "<",
        ]
    );
}

#[test]
fn folded_header_line_is_shown_and_not_flagged() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", "X-Folded: first\r\n second\r\n\tthird\r\n"));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    err_line(&r, "< X-Folded: first");
    err_line(&r, "<  second");
    err_line(&r, "< \\tthird");
    r.err_lacks("invalid-header");
}

#[test]
fn garbage_header_line_is_shown_and_warned_about() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", "this is not a header\r\n"));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    err_line(&r, "< this is not a header");
    finding(
        &r,
        "warn",
        "invalid-header",
        "line 5 is not a valid header field (control characters?) and was ignored",
        "RFC 9110 §5.5",
    );
}

#[test]
fn response_dribbled_one_byte_per_write_passes() {
    let dribble = RawServer::start(|mut s| {
        s.set_nodelay(true).unwrap();
        let head = read_head(&mut s);
        for b in ok_101(&head, "Switching Protocols", "") {
            s.write_all(&[b]).unwrap();
            s.flush().unwrap();
        }
        let mut frame = [0u8; 6];
        if std::io::Read::read_exact(&mut s, &mut frame).is_ok() {
            let _ = s.write_all(&[0x88, 0x02, 0x03, 0xe8]);
        }
    });
    let r = inspect(&dribble.url("/"), &[]);
    dribble.join();
    passes(&r);
    err_line(&r, "< HTTP/1.1 101 Switching Protocols");
}

// ---------------------------------------------------------------- not a 101

/// A non-101 answer: exit 5, the failed status-101 line, the FAILED verdict, no session.
fn did_not_switch(r: &Run, status_reason: &str) {
    r.code(5);
    finding(
        r,
        "ERROR",
        "status-101",
        &format!("status {status_reason}, not 101: the server did not switch protocols"),
        RFC_CLIENT,
    );
    err_line(r, &format!("* FAILED: the server did not switch protocols ({status_reason})"));
    r.err_lacks("* Close sent");
}

#[test]
fn status_200_with_html_is_an_ordinary_endpoint_and_the_body_is_shown() {
    let server = answer_with(|_| {
        let body = "<!doctype html>\n<html><body>Hello</body></html>\n";
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}", body.len())
            .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    did_not_switch(&r, "200 OK");
    err_line(&r, "< HTTP/1.1 200 OK");
    err_line(&r, "< <!doctype html>");
    err_line(&r, "< <html><body>Hello</body></html>");
    finding(
        &r,
        "info",
        "not-websocket",
        "200: an ordinary HTTP endpoint answered and ignored the Upgrade (wrong path, or a proxy that drops Upgrade)",
        RFC_CLIENT,
    );
}

#[test]
fn status_400_is_explained() {
    let server =
        answer_with(|_| b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec());
    let r = inspect(&server.url("/"), &[]);
    server.join();
    did_not_switch(&r, "400 Bad Request");
    finding(
        &r,
        "info",
        "bad-request",
        "400 Bad Request: the server refused the upgrade request (often an Origin check, a missing parameter, or the wrong path)",
        "RFC 6455 §4.2.1",
    );
}

#[test]
fn status_401_names_the_challenge() {
    let server = answer_with(|_| {
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ws\"\r\nContent-Length: 0\r\n\r\n".to_vec()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    did_not_switch(&r, "401 Unauthorized");
    err_line(&r, "< WWW-Authenticate: Basic realm=\"ws\"");
    finding(
        &r,
        "info",
        "auth",
        "authentication required: the server asks for Basic realm=\"ws\" (send credentials with -u USER:PASS or -H 'Authorization: …')",
        "RFC 9110 §11.6.1",
    );
}

#[test]
fn status_426_names_the_versions() {
    let server = answer_with(|_| {
        b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 8, 7\r\nContent-Length: 0\r\n\r\n".to_vec()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    did_not_switch(&r, "426 Upgrade Required");
    finding(
        &r,
        "info",
        "version",
        "426 Upgrade Required: the server speaks WebSocket version 8, 7; the request sent version 13",
        "RFC 6455 §4.4",
    );
}

#[test]
fn status_301_names_the_location() {
    let server = answer_with(|_| {
        b"HTTP/1.1 301 Moved Permanently\r\nLocation: ws://example.test/new\r\nContent-Length: 0\r\n\r\n".to_vec()
    });
    let r = inspect(&server.url("/old"), &[]);
    server.join();
    did_not_switch(&r, "301 Moved Permanently");
    err_line(&r, "< Location: ws://example.test/new");
    let redirect = r.finding_is("redirect", "info");
    assert!(redirect.contains("ws://example.test/new"), "redirect names the Location: {redirect}");
}

#[test]
fn status_404_is_explained() {
    let server = answer_with(|_| {
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found".to_vec()
    });
    let r = inspect(&server.url("/nope"), &[]);
    server.join();
    did_not_switch(&r, "404 Not Found");
    err_line(&r, "< not found");
    finding(&r, "info", "not-found", "404 Not Found: no WebSocket endpoint at this path", "RFC 6455 §4.2.1");
}

#[test]
fn interim_100_and_103_are_read_past() {
    let server = upgrade_then_close(|h| {
        let mut out = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n".to_vec();
        out.extend_from_slice(&ok_101(h, "Switching Protocols", ""));
        out
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    let received = received_lines(&r);
    assert_eq!(
        received[..6],
        [
            "< HTTP/1.1 100 Continue",
            "<",
            "< HTTP/1.1 103 Early Hints",
            "< Link: </a.css>",
            "<",
            "< HTTP/1.1 101 Switching Protocols"
        ]
    );
    err_line(&r, "* note: 100 Continue is an interim answer: reading on to the real one (RFC 9110 §15.2)");
    err_line(&r, "* note: 103 Early Hints is an interim answer: reading on to the real one (RFC 9110 §15.2)");
    r.err_lacks("\\r");
}

#[test]
fn json_shows_an_interim_answer_as_its_own_response_event() {
    let server = upgrade_then_close(|h| {
        let mut out = b"HTTP/1.1 100 Continue\r\n\r\n".to_vec();
        out.extend_from_slice(&ok_101(h, "Switching Protocols", ""));
        out
    });
    let r = wscheck(&["--json", "--handshake-only", "--connect-timeout", "5", &server.url("/")], b"");
    server.join();
    r.code(0);
    let events = r.events();
    let statuses: Vec<_> = events.iter().filter(|e| e["type"] == "response").map(|e| e["status"].clone()).collect();
    assert_eq!(statuses, [100, 101]);
    let hs = events.iter().find(|e| e["type"] == "handshake").unwrap();
    assert_eq!((hs["ok"].as_bool(), hs["status"].as_u64()), (Some(true), Some(101)));
}

#[test]
fn endless_interim_answers_are_bounded() {
    let server = answer_with(|_| b"HTTP/1.1 100 Continue\r\n\r\n".repeat(50));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    did_not_switch(&r, "100 Continue");
    let notes = r.stderr.lines().filter(|l| l.starts_with("* note: 100 Continue is an interim answer")).count();
    assert_eq!(notes, 8, "{}", r.stderr);
}

// ---------------------------------------------------------------- no answer, not HTTP, too big

#[test]
fn no_response_at_all() {
    let server = answer_with(|_| Vec::new());
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    err_line(
        &r,
        "error: no response: the server closed the connection without answering (a TLS port closes a plain request \
         like this: if this one speaks TLS, try wss://)",
    );
    r.err_lacks("< ");
}

#[test]
fn ssh_banner_is_not_http() {
    let server = RawServer::start(|mut s| {
        s.write_all(b"SSH-2.0-OpenSSH_9.2\r\n").unwrap();
        read_head(&mut s);
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    err_line(&r, "error: the server's answer is not HTTP (an SSH server): \"SSH-2.0-OpenSSH_9.2\\r\\n\"");
}

#[test]
fn response_cut_off_mid_header() {
    let server = answer_with(|_| b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: webs".to_vec());
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    r.err_has("error: the server closed the connection in the middle of the response header");
}

#[test]
fn malformed_status_line() {
    let server = answer_with(|_| b"HTTP/1.1 1010 Nope\r\n\r\n".to_vec());
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    r.err_has("error: malformed response: the status line is not 'HTTP/x.y NNN reason'");
}

#[test]
fn nul_in_a_header_value_is_refused_naming_the_line() {
    let server = answer_with(|h| ok_101(h, "Switching Protocols", "X-Nul: a\0b\r\n"));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    err_line(&r, "error: malformed response: line 5 has a bare CR or a NUL, which HTTP forbids: \"X-Nul: a\\x00b\"");
}

#[test]
fn bare_cr_before_crlf_is_refused_naming_the_line() {
    let server = answer_with(|h| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    err_line(
        &r,
        "error: malformed response: line 2 has a bare CR or a NUL, which HTTP forbids: \"Upgrade: websocket\\r\"",
    );
}

#[test]
fn server_stalling_mid_header_times_out() {
    let server = RawServer::start(|mut s| {
        let head = read_head(&mut s);
        s.write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n").unwrap();
        // Stall until the client gives up and closes.
        read_head(&mut s);
        head
    });
    let start = Instant::now();
    let r = wscheck(&["--handshake-only", "--connect-timeout", "1", &server.url("/")], b"");
    let took = start.elapsed();
    server.join();
    r.code(7);
    r.err_has("error: timed out waiting for the response (--connect-timeout); received 54 bytes: \"HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\n\"");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

/// A 101 head of exactly `size` bytes (padded with an X-Pad header), then a text frame "hi".
fn head_of_size(head: &[u8], size: usize) -> Vec<u8> {
    let base = ok_101(head, "Switching Protocols", "X-Pad: \r\n");
    let mut out = ok_101(head, "Switching Protocols", &format!("X-Pad: {}\r\n", "p".repeat(size - base.len())));
    assert_eq!(out.len(), size);
    out.extend_from_slice(&[0x81, 0x02, b'h', b'i']);
    out
}

#[test]
fn header_of_exactly_64_kib_is_read_and_the_frame_after_it_kept() {
    let server = upgrade_then_close(|h| head_of_size(h, 64 * 1024));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    assert_eq!(r.stdout, "hi\n");
}

#[test]
fn header_one_byte_over_64_kib_is_refused() {
    let server = answer_with(|h| head_of_size(h, 64 * 1024 + 1));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    err_line(&r, "error: the response header is larger than 64 KiB: gave up reading it");
}

#[test]
fn header_of_one_mebibyte_is_refused_quickly() {
    let server = answer_with(|_| {
        let mut out = b"HTTP/1.1 101 Switching Protocols\r\n".to_vec();
        let pad = format!("X-Pad: {}\r\n", "a".repeat(1000));
        while out.len() < 1024 * 1024 {
            out.extend_from_slice(pad.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out // written by the server thread; write errors are ignored
    });
    let start = Instant::now();
    let r = inspect(&server.url("/"), &[]);
    let took = start.elapsed();
    server.join();
    r.code(5);
    err_line(&r, "error: the response header is larger than 64 KiB: gave up reading it");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn one_endless_header_line_is_refused() {
    let server = answer_with(|_| {
        let mut out = b"HTTP/1.1 200 OK\r\nX-Long: ".to_vec();
        out.resize(1024 * 1024, b'z');
        out
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    r.err_has("larger than 64 KiB");
}

#[test]
fn too_many_header_lines_is_malformed() {
    let server = answer_with(|h| {
        let extra = "A: b\r\n".repeat(600);
        ok_101(h, "Switching Protocols", &extra)
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    r.err_has("error: malformed response: more than 512 header lines");
}

// ---------------------------------------------------------------- escaping

const EVIL: &str = "\x1b]0;pwned\x07\x1b[2J";
const EVIL_SHOWN: &str = "\\x1b]0;pwned\\x07\\x1b[2J";

fn no_raw_escape(r: &Run) {
    assert!(!r.stderr.contains('\u{1b}'), "raw ESC on stderr: {:?}", r.stderr);
    assert!(!r.stderr.contains('\u{7}'), "raw BEL on stderr");
    assert!(!r.stdout.contains('\u{1b}'), "raw ESC on stdout");
}

#[test]
fn escape_sequence_in_a_header_value_is_shown_escaped() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", &format!("X-Evil: {EVIL}\r\n")));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    no_raw_escape(&r);
    passes(&r);
    err_line(&r, &format!("< X-Evil: {EVIL_SHOWN}"));
}

#[test]
fn escape_sequence_in_the_reason_phrase_is_shown_escaped() {
    let server = upgrade_then_close(|h| head_101(h, &format!("HTTP/1.1 101 {EVIL}"), ""));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    no_raw_escape(&r);
    passes(&r);
    err_line(&r, &format!("< HTTP/1.1 101 {EVIL_SHOWN}"));
    assert!(r.finding_is("reason-phrase", "info").contains(EVIL_SHOWN));
    r.finding_is("status-line", "warn");
    err_line(
        &r,
        &format!("* OK: the server switched to WebSocket (101 {EVIL_SHOWN}) and the handshake follows RFC 6455"),
    );
}

#[test]
fn escape_sequences_in_a_refusal_are_shown_escaped() {
    let server = answer_with(|_| {
        format!(
            "HTTP/1.1 403 {EVIL}\r\nWWW-Authenticate: {EVIL}\r\nContent-Length: {}\r\n\r\nbody{EVIL}",
            4 + EVIL.len()
        )
        .into_bytes()
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    no_raw_escape(&r);
    r.code(5);
    err_line(&r, &format!("< HTTP/1.1 403 {EVIL_SHOWN}"));
    err_line(&r, &format!("< body{EVIL_SHOWN}"));
    err_line(&r, &format!("* FAILED: the server did not switch protocols (403 {EVIL_SHOWN})"));
}

#[test]
fn c1_controls_and_bidi_overrides_are_shown_escaped() {
    // U+009B is the one-character CSI; U+202E reverses the text after it.
    let server = upgrade_then_close(|h| {
        let mut out = b"HTTP/1.1 101 Sw\xc2\x9b2Jitching\r\nX-Bin: \xff\xfe\r\n".to_vec();
        out.extend_from_slice(&head_101(h, "", "X-Bidi: abc\u{202e}fed\r\n")[2..]);
        out
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    assert!(!r.stderr.contains('\u{9b}') && !r.stderr.contains('\u{202e}'));
    err_line(&r, "< HTTP/1.1 101 Sw\\x9b2Jitching");
    err_line(&r, "< X-Bidi: abc\\u{202e}fed");
    err_line(&r, "< X-Bin: \\xff\\xfe");
}

#[test]
fn escape_sequence_in_a_non_http_banner_is_shown_escaped() {
    let server = answer_with(|_| format!("{EVIL}hello\r\n").into_bytes());
    let r = inspect(&server.url("/"), &[]);
    server.join();
    no_raw_escape(&r);
    r.code(5);
    err_line(&r, &format!("error: the server's answer is not HTTP: \"{EVIL_SHOWN}hello\\r\\n\""));
}

// ---------------------------------------------------------------- --json

fn types(events: &[serde_json::Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

#[test]
fn json_events_for_a_valid_handshake() {
    let server = upgrade_then_close(|h| {
        format!(
            "HTTP/1.1 101 Web Socket Protocol Handshake\r\nupgrade: WebSocket\r\nConnection: Upgrade\r\nX-Dup: 1\r\nSec-WebSocket-Accept: {}\r\nX-Dup: 2\r\n\r\n",
            accept_for(h)
        )
        .into_bytes()
    });
    let r = wscheck(&["--json", "--handshake-only", "--connect-timeout", "5", &server.url("/j")], b"");
    let head = server.join();
    r.code(0);
    assert_eq!(r.stderr, "", "nothing on stderr with --json");
    let events = r.events();
    let t = types(&events);
    let findings = t.iter().filter(|t| **t == "finding").count();
    assert!(findings >= 10, "{t:?}");
    let mut expected = vec!["connect", "request", "response"];
    expected.extend(std::iter::repeat_n("finding", findings));
    expected.extend(["handshake", "close", "close", "exit"]);
    assert_eq!(t, expected);

    let accept = accept_for(&head);
    let resp = &events[2];
    assert_eq!(resp["version"], "HTTP/1.1");
    assert_eq!(resp["status"], 101);
    assert!(resp["status"].is_u64());
    assert_eq!(resp["reason"], "Web Socket Protocol Handshake");
    assert_eq!(
        resp["lines"],
        serde_json::json!([
            "HTTP/1.1 101 Web Socket Protocol Handshake",
            "upgrade: WebSocket",
            "Connection: Upgrade",
            "X-Dup: 1",
            format!("Sec-WebSocket-Accept: {accept}"),
            "X-Dup: 2",
        ])
    );
    assert_eq!(
        resp["headers"],
        serde_json::json!([
            ["upgrade", "WebSocket"],
            ["Connection", "Upgrade"],
            ["X-Dup", "1"],
            ["Sec-WebSocket-Accept", accept],
            ["X-Dup", "2"],
        ])
    );
    let reason = events.iter().find(|e| e["type"] == "finding" && e["id"] == "reason-phrase").unwrap();
    assert_eq!((reason["level"].as_str(), reason["severity"].as_str()), (Some("info"), Some("info")));
    assert_eq!(reason["rfc"], "RFC 9110 §15.2.2");
    let hs = &events[3 + findings];
    assert_eq!((hs["ok"].as_bool(), hs["status"].as_u64()), (Some(true), Some(101)));
    let closes: Vec<_> = events.iter().filter(|e| e["type"] == "close").collect();
    assert_eq!(closes[0]["direction"], "sent");
    assert_eq!(closes[1]["direction"], "received");
    assert_eq!(closes[1]["code"], 1000);
    assert_eq!(events.last().unwrap()["code"], r.code);
}

#[test]
fn json_exit_event_matches_a_bad_handshake() {
    let server = answer_with(|_| {
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".to_vec()
    });
    let r = wscheck(&["--json", "--connect-timeout", "5", &server.url("/")], b"");
    server.join();
    r.code(6);
    assert_eq!(r.stderr, "");
    let events = r.events();
    let accept = events.iter().find(|e| e["type"] == "finding" && e["id"] == "accept").unwrap();
    assert_eq!(
        (accept["ok"].as_bool(), accept["level"].as_str(), accept["severity"].as_str()),
        (Some(false), Some("error"), Some("error"))
    );
    // A rule that holds is "ok", whatever it weighs when broken.
    let upgrade = events.iter().find(|e| e["type"] == "finding" && e["id"] == "upgrade").unwrap();
    assert_eq!((upgrade["level"].as_str(), upgrade["severity"].as_str()), (Some("ok"), Some("error")));
    let hs = events.iter().find(|e| e["type"] == "handshake").unwrap();
    assert_eq!((hs["ok"].as_bool(), hs["status"].as_u64()), (Some(false), Some(101)));
    assert!(!types(&events).contains(&"close"));
    assert_eq!(*types(&events).last().unwrap(), "exit");
    assert_eq!(events.last().unwrap()["code"], 6);
}

#[test]
fn json_no_response_is_an_error_event_and_exit_5() {
    let server = answer_with(|_| Vec::new());
    let r = wscheck(&["--json", "--connect-timeout", "5", &server.url("/")], b"");
    server.join();
    r.code(5);
    assert_eq!(r.stderr, "");
    let events = r.events();
    assert_eq!(types(&events), ["connect", "request", "error", "exit"]);
    assert_eq!(events[2]["kind"], "http");
    assert!(events[2]["message"].as_str().unwrap().starts_with("no response"));
    assert_eq!(events[3]["code"], 5);
}

#[test]
fn json_keeps_a_hostile_reason_unchanged_and_never_writes_raw_escapes() {
    let server = answer_with(|_| format!("HTTP/1.1 404 {EVIL}\r\nContent-Length: 0\r\n\r\n").into_bytes());
    let r = wscheck(&["--json", "--connect-timeout", "5", &server.url("/")], b"");
    server.join();
    r.code(5);
    assert!(!r.stdout.contains('\u{1b}'));
    let events = r.events();
    let resp = events.iter().find(|e| e["type"] == "response").unwrap();
    assert_eq!(resp["reason"], EVIL);
    assert_eq!(resp["status"], 404);
    assert_eq!(events.last().unwrap()["code"], 5);
}

#[test]
fn json_masks_a_set_cookie_in_lines_too() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", "Set-Cookie: sid=topsecret\r\n"));
    let r = wscheck(&["--json", "--handshake-only", "--connect-timeout", "5", &server.url("/")], b"");
    server.join();
    r.code(0);
    assert!(!r.stdout.contains("topsecret"), "{}", r.stdout);
}

#[test]
fn transcript_masks_a_set_cookie() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", "Set-Cookie: sid=topsecret\r\n"));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    r.err_lacks("topsecret");
    err_line(&r, "< Set-Cookie: ***** (13 bytes)");
}

#[test]
fn transcript_masks_a_folded_set_cookie() {
    let server =
        upgrade_then_close(|h| ok_101(h, "Switching Protocols", "Set-Cookie: sid=abc;\r\n secret=topsecret\r\n"));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    r.err_lacks("topsecret").err_lacks("sid=abc");
    r.err_has("< Set-Cookie: ***** (");
}

#[test]
fn show_secrets_shows_the_set_cookie() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", "Set-Cookie: sid=topsecret\r\n"));
    let r = inspect(&server.url("/"), &["--show-secrets"]);
    server.join();
    passes(&r);
    err_line(&r, "< Set-Cookie: sid=topsecret");
}

// ---------------------------------------------------------------- bytes past the header

#[test]
fn frame_in_the_same_write_as_the_101_is_kept_for_the_session() {
    let server = upgrade_then_close(|h| {
        let mut out = ok_101(h, "Switching Protocols", "");
        out.extend_from_slice(&[0x81, 0x02, b'h', b'i']);
        out
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    passes(&r);
    assert_eq!(r.stdout, "hi\n");
    r.err_lacks("< hi");
}

#[test]
fn close_in_the_same_write_as_the_101_ends_cleanly() {
    let server = RawServer::start(|mut s| {
        let head = read_head(&mut s);
        let mut out = ok_101(&head, "Switching Protocols", "");
        out.extend_from_slice(&[0x81, 0x02, b'h', b'i', 0x88, 0x02, 0x03, 0xe8]);
        s.write_all(&out).unwrap();
        read_until_client_close(&mut s)
    });
    let r = inspect(&server.url("/"), &[]);
    assert_eq!(server.join(), (vec![], Some(1000)), "wscheck answers the server's Close with 1000");
    r.code(0);
    r.err_has("* Close received: 1000 (normal closure)");
    assert_eq!(r.stdout, "hi\n");
}
