//! permessage-deflate interop (issue 13): `DeflateSocket` over a hand-made upgrade, and
//! `wscheck --deflate` / `-H 'Sec-WebSocket-Extensions: …'` through the CLI, against python
//! websockets and node ws with and without context takeover, small windows, thresholds, and
//! servers that decline.

use std::process::Command;

use super::common::*;
use super::{Peer, required, script};

// ---- permessage-deflate against python websockets (issue 13) --------------------------------

/// One python websockets configuration: its argv, what we offer, what must be agreed.
struct DeflateCase {
    server_args: &'static [&'static str],
    offer: &'static str,
    agreed: Option<wscheck::deflate::Params>,
}

/// The 101 done by hand (wscheck's own handshake is not what is tested here): the request
/// with `offer`, the answer's extensions judged by `deflate::params`.
fn deflate_upgrade(
    port: u16,
    offer: &str,
) -> (std::net::TcpStream, Result<Option<wscheck::deflate::Params>, Vec<String>>) {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: {offer}\r\n\r\n"
    )
    .unwrap();
    let head = read_head(&mut s);
    let mut slots = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut slots);
    assert!(response.parse(&head).unwrap().is_complete(), "{}", String::from_utf8_lossy(&head));
    assert_eq!(response.code, Some(101), "{}", String::from_utf8_lossy(&head));
    let header = |name: &str| -> Vec<String> {
        response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
            .collect()
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    assert_eq!(header("Sec-WebSocket-Accept"), vec![accept]);
    let answer = header("Sec-WebSocket-Extensions");
    let answer: Vec<&str> = answer.iter().map(String::as_str).collect();
    (s, wscheck::deflate::params::judge(&[offer], &answer))
}

/// Echo messages through the peer over a `DeflateSocket`: every echo equal to what was sent,
/// compressed both ways exactly when deflate was agreed, the second of two equal messages
/// smaller on the wire exactly when the context is kept; then the close handshake.
fn deflate_echoes(name: &str, port: u16, case: &DeflateCase) {
    use tungstenite::protocol::{CloseFrame, Role, frame::coding::CloseCode};
    use tungstenite::{Error, Message};
    let (stream, judged) = deflate_upgrade(port, case.offer);
    assert_eq!(judged, Ok(case.agreed), "{name}, offer `{}`", case.offer);
    let mut ws = wscheck::deflate::DeflateSocket::new(stream, Vec::new(), Role::Client, Some(1 << 20), case.agreed);
    // Repeats 300 bytes back: beyond an 8-bit window, inside the 9-bit one we compress with.
    let mut far = Vec::new();
    for i in 0..2_000u32 {
        far.extend_from_slice(&(i.wrapping_mul(2_654_435_761)).to_le_bytes()[..3]);
        if i % 100 == 99 {
            far.extend_from_within(far.len() - 300..far.len() - 200);
        }
    }
    let line = "{\"op\":\"ticker\",\"symbol\":\"BTC-USD\",\"price\":43210.12,\"size\":0.5}";
    let messages = [
        Message::text(line),
        Message::text(line),
        Message::text("héllo wörld ✓ ".repeat(2_000)),
        Message::binary(far),
        Message::text(""),
        Message::binary(vec![0u8; 500_000]),
    ];
    let mut wire = Vec::new();
    for m in &messages {
        ws.write(m.clone()).unwrap();
        ws.flush().unwrap();
        let sent = ws.last_written().unwrap();
        let echo = ws.read().unwrap_or_else(|e| panic!("{name}: no echo: {e}"));
        assert_eq!(&echo, m, "{name}: the echo differs");
        let received = ws.last_read().unwrap();
        let deflating = case.agreed.is_some();
        assert_eq!((sent.compressed, received.compressed), (deflating, deflating), "{name}");
        wire.push((sent.wire_bytes, received.wire_bytes));
    }
    if let Some(p) = case.agreed {
        let (first, second) = (wire[0], wire[1]);
        let kept = (!p.client_no_context_takeover, !p.server_no_context_takeover);
        assert_eq!((second.0 < first.0, second.1 < first.1), kept, "{name}: wire sizes {wire:?} with {p}");
        assert!(wire[5].0 < 5_000 && wire[5].1 < 5_000, "{name}: 500 kB of zeros compress: {wire:?}");
    }
    ws.close(Some(CloseFrame { code: CloseCode::Normal, reason: "".into() })).unwrap();
    loop {
        match ws.read() {
            Ok(Message::Close(frame)) => assert_eq!(frame.map(|f| f.code), Some(CloseCode::Normal), "{name}"),
            Ok(other) => panic!("{name}: after our Close: {other:?}"),
            Err(Error::ConnectionClosed) => break,
            Err(e) => panic!("{name}: the close handshake failed: {e}"),
        }
    }
}

