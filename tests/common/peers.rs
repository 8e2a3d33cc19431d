//! Peers nobody here wrote, as child processes (SOCKS proxies, python servers): found through
//! the environment `.ci/run` sets, killed and reaped on drop, and waited for without sleeps
//! as synchronisation — a line they print, or a port that accepts a connection.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{LIMIT, in_ci, skip};

/// The value of `var`; when unset: a failure under CI, otherwise a "skipped" line and None.
pub fn required(var: &str, what: &str) -> Option<OsString> {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => Some(v),
        _ if in_ci() => panic!(
            "{var} is not set, and CI is: .ci/run must install {what} and export {var} \
             (peers may not be skipped in CI)"
        ),
        _ => {
            skip(&format!("{var} is not set ({what}); run `bash .ci/run`, or export {var} yourself"));
            None
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago: bound, then released, for a peer that
/// must be told its port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process, killed and reaped on drop; its stdin stays open while it lives (the
/// python peers exit when it closes), its stderr is kept to explain a failed start.
pub struct Peer {
    pub name: String,
    child: Child,
    _stdin: ChildStdin,
    stdout: Option<std::process::ChildStdout>,
    stderr: Option<std::process::ChildStderr>,
}

impl Peer {
    pub fn spawn(name: &str, mut command: Command) -> Peer {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name} ({command:?}): {e}"));
        let stdin = child.stdin.take().unwrap();
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        Peer { name: name.to_string(), child, _stdin: stdin, stdout, stderr }
    }

    /// Fail the test with what the peer said on stderr.
    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.kill();
        let status = self.child.wait();
        let mut said = String::new();
        if let Some(mut e) = self.stderr.take() {
            let _ = e.read_to_string(&mut said);
        }
        panic!("{} did not get ready: {why} (status {status:?})\n--- its stderr:\n{said}", self.name);
    }

    /// The first line the peer prints on stdout (its readiness signal), within [`LIMIT`].
    pub fn first_line(&mut self) -> String {
        let stdout = self.stdout.take().expect("first_line is read once");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(LIMIT) {
            Ok(line) if !line.is_empty() => line.trim_end().to_string(),
            Ok(_) => self.fail("it closed stdout without a line"),
            Err(_) => self.fail(&format!("no line on stdout within {LIMIT:?}")),
        }
    }

    /// Wait until 127.0.0.1:`port` accepts a connection (the peer prints nothing when it
    /// listens): connect attempts in a loop bounded by [`LIMIT`], failing at once if the
    /// peer exits. The attempt's connection is closed at once; the peers here take that.
    pub fn wait_listening(&mut self, port: u16) {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let until = Instant::now() + LIMIT;
        while TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.fail(&format!("it exited ({status}) before listening on port {port}"));
            }
            if Instant::now() >= until {
                self.fail(&format!("port {port} still refused connections after {LIMIT:?}"));
            }
            // A poll between attempts, not a guess at how long starting takes.
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
