//! `--trace` and `--trace-ascii` (curl's meaning): every byte after TLS, the HTTP head apart
//! from the frames, each frame's header annotated, credentials masked, `-` for stderr, and
//! a file that cannot be made stops the run before it connects.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::certs::{new_ca, next, tls_server};
use common::*;

/// A file in a fresh temporary directory (kept alive by the returned guard).
fn trace_file() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.txt").to_str().unwrap().to_string();
    (dir, path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("the trace file {path}: {e}"))
}

/// Assert `needles` appear in `text` in this order.
fn in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for n in needles {
        match text[from..].find(n) {
            Some(at) => from += at + n.len(),
            None => panic!("{n:?} missing (or out of order)\n--- trace:\n{text}"),
        }
    }
}

/// Read one client frame as it crossed the wire: (first byte, masking key, unmasked payload).
fn raw_client_frame(s: &mut TcpStream) -> (u8, [u8; 4], Vec<u8>) {
    let mut head = [0u8; 2];
    s.read_exact(&mut head).unwrap();
    assert!(head[1] & 0x80 != 0, "a client frame is masked");
    let len = (head[1] & 0x7f) as usize;
    assert!(len < 126, "short frames only");
    let mut key = [0u8; 4];
    s.read_exact(&mut key).unwrap();
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).unwrap();
    payload.iter_mut().enumerate().for_each(|(i, b)| *b ^= key[i % 4]);
    (head[0], key, payload)
}

#[test]
fn a_fragmented_message_shows_each_frames_fin_and_opcode() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        s.write_all(&ws_raw(0x01, b"hel")).unwrap();
        s.write_all(&ws_raw(0x80, b"lo")).unwrap();
        read_until_client_close(&mut s);
        s.write_all(&ws_close(1000, "")).unwrap();
    });
    let (_dir, path) = trace_file();
    let r = wscheck(&["--trace-ascii", &path, "-n", "1", &server.url("/")], b"");
    r.code(0).out_has("hello");
    server.join();
    let t = read(&path);
    in_order(
        &t,
        &[
            "== Info: connected to 127.0.0.1:",
            "=> Send header, ",
            "0000: GET / HTTP/1.1\n",
            "<= Recv header, ",
            "0000: HTTP/1.1 101 Switching Protocols\n",
            "<= Recv data, ",
            "== Frame: FIN=0 RSV1=0 RSV2=0 RSV3=0 opcode=0x1 (text) MASK=0 length=3",
            "..hel",
            "== Frame: FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x0 (continuation) MASK=0 length=2",
            "..lo",
            "=> Send data, ",
            "== Frame: FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x8 (close) MASK=1 key=",
        ],
    );
    // Every line is timestamped or part of the block under a timestamped line.
    let first = t.lines().next().unwrap();
    assert!(first.as_bytes()[2] == b':' && first.as_bytes()[8] == b'.', "{first}");
    // A trace is a file of its own: the transcript has none of it.
    r.err_lacks("== Frame").err_lacks("Send header");
}

#[test]
fn a_masked_client_frame_shows_its_key_and_the_hex_layout_is_curls() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        let frame = raw_client_frame(&mut s);
        read_until_client_close(&mut s);
        s.write_all(&ws_close(1000, "")).unwrap();
        frame
    });
    let (_dir, path) = trace_file();
    wscheck(&["--trace", &path, "-x", "hello", "-w", "0", &server.url("/")], b"").code(0);
    let (first, key, payload) = server.join();
    assert_eq!((first, payload.as_slice()), (0x81, &b"hello"[..]));
    let t = read(&path);
    let key_hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    in_order(
        &t,
        &[
            // The request in hex and ASCII, 16 bytes a line.
            "0000: 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a GET / HTTP/1.1..\n",
            "=> Send data, ",
            &format!(
                "== Frame: FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x1 (text) MASK=1 key={key_hex} length=5 unmasked: \"hello\"\n"
            ),
            &format!("0000: 81 85 {} ", key.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")),
        ],
    );
}

