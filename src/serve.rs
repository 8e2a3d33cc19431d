//! `wscheck serve`: a local echo server whose handshake is configurable (reason phrase,
//! subprotocols, permessage-deflate). It writes its own 101, like the client reads its own,
//! and hands the socket to tungstenite for the framing, or to wscheck's `DeflateSocket` when
//! permessage-deflate was agreed. One thread per connection.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::time::Duration;

use tungstenite::handshake::derive_accept_key;
use tungstenite::protocol::{Role, WebSocket};
use tungstenite::{Error, Message};

use crate::cli::ServeArgs;
use crate::deflate::{DeflateSocket, Params, params};
use crate::exit::{Code, Failure};
use crate::session::would_block;

const MAX_REQUEST: usize = 64 * 1024;
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
}

impl ServerConfig {
    fn from_args(a: &ServeArgs) -> io::Result<ServerConfig> {
        let tls = match (&a.cert, &a.key) {
            (Some(cert), Some(key)) => {
                let invalid = |e: String| io::Error::new(io::ErrorKind::InvalidInput, e);
                let identity = native_tls::Identity::from_pkcs8(&std::fs::read(cert)?, &std::fs::read(key)?)
                    .map_err(|e| invalid(format!("--cert/--key: {e} (the key must be PKCS#8 PEM)")))?;
                Some(native_tls::TlsAcceptor::new(identity).map_err(|e| invalid(e.to_string()))?)
            }
            _ => None,
        };
        Ok(ServerConfig { reason: a.reason.clone(), subprotocols: a.subprotocols.clone(), tls, deflate: a.deflate })
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

fn handle(stream: TcpStream, config: &ServerConfig) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    match &config.tls {
        None => upgrade(stream, config),
        Some(acceptor) => {
            let tls = acceptor.accept(stream).map_err(|e| io::Error::other(e.to_string()))?;
            upgrade(tls, config)
        }
    }
}

fn upgrade<S: Read + Write + Timeouts>(mut stream: S, config: &ServerConfig) -> io::Result<()> {
    let (head, rest) = read_request(&mut stream)?;
    let answer = answer(&head, config);
    stream.write_all(answer.response.as_bytes())?;
    if !answer.upgraded {
        return Ok(());
    }
    stream.tcp().set_read_timeout(None)?;
    stream.tcp().set_nonblocking(true)?;
    let fd = stream.tcp().as_raw_fd();
    match answer.deflate {
        Some(p) => echo(DeflateSocket::new(stream, rest, Role::Server, Some(MAX_MESSAGE), Some(p)), fd),
        None => echo(WebSocket::from_partially_read(stream, rest, Role::Server, None), fd),
    }
    Ok(())
}

/// What the echo loop needs of a server-side WebSocket: tungstenite's, or deflate's.
trait Echo {
    fn read(&mut self) -> Result<Message, Error>;
    fn write(&mut self, message: Message) -> Result<(), Error>;
    fn flush(&mut self) -> Result<(), Error>;
}

impl<S: Read + Write> Echo for WebSocket<S> {
    fn read(&mut self) -> Result<Message, Error> {
        WebSocket::read(self)
    }
    fn write(&mut self, message: Message) -> Result<(), Error> {
        WebSocket::write(self, message)
    }
    fn flush(&mut self) -> Result<(), Error> {
        WebSocket::flush(self)
    }
}

impl<S: Read + Write> Echo for DeflateSocket<S> {
    fn read(&mut self) -> Result<Message, Error> {
        DeflateSocket::read(self)
    }
    fn write(&mut self, message: Message) -> Result<(), Error> {
        DeflateSocket::write(self, message)
    }
    fn flush(&mut self) -> Result<(), Error> {
        DeflateSocket::flush(self)
    }
}

/// The TCP socket under a stream, plain or TLS: timeouts and blocking mode are set there.
trait Timeouts {
    fn tcp(&self) -> &TcpStream;
}

impl Timeouts for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Timeouts for native_tls::TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref()
    }
}

