//! For the checks' unit tests: requests built as wscheck builds them (from flag-like
//! arguments), responses parsed from bytes by the real parser, and the findings in between.

use super::{Verdict, judge};
use crate::event::Finding;
use crate::handshake::{Offer, Overlay, Request, Response};
use crate::http1 as parser;
use crate::target::Target;

/// The request wscheck sends to `ws://example.com/chat` with these flags (`-s`, `-H`, `-o`, `-u`).
pub fn request(args: &[&str]) -> Request {
    let mut overlay = Overlay::default();
    for pair in args.chunks(2) {
        let value = pair[1].to_string();
        match pair[0] {
            "-s" => overlay.subprotocols.push(value),
            "-H" => overlay.headers.push(Overlay::parse_header(&value).unwrap()),
            "-o" => overlay.origin = Some(value),
            "-u" => overlay.auth = value.split_once(':').map(|(u, p)| (u.to_string(), p.to_string())),
            other => panic!("no such test flag {other}"),
        }
    }
    let target = Target::parse("ws://example.com/chat").unwrap();
    let mut offer = Offer::wscheck(&overlay);
    offer.edit(&overlay.headers);
    offer.render(&target, None)
}

/// A response parsed from its bytes; what follows the header is taken as the body preview.
pub fn response(bytes: &[u8]) -> Response {
    let (buf, end) = parser::read_head(&mut &bytes[..], "--connect-timeout").unwrap();
    let mut r = parser::parse(&buf, end).unwrap();
    r.body = r.rest.clone();
    r
}

/// A valid 101 with `extra` header lines (each ending in CRLF); `{accept}` is filled in by [`verdict`].
pub fn ok_101(extra: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {{accept}}\r\n{extra}\r\n"
    )
    .into_bytes()
}

/// The verdict on `answer` to the request sent with `args`; `{accept}` in the answer becomes
/// the right Sec-WebSocket-Accept for the request's key.
pub fn verdict(args: &[&str], answer: &[u8]) -> Verdict {
    let request = request(args);
    let key = request.key.as_deref().unwrap_or_default();
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let mut bytes = Vec::with_capacity(answer.len());
    let mut rest = answer;
    while let Some(at) = rest.windows(8).position(|w| w == b"{accept}") {
        bytes.extend_from_slice(&rest[..at]);
        bytes.extend_from_slice(accept.as_bytes());
        rest = &rest[at + 8..];
    }
    bytes.extend_from_slice(rest);
    judge(&request, &response(&bytes), Vec::new())
}

/// The findings of [`verdict`].
pub fn exchange(args: &[&str], answer: &[u8]) -> Vec<Finding> {
    verdict(args, answer).findings
}

/// The one finding with this id (the test fails when there is none, or more than one).
pub fn find<'a>(found: &'a [Finding], id: &str) -> &'a Finding {
    let all: Vec<&Finding> = found.iter().filter(|f| f.id() == id).collect();
    match all.as_slice() {
        [one] => one,
        _ => panic!("{} findings {id} in {found:#?}", all.len()),
    }
}

/// The one finding `id` on `answer` to the request sent with `args`.
pub fn finding(args: &[&str], answer: &[u8], id: &str) -> Finding {
    find(&exchange(args, answer), id).clone()
}
