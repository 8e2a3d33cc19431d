//! What a non-101 answer means, in words: the common statuses of a failed upgrade, told
//! from what was sent (the request) and what came back (status, headers, body).
//! Each explanation is a check of `Info` severity: it explains, it does not count.

use crate::event::{Check, Finding};
use crate::handshake::{Request, status_text};
use crate::http1::Response;

/// The failed `status-101` finding and, where the status is a common one, an explanation
/// (an `info` finding that is not ok: it tells why the upgrade failed).
pub fn explain(request: &Request, r: &Response) -> Vec<Finding> {
    let mut out = vec![Finding::fail(
        Check::Status101,
        format!("status {}, not 101: the server did not switch protocols", status_text(r.status, &r.reason)),
    )];
    if let Some(says) = plain_to_tls(&r.body) {
        out.push(Finding::fail(
            Check::WrongScheme,
            format!("the server says this port speaks TLS (\"{says}\"): try wss:// instead of ws://"),
        ));
        return out;
    }
    let header = |name: &str| r.first(name);
    let hint = match r.status {
        426 => Some((Check::Version, version(request, r))),
        300..=399 => Some((
            Check::Redirect,
            match header("Location") {
                Some(loc) => format!("a redirect to {loc}: follow it with -L"),
                None => "a redirect without a Location header".into(),
            },
        )),
        401 => Some((Check::AuthRequired, unauthorized(request, r))),
        403 => Some((Check::AuthForbidden, forbidden(request, r))),
        407 => {
            let asks = header("Proxy-Authenticate").map(|c| format!(": it asks for {c}")).unwrap_or_default();
            Some((
                Check::ProxyAuthRequired,
                format!("proxy authentication required{asks} (send -H 'Proxy-Authorization: …')"),
            ))
        }
        400 => Some((
            Check::BadRequest,
            "400 Bad Request: the server refused the upgrade request (often an Origin check, a missing parameter, or the wrong path)".into(),
        )),
        404 => Some((Check::NotFound, "404 Not Found: no WebSocket endpoint at this path".into())),
        200..=299 => Some((
            Check::NotWebsocket,
            format!("{}: an ordinary HTTP endpoint answered and ignored the Upgrade (wrong path, or a proxy that drops Upgrade)", r.status),
        )),
        500..=599 => Some((
            Check::ServerError,
            format!("{}: the server (or a proxy or gateway in front of it) failed", r.status),
        )),
        _ => None,
    };
    out.extend(hint.map(|(check, message)| Finding::fail(check, message)));
    out
}

/// What TLS servers answer to a plain HTTP request on their port, when they answer in HTTP:
/// nginx, Go's net/http, Apache. The words found, as the server wrote them.
fn plain_to_tls(body: &[u8]) -> Option<String> {
    const SAYINGS: [&str; 3] = [
        "The plain HTTP request was sent to HTTPS port",
        "Client sent an HTTP request to an HTTPS server",
        "speaking plain HTTP to an SSL-enabled server port",
    ];
    let text = String::from_utf8_lossy(body);
    SAYINGS.iter().find(|s| text.contains(*s)).map(|s| s.to_string())
}

/// The 426 explanation: the versions the server names, and what the request really sent.
fn version(request: &Request, r: &Response) -> String {
    let sent = request.header("Sec-WebSocket-Version");
    let sent_words = match sent {
        Some(v) => format!("the request sent version {v}"),
        None => "the request sent no Sec-WebSocket-Version header (RFC 6455 requires 13)".into(),
    };
    match (r.first("Sec-WebSocket-Version"), r.first("Upgrade")) {
        (Some(v), _) => {
            let offered = v.split(',').map(str::trim).any(|t| Some(t) == sent);
            let also =
                if offered { " — that one is on the server's list, so the refusal has another cause" } else { "" };
            format!("426 Upgrade Required: the server speaks WebSocket version {v}; {sent_words}{also}")
        }
        (None, Some(u)) => format!("426 Upgrade Required: the server wants Upgrade: {u}; {sent_words}"),
        (None, None) => {
            format!("426 Upgrade Required: the server wants an upgrade but names no version it supports; {sent_words}")
        }
    }
}

/// The 401 explanation: the challenge, and credentials to send — or, when some were sent,
/// that they were refused.
fn unauthorized(request: &Request, r: &Response) -> String {
    let asks = r.first("WWW-Authenticate").map(|c| format!("the server asks for {c}")).unwrap_or_default();
    let sent = sent_credentials(request);
    match (sent.is_empty(), asks.is_empty()) {
        (false, false) => format!("authentication required: the {sent} sent were refused; {asks}"),
        (false, true) => format!("authentication required: the {sent} sent were refused"),
        (true, false) => {
            format!("authentication required: {asks} (send credentials with -u USER:PASS or -H 'Authorization: …')")
        }
        (true, true) => "authentication required (send credentials with -u USER:PASS, -H 'Authorization: …' or \
                         -H 'Cookie: …')"
            .into(),
    }
}

/// The 403 explanation: a wrong path first (Starlette and FastAPI answer 403 where no
/// WebSocket route matches), then what the server may have refused, from what was sent.
fn forbidden(request: &Request, r: &Response) -> String {
    let origin = match request.header("Origin") {
        Some(o) => format!("the Origin {o}"),
        None => "a request without Origin (try -o ORIGIN)".into(),
    };
    let sent = sent_credentials(request);
    let credentials = if sent.is_empty() {
        "a request without credentials (try -u USER:PASS or -H 'Cookie: …')".to_string()
    } else {
        format!("the {sent} sent")
    };
    let asks = r.first("WWW-Authenticate").map(|c| format!("; the server asks for {c}")).unwrap_or_default();
    format!(
        "access forbidden: a wrong path is a common cause (Starlette and FastAPI answer 403 to a WebSocket on a path \
         with no route); otherwise the server refused {origin}, {credentials}, or the client's address{asks}"
    )
}

/// Which credentials the request carried: `Authorization`, `Cookie`, both, or none (empty).
fn sent_credentials(request: &Request) -> String {
    let names: Vec<&str> = ["Authorization", "Cookie"].into_iter().filter(|n| request.header(n).is_some()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!("credentials ({one})"),
        _ => format!("credentials ({})", names.join(" and ")),
    }
}

#[cfg(test)]
mod tests;
