//! `wscheck --http2` against servers that do not open the WebSocket (SPEC §13): HTTP/2
//! servers that are not RFC 8441 servers (no setting, RST_STREAM, GOAWAY, 400), an answer
//! HTTP/2 refuses as malformed, servers that do not speak HTTP/2 at all (ALPN http/1.1 or
//! none, HTTP/1.1 to the h2c preface), a TLS alert and silence. Each is exit 5 (4 for TLS, 7
//! for the deadline) with words that name it, in bounded time.
#![cfg(feature = "http2")]

mod common;
mod h2peers;
use common::*;

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use h2peers::{RawH2, frame, headers, identity, settings};

/// What every refusal must be: the exit code, and quick (no deadline waited out).
fn refused(url: &str, args: &[&str], code: i32) -> Run {
    let started = Instant::now();
    let mut all = vec!["--http2"];
    all.extend_from_slice(args);
    all.push(url);
    let r = wscheck(&all, b"");
    r.code(code);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}\n{}", started.elapsed(), r.stderr);
    r
}

fn url(addr: SocketAddr) -> String {
    format!("ws://{addr}/")
}

/// A raw HTTP/2 server with RFC 8441's setting that answers the CONNECT with `reply`.
fn rfc8441_server(reply: impl Fn(u32) -> Vec<u8> + Send + 'static, go_on: bool) -> RawH2 {
    RawH2::start(settings(&[(8, 1), (3, 100)]), Box::new(move |s| (reply(s), go_on)))
}

#[test]
fn an_http2_server_without_the_setting_gets_no_connect() {
    let raw = RawH2::start(settings(&[(3, 100), (4, 65535)]), Box::new(|_| panic!("a CONNECT was sent")));
    let r = refused(&url(raw.addr), &[], 5);
    err_line(&r, "< SETTINGS MAX_CONCURRENT_STREAMS=100 INITIAL_WINDOW_SIZE=65535");
    r.err_lacks("> :method").err_lacks("* FAILED");
    assert!(r.finding_is("connect-protocol", "ERROR").contains("no SETTINGS_ENABLE_CONNECT_PROTOCOL"));
    err_line(
        &r,
        "error: the server speaks HTTP/2 but not WebSocket over HTTP/2: no SETTINGS_ENABLE_CONNECT_PROTOCOL=1 \
         (RFC 8441 §3), so no CONNECT was sent",
    );
    assert!(RawH2::requests(&raw.join()).is_empty());
}

#[test]
fn a_reset_connect_stream_is_named() {
    let raw = rfc8441_server(|s| frame(3, 0, s, &7u32.to_be_bytes()), true);
    let r = refused(&url(raw.addr), &[], 5);
    r.err_has("> :protocol: websocket\n").err_lacks("< :status");
    r.finding_is("connect-protocol", "ok");
    err_line(
        &r,
        "error: the server speaks HTTP/2 but did not accept WebSocket over it: the server reset the CONNECT stream: \
         RST_STREAM REFUSED_STREAM",
    );
    raw.join();
}

#[test]
fn a_goaway_is_named_with_its_debug_data() {
    let goaway = |_| frame(7, 0, 0, &[&0u32.to_be_bytes()[..], &1u32.to_be_bytes(), b"no websockets"].concat());
    let raw = rfc8441_server(goaway, false);
    let r = refused(&url(raw.addr), &["--json"], 5);
    let events = r.events();
    let error = events.iter().find(|e| e["type"] == "error").unwrap();
    assert_eq!(
        error["message"],
        "the server speaks HTTP/2 but did not accept WebSocket over it: the server closed the connection: GOAWAY \
         PROTOCOL_ERROR (no websockets)"
    );
    assert_eq!(error["kind"], "http");
    raw.join();
}

#[test]
fn a_400_is_explained_with_its_body() {
    let reply = |s| {
        let mut b = headers(s, false, &[(":status", "400"), ("content-type", "text/plain")]);
        b.extend(frame(0, 1, s, b"no extended CONNECT here\n"));
        b
    };
    let raw = rfc8441_server(reply, true);
    let r = refused(&url(raw.addr), &[], 5);
    for l in ["< :status: 400", "< content-type: text/plain", "< no extended CONNECT here"] {
        err_line(&r, l);
    }
    let f = r.finding_is("status-2xx", "ERROR");
    assert!(f.contains("the server answered 400, not 2xx: the server refused the extended CONNECT"), "{f}");
    err_line(&r, "* FAILED: the server did not open the WebSocket over HTTP/2 (:status 400)");
    raw.join();
}

