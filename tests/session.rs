//! The session in pipe mode (SPEC §3, §5, §6, §7): stdin lines out, messages on stdout,
//! how each kind of ending maps to an exit code, and what wscheck tells the server.
//! Servers are `wscheck serve` or raw sockets that write exact frames.
mod common;
use common::*;

use std::io::Write;
use std::time::{Duration, Instant};

/// Assert that stdout is exactly `lines`, each ended by a newline.
fn out_is(r: &Run, lines: &[&str]) {
    let expected: String = lines.iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(r.stdout, expected, "stdout\n--- stderr:\n{}", r.stderr);
}

/// What a scripted server saw: the client's frames before its Close, and that Close's code.
type Seen = (Vec<(u8, Vec<u8>)>, Option<u16>);

/// A server that upgrades, writes `frames` at once, then reads the client's frames up to its
/// Close. When `frames` did not end with a Close of the server's own, it answers the
/// client's Close with 1000, as a well-behaved peer does.
fn scripted(frames: Vec<u8>, server_closes: bool) -> RawServer<Seen> {
    RawServer::start(move |mut s| {
        ws_accept(&mut s);
        s.write_all(&frames).unwrap();
        let seen = read_until_client_close(&mut s);
        if !server_closes {
            let _ = s.write_all(&ws_close(1000, ""));
        }
        seen
    })
}

/// A server that echoes each text message `delay` after reading it (a slow backend), and
/// answers the client's Close with 1000.
fn slow_echo(delay: Duration) -> RawServer<Vec<Vec<u8>>> {
    RawServer::start(move |mut s| {
        ws_accept(&mut s);
        let mut texts = Vec::new();
        loop {
            match read_client_frame(&mut s) {
                Some((0x1, payload)) => {
                    std::thread::sleep(delay); // the server's behaviour, not synchronisation
                    s.write_all(&ws_text(&payload)).unwrap();
                    texts.push(payload);
                }
                Some((0x8, _)) => {
                    let _ = s.write_all(&ws_close(1000, ""));
                    return texts;
                }
                Some(_) => {}
                None => panic!("the client hung up without a Close"),
            }
        }
    })
}

// ---- 1. many lines in, the same lines out --------------------------------------------------

#[test]
fn ten_thousand_lines_come_back_in_order() {
    let server = Serve::start(&[]);
    let input: String = (1..=10_000).map(|i| format!("line {i} of the pipe test\n")).collect();
    let r = wscheck(&[&server.url], input.as_bytes());
    r.code(0);
    assert!(r.stdout == input, "stdout differs from stdin: {} lines of {}", r.stdout.lines().count(), 10_000);
}

// ---- 2. --expect -----------------------------------------------------------------------------

#[test]
fn expect_met_exits_0_at_once() {
    let server = Serve::start(&[]);
    // With a 10 s timeout, only acting on the match ends the run early.
    let start = Instant::now();
    let r = wscheck(&["-x", "a", "-x", "b", "--expect", "^b$", "--timeout", "10s", &server.url], b"");
    let took = start.elapsed();
    r.code(0);
    out_is(&r, &["a", "b"]);
    err_line(&r, "* Close sent: 1000 (normal closure)");
    assert!(took < Duration::from_secs(5), "took {took:?}: the match did not end the session");
}

#[test]
fn expect_not_met_when_the_timeout_runs_out_exits_7() {
    let server = Serve::start(&[]);
    let r = wscheck(&["-x", "hello", "--expect", "nomatch", "--timeout", "1s", &server.url], b"");
    r.code(7);
    err_line(&r, "error: --expect 'nomatch' not met before --timeout 1s ran out");
    out_is(&r, &["hello"]);
}

#[test]
fn expect_not_met_when_the_server_closes_exits_8() {
    let server = scripted(ws_close(1000, ""), true);
    let r = wscheck(&["--expect", "x", &server.url("/")], b"");
    r.code(8).err_has("error: --expect 'x' not met: the server closed the connection (1000 (normal closure))");
    err_line(&r, "* Close received: 1000 (normal closure)");
    out_is(&r, &[]);
    let (_, echo) = server.join();
    assert_eq!(echo, Some(1000), "wscheck should answer the server's Close");
}

// ---- 3. --count --------------------------------------------------------------------------------

#[test]
fn count_stops_after_n_messages() {
    let frames: Vec<u8> = (1..=5).flat_map(|i| ws_text(format!("m{i}"))).collect();
    let server = scripted(frames, false);
    let r = wscheck(&["-n", "2", &server.url("/")], b"");
    r.code(0);
    out_is(&r, &["m1", "m2"]);
    let (_, code) = server.join();
    assert_eq!(code, Some(1000));
}

