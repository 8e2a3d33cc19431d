//! Interop peers for the tests that talk to servers nobody here wrote (tests/interop.rs,
//! tests/probe_interop.rs): the interpreter from the environment (`required`), the scripts in
//! tests/interop/, and a server child process whose readiness is the port it prints (`Peer`).

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;

use super::common::{LIMIT, in_ci, skip};

/// The value of `var`; when unset: a failure under CI, otherwise a "skipped" line and None.
pub fn required(var: &str, what: &str) -> Option<OsString> {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => Some(v),
        _ if in_ci() => panic!(
            "{var} is not set, and CI is: .ci/run must install {what} and export {var} \
             (interop tests may not be skipped in CI)"
        ),
        _ => {
            skip(&format!("{var} is not set ({what}); run `bash .ci/run`, or export {var} yourself"));
            None
        }
    }
}

pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop").join(name)
}

/// A server child process that prints its port on stdout when it is listening.
/// Its stdin stays open while the test runs (the scripts exit when it closes);
/// dropping it kills and reaps the child.
pub struct Peer {
    pub name: &'static str,
    child: Child,
    _stdin: ChildStdin,
    pub port: u16,
}

impl Peer {
    pub fn start(name: &'static str, mut command: Command) -> Peer {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start the {name} server ({command:?}): {e}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        // Keep what the server says on stderr, to show it if it never gets ready.
        let said = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            text
        });
        let line = rx.recv_timeout(LIMIT);
        let port = line.as_deref().ok().and_then(|l| l.trim().parse().ok());
        match port {
            Some(port) => Peer { name, child, _stdin: stdin, port },
            None => {
                let _ = child.kill();
                let status = child.wait();
                panic!(
                    "the {name} server did not start: no port on stdout (waited at most {LIMIT:?}; \
                     first stdout line: {line:?}, status: {status:?})\n--- its stderr:\n{}",
                    String::from_utf8_lossy(&said.join().unwrap_or_default())
                );
            }
        }
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
