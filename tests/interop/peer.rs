//! Interop peers for the tests that talk to servers nobody here wrote (tests/interop.rs,
//! tests/probe_interop.rs): the interpreter from the environment (`required`, common's), the
//! scripts in tests/interop/, and a server child process whose readiness is the port it
//! prints (`Peer`, over common's `peers::Peer`).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::common::peers;
pub use super::common::peers::required;

pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop").join(name)
}

/// A server child process that prints its port on stdout when it is listening. Its stdin
/// stays open while the test runs (the scripts exit when it closes); dropping it kills and
/// reaps the child.
pub struct Peer {
    pub name: &'static str,
    pub port: u16,
    _child: peers::Peer,
}

impl Peer {
    pub fn start(name: &'static str, command: Command) -> Peer {
        let mut child = peers::Peer::spawn(&format!("the {name} server"), command);
        let line = child.first_line();
        let port = line.parse().unwrap_or_else(|_| panic!("the {name} server printed {line:?}, not its port"));
        Peer { name, port, _child: child }
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/", self.port)
    }
}
