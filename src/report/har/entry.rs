//! One HAR entry per hop: the events from a `connect` up to the next one are a connection
//! and its exchange (a redirect is a hop of its own). A hop whose request was never sent
//! (refused, TLS failed) has no entry; a request with no answer has one with status 0 and
//! `_error`, as Chrome writes a failed request.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::Stamped;
use crate::event::{Address, Direction, Event, Kind};

/// The entries of the hops in `events`, in order.
pub fn entries(events: &[Stamped]) -> Vec<Value> {
    let mut hops: Vec<&[Stamped]> = Vec::new();
    let mut start = None;
    for (i, s) in events.iter().enumerate() {
        // A hop starts at its connect, or at a request when the hop before already had one.
        let begins = match &s.event {
            Event::Connect { .. } => true,
            Event::Request { .. } => start.is_none_or(|from| has_request(&events[from..i])),
            _ => false,
        };
        if begins {
            if let Some(from) = start {
                hops.push(&events[from..i]);
            }
            start = Some(i);
        }
    }
    if let Some(from) = start {
        hops.push(&events[from..]);
    }
    hops.into_iter().filter_map(entry).collect()
}

fn has_request(events: &[Stamped]) -> bool {
    events.iter().any(|s| matches!(s.event, Event::Request { .. }))
}

/// Milliseconds, to the microsecond, as HAR counts time.
fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// The entry of one hop, if its request was sent.
fn entry(hop: &[Stamped]) -> Option<Value> {
    let (sent_at, lines) = hop.iter().find_map(|s| match &s.event {
        Event::Request { lines, .. } => Some((s.at, lines)),
        _ => None,
    })?;
    let mut connect = None;
    let mut ssl = None;
    let mut response = None;
    let mut error = None;
    let mut summary = None;
    let mut messages = Vec::new();
    for s in hop {
        match &s.event {
            Event::Connect { host, port, addr, dns, tcp, .. } => connect = Some((s.at, host, *port, addr, *dns, *tcp)),
            Event::Tls(info) => ssl = Some(info.took),
            // The last answer is the answer (interim 1xx ones come before it).
            Event::Response { .. } => response = Some(s),
            Event::Error { message, .. } => error = Some((s.at, message.clone())),
            Event::Handshake { summary: text, .. } => summary = Some(text.clone()),
            Event::Message { direction, kind, data, .. } => messages.push(message(s.at, *direction, *kind, data)),
            Event::Close { direction, code, reason, .. } => {
                let mut payload = code.map(|c| c.to_be_bytes().to_vec()).unwrap_or_default();
                payload.extend_from_slice(reason.as_bytes());
                messages.push(ws_message(s.at, *direction, 8, base64(&payload)));
            }
            _ => {}
        }
    }
    let authority = connect.map(|(_, host, port, ..)| crate::target::authority(host, port));
    let request = request(lines, ssl.is_some(), authority.as_deref());
    let (dns, tcp) = connect.map_or((None, Duration::ZERO), |c| (c.4, c.5));
    let started = connect.map_or(sent_at, |c| c.0.checked_sub(dns.unwrap_or_default() + tcp).unwrap_or(c.0));
    let wait = match (response, &error) {
        (Some(r), _) => match &r.event {
            Event::Response { took, .. } => ms(*took),
            _ => 0.0,
        },
        (None, Some((at, _))) => ms(at.duration_since(sent_at).unwrap_or_default()),
        (None, None) => 0.0,
    };
    let ssl_ms = ssl.map_or(-1.0, ms);
    let connect_ms = ms(tcp) + ssl_ms.max(0.0);
    let dns_ms = dns.map_or(-1.0, ms);
    let time = dns_ms.max(0.0) + connect_ms + wait;
    let response = match response.map(|r| &r.event) {
        Some(Event::Response { version, status, reason, headers, body, body_truncated, .. }) => {
            answer(version, *status, reason.as_deref().unwrap_or_default(), headers, body, *body_truncated)
        }
        _ => failed(error.map(|e| e.1)),
    };
    let mut entry = json!({
        "startedDateTime": date_time(started),
        "time": (time * 1e3).round() / 1e3,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {
            "blocked": -1,
            "dns": dns_ms,
            "connect": connect_ms,
            "ssl": ssl_ms,
            "send": 0,
            "wait": wait,
            "receive": 0,
        },
        "_resourceType": "websocket",
        "_webSocketMessages": messages,
    });
    // A Unix socket has no address for HAR's `serverIPAddress` (an IPv4 or IPv6 address).
    if let Some((.., Address::Ip(addr), _, _)) = connect {
        entry["serverIPAddress"] = Value::String(addr.ip().to_string());
    }
    if let Some(summary) = summary {
        entry["comment"] = Value::String(summary);
    }
    Some(entry)
}

