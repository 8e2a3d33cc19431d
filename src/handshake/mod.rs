//! The HTTP/1.1 upgrade exchange, done by wscheck itself so that every byte can be shown
//! and every rule checked: [`exchange`] writes the request and reads the answer, [`judge`]
//! checks it and gives the verdict.

pub mod explain;
pub mod findings;
mod not_http;
pub mod offer;
pub mod request;
pub mod response;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::connect::Stream;
use crate::event::{Event, Finding, Level, RawLine};
use crate::exit::{Code, Failure};
pub use offer::{Offer, Overlay, Value};
pub use request::Request;
pub use response::Response;

/// The most interim (1xx) answers read past before the next one is taken as the answer.
const MAX_INTERIM: usize = 8;

/// Write `request`, read the answer (and, for a non-101, the first bytes of its body) and
/// report both. The stream's deadline (set by `connect`) bounds the whole exchange.
pub fn exchange(
    stream: &mut Stream,
    request: &Request,
    show_secrets: bool,
    emit: &mut dyn FnMut(Event),
) -> Result<Response, Failure> {
    let started = Instant::now();
    stream.write_all(&request.to_bytes()).and_then(|()| stream.flush()).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::TimedOut { Code::Timeout } else { Code::NoSwitch };
        Failure::new(code, format!("could not send the request: {}", crate::connect::os_words(&e)))
    })?;
    emit(Event::Request { lines: request.display_lines(show_secrets) });

    let (buf, end) = response::read_head(stream).map_err(|f| match stream {
        // Many TLS servers (OpenSSL's s_server, node's https) close a plain request unanswered.
        Stream::Plain(_) if f.message == response::NO_ANSWER => {
            let words = "a TLS port closes a plain request like this: if this one speaks TLS, try wss://";
            Failure::new(f.code, format!("{} ({words})", response::NO_ANSWER))
        }
        _ => f,
    })?;
    let mut response = response::parse(&buf, end)?;
    // RFC 9110 §15.2: a client must read past interim answers (100 Continue, 102, 103) to
    // the real one. Show each, then read on, starting with the bytes already received.
    let mut interim = 0;
    while (100..200).contains(&response.status) && response.status != 101 && interim < MAX_INTERIM {
        interim += 1;
        emit(response_event(&response, show_secrets, (Vec::new(), false), started.elapsed()));
        emit(Event::Note {
            level: Level::Info,
            text: format!(
                "{} is an interim answer: reading on to the real one (RFC 9110 §15.2)",
                status_text(response.status, &response.reason)
            ),
        });
        let rest = std::io::Cursor::new(std::mem::take(&mut response.rest));
        let (buf, end) = response::read_head(&mut rest.chain(&mut *stream))?;
        response = response::parse(&buf, end)?;
    }
    let took = started.elapsed();
    let (body, body_truncated) = if response.status == 101 {
        (Vec::new(), false)
    } else {
        // The verdict is known; the body is only read to show what the server said, briefly.
        stream.tcp_mut().shorten_deadline(Instant::now() + Duration::from_millis(1500));
        response::read_body_preview(stream, &response)
    };
    response.body = body.clone();
    emit(response_event(&response, show_secrets, (body, body_truncated), took));
    Ok(response)
}

/// The raw lines and the (name, value) headers of `response` for the transcript, secrets
/// The `response` event for `response`: its lines and headers masked unless `show_secrets`,
/// with the body preview (bytes, truncated) and the time the header took.
fn response_event(response: &Response, show_secrets: bool, body: (Vec<u8>, bool), took: Duration) -> Event {
    let (lines, headers) = masked(response, show_secrets);
    Event::Response {
        version: response.version.clone(),
        status: response.status,
        reason: response.reason.clone(),
        lines,
        headers,
        body: body.0,
        body_truncated: body.1,
        took,
    }
}

/// masked unless `show_secrets`: in the headers and in the raw lines they came from.
fn masked(response: &Response, show_secrets: bool) -> (Vec<RawLine>, Vec<(String, Vec<u8>)>) {
    let mut lines = response.lines.clone();
    let mut headers = Vec::with_capacity(response.headers.len());
    for h in &response.headers {
        let masked = if show_secrets { None } else { request::mask(&h.name, &h.value) };
        match masked {
            Some(m) => {
                // The masked text may carry the scheme's bytes as byte marks: back to bytes.
                let m = crate::escape::to_bytes(&m).into_owned();
                let mut bytes = format!("{}: ", h.name).into_bytes();
                bytes.extend_from_slice(&m);
                lines[h.line] = RawLine { bytes, bare_lf: lines[h.line].bare_lf };
                // An obsolete folded value goes on in the lines that follow.
                for l in lines[h.line + 1..].iter_mut().take_while(|l| matches!(l.bytes.first(), Some(b' ' | b'\t'))) {
                    l.bytes = b" *****".to_vec();
                }
                headers.push((h.name.clone(), m));
            }
            None => headers.push((h.name.clone(), h.value.clone())),
        }
    }
    (lines, headers)
}

/// Check the response against the request, report every finding (`extra` ones, such as
/// the certificate's, come last) and the verdict. Returns `Ok` for a valid 101,
/// `BadHandshake` for a 101 with error findings, `NoSwitch` otherwise.
pub fn judge(request: &Request, response: &Response, extra: Vec<Finding>, emit: &mut dyn FnMut(Event)) -> Code {
    let mut found =
        if response.status == 101 { findings::check(request, response) } else { explain::explain(request, response) };
    found.extend(extra);
    let errors = found.iter().filter(|f| f.is_error()).count();
    for f in found {
        emit(Event::Finding(f));
    }
    let status = response.status;
    let shown = status_text(status, &response.reason);
    let (code, summary) = match (status, errors) {
        (101, 0) => {
            (Code::Ok, format!("the server switched to WebSocket ({shown}) and the handshake follows RFC 6455"))
        }
        (101, n) => (
            Code::BadHandshake,
            format!(
                "the server answered 101, but the handshake breaks RFC 6455 ({}): a client must fail this connection",
                crate::words::count(n, "error")
            ),
        ),
        (_, _) => (Code::NoSwitch, format!("the server did not switch protocols ({shown})")),
    };
    emit(Event::Handshake { ok: code == Code::Ok, status, summary });
    code
}

/// `404 Not Found`, or just `404` when the server gave no reason phrase.
pub fn status_text(status: u16, reason: &[u8]) -> String {
    if reason.is_empty() { status.to_string() } else { format!("{status} {}", crate::escape::net(reason)) }
}
