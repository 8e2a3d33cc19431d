//! Interop for WebSocket over HTTP/2 (RFC 8441): wscheck's HTTP/2 client against hypercorn,
//! an HTTP/2 server nobody here wrote, over h2c (prior knowledge) and h2 over TLS, with a
//! whole session through the bridge (text, binary, ping, 200 KB, close).
//!
//! `WSCHECK_HYPERCORN` names the hypercorn binary (`.ci/run` installs hypercorn==0.18.0 in
//! its venv and exports it). When unset the tests say "skipped: …" and pass, except under
//! CI, where they fail. hypercorn serves a listener this test bound (`--bind fd://N`), so
//! the port is known and connections wait in the backlog until it is up: no sleep, no fixed
//! port. hypercorn runs as one process (`--workers 0`) in its own process group, killed on
//! drop, and if the test's thread dies.
#![cfg(feature = "http2")]

mod common;
mod h2peers;
use common::{in_ci, skip};
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
        let bin = match std::env::var_os("WSCHECK_HYPERCORN") {
            Some(v) if !v.is_empty() => v,
            _ if in_ci() => {
                panic!("WSCHECK_HYPERCORN is not set, and CI is: .ci/run must install hypercorn and export it")
            }
            _ => {
                skip("WSCHECK_HYPERCORN is not set (hypercorn==0.18.0); run `bash .ci/run`, or export it yourself");
                return None;
            }
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let fd = listener.as_raw_fd();
        let mut cmd = Command::new(bin);
        cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop"))
            // One process (no worker processes to outlive it), in a process group of its own.
            .args(["--workers", "0", "--bind", &format!("fd://{fd}"), "--log-level", "warning", "h2_echo:app"])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        let certs = tls.then(|| {
            let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("cert.pem"), ck.cert.pem()).unwrap();
            std::fs::write(dir.path().join("key.pem"), ck.signing_key.serialize_pem()).unwrap();
            cmd.arg("--certfile").arg(dir.path().join("cert.pem")).arg("--keyfile").arg(dir.path().join("key.pem"));
            dir
        });
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
        let child = cmd.spawn().expect("start hypercorn");
        drop(listener);
        Some(Hypercorn { child, addr, _certs: certs })
    }
}

impl Drop for Hypercorn {
    fn drop(&mut self) {
        // SAFETY: a signal to the process group this test started (its id is the child's).
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.kill();
        let _ = self.child.wait();
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
