//! One hop over HTTP/2 (`--http2`, RFC 8441): connected as every hop is (`net::connect`:
//! proxies and the rest; wss:// offering `h2, http/1.1` by ALPN, ws:// as h2c with prior
//! knowledge), then the extended CONNECT — the [`Offer`] turned into HTTP/2 fields — under the
//! connection's deadline. What crossed the wire (the server's SETTINGS, the request, the
//! answer) is said to the sink as it was tapped; judging it is `checks::rfc8441`'s.

use std::io;
use std::os::fd::RawFd;
use std::time::Instant;

use crate::checks::rfc8441::H2Exchange;
use crate::event::{Event, Finding, Level, RawLine, Setting};
use crate::exit::{Cause, Code, Failure, Phase};
use crate::handshake::{Offer, Value};
use crate::http1::auth::mask;
use crate::http2::{self, Error, client};
use crate::limits::Limits;
use crate::net::{self, Connected, Deadline, Stream};
use crate::plan::Reach;
use crate::report::Sink;
use crate::target::{Scheme, Target};

/// What one HTTP/2 hop did: the exchange as the checks see it, and the stream it opened (on
/// a 2xx) or why it opened none.
pub struct H2Hop {
    pub exchange: H2Exchange,
    pub opened: Result<client::Bridge, Error>,
    /// What was learnt while connecting that the verdict should mention (the certificate's).
    pub findings: Vec<Finding>,
    pub place: Place,
}

/// Where the hop went, as its failures name it.
pub struct Place {
    pub authority: String,
    pub deadline: Deadline,
    /// h2c with prior knowledge (ws://), not h2 by ALPN.
    pub h2c: bool,
}

impl H2Hop {
    /// The `location` of a 3xx answer, for `-L`.
    pub fn redirect(&self) -> Option<String> {
        let status = self.exchange.status()?;
        let location = self.exchange.values("location").next()?;
        (300..400).contains(&status).then(|| crate::escape::net(location).trim().to_string())
    }
}

/// The connection is the transport HTTP/2 runs over, plain or TLS.
impl http2::Transport for Stream {
    fn socket(&self) -> RawFd {
        self.raw_fd()
    }
    // Through `--trace`'s tap too: what matters is the TLS session under it.
    fn alpn(&self) -> Option<Option<Vec<u8>>> {
        self.tls().map(|tls| tls.negotiated_alpn().ok().flatten())
    }
    fn close(&mut self) -> io::Result<()> {
        self.tls_mut().map_or(Ok(()), |tls| tls.shutdown())
    }
}

/// Connect to `target` as `reach` says and open the WebSocket over HTTP/2 with `offer`;
/// each step is said to `sink`. `Err` only when no HTTP/2 exchange could start (DNS, TCP,
/// TLS, a proxy); what went wrong in HTTP/2 is in [`H2Hop::opened`]. `force` sends the
/// CONNECT even when the server did not announce RFC 8441 (only the probe does, deliberately).
pub fn hop_h2(
    reach: &Reach,
    limits: &Limits,
    target: &Target,
    offer: &Offer,
    origin: Option<&str>,
    force: bool,
    sink: &mut dyn Sink,
) -> Result<H2Hop, Failure> {
    let mut emit = |e: Event| sink.emit(&e);
    let request = offer.render(target, origin);
    let (mut fields, dropped) = h2_fields(offer, &request.headers, target);
    fields.force = force;
    for warning in dropped {
        emit(Event::Note { level: Level::Warning, text: warning });
    }
    let mut opts = reach.connect_options(target)?;
    opts.tls.alpn_h2 = true;
    let deadline = limits.connection(Instant::now());
    let Connected { mut stream, certificate } = net::connect(target, &opts, deadline, &mut emit)?;
    // From here HTTP/2 keeps the time: the socket's own deadline would outlive the handshake.
    stream.clear_deadline().map_err(|e| Failure::because(Code::Internal, Cause::Io(e), "cannot set up the socket"))?;
    let alpn = http2::Transport::alpn(&stream).map(|a| a.map(|a| crate::escape::net(&a)));
    let started = Instant::now();
    let (wire, opened) = client::open(stream, fields, deadline.at);
    let took = started.elapsed();
    if let Some(settings) = &wire.settings {
        let settings = settings.iter().map(|s| Setting { id: s.id, name: s.name(), value: s.value }).collect();
        emit(Event::Settings { settings });
    }
    if let Some(sent) = &wire.request {
        emit(request_event(sent, reach.show_secrets));
    }
    if let Some(answer) = &wire.response {
        let body = match &opened {
            Err(Error::Status { body, .. }) => body.clone(),
            _ => Vec::new(),
        };
        emit(response_event(answer, body, reach.show_secrets, took));
    }
    let exchange = H2Exchange {
        alpn,
        settings: wire.settings.map(|list| list.iter().map(|s| (s.id, s.value)).collect()),
        offer: request,
        response: wire
            .response
            .map(|fields| fields.into_iter().map(|(n, v)| (String::from_utf8_lossy(&n).into_owned(), v)).collect()),
    };
    let findings = certificate.map_or_else(Vec::new, |c| {
        crate::checks::cert::findings(&c.info, c.names_host, &target.host, reach.tls.cert_warn_days)
    });
    let place = Place { authority: target.authority(), deadline, h2c: target.scheme == Scheme::Ws };
    Ok(H2Hop { exchange, opened, findings, place })
}

