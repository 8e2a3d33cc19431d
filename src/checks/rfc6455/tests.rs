//! Each RFC 6455 rule of a 101, passing and failing, on responses parsed from their bytes.

use crate::checks::testing::{exchange, finding, ok_101};
use crate::event::{Check, Finding, Level};

/// The finding `id` on `answer` to a plain request.
fn on(answer: &[u8], id: &str) -> Finding {
    finding(&[], answer, id)
}

fn passes(f: &Finding) {
    assert_eq!((f.level, f.ok), (Level::Ok, true), "{f:#?}");
}

fn fails(f: &Finding, level: Level, says: &str) {
    assert_eq!((f.level, f.ok), (level, false), "{f:#?}");
    assert!(f.message.contains(says), "{:?} does not say {says:?}", f.message);
}

#[test]
fn a_valid_101_passes_every_rule_in_order() {
    let found = exchange(&[], &ok_101(""));
    let ids: Vec<&str> = found.iter().map(Finding::id).collect();
    assert_eq!(
        ids,
        [
            "status-101",
            "reason-phrase",
            "http-version",
            "upgrade",
            "connection",
            "accept",
            "subprotocol",
            "extensions",
            "line-endings",
            "duplicate-header",
            "draft-hixie"
        ]
    );
    for f in found.iter().filter(|f| f.check != Check::ReasonPhrase) {
        passes(f);
    }
}

#[test]
fn reason_phrase_is_a_note_whatever_it_says() {
    let canonical = on(&ok_101(""), "reason-phrase");
    assert_eq!((canonical.level, canonical.ok), (Level::Info, true));
    assert_eq!(canonical.message, "reason phrase \"Switching Protocols\", the usual one");
    let hixie = on(b"HTTP/1.1 101 Web Socket Protocol Handshake\r\n\r\n", "reason-phrase");
    assert_eq!((hixie.level, hixie.ok), (Level::Info, true));
    assert!(hixie.message.starts_with("reason phrase \"Web Socket Protocol Handshake\" (hixie-era wording), not"));
    let none = on(b"HTTP/1.1 101\r\n\r\n", "reason-phrase");
    assert!(none.message.starts_with("no reason phrase, not \"Switching Protocols\""), "{}", none.message);
    // A 101 with any phrase still passes status-101.
    passes(&on(b"HTTP/1.1 101 Whatever\r\n\r\n", "status-101"));
}

#[test]
fn http_version() {
    passes(&on(&ok_101(""), "http-version"));
    fails(
        &on(b"HTTP/1.0 101 Switching Protocols\r\n\r\n", "http-version"),
        Level::Error,
        "HTTP/1.0: the upgrade needs",
    );
}

#[test]
fn status_line_is_only_shown_when_it_fails() {
    assert!(exchange(&[], &ok_101("")).iter().all(|f| f.check != Check::StatusLine));
    let f = on(b"HTTP/1.1 101 \x1b[31mOK\r\n\r\n", "status-line");
    fails(&f, Level::Warning, "characters HTTP does not allow");
}

#[test]
fn upgrade() {
    passes(&on(b"HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\n\r\n", "upgrade"));
    fails(&on(b"HTTP/1.1 101 OK\r\nUpgrade: h2c\r\n\r\n", "upgrade"), Level::Error, "Upgrade is \"h2c\", not");
    fails(&on(b"HTTP/1.1 101 OK\r\n\r\n", "upgrade"), Level::Error, "no Upgrade header");
}

#[test]
fn connection() {
    passes(&on(b"HTTP/1.1 101 OK\r\nConnection: keep-alive, UPGRADE\r\n\r\n", "connection"));
    fails(
        &on(b"HTTP/1.1 101 OK\r\nConnection: keep-alive\r\n\r\n", "connection"),
        Level::Error,
        "Connection is \"keep-alive\": its tokens must include",
    );
    fails(&on(b"HTTP/1.1 101 OK\r\n\r\n", "connection"), Level::Error, "no Connection header");
}

