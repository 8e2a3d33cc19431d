//! Interop for WebSocket over HTTP/2 (RFC 8441): wscheck's HTTP/2 client against hypercorn,
//! an HTTP/2 server nobody here wrote, over h2c (prior knowledge) and h2 over TLS, with a
//! whole session through the bridge (text, binary, ping, 200 KB, close); and `wscheck
//! --http2` against hypercorn and against HAProxy 2.6 (h2 by ALPN in front of `wscheck serve`
//! speaking HTTP/1.1: it translates the 200 into a 101 and leaks `sec-websocket-accept`).
//!
//! `WSCHECK_HYPERCORN` names the hypercorn binary (`.ci/run` installs hypercorn==0.18.0 in
//! its venv and exports it), `WSCHECK_HAPROXY` HAProxy's (`.ci/run` installs it with apt
//! where it is root). When unset the tests say "skipped: …" and pass, except under
//! CI, where they fail. HAProxy serves a listener this test bound (`bind fd@N`), as hypercorn does. hypercorn serves a listener this test bound (`--bind fd://N`), so
//! the port is known and connections wait in the backlog until it is up: no sleep, no fixed
//! port. hypercorn runs as one process (`--workers 0`) in its own process group, killed on
//! drop, and if the test's thread dies.
#![cfg(feature = "http2")]

mod common;
mod h2peers;
use common::{Serve, err_line, in_ci, skip, wscheck};
use h2peers::*;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wscheck::http2::client;

/// hypercorn's start-up (python imports) is part of the handshake's time.
const START: Duration = Duration::from_secs(20);

struct Hypercorn {
    child: Child,
    addr: SocketAddr,
    _certs: Option<tempfile::TempDir>,
}

impl Hypercorn {
    /// hypercorn with tests/interop/h2_echo.py, TLS when `tls`; None (skipped) without it.
    fn start(tls: bool) -> Option<Hypercorn> {
        let bin = peer("WSCHECK_HYPERCORN", "hypercorn==0.18.0")?;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let fd = listener.as_raw_fd();
        let mut cmd = Command::new(bin);
        cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop"))
            // One process (no worker processes to outlive it), in a process group of its own.
            .args(["--workers", "0", "--bind", &format!("fd://{fd}"), "--log-level", "warning", "h2_echo:app"]);
        let certs = tls.then(|| {
            let dir = certs();
            cmd.arg("--certfile").arg(dir.path().join("cert.pem")).arg("--keyfile").arg(dir.path().join("key.pem"));
            dir
        });
        let child = spawn_with(cmd, listener);
        Some(Hypercorn { child, addr, _certs: certs })
    }
}

/// The peer binary named by `var`, or None (the test is skipped) when it is not set; under
/// CI a missing peer fails.
fn peer(var: &str, what: &str) -> Option<std::ffi::OsString> {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => Some(v),
        _ if in_ci() => panic!("{var} is not set, and CI is: .ci/run must install {what} and export it"),
        _ => {
            skip(&format!("{var} is not set ({what}); run `bash .ci/run`, or export it yourself"));
            None
        }
    }
}

/// A self-signed certificate for localhost: cert.pem, key.pem, and both.pem (HAProxy's form).
fn certs() -> tempfile::TempDir {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (ck.cert.pem(), ck.signing_key.serialize_pem());
    std::fs::write(dir.path().join("cert.pem"), &cert).unwrap();
    std::fs::write(dir.path().join("key.pem"), &key).unwrap();
    std::fs::write(dir.path().join("both.pem"), format!("{cert}{key}")).unwrap();
    dir
}

