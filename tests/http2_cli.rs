//! `wscheck --http2` (RFC 8441, SPEC §13) end to end: the built binary against `wscheck serve`
//! over h2c (prior knowledge) and h2 (TLS, ALPN), the transcript and JSON as pinned lines,
//! and the session over the stream — pipe, `-x`, `-n`, `--expect`, pings, close codes,
//! `--max-size`, a 200 KB message — and `demo --http2`.
#![cfg(feature = "http2")]

mod common;
mod h2peers;
use common::*;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use h2peers::{RawH2, frame, headers, settings};

/// The lines of an h2c exchange with `serve` for `wscheck --http2 -s chat URL` (port `port`).
fn h2c_exchange(port: u16) -> Vec<String> {
    [
        "< SETTINGS INITIAL_WINDOW_SIZE=1048576 ENABLE_CONNECT_PROTOCOL=1",
        "> :method: CONNECT",
        "> :scheme: http",
        &format!("> :authority: 127.0.0.1:{port}"),
        "> :path: /chat?room=1",
        "> :protocol: websocket",
        "> sec-websocket-version: 13",
        "> sec-websocket-protocol: chat",
        "> user-agent: wscheck/0.1.0",
        ">",
        "< :status: 200",
        "< sec-websocket-protocol: chat",
        "<",
        "  ok    connect-protocol SETTINGS_ENABLE_CONNECT_PROTOCOL=1: the server accepts WebSocket over HTTP/2  [RFC 8441 §3]",
        "  ok    status-2xx       :status 200: the server opened the WebSocket stream  [RFC 8441 §5]",
        "  info  status-2xx       over HTTP/2 a 200 is what 101 is over HTTP/1.1: the WebSocket is open on this stream (HTTP/2 has no 101, no Upgrade and no reason phrase)  [RFC 9113 §8.5]",
        "  ok    connection-specific no connection-specific headers  [RFC 9113 §8.2.2]",
        "  ok    accept-h2        no sec-websocket-accept (none belongs in an HTTP/2 answer)  [RFC 8441 §5]",
        "  ok    subprotocol      the server chose the offered subprotocol \"chat\"  [RFC 6455 §4.1]",
        "  ok    extensions       no extensions  [RFC 6455 §4.1]",
        "* OK: the server opened the WebSocket over HTTP/2 (:status 200) and the exchange follows RFC 8441",
    ]
    .iter()
    .map(|l| l.to_string())
    .collect()
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().trim_end_matches('/').parse().unwrap()
}

/// The transcript from the SETTINGS line to the verdict.
fn exchange_lines(r: &Run) -> Vec<String> {
    let lines: Vec<&str> = r.stderr.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("< SETTINGS")).expect("a SETTINGS line");
    let end = lines.iter().position(|l| l.starts_with("* OK") || l.starts_with("* FAILED")).expect("a verdict");
    lines[start..=end].iter().map(|l| l.to_string()).collect()
}

/// How the stream ended, with both halves' END_STREAM in either order (the server's echo
/// loop and wscheck end their halves at the same moment).
fn both_ended(r: &Run) {
    let line = r.stderr.lines().find(|l| l.starts_with("* HTTP/2 stream ended: ")).expect("how the stream ended");
    assert!(line.contains("server END_STREAM") && line.contains("client END_STREAM"), "{line}");
}

#[test]
fn h2c_against_serve_shows_the_exchange_and_talks() {
    let serve = Serve::start(&["-s", "chat"]);
    let url = format!("{}chat?room=1", serve.url);
    let r = wscheck(&["--http2", "-s", "chat", "-x", "hello", "-x", "world", "-n", "2", &url], b"");
    r.code(0).err_has("* Close sent: 1000 (normal closure)\n* Close received: 1000 (normal closure)\n");
    assert_eq!(r.stdout, "hello\nworld\n");
    assert_eq!(exchange_lines(&r), h2c_exchange(port_of(&serve.url)));
    both_ended(&r);
    // The HTTP/1.1 upgrade on the same port is untouched.
    wscheck(&["--handshake-only", &url], b"").code(0).err_has("< HTTP/1.1 101 Switching Protocols");
}

#[test]
fn h2_over_tls_by_alpn_against_serve() {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let serve = Serve::start(&["--cert", cert, "--key", key]);
    let url = serve.url.replace("127.0.0.1", "localhost");
    let port = port_of(&url);
    let r = wscheck(&["--http2", "--cacert", cert, "-x", "over h2", "--expect", "over h2", &url], b"");
    r.code(0).out_has("over h2\n");
    err_line(&r, "* TLS established, ALPN h2, certificate verified");
    for l in ["> :scheme: https", &format!("> :authority: localhost:{port}"), "< :status: 200"] {
        err_line(&r, l);
    }
    r.finding_is("alpn", "ok").contains("the server selected h2 by ALPN");
    both_ended(&r);
    // Without --http2 the same server selects http/1.1 for wscheck's HTTP/1.1 offer.
    let h1 = wscheck(&["--cacert", cert, "--handshake-only", &url], b"");
    h1.code(0);
    err_line(&h1, "* TLS established, ALPN http/1.1, certificate verified");
}