#[test]
fn credentials_are_masked_in_the_trace_unless_show_secrets() {
    let token = data_encoding::BASE64.encode(b"user:s3cret");
    for show in [false, true] {
        let server = upgrade_then_close(|head| ok_101(head, "Switching Protocols", ""));
        let (_dir, path) = trace_file();
        let mut args = vec!["--trace-ascii", &path, "--handshake-only", "-u", "user:s3cret"];
        args.extend(["-H", "Cookie: session=abc123"]);
        if show {
            args.push("--show-secrets");
        }
        let url = server.url("/");
        args.push(&url);
        wscheck(&args, b"").code(0);
        let head = String::from_utf8(server.join()).unwrap();
        assert!(head.contains(&format!("Authorization: Basic {token}\r\n")), "the real value is sent: {head}");
        let t = read(&path);
        if show {
            in_order(&t, &[&format!("Authorization: Basic {token}\n"), "Cookie: session=abc123\n"]);
        } else {
            // Byte for byte: the lengths in the block's count stay true.
            in_order(&t, &[&format!("Authorization: Basic {}\n", "*".repeat(token.len())), "Cookie: **************\n"]);
            assert!(!t.contains(&token) && !t.contains("s3cret") && !t.contains("abc123"), "{t}");
        }
    }
}

#[test]
fn the_proxy_exchange_is_traced_with_its_credentials_masked() {
    // A proxy that answers the CONNECT and then is the WebSocket server itself.
    let server = RawServer::start(|mut s| {
        let connect = String::from_utf8(read_head(&mut s)).unwrap();
        s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap();
        ws_accept(&mut s);
        answer_close(&mut s);
        connect
    });
    let (_dir, path) = trace_file();
    let proxy = format!("http://u:pw123@127.0.0.1:{}", server.port);
    let r = wscheck(&["--trace-ascii", &path, "--handshake-only", "--proxy", &proxy, "ws://backend.test:9/"], b"");
    r.code(0);
    let connect = server.join();
    let token = data_encoding::BASE64.encode(b"u:pw123");
    assert!(connect.contains(&token), "{connect}");
    let t = read(&path);
    in_order(
        &t,
        &[
            &format!("== Info: connected to the proxy 127.0.0.1:{}: its exchange", server_port(&proxy)),
            "=> Send header, ",
            "0000: CONNECT backend.test:9 HTTP/1.1\n",
            &format!("Proxy-Authorization: Basic {}\n", "*".repeat(token.len())),
            "<= Recv header, ",
            "HTTP/1.1 200 Connection established\n",
            "== Info: connected to backend.test:9: the bytes of the connection",
            "0000: GET / HTTP/1.1\n",
            "HTTP/1.1 101 Switching Protocols\n",
        ],
    );
    assert!(!t.contains(&token) && !t.contains("pw123"), "{t}");
    // The tunnel's bytes are traced once, by the connection's own tap.
    assert_eq!(t.matches("0000: GET / HTTP/1.1\n").count(), 1, "{t}");
}

fn server_port(proxy: &str) -> &str {
    proxy.rsplit(':').next().unwrap()
}

#[test]
fn dash_writes_the_trace_to_stderr_and_json_stays_clean() {
    let server = upgrade_then_close(|head| ok_101(head, "Switching Protocols", ""));
    let r = wscheck(&["--trace-ascii", "-", "--handshake-only", &server.url("/")], b"");
    r.code(0)
        .err_has("=> Send header, ")
        .err_has("0000: GET / HTTP/1.1\n")
        .err_has("== Frame: ")
        .err_has("> GET / HTTP/1.1");
    server.join();

    let server = upgrade_then_close(|head| ok_101(head, "Switching Protocols", ""));
    let j = wscheck(&["--json", "--trace", "-", "--handshake-only", &server.url("/")], b"");
    j.code(0).err_has("<= Recv header, ");
    assert!(j.events().iter().any(|e| e["type"] == "handshake"), "stdout is JSON Lines only");
    server.join();
}

