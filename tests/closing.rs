//! The close handshake and what comes around it (SPEC §5, §7, §15): bytes after the Closes
//! have crossed are noise, a Close is shown only once written, the server's Close is not lost
//! when a write fails, and each ending says what really happened.
mod common;
use common::*;

use std::io::{Read, Write};

/// What a Werkzeug server (flask-sock) writes after the WebSocket has ended, before it
/// closes the connection. Read as frames: an 84-byte Close with RSV1 set, then more.
const HTTP_AFTER: &[u8] = b"HTTP/1.1 200 OK\r\nServer: Werkzeug/3.0.1 Python/3.11.7\r\n\
    Date: Mon, 01 Dec 2026 10:00:00 GMT\r\nContent-Type: text/html; charset=utf-8\r\n\
    Content-Length: 0\r\nConnection: close\r\n\r\n";

/// The client's frames from now until it hangs up (a Close of its own included).
fn frames_until_eof(s: &mut std::net::TcpStream) -> Vec<(u8, Vec<u8>)> {
    std::iter::from_fn(|| read_client_frame(s)).collect()
}

/// Write `bytes`, end the server's side of the connection as Werkzeug does, and collect
/// what the client still sends.
fn write_and_close(s: &mut std::net::TcpStream, bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    s.write_all(bytes).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    frames_until_eof(s)
}

/// The lines of stderr that start with `prefix`.
fn lines_with(r: &Run, prefix: &str) -> Vec<String> {
    r.stderr.lines().filter(|l| l.starts_with(prefix)).map(str::to_string).collect()
}

// ---- bytes after the close handshake (issue 8.3) ---------------------------------------------------

#[test]
fn http_bytes_after_both_closes_are_noise_exit_0() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        let (_, code) = read_until_client_close(&mut s);
        (code, write_and_close(&mut s, &[ws_close(1000, ""), HTTP_AFTER.to_vec()].concat()))
    });
    let r = wscheck(&["--handshake-only", &server.url("/")], b"");
    r.code(0).err_lacks("error:").err_lacks("1002");
    assert_eq!(lines_with(&r, "* Close sent"), ["* Close sent: 1000 (normal closure)"]);
    err_line(&r, "* Close received: 1000 (normal closure)");
    let (code, after) = server.join();
    assert_eq!(code, Some(1000));
    assert!(after.is_empty(), "wscheck wrote after its Close: {after:?}");
}

#[test]
fn bytes_after_the_servers_close_keep_its_code() {
    for (code, exit) in [(1000, 0), (1011, 10)] {
        let server = RawServer::start(move |mut s| {
            ws_accept(&mut s);
            write_and_close(&mut s, &[ws_close(code, ""), HTTP_AFTER.to_vec()].concat())
        });
        let r = wscheck(&[&server.url("/")], b"");
        r.code(exit).err_lacks("1002").err_lacks("protocol error");
        let name = if code == 1000 { "normal closure" } else { "internal error" };
        assert_eq!(lines_with(&r, "* Close sent"), [format!("* Close sent: {code} ({name}) (echo)")]);
        let frames = server.join();
        assert_eq!(frames, [(0x8, code.to_be_bytes().to_vec())], "one Close, the echo");
    }
}

#[test]
fn garbage_after_our_close_before_theirs_is_still_a_protocol_error() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        let (_, code) = read_until_client_close(&mut s);
        (code, write_and_close(&mut s, HTTP_AFTER))
    });
    let r = wscheck(&["--handshake-only", &server.url("/")], b"");
    r.code(9);
    err_line(&r, "error: protocol error from the server: Reserved bits are non-zero");
    assert_eq!(lines_with(&r, "* Close sent"), ["* Close sent: 1000 (normal closure)"], "no second Close is claimed");
    let (code, after) = server.join();
    assert_eq!(code, Some(1000));
    assert!(after.is_empty(), "wscheck wrote after its Close: {after:?}");
}

// ---- how the close handshake is told ----------------------------------------------------------------