#[test]
fn an_answer_with_connection_headers_is_malformed() {
    let reply = |s| headers(s, false, &[(":status", "200"), ("connection", "upgrade"), ("upgrade", "websocket")]);
    let raw = rfc8441_server(reply, true);
    let r = refused(&url(raw.addr), &[], 5);
    err_line(&r, "< connection: upgrade");
    let f = r.finding_is("connection-specific", "ERROR");
    assert!(f.contains("forbids: connection: upgrade, upgrade: websocket"), "{f}");
    // Nothing claims the stream opened.
    r.err_lacks(" status-2xx ").err_lacks("* OK").err_lacks("* FAILED");
    err_line(
        &r,
        "error: the HTTP/2 layer refused the answer as malformed and reset the stream (RST_STREAM PROTOCOL_ERROR): HTTP/2 forbids connection-specific headers (connection: upgrade, upgrade: websocket; RFC 9113 §8.2.2)",
    );
    raw.join();
}

#[test]
fn an_http1_server_answering_the_preface_is_named() {
    let server =
        answer_with(|_| b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec());
    let r = refused(&server.url("/"), &[], 5);
    r.err_has(
        "error: the server did not answer in HTTP/2 (its first frame is not SETTINGS): it answered in HTTP/1.1 \
         (\"HTTP/1.1 400 Bad Request\"): it does not speak HTTP/2 with prior knowledge (h2c) here; try without \
         --http2, or wss:// for h2 by ALPN",
    );
    server.join();
}

#[test]
fn a_server_that_closes_at_the_preface_is_named() {
    let server = RawServer::start(|mut s: std::net::TcpStream| {
        let mut buf = [0u8; 24];
        let _ = s.read_exact(&mut buf);
    });
    let r = refused(&server.url("/"), &[], 5);
    r.err_has(
        "error: the server closed the connection while waiting for the server's SETTINGS: a server that does not \
         speak HTTP/2 with prior knowledge (h2c) closes so; try without --http2",
    );
    server.join();
}

#[test]
fn silence_is_a_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let started = Instant::now();
    let r = wscheck(&["--http2", "--connect-timeout", "500ms", &url(listener.local_addr().unwrap())], b"");
    r.code(7).err_has("error: timed out waiting for the server's SETTINGS (--connect-timeout)");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

/// A TLS server that accepts with `acceptor` and then reads until the client is gone.
fn tls_server(acceptor: native_tls::TlsAcceptor) -> RawServer<()> {
    RawServer::start(move |tcp| {
        if let Ok(mut tls) = acceptor.accept(tcp) {
            let _ = tls.read(&mut [0u8; 1024]);
        }
    })
}

#[test]
fn alpn_http1_or_none_is_not_http2() {
    let http1 = native_tls::TlsAcceptor::builder(identity()).accept_alpn(&["http/1.1"]).build().unwrap();
    let server = tls_server(http1);
    let port = server.port;
    let r = refused(&format!("wss://localhost:{port}/"), &["-k"], 5);
    err_line(&r, "* TLS established, ALPN http/1.1 — certificate NOT verified (-k)");
    assert!(
        r.finding_is("alpn", "ERROR")
            .contains("the server selected http/1.1 by ALPN, not h2: it does not speak HTTP/2 on this port")
    );
    r.err_has(
        "error: the server did not select h2 by ALPN (it selected http/1.1): it does not speak HTTP/2 on this port; \
         try without --http2",
    );
    r.err_lacks("> :method");
    server.join();

    let server = tls_server(native_tls::TlsAcceptor::new(identity()).unwrap());
    let port = server.port;
    let r = refused(&format!("wss://localhost:{port}/"), &["-k"], 5);
    assert!(r.finding_is("alpn", "ERROR").contains("the server selected no protocol by ALPN (h2 was offered)"));
    r.err_has(
        "error: the server did not select h2 by ALPN (it selected nothing): it does not speak HTTP/2 on this port\n",
    );
    server.join();
}