#[test]
fn json_has_settings_and_http2_request_and_response() {
    let serve = Serve::start(&[]);
    let r = wscheck(&["--http2", "--json", "--handshake-only", &serve.url], b"");
    r.code(0);
    let events = r.events();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let findings = types.iter().filter(|t| **t == "finding").count();
    let mut expected = vec!["connect", "settings", "request", "response"];
    expected.extend(std::iter::repeat_n("finding", findings));
    expected.extend(["handshake", "close", "close", "stream_end", "exit"]);
    assert_eq!(types, expected);
    let settings = &events[1]["settings"];
    assert_eq!(settings[1], serde_json::json!({"id": 8, "name": "ENABLE_CONNECT_PROTOCOL", "value": 1}));
    let request = &events[2];
    assert_eq!(request["version"], "HTTP/2");
    assert_eq!(request["headers"][0], serde_json::json!([":method", "CONNECT"]));
    assert_eq!(request["headers"][4], serde_json::json!([":protocol", "websocket"]));
    assert_eq!(request["lines"][0], ":method: CONNECT");
    let response = &events[3];
    assert_eq!((response["version"].as_str(), response["status"].as_u64()), (Some("HTTP/2"), Some(200)));
    assert!(response["reason"].is_null(), "{response}");
    assert_eq!(response["headers"], serde_json::json!([[":status", "200"]]));
    assert_eq!(response["lines"], serde_json::json!([":status: 200"]));
    let handshake = &events[4 + findings];
    assert_eq!((handshake["ok"].as_bool(), handshake["status"].as_u64()), (Some(true), Some(200)));
    let end = &events[events.len() - 2];
    assert_eq!(end["open"], false);
    let steps = end["steps"].as_array().unwrap();
    assert!(steps.contains(&serde_json::json!({"by": "server", "frame": "END_STREAM", "code": null})), "{end}");
    assert!(end["message"].as_str().unwrap().contains("client END_STREAM"), "{end}");
}

#[test]
fn the_session_runs_over_the_stream() {
    let serve = Serve::start(&[]);
    // Pipe: one message per line, and the replies after the last one.
    let r = wscheck(&["--http2", "-w", "300ms", &serve.url], b"a\nb\n");
    r.code(0);
    assert_eq!(r.stdout, "a\nb\n");
    // Pings with their round trips, shown with -P.
    let r = wscheck(&["--http2", "-P", "--ping-interval", "100ms", "-x", "x", "-n", "1", &serve.url], b"");
    r.code(0);
    // A goal not met before the timeout: 7.
    let r = wscheck(&["--http2", "-x", "a", "--expect", "never", "--timeout", "1s", &serve.url], b"");
    r.code(7).err_has("--expect 'never' not met before --timeout 1s ran out");
}

#[test]
fn a_200_kb_message_round_trips_and_max_size_still_holds() {
    let serve = Serve::start(&[]);
    let big: String = (0..200 * 1024).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &big).unwrap();
    let at = format!("@{}", file.path().display());
    let r = wscheck(&["--http2", "-x", &at, "-n", "1", &serve.url], b"");
    r.code(0);
    assert_eq!(r.stdout.len(), big.len() + 1);
    assert!(r.stdout == format!("{big}\n"), "the echo differs");
    // A message over --max-size: Close 1009, exit 9.
    let raw = answering_then(ws_text("x".repeat(2000)));
    let r = wscheck(&["--http2", "--max-size", "1k", &format!("ws://{}/", raw.addr)], b"");
    r.code(9).err_has("over --max-size 1024").err_has("* Close sent: 1009");
    raw.join();
}

/// A raw h2 server that answers 200, then sends `after` (WebSocket frames in DATA frames) and
/// keeps the stream and the connection open: a server that never ends its half.
fn answering_then(after: Vec<u8>) -> RawH2 {
    RawH2::start(
        settings(&[(8, 1), (3, 100)]),
        Box::new(move |s| {
            let mut out = headers(s, false, &[(":status", "200")]);
            if !after.is_empty() {
                out.extend(frame(0, 0, s, &after));
            }
            (out, true)
        }),
    )
}

