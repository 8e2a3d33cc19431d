//! The hostile-server suite (`tests/hostile.rs`) again with permessage-deflate agreed
//! (`--deflate`, the server's 101 accepting it), so that the session runs over wscheck's own
//! framing: floods, absurd lengths, trickles, fragments with pings, frames that break RFC
//! 6455 — each must end as on the plain path, same exit code, same error line, same Close
//! (bad Close frames: `tests/deflate_session.rs`). Then what only deflate has: zip bombs
//! (time and peak RSS measured through the CLI), data that does not inflate, text that is not
//! UTF-8 once inflated, messages of empty blocks, bad parameters, RSV1 when the server
//! declined. Every server is a raw socket on 127.0.0.1:0 that writes exact bytes.
mod common;
use common::deflate::*;
use common::*;

use std::io::Write;
use std::time::{Duration, Instant};

use wscheck::deflate::codec::Inflater;

const MIB: usize = 1 << 20;

/// `frames` break the protocol: exit 9, `error: protocol error from the server: {why}`, 1002.
fn protocol_error(frames: Vec<u8>, why: &str) {
    ends_in_protocol_error(hostile(frames), run, why);
}

/// Not a test: the fresh process that `wscheck_measured` starts wscheck from (see there).
#[test]
#[ignore = "the helper process of wscheck_measured"]
fn rss_probe() {
    common::rss_probe();
}

// ---- 1. a flood, every other message compressed: all printed, in order, in little memory -------

#[test]
fn flood_of_compressed_and_plain_messages_is_printed_in_order_in_little_memory() {
    const N: usize = 300_000;
    let server = RawServer::start(|mut s| {
        accept_deflate(&mut s, ACCEPT);
        // The server keeps its context: each compressed message may refer to the ones before.
        let mut compressor = wscheck::deflate::codec::Compressor::new(15, false);
        let mut flood = Vec::with_capacity(N * 9);
        for i in 0..N {
            let text = i.to_string();
            if i % 2 == 0 {
                flood.extend(ws_raw(0xc1, &compressor.compress(text.as_bytes()).unwrap()));
            } else {
                flood.extend(ws_text(text));
            }
        }
        flood.extend(ws_close(1000, ""));
        s.write_all(&flood).unwrap();
        client_close_code(&mut s)
    });
    let m = wscheck_measured(&["--deflate", "-w", "10s", &server.url("/")]);
    let r = &m.run;
    eprintln!("deflate flood: {N} messages in {:?}, peak RSS {} KiB", m.took, m.peak_rss_kib);
    r.code(0);
    no_error(r);
    let lines: Vec<&str> = r.stdout.lines().collect();
    if let Some(i) = (0..N.min(lines.len())).find(|&i| lines[i] != i.to_string()) {
        panic!("line {i} is {:?}, not {i} ({} lines in all)", lines[i], lines.len());
    }
    assert_eq!(lines.len(), N, "message count");
    assert!(m.peak_rss_kib < RSS_CAP_KIB, "peak RSS {} KiB during the flood", m.peak_rss_kib);
    assert_eq!(server.join(), Some(1000), "wscheck should answer the server's Close");
}

// ---- 2. a frame header announcing 2^63-1 bytes, compressed or not --------------------------------

