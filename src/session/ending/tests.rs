//! The ending policy, rule by rule (SPEC §5, §15).

use super::*;

const S: Duration = Duration::from_secs(1);

fn rules() -> Rules {
    Rules { wait: S, ..Rules::default() }
}

fn code(e: &Ending) -> i32 {
    match e {
        Ok(c) => c.as_i32(),
        Err(f) => f.code.as_i32(),
    }
}

fn message(e: &Ending) -> String {
    e.as_ref().err().map(|f| f.message.clone()).unwrap_or_default()
}

fn closes(step: &Step) -> Option<u16> {
    match step {
        Step::Close(c, ..) => Some(*c),
        _ => None,
    }
}

fn ended(step: Step) -> (Ending, Option<Note>) {
    match step {
        Step::End(e, n) => (e, n),
        other => panic!("expected the end, got {other:?}"),
    }
}

#[test]
fn without_a_goal_the_quiet_wait_closes_after_input_ends() {
    let t0 = Instant::now();
    let mut p = Policy::new(rules());
    assert!(matches!(p.on_input_end(t0), Step::Go));
    assert_eq!(p.next_timer(), Some(t0 + S));
    // A message restarts the wait.
    assert!(matches!(p.on_message(false, t0 + S / 2), Step::Go));
    assert!(matches!(p.on_timer(t0 + S), Step::Go));
    assert_eq!(closes(&p.on_timer(t0 + S * 3 / 2)), Some(1000));
    p.on_server_close(Some(1000), "", t0 + S * 2);
    assert_eq!(code(&p.on_lost("")), 0);
}

#[test]
fn wait_0_closes_at_once_when_input_ends() {
    let mut p = Policy::new(Rules { wait: Duration::ZERO, ..rules() });
    assert_eq!(closes(&p.on_input_end(Instant::now())), Some(1000));
}

#[test]
fn a_goal_waits_for_itself_not_for_quiet() {
    let t0 = Instant::now();
    let mut p = Policy::new(Rules { count: Some(2), ..rules() });
    assert!(matches!(p.on_input_end(t0), Step::Go));
    assert_eq!(p.next_timer(), None, "no quiet wait with a goal");
    assert!(matches!(p.on_message(false, t0), Step::Go));
    assert!(p.shows_messages());
    assert_eq!(closes(&p.on_message(false, t0)), Some(1000));
    assert!(!p.shows_messages());
    assert_eq!(code(&p.on_lost("")), 0);
}

#[test]
fn expect_is_met_by_a_match() {
    let mut p = Policy::new(Rules { expect: Some("b".into()), ..rules() });
    assert!(matches!(p.on_message(false, Instant::now()), Step::Go));
    assert_eq!(closes(&p.on_message(true, Instant::now())), Some(1000));
    p.on_server_close(Some(1000), "", Instant::now());
    assert_eq!(code(&p.planned()), 0);
}

#[test]
fn a_goal_not_met_when_the_server_closes_is_8() {
    let mut p = Policy::new(Rules { count: Some(2), ..rules() });
    p.on_message(false, Instant::now());
    p.on_server_close(Some(1000), "", Instant::now());
    let e = p.on_lost("");
    assert_eq!(code(&e), 8);
    assert_eq!(message(&e), "--count 2 (1 received) not met: the server closed the connection (1000 (normal closure))");
}

#[test]
fn a_goal_not_met_by_the_timeout_is_7() {
    let t0 = Instant::now();
    let timeout = Limit { at: t0 + S, name: "--timeout 1s".into() };
    let mut p = Policy::new(Rules { expect: Some("x".into()), timeout: Some(timeout), ..rules() });
    assert_eq!(p.next_timer(), Some(t0 + S));
    assert_eq!(closes(&p.on_timer(t0 + S)), Some(1000));
    // The Close wait past --timeout is the short one.
    assert_eq!(p.next_timer(), Some(t0 + S + CLOSE_WAIT_SHORT));
    let e = p.on_lost("");
    assert_eq!(code(&e), 7);
    assert_eq!(message(&e), "--expect 'x' not met before --timeout 1s ran out");
}

#[test]
fn the_timeout_without_a_goal_is_a_normal_end_with_a_note() {
    let t0 = Instant::now();
    let timeout = Limit { at: t0 + S, name: "--timeout 1s".into() };
    let mut p = Policy::new(Rules { timeout: Some(timeout), ..rules() });
    match p.on_timer(t0 + S) {
        Step::Close(1000, _, Some(note)) => assert_eq!(note.text, "--timeout 1s ran out: closing the session"),
        other => panic!("{other:?}"),
    }
    assert_eq!(code(&p.on_lost("")), 0);
}