#[test]
fn count_not_met_when_the_server_closes_exits_8() {
    let mut frames = ws_text("only one");
    frames.extend(ws_close(1000, ""));
    let server = scripted(frames, true);
    let r = wscheck(&["-n", "2", &server.url("/")], b"");
    r.code(8).err_has("--count 2 (1 received) not met");
    out_is(&r, &["only one"]);
    assert_eq!(server.join(), (vec![], Some(1000)), "wscheck answers the server's Close");
}

// ---- 4. the server's Close decides the exit code ------------------------------------------------

fn server_closes(code: u16, reason: &str) -> (Run, Option<u16>) {
    let server = scripted(ws_close(code, reason), true);
    let r = wscheck(&[&server.url("/")], b"");
    let (_, echo) = server.join();
    (r, echo)
}

#[test]
fn server_close_1011_exits_10() {
    let (r, echo) = server_closes(1011, "boom");
    r.code(10);
    err_line(&r, "* Close received: 1011 (internal error): \"boom\"");
    err_line(&r, "error: the server closed the session with 1011 (internal error): \"boom\"");
    out_is(&r, &[]);
    assert_eq!(echo, Some(1011), "wscheck answers the server's Close with its code");
}

#[test]
fn server_close_1000_and_1001_exit_0() {
    let (r, echo) = server_closes(1000, "");
    r.code(0);
    err_line(&r, "* Close received: 1000 (normal closure)");
    assert_eq!(echo, Some(1000));
    let (r, echo) = server_closes(1001, "bye");
    r.code(0);
    err_line(&r, "* Close received: 1001 (going away): \"bye\"");
    assert_eq!(echo, Some(1001));
}

#[test]
fn server_close_without_a_code_exits_0() {
    let server = scripted(ws_frame(0x8, b""), true);
    let r = wscheck(&[&server.url("/")], b"");
    r.code(0);
    err_line(&r, "* Close received: no status code (1005)");
    err_line(&r, "* Close sent: no status code (1005) (echo)");
    assert_eq!(server.join(), (vec![], None), "wscheck answers with a Close of no code");
}

#[test]
fn server_close_4000_exits_10() {
    let (r, echo) = server_closes(4000, "");
    r.code(10);
    err_line(&r, "* Close received: 4000 (application-defined)");
    assert_eq!(echo, Some(4000));
}

// ---- 5.–7. the session breaks: exit 9 ----------------------------------------------------------

#[test]
fn invalid_utf8_text_exits_9_and_sends_1007() {
    let server = scripted(ws_text([b'o', b'k', 0xff, 0xfe]), true);
    let r = wscheck(&[&server.url("/")], b"");
    r.code(9);
    err_line(&r, "error: the server sent a text message that is not valid UTF-8");
    err_line(&r, "* Close sent: 1007 (invalid payload data)");
    out_is(&r, &[]);
    let (_, code) = server.join();
    assert_eq!(code, Some(1007));
}

#[test]
fn oversized_message_exits_9_and_sends_1009() {
    let server = scripted(ws_text(vec![b'a'; 5000]), true);
    let r = wscheck(&["--max-size", "1000", &server.url("/")], b"");
    r.code(9).err_has("over --max-size 1000");
    err_line(&r, "* Close sent: 1009 (message too big)");
    out_is(&r, &[]);
    let (_, code) = server.join();
    assert_eq!(code, Some(1009));
}

#[test]
fn message_at_max_size_is_accepted() {
    let server = scripted(ws_text(vec![b'a'; 1000]), false);
    let r = wscheck(&["--max-size", "1000", "-n", "1", &server.url("/")], b"");
    r.code(0);
    out_is(&r, &[&"a".repeat(1000)]);
    assert_eq!(server.join(), (vec![], Some(1000)));
}

#[test]
fn connection_dropped_without_close_exits_9() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        // Dropping the stream: FIN with no Close frame.
    });
    let r = wscheck(&[&server.url("/")], b"");
    r.code(9).err_has("1006");
    err_line(&r, "error: the connection was lost without a Close (1006)");
    out_is(&r, &[]);
    server.join();
}

// ---- 8. ping and pong ----------------------------------------------------------------------------

#[test]
fn server_ping_is_shown_with_p_and_answered() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        s.write_all(&ws_frame(0x9, b"are you there")).unwrap();
        let pong = loop {
            match read_client_frame(&mut s) {
                Some((0xA, payload)) => break payload,
                Some(_) => {}
                None => panic!("no pong"),
            }
        };
        s.write_all(&ws_close(1000, "")).unwrap();
        let (_, echo) = read_until_client_close(&mut s);
        (pong, echo)
    });
    let r = wscheck(&["-P", &server.url("/")], b"");
    r.code(0);
    err_line(&r, "< ping are you there");
    err_line(&r, "> pong are you there");
    out_is(&r, &[]);
    let (pong, echo) = server.join();
    assert_eq!(pong, b"are you there");
    assert_eq!(echo, Some(1000));
}