/// The request as HAR has it, from the lines shown (credentials masked unless
/// `--show-secrets`): an HTTP/1.1 request line and headers, or HTTP/2's pseudo-headers.
fn request(lines: &[String], tls: bool, connected: Option<&str>) -> Value {
    let h2 = lines.first().is_some_and(|l| l.starts_with(':'));
    let fields: Vec<(String, String)> =
        lines.iter().skip(usize::from(!h2)).filter(|l| !l.is_empty()).map(|l| split_field(l)).collect();
    let field = |name: &str| fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let scheme = if tls { "wss" } else { "ws" };
    let (method, target, version, authority) = match field(":method") {
        Some(method) => {
            let scheme_of = field(":scheme");
            let scheme = match scheme_of.as_deref() {
                Some("https") => "wss",
                Some("http") => "ws",
                _ => scheme,
            };
            let authority = field(":authority").or_else(|| connected.map(str::to_string)).unwrap_or_default();
            (method, field(":path").unwrap_or_else(|| "/".into()), "HTTP/2".to_string(), (scheme, authority))
        }
        None => {
            let first = lines.first().map(String::as_str).unwrap_or_default();
            let mut words = first.split(' ');
            let method = words.next().unwrap_or_default().to_string();
            let target = words.next().unwrap_or("/").to_string();
            let version = words.next().unwrap_or_default().to_string();
            let authority = field("Host").or_else(|| connected.map(str::to_string)).unwrap_or_default();
            (method, target, version, (scheme, authority))
        }
    };
    let url =
        if target.contains("://") { target.clone() } else { format!("{}://{}{target}", authority.0, authority.1) };
    json!({
        "method": method,
        "url": url,
        "httpVersion": version,
        "cookies": [],
        "headers": fields.iter().map(|(n, v)| json!({ "name": n, "value": v })).collect::<Vec<_>>(),
        "queryString": query(&target),
        "headersSize": -1,
        "bodySize": 0,
    })
}

/// `Name: value` as (name, value); a pseudo-header's name keeps its leading colon.
fn split_field(line: &str) -> (String, String) {
    let from = usize::from(line.starts_with(':'));
    match line[from..].find(':') {
        Some(i) => (line[..from + i].to_string(), line[from + i + 1..].trim_start().to_string()),
        None => (line.to_string(), String::new()),
    }
}

/// The query of a request target as (name, value) pairs, percent-decoded.
fn query(target: &str) -> Vec<Value> {
    let Some((_, q)) = target.split_once('?') else { return Vec::new() };
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            json!({ "name": decode(n), "value": decode(v) })
        })
        .collect()
}

/// The server's answer: status line, headers in wire order (masked as shown), the first
/// bytes of a refusal's body.
fn answer(version: &str, status: u16, reason: &[u8], headers: &[(String, Vec<u8>)], body: &[u8], cut: bool) -> Value {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| text(v));
    let mut content = json!({
        "size": body.len(),
        "mimeType": header("Content-Type").unwrap_or_else(|| "x-unknown".into()),
    });
    if !body.is_empty() {
        content["text"] = Value::String(text(body));
    }
    if cut {
        content["comment"] = Value::String("only the first bytes of the body were read".into());
    }
    let redirect = header("Location").filter(|_| (300..400).contains(&status)).unwrap_or_default();
    json!({
        "status": status,
        "statusText": text(reason),
        "httpVersion": version,
        "cookies": [],
        "headers": headers.iter().map(|(n, v)| json!({ "name": n, "value": text(v) })).collect::<Vec<_>>(),
        "content": content,
        "redirectURL": redirect,
        "headersSize": -1,
        "bodySize": if cut { -1 } else { body.len() as i64 },
    })
}

/// No answer: status 0 and what went wrong, as Chrome writes a failed request.
fn failed(error: Option<String>) -> Value {
    json!({
        "status": 0,
        "statusText": "",
        "httpVersion": "",
        "cookies": [],
        "headers": [],
        "content": { "size": 0, "mimeType": "x-unknown" },
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": -1,
        "_error": error.unwrap_or_else(|| "no answer".into()),
    })
}

fn message(at: SystemTime, direction: Direction, kind: Kind, data: &[u8]) -> Value {
    match kind {
        Kind::Text => ws_message(at, direction, 1, String::from_utf8_lossy(data).into_owned()),
        Kind::Binary => ws_message(at, direction, 2, base64(data)),
        Kind::Ping => ws_message(at, direction, 9, base64(data)),
        Kind::Pong => ws_message(at, direction, 10, base64(data)),
    }
}

fn ws_message(at: SystemTime, direction: Direction, opcode: u8, data: String) -> Value {
    let time = at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
    let kind = if direction == Direction::Sent { "send" } else { "receive" };
    json!({ "type": kind, "time": time, "opcode": opcode, "data": data })
}

fn base64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

/// ISO 8601 in UTC with milliseconds, as HAR's `startedDateTime`: `2026-01-02T03:04:05.678Z`.
pub(super) fn date_time(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}
