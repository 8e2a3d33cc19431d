//! `--har FILE`: the run as HAR 1.2 — the upgrade exchange as an entry, the messages in
//! `_webSocketMessages` as Chrome writes them — written at exit, failures included, and
//! read by real HAR consumers: haralyzer (Python) and har-validator (the HAR 1.2 JSON
//! schema, npm). `.ci/run` installs both in target/ci/har and sets WSCHECK_HAR_VALIDATOR to
//! that directory; without it these consumer checks skip (and fail under CI).

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::Value;

fn har_file() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.har").to_str().unwrap().to_string();
    (dir, path)
}

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("the HAR file {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the HAR file is not JSON: {e}\n{text}"))
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// Header names and values of a HAR header list, in order.
fn headers(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap().to_string(), h["value"].as_str().unwrap().to_string()))
        .collect()
}

/// (name, value) pairs of an HTTP head, in wire order.
fn head_fields(head: &str) -> Vec<(String, String)> {
    head.split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.to_string(), v.trim().to_string())
        })
        .collect()
}

/// Where .ci/run installed the HAR consumers (a venv with haralyzer, node_modules with
/// har-validator); None (a skip, a failure under CI) when not set.
fn consumers() -> Option<PathBuf> {
    match std::env::var_os("WSCHECK_HAR_VALIDATOR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            skip("WSCHECK_HAR_VALIDATOR is not set (bash .ci/run installs the HAR consumers)");
            None
        }
    }
}

/// Open `har` with haralyzer and validate it with har-validator: what they said.
fn consume(dir: &Path, har: &str) -> String {
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/har");
    let run = |cmd: &mut Command| {
        let out = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{cmd:?} refused the HAR file:\n{text}\n--- file:\n{}", load(har));
        text
    };
    let python = dir.join("venv/bin/python");
    let read = run(Command::new(&python).arg(scripts.join("consume.py")).arg(har));
    let valid =
        run(Command::new("node").arg(scripts.join("validate.js")).arg(har).env("NODE_PATH", dir.join("node_modules")));
    format!("{read}{valid}")
}

/// A server that answers a valid 101, reads the client's text "hi", sends a text, a binary
/// and (after the client's Close) Close 1000 "bye"; the request head.
fn chatty_server() -> RawServer<String> {
    RawServer::start(|mut s| {
        let head = String::from_utf8(ws_accept(&mut s)).unwrap();
        assert_eq!(read_client_frame(&mut s), Some((0x1, b"hi".to_vec())));
        s.write_all(&ws_text("hello")).unwrap();
        s.write_all(&ws_frame(0x2, &[0, 1, 2, 255])).unwrap();
        read_until_client_close(&mut s);
        s.write_all(&ws_close(1000, "bye")).unwrap();
        head
    })
}