#[test]
fn accept() {
    passes(&on(&ok_101(""), "accept"));
    fails(&on(b"HTTP/1.1 101 OK\r\n\r\n", "accept"), Level::Error, "no Sec-WebSocket-Accept header; expected");
    let wrong = on(b"HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: abc\xff\r\n\r\n", "accept");
    fails(&wrong, Level::Error, "Sec-WebSocket-Accept is wrong: expected");
    assert!(wrong.message.ends_with(&format!("got \"abc{}\"", crate::escape::net(b"\xff"))), "{}", wrong.message);
    let twice = on(b"HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Accept: x\r\n\r\n", "accept");
    fails(&twice, Level::Error, "Sec-WebSocket-Accept given 2 times");
    let no_key = finding(&["-H", "Sec-WebSocket-Key:"], &ok_101(""), "accept");
    fails(&no_key, Level::Error, "no Sec-WebSocket-Key was sent");
}

#[test]
fn line_endings() {
    passes(&on(&ok_101(""), "line-endings"));
    let f = on(b"HTTP/1.1 101 OK\nUpgrade: websocket\r\nConnection: Upgrade\n\r\n", "line-endings");
    fails(&f, Level::Warning, "2 of 3 lines end in a bare LF, not CRLF (line 1, 3)");
    assert!(!f.message.contains("empty line"), "{}", f.message);
    let end = on(b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\n", "line-endings");
    fails(&end, Level::Warning, "the empty line that ends the header ends in a bare LF");
    let both = on(b"HTTP/1.1 101 OK\nUpgrade: websocket\r\n\n", "line-endings");
    fails(&both, Level::Warning, "(line 1), and so does the empty line");
}

#[test]
fn duplicate_header() {
    // Headers that are not handshake headers may repeat.
    passes(&on(&ok_101("X-Dup: 1\r\nX-Dup: 2\r\n"), "duplicate-header"));
    let f = on(
        &ok_101("Upgrade: websocket\r\nSec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: a\r\n"),
        "duplicate-header",
    );
    fails(&f, Level::Warning, "given more than once: Upgrade (2 times), Sec-WebSocket-Protocol (2 times)");
}

#[test]
fn draft_hixie() {
    passes(&on(&ok_101(""), "draft-hixie"));
    let h76 = b"HTTP/1.1 101 WebSocket Protocol Handshake\r\nSec-WebSocket-Origin: http://x\r\n\r\n";
    let f = on(h76, "draft-hixie");
    fails(
        &f,
        Level::Error,
        "a pre-RFC hixie-76 (hybi-00) server: it sent Sec-WebSocket-Origin and no Sec-WebSocket-Accept;",
    );
    // A hixie server's missing Accept is named as such.
    assert!(on(h76, "accept").message.contains("a hixie server never sends one"));
    let h75 = b"HTTP/1.1 101 OK\r\nWebSocket-Origin: http://x\r\nWebSocket-Location: ws://x/\r\n\r\n";
    fails(&on(h75, "draft-hixie"), Level::Error, "hixie-75 server: it sent WebSocket-Origin and WebSocket-Location");
}

#[test]
fn invalid_header_is_only_shown_when_it_fails() {
    assert!(exchange(&[], &ok_101("")).iter().all(|f| f.check != Check::InvalidHeader));
    let f = on(&ok_101("X-Evil: a\x1bb\r\n"), "invalid-header");
    fails(&f, Level::Warning, "line 5 is not a valid header field");
}

#[test]
fn every_finding_of_a_101_is_a_check_of_this_module_or_negotiation() {
    let bad = b"HTTP/1.0 101 \x1b\nUpgrade: x\nX: \x1b\r\n\n";
    let found = exchange(&["-s", "chat", "-H", "Sec-WebSocket-Extensions: x-a"], bad);
    assert!(found.iter().all(|f| f.check.severity() != Level::Info || f.check == Check::ReasonPhrase), "{found:#?}");
    assert!(found.iter().filter(|f| !f.ok).all(|f| f.level != Level::Ok && f.level != Level::Info));
}
