//! How a session ends (SPEC §5, §15): goals wait for themselves, `--timeout` is overall and
//! names itself, `--expect-close`, `--ping-timeout`, zero values, and the flags that cannot
//! act being usage errors. Servers are `wscheck serve` or raw sockets.
mod common;
use common::*;

use std::io::Write;
use std::time::{Duration, Instant};

/// What a scripted server saw: the client's frames before its Close, and that Close's code.
type Seen = (Vec<(u8, Vec<u8>)>, Option<u16>);

/// A server that upgrades, waits `delay` (the server's own pace, not synchronisation),
/// writes `frames`, then answers the client's Close with 1000 (unless `frames` closed).
fn late(delay: Duration, frames: Vec<u8>, server_closes: bool) -> RawServer<Seen> {
    RawServer::start(move |mut s| {
        ws_accept(&mut s);
        std::thread::sleep(delay);
        s.write_all(&frames).unwrap();
        let seen = read_until_client_close(&mut s);
        if !server_closes {
            let _ = s.write_all(&ws_close(1000, ""));
        }
        seen
    })
}

/// A server that reads the request and never answers, until the client goes away.
fn silent() -> RawServer<()> {
    RawServer::start(|mut s| {
        read_head(&mut s);
        let _ = std::io::Read::read_to_end(&mut s, &mut Vec::new());
    })
}

// ---- --timeout is overall (issue 8.2) ----------------------------------------------------------

#[test]
fn timeout_bounds_the_handshake_and_names_itself() {
    let server = silent();
    let start = Instant::now();
    let r = wscheck(&["--timeout", "1s", &server.url("/")], b"");
    let took = start.elapsed();
    r.code(7);
    err_line(&r, "error: timed out waiting for the response (--timeout)");
    assert!(took < Duration::from_secs(5), "took {took:?}: --connect-timeout's 10 s ended it, not --timeout");
    server.join();
}

#[test]
fn connect_timeout_still_names_itself_when_it_is_the_sooner() {
    let server = silent();
    let r = wscheck(&["--connect-timeout", "1", "--timeout", "30s", &server.url("/")], b"");
    r.code(7);
    err_line(&r, "error: timed out waiting for the response (--connect-timeout)");
    server.join();
}

#[test]
fn timeout_counts_from_the_start_not_from_the_101() {
    // The 101 comes after 1.5 s; --timeout 2s leaves 0.5 s of session, not 2 s.
    let server = RawServer::start(|mut s| {
        let head = read_head(&mut s);
        std::thread::sleep(Duration::from_millis(1500));
        s.write_all(&ok_101(&head, "Switching Protocols", "")).unwrap();
        read_until_client_close(&mut s)
    });
    let start = Instant::now();
    let r = wscheck(&["--timeout", "2s", "-w", "10s", &server.url("/")], b"");
    let took = start.elapsed();
    r.code(0);
    err_line(&r, "* note: --timeout 2s ran out: closing the session");
    assert!(took < Duration::from_millis(3300), "took {took:?}: the session got its own 2 s");
    assert_eq!(server.join(), (vec![], Some(1000)));
}

#[test]
fn zero_timeouts_mean_no_limit() {
    let server = Serve::start(&[]);
    let r = wscheck(&["--connect-timeout", "0", "--timeout", "0", "-x", "hi", &server.url], b"");
    r.code(0).err_lacks("timed out").err_lacks("--timeout");
    assert_eq!(r.stdout, "hi\n", "--timeout 0 closed before the echo\n{}", r.stderr);
    // With a goal, --timeout 0 waits as long as it takes.
    let r = wscheck(&["--timeout", "0", "-n", "1", "-x", "hi", &server.url], b"");
    r.code(0);
    assert_eq!(r.stdout, "hi\n");
}

// ---- a goal waits for itself ----------------------------------------------------------------------

#[test]
fn count_waits_past_the_quiet_wait_for_its_messages() {
    // stdin is at EOF at once; the messages come after 1.5 s, past the default 1 s wait.
    let frames = [ws_text("one"), ws_text("two")].concat();
    let server = late(Duration::from_millis(1500), frames, false);
    let r = wscheck(&["-n", "2", "--timeout", "8s", &server.url("/")], b"");
    r.code(0);
    assert_eq!(r.stdout, "one\ntwo\n", "{}", r.stderr);
    assert_eq!(server.join(), (vec![], Some(1000)));
}

#[test]
fn expect_waits_past_the_quiet_wait_for_its_match() {
    let server = late(Duration::from_millis(1500), ws_text("ready"), false);
    let r = wscheck(&["--expect", "^ready$", &server.url("/")], b"");
    r.code(0);
    assert_eq!(r.stdout, "ready\n", "{}", r.stderr);
    assert_eq!(server.join(), (vec![], Some(1000)));
}

#[test]
fn a_goal_without_timeout_gives_up_after_10_s() {
    let server = late(Duration::ZERO, Vec::new(), false);
    let start = Instant::now();
    let r = wscheck(&["-n", "1", &server.url("/")], b"");
    let took = start.elapsed();
    r.code(7);
    err_line(&r, "error: --count 1 (0 received) not met before the default --timeout of 10s (with a goal) ran out");
    assert!(took >= Duration::from_secs(9) && took < Duration::from_secs(15), "took {took:?}");
    assert_eq!(server.join(), (vec![], Some(1000)));
}

#[test]
fn wait_with_a_goal_is_a_usage_error() {
    let (listener, port) = untouched_listener();
    let url = format!("ws://127.0.0.1:{port}/");
    for goal in [&["-n", "1"][..], &["--expect", "x"], &["--expect-close", "1000"]] {
        let r = wscheck(&[goal, &["-w", "2s", &url]].concat(), b"");
        r.code(2).err_has("-w/--wait does not apply with a goal");
    }
    assert_never_connected(&listener);
}

