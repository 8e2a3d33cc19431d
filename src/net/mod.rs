//! Getting a byte stream to the server: DNS, TCP (or a Unix socket), a proxy's tunnel (HTTP
//! CONNECT or SOCKS5) and TLS, all under one deadline, routed as `--connect-to`, `--resolve`,
//! `-4`/`-6` and `--unix-socket` say ([`route`]). Nothing here knows the WebSocket handshake;
//! the HTTP/1.1 a proxy speaks is `http1`'s.
//!
//! The deadline is enforced on every read and write through [`Socket`], so a server that
//! dribbles one byte at a time still ends at the deadline, through TLS too.

pub mod cert;
pub mod proxy;
pub mod route;
pub mod socket;
pub mod socks;
pub mod tap;
pub mod tcp;
pub mod tls;
pub mod tls_failure;
mod unix;
pub mod wording;

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

use crate::event::{Address, Event, Level, TlsInfo, Via};
use crate::exit::{Cause, Code, Failure, Phase};
use crate::target::{Scheme, Target};
use proxy::{Kind, Proxy};
pub use route::Route;
use socket::Socket;
pub use tls::TlsOptions;

/// When a connection must be done by (DNS, TCP, a proxy's tunnel, TLS and the HTTP
/// exchange), and which limit that is: the sooner of `--connect-timeout` and `--timeout`.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    pub at: Instant,
    /// True when `--timeout` (the whole run's) is the sooner, not `--connect-timeout`.
    pub by_timeout: bool,
}

impl Deadline {
    /// The flag whose limit this is, as a timeout names it.
    pub fn limit(&self) -> &'static str {
        if self.by_timeout { "--timeout" } else { "--connect-timeout" }
    }

    /// The failure of a step that ran out of time: `timed out {what} (--connect-timeout)`.
    pub fn timed_out(&self, phase: Phase, what: &str) -> Failure {
        Failure::because(Code::Timeout, Cause::Timeout(phase), format!("timed out {what} ({})", self.limit()))
    }

    /// The end of a timeout's message that says nothing else of the limit (a write that ran
    /// out of time): ` (--timeout)`, and nothing for `--connect-timeout`, the usual one.
    pub fn aside(&self) -> &'static str {
        if self.by_timeout { " (--timeout)" } else { "" }
    }
}

/// The connected stream, plain or TLS, over TCP or a Unix socket; with `--trace`, either one
/// seen by a tap.
#[derive(Debug)]
pub enum Stream {
    Plain(Socket),
    Tls(Box<native_tls::TlsStream<Socket>>),
    Traced(Box<tap::Traced>),
}

impl Stream {
    fn socket_mut(&mut self) -> &mut Socket {
        match self {
            Stream::Plain(t) => t,
            Stream::Tls(s) => s.get_mut(),
            Stream::Traced(t) => t.inner.socket_mut(),
        }
    }

    fn socket(&self) -> &Socket {
        match self {
            Stream::Plain(t) => t,
            Stream::Tls(s) => s.get_ref(),
            Stream::Traced(t) => t.inner.socket(),
        }
    }

    /// The TLS session, for wss (traced or not).
    pub fn tls_mut(&mut self) -> Option<&mut native_tls::TlsStream<Socket>> {
        match self {
            Stream::Plain(_) => None,
            Stream::Tls(s) => Some(s),
            Stream::Traced(t) => t.inner.tls_mut(),
        }
    }

    /// The TLS session under this stream, traced or not.
    pub fn tls(&self) -> Option<&native_tls::TlsStream<Socket>> {
        match self {
            Stream::Plain(_) => None,
            Stream::Tls(s) => Some(s),
            Stream::Traced(t) => t.inner.tls(),
        }
    }

    /// True for wss (traced or not).
    pub fn is_tls(&self) -> bool {
        match self {
            Stream::Plain(_) => false,
            Stream::Tls(_) => true,
            Stream::Traced(t) => t.inner.is_tls(),
        }
    }

    /// The descriptor the session's poll waits on.
    pub fn raw_fd(&self) -> RawFd {
        self.socket().stream.as_raw_fd()
    }

