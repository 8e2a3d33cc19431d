//! The interactive REPL (SPEC §3, §5) on a real pseudo-terminal: typed lines go out,
//! messages appear above the prompt without eating what is being typed, slash commands,
//! Ctrl-D, and network bytes escaped on the terminal.
mod common;
use common::*;

use std::io::Write;
use std::process::Command;
use std::sync::mpsc;

use rexpect::process::WaitStatus;
use rexpect::session::{Options, PtySession, spawn_with_options};
use tempfile::TempDir;

/// How long any one expectation may wait for the terminal.
const EXPECT_MS: u64 = 10_000;

/// wscheck on a pseudo-terminal, at its first prompt. History goes to a temporary
/// `XDG_DATA_HOME`, never to the real home.
struct Repl {
    p: PtySession,
    _data: TempDir,
}

impl Repl {
    /// wscheck on a pseudo-terminal, just started.
    fn spawn(url: &str) -> Repl {
        let data = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wscheck"));
        cmd.arg(url).env("NO_COLOR", "1").env("TERM", "xterm").env("XDG_DATA_HOME", data.path());
        for var in PROXY_VARS {
            cmd.env_remove(var);
        }
        let p = spawn_with_options(cmd, Options::new().timeout_ms(Some(EXPECT_MS))).expect("spawn wscheck on a pty");
        Repl { p, _data: data }
    }

    /// wscheck at its first prompt: from here keys reach the line editor.
    fn start(url: &str) -> Repl {
        let mut r = Repl::spawn(url);
        r.expect("Ctrl-D to close.");
        r.expect("> ");
        r
    }

    /// Wait for `needle`; the text seen before it.
    fn expect(&mut self, needle: &str) -> String {
        self.p.exp_string(needle).unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"))
    }

    /// Type `keys` without pressing Enter.
    fn keys(&mut self, keys: &str) {
        self.p.send(keys).unwrap();
        self.p.flush().unwrap();
    }

    /// Type `line` and press Enter.
    fn line(&mut self, line: &str) {
        self.keys(&format!("{line}\r"));
    }

    /// Wait for the process to end; its exit code and what it printed last.
    fn exit(mut self) -> (i32, String) {
        let rest = self.p.exp_eof().unwrap_or_else(|e| panic!("waiting for wscheck to exit: {e}"));
        match self.p.process().wait().unwrap() {
            WaitStatus::Exited(_, code) => (code, rest),
            other => panic!("wscheck did not exit normally: {other:?}\n{rest}"),
        }
    }
}

#[test]
fn typed_line_is_echoed() {
    let server = Serve::start(&[]);
    let mut r = Repl::start(&server.url);
    r.line("hello there");
    r.expect("< hello there");
    r.line("/quit");
    r.expect("Close sent: 1000 (normal closure)");
    let (code, _) = r.exit();
    assert_eq!(code, 0);
}

#[test]
fn pushed_message_does_not_garble_the_line_being_typed() {
    let (typed_tx, typed_rx) = mpsc::channel::<()>();
    let server = RawServer::start(move |mut s| {
        ws_accept(&mut s);
        // Push only once the test has half a line typed at the prompt.
        typed_rx.recv_timeout(LIMIT).expect("the test typed half a line");
        s.write_all(&ws_text("pushed by the server")).unwrap();
        let (op, line) = read_client_frame(&mut s).expect("the typed line");
        s.write_all(&ws_frame(op, &line)).unwrap();
        let (_, code) = read_until_client_close(&mut s);
        let _ = s.write_all(&ws_close(1000, ""));
        (op, line, code)
    });
    let mut r = Repl::start(&server.url("/"));
    r.keys("half a li");
    r.expect("half a li"); // the editor has it
    typed_tx.send(()).unwrap();
    r.expect("< pushed by the server");
    r.expect("half a li"); // the prompt and the typed text are drawn again below the message
    r.line("ne");
    r.expect("< half a line");
    r.p.send_control('d').unwrap();
    r.expect("Close sent: 1000 (normal closure)");
    let (code, _) = r.exit();
    assert_eq!(code, 0);
    let (op, line, close) = server.join();
    assert_eq!((op, line.as_slice(), close), (0x1, &b"half a line"[..], Some(1000)));
}