#[test]
fn wss_traces_the_decrypted_bytes() {
    let ca = new_ca();
    let (port, seen) = tls_server(&ca, &ca.server(90));
    let (_dir, path) = trace_file();
    let url = format!("wss://localhost:{port}/");
    wscheck(&["--trace", &path, "--handshake-only", "--cacert", ca.path(), &url], b"").code(0);
    assert!(next(&seen, "the TLS server got the request").unwrap().starts_with("GET / HTTP/1.1\r\n"));
    let t = read(&path);
    in_order(
        &t,
        &[
            &format!("== Info: connected to localhost:{port}: the bytes inside TLS, decrypted"),
            "=> Send header, ",
            // Plaintext: "GET " and not a TLS record (0x16 0x03 …).
            "0000: 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a GET / HTTP/1.1..\n",
            "<= Recv header, ",
            "0000: 48 54 54 50 2f 31 2e 31 20 31 30 31 20 ",
            "== Frame: FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x8 (close) MASK=1 key=",
            "== Frame: FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x8 (close) MASK=0 length=2 code=1000\n",
        ],
    );
    assert!(!t.contains(": 16 03 "), "no TLS record is traced: {t}");
}

#[test]
fn a_trace_or_har_file_that_cannot_be_created_is_a_usage_error_before_connecting() {
    let (listener, port) = untouched_listener();
    let url = format!("ws://127.0.0.1:{port}/");
    for flag in ["--trace", "--trace-ascii", "--har"] {
        let r = wscheck(&[flag, "/nonexistent-dir/x", &url], b"");
        r.code(2).err_has(&format!("error: {flag} /nonexistent-dir/x: cannot create the file: "));
    }
    let r = wscheck(&["--trace", "a", "--trace-ascii", "b", &url], b"");
    r.code(2).err_has("cannot be used with");
    assert_never_connected(&listener);
}

/// Tracing changes no outcome: the words that look through the stream to the TLS session
/// (a refusal after a TLS 1.3 handshake) or at its kind (a plain request to a TLS port).
#[test]
fn a_traced_stream_keeps_the_tls_and_plain_diagnoses() {
    let ca = new_ca();
    let leaf = ca.server(90);
    let acceptor = common::certs::mtls_acceptor(&ca, &leaf);
    let (port, seen) = common::certs::listen(move |_, s| match acceptor.accept(s) {
        // Under TLS 1.3 the missing client certificate is refused after the client's handshake.
        Ok(mut tls) => common::certs::accept_ws(&mut tls, "").is_empty(),
        Err(_) => true,
    });
    let (_dir, path) = trace_file();
    let url = format!("wss://localhost:{port}/");
    wscheck(&["--trace", &path, "--handshake-only", "--cacert", ca.path(), &url], b"")
        .code(4)
        .err_has(&format!("error: the TLS session with localhost:{port} was refused after the handshake: "));
    assert!(next(&seen, "the server refused the client"));

    let server = answer_with(|_| Vec::new());
    let r = wscheck(&["--trace", &path, &server.url("/")], b"");
    server.join();
    r.code(5).err_has("(a TLS port closes a plain request like this: if this one speaks TLS, try wss://)");
    assert!(read(&path).contains("== Info: the peer closed the connection (end of stream)"));
}