/// Headers HTTP/2 does not carry (RFC 9113 §8.2.2; RFC 8441 §5 has no key): dropped, with a
/// warning when the user asked for them with `-H`.
const NOT_IN_H2: [&str; 7] =
    ["upgrade", "connection", "sec-websocket-key", "keep-alive", "proxy-connection", "transfer-encoding", "te"];

/// The offer as HTTP/2 asks for it: `:authority` from `Host` (the URL's, or `-H`'s), the
/// URL's path, and the other headers in order with their names in lower case — without
/// the connection-specific ones and the key. Also a warning for each header of the user's
/// that is not sent.
pub fn h2_fields(offer: &Offer, rendered: &[(String, String)], target: &Target) -> (client::Offer, Vec<String>) {
    let mut authority = target.host_header.clone();
    let mut headers = Vec::new();
    let mut dropped = Vec::new();
    for ((name, value), (_, given)) in rendered.iter().zip(&offer.headers) {
        let lower = name.to_ascii_lowercase();
        if lower == "host" {
            authority = value.clone();
            continue;
        }
        if lower == "te" && value.eq_ignore_ascii_case("trailers") {
            headers.push((lower, value.clone().into_bytes()));
            continue;
        }
        if !NOT_IN_H2.contains(&lower.as_str()) {
            headers.push((lower, value.clone().into_bytes()));
            continue;
        }
        let generated = matches!((lower.as_str(), given), ("sec-websocket-key", Value::Key))
            || (lower == "upgrade" && *given == Value::from("websocket"))
            || (lower == "connection" && *given == Value::from("Upgrade"));
        if !generated {
            let why = if lower == "sec-websocket-key" {
                "there is no key (RFC 8441 §5)"
            } else {
                "connection-specific headers are not allowed there (RFC 9113 §8.2.2)"
            };
            dropped.push(format!("-H '{name}: {value}' is not sent over HTTP/2: {why}"));
        }
    }
    let scheme = if target.scheme == Scheme::Wss { "https" } else { "http" };
    let offer =
        client::Offer { scheme: scheme.into(), authority, path: target.resource.clone(), headers, force: false };
    (offer, dropped)
}

/// A field as a transcript line, `name: value`, credentials masked unless `show_secrets`.
fn shown(name: &[u8], value: &[u8], show_secrets: bool) -> (String, Vec<u8>) {
    let name = String::from_utf8_lossy(name).into_owned();
    let value = match mask(&name, value).filter(|_| !show_secrets) {
        Some(m) => crate::escape::to_bytes(&m).into_owned(),
        None => value.to_vec(),
    };
    (name, value)
}