#[test]
fn python_websockets_deflate() {
    use wscheck::deflate::{Params, params::OFFER};
    let Some(python) = required("WSCHECK_PYTHON", "a python with `websockets` importable") else {
        return;
    };
    let no_takeover =
        "permessage-deflate; client_max_window_bits; server_no_context_takeover; client_no_context_takeover";
    let cases = [
        // websockets' defaults: 12-bit windows both ways, context kept.
        DeflateCase {
            server_args: &[],
            offer: OFFER,
            agreed: Some(Params { server_max_window_bits: 12, client_max_window_bits: 12, ..Params::default() }),
        },
        DeflateCase {
            server_args: &[],
            offer: no_takeover,
            agreed: Some(Params {
                server_max_window_bits: 12,
                client_max_window_bits: 12,
                server_no_context_takeover: true,
                client_no_context_takeover: true,
            }),
        },
        // The smallest windows: python inflates what we send with 8 bits, we deflate with 9.
        DeflateCase {
            server_args: &["--deflate", "server_max_window_bits=9,client_max_window_bits=8"],
            offer: OFFER,
            agreed: Some(Params { server_max_window_bits: 9, client_max_window_bits: 8, ..Params::default() }),
        },
        // The server drops its context and asks us to drop ours.
        DeflateCase {
            server_args: &["--deflate", "server_no_context_takeover,client_no_context_takeover"],
            offer: OFFER,
            agreed: Some(Params {
                server_no_context_takeover: true,
                client_no_context_takeover: true,
                ..Params::default()
            }),
        },
        DeflateCase { server_args: &["--no-compression"], offer: OFFER, agreed: None },
    ];
    for case in &cases {
        let mut command = Command::new(&python);
        command.arg(script("echo_server.py")).args(case.server_args);
        let server = Peer::start("python websockets", command);
        let name = format!("python websockets {:?}", case.server_args);
        deflate_echoes(&name, server.port, case);
    }
}