#[test]
fn closes_crossed_but_tcp_left_open_is_not_an_error() {
    // Our Close is answered, then the server keeps the connection open.
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        read_until_client_close(&mut s);
        s.write_all(&ws_close(1000, "")).unwrap();
        frames_until_eof(&mut s)
    });
    let r = wscheck(&["-x", "hi", "-w", "0", &server.url("/")], b"");
    r.code(0).err_lacks("warning").err_lacks("did not complete");
    err_line(&r, "* Close received: 1000 (normal closure)");
    err_line(
        &r,
        "* note: the close handshake is complete, but the server did not close the connection within 2 s; wscheck closed it",
    );
    assert!(server.join().is_empty());
    // The server closes first, the echo goes out, and the server keeps the connection open.
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        s.write_all(&ws_close(1000, "")).unwrap();
        frames_until_eof(&mut s)
    });
    let r = wscheck(&[&server.url("/")], b"");
    r.code(0).err_lacks("warning");
    err_line(&r, "* Close sent: 1000 (normal closure) (echo)");
    r.err_has("* note: the close handshake is complete, but the server did not close the connection");
    assert_eq!(server.join(), [(0x8, 1000u16.to_be_bytes().to_vec())]);
}

#[test]
fn json_marks_the_echo() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        s.write_all(&ws_close(4000, "bye")).unwrap();
        frames_until_eof(&mut s)
    });
    let r = wscheck(&["--json", &server.url("/")], b"");
    r.code(10);
    let closes: Vec<_> = r.events().into_iter().filter(|e| e["type"] == "close").collect();
    assert_eq!(closes.len(), 2, "{closes:#?}");
    assert_eq!((closes[0]["direction"].as_str(), closes[0]["echo"].as_bool()), (Some("received"), Some(false)));
    assert_eq!((closes[1]["direction"].as_str(), closes[1]["echo"].as_bool()), (Some("sent"), Some(true)));
    assert_eq!((closes[1]["code"].as_u64(), closes[1]["reason"].as_str()), (Some(4000), Some("bye")));
    server.join();
}

// ---- the server's Close is not lost when a write fails (issue 8.8) ----------------------------------

/// A server with a 64 KiB limit, like aiohttp's 4 MiB one: it reads the start of a big
/// message, writes Close 1009 and drops the connection with the rest unread, which resets it.
fn refuses_big_messages() -> RawServer<()> {
    RawServer::start(|mut s| {
        ws_accept(&mut s);
        let mut start = vec![0u8; 64 << 10];
        s.read_exact(&mut start).unwrap();
        s.write_all(&ws_close(1009, "message too big")).unwrap();
    })
}

#[test]
fn close_1009_after_a_big_send_is_reported_every_time() {
    // One 5 MB line on stdin, as in the report (aiohttp's limit, a 5 MB line).
    let mut line = vec![b'a'; 5 << 20];
    line.push(b'\n');
    for run in 1..=10 {
        let server = refuses_big_messages();
        let r = wscheck(&[&server.url("/")], &line);
        server.join();
        assert_eq!(r.code, 10, "run {run}: exit {}\n--- stderr:\n{}", r.code, r.stderr);
        err_line(&r, "* Close received: 1009 (message too big): \"message too big\"");
        err_line(&r, "error: the server closed the session with 1009 (message too big): \"message too big\"");
    }
}

#[test]
fn a_reset_without_close_while_sending_is_still_9() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        let mut start = vec![0u8; 64 << 10];
        s.read_exact(&mut start).unwrap();
    });
    let mut line = vec![b'a'; 5 << 20];
    line.push(b'\n');
    let r = wscheck(&[&server.url("/")], &line);
    server.join();
    r.code(9).err_has("error: the connection was lost without a Close (1006)");
    r.err_lacks("* Close sent");
}

// ---- permessage-deflate agreed with -H: spoken ------------------------------------------------------

#[test]
fn compressed_frame_after_deflate_agreed_with_a_header_is_read() {
    let server = RawServer::start(|mut s| {
        let head = read_head(&mut s);
        s.write_all(&ok_101(&head, "Switching Protocols", "Sec-WebSocket-Extensions: permessage-deflate\r\n")).unwrap();
        // "Hello" compressed (RFC 7692 §7.2.3.1), RSV1 set.
        s.write_all(&ws_raw(0xC1, &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])).unwrap();
        let code = client_close_code(&mut s);
        let _ = s.write_all(&ws_close(1000, ""));
        code
    });
    let r = wscheck(&["-n", "1", "-H", "Sec-WebSocket-Extensions: permessage-deflate", &server.url("/")], b"");
    r.code(0).err_lacks("error:");
    assert_eq!(r.stdout, "Hello\n");
    assert_eq!(server.join(), Some(1000));
}