#[test]
fn the_echoed_close_ends_the_session_even_if_the_stream_stays_open() {
    // The server closes first with 4001 and leaves the stream open (as hypercorn does until its
    // idle timeout): wscheck echoes the Close and is done, without a 2 s wait for the end.
    let raw = answering_then(ws_close(4001, "bye"));
    let started = Instant::now();
    let r = wscheck(&["--http2", &format!("ws://{}/", raw.addr)], b"");
    r.code(10)
        .err_has("* Close received: 4001 (application-defined): \"bye\"")
        .err_has("* Close sent: 4001 (application-defined): \"bye\" (echo)")
        .err_lacks("did not close the connection");
    err_line(
        &r,
        "* HTTP/2 stream ended: client END_STREAM, then client RST_STREAM CANCEL, then client GOAWAY NO_ERROR",
    );
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    raw.join();
}

#[test]
fn a_reset_during_the_session_is_a_lost_connection_named_in_the_stream_end() {
    let raw = RawH2::start(
        settings(&[(8, 1)]),
        Box::new(|s| {
            let mut out = headers(s, false, &[(":status", "200")]);
            out.extend(frame(0, 0, s, &ws_text("one")));
            out.extend(frame(3, 0, s, &2u32.to_be_bytes()));
            (out, true)
        }),
    );
    // The text is in a DATA frame; the RST_STREAM INTERNAL_ERROR follows.
    let r = wscheck(&["--http2", "-n", "2", &format!("ws://{}/", raw.addr)], b"");
    r.code(9).err_has("error: the connection was lost without a Close (1006)");
    err_line(&r, "* HTTP/2 stream ended: server RST_STREAM INTERNAL_ERROR, then client GOAWAY NO_ERROR");
    raw.join();
}

#[test]
fn the_server_closing_cleanly_is_exit_0() {
    let raw = answering_then([ws_text("hi"), ws_close(1000, "")].concat());
    let r = wscheck(&["--http2", &format!("ws://{}/x", raw.addr)], b"");
    r.code(0).out_has("hi\n").err_has("* Close received: 1000 (normal closure)");
    raw.join();
}

#[test]
fn the_preface_in_two_pieces_is_still_http2_to_serve() {
    // An HTTP/1.1 head reader stops at "PRI * HTTP/2.0\r\n", which is not HTTP/1: serve must
    // read on to the whole preface, not answer 400.
    let serve = Serve::start(&[]);
    let mut s = TcpStream::connect(format!("127.0.0.1:{}", port_of(&serve.url))).unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    let preface = wscheck::http2::tap::PREFACE;
    // Two writes (the split itself, which a socket may or may not keep, is unit-tested in
    // serve/h2.rs with a reader that hands the preface out in pieces).
    s.write_all(&preface[..16]).unwrap();
    s.write_all(&preface[16..]).unwrap();
    s.write_all(&settings(&[])).unwrap();
    let mut head = [0u8; 9];
    s.read_exact(&mut head).unwrap();
    assert_eq!(head[3], 4, "the server's first frame is its SETTINGS: {head:?}");
}

#[test]
fn serve_refuses_another_version_with_426_over_http2() {
    let serve = Serve::start(&[]);
    let r = wscheck(&["--http2", "-H", "Sec-WebSocket-Version: 8", &serve.url], b"");
    r.code(5).err_has("> sec-websocket-version: 8\n").err_has("< sec-websocket-version: 13\n");
    assert!(
        r.finding_is("status-2xx", "ERROR").contains("answered 426, not 2xx: the server supports WebSocket version 13")
    );
    err_line(&r, "< wscheck serve: only WebSocket version 13 is supported");
    err_line(&r, "* FAILED: the server did not open the WebSocket over HTTP/2 (:status 426)");
}

#[test]
fn demo_http2_shows_that_200_is_101() {
    let r = wscheck(&["demo", "--http2"], b"");
    r.code(0)
        .out_has("Hello, WebSocket!\n")
        .err_has("< :status: 200\n")
        .err_has("* What this shows: over HTTP/2 the WebSocket opens with \":status 200\", not 101.");
}

/// A CONNECT proxy for one connection: answers 200 and relays both ways.
fn connect_proxy() -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut client, _) = listener.accept().unwrap();
        client.set_read_timeout(Some(LIMIT)).unwrap();
        let head = String::from_utf8(read_head(&mut client)).unwrap();
        let authority = head.split_whitespace().nth(1).unwrap().to_string();
        let mut server = TcpStream::connect(&authority).unwrap();
        client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap();
        let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        let up = std::thread::spawn(move || std::io::copy(&mut c2, &mut s2));
        let _ = std::io::copy(&mut server, &mut client);
        let _ = client.shutdown(std::net::Shutdown::Both);
        let _ = up.join();
        head
    });
    (port, handle)
}

#[test]
fn through_an_http_proxy() {
    let serve = Serve::start(&[]);
    let (port, proxy) = connect_proxy();
    let r =
        wscheck(&["--http2", "--proxy", &format!("http://127.0.0.1:{port}"), "-x", "via", "-n", "1", &serve.url], b"");
    r.code(0).out_has("via\n").err_has("proxy< HTTP/1.1 200 Connection established").err_has("< :status: 200");
    assert!(proxy.join().unwrap().starts_with(&format!("CONNECT 127.0.0.1:{} HTTP/1.1", port_of(&serve.url))));
}