/// The `request` event of an HTTP/2 request: its fields as lines (and a last empty one, as
/// an HTTP/1.1 request's header block ends), and as pairs.
fn request_event(sent: &[(Vec<u8>, Vec<u8>)], show_secrets: bool) -> Event {
    let fields: Vec<(String, String)> = sent
        .iter()
        .map(|(n, v)| {
            let (name, value) = shown(n, v, show_secrets);
            (name, String::from_utf8_lossy(&value).into_owned())
        })
        .collect();
    let mut lines: Vec<String> = fields.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    lines.push(String::new());
    Event::Request { lines, fields: Some(fields) }
}

/// The `response` event of an HTTP/2 answer: version `HTTP/2`, no reason phrase, the fields
/// as lines and as pairs (`:status` among them, first, as sent).
fn response_event(
    answer: &[(Vec<u8>, Vec<u8>)],
    body: Vec<u8>,
    show_secrets: bool,
    took: std::time::Duration,
) -> Event {
    let headers: Vec<(String, Vec<u8>)> = answer.iter().map(|(n, v)| shown(n, v, show_secrets)).collect();
    let lines =
        headers.iter().map(|(n, v)| RawLine { bytes: [n.as_bytes(), b": ", v].concat(), bare_lf: false }).collect();
    let status = answer
        .iter()
        .find(|(n, _)| n == b":status")
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse().ok())
        .unwrap_or(0);
    Event::Response {
        version: "HTTP/2".into(),
        status,
        reason: None,
        lines,
        headers,
        body,
        body_truncated: false,
        took,
    }
}

/// What the HTTP/2 client waits for first.
const SETTINGS: &str = "the server's SETTINGS";

