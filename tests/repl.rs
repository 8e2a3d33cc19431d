//! The interactive REPL (SPEC §3, §5, §15) on a real pseudo-terminal: typed lines go out,
//! typed-ahead and pasted lines each as a message, messages appear above the prompt without
//! eating what is being typed, slash commands, Ctrl-D, network bytes escaped on the terminal,
//! and the ending as a terminal emulator draws it (everything in order, no prompt left).
mod common;
mod pty;
use common::*;
use pty::*;

use std::io::Write;
use std::sync::mpsc;

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
    for command in [
        "/ping [data]",
        "/pong [data]",
        "/close [code [reason]]",
        "/binary <hex>",
        "/pings on|off",
        "/help",
        "/quit",
        "//text",
    ] {
        r.expect(command);
    }
    r.line("//x");
    r.expect("< /x");
    r.line("/quit");
    let (code, _) = r.exit();
    assert_eq!(code, 0);
}

/// Type `keys` in one write, wait for the echo of `last`, end with Ctrl-D; what the server got.
/// Each line sent is its own history entry.
fn sent_by_typing(keys: &str, last: &str) -> Vec<String> {
    let server = echo_server();
    let mut r = Repl::start(&server.url("/"));
    r.keys(keys);
    r.expect(&format!("< {last}"));
    let history = r.history();
    r.p.send_control('d').unwrap();
    let (code, rest) = r.exit();
    assert_eq!(code, 0, "{rest}");
    let (texts, close) = server.join();
    assert_eq!(close, Some(1000));
    let typed: Vec<&String> = history.iter().filter(|h| !h.starts_with('/') || h.starts_with("//")).collect();
    let sent: Vec<String> =
        texts.iter().map(|t| if t.starts_with('/') { format!("/{t}") } else { t.clone() }).collect();
    assert_eq!(typed, sent.iter().collect::<Vec<_>>(), "history: {history:?}");
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

#[test]
fn a_lone_escape_key_does_not_hold_back_what_the_server_sends() {
    let (typed_tx, typed_rx) = mpsc::channel::<()>();
    let server = RawServer::start(move |mut s| {
        ws_accept(&mut s);
        typed_rx.recv_timeout(LIMIT).expect("the test pressed ESC");
        s.write_all(&ws_text("while ESC waits")).unwrap();
        read_until_client_close(&mut s)
    });
    let mut r = Repl::start(&server.url("/"));
    // ESC may start a key sequence; the editor must not wait for the rest of it forever.
    r.keys("\x1b");
    typed_tx.send(()).unwrap();
    r.expect("< while ESC waits");
    r.line("/quit");
    assert_eq!(r.exit().0, 0);
    assert_eq!(server.join(), (vec![], Some(1000)));
}

// ---- Pings and pongs (SPEC §15) ----------------------------------------------------------

#[test]
fn pings_are_shown_only_after_pings_on_and_hidden_again_after_pings_off() {
    let server = heartbeat_server();
    // The first ping may come before the first prompt: wait for the line, not the prompt.
    let mut r = Repl::spawn(&server.url("/"));
    let shown = r.expect("< after beat1");
    assert!(!shown.contains("beat1"), "a ping shown without -P or /pings on: {shown:?}");
    r.line("/pings on");
    r.expect("pings and pongs are shown");
    r.line("go");
    let shown = r.expect("< after beat2");
    assert!(shown.contains("< ping beat2") && shown.contains("> pong beat2"), "{shown:?}");
    r.line("/pings off");
    r.expect("pings and pongs are hidden");
    r.line("go");
    let shown = r.expect("< after beat3");
    assert!(!shown.contains("beat3"), "a ping shown after /pings off: {shown:?}");
    // A ping the user sends still says when its answer came.
    r.line("/ping hello");
    let shown = r.expect("* pong: round trip");
    assert!(!shown.contains("< pong"), "{shown:?}");
    r.p.send_control('d').unwrap();
    let (code, _) = r.exit();
    assert_eq!(code, 0);
    assert_eq!(server.join(), (vec![b"beat1".to_vec(), b"beat2".to_vec(), b"beat3".to_vec()], Some(1000)));
}

#[test]
fn pings_are_shown_from_the_start_with_dash_p() {
    let server = heartbeat_server();
    // The ping may come before the first prompt is drawn: wait for the lines, not the prompt
    // (keys typed before it are kept for the editor).
    let mut r = Repl::spawn_with(&["-P", &server.url("/")]);
    for line in ["< ping beat1", "> pong beat1", "< after beat1"] {
        r.expect(line);
    }
    r.line("/pings off");
    r.expect("pings and pongs are hidden");
    r.line("go");
    let shown = r.expect("< after beat2");
    assert!(!shown.contains("beat2"), "{shown:?}");
    r.p.send_control('d').unwrap();
    assert_eq!(r.exit().0, 0);
    assert_eq!(server.join().0.len(), 2);
}

// ---- No REPL when stdout is not a terminal (issue 9) ---------------------------------------

/// The note of a run whose stdin is a terminal but whose stdout is not.
const NO_REPL: &str = "* note: the REPL is off because stdout is not a terminal: \
                       each line typed is sent as a message (Ctrl-D to end)";

#[test]
fn typing_into_a_piped_run_says_once_that_lines_are_sent() {
    let server = echo_server();
    let r = run_with_terminal_stdin(&[&server.url("/")], b"hello\r\x04");
    r.code(0).out_has("hello");
    err_line(&r, NO_REPL);
    assert_eq!(r.stderr.matches("REPL is off").count(), 1, "{}", r.stderr);
    assert_eq!(server.join(), (vec!["hello".to_string()], Some(1000)));
}

#[test]
fn no_note_when_stdin_is_not_read_or_in_json() {
    // -x: stdin is not read, so nothing typed is sent and there is nothing to say.
    let server = echo_server();
    let r = run_with_terminal_stdin(&["-x", "hi", &server.url("/")], b"");
    r.code(0).err_lacks("REPL is off");
    assert_eq!(server.join(), (vec!["hi".to_string()], Some(1000)));
    // --json: stderr stays empty (SPEC §3); the lines typed are still sent.
    let server = echo_server();
    let r = run_with_terminal_stdin(&["--json", &server.url("/")], b"hello\r\x04");
    r.code(0);
    assert_eq!(r.stderr, "");
    assert_eq!(server.join(), (vec!["hello".to_string()], Some(1000)));
}

#[test]
fn a_terminal_that_cannot_edit_lines_reads_plain_lines_and_says_so() {
    // TERM=dumb (Emacs' M-x shell, some CI consoles): rustyline refuses such a terminal; the
    // REPL failed with "could not start the line editor" (exit 1).
    let server = echo_server();
    let mut r = Repl::spawn_on("dumb", &[&server.url("/")]);
    r.expect(
        "* note: the REPL is off because this terminal (TERM=dumb) cannot edit lines: \
         each line typed is sent as a message (Ctrl-D to end)",
    );
    r.line("hello");
    r.expect("hello"); // the server's echo, as data (rexpect's terminal does not echo input)
    r.p.send_control('d').unwrap();
    assert_eq!(r.exit().0, 0);
    assert_eq!(server.join(), (vec!["hello".to_string()], Some(1000)));
}

// ---- The ending (issue 8.13) -------------------------------------------------------------

#[test]
fn a_connection_lost_without_close_ends_in_order_with_no_prompt_left() {
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let server = RawServer::start(move |mut s| {
        ws_accept(&mut s);
        go_rx.recv_timeout(LIMIT).expect("the REPL is at its prompt");
        // No Close: the TCP connection just ends.
    });
    let r = Repl::start(&server.url("/"));
    go_tx.send(()).unwrap();
    let (code, _, screen) = r.exit_screen();
    server.join();
    assert_eq!(code, 9);
    screen.ends_with(&["* Close received: 1006", "error: the connection was lost without a Close (1006)"]);
}

#[test]
fn a_server_close_with_an_error_code_ends_in_order_with_no_prompt_left() {
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let server = RawServer::start(move |mut s| {
        ws_accept(&mut s);
        go_rx.recv_timeout(LIMIT).expect("the REPL is at its prompt");
        s.write_all(&ws_close(4002, "go away")).unwrap();
        read_until_client_close(&mut s)
    });
    let r = Repl::start(&server.url("/"));
    go_tx.send(()).unwrap();
    let (code, _, screen) = r.exit_screen();
    assert_eq!(server.join(), (vec![], Some(4002)));
    assert_eq!(code, 10);
    screen.ends_with(&["* Close received: 4002", "error: the server closed the session with 4002"]);
}

#[test]
fn a_line_being_typed_when_the_server_closes_is_taken_away_with_the_prompt() {
    let (typed_tx, typed_rx) = mpsc::channel::<()>();
    let server = RawServer::start(move |mut s| {
        ws_accept(&mut s);
        typed_rx.recv_timeout(LIMIT).expect("the test typed half a line");
        s.write_all(&ws_close(1000, "")).unwrap();
        read_until_client_close(&mut s)
    });
    let mut r = Repl::start(&server.url("/"));
    r.keys("not sent");
    r.expect("not sent");
    typed_tx.send(()).unwrap();
    let (code, _, screen) = r.exit_screen();
    assert_eq!(server.join(), (vec![], Some(1000)), "the half-typed line must not be sent");
    assert_eq!(code, 0);
    screen.ends_with(&["* Close received: 1000", "* Close sent: 1000 (normal closure) (echo)"]);
    assert!(!screen.rows.iter().any(|r| r.contains("not sent")), "{:#?}", screen.rows);
}

#[test]
fn messages_just_before_the_close_are_all_shown_before_it() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        let mut burst = Vec::new();
        for i in 0..50 {
            burst.extend(ws_text(format!("m{i}")));
        }
        burst.extend(ws_close(1000, ""));
        s.write_all(&burst).unwrap();
        read_until_client_close(&mut s)
    });
    let (code, _, screen) = Repl::spawn(&server.url("/")).exit_screen();
    assert_eq!(server.join(), (vec![], Some(1000)));
    assert_eq!(code, 0);
    let mut lines: Vec<String> = (0..50).map(|i| format!("< m{i}")).collect();
    lines.push("* Close received: 1000".into());
    lines.push("* Close sent: 1000 (normal closure) (echo)".into());
    screen.ends_with(&lines.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn quit_leaves_the_typed_command_and_ends_on_a_clean_line() {
    let server = echo_server();
    let mut r = Repl::start(&server.url("/"));
    r.line("/quit");
    let (code, _, screen) = r.exit_screen();
    assert_eq!(server.join(), (vec![], Some(1000)));
    assert_eq!(code, 0);
    assert!(screen.rows.iter().any(|r| r == "> /quit"), "{:#?}", screen.rows);
    screen.ends_with(&["* Close sent: 1000", "* Close received: 1000"]);
}

#[cfg(feature = "http2")]
#[test]
fn the_repl_over_http2() {
    let server = Serve::start(&[]);
    let mut r = Repl::start_with(&["--http2", &server.url]);
    r.line("over the stream");
    r.expect("< over the stream");
    r.line("/ping hi");
    r.expect("round trip");
    r.line("/close 4000 bye");
    r.expect("Close sent: 4000 (application-defined): \"bye\"");
    r.expect("* HTTP/2 stream ended: ");
    let (code, _) = r.exit();
    assert_eq!(code, 0);
}