    /// Switch the socket to non-blocking reads and writes (the session), or back.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        self.socket().stream.set_nonblocking(on)
    }

    /// Lift the deadline of the handshake: the session keeps its own time.
    pub fn clear_deadline(&mut self) -> io::Result<()> {
        self.socket_mut().set_deadline(None)
    }

    /// Bring the deadline forward to `d` if that is sooner.
    pub fn shorten_deadline(&mut self, d: Instant) {
        self.socket_mut().shorten_deadline(d)
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
            Stream::Traced(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
            Stream::Traced(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
            Stream::Traced(s) => s.flush(),
        }
    }
}

/// How to reach the server.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub tls: TlsOptions,
    pub proxy: Option<Proxy>,
    /// `--connect-to`, `--resolve`, `-4`/`-6`, `--unix-socket`.
    pub route: Route,
    pub show_secrets: bool,
    /// `--trace`: a tap on every connection (the proxy's exchange, then the bytes above TLS).
    pub taps: Option<std::sync::Arc<dyn tap::Taps>>,
}

/// A connected stream and, for wss, the server's certificate (for the checks).
pub struct Connected {
    pub stream: Stream,
    pub certificate: Option<cert::PeerCert>,
}

/// Resolve, connect (through a proxy if any) and, for wss, negotiate TLS before `deadline`,
/// reporting each step.
pub fn connect(
    target: &Target,
    opts: &ConnectOptions,
    deadline: Deadline,
    emit: &mut dyn FnMut(Event),
) -> Result<Connected, Failure> {
    let tcp = open(target, opts, deadline, emit)?;
    let (stream, certificate) = match target.scheme {
        Scheme::Ws => (Stream::Plain(tcp), None),
        Scheme::Wss => {
            let tls_started = Instant::now();
            let stream = match tls::handshake(target, &opts.tls, tcp, deadline) {
                Ok(stream) => stream,
                Err(tls::Refused::Verify(openssl)) => {
                    let presented = presented(target, opts, deadline);
                    let authority = target.authority();
                    return Err(tls_failure::handshake_failed(
                        &authority,
                        &target.host,
                        &openssl,
                        &[],
                        presented.as_ref(),
                    ));
                }
                Err(tls::Refused::Other(f)) => return Err(f),
            };
            // The protocol the server chose, as message text (every byte kept, see escape::net).
            let alpn = stream.negotiated_alpn().ok().flatten().map(|a| crate::escape::net(&a));
            let der = stream.peer_certificate().ok().flatten().and_then(|c| c.to_der().ok());
            let peer = der.as_deref().and_then(|der| cert::peer_cert(der, &target.host));
            let certificate = peer.as_ref().map(|p| p.info.clone());
            emit(Event::Tls(TlsInfo { insecure: opts.tls.insecure, alpn, certificate, took: tls_started.elapsed() }));
            (Stream::Tls(Box::new(stream)), peer)
        }
    };
    let stream = match &opts.taps {
        Some(taps) => {
            let what = match target.scheme {
                Scheme::Ws => format!("connected to {}: the bytes of the connection", target.authority()),
                Scheme::Wss => format!("connected to {}: the bytes inside TLS, decrypted", target.authority()),
            };
            Stream::Traced(Box::new(tap::Traced::new(stream, taps.open(&what))))
        }
        None => stream,
    };
    Ok(Connected { stream, certificate })
}

/// The certificate the server presents, fetched over a second connection with verification
/// off, only to describe why verification refused it: no client certificate is sent, no
/// request, nothing is reported; within the same deadline.
fn presented(target: &Target, opts: &ConnectOptions, deadline: Deadline) -> Option<cert::PeerCert> {
    // Only for the words of a message: never long, whatever is left of the deadline.
    let at = deadline.at.min(Instant::now() + std::time::Duration::from_secs(3));
    let deadline = Deadline { at, ..deadline };
    // Not traced either: this connection carries no request.
    let opts = ConnectOptions { taps: None, ..opts.clone() };
    let tcp = open(target, &opts, deadline, &mut |_| {}).ok()?;
    let mut b = native_tls::TlsConnector::builder();
    b.danger_accept_invalid_certs(true).danger_accept_invalid_hostnames(true);
    let stream = b.build().ok()?.connect(&target.host, tcp).ok()?;
    let der = stream.peer_certificate().ok().flatten()?.to_der().ok()?;
    cert::peer_cert(&der, &target.host)
}

