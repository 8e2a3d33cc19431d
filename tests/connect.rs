//! Getting to the server (SPEC §2, §7, §8): refused ports, deadlines, TLS, URL forms and
//! the request wscheck builds, each against a real socket on the loopback interface.
mod common;
use common::*;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// wscheck without the proxy variables of the environment: every server here is local.
fn run(args: &[&str], stdin: &[u8]) -> Run {
    wscheck(args, stdin)
}

/// A one-connection WebSocket server on `listener` that answers a valid 101 and the
/// client's Close; the request head on join.
fn upgrade_on(listener: TcpListener) -> RawServer<Vec<u8>> {
    RawServer::on(listener, |mut s| {
        let head = read_head(&mut s);
        s.write_all(&ok_101(&head, "Switching Protocols", "")).unwrap();
        answer_close(&mut s);
        head
    })
}

fn text(head: &[u8]) -> String {
    String::from_utf8_lossy(head).into_owned()
}

// ---------------------------------------------------------------- could not connect

#[test]
fn refused_port_is_exit_3_and_names_the_address() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = run(&[&format!("ws://127.0.0.1:{port}/")], b"");
    r.code(3).err_lacks("* Connected");
    err_line(
        &r,
        &format!(
            "error: could not connect to 127.0.0.1:{port}: connection refused (nothing is listening on that port)"
        ),
    );
}

// ---------------------------------------------------------------- one deadline

/// A server that reads the request, then sends a 101 status line one byte every 300 ms
/// for as long as the client listens.
fn slowloris() -> RawServer<usize> {
    RawServer::start(|mut s| {
        read_head(&mut s);
        let line = b"HTTP/1.1 101 Switching Protocols\r\n";
        let give_up = Instant::now() + LIMIT;
        let mut sent = 0;
        for &b in line.iter().cycle() {
            if Instant::now() > give_up || s.write_all(&[b]).is_err() {
                break;
            }
            sent += 1;
            std::thread::sleep(Duration::from_millis(300));
        }
        sent
    })
}

#[test]
fn a_dribbling_server_is_cut_off_at_the_connect_timeout() {
    let server = slowloris();
    let started = Instant::now();
    let r = run(&["--connect-timeout", "2", &server.url("/")], b"");
    let took = started.elapsed();
    r.code(7).err_has("* Connected to 127.0.0.1").err_has("> GET / HTTP/1.1");
    // How many bytes arrived depends on scheduling; the words and the first bytes do not.
    let line = r.stderr.lines().find(|l| l.starts_with("error: ")).unwrap_or_default();
    assert!(
        line.starts_with("error: timed out waiting for the response (--connect-timeout); received ")
            && line.contains(" bytes: \"HTTP/1"),
        "{line}\n--- stderr:\n{}",
        r.stderr
    );
    assert!(
        took >= Duration::from_millis(1800) && took < Duration::from_secs(5),
        "took {took:?}: the deadline is for the whole exchange, not per read"
    );
    // Bytes kept coming until the client went away, so no single read ever timed out.
    assert!(server.join() >= 6);
}

#[test]
fn a_silent_server_times_out() {
    let server = RawServer::start(|mut s| {
        let head = read_head(&mut s);
        // Say nothing; wait for the client to give up and close.
        let _ = s.read(&mut [0u8; 1]);
        head
    });
    let started = Instant::now();
    let r = run(&["--connect-timeout", "1", &server.url("/quiet")], b"");
    let took = started.elapsed();
    r.code(7).err_has("> GET /quiet HTTP/1.1");
    err_line(&r, "error: timed out waiting for the response (--connect-timeout)");
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(4), "took {took:?}");
    assert!(text(&server.join()).starts_with("GET /quiet HTTP/1.1\r\n"));
}

// ---------------------------------------------------------------- TLS failures

#[test]
fn wss_to_a_plain_http_port_says_it_does_not_speak_tls() {
    // What a plain HTTP server (nginx, node…) does with a TLS hello: a 400 in clear text.
    let server = RawServer::start(|mut s| {
        let mut hello = [0u8; 5];
        let _ = s.read_exact(&mut hello);
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        hello[0]
    });
    let r = run(&["--connect-timeout", "5", &format!("wss://127.0.0.1:{}/", server.port)], b"");
    // Words first, from what the server sent (whatever OpenSSL made of it), OpenSSL's text last.
    r.code(4)
        .err_has(&format!(
            "error: TLS handshake with 127.0.0.1:{} failed: the server answered in plain HTTP \
             (\"HTTP/1.1 400 Bad Request\"): this port does not speak TLS — try ws:// instead of wss:// (OpenSSL: ",
            server.port
        ))
        .err_lacks("* TLS established")
        .err_lacks("> GET");
    assert_eq!(server.join(), 0x16, "the client sent a TLS handshake record");
}

