//! What each common non-101 status is explained as, from the bytes of the answer and the
//! request that was sent.

use crate::checks::testing::{exchange, find};
use crate::event::{Check, Finding, Level};

/// The findings on `answer` to the request sent with `args`: the failed `status-101` first.
fn explained(args: &[&str], answer: &[u8]) -> Vec<Finding> {
    let found = exchange(args, answer);
    let status = &found[0];
    assert_eq!((status.check, status.level, status.ok), (Check::Status101, Level::Error, false));
    assert!(status.message.ends_with(", not 101: the server did not switch protocols"), "{}", status.message);
    found
}

/// The one explanation of `answer`: an `info` that is not ok.
fn hint(args: &[&str], answer: &[u8]) -> Finding {
    let found = explained(args, answer);
    assert_eq!(found.len(), 2, "{found:#?}");
    let h = found[1].clone();
    assert_eq!((h.level, h.ok, h.check.severity()), (Level::Info, false, Level::Info), "{h:#?}");
    h
}

#[test]
fn status_101_fails_with_the_status_and_reason() {
    let found = explained(&[], b"HTTP/1.1 418 I'm a teapot\r\n\r\n");
    assert_eq!(found.len(), 1, "no explanation for an uncommon status: {found:#?}");
    assert_eq!(found[0].message, "status 418 I'm a teapot, not 101: the server did not switch protocols");
    let bare = explained(&[], b"HTTP/1.1 418\r\n\r\n");
    assert_eq!(bare[0].message, "status 418, not 101: the server did not switch protocols");
}

#[test]
fn version_426() {
    let h = hint(&[], b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 8, 7\r\n\r\n");
    assert_eq!(h.check, Check::Version);
    assert_eq!(
        h.message,
        "426 Upgrade Required: the server speaks WebSocket version 8, 7; the request sent version 13"
    );
    let listed = hint(&[], b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n");
    assert!(listed.message.ends_with("that one is on the server's list, so the refusal has another cause"));
    let upgrade = hint(&["-H", "Sec-WebSocket-Version:"], b"HTTP/1.1 426 Upgrade Required\r\nUpgrade: TLS/1.2\r\n\r\n");
    assert_eq!(
        upgrade.message,
        "426 Upgrade Required: the server wants Upgrade: TLS/1.2; the request sent no Sec-WebSocket-Version header \
         (RFC 6455 requires 13)"
    );
    let none = hint(&[], b"HTTP/1.1 426 Upgrade Required\r\n\r\n");
    assert!(none.message.contains("names no version it supports"), "{}", none.message);
}

#[test]
fn redirect_3xx() {
    let h = hint(&[], b"HTTP/1.1 301 Moved\r\nLocation: /elsewhere\r\n\r\n");
    assert_eq!((h.check, h.message.as_str()), (Check::Redirect, "a redirect to /elsewhere: follow it with -L"));
    let h = hint(&[], b"HTTP/1.1 308 Permanent Redirect\r\n\r\n");
    assert_eq!(h.message, "a redirect without a Location header");
}

#[test]
fn auth_401_tells_what_to_send_or_that_it_was_refused() {
    let challenge = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n";
    let h = hint(&[], challenge);
    assert_eq!((h.check, h.id(), h.rfc()), (Check::AuthRequired, "auth", "RFC 9110 §11.6.1"));
    assert!(h.message.contains("the server asks for Basic realm=\"x\" (send credentials with -u"), "{}", h.message);
    let refused = hint(&["-u", "a:b"], challenge);
    assert!(refused.message.contains("the credentials (Authorization) sent were refused; the server asks for"));
    let both = hint(&["-u", "a:b", "-H", "Cookie: c=1"], b"HTTP/1.1 401 Unauthorized\r\n\r\n");
    assert_eq!(both.message, "authentication required: the credentials (Authorization and Cookie) sent were refused");
    let bare = hint(&[], b"HTTP/1.1 401 Unauthorized\r\n\r\n");
    assert!(bare.message.contains("-H 'Cookie: …'"), "{}", bare.message);
}

#[test]
fn auth_403_names_what_was_sent() {
    let h = hint(&[], b"HTTP/1.1 403 Forbidden\r\n\r\n");
    assert_eq!((h.check, h.id(), h.rfc()), (Check::AuthForbidden, "auth", "RFC 9110 §15.5.4"));
    assert!(h.message.starts_with("access forbidden: a wrong path is a common cause"), "{}", h.message);
    assert!(h.message.contains("a request without Origin (try -o ORIGIN), a request without credentials"));
    let sent =
        hint(&["-o", "http://a", "-H", "Cookie: x=1"], b"HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer\r\n\r\n");
    assert!(sent.message.contains(
        "the Origin http://a, the credentials (Cookie) sent, or the client's address; the server asks for Bearer"
    ));
}

#[test]
fn auth_407_is_the_proxys() {
    let h = hint(&[], b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n");
    assert_eq!((h.check, h.id(), h.rfc()), (Check::ProxyAuthRequired, "auth", "RFC 9110 §11.7.1"));
    assert_eq!(h.message, "proxy authentication required: it asks for Basic (send -H 'Proxy-Authorization: …')");
}

#[test]
fn the_other_common_statuses() {
    for (answer, check, says) in [
        (&b"HTTP/1.1 400 Bad Request\r\n\r\n"[..], Check::BadRequest, "400 Bad Request: the server refused"),
        (b"HTTP/1.1 404 Not Found\r\n\r\n", Check::NotFound, "no WebSocket endpoint at this path"),
        (b"HTTP/1.1 200 OK\r\n\r\n", Check::NotWebsocket, "200: an ordinary HTTP endpoint"),
        (b"HTTP/1.1 204 No Content\r\n\r\n", Check::NotWebsocket, "204: an ordinary HTTP endpoint"),
        (b"HTTP/1.1 502 Bad Gateway\r\n\r\n", Check::ServerError, "502: the server (or a proxy or gateway"),
    ] {
        let h = hint(&[], answer);
        assert_eq!(h.check, check);
        assert!(h.message.starts_with(says) || h.message.contains(says), "{}", h.message);
    }
}

#[test]
fn wrong_scheme_from_the_body_replaces_the_status_explanation() {
    for says in [
        "The plain HTTP request was sent to HTTPS port",
        "Client sent an HTTP request to an HTTPS server",
        "speaking plain HTTP to an SSL-enabled server port",
    ] {
        let answer = format!("HTTP/1.1 400 Bad Request\r\n\r\n<html>{says}</html>");
        let h = hint(&[], answer.as_bytes());
        assert_eq!(h.check, Check::WrongScheme);
        assert_eq!(
            h.message,
            format!("the server says this port speaks TLS (\"{says}\"): try wss:// instead of ws://")
        );
    }
    // Without those words, a 400 is a 400.
    assert_eq!(hint(&[], b"HTTP/1.1 400 Bad Request\r\n\r\nplain HTTP").check, Check::BadRequest);
}

#[test]
fn a_non_101_has_no_rfc6455_findings() {
    let found = explained(&[], b"HTTP/1.1 404 Not Found\r\nUpgrade: websocket\r\n\r\n");
    assert!(found.iter().all(|f| f.check != Check::Upgrade && f.check != Check::Accept));
    assert!(find(&found, "not-found").message.contains("404"));
}
