//! Every network byte is shown escaped, everywhere (SPEC §3, §15): in the `<` lines and in
//! the findings, verdicts and errors that quote them, once (`\xfc`, never U+FFFD, never
//! `\\x1b`); in JSON a field whose bytes are not UTF-8 keeps its lossy text and gains
//! `<field>_hex` with the exact bytes. Raw servers on 127.0.0.1:0 send the bytes.

mod common;
use common::*;

use std::io::Write;

use serde_json::{Value, json};

fn inspect(url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--handshake-only", "--connect-timeout", "5"];
    args.extend_from_slice(extra);
    args.push(url);
    wscheck(&args, b"")
}

/// Run the human transcript and the JSON run against two servers answering `answer`.
fn both(answer: fn(&[u8]) -> Vec<u8>) -> (Run, Vec<Value>) {
    let human = upgrade_then_close(answer);
    let r = inspect(&human.url("/"), &[]);
    human.join();
    let json = upgrade_then_close(answer);
    let j = inspect(&json.url("/"), &["--json"]);
    json.join();
    (r, j.events())
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

#[test]
fn a_reason_phrase_that_is_not_utf8_is_escaped_in_the_finding_and_the_verdict_too() {
    let (r, events) = both(|_| b"HTTP/1.1 403 Verboten\xfc\r\nX-Ok: fine\r\nContent-Length: 2\r\n\r\n\xff!".to_vec());
    r.code(5).err_lacks("\u{fffd}");
    err_line(&r, "< HTTP/1.1 403 Verboten\\xfc");
    err_line(&r, "< \\xff!");
    err_line(
        &r,
        "  ERROR status-101       status 403 Verboten\\xfc, not 101: the server did not switch protocols  [RFC 6455 §4.1]",
    );
    err_line(&r, "* FAILED: the server did not switch protocols (403 Verboten\\xfc)");

    let response = of_type(&events, "response")[0];
    assert_eq!(response["reason"], "Verboten\u{fffd}");
    assert_eq!(response["reason_hex"], hex(b"Verboten\xfc"));
    assert_eq!(response["lines"][0], "HTTP/1.1 403 Verboten\u{fffd}");
    assert_eq!(response["lines_hex"], json!([hex(b"HTTP/1.1 403 Verboten\xfc"), null, null]));
    assert!(response.get("headers_hex").is_none(), "every header value is UTF-8: {response}");
    assert_eq!((&response["body"], &response["body_hex"]), (&json!("\u{fffd}!"), &json!("ff21")));
    let status = of_type(&events, "finding").into_iter().find(|f| f["id"] == "status-101").unwrap().clone();
    assert_eq!(
        status["message_hex"],
        hex(b"status 403 Verboten\xfc, not 101: the server did not switch protocols"),
        "{status}"
    );
    let verdict = of_type(&events, "handshake")[0];
    assert_eq!(verdict["summary_hex"], hex(b"the server did not switch protocols (403 Verboten\xfc)"));
    // Valid text gets no _hex: the other findings, the request.
    for e in &events {
        let hexes: Vec<&String> = e.as_object().unwrap().keys().filter(|k| k.ends_with("_hex")).collect();
        if !matches!(e["type"].as_str(), Some("response" | "handshake")) && e["id"] != "status-101" {
            assert!(hexes.is_empty(), "{e}");
        }
    }
}

#[test]
fn header_values_that_are_not_utf8_are_escaped_in_the_findings_and_kept_in_json() {
    let (r, events) = both(|h| {
        let mut out = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: web\xffsocket\r\nConnection: Upgrade\r\n".to_vec();
        out.extend_from_slice(format!("Sec-WebSocket-Accept: {}\r\n\r\n", accept_for(h)).as_bytes());
        out
    });
    r.code(6).err_lacks("\u{fffd}");
    err_line(&r, "< Upgrade: web\\xffsocket");
    err_line(&r, "  ERROR upgrade          Upgrade is \"web\\xffsocket\", not \"websocket\"  [RFC 6455 §4.1]");
    let response = of_type(&events, "response")[0];
    assert_eq!(response["headers"][0], json!(["Upgrade", "web\u{fffd}socket"]));
    assert_eq!(response["headers_hex"], json!([hex(b"web\xffsocket"), null, null]));
    let upgrade = of_type(&events, "finding").into_iter().find(|f| f["id"] == "upgrade").unwrap().clone();
    assert_eq!(upgrade["message"], "Upgrade is \"web\u{fffd}socket\", not \"websocket\"");
    assert_eq!(upgrade["message_hex"], hex(b"Upgrade is \"web\xffsocket\", not \"websocket\""));
}

#[test]
fn a_proxy_refusal_is_escaped_once() {
    let refusal = |_: &[u8]| b"HTTP/1.1 403 Nein\x1b[31m\xfc\r\nContent-Length: 0\r\n\r\n".to_vec();
    let proxy = answer_with(refusal);
    let port = proxy.port;
    let url = "ws://target.invalid:9/";
    let r = wscheck(&["--proxy", &format!("http://127.0.0.1:{port}"), url], b"");
    assert!(String::from_utf8_lossy(&proxy.join()).starts_with("CONNECT target.invalid:9 HTTP/1.1\r\n"));
    r.code(3).err_lacks("\\\\x1b").err_lacks("\u{fffd}");
    err_line(&r, "proxy< HTTP/1.1 403 Nein\\x1b[31m\\xfc");
    err_line(
        &r,
        &format!(
            "error: the proxy 127.0.0.1:{port} refused the tunnel to target.invalid:9: HTTP/1.1 403 Nein\\x1b[31m\\xfc (the \
             proxy does not allow this destination)"
        ),
    );

    let proxy = answer_with(refusal);
    let j = wscheck(&["--json", "--proxy", &format!("http://127.0.0.1:{}", proxy.port), url], b"");
    proxy.join();
    let events = j.events();
    assert_eq!(of_type(&events, "proxy")[0]["response_hex"], json!([hex(b"HTTP/1.1 403 Nein\x1b[31m\xfc"), null]));
    let error = of_type(&events, "error")[0];
    assert!(error["message_hex"].as_str().unwrap().contains(&hex(b"Nein\x1b[31m\xfc (")), "{error}");
}

#[test]
fn every_ms_field_is_a_float_literal() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", ""));
    let j = inspect(&server.url("/"), &["--json"]);
    server.join();
    j.code(0);
    let ms = regex::Regex::new(r#""([a-z_]+_ms)":(-?[0-9.eE+-]+|null)"#).unwrap();
    let mut seen = 0;
    for line in j.stdout.lines() {
        for field in ms.captures_iter(line) {
            seen += 1;
            let value = &field[2];
            assert!(value == "null" || value.contains('.'), "{} is {value}, not a float literal: {line}", &field[1]);
        }
    }
    assert!(seen >= 4, "elapsed_ms on every event, tcp_ms, http_ms: {}", j.stdout);
}

#[test]
fn a_banner_that_is_not_utf8_is_shown_as_its_bytes() {
    let server = RawServer::start(|mut s| {
        s.write_all(b"\xff\xfe garbage\x1b]0;x\x07").unwrap();
        read_head(&mut s);
    });
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(5);
    err_line(&r, "error: the server's answer is not HTTP: \"\\xff\\xfe garbage\\x1b]0;x\\x07\"");
}
