//! SIGINT and SIGTERM in pipe and `--json` mode (SPEC §15): Close 1000 sent, a short wait
//! for the server's, the `exit` event last, exit 130 / 143; a second signal exits at once;
//! a signal during the handshake exits promptly too. wscheck runs as a child whose stdout is
//! read line by line: the `handshake` event (or the server's report) is the readiness signal.
mod common;
use common::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// wscheck running with stdin held open (so it never reaches EOF), stdout lines on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: std::thread::JoinHandle<String>,
    /// Keeps stdin open until the run is over.
    _stdin: std::process::ChildStdin,
}

fn spawn(args: &[&str]) -> Running {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wscheck"));
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    let mut child = cmd
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wscheck");
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut err = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let stdin = child.stdin.take().unwrap();
    Running { child, lines, stderr, _stdin: stdin }
}

impl Running {
    /// Wait for the stdout line containing `needle`; the lines up to it.
    fn wait_for(&self, needle: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(LIMIT) {
                Ok(line) => {
                    let found = line.contains(needle);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                Err(_) => panic!("no line with {needle:?} on stdout; seen {seen:#?}"),
            }
        }
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill with our own child's pid (not yet reaped, so not reused).
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, signal) }, 0);
    }

    /// Wait for the exit (at most LIMIT): the code (None when killed by a signal), the rest of
    /// stdout, stderr.
    fn finish(mut self) -> (Option<i32>, Vec<String>, String) {
        let status = wait_bounded(&mut self.child);
        let rest: Vec<String> = self.lines.iter().collect();
        (status.code(), rest, self.stderr.join().unwrap())
    }
}

/// A server that upgrades, then reads frames until the client's Close, which it answers with
/// 1000; the client's Close code.
fn answers_close() -> RawServer<Option<u16>> {
    RawServer::start(|mut s| {
        ws_accept(&mut s);
        let (_, code) = read_until_client_close(&mut s);
        let _ = s.write_all(&ws_close(1000, ""));
        code
    })
}

fn last_exit(lines: &[String]) -> serde_json::Value {
    let last = lines.last().expect("some output after the signal");
    let v: serde_json::Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{last:?}: {e}"));
    assert_eq!(v["type"], "exit", "the last line is the exit event: {lines:#?}");
    v
}

fn json_session_signal(signal: libc::c_int, code: i32) {
    let server = answers_close();
    let run = spawn(&["--json", &server.url("/")]);
    run.wait_for("\"type\":\"handshake\"");
    run.signal(signal);
    let (status, rest, stderr) = run.finish();
    assert_eq!(status, Some(code), "exit status; stdout after the handshake: {rest:#?}\nstderr: {stderr}");
    assert_eq!(stderr, "", "--json writes nothing on stderr");
    assert_eq!(last_exit(&rest)["code"], code);
    let closes: Vec<serde_json::Value> = rest
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &serde_json::Value| e["type"] == "close")
        .collect();
    assert_eq!(closes[0]["direction"], "sent");
    assert_eq!(closes[0]["code"], 1000);
    assert_eq!(server.join(), Some(1000), "the server saw Close 1000");
}

#[test]
fn sigint_in_json_mode_closes_and_exits_130() {
    json_session_signal(libc::SIGINT, 130);
}

#[test]
fn sigterm_in_json_mode_closes_and_exits_143() {
    json_session_signal(libc::SIGTERM, 143);
}

#[test]
fn sigint_in_pipe_mode_closes_and_exits_130() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        s.write_all(&ws_text("ready")).unwrap();
        let (_, code) = read_until_client_close(&mut s);
        let _ = s.write_all(&ws_close(1000, ""));
        code
    });
    let run = spawn(&[&server.url("/")]);
    run.wait_for("ready");
    run.signal(libc::SIGINT);
    let (status, _, stderr) = run.finish();
    assert_eq!(status, Some(130), "{stderr}");
    assert!(stderr.contains("\n* note: SIGINT: closing the connection (a second signal exits at once)\n"), "{stderr}");
    assert!(
        stderr.contains("\n* Close sent: 1000 (normal closure)\n* Close received: 1000 (normal closure)\n"),
        "{stderr}"
    );
    assert_eq!(server.join(), Some(1000));
}

