//! `wscheck serve`: a local echo server whose handshake is configurable (reason phrase,
//! subprotocols, permessage-deflate). It writes its own 101, like the client reads its own,
//! and hands the socket to tungstenite for the framing, or to wscheck's `DeflateSocket` when
//! permessage-deflate was agreed. One thread per connection.
//!
//! `answer.rs` reads the request and decides the answer; `echo.rs` is the loop after the 101;
//! `h2.rs` serves a connection that speaks HTTP/2 (RFC 8441) instead.

mod answer;
mod echo;
#[cfg(feature = "http2")]
mod h2;

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use tungstenite::protocol::{Role, WebSocket};

use crate::cli::ServeArgs;
use crate::deflate::DeflateSocket;
use crate::exit::{Code, Failure};
use crate::session::Channel;
use answer::{answer, read_request};
use echo::echo;

/// The largest message echoed (tungstenite's default), inflated size for a compressed one.
const MAX_MESSAGE: usize = 64 << 20;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How the server answers a handshake.
#[derive(Clone, Default)]
pub struct ServerConfig {
    pub reason: String,
    pub subprotocols: Vec<String>,
    /// Serve wss:// with this acceptor.
    pub tls: Option<native_tls::TlsAcceptor>,
    /// Accept permessage-deflate (`--deflate`).
    pub deflate: bool,
    /// `--lenient`: answer any method, HTTP version, Host and key, and drop a connection that
    /// breaks the framing rules without a Close, as the first release did (SPEC §11).
    pub lenient: bool,
}

impl ServerConfig {
    fn from_args(a: &ServeArgs) -> io::Result<ServerConfig> {
        let tls = match (&a.cert, &a.key) {
            (Some(cert), Some(key)) => {
                let invalid = |e: String| io::Error::new(io::ErrorKind::InvalidInput, e);
                let identity = native_tls::Identity::from_pkcs8(&std::fs::read(cert)?, &std::fs::read(key)?)
                    .map_err(|e| invalid(format!("--cert/--key: {e} (the key must be PKCS#8 PEM)")))?;
                #[cfg(feature = "http2")]
                let acceptor = h2::acceptor(identity);
                #[cfg(not(feature = "http2"))]
                let acceptor = native_tls::TlsAcceptor::new(identity);
                Some(acceptor.map_err(|e| invalid(e.to_string()))?)
            }
            _ => None,
        };
        Ok(ServerConfig {
            reason: a.reason.clone(),
            subprotocols: a.subprotocols.clone(),
            tls,
            deflate: a.deflate,
            lenient: a.lenient,
        })
    }
}

/// Bind, print the URL on stdout (the readiness signal scripts wait for), and serve forever.
pub fn run(args: &ServeArgs) -> Result<(), Failure> {
    let usage = |m: String| Failure::new(Code::Usage, m);
    if args.reason.contains(['\r', '\n']) {
        return Err(usage("--reason must not contain CR or LF".into()));
    }
    let config = ServerConfig::from_args(args).map_err(|e| match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied => usage(e.to_string()),
        _ => Failure::new(Code::Internal, e.to_string()),
    })?;
    let listener = bind(&args.bind, args.port)?;
    let addr = listener.local_addr().map_err(|e| Failure::new(Code::Internal, e.to_string()))?;
    let scheme = if config.tls.is_some() { "wss" } else { "ws" };
    // SocketAddr shows an IPv6 address in brackets, as a URL wants it.
    let mut out = io::stdout().lock();
    if writeln!(out, "{scheme}://{addr}/").and_then(|()| out.flush()).is_err() {
        return Err(Failure::new(Code::Internal, "cannot write the URL to stdout".to_string()));
    }
    drop(out);
    crate::report::say(&format!("* wscheck serve: echo server on {scheme}://{addr}/ (Ctrl-C to stop)"));
    serve(listener, config);
    Ok(())
}

/// Bind the listening socket; the reasons it cannot be bound are the user's to fix (exit 2).
fn bind(host: &str, port: u16) -> Result<TcpListener, Failure> {
    let shown = crate::target::authority(host, port);
    TcpListener::bind((host, port)).map_err(|e| {
        let why = match e.kind() {
            io::ErrorKind::AddrInUse => {
                format!("{shown} is already in use (another server?); --port 0 picks a free port")
            }
            io::ErrorKind::PermissionDenied => {
                format!("not allowed to listen on {shown} (ports below 1024 need privileges); try --port 0")
            }
            io::ErrorKind::AddrNotAvailable => format!("{host} is not an address of this machine (--bind)"),
            _ => format!("cannot listen on {shown}: {e}"),
        };
        Failure::new(Code::Usage, why)
    })
}

/// Accept connections on `listener` until it fails, each on its own thread.
pub fn serve(listener: TcpListener, config: ServerConfig) {
    let config = Arc::new(config);
    for conn in listener.incoming() {
        let Ok(stream) = conn else { continue };
        let config = Arc::clone(&config);
        std::thread::spawn(move || {
            let _ = handle(stream, &config);
        });
    }
}

/// One connection: HTTP/1.1, or HTTP/2 — by ALPN on TLS, with prior knowledge (its preface
/// instead of a request) on the plain port.
fn handle(mut stream: TcpStream, config: &ServerConfig) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    match &config.tls {
        None => {
            let (head, rest) = read_request(&mut stream)?;
            #[cfg(feature = "http2")]
            if let Some(preface) = h2::preface(&mut stream, &head, &rest) {
                return h2::serve(stream, preface, config);
            }
            upgrade(stream, head, rest, config)
        }
        Some(acceptor) => {
            let mut tls = acceptor.accept(stream).map_err(|e| io::Error::other(e.to_string()))?;
            #[cfg(feature = "http2")]
            if h2::selected(&tls) {
                return h2::serve(tls, Vec::new(), config);
            }
            let (head, rest) = read_request(&mut tls)?;
            upgrade(tls, head, rest, config)
        }
    }
}

fn upgrade<S: Channel>(mut stream: S, head: Vec<u8>, rest: Vec<u8>, config: &ServerConfig) -> io::Result<()> {
    let answer = answer(&head, config);
    stream.write_all(answer.response.as_bytes())?;
    if !answer.upgraded {
        return Ok(());
    }
    stream.make_nonblocking()?;
    let strict = !config.lenient;
    match answer.deflate {
        Some(p) => echo(DeflateSocket::new(stream, rest, Role::Server, Some(MAX_MESSAGE), Some(p)), strict),
        None => echo(WebSocket::from_partially_read(stream, rest, Role::Server, None), strict),
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod test_io {
    use std::io::{self, Read};

    /// Hands out its bytes a piece at a time, as a socket may.
    pub struct Pieces(pub Vec<Vec<u8>>);

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(piece) = self.0.first_mut() else { return Ok(0) };
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            piece.drain(..n);
            if piece.is_empty() {
                self.0.remove(0);
            }
            Ok(n)
        }
    }
}
