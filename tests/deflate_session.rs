//! A permessage-deflate session through the CLI: wscheck against `wscheck serve --deflate`
//! (agreed, declined, offered with `-H`, with and without context takeover), what `-v` and
//! `--json` show of each message's wire size, and how the session ends against raw servers
//! (Close codes, a Close never answered, data after the Close, a lost connection) — as on the
//! plain path. Interop with python websockets and node ws: `tests/interop.rs`.
mod common;
use common::deflate::*;
use common::*;

use std::io::Write;
use std::time::{Duration, Instant};

use wscheck::deflate::codec::Inflater;

/// The `-v` size lines of a run: `(direction, bytes, wire bytes or None when not compressed)`.
fn size_lines(r: &Run) -> Vec<(String, usize, Option<usize>)> {
    r.stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("* sent text: ").map(|r| ("sent", r));
            let (who, rest) = rest.or_else(|| l.strip_prefix("* received text: ").map(|r| ("received", r)))?;
            let (bytes, how) = rest.split_once(" bytes, ").or_else(|| rest.split_once(" byte, "))?;
            let wire = how.strip_suffix(" on the wire (compressed)").map(|w| w.parse().unwrap());
            assert!(wire.is_some() || how == "not compressed", "{l}");
            Some((who.to_string(), bytes.parse().unwrap(), wire))
        })
        .collect()
}

// ---- Against `wscheck serve --deflate` ---------------------------------------------------------------

#[test]
fn deflate_agreed_with_serve_echoes_and_shows_wire_sizes() {
    let serve = Serve::start(&["--deflate"]);
    let line = "{\"op\":\"ticker\",\"symbol\":\"BTC-USD\",\"price\":43210.12}";
    let input = format!("{line}\n{line}\n");
    let r = wscheck(&["--deflate", "-v", "-n", "2", &serve.url], input.as_bytes());
    r.code(0);
    no_error(&r);
    assert_eq!(r.stdout, input);
    err_line(&r, "> Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits");
    err_line(&r, "< Sec-WebSocket-Extensions: permessage-deflate");
    r.finding_is("deflate-params", "ok");
    assert!(
        r.finding_is("deflate", "info")
            .contains("agreed: server_max_window_bits=15, client_max_window_bits=15, context takeover both ways")
    );
    let sizes = size_lines(&r);
    assert_eq!(sizes.len(), 4, "{sizes:?}\n{}", r.stderr);
    for who in ["sent", "received"] {
        let mine: Vec<_> = sizes.iter().filter(|s| s.0 == who).collect();
        let (first, second) = (mine[0].2.unwrap(), mine[1].2.unwrap());
        assert_eq!((mine[0].1, mine[1].1), (line.len(), line.len()));
        // The context is kept both ways: the same line again is a few bytes on the wire.
        assert!(second < first && second < 10, "{who}: {first} then {second} bytes on the wire");
    }
    // Without -v, no size lines.
    let r = wscheck(&["--deflate", "-n", "1", &serve.url], b"hello\n");
    r.code(0);
    assert!(size_lines(&r).is_empty(), "{}", r.stderr);
}

