//! The handshake rules of SPEC §4, each checked and reported whether it passes or fails,
//! so the user sees every problem at once rather than the first one.

use tungstenite::handshake::derive_accept_key;

use super::request::Request;
use crate::event::{Finding, Level};
use crate::http1::Response;

const RFC_CLIENT: &str = "RFC 6455 §4.1";
const CANONICAL: &[u8] = b"Switching Protocols";
/// Headers that must appear once at most in a handshake response.
const SINGLE: [&str; 5] =
    ["Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Version"];

/// Every check on a 101 response.
pub fn check(request: &Request, response: &Response) -> Vec<Finding> {
    let mut out = vec![
        Finding::pass("status-101", Level::Error, RFC_CLIENT, "status 101: the server switched protocols"),
        reason_phrase(&response.reason),
        http_version(response),
    ];
    if !response.status_line_valid {
        out.push(Finding::fail(
            "status-line",
            Level::Warning,
            "RFC 9112 §4",
            "the status line has characters HTTP does not allow (control characters?): read leniently",
        ));
    }
    let hixie = draft_hixie(response);
    let is_hixie = !hixie.ok;
    out.push(upgrade(response));
    out.push(connection(response));
    out.push(accept(request, response, is_hixie));
    out.push(subprotocol(request, response));
    out.push(extensions(request, response));
    out.extend(extensions_unsupported(request, response));
    out.push(line_endings(response));
    out.push(duplicates(response));
    out.push(hixie);
    if !response.invalid_lines.is_empty() {
        let numbers: Vec<String> = response.invalid_lines.iter().map(|i| (i + 1).to_string()).collect();
        out.push(Finding::fail(
            "invalid-header",
            Level::Warning,
            "RFC 9110 §5.5",
            format!("line {} is not a valid header field (control characters?) and was ignored", numbers.join(", ")),
        ));
    }
    out
}

/// Network bytes in quotes, as message text (`escape::net`).
fn quoted(bytes: &[u8]) -> String {
    format!("\"{}\"", crate::escape::net(bytes))
}

fn reason_phrase(reason: &[u8]) -> Finding {
    let rfc = "RFC 9110 §15.2.2";
    if reason == CANONICAL {
        return Finding::pass(
            "reason-phrase",
            Level::Info,
            rfc,
            "reason phrase \"Switching Protocols\", the usual one",
        );
    }
    let hixie = if reason.eq_ignore_ascii_case(b"Web Socket Protocol Handshake")
        || reason.eq_ignore_ascii_case(b"WebSocket Protocol Handshake")
    {
        " (hixie-era wording)"
    } else {
        ""
    };
    let phrase = if reason.is_empty() {
        "no reason phrase".to_string()
    } else {
        format!("reason phrase {}{hixie}", quoted(reason))
    };
    Finding::pass(
        "reason-phrase",
        Level::Info,
        rfc,
        format!("{phrase}, not \"Switching Protocols\": fine, the phrase is free text; only the code 101 counts"),
    )
}

fn http_version(r: &Response) -> Finding {
    let id = "http-version";
    if r.version_number >= (1, 1) {
        Finding::pass(id, Level::Error, RFC_CLIENT, format!("{}: HTTP/1.1 or later", r.version))
    } else {
        Finding::fail(id, Level::Error, RFC_CLIENT, format!("{}: the upgrade needs HTTP/1.1 or later", r.version))
    }
}

fn upgrade(r: &Response) -> Finding {
    let id = "upgrade";
    let tokens = r.tokens("Upgrade");
    if tokens.iter().any(|t| t.eq_ignore_ascii_case("websocket")) {
        return Finding::pass(id, Level::Error, RFC_CLIENT, format!("Upgrade: {}", tokens.join(", ")));
    }
    let msg = if r.has("Upgrade") {
        format!("Upgrade is \"{}\", not \"websocket\"", tokens.join(", "))
    } else {
        "no Upgrade header: it must be \"websocket\"".to_string()
    };
    Finding::fail(id, Level::Error, RFC_CLIENT, msg)
}

fn connection(r: &Response) -> Finding {
    let id = "connection";
    let tokens = r.tokens("Connection");
    if tokens.iter().any(|t| t.eq_ignore_ascii_case("upgrade")) {
        return Finding::pass(
            id,
            Level::Error,
            RFC_CLIENT,
            format!("Connection: {} (has \"upgrade\")", tokens.join(", ")),
        );
    }
    let msg = if r.has("Connection") {
        format!("Connection is \"{}\": its tokens must include \"upgrade\"", tokens.join(", "))
    } else {
        "no Connection header: it must include \"upgrade\"".to_string()
    };
    Finding::fail(id, Level::Error, RFC_CLIENT, msg)
}

