//! Hostile servers (SPEC §3, §5, §7): floods, absurd frame lengths, slow giant messages,
//! fragments, frames that break RFC 6455, Close frames that must not be sent, peers that
//! never finish the close handshake. wscheck must end in bounded time with the documented
//! exit code and one clear error line, never panic, and stay small in memory.
//! Every server is a raw socket on 127.0.0.1:0 that writes exact bytes.
mod common;
use common::*;

use std::io::{Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

/// Run wscheck with no proxy from the test's environment and empty stdin.
fn run(args: &[&str]) -> Run {
    wscheck(args, b"")
}

/// A server that upgrades, writes `frames` at once, then reads the client's frames until its
/// Close (or the end of the connection); that Close's code. It never answers the Close.
fn hostile(frames: Vec<u8>) -> RawServer<Option<u16>> {
    RawServer::start(move |mut s| {
        ws_accept(&mut s);
        s.write_all(&frames).unwrap();
        client_close_code(&mut s)
    })
}

/// `frames` break the protocol: exit 9 with `error: protocol error from the server: {why}`,
/// and wscheck tells the server 1002 before it goes.
fn protocol_error(frames: Vec<u8>, why: &str) {
    ends_in_protocol_error(hostile(frames), run, why);
}

/// Not a test: the fresh process that `wscheck_measured` starts wscheck from (see there).
#[test]
#[ignore = "the helper process of wscheck_measured"]
fn rss_probe() {
    common::rss_probe();
}

// ---- 1. a flood of small messages: all printed, in order, in little memory -------------------

#[test]
fn flood_of_a_million_messages_is_printed_in_order_in_little_memory() {
    const N: usize = 1_000_000;
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        // One buffer of all the frames, written as fast as the socket takes it.
        let mut flood = Vec::with_capacity(N * 9);
        for i in 0..N {
            flood.extend(ws_text(i.to_string()));
        }
        flood.extend(ws_close(1000, ""));
        s.write_all(&flood).unwrap();
        client_close_code(&mut s)
    });
    // Stdin is empty: the 10 s quiet wait (restarted by each message) never runs out while
    // the flood lasts, so the server's Close is what ends the session.
    let m = wscheck_measured(&["-w", "10s", &server.url("/")]);
    let r = &m.run;
    eprintln!("flood: {N} messages in {:?}, peak RSS {} KiB", m.took, m.peak_rss_kib);
    r.code(0);
    no_error(r);
    err_line(r, "* Close received: 1000 (normal closure)");
    let lines: Vec<&str> = r.stdout.lines().collect();
    if let Some(i) = (0..N.min(lines.len())).find(|&i| lines[i] != i.to_string()) {
        panic!("line {i} is {:?}, not {i} ({} lines in all)", lines[i], lines.len());
    }
    assert_eq!(lines.len(), N, "message count");
    assert!(r.stdout.ends_with('\n'));
    assert!(m.peak_rss_kib < RSS_CAP_KIB, "peak RSS {} KiB during the flood", m.peak_rss_kib);
    assert_eq!(server.join(), Some(1000), "wscheck should answer the server's Close");
}

// ---- 2. a frame header announcing 2^63-1 bytes --------------------------------------------------

