//! `wscheck serve` is strict by default (SPEC §11): raw requests that RFC 6455 §4.2.1 says a
//! server must refuse get the status, headers and short body that say why, and raw frames
//! that break the framing rules get the Close code RFC 6455 §7.4.1 names. `--lenient`
//! answers and drops as the first release did.

mod common;
use common::*;

use std::io::{Read, Write};
use std::net::TcpStream;

/// A valid request head for `url`'s port with `line` as the request line and `edit` applied.
fn request(line: &str, edit: impl Fn(&mut Vec<(&'static str, &'static str)>)) -> Vec<u8> {
    let mut headers = vec![
        ("Host", "127.0.0.1"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ];
    edit(&mut headers);
    let mut out = format!("{line}\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn connect(serve: &Serve) -> TcpStream {
    let addr = serve.url.trim_start_matches("ws://").trim_end_matches('/');
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    s
}

/// Send `req` raw; the whole answer (head and body) until the server closes.
fn ask(serve: &Serve, req: &[u8]) -> String {
    let mut s = connect(serve);
    s.write_all(req).unwrap();
    let head = read_head(&mut s);
    if head.starts_with(b"HTTP/1.1 101 ") {
        return String::from_utf8_lossy(&head).into_owned();
    }
    let mut all = head;
    let _ = s.read_to_end(&mut all);
    String::from_utf8_lossy(&all).into_owned()
}

/// The requests a strict server refuses: (what, request, status line, header, words of the body).
fn refused() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str, &'static str)> {
    let get = "GET / HTTP/1.1";
    vec![
        ("POST", request("POST / HTTP/1.1", |_| {}), "405 Method Not Allowed", "Allow: GET", "not POST"),
        ("HTTP/1.0", request("GET / HTTP/1.0", |_| {}), "400 Bad Request", "Connection: close", "not HTTP/1.0"),
        (
            "no Host",
            request(get, |h| {
                h.remove(0);
            }),
            "400 Bad Request",
            "Content-Type: text/plain",
            "no Host header",
        ),
        ("8-byte key", request(get, |h| h[3].1 = "AAAAAAAAAAA="), "400 Bad Request", "Connection: close", "8 bytes"),
        ("key not base64", request(get, |h| h[3].1 = "????"), "400 Bad Request", "Connection: close", "not base64"),
    ]
}

#[test]
fn strict_serve_refuses_bad_requests_with_a_body_saying_why() {
    let serve = Serve::start(&[]);
    for (what, req, status, header, why) in refused() {
        let answer = ask(&serve, &req);
        assert!(answer.starts_with(&format!("HTTP/1.1 {status}\r\n")), "{what}: {answer}");
        assert!(answer.contains(&format!("\r\n{header}")), "{what}: {answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        assert!(body.starts_with("wscheck serve: ") && body.contains(why) && body.ends_with('\n'), "{what}: {body:?}");
    }
    // Version 99: 426 naming the one version it speaks.
    let answer = ask(&serve, &request("GET / HTTP/1.1", |h| h[4].1 = "99"));
    assert!(answer.starts_with("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"), "{answer}");
    // And the request every client sends is still answered.
    let answer = ask(&serve, &request("GET / HTTP/1.1", |_| {}));
    assert!(answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), "{answer}");
}

#[test]
fn lenient_serve_accepts_them_as_before() {
    let serve = Serve::start(&["--lenient"]);
    for (what, req, ..) in refused().into_iter().filter(|(what, ..)| *what != "POST") {
        let answer = ask(&serve, &req);
        assert!(answer.starts_with("HTTP/1.1 101 "), "{what}: {answer}");
    }
    let answer = ask(&serve, &request("POST / HTTP/1.1", |_| {}));
    assert!(answer.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{answer}");
}

/// A client→server frame: `first` as given (FIN, RSV, opcode), masked unless `unmasked`.
fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut f = vec![first];
    let bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => f.push(bit | n as u8),
        n => {
            f.push(bit | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    let key = [0x37, 0xfa, 0x21, 0x3d];
    if masked {
        f.extend_from_slice(&key);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        f.extend_from_slice(payload);
    }
    f
}

/// One server→client frame (opcode, payload), unmasked; `None` at the end of the stream.
fn server_frame(s: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).ok()?;
    assert_eq!(h[1] & 0x80, 0, "a server frame must not be masked");
    let len = match h[1] & 0x7f {
        126 => {
            let mut l = [0u8; 2];
            s.read_exact(&mut l).ok()?;
            u16::from_be_bytes(l) as usize
        }
        n => n as usize,
    };
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).ok()?;
    Some((h[0], payload))
}

/// Open a WebSocket to `serve` and send `bytes` after the 101; the frames the server sends
/// until it closes the connection.
fn after_101(serve: &Serve, bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut s = connect(serve);
    s.write_all(&request("GET / HTTP/1.1", |_| {})).unwrap();
    assert!(read_head(&mut s).starts_with(b"HTTP/1.1 101 "));
    s.write_all(bytes).unwrap();
    std::iter::from_fn(|| server_frame(&mut s)).collect()
}

/// The frames that break RFC 6455 §5, and the Close code a strict server answers each with.
fn broken_frames() -> Vec<(&'static str, Vec<u8>, u16)> {
    vec![
        ("unmasked text", frame(0x81, b"hi", false), 1002),
        ("reserved opcode 0x3", frame(0x83, b"hi", true), 1002),
        ("reserved control opcode 0xB", frame(0x8b, b"", true), 1002),
        ("RSV1 with no extension", frame(0xc1, b"hi", true), 1002),
        ("RSV3 with no extension", frame(0x91, b"hi", true), 1002),
        ("a 126-byte ping", frame(0x89, &[b'p'; 126], true), 1002),
        ("a fragmented ping", frame(0x09, b"p", true), 1002),
        ("text that is not UTF-8", frame(0x81, b"\xce\xba\xff", true), 1007),
    ]
}

#[test]
fn strict_serve_fails_a_broken_frame_with_the_close_code_that_says_why() {
    let serve = Serve::start(&[]);
    for (what, bytes, code) in broken_frames() {
        let frames = after_101(&serve, &bytes);
        let close = frames.iter().find(|(first, _)| first & 0x0f == 0x8);
        let Some((_, payload)) = close else { panic!("{what}: no Close before the end, frames {frames:?}") };
        assert_eq!(
            u16::from_be_bytes([payload[0], payload[1]]),
            code,
            "{what}: {:?}",
            String::from_utf8_lossy(payload)
        );
        assert!(payload.len() > 2, "{what}: the Close has a reason");
        assert!(frames.iter().all(|(first, _)| first & 0x0f != 0x1), "{what}: nothing echoed: {frames:?}");
    }
    // Valid frames are still echoed and answered.
    let mut valid = frame(0x81, "κόσμε".as_bytes(), true);
    valid.extend(frame(0x89, b"probe", true));
    valid.extend(frame(0x88, &1000u16.to_be_bytes(), true));
    let frames = after_101(&serve, &valid);
    let expected =
        [(0x81, "κόσμε".as_bytes().to_vec()), (0x8a, b"probe".to_vec()), (0x88, 1000u16.to_be_bytes().to_vec())];
    assert_eq!(frames, expected);
}

/// With permessage-deflate agreed (`serve --deflate`), compressed data that does not inflate
/// is a message the server cannot read: Close 1007 (RFC 7692 §8 leaves the code to RFC 6455
/// §7.4.1, "data inconsistent with the type of the message"); RSV1 is then allowed.
#[test]
fn strict_serve_with_deflate_fails_data_that_does_not_inflate_with_1007() {
    let serve = Serve::start(&["--deflate"]);
    let mut s = connect(&serve);
    s.write_all(&request("GET / HTTP/1.1", |h| h.push(("Sec-WebSocket-Extensions", "permessage-deflate")))).unwrap();
    let head = String::from_utf8(read_head(&mut s)).unwrap();
    assert!(head.contains("Sec-WebSocket-Extensions: permessage-deflate"), "{head}");
    s.write_all(&frame(0xc1, &[0xff, 0xff, 0xff, 0xff], true)).unwrap();
    let frames: Vec<_> = std::iter::from_fn(|| server_frame(&mut s)).collect();
    let close = frames.iter().find(|(first, _)| first & 0x0f == 0x8).expect("a Close");
    assert_eq!(u16::from_be_bytes([close.1[0], close.1[1]]), 1007, "{frames:?}");
}

#[test]
fn lenient_serve_drops_a_broken_frame_without_a_close() {
    let serve = Serve::start(&["--lenient"]);
    for (what, bytes, _) in broken_frames() {
        let frames = after_101(&serve, &bytes);
        assert!(frames.iter().all(|(first, _)| first & 0x0f != 0x8), "{what}: a Close: {frames:?}");
    }
}

/// `wscheck probe` against serve: strict, every row passes but the foreign Origin (serve has
/// no Origin policy: a warning); lenient, each leniency is a warning and nothing fails.
#[test]
fn probe_finds_strict_serve_conformant_and_lenient_serve_lenient() {
    let outcomes = |extra: &[&str]| -> Vec<(String, String)> {
        let serve = Serve::start(extra);
        let run = wscheck(&["probe", "--json", "--skip", "http2", &serve.url], b"");
        run.events()
            .iter()
            .filter(|e| e["type"] == "probe" && e["outcome"] != "pass")
            .map(|e| (e["id"].as_str().unwrap().to_string(), e["outcome"].as_str().unwrap().to_string()))
            .collect()
    };
    let pair = |id: &str| (id.to_string(), "warn".to_string());
    assert_eq!(outcomes(&[]), [pair("foreign-origin")]);
    let lenient: Vec<_> = [
        "short-key",
        "http-1.0",
        "no-host",
        "foreign-origin",
        "invalid-utf8",
        "unmasked",
        "reserved-opcode",
        "rsv1",
        "big-ping",
    ]
    .iter()
    .map(|id| pair(id))
    .collect();
    assert_eq!(outcomes(&["--lenient"]), lenient);
}
