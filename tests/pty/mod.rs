//! The REPL on a real pseudo-terminal, for the tests: wscheck spawned on a pty (rexpect),
//! what it drew rendered by a terminal emulator (vt100), servers that echo or send heartbeats,
//! and a run with a terminal as stdin only.

use std::io::Write;
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{Options, PtySession, spawn_with_options};
use tempfile::TempDir;

use crate::common::*;

/// How long any one expectation may wait for the terminal.
pub const EXPECT_MS: u64 = 10_000;

/// wscheck on a pseudo-terminal, at its first prompt. History goes to a temporary
/// `XDG_DATA_HOME`, never to the real home.
pub struct Repl {
    pub p: PtySession,
    data: TempDir,
    /// Everything read from the terminal so far.
    seen: String,
}

impl Repl {
    /// wscheck on a pseudo-terminal, just started.
    pub fn spawn(url: &str) -> Repl {
        Repl::spawn_with(&[url])
    }

    /// wscheck with `args` on a pseudo-terminal, just started.
    pub fn spawn_with(args: &[&str]) -> Repl {
        Repl::spawn_on("xterm", args)
    }

    /// wscheck with `args` on a pseudo-terminal that says it is a `term`.
    pub fn spawn_on(term: &str, args: &[&str]) -> Repl {
        let data = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wscheck"));
        cmd.args(args).env("NO_COLOR", "1").env("TERM", term).env("XDG_DATA_HOME", data.path());
        for var in PROXY_VARS {
            cmd.env_remove(var);
        }
        let p = spawn_with_options(cmd, Options::new().timeout_ms(Some(EXPECT_MS))).expect("spawn wscheck on a pty");
        Repl { p, data, seen: String::new() }
    }

    /// wscheck at its first prompt: from here keys reach the line editor.
    pub fn start(url: &str) -> Repl {
        Repl::start_with(&[url])
    }

    /// wscheck with `args` at its first prompt.
    pub fn start_with(args: &[&str]) -> Repl {
        let mut r = Repl::spawn_with(args);
        r.expect("Ctrl-D to close.");
        r.expect("> ");
        r
    }

    /// Wait for `needle`; the text seen before it.
    pub fn expect(&mut self, needle: &str) -> String {
        let before = self.p.exp_string(needle).unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"));
        self.seen.push_str(&before);
        self.seen.push_str(needle);
        before
    }

    /// The history entries saved so far, oldest first (rustyline's file, its `#V2` header left out).
    pub fn history(&self) -> Vec<String> {
        let file = std::fs::read_to_string(self.data.path().join("wscheck/history")).unwrap_or_default();
        file.lines().filter(|l| *l != "#V2").map(str::to_string).collect()
    }

    /// Type `keys` without pressing Enter.
    pub fn keys(&mut self, keys: &str) {
        self.p.send(keys).unwrap();
        self.p.flush().unwrap();
    }

    /// Type `line` and press Enter.
    pub fn line(&mut self, line: &str) {
        self.keys(&format!("{line}\r"));
    }

    /// Wait for the process to end; its exit code and what it printed last.
    pub fn exit(self) -> (i32, String) {
        let (code, rest, _) = self.exit_screen();
        (code, rest)
    }

    /// Wait for the process to end; its exit code, what it printed last, and the terminal
    /// as a person sees it then.
    pub fn exit_screen(mut self) -> (i32, String, Screen) {
        let rest = self.p.exp_eof().unwrap_or_else(|e| panic!("waiting for wscheck to exit: {e}"));
        self.seen.push_str(&rest);
        let screen = Screen::of(&self.seen);
        match self.p.process().wait().unwrap() {
            WaitStatus::Exited(_, code) => (code, rest, screen),
            other => panic!("wscheck did not exit normally: {other:?}\n{rest}"),
        }
    }
}

/// The terminal after everything wscheck wrote, rendered by a terminal emulator: 80 columns
/// (what rustyline assumes of a pty with no size) and rows enough that nothing scrolls away.
pub struct Screen {
    pub rows: Vec<String>,
    pub cursor: (usize, usize),
}

impl Screen {
    /// `output` as rexpect hands it over: one char per byte.
    pub fn of(output: &str) -> Screen {
        let n = |v: u16| std::num::NonZeroU16::new(v).unwrap();
        let mut parser = vt100::Parser::new(n(2000), n(80), 0);
        let bytes: Vec<u8> = output.chars().map(|c| c as u32 as u8).collect();
        parser.process(&bytes);
        let screen = parser.screen();
        let mut rows: Vec<String> = screen.rows(0, 80).map(|r| r.trim_end().to_string()).collect();
        while rows.last().is_some_and(|r| r.is_empty()) {
            rows.pop();
        }
        let (row, col) = screen.cursor_position();
        Screen { rows, cursor: (row.into(), col.into()) }
    }

