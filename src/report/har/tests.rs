//! HAR entries from events: hops, HTTP/2 requests, failures, messages, dates.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::entry::date_time;
use super::*;
use crate::event::{Address, Direction, Kind, RawLine};

fn at(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(1_800_000_000_000 + ms)
}

fn stamped(events: Vec<(u64, Event)>) -> Vec<Stamped> {
    events.into_iter().map(|(ms, event)| Stamped { at: at(ms), event }).collect()
}

fn connect(port: u16) -> Event {
    Event::Connect {
        host: "127.0.0.1".into(),
        port,
        addr: Address::Ip(SocketAddr::from(([127, 0, 0, 1], port))),
        proxy: false,
        dns: None,
        tcp: Duration::from_millis(2),
        via: Vec::new(),
    }
}

fn request(lines: &[&str]) -> Event {
    Event::Request { lines: lines.iter().map(|l| l.to_string()).collect(), fields: None }
}

fn response(status: u16, reason: &str, headers: &[(&str, &str)]) -> Event {
    Event::Response {
        version: "HTTP/1.1".into(),
        status,
        reason: Some(reason.as_bytes().to_vec()),
        lines: vec![RawLine { bytes: format!("HTTP/1.1 {status} {reason}").into_bytes(), bare_lf: false }],
        headers: headers.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect(),
        body: Vec::new(),
        body_truncated: false,
        took: Duration::from_millis(3),
    }
}

fn message(direction: Direction, kind: Kind, data: &[u8]) -> Event {
    Event::Message { direction, kind, data: tungstenite::Bytes::copy_from_slice(data), wire: None }
}

