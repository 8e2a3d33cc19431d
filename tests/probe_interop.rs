//! `wscheck probe` against servers nobody here wrote — python `websockets` and node `ws`
//! (interpreters from WSCHECK_PYTHON / WSCHECK_NODE_PATH, as tests/interop.rs) — asserting
//! the rows whose real behaviour is known: every client shape is accepted, the framing rules
//! hold, python websockets answers a missing Host with 101 (warn) and a version it does not
//! speak with a 400 that names none (fail); node ws answers version 99 with 400 and
//! `Sec-WebSocket-Version: 13, 8` (pass) and accepts draft version 8 (warn).

mod common;
use common::*;

#[path = "interop/peer.rs"]
mod peer;
use peer::{Peer, required, script};

use std::collections::BTreeMap;
use std::process::Command;

/// Each probe row as id → (outcome, status, message).
type Rows = BTreeMap<String, (String, Option<u64>, String)>;

/// The probe rows of `peer`, and the exit code.
fn probe(peer: &Peer) -> (Rows, i32) {
    let url = peer.url();
    let run = wscheck(&["probe", "--json", &url], b"");
    assert!(run.stdout.contains("\"type\":\"summary\""), "{}: no summary\n{}{}", peer.name, run.stdout, run.stderr);
    let rows = run
        .events()
        .iter()
        .filter(|e| e["type"] == "probe")
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_string();
            (text("id"), (text("outcome"), e["status"].as_u64(), text("message")))
        })
        .collect();
    (rows, run.code)
}

const CLIENTS: [&str; 11] = [
    "wscheck",
    "chrome",
    "firefox",
    "firefox-legacy",
    "safari",
    "curl",
    "python-websockets",
    "node-ws",
    "go-gorilla",
    "go-coder",
    "okhttp",
];
const FRAMING: [&str; 7] = ["ping", "close", "invalid-utf8", "unmasked", "reserved-opcode", "rsv1", "big-ping"];

fn assert_row(rows: &Rows, id: &str, outcome: &str, status: u64) {
    let row = rows.get(id).unwrap_or_else(|| panic!("no row {id}: {rows:?}"));
    assert_eq!((row.0.as_str(), row.1), (outcome, Some(status)), "{id}: {}", row.2);
}

#[test]
fn python_websockets() {
    let Some(python) = required("WSCHECK_PYTHON", "a python with `websockets` importable") else {
        return;
    };
    let mut command = Command::new(python);
    command.arg(script("echo_server.py"));
    let server = Peer::start("python websockets", command);
    let (rows, code) = probe(&server);
    for id in CLIENTS.iter().chain(&FRAMING) {
        assert_row(&rows, id, "pass", 101);
    }
    // websockets' default permessage-deflate is judged valid for each client that offers it.
    assert!(rows["chrome"].2.contains("permessage-deflate: server_max_window_bits=12"), "{:?}", rows["chrome"]);
    assert_row(&rows, "no-host", "warn", 101);
    assert_row(&rows, "version-99", "fail", 400);
    assert!(rows["version-99"].2.contains("without Sec-WebSocket-Version"), "{:?}", rows["version-99"]);
    assert_row(&rows, "http-1.0", "pass", 505);
    assert_row(&rows, "post", "pass", 405);
    assert_eq!(code, 6, "a failed row fails the probe");
}

#[test]
fn node_ws() {
    let Some(node_path) = required("WSCHECK_NODE_PATH", "a node_modules folder holding `ws`") else {
        return;
    };
    let mut command = Command::new("node");
    command.arg(script("echo_server.js")).env("NODE_PATH", node_path);
    let server = Peer::start("node ws", command);
    let (rows, code) = probe(&server);
    for id in CLIENTS.iter().chain(&FRAMING) {
        assert_row(&rows, id, "pass", 101);
    }
    assert_row(&rows, "version-99", "pass", 400);
    assert_eq!(rows["version-99"].2, "400 Bad Request with Sec-WebSocket-Version: 13, 8");
    assert_row(&rows, "version-8", "warn", 101);
    assert_row(&rows, "subprotocol-unknown", "warn", 101);
    assert_eq!(code, 0, "node ws only warns: {rows:?}");
}
