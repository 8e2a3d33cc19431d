//! WebSocket over HTTP/2 (RFC 8441, SPEC §13), the library level: wscheck's client against
//! wscheck's server over h2c and TLS (SETTINGS, request in wire order, 200, a whole session
//! through the bridge, how the stream ended), and against raw HTTP/2 servers that are not
//! RFC 8441 servers or break it — each a typed error, in bounded time.
#![cfg(feature = "http2")]

mod h2peers;
use h2peers::*;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use wscheck::http2::Error;
use wscheck::http2::client::{self, Ended, Side};
use wscheck::http2::tap::{Dir, Record};

/// The request as h2 writes it: pseudo-headers in h2's fixed order, then ours in order.
fn expected_request(scheme: &str, authority: &str) -> Vec<(String, String)> {
    [
        (":method", "CONNECT"),
        (":scheme", scheme),
        (":authority", authority),
        (":path", "/chat?room=1"),
        (":protocol", "websocket"),
        ("sec-websocket-version", "13"),
        ("origin", "http://example.test"),
        ("sec-websocket-protocol", "x, chat"),
        ("user-agent", "wscheck-test"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect()
}

fn check_session(exchange: client::Exchange, bridge: client::Bridge, scheme: &str, authority: &str) {
    let settings = exchange.settings.expect("the server's SETTINGS");
    assert!(settings.iter().any(|s| s.name() == "ENABLE_CONNECT_PROTOCOL" && s.value == 1), "{settings:?}");
    assert_eq!(strs(&exchange.request.unwrap()), expected_request(scheme, authority));
    let response = strs(&exchange.response.unwrap());
    assert_eq!(response[0], (":status".into(), "200".into()));
    assert!(response.contains(&("sec-websocket-protocol".into(), "chat".into())), "{response:?}");
    let mut ws = ws_client(bridge.socket);
    round_trip(&mut ws);
    drop(ws);
    let end = bridge.ending.wait(Duration::from_secs(5));
    assert!(!end.open, "the helper never said how the stream ended");
    assert!(end.events.contains(&(Side::Server, Ended::EndStream)), "{end}");
    assert!(end.events.contains(&(Side::Client, Ended::EndStream)), "{end}");
    assert!(end.to_string().contains("server END_STREAM"), "{end}");
}

#[test]
fn h2c_session_through_the_bridge() {
    let addr = wscheck_server(None);
    let authority = addr.to_string();
    let (exchange, bridge) = open_h2c(addr, offer("http", &authority));
    check_session(exchange, bridge.unwrap(), "http", &authority);
}

#[test]
fn h2_over_tls_session_through_the_bridge() {
    let addr = wscheck_server(Some(wscheck::http2::server::tls_acceptor(identity()).unwrap()));
    let tls = tls_connect(addr, &["h2", "http/1.1"]);
    let authority = format!("localhost:{}", addr.port());
    let (exchange, bridge) = client::open(tls, offer("https", &authority), deadline());
    check_session(exchange, bridge.unwrap(), "https", &authority);
}

#[test]
fn the_tls_server_still_selects_http1_for_a_client_without_h2() {
    let addr = wscheck_server(Some(wscheck::http2::server::tls_acceptor(identity()).unwrap()));
    let tls = tls_connect(addr, &["http/1.1"]);
    assert_eq!(tls.negotiated_alpn().unwrap().as_deref(), Some(&b"http/1.1"[..]));
    let (exchange, result) = client::open(tls, offer("https", "localhost"), deadline());
    assert!(matches!(result, Err(Error::NoH2Alpn { selected: Some(ref p) }) if p == b"http/1.1"), "{result:?}");
    assert_eq!(exchange, client::Exchange::default());
}

#[test]
fn no_alpn_at_all_is_named_and_nothing_is_sent() {
    let acceptor = native_tls::TlsAcceptor::new(identity()).unwrap();
    let addr = wscheck_server(Some(acceptor));
    let (_, result) = client::open(tls_connect(addr, &["h2"]), offer("https", "localhost"), deadline());
    assert!(matches!(result, Err(Error::NoH2Alpn { selected: None })), "{result:?}");
    assert!(result.unwrap_err().to_string().contains("selected nothing"));
}

#[test]
fn the_server_refuses_a_version_other_than_13_with_426() {
    let addr = wscheck_server(None);
    let mut o = offer("http", "x");
    o.headers.push(("sec-websocket-version".into(), b"8".to_vec()));
    let (exchange, result) = open_h2c(addr, o);
    match result {
        Err(Error::Status { status: 426, body }) => assert!(String::from_utf8_lossy(&body).contains("version 13")),
        other => panic!("{other:?}"),
    }
    let response = strs(&exchange.response.unwrap());
    assert!(response.contains(&("sec-websocket-version".into(), "13".into())), "{response:?}");
}

/// A raw server's SETTINGS that do not include RFC 8441's.
fn plain_settings() -> Vec<u8> {
    settings(&[(3, 100), (4, 65535)])
}

fn rfc8441_settings() -> Vec<u8> {
    settings(&[(8, 1), (3, 100)])
}

/// Run a raw server that answers each request with `reply` (then closes unless `go_on`).
fn answering(server_settings: Vec<u8>, reply: impl Fn(u32) -> Vec<u8> + Send + 'static, go_on: bool) -> RawH2 {
    RawH2::start(server_settings, Box::new(move |stream| (reply(stream), go_on)))
}

fn timed<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < Duration::from_secs(4), "took {:?}", start.elapsed());
    out
}