#[test]
fn a_redirect_is_followed_over_http2_with_dash_l() {
    let serve = Serve::start(&[]);
    let redirecting = || {
        let location = format!("{}moved", serve.url);
        RawH2::start(
            settings(&[(8, 1)]),
            Box::new(move |s| (headers(s, true, &[(":status", "302"), ("location", &location)]), true)),
        )
    };
    let raw = redirecting();
    let r = wscheck(&["--http2", "-L", "--handshake-only", &format!("ws://{}/old", raw.addr)], b"");
    r.code(0).err_has(&format!("* note: following the redirect to {}moved (1 of at most 5)", serve.url));
    err_line(&r, "< :status: 302");
    err_line(&r, "> :path: /moved");
    err_line(&r, "* OK: the server opened the WebSocket over HTTP/2 (:status 200) and the exchange follows RFC 8441");
    raw.join();
    // Without -L the 3xx is the answer, explained.
    let raw = redirecting();
    let r = wscheck(&["--http2", "--handshake-only", &format!("ws://{}/old", raw.addr)], b"");
    r.code(5);
    assert!(r.finding_is("status-2xx", "ERROR").contains(&format!("302, not 2xx: a redirect to {}moved", serve.url)));
    raw.join();
}

#[test]
fn permessage_deflate_over_http2_with_serve_deflate() {
    let serve = Serve::start(&["--deflate"]);
    let r = wscheck(&["--http2", "--deflate", "-v", "-x", "squeeze me", "-n", "1", &serve.url], b"");
    r.code(0).out_has("squeeze me\n");
    err_line(&r, "> sec-websocket-extensions: permessage-deflate; client_max_window_bits");
    err_line(&r, "< sec-websocket-extensions: permessage-deflate");
    r.finding_is("deflate", "info");
    r.err_has("* received text: 10 bytes, ").err_has(" on the wire (compressed)");
    assert!(r.stderr.lines().any(|l| l.starts_with("* note: first message ") && l.ends_with(" ms after the 200")));
    // Without --deflate on the server, the offer is declined and the session is plain.
    let plain = Serve::start(&[]);
    let r = wscheck(&["--http2", "--deflate", "-x", "plain", "-n", "1", &plain.url], b"");
    r.code(0).out_has("plain\n").err_lacks("< sec-websocket-extensions");
}

#[test]
fn connect_to_reaches_the_backend_while_authority_keeps_the_urls_name() {
    let serve = Serve::start(&[]);
    let route = format!("backend.test:80:127.0.0.1:{}", port_of(&serve.url));
    let r = wscheck(&["--http2", "--connect-to", &route, "-x", "routed", "-n", "1", "ws://backend.test/"], b"");
    r.code(0).out_has("routed\n").err_has("via --connect-to");
    err_line(&r, "> :authority: backend.test");
}

#[test]
fn har_and_trace_over_http2() {
    let serve = Serve::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("run.har");
    let har = har.to_str().unwrap();
    let r = wscheck(&["--http2", "--har", har, "--trace-ascii", "-", "-x", "hi", "-n", "1", &serve.url], b"");
    r.code(0).out_has("hi\n");
    // The trace is the connection's bytes: the preface first (HTTP/2 frames are not annotated).
    r.err_has("=> Send data, 24 bytes (0x18)\n0000: PRI * HTTP/2.0\n").err_lacks("== Frame:");
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(har).unwrap()).unwrap();
    let entry = &log["log"]["entries"][0];
    assert_eq!(entry["request"]["method"], "CONNECT");
    assert_eq!(entry["request"]["url"], serve.url.as_str());
    assert_eq!(entry["request"]["httpVersion"], "HTTP/2");
    assert_eq!((entry["response"]["status"].as_u64(), entry["response"]["statusText"].as_str()), (Some(200), Some("")));
    assert_eq!(entry["response"]["httpVersion"], "HTTP/2");
    let sent: Vec<&str> = entry["_webSocketMessages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["opcode"] == 1)
        .map(|m| m["data"].as_str().unwrap())
        .collect();
    assert_eq!(sent, ["hi", "hi"]);
}

#[test]
fn over_a_unix_socket() {
    use wscheck::http2::server::{ServerOptions, serve_connection};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h2.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        serve_connection(socket, Vec::new(), &ServerOptions::default(), h2peers::echo).ok();
    });
    let r =
        wscheck(&["--http2", "--unix-socket", path.to_str().unwrap(), "-x", "local", "-n", "1", "ws://h.test/"], b"");
    r.code(0).out_has("local\n").err_has("via --unix-socket");
    err_line(&r, "> :authority: h.test");
}
