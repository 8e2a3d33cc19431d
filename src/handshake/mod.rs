//! The HTTP/1.1 upgrade exchange, done by wscheck itself so that every byte can be shown
//! and every rule checked: write the request, read the answer, judge it.

pub mod explain;
pub mod findings;
pub mod request;
pub mod response;

use std::io::Write;
use std::time::{Duration, Instant};

use crate::connect::Stream;
use crate::event::{Event, Finding};
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
    let response = response::parse(&buf, end)?;
    let (body, body_truncated) = if response.status == 101 {
        (Vec::new(), false)
    } else {
        // The verdict is known; the body is only read to show what the server said, briefly.
        stream.tcp_mut().shorten_deadline(Instant::now() + Duration::from_millis(1500));
        response::read_body_preview(stream, &response)
    };
    emit(Event::Response {
        version: response.version.clone(),
        status: response.status,
        reason: response.reason.clone(),
        lines: response.lines.clone(),
        headers: response
            .headers
            .iter()
            .map(|h| {
                let value = match (show_secrets, request::mask(&h.name, &h.value)) {
                    (false, Some(masked)) => masked.into_bytes(),
                    _ => h.value.clone(),
                };
                (h.name.clone(), value)
            })
            .collect(),
        body,
        body_truncated,
    });

    let found: Vec<Finding> =
        if response.status == 101 { findings::check(request, &response) } else { explain::explain(&response) };
    let errors = found.iter().filter(|f| f.is_error()).count();
    for f in found {
        emit(Event::Finding(f));
    }
    let reason = String::from_utf8_lossy(&response.reason).into_owned();
    let (code, summary) = match (response.status, errors) {
        (101, 0) => (
            Code::Ok,
            format!(
                "the server switched to WebSocket ({} {reason}) and the handshake follows RFC 6455",
                response.status
            ),
        ),
        (101, n) => (
            Code::BadHandshake,
            format!(
                "the server answered 101, but the handshake breaks RFC 6455 ({n} error{}): a client must fail this connection",
                plural(n)
            ),
        ),
        (status, _) => (Code::NoSwitch, format!("the server did not switch protocols ({status} {reason})")),
    };
    emit(Event::Handshake { ok: code == Code::Ok, status: response.status, summary });
    Ok(Outcome { response, code })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
