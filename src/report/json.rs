//! `--json`: one object per event on stdout, with `type` and `elapsed_ms` first (SPEC §6).
//!
//! Network bytes that are not valid UTF-8 keep their lossy text and gain a sibling
//! `<field>_hex` with the exact bytes (SPEC §15): `reason_hex`, `body_hex`, `message_hex`…;
//! for a list, a parallel list with `null` where the item was valid (`lines_hex`,
//! `headers_hex` for the header values). Valid text gets no `_hex` field.

use std::io::{self, Write};
use std::time::Duration;

use serde_json::{Value, json};

use crate::escape;
use crate::event::{Address, Event, Finding, Kind, ProbeRow};

pub fn render(event: &Event, elapsed: Duration, out: &mut impl Write) -> io::Result<()> {
    let (kind, body) = fields(event);
    // Through serde_json, like every other *_ms field: a whole number is still written as a
    // float literal (2.0), where Rust's Display would write 2.
    let elapsed_ms = Value::from(ms(elapsed));
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

/// Network bytes as `key` (lossy text) and, when they are not valid UTF-8, `key_hex`.
fn put_bytes(v: &mut Value, key: &str, bytes: &[u8]) {
    v[key] = json!(lossy(bytes));
    if std::str::from_utf8(bytes).is_err() {
        v[format!("{key}_hex")] = json!(hex(bytes));
    }
}

/// A message that may quote network bytes (`escape::net`) as `key`, and `key_hex` with the
/// exact bytes when it carries some that are not valid UTF-8.
fn put_text(v: &mut Value, key: &str, text: &str) {
    v[key] = json!(escape::lossy(text));
    if escape::has_marks(text) {
        v[format!("{key}_hex")] = json!(hex(&escape::to_bytes(text)));
    }
}

/// A list of network byte strings as `key` (lossy) and, when any is not valid UTF-8,
/// `key_hex` (see [`exact_list`]).
fn put_list<'a>(v: &mut Value, key: &str, items: impl Iterator<Item = &'a [u8]> + Clone) {
    v[key] = Value::Array(items.clone().map(|b| json!(lossy(b))).collect());
    if let Some(exact) = exact_list(items) {
        v[format!("{key}_hex")] = exact;
    }
}

/// When any of `items` is not valid UTF-8: a list of the same length with the hex of each
/// invalid one and `null` for the others.
fn exact_list<'a>(items: impl Iterator<Item = &'a [u8]> + Clone) -> Option<Value> {
    let valid = |b: &[u8]| std::str::from_utf8(b).is_ok();
    if items.clone().all(valid) {
        return None;
    }
    Some(items.map(|b| if valid(b) { Value::Null } else { json!(hex(b)) }).collect())
}

/// [`put_text`] for a list of messages (a certificate's SANs).
fn put_texts(v: &mut Value, key: &str, texts: &[String]) {
    v[key] = Value::Array(texts.iter().map(|t| json!(escape::lossy(t))).collect());
    if texts.iter().any(|t| escape::has_marks(t)) {
        let exact =
            texts.iter().map(|t| if escape::has_marks(t) { json!(hex(&escape::to_bytes(t))) } else { Value::Null });
        v[format!("{key}_hex")] = Value::Array(exact.collect());
    }
}

/// A `finding` (SPEC §6): `level` is what this finding is (`ok`, `info`, `warning`,
/// `error`), `severity` what its rule weighs when broken (the check's, see `event::Check`).
pub fn finding(f: &Finding) -> Value {
    let mut v = json!({"id": f.id(), "level": f.level.as_str(), "severity": f.check.severity().as_str(),
                       "ok": f.ok, "rfc": f.rfc()});
    put_text(&mut v, "message", &f.message);
    v
}

/// A `probe` event (SPEC §12): the variant, what it sent, the status, the outcome and why.
fn probe(row: &ProbeRow) -> Value {
    let mut v = json!({"group": row.group, "id": row.id, "sent": row.sent, "status": row.status,
                       "outcome": row.outcome.as_str(), "expected": row.expected, "rfc": row.rfc,
                       "findings": row.findings.iter().map(finding).collect::<Vec<_>>(), "took_ms": ms(row.took)});
    put_text(&mut v, "message", &row.message);
    v
}

