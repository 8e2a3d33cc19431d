//! The RFC 6455 rules of SPEC §4 for a 101 answer, each checked and reported whether it
//! passes or fails, so the user sees every problem at once rather than the first one.
//! The subprotocol and extension rules are in `negotiation` (they hold over HTTP/2 too).

use tungstenite::handshake::derive_accept_key;

use super::negotiation;
use crate::event::{Check, Finding};
use crate::handshake::{Request, Response};

const CANONICAL: &[u8] = b"Switching Protocols";
/// Headers that must appear once at most in a handshake response.
const SINGLE: [&str; 5] =
    ["Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Version"];

/// Every check on a 101 response, in the order they are shown.
pub fn check(request: &Request, response: &Response) -> Vec<Finding> {
    let mut out = vec![
        Finding::pass(Check::Status101, "status 101: the server switched protocols"),
        reason_phrase(&response.reason),
        http_version(response),
    ];
    if !response.status_line_valid {
        out.push(Finding::fail(
            Check::StatusLine,
            "the status line has characters HTTP does not allow (control characters?): read leniently",
        ));
    }
    let hixie = draft_hixie(response);
    let is_hixie = !hixie.ok;
    out.push(upgrade(response));
    out.push(connection(response));
    out.push(accept(request, response, is_hixie));
    out.extend(negotiation::check(request, response));
    out.push(line_endings(response));
    out.push(duplicates(response));
    out.push(hixie);
    if !response.invalid_lines.is_empty() {
        let numbers: Vec<String> = response.invalid_lines.iter().map(|i| (i + 1).to_string()).collect();
        out.push(Finding::fail(
            Check::InvalidHeader,
            format!("line {} is not a valid header field (control characters?) and was ignored", numbers.join(", ")),
        ));
    }
    out
}

/// Network bytes in quotes, as message text (`escape::net`).
pub(super) fn quoted(bytes: &[u8]) -> String {
    format!("\"{}\"", crate::escape::net(bytes))
}

fn reason_phrase(reason: &[u8]) -> Finding {
    if reason == CANONICAL {
        return Finding::note(Check::ReasonPhrase, "reason phrase \"Switching Protocols\", the usual one");
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
    Finding::note(
        Check::ReasonPhrase,
        format!("{phrase}, not \"Switching Protocols\": fine, the phrase is free text; only the code 101 counts"),
    )
}

fn http_version(r: &Response) -> Finding {
    if r.version_number >= (1, 1) {
        Finding::pass(Check::HttpVersion, format!("{}: HTTP/1.1 or later", r.version))
    } else {
        Finding::fail(Check::HttpVersion, format!("{}: the upgrade needs HTTP/1.1 or later", r.version))
    }
}

fn upgrade(r: &Response) -> Finding {
    let tokens = r.tokens("Upgrade");
    if tokens.iter().any(|t| t.eq_ignore_ascii_case("websocket")) {
        return Finding::pass(Check::Upgrade, format!("Upgrade: {}", tokens.join(", ")));
    }
    let msg = if r.has("Upgrade") {
        format!("Upgrade is \"{}\", not \"websocket\"", tokens.join(", "))
    } else {
        "no Upgrade header: it must be \"websocket\"".to_string()
    };
    Finding::fail(Check::Upgrade, msg)
}

fn connection(r: &Response) -> Finding {
    let tokens = r.tokens("Connection");
    if tokens.iter().any(|t| t.eq_ignore_ascii_case("upgrade")) {
        return Finding::pass(Check::Connection, format!("Connection: {} (has \"upgrade\")", tokens.join(", ")));
    }
    let msg = if r.has("Connection") {
        format!("Connection is \"{}\": its tokens must include \"upgrade\"", tokens.join(", "))
    } else {
        "no Connection header: it must include \"upgrade\"".to_string()
    };
    Finding::fail(Check::Connection, msg)
}

fn accept(request: &Request, r: &Response, is_hixie: bool) -> Finding {
    let Some(key) = &request.key else {
        return Finding::fail(Check::Accept, "no Sec-WebSocket-Key was sent, so the Accept cannot be checked");
    };
    let expected = derive_accept_key(key.as_bytes());
    let got: Vec<&[u8]> = r.values("Sec-WebSocket-Accept").collect();
    match got.as_slice() {
        [] if is_hixie => Finding::fail(
            Check::Accept,
            format!("no Sec-WebSocket-Accept (a hixie server never sends one); expected \"{expected}\""),
        ),
        [] => Finding::fail(Check::Accept, format!("no Sec-WebSocket-Accept header; expected \"{expected}\"")),
        [one] if one.trim_ascii() == expected.as_bytes() => {
            Finding::pass(Check::Accept, format!("Sec-WebSocket-Accept is \"{expected}\", as expected"))
        }
        [one] => Finding::fail(
            Check::Accept,
            format!("Sec-WebSocket-Accept is wrong: expected \"{expected}\", got {}", quoted(one.trim_ascii())),
        ),
        many => {
            let all: Vec<String> = many.iter().map(|v| quoted(v.trim_ascii())).collect();
            Finding::fail(
                Check::Accept,
                format!(
                    "Sec-WebSocket-Accept given {} times ({}); expected one, \"{expected}\"",
                    many.len(),
                    all.join(", ")
                ),
            )
        }
    }
}

fn line_endings(r: &Response) -> Finding {
    let bare: Vec<String> =
        r.lines.iter().enumerate().filter(|(_, l)| l.bare_lf).map(|(i, _)| (i + 1).to_string()).collect();
    let end = "the empty line that ends the header ends in a bare LF, not CRLF";
    match (bare.is_empty(), r.end_bare_lf) {
        (true, false) => Finding::pass(Check::LineEndings, "every line ends in CRLF"),
        (true, true) => Finding::fail(Check::LineEndings, end),
        (false, end_too) => Finding::fail(
            Check::LineEndings,
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
    let twice: Vec<String> = SINGLE
        .iter()
        .filter_map(|name| {
            let n = r.values(name).count();
            (n > 1).then(|| format!("{name} ({n} times)"))
        })
        .collect();
    if twice.is_empty() {
        Finding::pass(Check::DuplicateHeader, "no handshake header is given twice")
    } else {
        Finding::fail(Check::DuplicateHeader, format!("given more than once: {}", twice.join(", ")))
    }
}

fn draft_hixie(r: &Response) -> Finding {
    let names = |list: &[&str]| -> Vec<String> { list.iter().filter(|n| r.has(n)).map(|n| n.to_string()).collect() };
    let hixie76 = names(&["Sec-WebSocket-Origin", "Sec-WebSocket-Location"]);
    let hixie75 = names(&["WebSocket-Origin", "WebSocket-Location"]);
    let no_accept = if r.has("Sec-WebSocket-Accept") { "" } else { " and no Sec-WebSocket-Accept" };
    let (draft, sent) = match (hixie76.is_empty(), hixie75.is_empty()) {
        (false, _) => ("hixie-76 (hybi-00)", hixie76),
        (true, false) => ("hixie-75", hixie75),
        (true, true) => return Finding::pass(Check::DraftHixie, "no pre-RFC (hixie-75/76) headers"),
    };
    Finding::fail(
        Check::DraftHixie,
        format!(
            "a pre-RFC {draft} server: it sent {}{no_accept}; it speaks the 2010 draft, not RFC 6455, and RFC 6455 clients cannot talk to it",
            sent.join(" and ")
        ),
    )
}

#[cfg(test)]
mod tests;