    /// The screen ends with rows containing `lines`, in this order (other rows may come
    /// between them), the last of them on the last row; no prompt after the first of them;
    /// and the cursor at the start of the row below, where the shell's prompt will go.
    pub fn ends_with(&self, lines: &[&str]) {
        let shown = self.rows[self.rows.len().saturating_sub(12)..].join("\n");
        let mut at = 0;
        let mut first = None;
        for line in lines {
            let found = self.rows[at..].iter().position(|r| r.contains(line));
            let i = at + found.unwrap_or_else(|| panic!("no row with {line:?} in order on the screen:\n{shown}"));
            first.get_or_insert(i);
            at = i + 1;
        }
        assert_eq!(at, self.rows.len(), "rows after {:?}:\n{shown}", lines.last());
        for row in &self.rows[first.unwrap_or(0)..] {
            assert!(!row.starts_with('>'), "a prompt among the last lines: {row:?}\n{shown}");
        }
        assert_eq!(self.cursor, (self.rows.len(), 0), "the cursor is not on a clean new line:\n{shown}");
    }
}

/// A server that echoes every text frame until the client's Close, answers it, and
/// returns the texts it received, in order, and the Close's code.
pub fn echo_server() -> RawServer<(Vec<String>, Option<u16>)> {
    RawServer::start(|mut s| {
        ws_accept(&mut s);
        let mut texts = Vec::new();
        loop {
            match read_client_frame(&mut s) {
                Some((0x8, payload)) => {
                    let _ = s.write_all(&ws_close(1000, ""));
                    return (texts, close_code_of(&payload));
                }
                Some((0x1, text)) => {
                    s.write_all(&ws_text(&text)).unwrap();
                    texts.push(String::from_utf8(text).unwrap());
                }
                Some(_) => {}
                None => return (texts, None),
            }
        }
    })
}

/// wscheck `args` with a terminal as stdin and pipes as stdout and stderr, as in
/// `wscheck URL | tee log` typed at a shell; `typed` is typed on that terminal (it is in
/// its usual cooked mode: a line goes when Enter is pressed, Ctrl-D at a line's start ends).
pub fn run_with_terminal_stdin(args: &[&str], typed: &[u8]) -> Run {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::Stdio;
    let (mut master, slave) = unsafe {
        let (mut m, mut s) = (0, 0);
        // SAFETY: openpty writes two new fds, owned from here on.
        let ok = libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), std::ptr::null());
        assert_eq!(ok, 0, "openpty: {}", std::io::Error::last_os_error());
        (std::fs::File::from_raw_fd(m), OwnedFd::from_raw_fd(s))
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wscheck"));
    cmd.args(args).env("NO_COLOR", "1").stdin(Stdio::from(slave)).stdout(Stdio::piped()).stderr(Stdio::piped());
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    let child = cmd.spawn().expect("start wscheck");
    drop(cmd); // the slave stays open in the child only
    let pid = child.id() as libc::pid_t;
    master.write_all(typed).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(LIMIT) {
        Ok(out) => out.expect("wait for wscheck"),
        Err(_) => {
            // SAFETY: the child is ours and has not been reaped (its waiter has not returned).
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("wscheck did not end within {LIMIT:?}");
        }
    };
    drop(master);
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A server that sends a heartbeat ping after the handshake and after each text it gets,
/// each followed by the text `after <ping>` once the client's pong is in; it answers a
/// client's ping. The client's pongs, in order, and its Close code.
pub fn heartbeat_server() -> RawServer<(Vec<Vec<u8>>, Option<u16>)> {
    RawServer::start(|mut s| {
        ws_accept(&mut s);
        let mut pongs = Vec::new();
        let mut beat = 0;
        let mut ping = |s: &mut std::net::TcpStream, pongs: &mut Vec<Vec<u8>>| {
            beat += 1;
            let data = format!("beat{beat}");
            s.write_all(&ws_frame(0x9, data.as_bytes())).unwrap();
            let (op, pong) = read_client_frame(s).expect("the pong");
            assert_eq!(op, 0xA, "not a pong: {pong:?}");
            pongs.push(pong);
            s.write_all(&ws_text(format!("after {data}"))).unwrap();
        };
        ping(&mut s, &mut pongs);
        loop {
            match read_client_frame(&mut s).expect("a frame") {
                (0x1, _) => ping(&mut s, &mut pongs),
                (0x9, data) => s.write_all(&ws_frame(0xA, &data)).unwrap(),
                (0x8, payload) => {
                    let _ = s.write_all(&ws_close(1000, ""));
                    return (pongs, close_code_of(&payload));
                }
                other => panic!("unexpected frame {other:?}"),
            }
        }
    })
}