/// The failure an HTTP/2 error is, in words, with its exit code (SPEC §7, §13): a server that
/// speaks HTTP/2 but does not accept WebSocket over it, or no HTTP/2 at all, is 5; a TLS alert 4.
pub fn failure(e: Error, place: &Place, exchange: &H2Exchange) -> Failure {
    let no_switch = |m: String| Failure::new(Code::NoSwitch, m);
    match e {
        Error::NoH2Alpn { ref selected } => no_switch(format!(
            "{e}: it does not speak HTTP/2 on this port{}",
            if selected.as_deref() == Some(b"http/1.1") { "; try without --http2" } else { "" }
        )),
        Error::NotHttp2 { ref first_bytes } => {
            let hint = if first_bytes.starts_with(b"HTTP/") {
                format!(
                    "it answered in HTTP/1.1 (\"{}\"): it does not speak HTTP/2 with prior knowledge (h2c) here; \
                     try without --http2, or wss:// for h2 by ALPN",
                    crate::escape::net(first_bytes.split(|&b| b == b'\r' || b == b'\n').next().unwrap_or_default())
                )
            } else if first_bytes.first().is_some_and(|b| (0x14..=0x17).contains(b)) {
                "its answer looks like TLS: try wss://".to_string()
            } else {
                format!("its first bytes: \"{}\"", crate::http1::preview(first_bytes))
            };
            no_switch(format!("{e}: {hint}"))
        }
        Error::Reset { .. } | Error::GoAway { .. } => {
            no_switch(format!("the server speaks HTTP/2 but did not accept WebSocket over it: {e}"))
        }
        Error::Malformed { code, .. } => {
            let found = crate::checks::rfc8441::connection_specific_fields(exchange);
            let why = if found.is_empty() {
                String::new()
            } else {
                format!(": HTTP/2 forbids connection-specific headers ({}; RFC 9113 §8.2.2)", found.join(", "))
            };
            no_switch(format!(
                "the HTTP/2 layer refused the answer as malformed and reset the stream (RST_STREAM {}){why}",
                http2::tap::error_name(code)
            ))
        }
        Error::NoConnectProtocol | Error::Status { .. } | Error::Protocol { .. } | Error::Refused(_) => {
            no_switch(e.to_string())
        }
        Error::Closed { waiting_for } => {
            let hint = if place.h2c && waiting_for == SETTINGS {
                ": a server that does not speak HTTP/2 with prior knowledge (h2c) closes so; try without --http2"
            } else {
                ""
            };
            Failure::because(Code::NoSwitch, Cause::NoAnswer, format!("{e}{hint}"))
        }
        Error::BadRequest(_) => Failure::new(Code::Usage, e.to_string()),
        Error::Io(io) => match net::tls_failure::alert_in(&io, &place.authority) {
            Some(tls) => tls,
            None => {
                let words = format!("the HTTP/2 exchange failed: {}", crate::words::os_words(&io));
                Failure::because(Code::NoSwitch, Cause::Io(io), words)
            }
        },
        Error::Timeout { waiting_for } => {
            place.deadline.timed_out(Phase::Response, &format!("waiting for {waiting_for}"))
        }
        Error::Internal(_) => Failure::new(Code::Internal, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::Overlay;

    fn fields(overlay: &Overlay, url: &str) -> (client::Offer, Vec<String>) {
        let target = Target::parse(url).unwrap();
        let mut offer = Offer::wscheck(overlay);
        offer.edit(&overlay.headers);
        let request = offer.render(&target, None);
        h2_fields(&offer, &request.headers, &target)
    }

    fn names(o: &client::Offer) -> Vec<&str> {
        o.headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn the_offer_without_what_http2_does_not_carry() {
        let overlay = Overlay {
            subprotocols: vec!["chat".into()],
            origin: Some("https://o.example".into()),
            auth: Some(("u".into(), "p".into())),
            headers: vec![("X-Trace".into(), "1".into())],
            deflate: true,
        };
        let (o, dropped) = fields(&overlay, "wss://h.example/a?b");
        assert_eq!((o.scheme.as_str(), o.authority.as_str(), o.path.as_str()), ("https", "h.example", "/a?b"));
        assert_eq!(
            names(&o),
            [
                "sec-websocket-version",
                "sec-websocket-protocol",
                "sec-websocket-extensions",
                "origin",
                "authorization",
                "user-agent",
                "x-trace"
            ]
        );
        assert!(dropped.is_empty(), "{dropped:?}");
        let (o, _) = fields(&Overlay::default(), "ws://h:8080/");
        assert_eq!((o.scheme.as_str(), o.authority.as_str()), ("http", "h:8080"));
    }

    #[test]
    fn headers_of_the_users_that_http2_forbids_are_dropped_with_a_warning() {
        let headers = vec![
            ("Connection".to_string(), "keep-alive, Upgrade".to_string()),
            ("Host".into(), "other.example".into()),
            ("Sec-WebSocket-Version".into(), "8".into()),
            ("TE".into(), "trailers".into()),
            ("Keep-Alive".into(), "5".into()),
        ];
        let (o, dropped) = fields(&Overlay { headers, ..Default::default() }, "ws://h/");
        assert_eq!(o.authority, "other.example", "-H Host: is the :authority");
        assert_eq!(names(&o), ["sec-websocket-version", "user-agent", "te"]);
        assert_eq!(o.headers[0].1, b"8");
        assert_eq!(
            dropped,
            [
                "-H 'Connection: keep-alive, Upgrade' is not sent over HTTP/2: connection-specific headers are not \
                 allowed there (RFC 9113 §8.2.2)",
                "-H 'Keep-Alive: 5' is not sent over HTTP/2: connection-specific headers are not allowed there \
                 (RFC 9113 §8.2.2)"
            ]
        );
        let key = vec![("Sec-WebSocket-Key".to_string(), "abc".to_string())];
        let (_, dropped) = fields(&Overlay { headers: key, ..Default::default() }, "ws://h/");
        assert_eq!(dropped, ["-H 'Sec-WebSocket-Key: abc' is not sent over HTTP/2: there is no key (RFC 8441 §5)"]);
    }

    #[test]
    fn credentials_are_masked_in_both_forms_of_the_request() {
        let sent =
            vec![(b":method".to_vec(), b"CONNECT".to_vec()), (b"authorization".to_vec(), b"Basic dTpw".to_vec())];
        let Event::Request { lines, fields } = request_event(&sent, false) else { panic!() };
        assert_eq!(lines, [":method: CONNECT", "authorization: Basic ***** (4 bytes)", ""]);
        assert_eq!(fields.unwrap()[1], ("authorization".to_string(), "Basic ***** (4 bytes)".to_string()));
        let Event::Request { lines, .. } = request_event(&sent, true) else { panic!() };
        assert_eq!(lines[1], "authorization: Basic dTpw");
    }
}
