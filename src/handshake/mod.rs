//! The HTTP/1.1 upgrade exchange, done by wscheck itself so that every byte can be shown
//! and every rule checked: [`exchange`] writes the request and reads the answer; the
//! rules it is judged by are in `checks`.

pub mod offer;
pub mod request;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::event::{Event, Level, RawLine};
use crate::exit::{Cause, Code, Failure, Phase};
use crate::http1;
use crate::net::{Deadline, Stream};
pub use http1::Response;
pub use offer::{Offer, Overlay, Value};
pub use request::Request;

/// The most interim (1xx) answers read past before the next one is taken as the answer.
const MAX_INTERIM: usize = 8;

/// Write `request`, read the answer (and, for a non-101, the first bytes of its body) and
/// report both. The stream's deadline (set by `connect`) bounds the whole exchange; a
/// timeout names the limit of `deadline`.
pub fn exchange(
    stream: &mut Stream,
    request: &Request,
    show_secrets: bool,
    deadline: Deadline,
    emit: &mut dyn FnMut(Event),
) -> Result<Response, Failure> {
    let started = Instant::now();
    stream.write_all(&request.to_bytes()).and_then(|()| stream.flush()).map_err(|e| {
        let words = format!("could not send the request: {}", crate::words::os_words(&e));
        if e.kind() == std::io::ErrorKind::TimedOut {
            Failure::because(Code::Timeout, Cause::Timeout(Phase::Request), format!("{words}{}", deadline.aside()))
        } else {
            Failure::because(Code::NoSwitch, Cause::Io(e), words)
        }
    })?;
    emit(Event::Request { lines: request.display_lines(show_secrets), fields: None });

    let (buf, end) = http1::read_head(stream, deadline.limit()).map_err(|f| match (stream.is_tls(), &f.cause) {
        // Many TLS servers (OpenSSL's s_server, node's https) close a plain request unanswered.
        (false, Cause::NoAnswer) => {
            let words = "a TLS port closes a plain request like this: if this one speaks TLS, try wss://";
            Failure::because(f.code, Cause::NoAnswer, format!("{} ({words})", http1::NO_ANSWER))
        }
        _ => f,
    })?;
    let mut response = http1::parse(&buf, end)?;
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
        let (buf, end) = http1::read_head(&mut rest.chain(&mut *stream), deadline.limit())?;
        response = http1::parse(&buf, end)?;
    }
    let took = started.elapsed();
    let (body, body_truncated) = if response.status == 101 {
        (Vec::new(), false)
    } else {
        // The verdict is known; the body is only read to show what the server said, briefly.
        stream.shorten_deadline(Instant::now() + Duration::from_millis(1500));
        http1::read_body_preview(stream, &response)
    };
    response.body = body.clone();
    emit(response_event(&response, show_secrets, (body, body_truncated), took));
    Ok(response)
}

/// The `response` event for `response`: its lines and headers masked unless `show_secrets`,
/// with the body preview (bytes, truncated) and the time the header took.
fn response_event(response: &Response, show_secrets: bool, body: (Vec<u8>, bool), took: Duration) -> Event {
    let (lines, headers) = masked(response, show_secrets);
    Event::Response {
        version: response.version.clone(),
        status: response.status,
        reason: Some(response.reason.clone()),
        lines,
        headers,
        body: body.0,
        body_truncated: body.1,
        took,
    }
}

/// The raw lines and the (name, value) headers of `response` for the transcript, secrets
/// masked unless `show_secrets`: in the headers and in the raw lines they came from.
fn masked(response: &Response, show_secrets: bool) -> (Vec<RawLine>, Vec<(String, Vec<u8>)>) {
    let mut lines = response.lines.clone();
    let mut headers = Vec::with_capacity(response.headers.len());
    for h in &response.headers {
        let masked = if show_secrets { None } else { http1::auth::mask(&h.name, &h.value) };
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

/// `404 Not Found`, or just `404` when the server gave no reason phrase.
pub fn status_text(status: u16, reason: &[u8]) -> String {
    if reason.is_empty() { status.to_string() } else { format!("{status} {}", crate::escape::net(reason)) }
}