#[test]
fn a_server_without_the_setting_gets_no_connect() {
    let raw = answering(plain_settings(), |_| panic!("a CONNECT was sent"), false);
    let (exchange, result) = timed(|| open_h2c(raw.addr, offer("http", "x")));
    assert!(matches!(result, Err(Error::NoConnectProtocol)), "{result:?}");
    assert!(result.as_ref().unwrap_err().not_rfc8441());
    let shown: Vec<_> = exchange.settings.unwrap().iter().map(|s| format!("{}={}", s.name(), s.value)).collect();
    assert_eq!(shown, ["MAX_CONCURRENT_STREAMS=100", "INITIAL_WINDOW_SIZE=65535"]);
    assert_eq!(exchange.request, None);
    let tap = raw.join();
    assert!(RawH2::requests(&tap).is_empty(), "the server saw a request");
    // The client said goodbye properly.
    assert!(tap.records().any(|r| matches!(r, Record::GoAway { dir: Dir::In, code: 0, .. })));
}

#[test]
fn settings_that_come_late_are_waited_for() {
    // h2 reads SETTINGS_ENABLE_CONNECT_PROTOCOL as false until the server's SETTINGS are
    // applied; deciding before that would wrongly say "not RFC 8441".
    let raw = RawH2::start_late(rfc8441_settings(), Box::new(|s| (headers(s, false, &[(":status", "200")]), true)));
    let (exchange, result) = timed(|| open_h2c(raw.addr, offer("http", "x")));
    let bridge = result.unwrap();
    assert_eq!(strs(&exchange.response.unwrap()), [(":status".to_string(), "200".to_string())]);
    drop(bridge.socket);
    bridge.ending.wait(Duration::from_secs(5));
    assert_eq!(RawH2::requests(&raw.join()).len(), 1);
}

#[test]
fn force_sends_the_connect_anyway() {
    let raw = answering(plain_settings(), |s| headers(s, true, &[(":status", "400")]), false);
    let mut o = offer("http", "x");
    o.force = true;
    let (_, result) = timed(|| open_h2c(raw.addr, o));
    assert!(matches!(result, Err(Error::Status { status: 400, .. })), "{result:?}");
    let requests = RawH2::requests(&raw.join());
    assert!(strs(&requests[0]).contains(&(":protocol".into(), "websocket".into())));
}

#[test]
fn a_reset_stream_is_named_with_its_code() {
    let raw = answering(rfc8441_settings(), |s| frame(3, 0, s, &7u32.to_be_bytes()), true);
    let (exchange, result) = timed(|| open_h2c(raw.addr, offer("http", "x")));
    assert!(matches!(result, Err(Error::Reset { code: 7 })), "{result:?}");
    assert_eq!(result.unwrap_err().code_name().as_deref(), Some("REFUSED_STREAM"));
    assert_eq!(strs(&exchange.request.unwrap()), expected_request("http", "x"));
    assert_eq!(exchange.response, None);
    assert_eq!(RawH2::requests(&raw.join()).len(), 1);
}

#[test]
fn a_goaway_is_named_with_its_code_and_debug_data() {
    let goaway = |_| frame(7, 0, 0, &[&0u32.to_be_bytes()[..], &1u32.to_be_bytes(), b"no websockets here"].concat());
    let raw = answering(rfc8441_settings(), goaway, false);
    let (_, result) = timed(|| open_h2c(raw.addr, offer("http", "x")));
    match result {
        Err(e @ Error::GoAway { code: 1, last_stream: 0, .. }) => {
            assert_eq!(e.to_string(), "the server closed the connection: GOAWAY PROTOCOL_ERROR (no websockets here)");
        }
        other => panic!("{other:?}"),
    }
    raw.join();
}

