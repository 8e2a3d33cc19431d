//! Shared test fixtures: the built binary with a hard time limit, raw TCP servers that
//! write exact bytes, and `wscheck serve` as a child process. Every server binds
//! 127.0.0.1:0; readiness is a bound listener or a printed URL, never a sleep.
#![allow(dead_code)]

pub mod certs;
pub mod deflate;
pub mod peers;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// True under CI (`CI` set), where a test must not skip what it could not do.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Say a test is skipped where `cargo test` shows it: straight to stderr, past the
/// harness's capture of `eprintln!`. Under CI a skip is a failure.
pub fn skip(why: &str) {
    assert!(!in_ci(), "cannot skip under CI: {why}");
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// The longest any single wscheck run in a test may take.
pub const LIMIT: Duration = Duration::from_secs(20);

/// What a wscheck run produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Assert the exit code, showing the transcript when it is wrong.
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(self.code, expected, "exit code\n--- stderr:\n{}\n--- stdout:\n{}", self.stderr, self.stdout);
        self
    }
    /// Assert stderr contains `needle`.
    pub fn err_has(&self, needle: &str) -> &Self {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}\n--- stderr:\n{}", self.stderr);
        self
    }
    pub fn err_lacks(&self, needle: &str) -> &Self {
        assert!(!self.stderr.contains(needle), "stderr has {needle:?}\n--- stderr:\n{}", self.stderr);
        self
    }
    pub fn out_has(&self, needle: &str) -> &Self {
        assert!(self.stdout.contains(needle), "stdout lacks {needle:?}\n--- stdout:\n{}", self.stdout);
        self
    }
    /// The finding line for `id` in the transcript (`id` must be one wscheck has).
    pub fn finding(&self, id: &str) -> String {
        assert!(is_finding_id(id), "no check has the id {id:?} (src/event/check.rs)");
        let pat = format!(" {id} ");
        self.stderr
            .lines()
            .find(|l| l.starts_with("  ") && l.contains(&pat))
            .unwrap_or_else(|| panic!("no finding {id}\n--- stderr:\n{}", self.stderr))
            .to_string()
    }
    /// Assert the finding `id` is shown with `mark` (ok, info, warn, ERROR).
    pub fn finding_is(&self, id: &str, mark: &str) -> String {
        let line = self.finding(id);
        assert!(
            line.trim_start().starts_with(mark),
            "finding {id} is not {mark}: {line}\n--- stderr:\n{}",
            self.stderr
        );
        line
    }
    /// The JSON events on stdout.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }
}

/// True when `id` is the id of one of wscheck's checks.
pub fn is_finding_id(id: &str) -> bool {
    wscheck::event::Check::ALL.iter().any(|c| c.id() == id)
}

/// Assert that one line of stderr is exactly `line`.
pub fn err_line(r: &Run, line: &str) {
    assert!(r.stderr.lines().any(|l| l == line), "stderr lacks the line {line:?}\n--- stderr:\n{}", r.stderr);
}

/// Run the built binary with `args` and `stdin`, killed if it outlives [`LIMIT`].
pub fn wscheck(args: &[&str], stdin: &[u8]) -> Run {
    wscheck_env(args, stdin, &[])
}

pub fn wscheck_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    run_command(assert_cmd::Command::new(env!("CARGO_BIN_EXE_wscheck")), args, stdin, env)
}

/// Run a prepared command with NO_COLOR, `env`, `stdin` and the time limit. The proxy
/// variables of the test's own environment are removed first: every test talks to
/// 127.0.0.1 directly, and only `env` decides whether a proxy is used.
fn run_command(mut cmd: assert_cmd::Command, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    let out = cmd
        .args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .write_stdin(stdin.to_vec())
        .timeout(LIMIT)
        .output()
        .expect("run wscheck");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A listener on 127.0.0.1:0 that nothing serves: for checking that wscheck did NOT connect.
pub fn untouched_listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

/// After the run: no connection is waiting on `listener`. A connect completes in the kernel's
/// backlog without any accept, so this holds no matter how quickly wscheck gave up.
pub fn assert_never_connected(listener: &TcpListener) {
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Err(e) => panic!("accept failed: {e}"),
        Ok((_, peer)) => panic!("wscheck connected (from {peer}) though it should have stopped"),
    }
}

/// Read an HTTP head (to the empty line) from `s`, byte by byte so that nothing after it is
/// consumed; the bytes read.
pub fn read_head(s: &mut impl Read) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    buf
}

/// The `Sec-WebSocket-Key` of a request head.
pub fn key_of(head: &[u8]) -> String {
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: ").map(str::to_string))
        .expect("request has a key")
}

/// The correct `Sec-WebSocket-Accept` for a request head.
pub fn accept_for(head: &[u8]) -> String {
    tungstenite::handshake::derive_accept_key(key_of(head).as_bytes())
}