#[test]
fn a_session_is_one_entry_with_the_exchange_in_wire_order_and_its_messages() {
    let server = chatty_server();
    let (_dir, path) = har_file();
    let before = now();
    let url = server.url("/chat?room=a%20b&x");
    let r = wscheck(&["--har", &path, "-x", "hi", "-n", "2", &url], b"");
    r.code(0).out_has("hello");
    let head = server.join();
    let after = now();
    let har = load(&path);
    let log = &har["log"];
    assert_eq!((log["version"].as_str(), log["creator"]["name"].as_str()), (Some("1.2"), Some("wscheck")));
    assert_eq!(log["comment"], "wscheck exit 0");
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{har:#}");
    let e = &entries[0];
    let req = &e["request"];
    assert_eq!((req["method"].as_str(), req["httpVersion"].as_str()), (Some("GET"), Some("HTTP/1.1")));
    assert_eq!(req["url"].as_str().unwrap(), url);
    assert_eq!(req["queryString"], serde_json::json!([{"name": "room", "value": "a b"}, {"name": "x", "value": ""}]));
    // The request's headers exactly as the server got them, in order.
    assert_eq!(headers(&req["headers"]), head_fields(&head));
    let resp = &e["response"];
    assert_eq!((resp["status"].as_u64(), resp["statusText"].as_str()), (Some(101), Some("Switching Protocols")));
    assert_eq!(resp["httpVersion"], "HTTP/1.1");
    let names: Vec<String> = headers(&resp["headers"]).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["Upgrade", "Connection", "Sec-WebSocket-Accept"]);
    assert_eq!(e["serverIPAddress"], "127.0.0.1");
    // The wait for the answer is part of the entry's time, and both are of this run.
    let (wait, time) = (e["timings"]["wait"].as_f64().unwrap(), e["time"].as_f64().unwrap());
    assert!(0.0 <= wait && wait <= time && time < LIMIT.as_millis() as f64, "wait {wait} ms, time {time} ms");
    let messages = e["_webSocketMessages"].as_array().unwrap();
    let shape: Vec<(&str, u64, &str)> = messages
        .iter()
        .map(|m| (m["type"].as_str().unwrap(), m["opcode"].as_u64().unwrap(), m["data"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shape,
        [
            ("send", 1, "hi"),
            ("receive", 1, "hello"),
            ("receive", 2, "AAEC/w=="),
            ("send", 8, "A+g="),
            ("receive", 8, "A+hieWU=")
        ]
    );
    let times: Vec<f64> = messages.iter().map(|m| m["time"].as_f64().unwrap()).collect();
    assert!(times.iter().all(|t| (before..=after).contains(t)), "epoch seconds within the run: {times:?}");
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "in order: {times:?}");
}

#[test]
fn failed_runs_still_write_a_valid_har() {
    // A refusal: its entry has the status and the first bytes of the body.
    let server = answer_with(|_| {
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nnope".to_vec()
    });
    let (_dir, path) = har_file();
    wscheck(&["--har", &path, &server.url("/")], b"").code(5);
    server.join();
    let har = load(&path);
    let e = &har["log"]["entries"][0];
    assert_eq!(
        (e["response"]["status"].as_u64(), e["response"]["statusText"].as_str()),
        (Some(404), Some("Not Found"))
    );
    assert_eq!(e["response"]["content"], serde_json::json!({"size": 4, "mimeType": "text/plain", "text": "nope"}));
    assert_eq!(e["_webSocketMessages"], serde_json::json!([]));
    assert_eq!(har["log"]["comment"], "wscheck exit 5 (the server did not switch protocols (404 Not Found))");

    // No answer: the entry is the request, status 0 and the error, as Chrome writes it.
    let server = answer_with(|_| Vec::new());
    wscheck(&["--har", &path, &server.url("/")], b"").code(5);
    server.join();
    let e = &load(&path)["log"]["entries"][0];
    assert_eq!(e["response"]["status"], 0);
    assert!(e["response"]["_error"].as_str().unwrap().starts_with("no response: "), "{e:#}");

    // Nothing exchanged (refused): no entry, and the log says why.
    let (listener, port) = untouched_listener();
    drop(listener);
    wscheck(&["--har", &path, &format!("ws://127.0.0.1:{port}/")], b"").code(3);
    let har = load(&path);
    assert_eq!(har["log"]["entries"], serde_json::json!([]));
    assert!(har["log"]["comment"].as_str().unwrap().starts_with("wscheck exit 3 (connect: could not connect to "));
}

#[test]
fn a_followed_redirect_is_an_entry_of_its_own() {
    let target = upgrade_then_close(|head| ok_101(head, "Switching Protocols", ""));
    let new = target.url("/new");
    let to = new.clone();
    let first =
        answer_with(move |_| format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n").into_bytes());
    let (_dir, path) = har_file();
    wscheck(&["--har", &path, "-L", "--handshake-only", &first.url("/old")], b"").code(0);
    first.join();
    target.join();
    let har = load(&path);
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{har:#}");
    assert_eq!(
        (entries[0]["response"]["status"].as_u64(), entries[0]["response"]["redirectURL"].as_str()),
        (Some(302), Some(new.as_str()))
    );
    assert_eq!(
        (entries[1]["request"]["url"].as_str(), entries[1]["response"]["status"].as_u64()),
        (Some(new.as_str()), Some(101))
    );
}

#[test]
fn credentials_are_masked_in_the_har_unless_show_secrets() {
    let token = data_encoding::BASE64.encode(b"user:s3cret");
    for show in [false, true] {
        let server = upgrade_then_close(|head| ok_101(head, "Switching Protocols", ""));
        let (_dir, path) = har_file();
        let url = server.url("/");
        let mut args = vec!["--har", &path, "--handshake-only", "-u", "user:s3cret", &url];
        if show {
            args.push("--show-secrets");
        }
        wscheck(&args, b"").code(0);
        server.join();
        let text = std::fs::read_to_string(&path).unwrap();
        let auth = headers(&load(&path)["log"]["entries"][0]["request"]["headers"])
            .into_iter()
            .find(|(n, _)| n == "Authorization")
            .unwrap()
            .1;
        if show {
            assert_eq!(auth, format!("Basic {token}"));
        } else {
            assert_eq!(auth, "Basic ***** (16 bytes)");
            assert!(!text.contains(&token) && !text.contains("s3cret"));
        }
    }
}

#[test]
fn a_signal_during_the_handshake_still_writes_the_har() {
    // The server takes the request and never answers; wscheck is stopped by SIGINT.
    let server = RawServer::start(move |mut s| {
        read_head(&mut s);
        let _ = s.read(&mut [0u8; 1]);
    });
    let (_dir, path) = har_file();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wscheck"))
        .args(["--har", &path, &server.url("/")])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Ready when the transcript shows the request: it was recorded before it was said.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("> GET ") {
        line.clear();
        assert!(std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0, "no request in the transcript");
    }
    // SAFETY: our own child, not yet reaped.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let status = wait_bounded(&mut child);
    server.join();
    assert_eq!(status.code(), Some(130));
    let har = load(&path);
    assert_eq!(har["log"]["comment"], "wscheck exit 130");
    assert_eq!(har["log"]["entries"][0]["response"]["status"], 0, "{har:#}");
}

#[test]
fn real_har_consumers_read_what_wscheck_writes() {
    let Some(dir) = consumers() else { return };
    let server = chatty_server();
    let (_dir, path) = har_file();
    let url = server.url("/chat?room=1");
    wscheck(&["--har", &path, "-x", "hi", "-n", "2", &url], b"").code(0);
    server.join();
    let said = consume(&dir, &path);
    assert!(said.contains("HAR 1.2 by wscheck "), "{said}");
    assert!(said.contains(&format!("GET {url} HTTP/1.1 -> 101 Switching Protocols HTTP/1.1")), "{said}");
    assert!(said.contains("  ws receive opcode 2  'AAEC/w=='"), "{said}");
    assert!(said.contains("1 entries\nhar-validator: valid HAR 1.2"), "{said}");

    // A failed exchange and a run with nothing exchanged are valid HAR too.
    let server = answer_with(|_| Vec::new());
    wscheck(&["--har", &path, &server.url("/")], b"").code(5);
    server.join();
    assert!(consume(&dir, &path).contains("-> 0\n"));
    let (listener, port) = untouched_listener();
    drop(listener);
    wscheck(&["--har", &path, &format!("ws://127.0.0.1:{port}/")], b"").code(3);
    assert!(consume(&dir, &path).contains("0 entries"));
}

#[test]
fn a_unix_socket_entry_has_no_ip_address_and_is_still_valid_har() {
    let dir = tempfile::tempdir().unwrap();
    let (sock, server) = unix_ws_server(dir.path());
    let path = dir.path().join("run.har").to_str().unwrap().to_string();
    wscheck(&["--har", &path, "--handshake-only", "--unix-socket", &sock, "ws://app/chat"], b"").code(0);
    server.recv_timeout(LIMIT).unwrap();
    let e = &load(&path)["log"]["entries"][0];
    assert_eq!((e["request"]["url"].as_str(), e["response"]["status"].as_u64()), (Some("ws://app/chat"), Some(101)));
    // HAR's serverIPAddress must be an IPv4 or IPv6 address: a socket's path is not one.
    assert!(e.get("serverIPAddress").is_none(), "{e:#}");
    if let Some(consumers) = consumers() {
        assert!(consume(&consumers, &path).contains("har-validator: valid HAR 1.2"));
    }
}