#[test]
fn json_message_events_carry_compressed_and_wire_bytes_only_when_deflate_is_agreed() {
    let serve = Serve::start(&["--deflate"]);
    let r = wscheck(&["--deflate", "--json", "-P", "-n", "1", &serve.url], b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
    r.code(0);
    let events = r.events();
    let messages: Vec<_> = events.iter().filter(|e| e["type"] == "message").collect();
    assert_eq!(messages.len(), 2, "{}", r.stdout);
    for m in &messages {
        assert_eq!(m["compressed"], true, "{m}");
        assert!(m["wire_bytes"].as_u64().unwrap() < 10, "{m}");
        assert_eq!(m["data"], "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    }
    let deflate = events.iter().find(|e| e["type"] == "finding" && e["id"] == "deflate").unwrap();
    assert_eq!((deflate["level"].as_str(), deflate["ok"].as_bool()), (Some("info"), Some(true)));

    // Not offered, or offered and declined: the fields are absent, as before deflate existed.
    let plain = Serve::start(&[]);
    for (args, url) in [(&[][..], &serve.url), (&["--deflate"][..], &plain.url)] {
        let mut all = args.to_vec();
        all.extend(["--json", "-n", "1", url]);
        let r = wscheck(&all, b"hello\n");
        r.code(0);
        for m in r.events().iter().filter(|e| e["type"] == "message") {
            assert!(m.get("compressed").is_none() && m.get("wire_bytes").is_none(), "{args:?}: {m}");
        }
    }
}

#[test]
fn pings_are_never_compressed_and_say_so_in_json() {
    let serve = Serve::start(&["--deflate"]);
    let r = wscheck(&["--deflate", "--json", "-P", "--ping-interval", "50ms", "-w", "300ms", &serve.url], b"x\n");
    r.code(0);
    let events = r.events();
    let control: Vec<_> =
        events.iter().filter(|e| e["type"] == "message" && (e["kind"] == "ping" || e["kind"] == "pong")).collect();
    assert!(control.len() >= 2, "pings sent and answered\n{}", r.stdout);
    for m in &control {
        assert_eq!(m["compressed"], false, "{m}");
        let len = m["data"].as_str().map_or_else(|| m["hex"].as_str().unwrap().len() / 2, str::len);
        assert_eq!(m["wire_bytes"].as_u64().unwrap() as usize, len, "{m}");
    }
}

#[test]
fn declined_offers_and_header_offers() {
    // Offered, the server declines: a note, and the session is plain.
    let plain = Serve::start(&[]);
    let r = wscheck(&["--deflate", "-n", "1", "-v", &plain.url], b"x\n");
    r.code(0);
    err_line(
        &r,
        "  info  deflate          the server declined permessage-deflate: messages are not compressed  [RFC 7692 §7]",
    );
    r.err_lacks("deflate-params");

    // An offer of the user's own, sent as written: no context takeover either way.
    let serve = Serve::start(&["--deflate"]);
    let own = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    let header = format!("Sec-WebSocket-Extensions: {own}");
    let input = "the same line twice\nthe same line twice\n";
    let r = wscheck(&["-H", &header, "-v", "-n", "2", &serve.url], input.as_bytes());
    r.code(0);
    assert_eq!(r.stdout, input);
    err_line(&r, &format!("> {header}"));
    r.err_lacks("warning:");
    assert!(r.finding_is("deflate", "info").contains("server no context takeover, client no context takeover"));
    let sizes = size_lines(&r);
    assert_eq!(sizes.len(), 4, "{}", r.stderr);
    assert!(sizes.iter().all(|s| s.2 == sizes[0].2 && s.2.is_some()), "no context: the same size each time: {sizes:?}");

    // With --deflate too, the header replaces the generated offer, with a warning.
    let r = wscheck(&["--deflate", "-H", &header, "-n", "1", &serve.url], b"x\n");
    r.code(0);
    err_line(&r, "* warning: -H 'Sec-WebSocket-Extensions:' replaces the generated Sec-WebSocket-Extensions header");
    err_line(&r, &format!("> {header}"));
}

#[test]
fn big_messages_and_goals_end_as_on_the_plain_path() {
    let serve = Serve::start(&["--deflate"]);
    let big = "héllo wörld ✓ ".repeat(20_000);
    let input = format!("{big}\nlast\n");
    let r = wscheck(&["--deflate", "-v", "--expect", "^last$", &serve.url], input.as_bytes());
    r.code(0);
    assert_eq!(r.stdout, input);
    let sizes = size_lines(&r);
    let received = sizes.iter().find(|s| s.0 == "received").unwrap();
    assert_eq!(received.1, big.len());
    assert!(received.2.unwrap() < big.len() / 50, "{received:?}");
    // Binary, from a file: compressed out and back, shown as hex.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zeros.bin");
    std::fs::write(&file, vec![0u8; 100_000]).unwrap();
    let at = format!("@{}", file.display());
    let r = run(&["--binary", "-x", &at, "-n", "1", "-v", &serve.url]);
    r.code(0);
    assert_eq!(r.stdout, format!("{}\n", "00".repeat(100_000)));
    let line = r.stderr.lines().find(|l| l.starts_with("* received binary: 100000 bytes, ")).unwrap_or_default();
    let wire: usize = line.split(' ').nth(5).and_then(|w| w.parse().ok()).unwrap_or(usize::MAX);
    assert!(wire < 200 && line.ends_with(" on the wire (compressed)"), "{line:?}\n{}", r.stderr);
    // A goal not met before the server closes: 8; handshake-only: 0.
    let r = run(&["--handshake-only", &serve.url]);
    r.code(0).err_has("* Close sent: 1000");
    let server = hostile([ws_raw(0xc1, &deflated(b"one")), ws_close(1000, "")].concat());
    let r = run(&["-n", "2", &server.url("/")]);
    r.code(8);
    assert_eq!(r.stdout, "one\n");
    assert_eq!(server.join(), Some(1000));
}

// ---- Raw servers: Close frames, endings ----------------------------------------------------------------

#[test]
fn invalid_close_codes_and_reasons_end_as_on_the_plain_path() {
    // wscheck's own framing keeps the code tungstenite would lose: the error names it.
    for (code, why) in [
        (999, "its Close carried code 999, which is not a valid close code"),
        (1005, "its Close carried code 1005 (no status received), which must never be sent"),
        (1015, "its Close carried code 1015 (TLS handshake failure), which must never be sent"),
        (5000, "its Close carried code 5000, which is not a valid close code"),
    ] {
        let server = hostile(ws_close(code, "bad"));
        let r = run(&[&server.url("/")]);
        r.code(9);
        one_error(&r, &format!("error: protocol error from the server: {why}"));
        err_line(&r, "* Close sent: 1002 (protocol error): \"Protocol violation\"");
        assert_eq!(server.join(), Some(1002), "code {code}");
    }
    // A Close of exactly 1002 "Protocol violation" is the server's own: exit 10, not taken
    // for tungstenite's stand-in.
    let server = hostile(ws_close(1002, "Protocol violation"));
    let r = run(&[&server.url("/")]);
    r.code(10);
    err_line(&r, "* Close received: 1002 (protocol error): \"Protocol violation\"");
    assert_eq!(server.join(), Some(1002));
    let server = hostile(ws_frame(0x8, &[0x03, 0xe8, b'b', 0xff, 0xfe]));
    let r = run(&[&server.url("/")]);
    r.code(9);
    err_line(&r, "* Close sent: 1007 (invalid payload data)");
    assert_eq!(error_lines(&r).len(), 1, "{}", r.stderr);
    assert_eq!(server.join(), Some(1007));
    // The server's error code: exit 10, after a compressed message that is printed.
    let server = hostile([ws_raw(0xc1, &deflated(b"bye")), ws_close(4001, "go away")].concat());
    let r = run(&[&server.url("/")]);
    r.code(10);
    assert_eq!(r.stdout, "bye\n");
    assert_eq!(server.join(), Some(4001), "wscheck echoes the server's Close");
}

#[test]
fn server_that_never_answers_our_close_is_left_after_the_bounded_wait() {
    let server = RawServer::start(|mut s| {
        accept_deflate(&mut s, ACCEPT);
        let got = client_frames_until_close(&mut s, &mut Inflater::new(15, false));
        let mut rest = Vec::new();
        let _ = std::io::Read::read_to_end(&mut s, &mut rest);
        (got, rest)
    });
    let start = Instant::now();
    let r = run(&["-x", "hi", "-w", "0", &server.url("/")]);
    let took = start.elapsed();
    r.code(0);
    no_error(&r);
    err_line(&r, "* warning: the server did not complete the close handshake within 2 s");
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_secs(10), "took {took:?}");
    let ((before, code), rest) = server.join();
    assert_eq!(before, [(0xc1, b"hi".to_vec())], "sent compressed (RSV1), inflating to \"hi\"");
    assert_eq!(code, Some(1000));
    assert!(rest.is_empty(), "wscheck wrote after its Close: {rest:02x?}");
}

#[test]
fn text_after_the_servers_close_is_not_printed_and_a_lost_connection_is_9() {
    let frames = [ws_raw(0xc1, &deflated(b"before")), ws_close(1000, ""), ws_raw(0xc1, &deflated(b"after"))].concat();
    let server = hostile(frames);
    let r = run(&[&server.url("/")]);
    r.code(0);
    no_error(&r);
    err_line(&r, "* warning: the server sent more after its Close (ignored)");
    assert_eq!(r.stdout, "before\n");
    assert_eq!(server.join(), Some(1000));

    let server = RawServer::start(|mut s| {
        accept_deflate(&mut s, ACCEPT);
        s.write_all(&ws_raw(0xc1, &deflated(b"last words"))).unwrap();
    });
    let r = run(&[&server.url("/")]);
    server.join();
    r.code(9).err_has("error: the connection was lost without a Close (1006)");
    assert_eq!(r.stdout, "last words\n");
}