/// A one-connection TCP server on 127.0.0.1:0 run by `script`, which gets the stream.
/// `join()` returns what the script returned, within [`LIMIT`]: it fails the test if the
/// script panicked, or got no connection, or did not finish. A server that is never joined
/// fails the test when dropped, so no server-side check can be skipped by accident.
pub struct RawServer<T> {
    pub port: u16,
    result: Option<mpsc::Receiver<T>>,
}

impl<T: Send + 'static> RawServer<T> {
    pub fn start(script: impl FnOnce(TcpStream) -> T + Send + 'static) -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap(), script)
    }

    /// The same on a listener the test bound itself (e.g. on [::1]).
    pub fn on(listener: TcpListener, script: impl FnOnce(TcpStream) -> T + Send + 'static) -> Self {
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            stream.set_read_timeout(Some(LIMIT)).unwrap();
            // A panic drops `tx`, which `join` reports.
            let _ = tx.send(script(stream));
        });
        RawServer { port, result: Some(rx) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    pub fn join(mut self) -> T {
        let rx = self.result.take().unwrap();
        match rx.recv_timeout(LIMIT) {
            Ok(value) => value,
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the test server panicked (see above)"),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("the test server got no connection, or did not finish, within {LIMIT:?}")
            }
        }
    }
}

impl<T> Drop for RawServer<T> {
    fn drop(&mut self) {
        if self.result.is_some() && !std::thread::panicking() {
            panic!("a RawServer was never joined: its checks would never run");
        }
    }
}

/// A server that reads the request and answers with `response(request_head)`, then
/// closes. Returns the request head on `join()`.
pub fn answer_with(response: impl FnOnce(&[u8]) -> Vec<u8> + Send + 'static) -> RawServer<Vec<u8>> {
    RawServer::start(move |mut s| {
        let head = read_head(&mut s);
        let _ = s.write_all(&response(&head));
        let _ = s.flush();
        head
    })
}

/// A valid 101 for `head` with the given reason phrase and extra header lines (CRLF each).
pub fn ok_101(head: &[u8], reason: &str, extra: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 {reason}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n{extra}\r\n",
        accept_for(head)
    )
    .into_bytes()
}

/// A server that answers a fixed 101 head and then behaves like a WebSocket peer that
/// answers our Close: for handshake cases where the session must end cleanly.
pub fn upgrade_then_close(response: impl FnOnce(&[u8]) -> Vec<u8> + Send + 'static) -> RawServer<Vec<u8>> {
    RawServer::start(move |mut s| {
        let head = read_head(&mut s);
        s.write_all(&response(&head)).unwrap();
        answer_close(&mut s);
        head
    })
}

/// The server side of the end of a `--handshake-only` session: read the client's (masked,
/// short) Close frame and answer Close 1000.
pub fn answer_close(s: &mut (impl Read + Write)) {
    let mut frame = [0u8; 2];
    if s.read_exact(&mut frame).is_ok() {
        let len = (frame[1] & 0x7f) as usize;
        let mut rest = vec![0u8; 4 + len];
        let _ = s.read_exact(&mut rest);
        let _ = s.write_all(&[0x88, 0x02, 0x03, 0xe8]);
        let _ = s.flush();
    }
}

/// `wscheck serve` as a child process; killed on drop.
pub struct Serve {
    child: Child,
    pub url: String,
}

impl Serve {
    pub fn start(extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wscheck"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start wscheck serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let url = rx.recv_timeout(LIMIT).expect("serve printed its URL").trim().to_string();
        assert!(url.starts_with("ws://127.0.0.1:") || url.starts_with("wss://127.0.0.1:"), "serve printed {url:?}");
        Serve { child, url }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- WebSocket frames on a raw server (RFC 6455 §5.2) ----------------------------------
// Server→client frames are unmasked; client→server frames are masked and are unmasked here.

/// A final, unmasked server→client frame with `opcode` (0x1 text, 0x2 binary, 0x8 close,
/// 0x9 ping, 0xA pong) and any payload length.
pub fn ws_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => f.push(n as u8),
        n if n <= 0xffff => {
            f.push(126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(payload);
    f
}

/// A server→client text frame (the bytes are sent as given, valid UTF-8 or not).
pub fn ws_text(payload: impl AsRef<[u8]>) -> Vec<u8> {
    ws_frame(0x1, payload.as_ref())
}

/// A server→client Close frame with `code` and `reason`.
pub fn ws_close(code: u16, reason: impl AsRef<[u8]>) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason.as_ref());
    ws_frame(0x8, &payload)
}

/// Read the upgrade request from `s` and answer a valid 101; the request head.
pub fn ws_accept(s: &mut TcpStream) -> Vec<u8> {
    let head = read_head(s);
    s.write_all(&ok_101(&head, "Switching Protocols", "")).unwrap();
    head
}

/// One client→server frame: (opcode, unmasked payload); `None` at EOF or on a read error.
/// Panics if the frame is not masked (RFC 6455 §5.1: a client masks every frame).
pub fn read_client_frame(s: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    read_client_frame_raw(s).map(|(first, payload)| (first & 0x0f, payload))
}

/// One client frame as sent: its first byte (FIN, RSV1–3, opcode) and unmasked payload;
/// `None` at EOF or on a read error. Panics if it is not masked.
pub fn read_client_frame_raw(s: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).ok()?;
    assert!(h[1] & 0x80 != 0, "client frame not masked: {h:02x?}");
    let len = match h[1] & 0x7f {
        126 => {
            let mut l = [0u8; 2];
            s.read_exact(&mut l).ok()?;
            u16::from_be_bytes(l) as usize
        }
        127 => {
            let mut l = [0u8; 8];
            s.read_exact(&mut l).ok()?;
            u64::from_be_bytes(l) as usize
        }
        n => n as usize,
    };
    let mut mask = [0u8; 4];
    s.read_exact(&mut mask).ok()?;
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).ok()?;
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
    Some((h[0], payload))
}