#[test]
fn frame_length_of_2_pow_63_is_refused_at_once_naming_max_size() {
    for first in [0xc2, 0x82] {
        let server = hostile(vec![first, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        let m = wscheck_measured(&["--deflate", &server.url("/")]);
        let r = &m.run;
        r.code(9);
        // The limit named is --max-size, not the frame limit (which has deflate's slack).
        one_error(r, "error: the server sent a message of 9223372036854775807 bytes or more, over --max-size 67108864");
        err_line(r, "* Close sent: 1009 (message too big)");
        assert!(m.took < Duration::from_secs(5), "took {:?}", m.took);
        assert!(m.peak_rss_kib < RSS_CAP_KIB, "peak RSS {} KiB", m.peak_rss_kib);
        assert_eq!(server.join(), Some(1009));
    }
}

// ---- 3. a 100 MiB message trickled in, compressed or not: cut at --max-size -----------------------

/// A server that trickles a fragmented 100 MiB text message, 64 KiB of it every 10 ms, each
/// fragment's payload made by `piece`, until a write fails; (bytes written, the client's Close).
fn trickle(compressed: bool) -> RawServer<(usize, Option<u16>)> {
    RawServer::start(move |mut s| {
        accept_deflate(&mut s, ACCEPT);
        let mut reader = s.try_clone().unwrap();
        let close = std::thread::spawn(move || client_close_code(&mut reader));
        let plain = vec![b'a'; 64 << 10];
        let mut z = flate2::Compress::new_with_window_bits(flate2::Compression::default(), false, 15);
        let (mut written, mut sent) = (0, 0);
        while sent < 100 * MIB {
            let payload = if compressed {
                let mut out = Vec::with_capacity(1 << 10);
                z.compress_vec(&plain, &mut out, flate2::FlushCompress::Sync).unwrap();
                out
            } else {
                plain.clone()
            };
            let rsv1 = if compressed { 0x40 } else { 0 };
            let first = if sent == 0 { 0x01 | rsv1 } else { 0x00 };
            if s.write_all(&ws_raw(first, &payload)).is_err() {
                break;
            }
            written += payload.len();
            sent += plain.len();
            std::thread::sleep(Duration::from_millis(10)); // the trickle is the server's behaviour
        }
        (written, close.join().unwrap())
    })
}

#[test]
fn trickled_100_mib_message_is_cut_at_max_size_plain_or_compressed() {
    let server = trickle(false);
    let r = run(&["--max-size", "1M", &server.url("/")]);
    let (written, code) = server.join();
    r.code(9);
    one_error(&r, "error: the server sent a message of 1114112 bytes or more, over --max-size 1048576");
    assert!(written < 4 << 20, "the server wrote {written} bytes before the cut");
    assert_eq!(code, Some(1009));

    let start = Instant::now();
    let server = trickle(true);
    let r = run(&["--max-size", "1M", &server.url("/")]);
    let took = start.elapsed();
    let (written, code) = server.join();
    r.code(9);
    let errors = error_lines(&r);
    assert!(
        errors.len() == 1
            && errors[0].starts_with("error: the server sent a message of 1048577 bytes or more, inflated from ")
            && errors[0].ends_with(" compressed bytes, over --max-size 1048576"),
        "{errors:?}"
    );
    err_line(&r, "* Close sent: 1009 (message too big)");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(written < 64 << 10, "the server wrote {written} compressed bytes before the cut");
    assert_eq!(code, Some(1009));
}

// ---- 4. a compressed message in fragments, with pings between -------------------------------------

#[test]
fn fragmented_compressed_message_with_interleaved_pings_is_printed_once_and_pings_answered_plain() {
    let server = RawServer::start(|mut s| {
        accept_deflate(&mut s, ACCEPT);
        let data = deflated(b"Hello, fragmented world");
        let (a, rest) = data.split_at(4);
        let (b, c) = rest.split_at(5);
        let mut frames = ws_raw(0x41, a);
        frames.extend(ws_frame(0x9, b"ping-1"));
        frames.extend(ws_raw(0x00, b));
        frames.extend(ws_frame(0x9, b"ping-2"));
        frames.extend(ws_raw(0x80, c));
        s.write_all(&frames).unwrap();
        let got = client_frames_until_close(&mut s, &mut Inflater::new(15, false));
        let _ = s.write_all(&ws_close(1000, ""));
        got
    });
    let r = run(&["-n", "1", &server.url("/")]);
    r.code(0);
    no_error(&r);
    assert_eq!(r.stdout, "Hello, fragmented world\n", "stdout\n--- stderr:\n{}", r.stderr);
    let (before, code) = server.join();
    // Control frames are never compressed: FIN and the pong opcode, no RSV1.
    assert_eq!(before, [(0x8A, b"ping-1".to_vec()), (0x8A, b"ping-2".to_vec())]);
    assert_eq!(code, Some(1000));
}

// ---- 5. frames that break RFC 6455 or 7692: exit 9, Close 1002 ---------------------------------------

#[test]
fn frames_that_break_the_rules_are_protocol_errors() {
    let hello = deflated(b"Hello");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (ws_raw(0x80, b"orphan"), "Continue frame but nothing to continue"),
        // RSV1 only on the first frame of a data message (RFC 7692 §6.1).
        ([ws_raw(0x41, &hello[..2]), ws_raw(0xc0, &hello[2..])].concat(), "Reserved bits are non-zero"),
        (ws_raw(0xc9, b"ping"), "Reserved bits are non-zero"),
        (ws_raw(0xc8, &[0x03, 0xe8]), "Reserved bits are non-zero"),
        (ws_raw(0xa1, b"rsv2"), "Reserved bits are non-zero"),
        (ws_raw(0x91, b"rsv3"), "Reserved bits are non-zero"),
        (ws_masked(0xc1, &hello, [0x11, 0x22, 0x33, 0x44]), "Received a masked frame from server"),
        (ws_frame(0x9, &[b'p'; 126]), "Control frame too big (payload must be 125 bytes or less)"),
        (ws_raw(0x09, b"half a ping"), "Fragmented control frame"),
        ([ws_raw(0x41, &hello[..2]), ws_raw(0xc1, &hello)].concat(), "While waiting for more fragments received: TEXT"),
    ];
    for (frames, why) in cases {
        protocol_error(frames, why);
    }
}

// ---- 6. zip bombs: a small frame that inflates to 100 MB -----------------------------------------

/// 100 MB of zeros (97 kB compressed) in one frame, and again in 64 fragments: Close 1009,
/// exit 9, quickly and in little memory with `--max-size 1M`; in bounded memory at the default.
#[test]
fn a_zip_bomb_ends_with_1009_in_bounded_time_and_memory() {
    let bomb = zeros_deflated(100_000_000);
    let whole = ws_raw(0xc1, &bomb);
    let chunks: Vec<&[u8]> = bomb.chunks(bomb.len() / 63).collect();
    let last = chunks.len() - 1;
    let fragments: Vec<u8> = chunks
        .iter()
        .enumerate()
        .flat_map(|(i, c)| ws_raw([0x41, 0x00, 0x80][(i > 0) as usize + (i == last) as usize], c))
        .collect();
    for (what, frames, max, cap_kib) in [
        ("one frame", &whole, "1M", RSS_CAP_KIB),
        ("fragments", &fragments, "1M", RSS_CAP_KIB),
        ("one frame", &whole, "64M", RSS_CAP_KIB + 2 * 64 * 1024),
    ] {
        let server = hostile(frames.clone());
        let m = wscheck_measured(&["--deflate", "--max-size", max, &server.url("/")]);
        let r = &m.run;
        eprintln!(
            "zip bomb ({} bytes on the wire), {what}, --max-size {max}: exit {} after {:?}, peak RSS {} KiB",
            bomb.len(),
            r.code,
            m.took,
            m.peak_rss_kib
        );
        r.code(9);
        let limit = if max == "1M" { MIB } else { 64 * MIB };
        let errors = error_lines(r);
        let prefix = format!("error: the server sent a message of {} bytes or more, inflated from ", limit + 1);
        assert!(errors.len() == 1 && errors[0].starts_with(&prefix), "{what}: {errors:?}");
        assert!(errors[0].ends_with(&format!(" compressed bytes, over --max-size {limit}")), "{errors:?}");
        err_line(r, "* Close sent: 1009 (message too big)");
        assert_eq!(r.stdout, "");
        assert!(m.took < Duration::from_secs(5), "{what}: took {:?}", m.took);
        assert!(m.peak_rss_kib < cap_kib, "{what}, --max-size {max}: peak RSS {} KiB", m.peak_rss_kib);
        assert_eq!(server.join(), Some(1009), "{what}");
    }
}

/// Empty stored blocks inflate to nothing: such a message is bounded by its wire size.
#[test]
fn a_compressed_message_of_nothing_is_bounded_by_its_wire_size() {
    let blocks: Vec<u8> = std::iter::repeat_n([0x00, 0x00, 0x00, 0xff, 0xff], 1_000).flatten().collect();
    let mut frames = ws_raw(0x41, &blocks);
    for _ in 0..300 {
        frames.extend(ws_raw(0x00, &blocks));
    }
    frames.extend(ws_raw(0x80, &[0x00]));
    let server = hostile(frames);
    let r = run(&["--max-size", "1M", &server.url("/")]);
    r.code(9);
    let errors = error_lines(&r);
    assert!(
        errors.len() == 1
            && errors[0].starts_with("error: the server sent a compressed message of ")
            && errors[0].ends_with(" bytes or more on the wire (inflating to only 0 bytes), over --max-size 1048576"),
        "{errors:?}"
    );
    assert_eq!(server.join(), Some(1009));
}

/// An uncompressed frame over --max-size but within deflate's frame slack: refused by the
/// message limit, with the same words as on the plain path.
#[test]
fn an_oversized_plain_message_in_a_deflate_session_is_refused_as_on_the_plain_path() {
    for (args, answer) in [(&["--deflate"][..], ACCEPT), (&[], "")] {
        let server = RawServer::start(move |mut s| {
            accept_deflate(&mut s, answer);
            s.write_all(&ws_text([b'x'; 1500])).unwrap();
            client_close_code(&mut s)
        });
        let mut all = args.to_vec();
        let url = server.url("/");
        all.extend(["--max-size", "1000", &url]);
        let r = wscheck(&all, b"");
        r.code(9);
        one_error(&r, "error: the server sent a message of 1500 bytes or more, over --max-size 1000");
        err_line(&r, "* Close sent: 1009 (message too big)");
        assert_eq!(server.join(), Some(1009), "{args:?}");
    }
}

// ---- 7. data that does not inflate, or is not UTF-8 once inflated: Close 1007 ---------------------

#[test]
fn data_that_does_not_inflate_ends_with_1007_and_says_why() {
    for (what, payload) in [
        ("a reserved block type", &[0xff, 0xff, 0xff][..]),
        ("a distance before the start", &[0xf2, 0x00, 0x11, 0x00, 0x00]),
        ("an empty compressed payload", &[]),
    ] {
        let server = hostile([ws_raw(0xc1, payload), ws_text("never shown")].concat());
        let r = run(&[&server.url("/")]);
        r.code(9);
        let errors = error_lines(&r);
        assert!(
            errors.len() == 1
                && errors[0].starts_with(
                    "error: the server sent a compressed message that does not inflate: invalid compressed data: "
                ),
            "{what}: {errors:?}"
        );
        err_line(&r, "* Close sent: 1007 (invalid payload data)");
        assert_eq!(r.stdout, "", "{what}");
        assert_eq!(server.join(), Some(1007), "{what}");
    }
}

#[test]
fn text_that_is_not_utf8_once_inflated_ends_with_1007() {
    let server = hostile(ws_raw(0xc1, &deflated(b"caf\xe9 au lait")));
    let r = run(&[&server.url("/")]);
    r.code(9);
    one_error(&r, "error: the server sent a text message that is not valid UTF-8");
    err_line(&r, "* Close sent: 1007 (invalid payload data)");
    assert_eq!(server.join(), Some(1007));
}

// ---- 8. bad parameters, and RSV1 when nothing was agreed -----------------------------------------

#[test]
fn bad_parameters_fail_the_handshake_and_lenient_still_reads() {
    let hello = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
    for (answer, says) in [
        ("permessage-deflate; server_max_window_bits=16", "`server_max_window_bits=16` is not a window size"),
        ("permessage-deflate; server_max_window_bits=10; server_max_window_bits=10", "appears more than once"),
        ("permessage-deflate; mystery", "unknown parameter `mystery`"),
        ("permessage-deflate; client_no_context_takeover=1", "takes no value"),
    ] {
        let server = RawServer::start(move |mut s| {
            accept_deflate(&mut s, answer);
            s.write_all(&ws_raw(0xc1, &hello)).unwrap();
            let code = client_close_code(&mut s);
            let _ = s.write_all(&ws_close(1000, ""));
            code
        });
        let r = run(&[&server.url("/")]);
        r.code(6);
        assert!(r.finding_is("deflate-params", "ERROR").contains(says), "{answer}\n{}", r.stderr);
        // No session: wscheck just leaves.
        assert_eq!(server.join(), None, "{answer}");

        // --lenient talks anyway, reading what the server compresses.
        let server = RawServer::start(move |mut s| {
            accept_deflate(&mut s, answer);
            s.write_all(&ws_raw(0xc1, &hello)).unwrap();
            let code = client_close_code(&mut s);
            let _ = s.write_all(&ws_close(1000, ""));
            code
        });
        let r = run(&["--lenient", "-n", "1", &server.url("/")]);
        r.code(6);
        assert_eq!(r.stdout, "Hello\n", "{answer}\n{}", r.stderr);
        assert_eq!(server.join(), Some(1000), "{answer}");
    }
}

#[test]
fn rsv1_when_the_server_declined_is_a_protocol_error() {
    let server = RawServer::start(|mut s| {
        accept_deflate(&mut s, "");
        s.write_all(&ws_raw(0xc1, &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])).unwrap();
        client_close_code(&mut s)
    });
    let r = run(&[&server.url("/")]);
    r.code(9);
    r.finding_is("deflate", "info");
    one_error(&r, "error: protocol error from the server: Reserved bits are non-zero");
    err_line(&r, "* Close sent: 1002 (protocol error)");
    assert_eq!(server.join(), Some(1002));
}