fn accept(request: &Request, r: &Response, is_hixie: bool) -> Finding {
    let id = "accept";
    let Some(key) = &request.key else {
        return Finding::fail(
            id,
            Level::Error,
            RFC_CLIENT,
            "no Sec-WebSocket-Key was sent, so the Accept cannot be checked",
        );
    };
    let expected = derive_accept_key(key.as_bytes());
    let got: Vec<&[u8]> = r.values("Sec-WebSocket-Accept").collect();
    match got.as_slice() {
        [] if is_hixie => Finding::fail(
            id,
            Level::Error,
            RFC_CLIENT,
            format!("no Sec-WebSocket-Accept (a hixie server never sends one); expected \"{expected}\""),
        ),
        [] => Finding::fail(
            id,
            Level::Error,
            RFC_CLIENT,
            format!("no Sec-WebSocket-Accept header; expected \"{expected}\""),
        ),
        [one] if one.trim_ascii() == expected.as_bytes() => {
            Finding::pass(id, Level::Error, RFC_CLIENT, format!("Sec-WebSocket-Accept is \"{expected}\", as expected"))
        }
        [one] => Finding::fail(
            id,
            Level::Error,
            RFC_CLIENT,
            format!("Sec-WebSocket-Accept is wrong: expected \"{expected}\", got {}", quoted(one.trim_ascii())),
        ),
        many => {
            let all: Vec<String> = many.iter().map(|v| quoted(v.trim_ascii())).collect();
            Finding::fail(
                id,
                Level::Error,
                RFC_CLIENT,
                format!(
                    "Sec-WebSocket-Accept given {} times ({}); expected one, \"{expected}\"",
                    many.len(),
                    all.join(", ")
                ),
            )
        }
    }
}

fn subprotocol(request: &Request, r: &Response) -> Finding {
    let id = "subprotocol";
    let chosen = r.tokens("Sec-WebSocket-Protocol");
    let offered = &request.offered_protocols;
    match chosen.as_slice() {
        [] if offered.is_empty() => Finding::pass(id, Level::Error, RFC_CLIENT, "no subprotocol offered, none chosen"),
        [] => Finding::fail(
            id,
            Level::Warning,
            RFC_CLIENT,
            format!(
                "the server chose none of the offered subprotocols ({}); an application expecting one will fail",
                offered.join(", ")
            ),
        ),
        [one] if offered.iter().any(|o| o == one) => {
            Finding::pass(id, Level::Error, RFC_CLIENT, format!("the server chose the offered subprotocol \"{one}\""))
        }
        [one] if offered.is_empty() => Finding::fail(
            id,
            Level::Error,
            RFC_CLIENT,
            format!("the server chose subprotocol \"{one}\", but none was offered"),
        ),
        [one] => Finding::fail(
            id,
            Level::Error,
            RFC_CLIENT,
            format!("the server chose subprotocol \"{one}\", which was not offered ({})", offered.join(", ")),
        ),
        many => Finding::fail(
            id,
            Level::Error,
            RFC_CLIENT,
            format!("the server chose {} subprotocols ({}); it must choose one at most", many.len(), many.join(", ")),
        ),
    }
}

/// The names of the extensions the server's answer uses, in its order.
fn extension_names(r: &Response) -> Vec<String> {
    r.tokens("Sec-WebSocket-Extensions").iter().map(|e| e.split(';').next().unwrap_or("").trim().to_string()).collect()
}

fn extensions(request: &Request, r: &Response) -> Finding {
    let id = "extensions";
    let names = extension_names(r);
    let unoffered: Vec<&String> =
        names.iter().filter(|n| !request.offered_extensions.contains(&n.to_ascii_lowercase())).collect();
    if names.is_empty() {
        Finding::pass(id, Level::Error, RFC_CLIENT, "no extensions")
    } else if unoffered.is_empty() {
        Finding::pass(
            id,
            Level::Error,
            RFC_CLIENT,
            format!("the server agreed to extensions that were offered: {}", names.join(", ")),
        )
    } else {
        let list: Vec<&str> = unoffered.iter().map(|s| s.as_str()).collect();
        Finding::fail(
            id,
            Level::Error,
            RFC_CLIENT,
            format!("the server uses extensions that were not offered: {}", list.join(", ")),
        )
    }
}