/// The Unix socket, or DNS, TCP and the proxy's tunnel if any: a connected stream to the
/// server under `deadline`, routed as `opts.route` says.
fn open(
    target: &Target,
    opts: &ConnectOptions,
    deadline: Deadline,
    emit: &mut dyn FnMut(Event),
) -> Result<Socket, Failure> {
    if let Some(path) = &opts.route.unix_socket {
        return unix::open(path, target, deadline, emit);
    }
    // Where the URL's host and port lead: --connect-to re-points them; Host, SNI and the
    // certificate checks keep the URL's names.
    let (host, port, connect_to) = opts.route.destination(&target.host, target.port);
    let to_connect_to = || connect_to.map(|c| Via { option: "--connect-to", value: c.rule.clone() });
    let Some(proxy) = &opts.proxy else {
        let found = opts.route.addresses(&host, port, deadline)?;
        let via = to_connect_to().into_iter().chain(resolved_via(found.rule.as_ref())).collect();
        return connect_tcp(&host, port, false, found, via, deadline, emit);
    };
    let found = opts.route.addresses(&proxy.host, proxy.port, deadline)?;
    let via = resolved_via(found.rule.as_ref()).into_iter().collect();
    let mut socket = connect_tcp(&proxy.host, proxy.port, true, found, via, deadline, emit)?;
    let authority = crate::target::authority(&host, port);
    if let Some(rule) = connect_to {
        let text =
            format!("--connect-to {}: the proxy is asked for {authority} instead of {}", rule.rule, target.authority());
        emit(Event::Note { level: Level::Info, text });
    }
    // The proxy's exchange is traced on the bare socket; the tunnel's bytes are traced above
    // TLS, by the tap `connect` puts on the stream.
    socket.trace = opts.taps.as_ref().map(|taps| {
        taps.open(&format!(
            "connected to the proxy {}: its exchange",
            crate::target::authority(&proxy.host, proxy.port)
        ))
    });
    match proxy.kind {
        Kind::Http => {
            if let Some(entry) = opts.route.pinned(&host, port) {
                let text = format!("--resolve {} is not used: the HTTP proxy resolves {host}", entry.rule);
                emit(Event::Note { level: Level::Warning, text });
            }
            proxy::tunnel(&mut socket, proxy, &authority, opts.show_secrets, deadline, emit)?
        }
        Kind::Socks5 | Kind::Socks5h => socks::tunnel(&mut socket, proxy, (&host, port), opts, deadline, emit)?,
    }
    socket.trace = None;
    Ok(socket)
}

/// The `via` of a connection whose addresses came from `--resolve`.
fn resolved_via(rule: Option<&String>) -> Option<Via> {
    rule.map(|r| Via { option: "--resolve", value: r.clone() })
}

/// TCP to the first of `found`'s addresses that answers, said as a `Connect` event.
fn connect_tcp(
    host: &str,
    port: u16,
    proxy: bool,
    found: route::Addresses,
    via: Vec<Via>,
    deadline: Deadline,
    emit: &mut dyn FnMut(Event),
) -> Result<Socket, Failure> {
    let authority = crate::target::authority(host, port);
    let started = Instant::now();
    let stream = tcp::connect_tcp(&authority, proxy, &found.addrs, deadline)?;
    let addr = stream.peer_addr().unwrap_or(found.addrs[0]);
    let _ = stream.set_nodelay(true);
    let (host, addr, dns, tcp) = (host.to_string(), Address::Ip(addr), found.dns, started.elapsed());
    emit(Event::Connect { host, port, addr, proxy, dns, tcp, via });
    Ok(Socket::new(stream, deadline.at))
}