#[test]
fn a_second_signal_exits_at_once() {
    // The server reads our Close and never answers it: only the second signal ends the wait.
    let (got_close, close_seen) = mpsc::channel();
    let server = RawServer::start(move |mut s| {
        ws_accept(&mut s);
        let (_, code) = read_until_client_close(&mut s);
        got_close.send(()).unwrap();
        let _ = s.read_to_end(&mut Vec::new());
        code
    });
    let run = spawn(&["--json", &server.url("/")]);
    run.wait_for("\"type\":\"handshake\"");
    run.signal(libc::SIGTERM);
    close_seen.recv_timeout(LIMIT).expect("the server got the Close");
    let second = Instant::now();
    run.signal(libc::SIGINT);
    let (status, _, _) = run.finish();
    let took = second.elapsed();
    assert_eq!(status, Some(130), "the second signal's code");
    assert!(took < Duration::from_millis(700), "took {took:?} after the second signal: it waited for the Close");
    assert_eq!(server.join(), Some(1000));
}

#[test]
fn a_signal_during_the_handshake_exits_promptly() {
    // The server reads the request and never answers: wscheck is blocked reading the response.
    let (got_request, request_seen) = mpsc::channel();
    let server = RawServer::start(move |mut s| {
        read_head(&mut s);
        got_request.send(()).unwrap();
        let _ = s.read_to_end(&mut Vec::new());
    });
    let run = spawn(&["--json", "--connect-timeout", "15", &server.url("/")]);
    request_seen.recv_timeout(LIMIT).expect("the server got the request");
    run.wait_for("\"type\":\"request\"");
    let sent = Instant::now();
    run.signal(libc::SIGINT);
    let (status, rest, stderr) = run.finish();
    let took = sent.elapsed();
    assert_eq!(status, Some(130), "{rest:#?}\n{stderr}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(last_exit(&rest)["code"], 130);
    assert!(rest.iter().any(|l| l.contains("SIGINT: stopped during the handshake")), "{rest:#?}");
    server.join();
}

#[cfg(feature = "http2")]
#[test]
fn over_http2_sigint_closes_the_session_and_the_stream_says_how_it_ended() {
    let serve = Serve::start(&[]);
    let run = spawn(&["--http2", "--json", &serve.url]);
    run.wait_for("\"type\":\"handshake\"");
    run.signal(libc::SIGINT);
    let (status, rest, stderr) = run.finish();
    assert_eq!(status, Some(130), "{rest:#?}\n{stderr}");
    let types: Vec<String> = rest
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, ["note", "close", "close", "stream_end", "exit"], "{rest:#?}");
    assert_eq!(last_exit(&rest)["code"], 130);
}

#[cfg(feature = "http2")]
#[test]
fn over_http2_a_signal_while_waiting_for_settings_exits_promptly() {
    let (accepted, seen) = mpsc::channel();
    let server = RawServer::start(move |mut s| {
        let mut preface = [0u8; 24];
        s.read_exact(&mut preface).unwrap();
        accepted.send(()).unwrap();
        let _ = s.read_to_end(&mut Vec::new());
    });
    let run = spawn(&["--http2", "--json", "--connect-timeout", "15", &server.url("/")]);
    seen.recv_timeout(LIMIT).expect("the server got the preface");
    let sent = Instant::now();
    run.signal(libc::SIGINT);
    let (status, rest, _) = run.finish();
    assert_eq!(status, Some(130));
    assert!(sent.elapsed() < Duration::from_secs(2), "{:?}", sent.elapsed());
    assert_eq!(last_exit(&rest)["code"], 130);
    server.join();
}

#[test]
fn a_signal_during_a_probe_ends_it_with_the_exit_event() {
    // The server takes the baseline's request and never answers: the probe waits in it.
    let (got_request, request_seen) = mpsc::channel();
    let server = RawServer::start(move |mut s| {
        read_head(&mut s);
        got_request.send(()).unwrap();
        let _ = s.read_to_end(&mut Vec::new());
    });
    let run = spawn(&["probe", "--json", "--connect-timeout", "15", &server.url("/")]);
    request_seen.recv_timeout(LIMIT).expect("the server got the baseline's request");
    let sent = Instant::now();
    run.signal(libc::SIGTERM);
    let (status, rest, stderr) = run.finish();
    assert_eq!(status, Some(143), "{rest:#?}\n{stderr}");
    assert!(sent.elapsed() < Duration::from_secs(2), "took {:?}", sent.elapsed());
    assert_eq!(stderr, "", "--json writes nothing on stderr");
    assert_eq!(last_exit(&rest)["code"], 143);
    server.join();
}