/// The code of a Close frame's payload (`None` when it has none).
pub fn close_code_of(payload: &[u8]) -> Option<u16> {
    (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]))
}

/// Read client frames until its Close; the frames before it (opcode, payload) and the
/// Close's code. Panics if the connection ends first.
pub fn read_until_client_close(s: &mut TcpStream) -> (Vec<(u8, Vec<u8>)>, Option<u16>) {
    let mut before = Vec::new();
    loop {
        match read_client_frame(s) {
            Some((0x8, payload)) => return (before, close_code_of(&payload)),
            Some(frame) => before.push(frame),
            None => panic!("the client hung up without a Close; frames before: {before:?}"),
        }
    }
}

/// The proxy variables curl reads, in both cases; every wscheck run in the tests removes them all.
pub const PROXY_VARS: &[&str] =
    &["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"];

// ---- Hostile servers: raw frame bytes, and runs measured for memory ------------------------

/// An unmasked server→client frame whose first byte is `first` as given (FIN, RSV1–3 and
/// the opcode), so a test can send fragments (FIN=0), continuations and reserved bits.
pub fn ws_raw(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = ws_frame(0x0, payload);
    f[0] = first;
    f
}

/// A server→client frame that is masked with `key` (RFC 6455 §5.1: a client must fail it).
pub fn ws_masked(first: u8, payload: &[u8], key: [u8; 4]) -> Vec<u8> {
    assert!(payload.len() < 126, "short payloads only");
    let mut f = vec![first, 0x80 | payload.len() as u8];
    f.extend_from_slice(&key);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    f
}

/// Read client frames until its Close; that Close's code (`None` when the connection ends
/// first or the Close has no code).
pub fn client_close_code(s: &mut TcpStream) -> Option<u16> {
    loop {
        match read_client_frame(s)? {
            (0x8, payload) => return close_code_of(&payload),
            _ => continue,
        }
    }
}

/// A run of the binary with its peak resident set size (`ru_maxrss`, KiB on Linux) and how
/// long it took.
#[derive(Debug)]
pub struct Measured {
    pub run: Run,
    pub peak_rss_kib: u64,
    pub took: Duration,
}

/// What the probe process is to run, and where it reports (see [`wscheck_measured`]).
const PROBE_ARGS: &str = "WSCHECK_TEST_RSS_PROBE_ARGS";
const PROBE_REPORT: &str = "WSCHECK_TEST_RSS_PROBE_REPORT";

