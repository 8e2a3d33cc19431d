//! The HTTP/1.1 upgrade exchange, done by wscheck itself so that every byte can be shown
//! and every rule checked: write the request, read the answer, judge it.

pub mod explain;
pub mod findings;
pub mod request;
pub mod response;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::connect::Stream;
use crate::event::{Event, Finding, Level};
use crate::exit::{Code, Failure};
pub use request::{Request, RequestOptions};
pub use response::Response;

/// The result of the exchange: the response and the exit code its verdict implies.
#[derive(Debug)]
pub struct Outcome {
    pub response: Response,
    /// `Ok` for a valid 101, `BadHandshake` for a 101 with error findings, `NoSwitch` otherwise.
    pub code: Code,
}

/// The most interim (1xx) answers read past before the next one is taken as the answer.
const MAX_INTERIM: usize = 8;

/// Write `request`, read and judge the answer, reporting each step. The stream's
/// deadline (set by `connect`) bounds the whole exchange.
pub fn perform(
    stream: &mut Stream,
    request: &Request,
    show_secrets: bool,
    emit: &mut dyn FnMut(Event),
) -> Result<Outcome, Failure> {
    stream.write_all(&request.to_bytes()).and_then(|()| stream.flush()).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::TimedOut { Code::Timeout } else { Code::NoSwitch };
        Failure::new(code, format!("could not send the request: {}", crate::connect::os_words(&e)))
    })?;
    emit(Event::Request { lines: request.display_lines(show_secrets) });

    let (buf, end) = response::read_head(stream)?;
    let mut response = response::parse(&buf, end)?;
    // RFC 9110 §15.2: a client must read past interim answers (100 Continue, 102, 103) to
    // the real one. Show each, then read on, starting with the bytes already received.
    let mut interim = 0;
    while (100..200).contains(&response.status) && response.status != 101 && interim < MAX_INTERIM {
        interim += 1;
        emit(response_event(&response, show_secrets, Vec::new(), false));
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
    let (body, body_truncated) = if response.status == 101 {
        (Vec::new(), false)
    } else {
        // The verdict is known; the body is only read to show what the server said, briefly.
        stream.tcp_mut().shorten_deadline(Instant::now() + Duration::from_millis(1500));
        response::read_body_preview(stream, &response)
    };
    emit(response_event(&response, show_secrets, body, body_truncated));

    let found: Vec<Finding> =
        if response.status == 101 { findings::check(request, &response) } else { explain::explain(&response) };
    let errors = found.iter().filter(|f| f.is_error()).count();
    for f in found {
        emit(Event::Finding(f));
    }
    let status = status_text(response.status, &response.reason);
    let (code, summary) = match (response.status, errors) {
        (101, 0) => {
            (Code::Ok, format!("the server switched to WebSocket ({status}) and the handshake follows RFC 6455"))
        }
        (101, n) => (
            Code::BadHandshake,
            format!(
                "the server answered 101, but the handshake breaks RFC 6455 ({n} error{}): a client must fail this connection",
                plural(n)
            ),
        ),
        _ => (Code::NoSwitch, format!("the server did not switch protocols ({status})")),
    };
    emit(Event::Handshake { ok: code == Code::Ok, status: response.status, summary });
    Ok(Outcome { response, code })
}

/// `101 Switching Protocols`, or `101` alone when there is no reason phrase.
pub(crate) fn status_text(status: u16, reason: &[u8]) -> String {
    if reason.is_empty() { status.to_string() } else { format!("{status} {}", String::from_utf8_lossy(reason)) }
}

/// The `Response` event: credentials masked (unless asked) in the headers and in the raw
/// lines they came from, which would otherwise show them anyway.
fn response_event(r: &Response, show_secrets: bool, body: Vec<u8>, body_truncated: bool) -> Event {
    let mut lines = r.lines.clone();
    let mut headers = Vec::with_capacity(r.headers.len());
    for h in &r.headers {
        let value = match (show_secrets, request::mask(&h.name, &h.value)) {
            (false, Some(masked)) => {
                if let Some(line) = lines.get_mut(h.line) {
                    line.bytes = format!("{}: {masked}", h.name).into_bytes();
                }
                let folded =
                    lines.iter_mut().skip(h.line + 1).take_while(|l| matches!(l.bytes.first(), Some(b' ' | b'\t')));
                for line in folded {
                    line.bytes = b" *****".to_vec();
                }
                masked.into_bytes()
            }
            _ => h.value.clone(),
        };
        headers.push((h.name.clone(), value));
    }
    Event::Response {
        version: r.version.clone(),
        status: r.status,
        reason: r.reason.clone(),
        lines,
        headers,
        body,
        body_truncated,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