#[test]
fn a_400_is_a_status_error_with_its_headers_and_body() {
    let reply = |s| {
        let mut b = headers(s, false, &[(":status", "400"), ("content-type", "text/plain")]);
        b.extend(frame(0, 1, s, b"no extended CONNECT here"));
        b
    };
    let raw = answering(rfc8441_settings(), reply, true);
    let (exchange, result) = timed(|| open_h2c(raw.addr, offer("http", "x")));
    match result {
        Err(Error::Status { status: 400, body }) => assert_eq!(body, b"no extended CONNECT here"),
        other => panic!("{other:?}"),
    }
    let response = strs(&exchange.response.unwrap());
    assert_eq!(response, [(":status".to_string(), "400".to_string()), ("content-type".into(), "text/plain".into())]);
    raw.join();
}

#[test]
fn a_response_with_connection_headers_is_malformed() {
    let reply = |s| headers(s, false, &[(":status", "200"), ("connection", "upgrade"), ("upgrade", "websocket")]);
    let raw = answering(rfc8441_settings(), reply, true);
    let (exchange, result) = timed(|| open_h2c(raw.addr, offer("http", "x")));
    assert!(matches!(result, Err(Error::Malformed { code: 1, .. })), "{result:?}");
    // The transcript still shows what the server sent.
    let response = strs(&exchange.response.unwrap());
    assert!(response.contains(&("connection".into(), "upgrade".into())), "{response:?}");
    // The client reset the stream with PROTOCOL_ERROR, as RFC 9113 §8.1.1 says.
    let tap = raw.join();
    assert!(tap.records().any(|r| matches!(r, Record::Reset { dir: Dir::In, stream: 1, code: 1 })));
}

#[test]
fn an_http1_server_is_not_http2() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 64];
        let _ = s.read(&mut buf);
        s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").unwrap();
    });
    let (_, result) = timed(|| open_h2c(addr, offer("http", "x")));
    match result {
        Err(Error::NotHttp2 { first_bytes }) => assert!(first_bytes.starts_with(b"HTTP/1.1 400 Bad Request\r\n")),
        other => panic!("{other:?}"),
    }
    server.join().unwrap();
}

#[test]
fn silence_is_a_timeout_at_the_deadline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let start = Instant::now();
    let (_, result) = client::open(
        TcpStream::connect(listener.local_addr().unwrap()).unwrap(),
        offer("http", "x"),
        start + Duration::from_millis(300),
    );
    assert!(matches!(result, Err(Error::Timeout { waiting_for: "the server's SETTINGS" })), "{result:?}");
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
}

#[test]
fn a_server_that_hangs_up_at_the_request_is_named() {
    let raw = answering(rfc8441_settings(), |_| Vec::new(), false);
    let (_, result) = timed(|| open_h2c(raw.addr, offer("http", "x")));
    assert!(matches!(result, Err(Error::Closed { waiting_for: "the response headers" })), "{result:?}");
    raw.join();
}

#[test]
fn a_header_h2_cannot_send_is_a_typed_error() {
    let raw = answering(rfc8441_settings(), |_| panic!("sent"), false);
    let mut o = offer("http", "x");
    o.headers.push(("connection".into(), b"upgrade".to_vec()));
    let (_, result) = timed(|| open_h2c(raw.addr, o));
    assert!(matches!(result, Err(Error::BadRequest(_))), "{result:?}");
    assert!(RawH2::requests(&raw.join()).is_empty());
}

#[test]
fn end_stream_then_reset_after_a_close_is_told_in_order() {
    // The server accepts, sends a Close frame (1000) with END_STREAM, then RST_STREAM CANCEL.
    let reply = |s| {
        let mut b = headers(s, false, &[(":status", "200")]);
        b.extend(frame(0, 1, s, &[0x88, 0x02, 0x03, 0xe8]));
        b.extend(frame(3, 0, s, &8u32.to_be_bytes()));
        b
    };
    let raw = answering(rfc8441_settings(), reply, true);
    let (_, bridge) = open_h2c(raw.addr, offer("http", "x"));
    let bridge = bridge.unwrap();
    let mut ws = ws_client(bridge.socket);
    match ws.read() {
        Ok(tungstenite::Message::Close(Some(f))) => assert_eq!(u16::from(f.code), 1000),
        other => panic!("{other:?}"),
    }
    drop(ws);
    let end = bridge.ending.wait(Duration::from_secs(5));
    assert_eq!(end.events[..2], [(Side::Server, Ended::EndStream), (Side::Server, Ended::Reset(8))], "{end}");
    assert!(end.to_string().starts_with("server END_STREAM, then server RST_STREAM CANCEL"), "{end}");
    raw.join();
}