/// Run the binary with `args` (stdin empty, proxy variables removed) and measure its peak RSS.
///
/// Linux keeps a process's peak RSS across `exec` and seeds it from the memory of the process
/// that spawned it: a child of this test process starts with the test's own peak (tens of MiB
/// once a flood test has run). So wscheck is started from a fresh, small process, this test
/// binary run again with only its `rss_probe` test (which must call [`rss_probe`]), which
/// reaps it with `wait4` and reports here through a file.
pub fn wscheck_measured(args: &[&str]) -> Measured {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let probe = assert_cmd::Command::new(std::env::current_exe().unwrap())
        .args(["rss_probe", "--exact", "--ignored", "--test-threads", "1"])
        .env(PROBE_ARGS, serde_json::to_string(args).unwrap())
        .env(PROBE_REPORT, &report)
        .timeout(LIMIT + Duration::from_secs(5))
        .output()
        .expect("run the probe");
    assert!(
        probe.status.success() && report.exists(),
        "the probe failed\n{}{}",
        String::from_utf8_lossy(&probe.stdout),
        String::from_utf8_lossy(&probe.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let text = |k: &str| v[k].as_str().unwrap().to_string();
    Measured {
        run: Run { code: v["code"].as_i64().unwrap() as i32, stdout: text("stdout"), stderr: text("stderr") },
        peak_rss_kib: v["peak_rss_kib"].as_u64().unwrap(),
        took: Duration::from_secs_f64(v["took_s"].as_f64().unwrap()),
    }
}

/// The body of a test named `rss_probe` (marked `#[ignore]`): nothing in a normal run; in
/// the probe process of [`wscheck_measured`], start wscheck, drain its stdout and stderr
/// (pipes), reap it with `wait4` (killed if it outlives [`LIMIT`]) and write the report.
#[allow(clippy::zombie_processes)] // the child is reaped with wait4, not Child::wait
pub fn rss_probe() {
    let (Ok(args), Ok(report)) = (std::env::var(PROBE_ARGS), std::env::var(PROBE_REPORT)) else {
        return;
    };
    let args: Vec<String> = serde_json::from_str(&args).unwrap();
    let start = std::time::Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wscheck"));
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    let mut child = cmd
        .args(&args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wscheck");
    let drain = |mut from: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = from.read_to_end(&mut all);
            all
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut status = 0;
        // SAFETY: rusage is plain data; wait4 fills it for our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let _ = tx.send((reaped, status, usage.ru_maxrss));
    });
    let (reaped, status, maxrss) = rx.recv_timeout(LIMIT).unwrap_or_else(|_| {
        // Not reaped yet, so the pid is still this child's.
        let _ = child.kill();
        rx.recv().expect("reaper thread")
    });
    let took = start.elapsed();
    assert_eq!(reaped, pid, "wait4 failed: {}", std::io::Error::last_os_error());
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    let text = |t: JoinHandle<Vec<u8>>| String::from_utf8_lossy(&t.join().unwrap()).into_owned();
    let v = serde_json::json!({
        "code": code,
        "stdout": text(stdout),
        "stderr": text(stderr),
        "peak_rss_kib": maxrss,
        "took_s": took.as_secs_f64(),
    });
    std::fs::write(report, serde_json::to_vec(&v).unwrap()).unwrap();
}

// ---- The transcript's error lines --------------------------------------------------------------

/// The `error:` lines of the transcript.
pub fn error_lines(r: &Run) -> Vec<&str> {
    r.stderr.lines().filter(|l| l.starts_with("error:")).collect()
}

/// No panic, and exactly one error line, equal to `line`.
pub fn one_error(r: &Run, line: &str) {
    assert!(!r.stderr.contains("panicked"), "wscheck panicked\n--- stderr:\n{}", r.stderr);
    assert_eq!(error_lines(r), [line], "the error line\n--- stderr:\n{}", r.stderr);
}

/// No panic and no error line.
pub fn no_error(r: &Run) {
    assert!(!r.stderr.contains("panicked"), "wscheck panicked\n--- stderr:\n{}", r.stderr);
    assert!(error_lines(r).is_empty(), "unexpected error line\n--- stderr:\n{}", r.stderr);
}

// ---- Hostile servers (tests/hostile.rs, tests/deflate_hostile.rs) ------------------------------

/// Peak RSS allowed for a run that a server tries to blow up.
pub const RSS_CAP_KIB: u64 = 32 * 1024;

/// `server` breaks the protocol and returns the code of the client's Close; `run` runs
/// wscheck with the given arguments. The run must exit 9 with `error: protocol error from the
/// server: {why}` alone, print nothing, and tell the server 1002 before it goes.
pub fn ends_in_protocol_error(server: RawServer<Option<u16>>, run: impl FnOnce(&[&str]) -> Run, why: &str) {
    let r = run(&[&server.url("/")]);
    r.code(9);
    one_error(&r, &format!("error: protocol error from the server: {why}"));
    err_line(&r, "* Close sent: 1002 (protocol error)");
    assert_eq!(r.stdout, "", "nothing may be printed from a broken session");
    assert_eq!(server.join(), Some(1002), "the server should be told 1002");
}

/// A WebSocket server for one connection on the Unix socket `ws.sock` in `dir`: the socket's
/// path, and where the request head it read arrives once it has upgraded (a 101). Read it
/// with `recv_timeout(LIMIT)`: a client that never connects fails the test instead of hanging it.
pub fn unix_ws_server(dir: &std::path::Path) -> (String, mpsc::Receiver<String>) {
    let sock = dir.join("ws.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(LIMIT)).unwrap();
        let _ = tx.send(certs::accept_ws(&mut s, ""));
    });
    (sock.to_str().unwrap().to_string(), rx)
}

/// Wait for `child` to exit, at most [`LIMIT`]; past it, kill it and fail the test.
pub fn wait_bounded(child: &mut Child) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("wscheck did not exit within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10)); // polling a child's exit: no readiness signal
    }
}
