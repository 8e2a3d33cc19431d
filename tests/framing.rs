//! What goes out and how what comes in is framed (SPEC §15): `-x @FILE`, `@-`, `@@text`,
//! `--binary` for `-x`, the checks made before connecting, `-0/--null`, multi-line messages
//! on stdout and in the transcript.
mod common;
use common::*;

use std::io::Write;

/// A server that upgrades, records the client's frames up to its Close, and answers it.
fn recorder() -> RawServer<Vec<(u8, Vec<u8>)>> {
    RawServer::start(|mut s| {
        ws_accept(&mut s);
        let (before, code) = read_until_client_close(&mut s);
        assert_eq!(code, Some(1000));
        let _ = s.write_all(&ws_close(1000, ""));
        before
    })
}

fn sent(args: &[&str], stdin: &[u8]) -> (Run, Vec<(u8, Vec<u8>)>) {
    let server = recorder();
    let url = server.url("/");
    let r = wscheck(&[args, &["-w", "0", url.as_str()]].concat(), stdin);
    (r, server.join())
}

#[test]
fn execute_at_file_sends_the_file_as_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("request.json");
    std::fs::write(&file, "{\n  \"op\": \"subscribe\"\n}\n").unwrap();
    let (r, frames) = sent(&["-x", &format!("@{}", file.display())], b"");
    r.code(0);
    assert_eq!(frames, [(0x1, b"{\n  \"op\": \"subscribe\"\n}\n".to_vec())]);
}

#[test]
fn execute_at_dash_reads_stdin_and_at_at_is_a_literal_at() {
    let (r, frames) = sent(&["-x", "@@handle", "-x", "@-"], b"line one\nline two\n");
    r.code(0);
    assert_eq!(frames, [(0x1, b"@handle".to_vec()), (0x1, b"line one\nline two\n".to_vec())]);
}

#[test]
fn binary_applies_to_execute() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob.bin");
    std::fs::write(&file, [0x00, 0xff, 0x10]).unwrap();
    let (r, frames) = sent(&["--binary", "-x", "abc", "-x", &format!("@{}", file.display())], b"");
    r.code(0);
    assert_eq!(frames, [(0x2, b"abc".to_vec()), (0x2, vec![0x00, 0xff, 0x10])]);
}

#[test]
fn execute_files_that_cannot_be_sent_are_usage_errors_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let bytes = dir.path().join("bytes.bin");
    std::fs::write(&bytes, [b'a', 0xff]).unwrap();
    let big = dir.path().join("big.txt");
    std::fs::write(&big, [b'a'; 11]).unwrap();
    let (listener, port) = untouched_listener();
    let url = format!("ws://127.0.0.1:{port}/");
    let at = |p: &std::path::Path| format!("@{}", p.display());
    let r = wscheck(&["-x", &at(&missing), &url], b"");
    r.code(2).err_has(&format!("error: -x {}: cannot read {}: ", at(&missing), missing.display()));
    let r = wscheck(&["-x", &at(&bytes), &url], b"");
    r.code(2);
    err_line(
        &r,
        &format!(
            "error: -x {}: {} is not valid UTF-8 text (--binary sends it as a binary message)",
            at(&bytes),
            bytes.display()
        ),
    );
    let r = wscheck(&["--max-size", "10", "-x", &at(&big), &url], b"");
    r.code(2);
    err_line(&r, &format!("error: -x {} is longer than --max-size (10 bytes)", at(&big)));
    wscheck(&["-x", "@-", "-x", "@-", &url], b"x").code(2).err_has("-x @- can be given once");
    assert_never_connected(&listener);
}

// ---- output framing --------------------------------------------------------------------------------

fn received(frames: Vec<u8>, args: &[&str]) -> Run {
    let server = RawServer::start(move |mut s| {
        ws_accept(&mut s);
        s.write_all(&frames).unwrap();
        let _ = read_until_client_close(&mut s);
        let _ = s.write_all(&ws_close(1000, ""));
    });
    let url = server.url("/");
    let r = wscheck(&[args, &[url.as_str()]].concat(), b"");
    server.join();
    r
}

#[test]
fn null_ends_each_message_with_nul() {
    let frames = [ws_text("two\nlines"), ws_text("one"), ws_frame(0x2, &[0xab])].concat();
    let r = received(frames, &["-0", "-n", "3"]);
    r.code(0);
    assert_eq!(r.stdout, "two\nlines\0one\0ab\0");
}

#[test]
fn without_null_a_multi_line_message_is_written_as_is() {
    let r = received(ws_text("two\nlines"), &["-n", "1"]);
    r.code(0);
    assert_eq!(r.stdout, "two\nlines\n");
}

#[test]
fn the_transcript_escapes_newlines_in_a_payload() {
    // Control frames are shown in the transcript (-P); a newline there must not start a line.
    let frames = [ws_frame(0x9, b"multi\nline"), ws_text("done")].concat();
    let r = received(frames, &["-P", "-n", "1"]);
    r.code(0);
    err_line(&r, "< ping multi\\nline");
    err_line(&r, "> pong multi\\nline");
}