fn read_request(stream: &mut impl Read) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((buf, rest));
        }
        // Not HTTP (e.g. a TLS hello): answer at once instead of waiting for a blank line.
        let mut slots = [httparse::EMPTY_HEADER; 64];
        if httparse::Request::new(&mut slots).parse(&buf).is_err() {
            return Ok((buf, Vec::new()));
        }
        if buf.len() > MAX_REQUEST {
            return Err(io::ErrorKind::InvalidData.into());
        }
    }
}

struct Answer {
    response: String,
    upgraded: bool,
    /// permessage-deflate accepted, with these parameters.
    deflate: Option<Params>,
}

/// The response to an upgrade request: 101 with the configured reason, or why not.
fn answer(head: &[u8], config: &ServerConfig) -> Answer {
    let refuse = |status: &str, extra: &str, why: &str| Answer {
        response: format!(
            "HTTP/1.1 {status}\r\n{extra}Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{why}\n",
            why.len() + 1
        ),
        upgraded: false,
        deflate: None,
    };
    let mut slots = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut slots);
    if !matches!(req.parse(head), Ok(httparse::Status::Complete(_))) || req.method != Some("GET") {
        return refuse("400 Bad Request", "", "wscheck serve: expected a GET upgrade request");
    }
    let header = |name: &str| -> Vec<String> {
        req.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .flat_map(|h| String::from_utf8_lossy(h.value).split(',').map(|t| t.trim().to_string()).collect::<Vec<_>>())
            .collect()
    };
    let has = |name: &str, token: &str| header(name).iter().any(|t| t.eq_ignore_ascii_case(token));
    if !has("Upgrade", "websocket") || !has("Connection", "upgrade") {
        return refuse(
            "426 Upgrade Required",
            "Upgrade: websocket\r\nConnection: Upgrade\r\n",
            "wscheck serve: this is a WebSocket endpoint",
        );
    }
    if !has("Sec-WebSocket-Version", "13") {
        return refuse(
            "426 Upgrade Required",
            "Sec-WebSocket-Version: 13\r\n",
            "wscheck serve: only WebSocket version 13 is supported",
        );
    }
    let Some(key) = header("Sec-WebSocket-Key").into_iter().next() else {
        return refuse("400 Bad Request", "", "wscheck serve: no Sec-WebSocket-Key");
    };
    let offered = header("Sec-WebSocket-Protocol");
    let protocol = offered
        .iter()
        .find(|p| config.subprotocols.contains(p))
        .map(|p| format!("Sec-WebSocket-Protocol: {p}\r\n"))
        .unwrap_or_default();
    let deflate = if config.deflate { accept_deflate(&req) } else { None };
    let extensions = deflate.as_ref().map(|(a, _)| format!("Sec-WebSocket-Extensions: {a}\r\n")).unwrap_or_default();
    Answer {
        response: format!(
            "HTTP/1.1 101 {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n{protocol}{extensions}\r\n",
            config.reason,
            derive_accept_key(key.as_bytes())
        ),
        upgraded: true,
        deflate: deflate.map(|(_, p)| p),
    }
}

/// `serve --deflate`: the answer to the request's first valid permessage-deflate offer and
/// the parameters then in force; `None` (declined) when there is none or the list does not parse.
fn accept_deflate(req: &httparse::Request) -> Option<(String, Params)> {
    let values: Vec<String> = req
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("Sec-WebSocket-Extensions"))
        .map(|h| String::from_utf8_lossy(h.value).into_owned())
        .collect();
    let list = params::parse_extensions(values.iter().map(String::as_str)).ok()?;
    params::choose(&params::offers(&list).0, &params::Policy::default())
}

/// How many echoes may wait in the write buffer before they must be flushed.
const ECHO_BATCH: usize = 256;