#[test]
fn pings_are_hidden_without_p() {
    let mut frames = ws_frame(0x9, b"hidden");
    frames.extend(ws_text("after the ping"));
    let server = scripted(frames, false);
    let r = wscheck(&["-n", "1", &server.url("/")], b"");
    r.code(0).err_lacks("hidden");
    out_is(&r, &["after the ping"]);
    // Not shown, but answered.
    assert_eq!(server.join(), (vec![(0xA, b"hidden".to_vec())], Some(1000)));
}

// ---- 9. the last echo is not lost at EOF ---------------------------------------------------------

#[test]
fn slow_echo_of_the_last_line_is_not_lost() {
    let server = slow_echo(Duration::from_millis(200));
    let r = wscheck(&[&server.url("/")], b"one\ntwo\nthree\n");
    r.code(0);
    out_is(&r, &["one", "two", "three"]);
    assert_eq!(server.join(), [b"one".to_vec(), b"two".to_vec(), b"three".to_vec()]);
}

/// Index of the first event matching `pred`, panicking with the events when there is none.
fn position(events: &[serde_json::Value], what: &str, pred: impl Fn(&serde_json::Value) -> bool) -> usize {
    events.iter().position(pred).unwrap_or_else(|| panic!("no {what} in {events:#?}"))
}

#[test]
fn wait_0_closes_at_eof_without_waiting_for_replies() {
    let server = slow_echo(Duration::from_millis(200));
    let r = wscheck(&["--json", "-w", "0", &server.url("/")], b"last\n");
    r.code(0);
    let ev = r.events();
    let sent = position(&ev, "sent message", |e| e["type"] == "message" && e["direction"] == "sent");
    let close = position(&ev, "sent close", |e| e["type"] == "close" && e["direction"] == "sent");
    assert!(sent < close, "{ev:#?}");
    // The Close went out before the echo came back: nothing was received before it. What
    // arrives before the server's Close is still reported.
    let received = ev.iter().position(|e| e["type"] == "message" && e["direction"] == "received");
    assert!(received.is_none_or(|i| i > close), "wscheck waited for the echo before closing: {ev:#?}");
    assert_eq!(server.join(), [b"last".to_vec()]);
}

#[test]
fn default_wait_closes_only_after_the_echo() {
    let server = slow_echo(Duration::from_millis(200));
    let r = wscheck(&["--json", &server.url("/")], b"last\n");
    r.code(0);
    let ev = r.events();
    let received = position(&ev, "received message", |e| e["type"] == "message" && e["direction"] == "received");
    let close = position(&ev, "sent close", |e| e["type"] == "close" && e["direction"] == "sent");
    assert!(received < close, "{ev:#?}");
    assert_eq!(ev[received]["data"], "last");
    assert_eq!(server.join(), [b"last".to_vec()]);
}

// ---- 10. --json ----------------------------------------------------------------------------------

#[test]
fn json_session_events() {
    let server = Serve::start(&[]);
    let r = wscheck(&["--json", "-x", "hello", &server.url], b"");
    r.code(0);
    assert_eq!(r.stderr, "", "--json writes nothing on stderr");
    let ev = r.events();
    let session: Vec<_> = ev.iter().skip_while(|e| e["type"] != "handshake").collect();
    assert_eq!(session[0]["ok"], true);
    let types: Vec<&str> = session.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["handshake", "message", "message", "close", "close", "exit"], "{ev:#?}");
    for (e, direction) in [(session[1], "sent"), (session[2], "received")] {
        assert_eq!(e["direction"], direction);
        assert_eq!(e["kind"], "text");
        assert_eq!(e["data"], "hello");
        assert!(e["elapsed_ms"].is_f64(), "elapsed_ms is a float (SPEC §6): {e}");
    }
    for (e, direction) in [(session[3], "sent"), (session[4], "received")] {
        assert_eq!(e["direction"], direction);
        assert_eq!(e["code"], 1000);
        assert_eq!(e["reason"], "");
    }
    assert_eq!(session[5]["code"], r.code);
}