#[test]
fn expect_close_decides_by_the_servers_code() {
    let now = Instant::now();
    let with = |codes: &[u16]| Policy::new(Rules { expect_close: codes.to_vec(), ..rules() });
    let mut p = with(&[4001, 1008]);
    assert!(matches!(p.on_input_end(now), Step::Go), "stdin at EOF does not close: the server must");
    p.on_server_close(Some(4001), "", now);
    assert_eq!(code(&p.planned()), 0, "an expected error code is a success");
    let mut p = with(&[4001]);
    p.on_server_close(Some(1000), "", now);
    let e = p.planned();
    assert_eq!(code(&e), 8);
    assert_eq!(message(&e), "--expect-close 4001 not met: the server closed the connection (1000 (normal closure))");
    let mut p = with(&[1000]);
    p.on_server_close(None, "", now);
    assert_eq!(code(&p.planned()), 8, "no status code is not one of the codes");
    let mut p = with(&[1000]);
    assert_eq!(code(&p.on_lost(": reset")), 9, "lost without a Close");
}

#[test]
fn expect_close_with_a_message_goal_needs_both() {
    let now = Instant::now();
    let mut p = Policy::new(Rules { count: Some(1), expect_close: vec![4001], ..rules() });
    assert!(matches!(p.on_message(false, now), Step::Go), "-n met, but the Close is still awaited");
    p.on_server_close(Some(4001), "", now);
    assert_eq!(code(&p.planned()), 0);
    let mut p = Policy::new(Rules { count: Some(2), expect_close: vec![4001], ..rules() });
    p.on_server_close(Some(4001), "", now);
    let e = p.planned();
    assert_eq!(
        message(&e),
        "--count 2 (0 received) not met: the server closed the connection (4001 (application-defined))"
    );
}

#[test]
fn the_servers_error_code_without_a_goal_is_10() {
    let mut p = Policy::new(rules());
    p.on_server_close(Some(1011), "boom", Instant::now());
    let e = p.planned();
    assert_eq!(code(&e), 10);
    assert_eq!(message(&e), "the server closed the session with 1011 (internal error): \"boom\"");
    let mut p = Policy::new(rules());
    p.on_server_close(None, "", Instant::now());
    assert_eq!(code(&p.planned()), 0);
}

#[test]
fn lost_before_any_close_is_9_and_after_ours_the_plan_stands() {
    let now = Instant::now();
    let mut p = Policy::new(rules());
    let e = p.on_lost(": connection reset by peer");
    assert_eq!(message(&e), "the connection was lost without a Close (1006): connection reset by peer");
    assert_eq!(code(&e), 9);
    let mut p = Policy::new(rules());
    p.on_user_close(1000, String::new(), now);
    assert_eq!(code(&p.on_lost("")), 0, "a server that hangs up after our Close is fine");
}

#[test]
fn after_the_servers_close_a_protocol_error_is_noise() {
    let now = Instant::now();
    let broke = || Failure::new(Code::SessionBroke, "protocol error from the server: x");
    // Both Closes crossed: warn, exit by the codes.
    let mut p = Policy::new(rules());
    p.on_user_close(1000, String::new(), now);
    p.on_server_close(Some(1000), "", now);
    let o = p.on_protocol_error(broke());
    assert_eq!((code(&o.ending), o.send_close), (0, false));
    assert_eq!(o.note.unwrap().level, Level::Warning);
    // The server closed first with 1011: still 10, no Close of ours.
    let mut p = Policy::new(rules());
    p.on_server_close(Some(1011), "", now);
    let o = p.on_protocol_error(broke());
    assert_eq!((code(&o.ending), o.send_close), (10, false));
    // After our Close but before theirs: a real protocol error, and no second Close.
    let mut p = Policy::new(rules());
    p.on_user_close(1000, String::new(), now);
    let o = p.on_protocol_error(broke());
    assert_eq!((code(&o.ending), o.send_close, o.note), (9, false, None));
    // Before any Close: the error, and a Close to tell the server.
    let mut p = Policy::new(rules());
    let o = p.on_protocol_error(broke());
    assert_eq!((code(&o.ending), o.send_close), (9, true));
}