#[test]
fn a_server_that_never_ends_its_half_is_reset_after_the_session_closes() {
    let raw = answering(rfc8441_settings(), |s| headers(s, false, &[(":status", "200")]), true);
    let (_, bridge) = open_h2c(raw.addr, offer("http", "x"));
    let bridge = bridge.unwrap();
    let start = Instant::now();
    drop(bridge.socket);
    let end = bridge.ending.wait(Duration::from_secs(5));
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
    assert_eq!(end.events[..2], [(Side::Client, Ended::EndStream), (Side::Client, Ended::Reset(8))], "{end}");
    let tap = raw.join();
    assert!(tap.records().any(|r| matches!(r, Record::Reset { dir: Dir::In, stream: 1, code: 8 })));
}

#[test]
fn a_goaway_during_the_session_closes_the_bridge() {
    let reply = |s| {
        let mut b = headers(s, false, &[(":status", "200")]);
        b.extend(frame(7, 0, 0, &[&1u32.to_be_bytes()[..], &2u32.to_be_bytes()].concat()));
        b
    };
    // The server closes the connection after its GOAWAY.
    let raw = answering(rfc8441_settings(), reply, false);
    let (_, bridge) = open_h2c(raw.addr, offer("http", "x"));
    let bridge = bridge.unwrap();
    let mut ws = ws_client(bridge.socket);
    let start = Instant::now();
    // The session sees the end of its stream, not a hang.
    assert!(matches!(
        ws.read(),
        Err(tungstenite::Error::Protocol(_) | tungstenite::Error::ConnectionClosed | tungstenite::Error::Io(_))
    ));
    assert!(start.elapsed() < Duration::from_secs(3));
    drop(ws);
    let end = bridge.ending.wait(Duration::from_secs(5));
    assert_eq!(end.events[0], (Side::Server, Ended::GoAway { code: 2, last_stream: 1 }), "{end}");
    assert!(end.events.contains(&(Side::Server, Ended::Closed)), "{end}");
    assert!(end.to_string().starts_with("server GOAWAY INTERNAL_ERROR"), "{end}");
    raw.join();
}

/// What HTTP/2 costs at start-up: the helper thread with its current-thread runtime, and a
/// whole `open` (handshake, SETTINGS by PING, CONNECT, 200) on loopback; medians of 15.
/// `cargo test --release --test http2 start_up -- --nocapture` prints the numbers.
#[test]
fn start_up_cost_is_small() {
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let runtime = median(
        (0..15)
            .map(|_| {
                let start = Instant::now();
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build().unwrap();
                    let built = start.elapsed();
                    drop(rt);
                    built
                })
                .join()
                .unwrap()
            })
            .collect(),
    );
    let addr = wscheck_server(None);
    let open = median(
        (0..15)
            .map(|_| {
                let tcp = TcpStream::connect(addr).unwrap();
                let start = Instant::now();
                let (_, bridge) = client::open(tcp, offer("http", "x"), deadline());
                let took = start.elapsed();
                let bridge = bridge.unwrap();
                drop(bridge.socket);
                bridge.ending.wait(Duration::from_secs(5));
                took
            })
            .collect(),
    );
    eprintln!("http2 start-up: thread + runtime {runtime:?}, open() to 200 on loopback {open:?} (medians of 15)");
    assert!(runtime < Duration::from_millis(100), "thread + runtime: {runtime:?}");
    // 40 ms a step when small frames wait for delayed ACKs (no TCP_NODELAY): well above this.
    assert!(open < Duration::from_millis(30), "open: {open:?}");
}

#[test]
fn a_refusal_whose_body_never_ends_is_not_waited_for() {
    let raw = answering(rfc8441_settings(), |s| headers(s, false, &[(":status", "403")]), true);
    let start = Instant::now();
    let (_, result) = open_h2c(raw.addr, offer("http", "x"));
    assert!(matches!(result, Err(Error::Status { status: 403, ref body }) if body.is_empty()), "{result:?}");
    // At most a second for the body, not the whole deadline.
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    raw.join();
}