#[test]
fn close_command_with_code_and_reason() {
    let server = Serve::start(&[]);
    let mut r = Repl::start(&server.url);
    r.line("/close 4000 bye");
    r.expect("Close sent: 4000 (application-defined): \"bye\"");
    let (code, _) = r.exit();
    assert_eq!(code, 0);
}

#[test]
fn control_sequences_from_the_server_are_shown_escaped() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        // A title change and a screen clear, then a clean Close: no keys needed.
        s.write_all(&ws_text("\x1b]0;pwned\x07\x1b[2J")).unwrap();
        s.write_all(&ws_close(1000, "")).unwrap();
        read_until_client_close(&mut s).1
    });
    let mut r = Repl::spawn(&server.url("/"));
    let before = r.expect(r"< \x1b]0;pwned\x07\x1b[2J");
    let (code, rest) = r.exit();
    assert_eq!(code, 0);
    for shown in [before, rest] {
        assert!(
            !shown.contains("\x1b]0;") && !shown.contains('\x07') && !shown.contains("\x1b[2J"),
            "raw control sequence on the terminal: {shown:?}"
        );
    }
    assert_eq!(server.join(), Some(1000));
}

#[test]
fn ctrl_d_closes_with_1000() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        let (frames, code) = read_until_client_close(&mut s);
        let _ = s.write_all(&ws_close(1000, ""));
        (frames, code)
    });
    let mut r = Repl::start(&server.url("/"));
    r.p.send_control('d').unwrap();
    r.expect("Close sent: 1000 (normal closure)");
    let (code, _) = r.exit();
    assert_eq!(code, 0);
    let (frames, close) = server.join();
    assert!(frames.is_empty(), "sent before the Close: {frames:?}");
    assert_eq!(close, Some(1000));
}

#[test]
fn help_lists_the_commands_and_double_slash_sends_text() {
    let server = Serve::start(&[]);
    let mut r = Repl::start(&server.url);
    r.line("/help");
    for command in
        ["/ping [data]", "/pong [data]", "/close [code [reason]]", "/binary <hex>", "/help", "/quit", "//text"]
    {
        r.expect(command);
    }
    r.line("//x");
    r.expect("< /x");
    r.line("/quit");
    let (code, _) = r.exit();
    assert_eq!(code, 0);
}

/// A server that echoes every text frame until the client's Close, answers it, and
/// returns the texts it received, in order, and the Close's code.
fn echo_server() -> RawServer<(Vec<String>, Option<u16>)> {
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

/// Type `keys` in one write, wait for the echo of `last`, end with Ctrl-D; what the server got.
fn sent_by_typing(keys: &str, last: &str) -> Vec<String> {
    let server = echo_server();
    let mut r = Repl::start(&server.url("/"));
    r.keys(keys);
    r.expect(&format!("< {last}"));
    r.p.send_control('d').unwrap();
    let (code, rest) = r.exit();
    assert_eq!(code, 0, "{rest}");
    let (texts, close) = server.join();
    assert_eq!(close, Some(1000));
    texts
}

#[test]
fn lines_typed_ahead_in_one_write_are_all_sent() {
    // What tmux send-keys, a fast typist or a terminal without bracketed paste deliver.
    assert_eq!(sent_by_typing("a1\ra2\ra3\r", "a3"), ["a1", "a2", "a3"]);
}

#[test]
fn a_bracketed_paste_of_several_lines_sends_one_message_per_line() {
    assert_eq!(sent_by_typing("\x1b[200~p1\np2\np3\x1b[201~\r", "p3"), ["p1", "p2", "p3"]);
}

#[test]
fn a_pasted_crlf_block_and_its_trailing_newline_send_one_message_per_line() {
    // CRLF inside the paste, an empty line, and the newline a copied block usually ends with:
    // no empty messages.
    assert_eq!(sent_by_typing("\x1b[200~c1\r\nc2\r\n\r\nc3\r\n\x1b[201~\r", "c3"), ["c1", "c2", "c3"]);
}

#[test]
fn pasted_lines_and_typed_ahead_keep_their_order() {
    assert_eq!(sent_by_typing("t1\r\x1b[200~p1\np2\x1b[201~\rt2\r/ping\r//x\r", "/x"), ["t1", "p1", "p2", "t2", "/x"]);
}
