//! What a non-101 answer means, in words: the common statuses of a failed upgrade.

use super::response::Response;
use crate::event::{Finding, Level};

/// The failed `status-101` finding and, where the status is a common one, an explanation.
pub fn explain(r: &Response) -> Vec<Finding> {
    let mut out = vec![Finding::fail(
        "status-101",
        Level::Error,
        "RFC 6455 §4.1",
        format!("status {}, not 101: the server did not switch protocols", super::status_text(r.status, &r.reason)),
    )];
    let hint = |id: &'static str, rfc: &'static str, msg: String| Finding::fail(id, Level::Info, rfc, msg);
    let header = |name: &str| r.first(name);
    match r.status {
        426 => {
            let versions = header("Sec-WebSocket-Version");
            let msg = match versions {
                Some(v) => format!("426 Upgrade Required: the server speaks WebSocket version {v}; wscheck sent 13"),
                None => match header("Upgrade") {
                    Some(u) => format!("426 Upgrade Required: the server wants Upgrade: {u}"),
                    None => "426 Upgrade Required: the server wants an upgrade but names no version it supports".into(),
                },
            };
            out.push(hint("version", "RFC 6455 §4.4", msg));
        }
        300..=399 => {
            let msg = match header("Location") {
                Some(loc) => format!("a redirect to {loc}: follow it with -L"),
                None => "a redirect without a Location header".into(),
            };
            out.push(hint("redirect", "RFC 6455 §4.1", msg));
        }
        401 | 403 | 407 => {
            let challenge = header(if r.status == 407 { "Proxy-Authenticate" } else { "WWW-Authenticate" });
            let what = if r.status == 403 { "access forbidden (credentials, Origin or IP not accepted)" } else { "authentication required" };
            let msg = match challenge {
                Some(c) => format!("{what}: the server asks for {c} (send credentials with -H 'Authorization: …' or user:pass@ in the URL)"),
                None => format!("{what} (try -H 'Authorization: …', -H 'Cookie: …' or -o ORIGIN)"),
            };
            out.push(hint("auth", "RFC 9110 §11.6.1", msg));
        }
        400 => out.push(hint(
            "bad-request",
            "RFC 6455 §4.2.1",
            "400 Bad Request: the server refused the upgrade request (often an Origin check, a missing parameter, or the wrong path)".into(),
        )),
        404 => out.push(hint("not-found", "RFC 6455 §4.2.1", "404 Not Found: no WebSocket endpoint at this path".into())),
        200..=299 => out.push(hint(
            "not-websocket",
            "RFC 6455 §4.1",
            format!("{}: an ordinary HTTP endpoint answered and ignored the Upgrade (wrong path, or a proxy that drops Upgrade)", r.status),
        )),
        500..=599 => out.push(hint(
            "server-error",
            "RFC 9110 §15.6",
            format!("{}: the server (or a proxy or gateway in front of it) failed", r.status),
        )),
        _ => {}
    }
    out
}