// ---- --expect-close ---------------------------------------------------------------------------------

fn closes_with(frames: Vec<u8>, args: &[&str]) -> (Run, Option<u16>) {
    let server = late(Duration::ZERO, frames, true);
    let url = server.url("/");
    let r = wscheck(&[args, &[url.as_str()]].concat(), b"");
    let (before, echo) = server.join();
    assert_eq!(before, vec![], "wscheck sent nothing before its echo");
    (r, echo)
}

#[test]
fn expect_close_met_by_one_of_the_codes_exits_0() {
    let (r, echo) = closes_with(ws_close(4001, "auth"), &["--expect-close", "4001,1008"]);
    r.code(0).err_lacks("error:");
    err_line(&r, "* Close received: 4001 (application-defined): \"auth\"");
    assert_eq!(echo, Some(4001));
    let (r, _) = closes_with(ws_close(1008, ""), &["--expect-close", "4001", "--expect-close", "1008"]);
    r.code(0);
}

#[test]
fn expect_close_with_another_code_or_none_exits_8() {
    let (r, _) = closes_with(ws_close(1000, ""), &["--expect-close", "4001"]);
    r.code(8);
    err_line(&r, "error: --expect-close 4001 not met: the server closed the connection (1000 (normal closure))");
    let (r, _) = closes_with(ws_frame(0x8, b""), &["--expect-close", "1000"]);
    r.code(8);
    err_line(&r, "error: --expect-close 1000 not met: the server closed the connection (no status code (1005))");
}

#[test]
fn expect_close_lost_without_close_exits_9() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
    });
    let r = wscheck(&["--expect-close", "4001", &server.url("/")], b"");
    r.code(9);
    err_line(&r, "error: the connection was lost without a Close (1006)");
    server.join();
}

#[test]
fn expect_close_keeps_waiting_after_stdin_ends() {
    // stdin is at EOF at once; the server closes after 1.5 s, past the default wait: wscheck
    // must not close first.
    let server = late(Duration::from_millis(1500), ws_close(4001, ""), true);
    let r = wscheck(&["--expect-close", "4001", &server.url("/")], b"");
    r.code(0);
    err_line(&r, "* Close sent: 4001 (application-defined) (echo)");
    assert_eq!(server.join(), (vec![], Some(4001)), "the only Close from wscheck is the echo");
}

#[test]
fn expect_close_not_met_by_the_timeout_exits_7() {
    let server = late(Duration::ZERO, Vec::new(), false);
    let r = wscheck(&["--expect-close", "4001", "--timeout", "1s", &server.url("/")], b"");
    r.code(7);
    err_line(&r, "error: --expect-close 4001 not met before --timeout 1s ran out");
    assert_eq!(server.join(), (vec![], Some(1000)));
}

// ---- --ping-timeout ----------------------------------------------------------------------------------

#[test]
fn a_ping_without_pong_ends_the_session_with_9() {
    // Reads (and so swallows) every frame, answers nothing, until the client's Close.
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        read_until_client_close(&mut s)
    });
    let r = wscheck(&["--ping-interval", "200ms", "--ping-timeout", "300ms", "-w", "10s", &server.url("/")], b"");
    r.code(9);
    err_line(&r, "error: no pong within 300ms");
    err_line(&r, "* Close sent: 1000 (normal closure)");
    let (before, code) = server.join();
    assert!(before.iter().all(|(op, _)| *op == 0x9) && !before.is_empty(), "pings before the Close: {before:?}");
    assert_eq!(code, Some(1000));
}

#[test]
fn answered_pings_do_not_time_out() {
    let server = Serve::start(&[]);
    let r = wscheck(&["--ping-interval", "100ms", "--ping-timeout", "500ms", "-w", "1s", &server.url], b"");
    r.code(0).err_lacks("no pong");
}

// ---- flags that cannot act, zero values (issue 8.5, 8.6) -------------------------------------------

#[test]
fn handshake_only_with_session_flags_is_a_usage_error() {
    let (listener, port) = untouched_listener();
    let url = format!("ws://127.0.0.1:{port}/");
    let cases: [&[&str]; 7] = [
        &["-x", "hi"],
        &["-n", "1"],
        &["--expect", "x"],
        &["--expect-close", "1000"],
        &["-w", "0"],
        &["--binary"],
        &["--ping-interval", "1s"],
    ];
    for flags in cases {
        let r = wscheck(&[&["--handshake-only"], flags, &[url.as_str()]].concat(), b"");
        r.code(2).err_has(&format!("--handshake-only closes right after the verdict, so {} cannot act", flags[0]));
    }
    assert_never_connected(&listener);
}

#[test]
fn zero_and_missing_values_are_usage_errors() {
    let (listener, port) = untouched_listener();
    let url = format!("ws://127.0.0.1:{port}/");
    let cases: [&[&str]; 6] = [
        &["--ping-interval", "0"],
        &["-n", "0"],
        &["--ping-interval", "1s", "--ping-timeout", "0"],
        &["--ping-timeout", "1s"],
        &["--expect-close", "1005"],
        &["--ping-interval", "-1"],
    ];
    for flags in cases {
        let r = wscheck(&[flags, &[url.as_str()]].concat(), b"");
        r.code(2);
        assert!(r.stderr.starts_with("error:"), "{flags:?}: {}", r.stderr);
    }
    assert_never_connected(&listener);
}

#[test]
fn wait_0_is_still_valid() {
    let server = Serve::start(&[]);
    wscheck(&["-w", "0", &server.url], b"").code(0);
}