#[test]
fn dates_are_iso_8601_in_utc_with_milliseconds() {
    assert_eq!(date_time(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    assert_eq!(date_time(UNIX_EPOCH + Duration::from_millis(951_827_696_789)), "2000-02-29T12:34:56.789Z");
    assert_eq!(date_time(at(0)), "2027-01-15T08:00:00.000Z");
}

#[test]
fn a_redirect_and_the_session_after_it_are_two_entries() {
    let events = stamped(vec![
        (0, Event::Note { level: crate::event::Level::Info, text: "before any hop".into() }),
        (2, connect(1)),
        (3, request(&["GET /old?a=1&b=x%20y HTTP/1.1", "Host: h:1", "Authorization: Basic ***** (8 bytes)", ""])),
        (6, response(302, "Found", &[("Location", "ws://h:2/new"), ("Content-Length", "0")])),
        (7, Event::Note { level: crate::event::Level::Info, text: "following the redirect".into() }),
        (9, connect(2)),
        (10, request(&["GET /new HTTP/1.1", "Host: h:2", ""])),
        (13, response(101, "Switching Protocols", &[("Upgrade", "websocket")])),
        (14, Event::Handshake { ok: true, status: 101, summary: "fine".into() }),
        (15, message(Direction::Sent, Kind::Text, b"hi")),
        (16, message(Direction::Received, Kind::Binary, &[0, 1, 2, 255])),
        (17, message(Direction::Received, Kind::Ping, b"p")),
        (18, Event::Close { direction: Direction::Sent, code: Some(1000), reason: "bye".into(), echo: false }),
        (19, Event::Close { direction: Direction::Received, code: None, reason: String::new(), echo: false }),
        (20, Event::Exit { code: 0 }),
    ]);
    let entries = entries(&events);
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let first = &entries[0];
    assert_eq!(first["request"]["url"], "ws://h:1/old?a=1&b=x%20y");
    assert_eq!(first["request"]["queryString"], json!([{"name": "a", "value": "1"}, {"name": "b", "value": "x y"}]));
    assert_eq!(first["request"]["headers"][1], json!({"name": "Authorization", "value": "Basic ***** (8 bytes)"}));
    assert_eq!(
        (first["response"]["status"].as_u64(), first["response"]["redirectURL"].as_str()),
        (Some(302), Some("ws://h:2/new"))
    );
    assert_eq!(first["_webSocketMessages"], json!([]));
    // Started when the connect began: its time less DNS and TCP.
    assert_eq!(first["startedDateTime"], date_time(at(0)));
    assert_eq!(first["timings"]["wait"], 3.0);
    let second = &entries[1];
    assert_eq!((second["response"]["status"].as_u64(), second["comment"].as_str()), (Some(101), Some("fine")));
    let messages = second["_webSocketMessages"].as_array().unwrap();
    let shape: Vec<(&str, u64, &str)> = messages
        .iter()
        .map(|m| (m["type"].as_str().unwrap(), m["opcode"].as_u64().unwrap(), m["data"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shape,
        vec![
            ("send", 1, "hi"),
            ("receive", 2, "AAEC/w=="),
            ("receive", 9, "cA=="),
            ("send", 8, "A+hieWU="),
            ("receive", 8, "")
        ]
    );
    assert_eq!(messages[0]["time"].as_f64(), Some(1_800_000_000.015));
    assert_eq!(outcome(&events).as_deref(), Some("wscheck exit 0"));
}

#[test]
fn an_http2_request_is_read_from_its_pseudo_headers() {
    let events = stamped(vec![
        (0, connect(443)),
        (1, Event::Tls(crate::event::TlsInfo { took: Duration::from_millis(5), ..Default::default() })),
        (
            2,
            request(&[
                ":method: CONNECT",
                ":protocol: websocket",
                ":scheme: https",
                ":authority: h",
                ":path: /ws",
                "sec-websocket-version: 13",
            ]),
        ),
        (
            4,
            Event::Response {
                version: "HTTP/2".into(),
                status: 200,
                reason: None,
                lines: Vec::new(),
                headers: Vec::new(),
                body: Vec::new(),
                body_truncated: false,
                took: Duration::from_millis(2),
            },
        ),
    ]);
    let e = &entries(&events)[0];
    assert_eq!(e["request"]["method"], "CONNECT");
    assert_eq!(e["request"]["url"], "wss://h/ws");
    assert_eq!(e["request"]["httpVersion"], "HTTP/2");
    assert_eq!(e["request"]["headers"][1], json!({"name": ":protocol", "value": "websocket"}));
    assert_eq!((e["response"]["httpVersion"].as_str(), e["response"]["status"].as_u64()), (Some("HTTP/2"), Some(200)));
    assert_eq!((e["timings"]["ssl"].as_f64(), e["timings"]["connect"].as_f64()), (Some(5.0), Some(7.0)));
}

#[test]
fn failures_an_unsent_request_has_no_entry_an_unanswered_one_has_status_0() {
    let refused = stamped(vec![
        (0, Event::Error { kind: "connect", message: "could not connect".into() }),
        (1, Event::Exit { code: 3 }),
    ]);
    assert!(entries(&refused).is_empty());
    assert_eq!(outcome(&refused).as_deref(), Some("wscheck exit 3 (connect: could not connect)"));
    assert_eq!(document(entries(&refused), outcome(&refused))["log"]["entries"], json!([]));

    let unanswered = stamped(vec![
        (0, connect(1)),
        (1, request(&["GET / HTTP/1.1", "Host: h", ""])),
        (1500, Event::Error { kind: "timeout", message: "timed out waiting for the response".into() }),
        (1501, Event::Exit { code: 7 }),
    ]);
    let e = &entries(&unanswered)[0];
    assert_eq!(e["response"]["status"], 0);
    assert_eq!(e["response"]["_error"], "timed out waiting for the response");
    assert_eq!(e["timings"]["wait"], 1499.0);
}

#[test]
fn added_entries_replace_the_runs_own_and_the_file_is_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.har");
    let mut rec = Recording::new(HarFile::create(&path).unwrap());
    for e in [connect(1), request(&["GET / HTTP/1.1", "Host: h", ""]), Event::Exit { code: 0 }] {
        rec.recorder.record(&e);
    }
    let variant = stamped(vec![(0, connect(2)), (1, request(&["GET /v HTTP/1.1", "Host: v", ""]))]);
    let mut added = entries(&variant);
    added[0]["comment"] = Value::String("probe clients/chrome".into());
    rec.add(added);
    rec.finish().unwrap();
    let written: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let entries = written["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0]["request"]["url"].as_str(), entries[0]["comment"].as_str()),
        (Some("ws://v/v"), Some("probe clients/chrome"))
    );
    assert_eq!(written["log"]["comment"], "wscheck exit 0");
    std::fs::remove_file(&path).unwrap();
    rec.finish().unwrap();
    assert!(!path.exists(), "written once");
}