/// `--trace` wraps the stream in its tap: the ALPN under it still decides (it was read as
/// h2c and the preface went to an HTTP/1.1 server).
#[test]
fn alpn_is_seen_through_the_trace_tap() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.txt");
    let http1 = native_tls::TlsAcceptor::builder(identity()).accept_alpn(&["http/1.1"]).build().unwrap();
    let server = tls_server(http1);
    let port = server.port;
    let r = refused(&format!("wss://localhost:{port}/"), &["-k", "--trace-ascii", trace.to_str().unwrap()], 5);
    assert!(r.finding_is("alpn", "ERROR").contains("the server selected http/1.1 by ALPN, not h2"));
    r.err_lacks("> :method");
    server.join();
}

#[test]
fn a_tls_alert_after_the_handshake_is_a_tls_failure() {
    // A server that requires a client certificate (TLS 1.3 checks it after the client's
    // handshake): its alert comes while HTTP/2 waits for SETTINGS.
    use openssl::ssl::{AlpnError, SslVerifyMode, select_next_proto};
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let mut b = common::certs::acceptor_builder(&ck.signing_key.serialize_pem(), &ck.cert.pem());
    b.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    b.set_alpn_select_callback(|_, client| select_next_proto(b"\x02h2", client).ok_or(AlpnError::NOACK));
    let acceptor = b.build();
    let server = RawServer::start(move |tcp| {
        if let Ok(mut tls) = acceptor.accept(tcp) {
            let _ = tls.read(&mut [0u8; 64]);
        }
    });
    let port = server.port;
    let r = refused(&format!("wss://localhost:{port}/"), &["-k"], 4);
    r.err_has(&format!("error: the TLS session with localhost:{port} was refused after the handshake: "))
        .err_has("it requires a client certificate (--cert and --key)");
    server.join();
}

#[test]
fn headers_http2_cannot_carry_are_dropped_with_a_warning() {
    let raw = rfc8441_server(|s| headers(s, true, &[(":status", "403")]), true);
    let r = refused(&url(raw.addr), &["-H", "Connection: keep-alive", "-H", "X-Trace: 1"], 5);
    err_line(
        &r,
        "* warning: -H 'Connection: keep-alive' is not sent over HTTP/2: connection-specific headers are not allowed \
         there (RFC 9113 §8.2.2)",
    );
    err_line(&r, "> x-trace: 1");
    r.err_lacks("> connection");
    let requests = RawH2::requests(&raw.join());
    assert!(!requests[0].iter().any(|(n, _)| n == b"connection"));
}

#[test]
fn a_value_http2_refuses_is_a_usage_error_and_nothing_is_sent() {
    // -H refuses CR, LF and NUL; HTTP/2's field values refuse the other control characters too.
    let raw = rfc8441_server(|_| panic!("a CONNECT was sent"), true);
    let r = refused(&url(raw.addr), &["-H", "X-Bad: a\u{1}b"], 2);
    r.err_has("error: cannot send this request over HTTP/2: x-bad: ");
    assert!(RawH2::requests(&raw.join()).is_empty());
}

#[test]
fn a_fatal_alert_during_the_tls_handshake_is_a_tls_failure() {
    // A server that refuses every protocol the client offers by ALPN with a fatal alert
    // (no_application_protocol), as a strict server may: not the `alpn` finding, a TLS failure.
    use openssl::ssl::AlpnError;
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let mut b = common::certs::acceptor_builder(&ck.signing_key.serialize_pem(), &ck.cert.pem());
    b.set_alpn_select_callback(|_, _| Err(AlpnError::ALERT_FATAL));
    let acceptor = b.build();
    let server = RawServer::start(move |tcp| {
        let _ = acceptor.accept(tcp);
    });
    let port = server.port;
    let r = refused(&format!("wss://localhost:{port}/"), &["-k"], 4);
    r.err_has(&format!("error: TLS handshake with localhost:{port} failed: ")).err_lacks(" alpn ");
    assert!(r.stderr.contains("no application protocol"), "{}", r.stderr);
    server.join();
}