fn fields(event: &Event) -> (&'static str, Value) {
    match event {
        Event::Note { level, text } => {
            let mut v = json!({"level": level.as_str()});
            put_text(&mut v, "message", text);
            ("note", v)
        }
        Event::Connect { host, port, addr, proxy, dns, tcp, via } => {
            let address = match addr {
                Address::Ip(a) => a.to_string(),
                Address::Unix(path) => path.clone(),
            };
            let mut v = json!({"host": host, "port": port, "address": address, "proxy": proxy,
                               "dns_ms": dns.map(ms), "tcp_ms": ms(*tcp)});
            // Only when something routed the connection: the usual event is unchanged.
            if !via.is_empty() {
                v["via"] = via.iter().map(|r| json!({"option": r.option, "value": r.value})).collect();
            }
            ("connect", v)
        }
        Event::Socks { text } => {
            // May quote a bound address the proxy gave as a name (network bytes).
            let mut v = json!({});
            put_text(&mut v, "message", text);
            ("socks", v)
        }
        Event::Proxy { request, response, status } => {
            let mut v = json!({"request": request, "status": status});
            put_list(&mut v, "response", response.iter().map(|l| l.bytes.as_slice()));
            ("proxy", v)
        }
        Event::Tls(t) => {
            let certificate = t.certificate.as_ref().map(|c| {
                let mut v = json!({"not_before": c.not_before, "not_after": c.not_after, "days_left": c.days_left});
                put_text(&mut v, "subject", &c.subject);
                put_text(&mut v, "issuer", &c.issuer);
                put_texts(&mut v, "sans", &c.sans);
                v
            });
            let mut v = json!({"insecure": t.insecure, "alpn": null, "tls_ms": ms(t.took), "certificate": certificate});
            if let Some(alpn) = &t.alpn {
                put_text(&mut v, "alpn", alpn);
            }
            ("tls", v)
        }
        Event::Settings { settings } => {
            let list: Vec<Value> =
                settings.iter().map(|s| json!({"id": s.id, "name": s.name, "value": s.value})).collect();
            ("settings", json!({"settings": list}))
        }
        Event::StreamEnd { steps, open } => {
            let words: Vec<String> = steps.iter().map(|s| s.words()).collect();
            let list: Vec<Value> = steps
                .iter()
                .map(|s| json!({"by": if s.server { "server" } else { "client" }, "frame": s.frame, "code": s.code}))
                .collect();
            ("stream_end", json!({"steps": list, "open": open, "message": words.join(", then ")}))
        }
        Event::Request { lines, fields: None } => ("request", json!({"lines": lines})),
        Event::Request { lines, fields: Some(fields) } => {
            let headers: Vec<Value> = fields.iter().map(|(n, v)| json!([n, v])).collect();
            ("request", json!({"version": "HTTP/2", "lines": lines, "headers": headers}))
        }
        Event::Response { version, status, reason, lines, headers, body, body_truncated, took } => {
            let mut v =
                json!({"version": version, "status": status, "body_truncated": body_truncated, "http_ms": ms(*took)});
            match reason {
                Some(reason) => put_bytes(&mut v, "reason", reason),
                None => v["reason"] = Value::Null,
            }
            put_list(&mut v, "lines", lines.iter().map(|l| l.bytes.as_slice()));
            // Header names are HTTP tokens (ASCII); `headers_hex` has the exact bytes of each
            // value that is not valid UTF-8, null for the others.
            v["headers"] = headers.iter().map(|(n, val)| json!([n, lossy(val)])).collect();
            if let Some(exact) = exact_list(headers.iter().map(|(_, val)| val.as_slice())) {
                v["headers_hex"] = exact;
            }
            put_bytes(&mut v, "body", body);
            ("response", v)
        }
        Event::Finding(f) => ("finding", finding(f)),
        Event::Handshake { ok, status, summary } => {
            let mut v = json!({"ok": ok, "status": status});
            put_text(&mut v, "summary", summary);
            ("handshake", v)
        }
        Event::Message { direction, kind, data, wire } => {
            let mut v = json!({"direction": direction.as_str(), "kind": kind.as_str()});
            match (kind, std::str::from_utf8(data)) {
                (Kind::Text, Ok(text)) => v["data"] = json!(text),
                _ => v["hex"] = json!(hex(data)),
            }
            // Only in a permessage-deflate session, so that other output stays as it was.
            if let Some(wire) = wire {
                v["compressed"] = json!(wire.compressed);
                v["wire_bytes"] = json!(wire.wire_bytes);
            }
            ("message", v)
        }
        Event::RoundTrip { rtt } => ("rtt", json!({"rtt_ms": ms(*rtt)})),
        Event::Close { direction, code, reason, echo } => {
            let mut v = json!({"direction": direction.as_str(), "code": code, "echo": echo});
            put_text(&mut v, "reason", reason);
            ("close", v)
        }
        Event::Error { kind, message } => {
            let mut v = json!({"kind": kind});
            put_text(&mut v, "message", message);
            ("error", v)
        }
        Event::Exit { code } => ("exit", json!({"code": code})),
        Event::Probe(row) => ("probe", probe(row)),
        Event::Summary { pass, fail, warn, skip } => {
            ("summary", json!({"pass": pass, "fail": fail, "warn": warn, "skip": skip}))
        }
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

    fn line(event: &Event, elapsed: Duration) -> String {
        let mut out = Vec::new();
        render(event, elapsed, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_findings_level_is_what_it_is_and_severity_what_its_rule_weighs() {
        use crate::event::{Check, Level};
        let shown = |f: Finding| {
            let v = finding(&f);
            (v["level"].as_str().unwrap().to_string(), v["severity"].as_str().unwrap().to_string(), v["ok"].clone())
        };
        let row = |level: &str, severity: &str, ok: bool| (level.to_string(), severity.to_string(), json!(ok));
        assert_eq!(shown(Finding::pass(Check::Accept, "m")), row("ok", "error", true));
        assert_eq!(shown(Finding::fail(Check::Accept, "m")), row("error", "error", false));
        assert_eq!(shown(Finding::pass(Check::LineEndings, "m")), row("ok", "warning", true));
        assert_eq!(shown(Finding::fail(Check::Certificate, "m")), row("warning", "warning", false));
        assert_eq!(shown(Finding::fail_as(Check::Subprotocol, Level::Warning, "m")), row("warning", "error", false));
        assert_eq!(shown(Finding::note(Check::ReasonPhrase, "m")), row("info", "info", true));
        assert_eq!(shown(Finding::fail(Check::Redirect, "m")), row("info", "info", false));
        let v = finding(&Finding::fail(Check::AuthForbidden, "m"));
        assert_eq!((v["id"].as_str(), v["rfc"].as_str()), (Some("auth"), Some("RFC 9110 §15.5.4")));
    }

    #[test]
    fn whole_milliseconds_are_still_float_literals() {
        let two = Duration::from_millis(2);
        assert!(line(&Event::Exit { code: 0 }, two).contains("\"elapsed_ms\":2.0,"));
        let connect = Event::Connect {
            host: "h".into(),
            port: 1,
            addr: Address::Ip("127.0.0.1:1".parse().unwrap()),
            proxy: false,
            dns: Some(two),
            tcp: Duration::ZERO,
            via: Vec::new(),
        };
        let l = line(&connect, Duration::from_secs(1));
        for field in ["\"elapsed_ms\":1000.0", "\"dns_ms\":2.0", "\"tcp_ms\":0.0"] {
            assert!(l.contains(field), "{field} in {l}");
        }
        assert!(line(&Event::RoundTrip { rtt: two }, two).contains("\"rtt_ms\":2.0"));
    }

    #[test]
    fn invalid_bytes_keep_lossy_text_and_gain_hex() {
        let response = Event::Response {
            version: "HTTP/1.1".into(),
            status: 403,
            reason: Some(b"Verbot\xfc".to_vec()),
            lines: vec![
                crate::event::RawLine { bytes: b"HTTP/1.1 403 Verbot\xfc".to_vec(), bare_lf: false },
                crate::event::RawLine { bytes: b"X-A: ok".to_vec(), bare_lf: false },
                crate::event::RawLine { bytes: b"X-B: \xff".to_vec(), bare_lf: false },
            ],
            headers: vec![("X-A".into(), b"ok".to_vec()), ("X-B".into(), b"\xff".to_vec())],
            body: b"\x80".to_vec(),
            body_truncated: false,
            took: Duration::ZERO,
        };
        let v: Value = serde_json::from_str(&line(&response, Duration::ZERO)).unwrap();
        assert_eq!(v["reason"], "Verbot\u{fffd}");
        assert_eq!(v["reason_hex"], "566572626f74fc");
        assert_eq!(v["lines_hex"], json!(["485454502f312e312034303320566572626f74fc", null, "582d423a20ff"]));
        assert_eq!(v["headers"], json!([["X-A", "ok"], ["X-B", "\u{fffd}"]]));
        assert_eq!(v["headers_hex"], json!([null, "ff"]));
        assert_eq!(v["body_hex"], "80");

        let error = Event::Error { kind: "http", message: format!("bad \"{}\"", escape::net(b"\xfc!")) };
        let v: Value = serde_json::from_str(&line(&error, Duration::ZERO)).unwrap();
        assert_eq!(v["message"], "bad \"\u{fffd}!\"");
        assert_eq!(v["message_hex"], hex(b"bad \"\xfc!\""));

        // Valid text gets no _hex field.
        let clean = Event::Error { kind: "http", message: "fine é".into() };
        let v: Value = serde_json::from_str(&line(&clean, Duration::ZERO)).unwrap();
        assert!(v.get("message_hex").is_none(), "{v}");
    }
}