/// Echo text and binary messages until the peer closes; tungstenite answers pings and Close.
/// The socket is non-blocking: everything readable is echoed into the write buffer and
/// flushed once, so a burst of messages costs one write, not one per message.
fn echo(mut ws: impl Echo, fd: RawFd) {
    let mut queued = 0;
    loop {
        match ws.read() {
            Ok(msg @ (Message::Text(_) | Message::Binary(_))) => {
                match ws.write(msg) {
                    Ok(()) => {}
                    Err(e) if would_block(&e) => {}
                    Err(_) => return,
                }
                queued += 1;
                if queued >= ECHO_BATCH {
                    if !flush(&mut ws, fd) {
                        return;
                    }
                    queued = 0;
                }
            }
            Ok(_) => {}
            Err(e) if would_block(&e) => {
                if !flush(&mut ws, fd) {
                    return;
                }
                queued = 0;
                if !wait(fd, libc::POLLIN) {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

/// Write out everything buffered, waiting for the socket as needed; false when the connection is gone.
fn flush(ws: &mut impl Echo, fd: RawFd) -> bool {
    loop {
        match ws.flush() {
            Ok(()) => return true,
            Err(e) if would_block(&e) => {
                if !wait(fd, libc::POLLOUT) {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
}

/// Block until `fd` is ready for `events` (or has failed); false on a poll error.
fn wait(fd: RawFd, events: libc::c_short) -> bool {
    let mut pfd = libc::pollfd { fd, events, revents: 0 };
    loop {
        // SAFETY: one valid pollfd, for a socket this thread owns.
        let n = unsafe { libc::poll(&mut pfd, 1, -1) };
        if n >= 0 {
            return true;
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ServerConfig {
        ServerConfig {
            reason: "Web Socket Protocol Handshake".into(),
            subprotocols: vec!["chat".into()],
            tls: None,
            deflate: false,
        }
    }

    #[test]
    fn answers_an_upgrade_with_the_configured_reason() {
        let req = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: x, chat\r\n\r\n";
        let a = answer(req, &config());
        assert!(a.upgraded);
        assert!(a.response.starts_with("HTTP/1.1 101 Web Socket Protocol Handshake\r\n"));
        assert!(a.response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        assert!(a.response.contains("Sec-WebSocket-Protocol: chat\r\n"));
    }

    #[test]
    fn deflate_is_accepted_only_with_the_flag_and_an_offer() {
        let req = |ext: &str| {
            format!(
                "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{ext}\r\n"
            )
        };
        let chrome = req("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
        let a = answer(chrome.as_bytes(), &config());
        assert!(a.upgraded && a.deflate.is_none() && !a.response.contains("Extensions"), "{}", a.response);
        let deflate = ServerConfig { deflate: true, ..config() };
        let a = answer(chrome.as_bytes(), &deflate);
        assert!(a.response.contains("\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"), "{}", a.response);
        assert_eq!(a.deflate, Some(Params::default()));
        // Asked for smaller windows and no context takeover: granted.
        let asked = req(
            "Sec-WebSocket-Extensions: x-foo, permessage-deflate; server_max_window_bits=10; client_no_context_takeover\r\n",
        );
        let a = answer(asked.as_bytes(), &deflate);
        assert!(
            a.response.contains("Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_max_window_bits=10\r\n"),
            "{}",
            a.response
        );
        // Nothing valid offered: declined.
        for ext in ["", "Sec-WebSocket-Extensions: permessage-deflate; bogus\r\n", "Sec-WebSocket-Extensions: ;\"\r\n"]
        {
            let a = answer(req(ext).as_bytes(), &deflate);
            assert!(a.upgraded && a.deflate.is_none() && !a.response.contains("Extensions"), "{ext}: {}", a.response);
        }
    }

    #[test]
    fn refuses_what_is_not_an_upgrade() {
        assert!(answer(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", &config()).response.starts_with("HTTP/1.1 426"));
        assert!(answer(b"\x16\x03\x01garbage\r\n\r\n", &config()).response.starts_with("HTTP/1.1 400"));
        let v8 = b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: a\r\nSec-WebSocket-Version: 8\r\n\r\n";
        assert!(answer(v8, &config()).response.contains("Sec-WebSocket-Version: 13"));
    }
}