#[test]
fn node_ws_deflate() {
    use wscheck::deflate::{Params, params::OFFER};
    let Some(node_path) = required("WSCHECK_NODE_PATH", "a node_modules folder holding `ws`") else {
        return;
    };
    // The issue's configuration (ws refuses an offer without client_max_window_bits with it).
    const LIMITED: &str = r#"{"serverNoContextTakeover":true,"clientNoContextTakeover":true,"serverMaxWindowBits":10,"clientMaxWindowBits":10,"threshold":0}"#;
    let cases = [
        DeflateCase {
            server_args: &["--deflate", r#"{"threshold":0}"#],
            offer: OFFER,
            agreed: Some(Params::default()),
        },
        DeflateCase {
            server_args: &["--deflate", LIMITED],
            offer: OFFER,
            agreed: Some(Params {
                server_max_window_bits: 10,
                client_max_window_bits: 10,
                server_no_context_takeover: true,
                client_no_context_takeover: true,
            }),
        },
        // The smallest windows again: node inflates our 9-bit output with 8 bits.
        DeflateCase {
            server_args: &["--deflate", r#"{"serverMaxWindowBits":9,"clientMaxWindowBits":8,"threshold":0}"#],
            offer: OFFER,
            agreed: Some(Params { server_max_window_bits: 9, client_max_window_bits: 8, ..Params::default() }),
        },
        DeflateCase { server_args: &[], offer: OFFER, agreed: None },
    ];
    for case in &cases {
        let mut command = Command::new("node");
        command.arg(script("echo_server.js")).args(case.server_args).env("NODE_PATH", &node_path);
        let server = Peer::start("node ws", command);
        let name = format!("node ws {:?}", case.server_args);
        deflate_echoes(&name, server.port, case);
    }
}

// ---- permessage-deflate through the CLI (`--deflate`, `-H`), against python websockets and node ws ----

/// The `-v` size lines of a run, per direction: `(bytes, Some(wire bytes) when compressed)`.
fn wire_sizes(r: &Run, who: &str) -> Vec<(usize, Option<usize>)> {
    let prefix = format!("* {who} text: ");
    r.stderr
        .lines()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .map(|rest| {
            let (bytes, how) = rest.split_once(" bytes, ").unwrap();
            (bytes.parse().unwrap(), how.strip_suffix(" on the wire (compressed)").map(|w| w.parse().unwrap()))
        })
        .collect()
}

/// One CLI run through a peer: `offer` is `--deflate` or a `-H` header; `agreed` the `deflate`
/// note's words (`None`: declined); `kept` whether the context is kept (ours, the server's);
/// `server_threshold` the size below which the server sends uncompressed.
struct CliCase {
    offer: &'static [&'static str],
    agreed: Option<&'static str>,
    kept: (bool, bool),
    server_threshold: usize,
}

fn deflate_through_cli(name: &str, url: &str, case: &CliCase) {
    let line = "{\"op\":\"ticker\",\"symbol\":\"BTC-USD\",\"price\":43210.12,\"size\":0.5}";
    let big = "héllo wörld ✓ ".repeat(200);
    let input = format!("{line}\n{line}\n{big}\n");
    let mut args = case.offer.to_vec();
    args.extend(["-v", "-n", "3", url]);
    let r = wscheck(&args, input.as_bytes());
    r.code(0).err_lacks("warning").err_lacks("ERROR");
    assert_eq!(r.stdout, input, "{name}: the echoes\n--- stderr:\n{}", r.stderr);
    let note = r.finding_is("deflate", "info");
    let (sent, received) = (wire_sizes(&r, "sent"), wire_sizes(&r, "received"));
    let Some(agreed) = case.agreed else {
        assert!(note.contains("the server declined permessage-deflate"), "{name}: {note}");
        assert!(sent.is_empty() && received.is_empty(), "{name}: no sizes in a plain session\n{}", r.stderr);
        return;
    };
    r.finding_is("deflate-params", "ok");
    assert!(note.contains(&format!("agreed: {agreed}")), "{name}: {note}");
    assert_eq!(sent.len(), 3, "{name}\n{}", r.stderr);
    assert_eq!(received.len(), 3, "{name}\n{}", r.stderr);
    assert!(sent.iter().all(|s| s.1.is_some()), "{name}: wscheck compresses every message: {sent:?}");
    for (i, (bytes, wire)) in received.iter().enumerate() {
        assert_eq!(wire.is_some(), *bytes >= case.server_threshold, "{name}: received #{i}: {received:?}");
    }
    assert!(sent[2].1.unwrap() < big.len() / 5, "{name}: {sent:?}");
    let smaller = |s: &[(usize, Option<usize>)]| s[1].1 < s[0].1;
    assert_eq!(smaller(&sent), case.kept.0, "{name}: our context kept? {sent:?}");
    if case.server_threshold == 0 {
        assert_eq!(smaller(&received), case.kept.1, "{name}: the server's context kept? {received:?}");
    }
}

const NO_TAKEOVER: &[&str] = &[
    "-H",
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits; server_no_context_takeover; client_no_context_takeover",
];

#[test]
fn python_websockets_deflate_through_the_cli() {
    let Some(python) = required("WSCHECK_PYTHON", "a python with `websockets` importable") else {
        return;
    };
    let both_kept = "server_max_window_bits=12, client_max_window_bits=12, context takeover both ways";
    let none_kept =
        "server_max_window_bits=12, client_max_window_bits=12, server no context takeover, client no context takeover";
    let cases: [(&[&str], CliCase); 5] = [
        (&[], CliCase { offer: &["--deflate"], agreed: Some(both_kept), kept: (true, true), server_threshold: 0 }),
        (&[], CliCase { offer: NO_TAKEOVER, agreed: Some(none_kept), kept: (false, false), server_threshold: 0 }),
        (
            &["--deflate", "server_no_context_takeover,client_no_context_takeover"],
            CliCase {
                offer: &["--deflate"],
                agreed: Some(
                    "server_max_window_bits=15, client_max_window_bits=15, server no context takeover, client no context takeover",
                ),
                kept: (false, false),
                server_threshold: 0,
            },
        ),
        (
            &["--deflate", "server_max_window_bits=9,client_max_window_bits=8"],
            CliCase {
                offer: &["--deflate"],
                agreed: Some("server_max_window_bits=9, client_max_window_bits=8, context takeover both ways"),
                kept: (true, true),
                server_threshold: 0,
            },
        ),
        (
            &["--no-compression"],
            CliCase { offer: &["--deflate"], agreed: None, kept: (false, false), server_threshold: 0 },
        ),
    ];
    for (server_args, case) in &cases {
        let mut command = Command::new(&python);
        command.arg(script("echo_server.py")).args(*server_args);
        let server = Peer::start("python websockets", command);
        deflate_through_cli(&format!("python websockets {server_args:?}, {:?}", case.offer), &server.url(), case);
    }
}

#[test]
fn node_ws_deflate_through_the_cli() {
    let Some(node_path) = required("WSCHECK_NODE_PATH", "a node_modules folder holding `ws`") else {
        return;
    };
    const LIMITED: &str = r#"{"serverNoContextTakeover":true,"clientNoContextTakeover":true,"serverMaxWindowBits":10,"clientMaxWindowBits":10,"threshold":0}"#;
    let both_kept = "server_max_window_bits=15, client_max_window_bits=15, context takeover both ways";
    let cases: [(&[&str], CliCase); 5] = [
        (
            &["--deflate", r#"{"threshold":0}"#],
            CliCase { offer: &["--deflate"], agreed: Some(both_kept), kept: (true, true), server_threshold: 0 },
        ),
        (
            &["--deflate", r#"{"threshold":0}"#],
            CliCase {
                offer: NO_TAKEOVER,
                agreed: Some(
                    "server_max_window_bits=15, client_max_window_bits=15, server no context takeover, client no context takeover",
                ),
                kept: (false, false),
                server_threshold: 0,
            },
        ),
        (
            &["--deflate", LIMITED],
            CliCase {
                offer: &["--deflate"],
                agreed: Some(
                    "server_max_window_bits=10, client_max_window_bits=10, server no context takeover, client no context takeover",
                ),
                kept: (false, false),
                server_threshold: 0,
            },
        ),
        // ws's default threshold (applied when it drops its context): messages under 1 KiB go
        // uncompressed in a deflate session, which must be fine.
        (
            &["--deflate", r#"{"serverNoContextTakeover":true}"#],
            CliCase {
                offer: &["--deflate"],
                agreed: Some("server_max_window_bits=15, client_max_window_bits=15, server no context takeover"),
                kept: (true, false),
                server_threshold: 1024,
            },
        ),
        (&[], CliCase { offer: &["--deflate"], agreed: None, kept: (false, false), server_threshold: 0 }),
    ];
    for (server_args, case) in &cases {
        let mut command = Command::new("node");
        command.arg(script("echo_server.js")).args(*server_args).env("NODE_PATH", &node_path);
        let server = Peer::start("node ws", command);
        deflate_through_cli(&format!("node ws {server_args:?}, {:?}", case.offer), &server.url(), case);
    }
}