#[test]
fn json_server_error_close_and_binary() {
    let mut frames = ws_frame(0x2, &[0x00, 0xff]);
    frames.extend(ws_close(1011, "boom"));
    let server = scripted(frames, true);
    let r = wscheck(&["--json", &server.url("/")], b"");
    r.code(10);
    assert_eq!(r.stderr, "");
    let ev = r.events();
    let bin = &ev[position(&ev, "binary message", |e| e["type"] == "message")];
    assert_eq!(
        (bin["direction"].as_str(), bin["kind"].as_str(), bin["hex"].as_str()),
        (Some("received"), Some("binary"), Some("00ff"))
    );
    let close = &ev[position(&ev, "close", |e| e["type"] == "close")];
    assert_eq!(
        (close["direction"].as_str(), close["code"].as_u64(), close["reason"].as_str()),
        (Some("received"), Some(1011), Some("boom"))
    );
    let error = &ev[position(&ev, "error", |e| e["type"] == "error")];
    assert_eq!(error["kind"], "server-close");
    let last = ev.last().unwrap();
    assert_eq!((last["type"].as_str(), last["code"].as_i64()), (Some("exit"), Some(10)));
    assert_eq!(server.join(), (vec![], Some(1011)));
}

// ---- 11. terminal safety --------------------------------------------------------------------------

#[test]
fn payloads_into_a_pipe_are_data_but_the_close_reason_is_escaped() {
    let mut frames = ws_text("\x1b[31mred\x1b[0m\ttab");
    frames.extend(ws_close(4000, "\x1b]0;pwned\x07"));
    let server = scripted(frames, true);
    let r = wscheck(&[&server.url("/")], b"");
    r.code(10);
    out_is(&r, &["\x1b[31mred\x1b[0m\ttab"]);
    err_line(&r, r#"* Close received: 4000 (application-defined): "\x1b]0;pwned\x07""#);
    err_line(&r, r#"error: the server closed the session with 4000 (application-defined): "\x1b]0;pwned\x07""#);
    assert!(!r.stderr.contains('\x1b') && !r.stderr.contains('\x07'), "raw control bytes on stderr:\n{:?}", r.stderr);
    assert_eq!(server.join(), (vec![], Some(4000)));
}

// ---- 12. binary messages ----------------------------------------------------------------------------

fn binary_run(extra: &[&str]) -> Run {
    let server = scripted(ws_frame(0x2, &[0x00, 0xff, 0x10, b'A']), false);
    let mut args = vec!["-n", "1"];
    args.extend_from_slice(extra);
    let url = server.url("/");
    args.push(&url);
    let r = wscheck(&args, b"");
    assert_eq!(server.join(), (vec![], Some(1000)));
    r
}

#[test]
fn binary_is_hex_by_default() {
    let r = binary_run(&[]);
    r.code(0);
    out_is(&r, &["00ff1041"]);
}

#[test]
fn binary_output_base64() {
    let r = binary_run(&["--binary-output", "base64"]);
    r.code(0);
    out_is(&r, &["AP8QQQ=="]);
}

#[test]
fn binary_flag_sends_lines_as_binary() {
    // serve echoes a binary message as binary, which comes out as hex.
    let server = Serve::start(&[]);
    let r = wscheck(&["--binary", &server.url], b"hi\n");
    r.code(0);
    out_is(&r, &["6869"]);
}

// ---- --ping-interval and --timeout --------------------------------------------------------------

#[test]
fn ping_interval_measures_the_round_trip() {
    let server = Serve::start(&[]);
    // Pings at 1 s and 2 s; the session ends at the 2.5 s timeout.
    let r = wscheck(&["-P", "--ping-interval", "1s", "--timeout", "2500ms", "-w", "10s", "-x", "hi", &server.url], b"");
    r.code(0);
    err_line(&r, "> ping wscheck-1");
    err_line(&r, "< pong wscheck-1");
    let rtts: Vec<f64> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("* pong: round trip ")?.strip_suffix(" ms")?.parse().ok())
        .collect();
    assert!(!rtts.is_empty(), "no round trip shown\n{}", r.stderr);
    // On loopback a pong takes well under a millisecond: a round trip near the interval means
    // the ping sat in the write buffer until the next timer.
    assert!(rtts.iter().all(|&ms| ms < 500.0), "round trips {rtts:?} ms\n{}", r.stderr);
}

#[test]
fn timeout_ends_the_session() {
    let server = Serve::start(&[]);
    // -w 10s proves the timeout is what ends it; 1 s leaves room for the echo on a busy machine.
    let r = wscheck(&["--timeout", "1s", "-w", "10s", "-x", "hi", &server.url], b"");
    r.code(0);
    out_is(&r, &["hi"]);
    err_line(&r, "* note: --timeout 1s ran out: closing the session");
    let r = wscheck(&["--timeout", "1s", "--expect", "nomatch", "-x", "hi", &server.url], b"");
    r.code(7);
    err_line(&r, "error: --expect 'nomatch' not met before --timeout 1s ran out");
}