#[test]
fn frame_length_of_2_pow_63_is_refused_at_once_without_allocating() {
    let server = hostile(vec![0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    let m = wscheck_measured(&[&server.url("/")]);
    let r = &m.run;
    eprintln!("2^63-1 header: ended in {:?}, peak RSS {} KiB", m.took, m.peak_rss_kib);
    r.code(9);
    one_error(r, "error: the server sent a message of 9223372036854775807 bytes or more, over --max-size 67108864");
    err_line(r, "* Close sent: 1009 (message too big)");
    assert!(m.took < Duration::from_secs(5), "took {:?}", m.took);
    assert!(m.peak_rss_kib < RSS_CAP_KIB, "peak RSS {} KiB", m.peak_rss_kib);
    assert_eq!(server.join(), Some(1009));
}

#[test]
fn max_size_is_capped_so_a_huge_announced_frame_cannot_be_reserved() {
    // tungstenite reserves the announced frame length up to --max-size; above 1 GiB that could
    // overflow or abort, so such a --max-size is refused before connecting.
    let r = run(&["--max-size", "18446744073709551615", "ws://127.0.0.1:9/"]);
    assert!(!r.stderr.contains("panicked"), "wscheck panicked\n--- stderr:\n{}", r.stderr);
    r.code(2).err_has("--max-size is at most 1G (1073741824 bytes)");
    // At the cap, a frame announcing 2^63-1 bytes is refused at its header.
    let server = hostile(vec![0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    let r = run(&["--max-size", "1073741824", &server.url("/")]);
    assert!(!r.stderr.contains("panicked"), "wscheck panicked\n--- stderr:\n{}", r.stderr);
    r.code(9);
    assert_eq!(error_lines(&r).len(), 1, "one error line\n--- stderr:\n{}", r.stderr);
    assert_eq!(server.join(), Some(1009), "wscheck tells the server the message is too big");
}

// ---- 3. a 100 MiB message trickled in: cut at --max-size ----------------------------------------

const HUNDRED_MIB: usize = 100 << 20;
const CHUNK: usize = 64 << 10;

/// A server that trickles a 100 MiB text message in 64 KiB pieces, one every 10 ms, as the
/// frames `frame(offset, piece)` make of it, until a write fails. Returns the bytes it wrote
/// and the code of the client's Close.
fn trickle(frame: fn(usize, &[u8]) -> Vec<u8>) -> RawServer<(usize, Option<u16>)> {
    RawServer::start(move |mut s| {
        ws_accept(&mut s);
        let mut reader = s.try_clone().unwrap();
        let close = std::thread::spawn(move || client_close_code(&mut reader));
        let piece = vec![b'a'; CHUNK];
        let mut written = 0;
        let mut offset = 0;
        while offset < HUNDRED_MIB {
            let bytes = frame(offset, &piece);
            if s.write_all(&bytes).is_err() {
                break;
            }
            written += bytes.len();
            offset += CHUNK;
            std::thread::sleep(Duration::from_millis(10)); // the trickle is the server's behaviour
        }
        (written, close.join().unwrap())
    })
}

#[test]
fn trickled_100_mib_fragmented_message_is_cut_at_max_size() {
    // Fragments of 64 KiB: a text start (FIN=0), continuations, a final continuation.
    let server = trickle(|offset, piece| {
        let first = match offset {
            0 => 0x01,
            o if o + piece.len() >= HUNDRED_MIB => 0x80,
            _ => 0x00,
        };
        ws_raw(first, piece)
    });
    let start = Instant::now();
    let r = run(&["--max-size", "1048576", &server.url("/")]);
    let took = start.elapsed();
    let (written, code) = server.join();
    eprintln!("fragmented trickle: cut after {took:?}, the server wrote {written} bytes");
    r.code(9);
    // 16 pieces fill 1 MiB exactly; the 17th is over.
    one_error(&r, "error: the server sent a message of 1114112 bytes or more, over --max-size 1048576");
    err_line(&r, "* Close sent: 1009 (message too big)");
    assert_eq!(r.stdout, "");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(written < 4 << 20, "the server wrote {written} bytes before the cut");
    assert_eq!(code, Some(1009));
}

#[test]
fn trickled_100_mib_single_frame_is_refused_at_its_header() {
    // One frame: the header announces 100 MiB, the payload follows slowly.
    let server = trickle(|offset, piece| {
        if offset == 0 {
            let mut f = ws_frame(0x1, &[]);
            f.truncate(1);
            f.push(127);
            f.extend_from_slice(&(HUNDRED_MIB as u64).to_be_bytes());
            f.extend_from_slice(piece);
            f
        } else {
            piece.to_vec()
        }
    });
    let start = Instant::now();
    let r = run(&["--max-size", "1048576", &server.url("/")]);
    let took = start.elapsed();
    let (written, code) = server.join();
    eprintln!("single-frame trickle: cut after {took:?}, the server wrote {written} bytes");
    r.code(9);
    one_error(&r, "error: the server sent a message of 104857600 bytes or more, over --max-size 1048576");
    err_line(&r, "* Close sent: 1009 (message too big)");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(written < 4 << 20, "the server wrote {written} bytes before the cut");
    assert_eq!(code, Some(1009));
}

// ---- 4. fragments with pings between them ---------------------------------------------------------

#[test]
fn fragmented_message_with_interleaved_pings_is_printed_once_and_pings_answered() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        let mut frames = ws_raw(0x01, b"Hello, ");
        frames.extend(ws_frame(0x9, b"ping-1"));
        frames.extend(ws_raw(0x00, b"fragmented "));
        frames.extend(ws_frame(0x9, b"ping-2"));
        frames.extend(ws_raw(0x80, b"world"));
        s.write_all(&frames).unwrap();
        let (before, code) = read_until_client_close(&mut s);
        let _ = s.write_all(&ws_close(1000, ""));
        (before, code)
    });
    let r = run(&["-n", "1", &server.url("/")]);
    r.code(0);
    no_error(&r);
    assert_eq!(r.stdout, "Hello, fragmented world\n", "stdout\n--- stderr:\n{}", r.stderr);
    let (before, code) = server.join();
    assert_eq!(before, [(0xA, b"ping-1".to_vec()), (0xA, b"ping-2".to_vec())], "the client's frames before its Close");
    assert_eq!(code, Some(1000));
}

// ---- 5.–7., 12. frames that break RFC 6455: exit 9, Close 1002 -------------------------------------

#[test]
fn continuation_without_a_start_is_a_protocol_error() {
    protocol_error(ws_raw(0x80, b"orphan"), "Continue frame but nothing to continue");
}

#[test]
fn reserved_bit_without_an_extension_is_a_protocol_error() {
    // RSV1 on a text frame; no extension was negotiated.
    protocol_error(ws_raw(0xC1, b"deflated?"), "Reserved bits are non-zero");
}

#[test]
fn masked_server_frame_is_a_protocol_error() {
    protocol_error(ws_masked(0x81, b"masked", [0x11, 0x22, 0x33, 0x44]), "Received a masked frame from server");
}

#[test]
fn control_frame_over_125_bytes_is_a_protocol_error() {
    protocol_error(ws_frame(0x9, &[b'p'; 126]), "Control frame too big (payload must be 125 bytes or less)");
}

#[test]
fn fragmented_ping_is_a_protocol_error() {
    protocol_error(ws_raw(0x09, b"half a ping"), "Fragmented control frame");
}

// ---- 8. Close frames that must not be sent ---------------------------------------------------------

/// The server closes first with `code`. tungstenite does not pass an invalid code on: it
/// hands wscheck 1002 "Protocol violation" in its place and answers with that, so the code
/// itself cannot be named.
fn server_closes_with_invalid_code(code: u16) {
    let server = hostile(ws_close(code, "bad"));
    let r = run(&[&server.url("/")]);
    r.code(9);
    one_error(
        &r,
        "error: protocol error from the server: its Close carried an invalid close code (or exactly 1002 \
         \"Protocol violation\", which is what tungstenite puts in an invalid one's place)",
    );
    err_line(&r, "* Close sent: 1002 (protocol error): \"Protocol violation\"");
    // What tungstenite stands in for the code is not shown as the server's.
    r.err_lacks("* Close received");
    assert_eq!(server.join(), Some(1002), "code {code}: the server should be told 1002");
}

#[test]
fn close_code_999_is_a_protocol_error() {
    server_closes_with_invalid_code(999);
}

#[test]
fn close_code_1005_on_the_wire_is_a_protocol_error() {
    // 1005, 1006 and 1015 stand for "no Close"; they must never be sent. 1004 is reserved.
    for code in [1004, 1005, 1006, 1015, 2999, 5000] {
        server_closes_with_invalid_code(code);
    }
}

/// The server answers our Close (`-x hi -w 0`) with `code`; the run and what the server saw.
fn answer_our_close_with(code: u16) -> (Run, Vec<u8>) {
    let server = RawServer::start(move |mut s| {
        ws_accept(&mut s);
        read_until_client_close(&mut s);
        s.write_all(&ws_close(code, "")).unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        rest
    });
    let r = run(&["-x", "hi", "-w", "0", &server.url("/")]);
    (r, server.join())
}

#[test]
fn invalid_code_in_the_answer_to_our_close_is_a_protocol_error() {
    // Here tungstenite passes the code through, so wscheck names it.
    let (r, rest) = answer_our_close_with(1005);
    r.code(9);
    err_line(&r, "* Close received: 1005 (no status received)");
    one_error(
        &r,
        "error: protocol error from the server: its Close carried code 1005 (no status received), which must never be sent",
    );
    assert!(rest.is_empty(), "nothing is sent after our Close: {rest:02x?}");
    let (r, rest) = answer_our_close_with(999);
    r.code(9);
    err_line(&r, "* Close received: 999 (not a valid close code)");
    one_error(&r, "error: protocol error from the server: its Close carried code 999, which is not a valid close code");
    assert!(rest.is_empty(), "nothing is sent after our Close: {rest:02x?}");
    // A registered code in the answer is fine.
    let (r, rest) = answer_our_close_with(1014);
    r.code(0);
    assert!(rest.is_empty(), "nothing is sent after our Close: {rest:02x?}");
    no_error(&r);
    err_line(&r, "* Close received: 1014 (bad gateway)");
}

#[test]
fn close_reason_that_is_not_utf8_exits_9_and_sends_1007() {
    let server = hostile(ws_frame(0x8, &[0x03, 0xe8, b'b', 0xff, 0xfe]));
    let r = run(&[&server.url("/")]);
    r.code(9);
    let errors = error_lines(&r);
    assert!(
        errors.len() == 1 && errors[0].starts_with("error: the server sent ") && errors[0].contains("not valid UTF-8"),
        "one error line about invalid UTF-8\n--- stderr:\n{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"));
    err_line(&r, "* Close sent: 1007 (invalid payload data)");
    assert_eq!(server.join(), Some(1007));
}