#[test]
fn a_socks5_exchange_is_traced_with_its_password_masked() {
    // A SOCKS5 proxy that asks for username/password, opens the "tunnel" and then is the
    // WebSocket server itself.
    let server = RawServer::start(|mut s| {
        let mut greeting = [0u8; 4];
        s.read_exact(&mut greeting).unwrap();
        assert_eq!(greeting, [5, 2, 0, 2], "no-auth and username/password offered");
        s.write_all(&[5, 2]).unwrap();
        let mut head = [0u8; 2];
        s.read_exact(&mut head).unwrap();
        let mut user = vec![0u8; head[1] as usize + 1];
        s.read_exact(&mut user).unwrap();
        let mut pass = vec![0u8; user.pop().unwrap() as usize];
        s.read_exact(&mut pass).unwrap();
        s.write_all(&[1, 0]).unwrap();
        let mut request = [0u8; 5];
        s.read_exact(&mut request).unwrap();
        let mut rest = vec![0u8; request[4] as usize + 2];
        s.read_exact(&mut rest).unwrap();
        s.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 9]).unwrap();
        ws_accept(&mut s);
        answer_close(&mut s);
        String::from_utf8(pass).unwrap()
    });
    let (_dir, path) = trace_file();
    let port = server.port;
    let proxy = format!("socks5h://alice:pw123@127.0.0.1:{port}");
    wscheck(&["--trace", &path, "--handshake-only", "--proxy", &proxy, "ws://backend.test:9/"], b"").code(0);
    assert_eq!(server.join(), "pw123", "the password is sent");
    let t = read(&path);
    in_order(
        &t,
        &[
            &format!("== Info: connected to the proxy 127.0.0.1:{port}: its exchange"),
            "=> Send data, 4 bytes (0x4)\n0000: 05 02 00 02 ",
            // RFC 1929: VER 1, ULEN 5, "alice", PLEN 5, the password as stars.
            "=> Send data, 13 bytes (0xd)\n0000: 01 05 61 6c 69 63 65 05 2a 2a 2a 2a 2a ",
            "<= Recv data, 2 bytes (0x2)\n0000: 01 00 ",
            "== Info: connected to backend.test:9: the bytes of the connection",
            "0000: 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a GET / HTTP/1.1..\n",
        ],
    );
    assert!(!t.contains("pw123") && !t.contains("70 77 31 32 33"), "{t}");
}

#[test]
fn a_unix_socket_connection_is_traced() {
    let dir = tempfile::tempdir().unwrap();
    let (sock, server) = unix_ws_server(dir.path());
    let path = dir.path().join("trace.txt").to_str().unwrap().to_string();
    wscheck(&["--trace-ascii", &path, "--handshake-only", "--unix-socket", &sock, "ws://app/chat"], b"").code(0);
    assert!(server.recv_timeout(LIMIT).unwrap().starts_with("GET /chat HTTP/1.1\r\n"));
    in_order(
        &read(&path),
        &["== Info: connected to app:80: the bytes of the connection", "0000: GET /chat HTTP/1.1\n", "Host: app\n"],
    );
}

#[test]
fn permessage_deflate_frames_show_rsv1_while_the_har_has_the_inflated_text() {
    let serve = Serve::start(&["--deflate"]);
    let (dir, path) = trace_file();
    let har = dir.path().join("run.har").to_str().unwrap().to_string();
    let r = wscheck(
        &["--deflate", "--trace-ascii", &path, "--har", &har, "-x", "hello hello hello", "-n", "1", &serve.url],
        b"",
    );
    r.code(0).out_has("hello hello hello");
    let t = read(&path);
    in_order(
        &t,
        &[
            "Sec-WebSocket-Extensions: permessage-deflate",
            "=> Send data, ",
            "== Frame: FIN=1 RSV1=1 RSV2=0 RSV3=0 opcode=0x1 (text) MASK=1 key=",
            "<= Recv data, ",
            "== Frame: FIN=1 RSV1=1 RSV2=0 RSV3=0 opcode=0x1 (text) MASK=0 length=",
        ],
    );
    let har: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&har).unwrap()).unwrap();
    let messages = har["log"]["entries"][0]["_webSocketMessages"].as_array().unwrap().clone();
    assert_eq!(messages[0]["data"], "hello hello hello", "{messages:?}");
    assert_eq!(messages[1]["data"], "hello hello hello", "{messages:?}");
}