/// Start `cmd` with `listener` inherited (it serves the bound socket: the port is known and
/// connections wait in the backlog until it is up, no sleep), with no stdin or stdout, in a
/// process group of its own, killed if the test's thread dies.
fn spawn_with(mut cmd: Command, listener: TcpListener) -> Child {
    let fd = listener.as_raw_fd();
    cmd.process_group(0).stdin(Stdio::null()).stdout(Stdio::null());
    // SAFETY: only async-signal-safe calls between fork and exec: the listener is
    // inherited (no close-on-exec), and the child dies with this thread.
    unsafe {
        cmd.pre_exec(move || {
            if libc::fcntl(fd, libc::F_SETFD, 0) < 0 || libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().expect("start the peer");
    drop(listener);
    child
}

/// Kill a peer started by [`spawn_with`], its process group with it.
fn stop(child: &mut Child) {
    // SAFETY: a signal to the process group this test started (its id is the child's).
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for Hypercorn {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

fn session(exchange: client::Exchange, bridge: client::Bridge) {
    let settings = exchange.settings.expect("hypercorn's SETTINGS");
    assert!(settings.iter().any(|s| s.name() == "ENABLE_CONNECT_PROTOCOL" && s.value == 1), "{settings:?}");
    let response = strs(&exchange.response.unwrap());
    assert_eq!(response[0], (":status".into(), "200".into()), "{response:?}");
    assert!(response.contains(&("sec-websocket-protocol".into(), "chat".into())), "{response:?}");
    let request = strs(&exchange.request.unwrap());
    assert_eq!(request[4], (":protocol".into(), "websocket".into()), "{request:?}");
    let mut ws = ws_client(bridge.socket);
    round_trip(&mut ws);
    drop(ws);
    let end = bridge.ending.wait(Duration::from_secs(10));
    // hypercorn 0.18.0's teardown after a Close: no END_STREAM of its own, the TCP connection
    // dropped once the client has ended the stream.
    assert_eq!(end.to_string(), "client END_STREAM, then server closed the connection");
}

fn connect(addr: SocketAddr) -> TcpStream {
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(START)).unwrap();
    tcp.set_write_timeout(Some(START)).unwrap();
    tcp
}

#[test]
fn hypercorn_over_h2c() {
    let Some(h) = Hypercorn::start(false) else { return };
    let (exchange, bridge) = client::open(connect(h.addr), offer("http", &h.addr.to_string()), Instant::now() + START);
    session(exchange, bridge.unwrap());
}

#[test]
fn hypercorn_over_tls() {
    let Some(h) = Hypercorn::start(true) else { return };
    let connector = native_tls::TlsConnector::builder()
        .danger_accept_invalid_certs(true)
        .request_alpns(&["h2", "http/1.1"])
        .build()
        .unwrap();
    let tls = connector.connect("localhost", connect(h.addr)).unwrap();
    let authority = format!("localhost:{}", h.addr.port());
    let (exchange, bridge) = client::open(tls, offer("https", &authority), Instant::now() + START);
    session(exchange, bridge.unwrap());
}

/// HAProxy terminating TLS (ALPN `h2,http/1.1`) in front of `backend` (an HTTP/1.1 server).
struct Haproxy {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Haproxy {
    fn start(backend: &str) -> Option<Haproxy> {
        let bin = peer("WSCHECK_HAPROXY", "HAProxy 2.6 (apt-get install haproxy)")?;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let dir = certs();
        let config = format!(
            "global\n    log stderr format raw local0 warning\n\
             defaults\n    mode http\n    timeout connect 5s\n    timeout client 20s\n    timeout server 20s\n    timeout tunnel 20s\n\
             frontend fe\n    bind fd@{fd} ssl crt {pem} alpn h2,http/1.1\n    default_backend be\n\
             backend be\n    server s1 {backend}\n",
            fd = listener.as_raw_fd(),
            pem = dir.path().join("both.pem").display()
        );
        std::fs::write(dir.path().join("haproxy.cfg"), config).unwrap();
        let mut cmd = Command::new(bin);
        cmd.arg("-f").arg(dir.path().join("haproxy.cfg")).arg("-db").stderr(Stdio::null());
        let child = spawn_with(cmd, listener);
        Some(Haproxy { child, port, _dir: dir })
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// wscheck's own lines of an exchange with hypercorn, as they are on every run.
fn hypercorn_lines(r: &common::Run) {
    err_line(
        r,
        "< SETTINGS HEADER_TABLE_SIZE=4096 ENABLE_PUSH=0 INITIAL_WINDOW_SIZE=65535 MAX_FRAME_SIZE=16384 \
         ENABLE_CONNECT_PROTOCOL=1 MAX_CONCURRENT_STREAMS=100 MAX_HEADER_LIST_SIZE=65536",
    );
    for line in ["> :protocol: websocket", "< :status: 200", "< sec-websocket-protocol: chat", "< server: hypercorn-h2"]
    {
        err_line(r, line);
    }
    r.finding_is("accept-h2", "ok");
    err_line(r, "* OK: the server opened the WebSocket over HTTP/2 (:status 200) and the exchange follows RFC 8441");
    // hypercorn echoes the Close and ends nothing until its idle timeout; wscheck ends at the
    // echoed Close, then the stream: hypercorn drops the connection.
    err_line(r, "* HTTP/2 stream ended: client END_STREAM, then server closed the connection");
}

#[test]
fn wscheck_http2_against_hypercorn_h2c_and_tls() {
    let Some(h) = Hypercorn::start(false) else { return };
    let url = format!("ws://{}/chat", h.addr);
    let started = Instant::now();
    let r = wscheck(&["--http2", "-s", "chat", "-x", "one", "-x", "two", "-n", "2", &url], b"");
    r.code(0);
    assert_eq!(r.stdout, "one\ntwo\n");
    hypercorn_lines(&r);
    assert!(started.elapsed() < START, "{:?}", started.elapsed());
    // A session with no goal ends at the quiet wait, at once at its echoed Close.
    let started = Instant::now();
    let r = wscheck(&["--http2", "-s", "chat", "-w", "200ms", &url], b"piped\n");
    r.code(0).err_lacks("did not close the connection");
    assert_eq!(r.stdout, "piped\n");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());

    let Some(h) = Hypercorn::start(true) else { return };
    let url = format!("wss://localhost:{}/chat", h.addr.port());
    let r = wscheck(&["--http2", "-k", "-s", "chat", "--handshake-only", &url], b"");
    r.code(0);
    err_line(&r, "* TLS established, ALPN h2 — certificate NOT verified (-k)");
    hypercorn_lines(&r);
}

#[test]
fn wscheck_http2_through_haproxy_warns_about_the_leaked_accept() {
    let serve = Serve::start(&[]);
    let backend = serve.url.trim_start_matches("ws://").trim_end_matches('/').to_string();
    let Some(proxy) = Haproxy::start(&backend) else { return };
    let url = format!("wss://localhost:{}/chat", proxy.port);
    let r = wscheck(&["--http2", "-k", "-x", "through haproxy", "-n", "1", &url], b"");
    r.code(0).out_has("through haproxy\n");
    err_line(&r, "* TLS established, ALPN h2 — certificate NOT verified (-k)");
    err_line(&r, "< SETTINGS ENABLE_CONNECT_PROTOCOL=1 MAX_CONCURRENT_STREAMS=100");
    err_line(&r, "< :status: 200");
    let accept = r.finding_is("accept-h2", "warn");
    assert!(accept.contains("has no meaning over HTTP/2 (no key is sent)"), "{accept}");
    r.finding_is("connection-specific", "ok");
    err_line(&r, "* OK: the server opened the WebSocket over HTTP/2 (:status 200) and the exchange follows RFC 8441");
    r.err_has("* HTTP/2 stream ended: ");
    // The same HAProxy speaks HTTP/1.1 to wscheck's HTTP/1.1 offer.
    let h1 = wscheck(&["-k", "--handshake-only", &url], b"");
    h1.code(0);
    err_line(&h1, "* TLS established, ALPN http/1.1 — certificate NOT verified (-k)");
    err_line(&h1, "< HTTP/1.1 101 Switching Protocols");
}