/// Only shown when it fails: the server agreed to an offered extension (a `-H
/// 'Sec-WebSocket-Extensions: …'`), which wscheck does not implement, so the session cannot
/// read what the extension changes (permessage-deflate: compressed messages, RSV1 set).
/// The server is right to agree, so this is wscheck's limit, not a broken rule of the
/// server's: its own id, a warning, apart from `extensions`.
fn extensions_unsupported(request: &Request, r: &Response) -> Option<Finding> {
    let agreed: Vec<String> = extension_names(r)
        .into_iter()
        .filter(|n| request.offered_extensions.contains(&n.to_ascii_lowercase()))
        .collect();
    if agreed.is_empty() {
        return None;
    }
    let them = if agreed.len() == 1 { "it" } else { "them" };
    let changed =
        if agreed.iter().all(|n| n.eq_ignore_ascii_case("permessage-deflate")) { "compressed" } else { "changed" };
    Some(Finding::fail(
        "extensions-unsupported",
        Level::Warning,
        "RFC 6455 §9.1",
        format!(
            "the server agreed to {}, which wscheck does not implement yet: it cannot read messages {changed} by {them} \
             (the session fails at the first one); drop the -H 'Sec-WebSocket-Extensions' offer to talk without {them}",
            agreed.join(", ")
        ),
    ))
}

fn line_endings(r: &Response) -> Finding {
    let id = "line-endings";
    let rfc = "RFC 9112 §2.2";
    let bare: Vec<String> =
        r.lines.iter().enumerate().filter(|(_, l)| l.bare_lf).map(|(i, _)| (i + 1).to_string()).collect();
    let end = "the empty line that ends the header ends in a bare LF, not CRLF";
    match (bare.is_empty(), r.end_bare_lf) {
        (true, false) => Finding::pass(id, Level::Warning, rfc, "every line ends in CRLF"),
        (true, true) => Finding::fail(id, Level::Warning, rfc, end),
        (false, end_too) => Finding::fail(
            id,
            Level::Warning,
            rfc,
            format!(
                "{} of {} lines end in a bare LF, not CRLF (line {}){}",
                bare.len(),
                r.lines.len(),
                bare.join(", "),
                if end_too { ", and so does the empty line that ends the header" } else { "" }
            ),
        ),
    }
}

fn duplicates(r: &Response) -> Finding {
    let id = "duplicate-header";
    let rfc = "RFC 6455 §11.3";
    let twice: Vec<String> = SINGLE
        .iter()
        .filter_map(|name| {
            let n = r.values(name).count();
            (n > 1).then(|| format!("{name} ({n} times)"))
        })
        .collect();
    if twice.is_empty() {
        Finding::pass(id, Level::Warning, rfc, "no handshake header is given twice")
    } else {
        Finding::fail(id, Level::Warning, rfc, format!("given more than once: {}", twice.join(", ")))
    }
}

fn draft_hixie(r: &Response) -> Finding {
    let id = "draft-hixie";
    let rfc = "RFC 6455 §1.9";
    let names = |list: &[&str]| -> Vec<String> { list.iter().filter(|n| r.has(n)).map(|n| n.to_string()).collect() };
    let hixie76 = names(&["Sec-WebSocket-Origin", "Sec-WebSocket-Location"]);
    let hixie75 = names(&["WebSocket-Origin", "WebSocket-Location"]);
    let no_accept = if r.has("Sec-WebSocket-Accept") { "" } else { " and no Sec-WebSocket-Accept" };
    if !hixie76.is_empty() {
        Finding::fail(
            id,
            Level::Error,
            rfc,
            format!(
                "a pre-RFC hixie-76 (hybi-00) server: it sent {}{no_accept}; it speaks the 2010 draft, not RFC 6455, and RFC 6455 clients cannot talk to it",
                hixie76.join(" and ")
            ),
        )
    } else if !hixie75.is_empty() {
        Finding::fail(
            id,
            Level::Error,
            rfc,
            format!(
                "a pre-RFC hixie-75 server: it sent {}{no_accept}; it speaks the 2010 draft, not RFC 6455, and RFC 6455 clients cannot talk to it",
                hixie75.join(" and ")
            ),
        )
    } else {
        Finding::pass(id, Level::Error, rfc, "no pre-RFC (hixie-75/76) headers")
    }
}