#[test]
fn wss_to_wscheck_serve_says_it_does_not_speak_tls() {
    let serve = Serve::start(&[]);
    let port = serve.url.trim_start_matches("ws://127.0.0.1:").trim_end_matches('/');
    let started = Instant::now();
    let r = run(&["--connect-timeout", "3", &format!("wss://127.0.0.1:{port}/")], b"");
    let took = started.elapsed();
    r.code(4)
        .err_has(" failed: the server answered in plain HTTP (\"HTTP/1.1 400 Bad Request\"): this port does not speak TLS — try ws:// instead of wss:// (OpenSSL: ")
        .err_lacks("> GET");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn a_server_that_hangs_up_during_tls_is_exit_4() {
    let server = RawServer::start(|mut s| {
        let mut hello = [0u8; 5];
        let _ = s.read_exact(&mut hello);
        // Read the rest of the record too, so closing sends FIN rather than RST.
        let len = u16::from_be_bytes([hello[3], hello[4]]) as usize;
        let _ = s.read_exact(&mut vec![0u8; len]);
        hello[0]
    });
    let r = run(&["--connect-timeout", "5", &format!("wss://127.0.0.1:{}/", server.port)], b"");
    r.code(4)
        .err_has(&format!(
            "error: TLS handshake with 127.0.0.1:{} failed: the server closed the connection during the TLS \
             handshake without answering — if this port speaks plain HTTP, try ws:// instead of wss:// (OpenSSL: ",
            server.port
        ))
        .err_lacks("> GET");
    assert_eq!(server.join(), 0x16);
}

// ---------------------------------------------------------------- a real TLS server

/// A one-connection wss:// server with a fresh self-signed certificate for `localhost`
/// and 127.0.0.1. It answers the upgrade and the client's Close; on join, the request
/// head, or None when the TLS handshake failed (no request was sent).
struct TlsServer {
    port: u16,
    /// The certificate, PEM: the CA to trust for `--cacert`.
    cert_pem: String,
    handle: RawServer<Option<Vec<u8>>>,
}

fn tls_server() -> TlsServer {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert_pem = ck.cert.pem();
    let identity =
        native_tls::Identity::from_pkcs8(cert_pem.as_bytes(), ck.signing_key.serialize_pem().as_bytes()).unwrap();
    let acceptor = native_tls::TlsAcceptor::new(identity).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = RawServer::on(listener, move |tcp| {
        let mut tls = acceptor.accept(tcp).ok()?;
        let head = read_head(&mut tls);
        tls.write_all(&ok_101(&head, "Switching Protocols", "")).unwrap();
        tls.flush().unwrap();
        answer_close(&mut tls);
        let _ = tls.shutdown();
        Some(head)
    });
    TlsServer { port, cert_pem, handle }
}

#[test]
fn wss_with_insecure_accepts_a_self_signed_certificate() {
    let TlsServer { port, handle: server, .. } = tls_server();
    let r = run(&["-k", "--handshake-only", &format!("wss://localhost:{port}/")], b"");
    r.code(0)
        .err_has("> Host: localhost:")
        .err_has("< HTTP/1.1 101 Switching Protocols")
        .err_has("* Close received: 1000 (normal closure)");
    err_line(&r, "* TLS established — certificate NOT verified (-k)");
    // SPEC §8: the certificate is described even when it is not checked.
    err_line(&r, "*   subject: CN=rcgen self signed cert");
    err_line(&r, "*   issuer:  CN=rcgen self signed cert");
    err_line(&r, "*   SANs:    DNS:localhost, IP:127.0.0.1");
    r.finding_is("accept", "ok");
    let head = server.join().expect("the TLS handshake completed");
    assert!(text(&head).contains(&format!("\r\nHost: localhost:{port}\r\n")));
}

#[test]
fn wss_json_has_a_tls_event_with_the_certificate() {
    let TlsServer { port, handle: server, .. } = tls_server();
    let r = run(&["--json", "-k", "--handshake-only", &format!("wss://127.0.0.1:{port}/")], b"");
    r.code(0);
    let events = r.events();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(&types[..3], ["connect", "tls", "request"], "{types:?}");
    let tls = &events[1];
    assert_eq!(tls["insecure"], true);
    let cert = &tls["certificate"];
    assert_eq!(cert["sans"], serde_json::json!(["DNS:localhost", "IP:127.0.0.1"]), "{tls}");
    assert_eq!(cert["subject"], cert["issuer"], "self-signed: {tls}");
    assert!(cert["days_left"].as_i64().is_some_and(|d| d > 0), "{tls}");
    server.join().expect("the TLS handshake completed");
}

#[test]
fn wss_with_cacert_verifies_the_certificate() {
    let TlsServer { port, cert_pem, handle: server } = tls_server();
    let ca = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ca.path(), &cert_pem).unwrap();
    let r =
        run(&["--cacert", ca.path().to_str().unwrap(), "--handshake-only", &format!("wss://localhost:{port}/")], b"");
    r.code(0).err_has("* Close received: 1000 (normal closure)").err_lacks("NOT verified");
    err_line(&r, "* TLS established, certificate verified");
    server.join().expect("the TLS handshake completed");
}

