//! `--json`: one object per event on stdout, with `type` and `elapsed_ms` first (SPEC §6).

use std::io::{self, Write};
use std::time::Duration;

use serde_json::{Value, json};

use crate::event::{Event, Finding, Kind};

pub fn render(event: &Event, elapsed: Duration, out: &mut impl Write) -> io::Result<()> {
    let (kind, body) = fields(event);
    let elapsed_ms = ms(elapsed);
    let rest = body.to_string();
    let rest = rest.strip_prefix('{').unwrap_or("}");
    let sep = if rest == "}" { "" } else { "," };
    writeln!(out, "{{\"type\":\"{kind}\",\"elapsed_ms\":{elapsed_ms}{sep}{}", terminal_safe(rest))
}

/// serde_json leaves C1 controls, bidi overrides and zero-width characters as they are; a
/// JSON line read on a terminal must not carry them raw, so they become `\uXXXX` escapes
/// (they can only occur inside strings, where the escape means the same character).
fn terminal_safe(json: &str) -> std::borrow::Cow<'_, str> {
    let risky = |c: char| matches!(c, '\u{80}'..='\u{9f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}');
    if !json.chars().any(risky) {
        return json.into();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if risky(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into()
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

pub fn finding(f: &Finding) -> Value {
    json!({"id": f.id, "level": f.level.as_str(), "ok": f.ok, "message": f.message, "rfc": f.rfc})
}

fn fields(event: &Event) -> (&'static str, Value) {
    match event {
        Event::Note { level, text } => ("note", json!({"level": level.as_str(), "message": text})),
        Event::Connect { host, port, addr, proxy, dns, tcp } => (
            "connect",
            json!({"host": host, "port": port, "address": addr.to_string(), "proxy": proxy,
                   "dns_ms": dns.map(ms), "tcp_ms": ms(*tcp)}),
        ),
        Event::Proxy { request, response, status } => (
            "proxy",
            json!({"request": request, "status": status, "response": response.iter().map(|l| lossy(&l.bytes)).collect::<Vec<_>>()}),
        ),
        Event::Tls(t) => (
            "tls",
            json!({
                "insecure": t.insecure,
                "alpn": t.alpn,
                "tls_ms": ms(t.took),
                "certificate": t.certificate.as_ref().map(|c| json!({
                    "subject": c.subject, "issuer": c.issuer, "sans": c.sans,
                    "not_after": c.not_after, "days_left": c.days_left,
                })),
            }),
        ),
        Event::Request { lines } => ("request", json!({"lines": lines})),
        Event::Response { version, status, reason, lines, headers, body, body_truncated, took } => (
            "response",
            json!({
                "version": version,
                "status": status,
                "reason": lossy(reason),
                "lines": lines.iter().map(|l| lossy(&l.bytes)).collect::<Vec<_>>(),
                "headers": headers.iter().map(|(n, v)| json!([n, lossy(v)])).collect::<Vec<_>>(),
                "body": lossy(body),
                "body_truncated": body_truncated,
                "http_ms": ms(*took),
            }),
        ),
        Event::Finding(f) => ("finding", finding(f)),
        Event::Handshake { ok, status, summary } => {
            ("handshake", json!({"ok": ok, "status": status, "summary": summary}))
        }
        Event::Message { direction, kind, data } => {
            let mut v = json!({"direction": direction.as_str(), "kind": kind.as_str()});
            match (kind, std::str::from_utf8(data)) {
                (Kind::Text, Ok(text)) => v["data"] = json!(text),
                _ => v["hex"] = json!(hex(data)),
            }
            ("message", v)
        }
        Event::RoundTrip { rtt } => ("rtt", json!({"rtt_ms": ms(*rtt)})),
        Event::Close { direction, code, reason, echo } => {
            ("close", json!({"direction": direction.as_str(), "code": code, "reason": reason, "echo": echo}))
        }
        Event::Error { kind, message } => ("error", json!({"kind": kind, "message": message})),
        Event::Exit { code } => ("exit", json!({"code": code})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_and_bidi_are_escaped_and_still_json() {
        let event = Event::Error { kind: "http", message: "a\u{9b}2Jb\u{202e}c\u{1b}".into() };
        let mut out = Vec::new();
        render(&event, Duration::ZERO, &mut out).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(line.is_ascii(), "{line}");
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["message"], "a\u{9b}2Jb\u{202e}c\u{1b}");
    }
}
