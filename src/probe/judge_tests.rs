//! The probe's grading (SPEC §12) on parsed answers: each expectation, each way to miss it.

use super::*;
use crate::handshake::Overlay;
use crate::probe::variant::catalogue;
use crate::target::Target;

fn variant(id: &str) -> Variant {
    // `-s chat` only where it is the point: every variant would offer it.
    let subprotocols = if id == "subprotocol-chat" { vec!["chat".into()] } else { Vec::new() };
    let overlay = Overlay { subprotocols, ..Default::default() };
    catalogue(&overlay).into_iter().find(|v| v.id == id).unwrap_or_else(|| panic!("no variant {id}"))
}

/// The outcome and message of `answer` (its `{accept}` filled in) to variant `id`.
fn judged(id: &str, answer: &str, baseline_ok: bool) -> Judged {
    let v = variant(id);
    let request = v.offer.render(&Target::parse("ws://example.com/chat").unwrap(), None);
    let accept = request.key.as_deref().map(|k| tungstenite::handshake::derive_accept_key(k.as_bytes()));
    let answer = answer.replace("{accept}", &accept.unwrap_or_default());
    let (buf, end) = crate::http1::read_head(&mut answer.as_bytes(), "--connect-timeout").unwrap();
    let response = crate::http1::parse(&buf, end).unwrap();
    answered(&v, &request, &response, Vec::new(), baseline_ok)
}

fn ok_101(extra: &str) -> String {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {{accept}}\r\n{extra}\r\n"
    )
}

fn outcome(id: &str, answer: &str) -> Outcome {
    judged(id, answer, true).outcome
}