#[test]
fn wss_without_insecure_refuses_a_self_signed_certificate() {
    let TlsServer { port, handle: server, .. } = tls_server();
    let r = run(&["--handshake-only", &format!("wss://localhost:{port}/")], b"");
    r.code(4)
        .err_has(&format!(
            "error: TLS handshake with localhost:{port} failed: the certificate is self-signed and not trusted — \
             --cacert FILE to trust it, -k to skip the check"
        ))
        .err_lacks("* TLS established")
        .err_lacks("> GET");
    // OpenSSL 3 writes "self-signed", 1.1 "self signed".
    assert!(
        r.stderr.contains("self-signed certificate") || r.stderr.contains("self signed certificate"),
        "{}",
        r.stderr
    );
    assert!(server.join().is_none(), "no request may be sent over an unverified connection");
}

// ---------------------------------------------------------------- URL forms (SPEC §2)

#[test]
fn a_url_without_scheme_is_ws() {
    let serve = Serve::start(&[]);
    let bare = serve.url.trim_start_matches("ws://").trim_end_matches('/');
    let r = run(&["--handshake-only", &format!("{bare}/path?q=1")], b"");
    r.code(0)
        .err_has("> GET /path?q=1 HTTP/1.1\n")
        .err_has(&format!("> Host: {bare}\n"))
        .err_has("* OK: the server switched to WebSocket")
        .err_lacks("mapped");
}

#[test]
fn http_is_mapped_to_ws_with_a_note() {
    let serve = Serve::start(&[]);
    let http = serve.url.replacen("ws://", "http://", 1);
    let r = run(&["--handshake-only", &http], b"");
    r.code(0).err_has("* OK: the server switched to WebSocket");
    err_line(&r, "* note: http:// is mapped to ws://");
    let notes = r.stderr.matches("mapped").count();
    assert_eq!(notes, 1, "one note\n{}", r.stderr);
}

#[test]
fn a_fragment_is_a_usage_error_before_connecting() {
    let (listener, port) = untouched_listener();
    let url = format!("ws://127.0.0.1:{port}/#x");
    let r = run(&[&url], b"");
    r.code(2).err_lacks("* Connected");
    err_line(&r, &format!("error: '{url}' has a fragment (#…): WebSocket URIs must not have one (RFC 6455 §3)"));
    assert_never_connected(&listener);
}

#[test]
fn other_schemes_are_usage_errors() {
    let r = run(&["ftp://h/"], b"");
    r.code(2);
    err_line(&r, "error: unsupported scheme 'ftp://' in 'ftp://h/': use ws:// or wss://");
}

#[test]
fn ipv6_literal() {
    let listener = match TcpListener::bind("[::1]:0") {
        Ok(l) => l,
        Err(e) => {
            skip(&format!("cannot bind [::1]:0 here ({e})"));
            return;
        }
    };
    let port = listener.local_addr().unwrap().port();
    let server = upgrade_on(listener);
    let r = run(&["--handshake-only", &format!("ws://[::1]:{port}/v6")], b"");
    r.code(0).err_has(&format!("* Connected to ::1 (::1) port {port}\n")).err_has(&format!("> Host: [::1]:{port}\n"));
    let head = text(&server.join());
    assert!(head.starts_with("GET /v6 HTTP/1.1\r\n"), "{head}");
    assert!(head.contains(&format!("\r\nHost: [::1]:{port}\r\n")), "{head}");
}

const BASIC: &str = "dXNlcjpzZWNyZXQ="; // base64("user:secret")