#[test]
fn the_close_wait_ends_with_a_note_that_says_what_happened() {
    let t0 = Instant::now();
    // Our Close, no answer: a warning.
    let mut p = Policy::new(rules());
    p.on_user_close(1000, String::new(), t0);
    assert_eq!(p.next_timer(), Some(t0 + CLOSE_WAIT));
    assert!(matches!(p.on_timer(t0 + CLOSE_WAIT / 2), Step::Go));
    let (e, note) = ended(p.on_timer(t0 + CLOSE_WAIT));
    assert_eq!(code(&e), 0);
    let note = note.unwrap();
    assert_eq!(
        (note.level, note.text.as_str()),
        (Level::Warning, "the server did not complete the close handshake within 2 s")
    );
    // Both Closes crossed, TCP still open: not an error, and not "did not complete".
    let mut p = Policy::new(rules());
    p.on_user_close(1000, String::new(), t0);
    p.on_server_close(Some(1000), "", t0);
    let (e, note) = ended(p.on_timer(t0 + CLOSE_WAIT));
    assert_eq!(code(&e), 0);
    let note = note.unwrap();
    assert_eq!(note.level, Level::Info);
    assert!(note.text.starts_with("the close handshake is complete, but the server did not close"), "{note:?}");
}

#[test]
fn a_signal_closes_waits_briefly_and_wins() {
    let t0 = Instant::now();
    let mut p = Policy::new(Rules { count: Some(5), ..rules() });
    assert_eq!(closes(&p.on_signal(Code::Interrupted, t0)), Some(1000));
    assert_eq!(p.next_timer(), Some(t0 + CLOSE_WAIT_SHORT));
    p.on_server_close(Some(1000), "", t0);
    assert_eq!(code(&p.on_lost("")), 130);
    // While already closing (the server closed with 1011 first): the signal's code, a shorter wait.
    let mut p = Policy::new(rules());
    p.on_server_close(Some(1011), "", t0);
    assert!(matches!(p.on_signal(Code::Terminated, t0), Step::Go));
    assert_eq!(p.next_timer(), Some(t0 + CLOSE_WAIT_SHORT));
    assert_eq!(code(&p.planned()), 143);
}

#[test]
fn a_ping_without_pong_or_bad_input_closes_then_fails() {
    let mut p = Policy::new(rules());
    let step = p.on_failure(Failure::new(Code::SessionBroke, "no pong within 1s"), Instant::now());
    assert_eq!(closes(&step), Some(1000));
    assert_eq!(code(&p.on_lost("")), 9);
}

#[test]
fn the_close_wait_never_runs_far_past_the_timeout() {
    let t0 = Instant::now();
    let timeout = Limit { at: t0 + S / 10, name: "--timeout 100ms".into() };
    let mut p = Policy::new(Rules { timeout: Some(timeout), ..rules() });
    p.on_user_close(1000, String::new(), t0);
    assert_eq!(p.next_timer(), Some(t0 + S / 10 + CLOSE_WAIT_SHORT));
}

#[test]
fn only_one_close_is_ever_sent() {
    let now = Instant::now();
    let mut p = Policy::new(Rules { wait: Duration::ZERO, ..rules() });
    assert_eq!(closes(&p.on_user_close(4000, "bye".into(), now)), Some(4000));
    assert!(matches!(p.on_input_end(now), Step::Go));
    assert!(matches!(p.on_failure(Failure::new(Code::Usage, "x"), now), Step::Go));
    assert_eq!(code(&p.planned()), 0);
}

#[test]
fn over_http2_the_close_handshake_is_the_end() {
    let t0 = Instant::now();
    let mut p = Policy::new(Rules { http2: true, ..rules() });
    assert_eq!(closes(&p.on_user_close(1000, String::new(), t0)), Some(1000));
    assert!(!p.over_at_close(), "our Close alone is half of it");
    p.on_server_close(Some(1000), "", t0);
    assert!(p.over_at_close());
    assert_eq!(code(&p.planned()), 0);
    // The server closing first: over as soon as its Close has come (the loop writes the echo first).
    let mut p = Policy::new(Rules { http2: true, ..rules() });
    p.on_server_close(Some(4001), "", t0);
    assert!(p.over_at_close());
    assert_eq!(code(&p.planned()), 10);
    // Over TCP the server closes the connection, and the loop waits for that.
    let mut p = Policy::new(rules());
    p.on_server_close(Some(1000), "", t0);
    assert!(!p.over_at_close());
}