#[test]
fn clients_expect_a_valid_101_and_a_refusal_names_the_baseline() {
    assert_eq!(outcome("curl", &ok_101("")), Outcome::Pass);
    let j = judged("firefox-legacy", "HTTP/1.1 400 Bad Request\r\n\r\n", true);
    assert_eq!((j.outcome, j.status), (Outcome::Fail, Some(400)));
    assert_eq!(j.message, "400 Bad Request: refused, though wscheck's own request was accepted");
    assert_eq!(judged("wscheck", "HTTP/1.1 403 Forbidden\r\n\r\n", false).message, "403 Forbidden: refused");
    let bad =
        judged("chrome", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", true);
    assert_eq!((bad.outcome, bad.rfc), (Outcome::Fail, Some("RFC 6455 §4.1")));
    assert!(bad.message.starts_with("101, but no Sec-WebSocket-Accept header"), "{}", bad.message);
    assert!(!bad.findings.is_empty());
}

#[test]
fn an_accepted_deflate_offer_is_judged_by_rfc_7692() {
    let fine =
        judged("chrome", &ok_101("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=12\r\n"), true);
    assert_eq!(fine.outcome, Outcome::Pass, "{}", fine.message);
    assert!(fine.message.contains("client_max_window_bits=12"), "{}", fine.message);
    let bad =
        judged("firefox", &ok_101("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n"), true);
    assert_eq!((bad.outcome, bad.rfc), (Outcome::Fail, Some("RFC 7692 §7.1")), "{}", bad.message);
    let bits =
        judged("deflate", &ok_101("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=16\r\n"), true);
    assert_eq!(bits.outcome, Outcome::Fail, "{}", bits.message);
    let declined = judged("deflate-no-context", &ok_101(""), true);
    assert_eq!(
        (declined.outcome, declined.message.as_str()),
        (Outcome::Pass, "101, valid, permessage-deflate declined")
    );
}

#[test]
fn versions_must_be_refused_naming_the_supported_ones() {
    let pass = judged("version-99", "HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13, 8\r\n\r\n", true);
    assert_eq!(
        (pass.outcome, pass.message.as_str()),
        (Outcome::Pass, "400 Bad Request with Sec-WebSocket-Version: 13, 8")
    );
    let missing = judged("version-99", "HTTP/1.1 426 Upgrade Required\r\n\r\n", true);
    assert_eq!(missing.outcome, Outcome::Fail, "{}", missing.message);
    assert_eq!(outcome("version-99", &ok_101("")), Outcome::Fail);
    assert_eq!(outcome("version-8", &ok_101("")), Outcome::Warn);
    assert_eq!(outcome("version-8", "HTTP/1.1 500 Oops\r\nSec-WebSocket-Version: 13\r\n\r\n"), Outcome::Warn);
}

#[test]
fn malformed_requests_are_refused_with_a_4xx_and_leniency_warns() {
    for id in ["no-key", "short-key", "http-1.0", "no-host"] {
        assert_eq!(outcome(id, "HTTP/1.1 400 Bad Request\r\n\r\n"), Outcome::Pass, "{id}");
        assert_eq!(outcome(id, &ok_101("")), Outcome::Warn, "{id}");
        assert_eq!(outcome(id, "HTTP/1.1 200 OK\r\n\r\n"), Outcome::Warn, "{id}");
    }
    assert_eq!(outcome("http-1.0", "HTTP/1.1 505 HTTP Version Not Supported\r\n\r\n"), Outcome::Pass);
    assert_eq!(outcome("no-host", "HTTP/1.1 505 HTTP Version Not Supported\r\n\r\n"), Outcome::Warn);
    assert_eq!(outcome("post", "HTTP/1.1 405 Method Not Allowed\r\n\r\n"), Outcome::Pass);
    assert_eq!(outcome("post", &ok_101("")), Outcome::Fail);
    assert_eq!(outcome("upgrade-case", "HTTP/1.1 400 Bad Request\r\n\r\n"), Outcome::Fail);
    assert_eq!(outcome("lower-case", &ok_101("")), Outcome::Pass);
}

#[test]
fn negotiation_and_origin() {
    assert_eq!(outcome("subprotocol-unknown", &ok_101("")), Outcome::Pass);
    assert_eq!(outcome("subprotocol-unknown", &ok_101("Sec-WebSocket-Protocol: x-wscheck-unknown\r\n")), Outcome::Warn);
    assert_eq!(outcome("subprotocol-unknown", &ok_101("Sec-WebSocket-Protocol: other\r\n")), Outcome::Fail);
    assert_eq!(outcome("subprotocol-unknown", "HTTP/1.1 400 Bad Request\r\n\r\n"), Outcome::Pass);
    assert_eq!(outcome("subprotocol-chat", &ok_101("Sec-WebSocket-Protocol: chat\r\n")), Outcome::Pass);
    assert_eq!(outcome("subprotocol-chat", &ok_101("")), Outcome::Warn);
    assert_eq!(outcome("foreign-origin", &ok_101("")), Outcome::Warn);
    assert_eq!(outcome("foreign-origin", "HTTP/1.1 403 Forbidden\r\n\r\n"), Outcome::Pass);
    assert_eq!(outcome("no-origin", &ok_101("")), Outcome::Pass);
    assert_eq!(outcome("no-origin", "HTTP/1.1 403 Forbidden\r\n\r\n"), Outcome::Pass);
    assert_eq!(outcome("no-origin", "HTTP/1.1 500 Oops\r\n\r\n"), Outcome::Warn);
}

#[test]
fn no_answer_fails_what_expects_a_101_and_warns_for_a_refusal() {
    let gone = Failure::because(Code::NoSwitch, Cause::NoAnswer, "the server closed the connection without answering");
    assert_eq!(unanswered(&variant("chrome"), &gone).outcome, Outcome::Fail);
    assert_eq!(unanswered(&variant("ping"), &gone).outcome, Outcome::Fail);
    let j = unanswered(&variant("http-1.0"), &gone);
    assert_eq!(j.outcome, Outcome::Warn);
    assert!(j.message.ends_with(": a 4xx would say why"), "{}", j.message);
}

#[test]
fn the_certificates_warning_is_the_servers_not_each_rows() {
    let v = variant("curl");
    let request = v.offer.render(&Target::parse("wss://example.com/chat").unwrap(), None);
    let accept = tungstenite::handshake::derive_accept_key(request.key.as_deref().unwrap().as_bytes());
    let answer = ok_101("").replace("{accept}", &accept);
    let (buf, end) = crate::http1::read_head(&mut answer.as_bytes(), "--connect-timeout").unwrap();
    let response = crate::http1::parse(&buf, end).unwrap();
    let expiring = Finding::fail(Check::Certificate, "the certificate expires in 3 days");
    let j = answered(&v, &request, &response, vec![expiring.clone()], true);
    assert_eq!(j.outcome, Outcome::Pass, "{}", j.message);
    assert_eq!(server_notes(&j.findings), ["the certificate expires in 3 days"]);
}