#[test]
fn url_credentials_become_basic_auth_and_are_masked() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", ""));
    let url = format!("ws://user:secret@127.0.0.1:{}/", server.port);
    let r = run(&["--handshake-only", &url], b"");
    r.code(0).err_has("> Authorization: Basic ***** (16 bytes)\n").err_lacks("secret").err_lacks(BASIC);
    let head = text(&server.join());
    assert!(head.contains(&format!("\r\nAuthorization: Basic {BASIC}\r\n")), "{head}");
    assert!(!head.contains("user:secret@"), "{head}");
}

#[test]
fn url_credentials_are_masked_in_json() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", ""));
    let url = format!("ws://user:secret@127.0.0.1:{}/", server.port);
    let r = run(&["--json", "--handshake-only", &url], b"");
    r.code(0);
    assert!(!r.stdout.contains("secret") && !r.stdout.contains(BASIC), "{}", r.stdout);
    let request = r.events().into_iter().find(|e| e["type"] == "request").unwrap();
    let lines: Vec<&str> = request["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(lines.contains(&"Authorization: Basic ***** (16 bytes)"), "{lines:?}");
    server.join();
}

#[test]
fn show_secrets_shows_the_credentials() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", ""));
    let url = format!("ws://user:secret@127.0.0.1:{}/", server.port);
    let r = run(&["--show-secrets", "--handshake-only", &url], b"");
    r.code(0).err_has(&format!("> Authorization: Basic {BASIC}\n"));
    server.join();
}

#[test]
fn a_password_in_a_bad_url_is_not_echoed() {
    for url in ["ws://user:secret@127.0.0.1:1/#x", "ftp://user:secret@h/"] {
        let r = run(&[url], b"");
        r.code(2).err_has("error: ").err_lacks("secret");
        assert!(r.stderr.contains("user:*****@"), "{}", r.stderr);
    }
}

// ---------------------------------------------------------------- the request (SPEC §8)

#[test]
fn request_headers_subprotocols_and_origin_arrive() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", "Sec-WebSocket-Protocol: chat\r\n"));
    let port = server.port;
    let r = run(
        &[
            "--handshake-only",
            "-H",
            "X-Test: 1",
            "-s",
            "chat",
            "-s",
            "v2",
            "-o",
            "https://example.com",
            &server.url("/req?a=b"),
        ],
        b"",
    );
    r.code(0)
        .err_has("> X-Test: 1\n")
        .err_has("> Sec-WebSocket-Protocol: chat, v2\n")
        .err_has("> Origin: https://example.com\n")
        .err_lacks("* warning:");
    r.finding_is("subprotocol", "ok");
    let head = text(&server.join());
    assert!(head.starts_with("GET /req?a=b HTTP/1.1\r\n"), "{head}");
    for line in [
        "X-Test: 1",
        "Sec-WebSocket-Protocol: chat, v2",
        "Origin: https://example.com",
        &format!("Host: 127.0.0.1:{port}"),
    ] {
        assert!(head.contains(&format!("\r\n{line}\r\n")), "{line:?} missing from\n{head}");
    }
}

#[test]
fn host_header_carries_a_non_default_port() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", ""));
    let port = server.port;
    let r = run(&["--handshake-only", &server.url("/")], b"");
    r.code(0).err_has(&format!("> Host: 127.0.0.1:{port}\n"));
    let head = text(&server.join());
    assert!(head.contains(&format!("\r\nHost: 127.0.0.1:{port}\r\n")), "{head}");
}

#[test]
fn a_key_given_with_h_replaces_the_generated_one() {
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", ""));
    let r = run(&["--handshake-only", "-H", &format!("Sec-WebSocket-Key: {key}"), &server.url("/")], b"");
    // The RFC 6455 §1.3 example: the accept the server computes from that key.
    r.code(0)
        .err_has(&format!("> Sec-WebSocket-Key: {key}\n"))
        .err_has("< Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n");
    err_line(&r, "* warning: -H 'Sec-WebSocket-Key:' replaces the generated Sec-WebSocket-Key header");
    r.finding_is("accept", "ok");
    let head = text(&server.join());
    assert_eq!(head.matches("Sec-WebSocket-Key:").count(), 1, "{head}");
    assert!(head.contains(&format!("\r\nSec-WebSocket-Key: {key}\r\n")), "{head}");
}

#[test]
fn a_header_without_colon_is_a_usage_error_before_connecting() {
    let (listener, port) = untouched_listener();
    let r = run(&["-H", "NoColon", &format!("ws://127.0.0.1:{port}/")], b"");
    r.code(2).err_lacks("* Connected");
    err_line(&r, "error: bad -H 'NoColon': expected 'Name: value'");
    assert_never_connected(&listener);
}
