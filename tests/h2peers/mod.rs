//! Peers for the HTTP/2 tests: wscheck's own h2 server (h2c and TLS) with a tungstenite echo
//! behind it, a raw scripted HTTP/2 server that writes exact frames and records what the
//! client sent, a TLS client connector, and a tungstenite client over the bridge.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tungstenite::protocol::{Role, WebSocket};
use wscheck::http2::client::{self, Offer};
use wscheck::http2::server::{self, ServerOptions};
use wscheck::http2::tap::{Dir, PREFACE, Record, Tap};

/// The longest a raw server waits for the client.
pub const PEER_LIMIT: Duration = Duration::from_secs(10);

/// A deadline for a handshake.
pub fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

/// The offer a browser would make, on `scheme`.
pub fn offer(scheme: &str, authority: &str) -> Offer {
    Offer {
        scheme: scheme.into(),
        authority: authority.into(),
        path: "/chat?room=1".into(),
        headers: vec![
            ("origin".into(), b"http://example.test".to_vec()),
            ("sec-websocket-protocol".into(), b"x, chat".to_vec()),
            ("user-agent".into(), b"wscheck-test".to_vec()),
        ],
        force: false,
    }
}

/// The echo loop `wscheck serve` puts behind a stream, in its blocking form: answer
/// everything, flush after every read (so a ping's pong goes out at once).
pub fn echo((socket, _deflate): server::Accepted) {
    let mut ws = WebSocket::from_raw_socket(socket, Role::Server, None);
    loop {
        match ws.read() {
            Ok(m) if m.is_text() || m.is_binary() => {
                if ws.send(m).is_err() {
                    return;
                }
            }
            Ok(_) => {
                if ws.flush().is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

/// A self-signed certificate for localhost as a native-tls identity.
pub fn identity() -> native_tls::Identity {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    native_tls::Identity::from_pkcs8(ck.cert.pem().as_bytes(), ck.signing_key.serialize_pem().as_bytes()).unwrap()
}

/// wscheck's HTTP/2 server on 127.0.0.1:0, each connection on its own thread. Plain
/// connections must start with the h2c preface (checked with `is_h2_preface`, then replayed).
pub fn wscheck_server(tls: Option<native_tls::TlsAcceptor>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let options = ServerOptions { subprotocols: vec!["chat".into()], ..Default::default() };
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut tcp) = conn else { continue };
            let (tls, options) = (tls.clone(), options.clone());
            std::thread::spawn(move || match tls {
                Some(acceptor) => {
                    let stream = acceptor.accept(tcp).unwrap();
                    server::serve_connection(stream, Vec::new(), &options, echo).ok();
                }
                None => {
                    let mut first = vec![0u8; PREFACE.len()];
                    tcp.set_read_timeout(Some(PEER_LIMIT)).unwrap();
                    tcp.read_exact(&mut first).unwrap();
                    assert!(server::is_h2_preface(&first));
                    server::serve_connection(tcp, first, &options, echo).ok();
                }
            });
        }
    });
    addr
}

/// A TLS connection to `addr` offering `alpn`, certificates not verified (`-k`).
pub fn tls_connect(addr: SocketAddr, alpn: &[&str]) -> native_tls::TlsStream<TcpStream> {
    let connector =
        native_tls::TlsConnector::builder().danger_accept_invalid_certs(true).request_alpns(alpn).build().unwrap();
    connector.connect("localhost", TcpStream::connect(addr).unwrap()).unwrap()
}

/// A WebSocket client over the bridge, as the session will be.
pub fn ws_client(socket: UnixStream) -> WebSocket<UnixStream> {
    socket.set_read_timeout(Some(PEER_LIMIT)).unwrap();
    WebSocket::from_raw_socket(socket, Role::Client, None)
}

/// Text, binary, ping and a 200 KB message round-trip; then a Close whose echo is 1000.
pub fn round_trip(ws: &mut WebSocket<UnixStream>) {
    use tungstenite::Message;
    ws.send(Message::text("hello")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("hello"));
    ws.send(Message::binary(vec![0u8, 1, 2, 255])).unwrap();
    assert_eq!(ws.read().unwrap(), Message::binary(vec![0u8, 1, 2, 255]));
    ws.send(Message::Ping(b"p?".to_vec().into())).unwrap();
    assert_eq!(ws.read().unwrap(), Message::Pong(b"p?".to_vec().into()));
    let big: Vec<u8> = (0..200 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    ws.send(Message::binary(big.clone())).unwrap();
    assert_eq!(ws.read().unwrap(), Message::binary(big));
    ws.close(Some(tungstenite::protocol::CloseFrame { code: 1000.into(), reason: "bye".into() })).unwrap();
    // The echoed Close ends the session: a server need not end the stream or the connection
    // after it (hypercorn keeps both open until its idle timeout), so do not wait for that.
    match ws.read() {
        Ok(Message::Close(f)) => assert_eq!(f.map(|f| u16::from(f.code)), Some(1000)),
        other => panic!("after Close: {other:?}"),
    }
}

/// One HTTP/2 frame.
pub fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len();
    let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// A SETTINGS frame with these settings, in this order.
pub fn settings(list: &[(u16, u32)]) -> Vec<u8> {
    let payload: Vec<u8> = list.iter().flat_map(|(id, v)| [&id.to_be_bytes()[..], &v.to_be_bytes()].concat()).collect();
    frame(4, 0, 0, &payload)
}

/// A HEADERS frame (END_HEADERS) with HPACK-encoded `fields`.
pub fn headers(stream: u32, end_stream: bool, fields: &[(&str, &str)]) -> Vec<u8> {
    let mut encoder = loona_hpack::Encoder::new();
    let block = encoder.encode(fields.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())));
    frame(1, 0x4 | u8::from(end_stream), stream, &block)
}