// ---- 9. a server that never answers our Close -------------------------------------------------------

#[test]
fn server_that_never_answers_our_close_is_left_after_the_bounded_wait() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        let (before, code) = read_until_client_close(&mut s);
        // Silence, with the connection open, until the client goes away.
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        (before, code, rest)
    });
    let start = Instant::now();
    let r = run(&["-x", "hi", "-w", "0", &server.url("/")]);
    let took = start.elapsed();
    r.code(0);
    no_error(&r);
    err_line(&r, "* Close sent: 1000 (normal closure)");
    err_line(&r, "* warning: the server did not complete the close handshake within 2 s");
    assert!(took >= Duration::from_millis(1500), "gave up after {took:?}, before the wait");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let (before, code, rest) = server.join();
    assert_eq!(before, [(0x1, b"hi".to_vec())]);
    assert_eq!(code, Some(1000));
    assert!(rest.is_empty(), "wscheck wrote after its Close: {rest:02x?}");
}

// ---- 10. data after the server's Close ----------------------------------------------------------------

#[test]
fn text_after_the_servers_close_is_not_printed() {
    let mut frames = ws_text("before");
    frames.extend(ws_close(1000, ""));
    frames.extend(ws_text("after the close"));
    let server = hostile(frames);
    let r = run(&[&server.url("/")]);
    r.code(0);
    no_error(&r);
    err_line(&r, "* Close received: 1000 (normal closure)");
    err_line(&r, "* warning: the server sent more after its Close (ignored)");
    assert_eq!(r.stdout, "before\n", "stdout\n--- stderr:\n{}", r.stderr);
    assert!(!r.stderr.contains("after the close"), "{}", r.stderr);
    assert_eq!(server.join(), Some(1000), "wscheck should answer the server's Close");
}

// ---- 11. half a 101, then the server half-closes --------------------------------------------------------

#[test]
fn half_a_101_then_half_close_exits_5_promptly() {
    const HALF: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConn";
    let server = RawServer::start(|mut s| {
        read_head(&mut s);
        s.write_all(HALF).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        // Keep the socket open (reading) until the client is gone.
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        rest
    });
    let start = Instant::now();
    let r = run(&[&server.url("/")]);
    let took = start.elapsed();
    r.code(5);
    one_error(
        &r,
        &format!(
            "error: the server closed the connection in the middle of the response header; received {} bytes: \"{}\"",
            HALF.len(),
            "HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConn"
        ),
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(server.join().is_empty(), "wscheck wrote after the response broke off");
}