/// What a raw server does when the client's request headers arrive on `stream`: the bytes
/// to write, and whether to go on reading afterwards.
pub type Script = Box<dyn FnMut(u32) -> (Vec<u8>, bool) + Send>;

/// A byte stream a raw server speaks over: TCP, or TLS over it.
pub trait ReadWrite: Read + Write + Send {}
impl<T: Read + Write + Send> ReadWrite for T {}

/// A raw HTTP/2 server for one connection: it sends `settings` at once, acknowledges the
/// client's SETTINGS and PINGs, and runs `script` on each request. Its `Tap` is what the
/// client sent, decoded.
pub struct RawH2 {
    pub addr: SocketAddr,
    handle: Option<JoinHandle<Tap>>,
    done: mpsc::Receiver<()>,
}

impl RawH2 {
    pub fn start(server_settings: Vec<u8>, script: Script) -> RawH2 {
        RawH2::run(server_settings, false, None, script)
    }

    /// Like `start`, over TLS with `acceptor` (which should select h2 by ALPN).
    pub fn start_tls(acceptor: native_tls::TlsAcceptor, server_settings: Vec<u8>, script: Script) -> RawH2 {
        RawH2::run(server_settings, false, Some(acceptor), script)
    }

    /// Like `start`, but the SETTINGS go out only when the client's first PING arrives
    /// (just before its ACK): a slow server, whose SETTINGS come after the client's.
    pub fn start_late(server_settings: Vec<u8>, script: Script) -> RawH2 {
        RawH2::run(server_settings, true, None, script)
    }

    fn run(server_settings: Vec<u8>, late: bool, tls: Option<native_tls::TlsAcceptor>, mut script: Script) -> RawH2 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, done) = mpsc::channel();
        let handle = std::thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(PEER_LIMIT)).unwrap();
            let mut s: Box<dyn ReadWrite> = match tls {
                Some(acceptor) => Box::new(acceptor.accept(tcp).unwrap()),
                None => Box::new(tcp),
            };
            let tap = raw_connection(s.as_mut(), server_settings, late, &mut script);
            let _ = tx.send(());
            tap
        });
        RawH2 { addr, handle: Some(handle), done }
    }

    /// What the client sent, once the connection is over (bounded by PEER_LIMIT).
    pub fn join(mut self) -> Tap {
        self.done.recv_timeout(PEER_LIMIT * 2).expect("the raw server did not finish");
        self.handle.take().unwrap().join().unwrap()
    }

    /// The client's requests (HEADERS blocks) as the raw server decoded them.
    pub fn requests(tap: &Tap) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
        tap.records()
            .filter_map(|r| match r {
                Record::Headers { dir: Dir::In, fields, .. } => Some(fields.clone()),
                _ => None,
            })
            .collect()
    }
}

impl Drop for RawH2 {
    fn drop(&mut self) {
        if self.handle.is_some() && !std::thread::panicking() {
            panic!("a RawH2 server was never joined: its view of the client was not checked");
        }
    }
}

/// Speak raw HTTP/2 on one connection (its preface already due from the client): the
/// server's SETTINGS (at once, or `late`: just before the first PING's ACK), ACKs for the
/// client's SETTINGS and PINGs, and `script` on each request. What the client sent, decoded.
pub fn raw_connection(s: &mut dyn ReadWrite, server_settings: Vec<u8>, late: bool, script: &mut Script) -> Tap {
    let mut tap = Tap::server();
    let mut pending_settings = Some(server_settings);
    if !late {
        s.write_all(&pending_settings.take().unwrap()).unwrap();
    }
    let (mut buf, mut chunk, mut at) = (Vec::new(), [0u8; 16384], PREFACE.len());
    'read: while let Ok(n @ 1..) = s.read(&mut chunk) {
        tap.feed(Dir::In, &chunk[..n]);
        buf.extend_from_slice(&chunk[..n]);
        while buf.len() >= at + 9 {
            let len = (usize::from(buf[at]) << 16) | (usize::from(buf[at + 1]) << 8) | usize::from(buf[at + 2]);
            if buf.len() < at + 9 + len {
                break;
            }
            let (kind, flags) = (buf[at + 3], buf[at + 4]);
            let stream = u32::from_be_bytes(buf[at + 5..at + 9].try_into().unwrap());
            let payload = buf[at + 9..at + 9 + len].to_vec();
            at += 9 + len;
            let reply = match kind {
                4 if flags & 1 == 0 => frame(4, 1, 0, &[]),
                6 if flags & 1 == 0 => [pending_settings.take().unwrap_or_default(), frame(6, 1, 0, &payload)].concat(),
                1 => {
                    let (bytes, go_on) = script(stream);
                    if s.write_all(&bytes).is_err() || !go_on {
                        break 'read;
                    }
                    continue;
                }
                _ => continue,
            };
            if s.write_all(&reply).is_err() {
                break 'read;
            }
        }
    }
    tap
}

/// Open over h2c to `addr` with the default offer.
pub fn open_h2c(addr: SocketAddr, offer: Offer) -> (client::Exchange, Result<client::Bridge, wscheck::http2::Error>) {
    client::open(TcpStream::connect(addr).unwrap(), offer, deadline())
}

/// The fields as (str, str) pairs, for readable assertions.
pub fn strs(fields: &[(Vec<u8>, Vec<u8>)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(n, v)| (String::from_utf8_lossy(n).into_owned(), String::from_utf8_lossy(v).into_owned()))
        .collect()
}
