//! Getting a byte stream to the server: DNS, TCP, a proxy's tunnel and TLS, all under one
//! deadline. Nothing here knows the WebSocket handshake; the HTTP/1.1 a proxy speaks is
//! `http1`'s.
//!
//! The deadline is enforced on every read and write through [`Tcp`], so a server that
//! dribbles one byte at a time still ends at the deadline, through TLS too.

pub mod cert;
pub mod proxy;
pub mod socks;
pub mod tcp;
pub mod tls;
pub mod tls_failure;
pub mod wording;

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

use crate::event::{Event, TlsInfo};
use crate::exit::{Cause, Code, Failure, Phase};
use crate::target::{Scheme, Target};
use proxy::Proxy;
use tcp::Tcp;
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

/// The connected stream, plain or TLS.
#[derive(Debug)]
pub enum Stream {
    Plain(Tcp),
    Tls(Box<native_tls::TlsStream<Tcp>>),
}

impl Stream {
    fn tcp_mut(&mut self) -> &mut Tcp {
        match self {
            Stream::Plain(t) => t,
            Stream::Tls(s) => s.get_mut(),
        }
    }

    fn tcp(&self) -> &Tcp {
        match self {
            Stream::Plain(t) => t,
            Stream::Tls(s) => s.get_ref(),
        }
    }

    /// The descriptor the session's poll waits on.
    pub fn raw_fd(&self) -> RawFd {
        self.tcp().stream.as_raw_fd()
    }

    /// Switch the socket to non-blocking reads and writes (the session), or back.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        self.tcp().stream.set_nonblocking(on)
    }

    /// Lift the deadline of the handshake: the session keeps its own time.
    pub fn clear_deadline(&mut self) -> io::Result<()> {
        self.tcp_mut().set_deadline(None)
    }

    /// Bring the deadline forward to `d` if that is sooner.
    pub fn shorten_deadline(&mut self, d: Instant) {
        self.tcp_mut().shorten_deadline(d)
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// How to reach the server.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub tls: TlsOptions,
    pub proxy: Option<Proxy>,
    pub show_secrets: bool,
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
    Ok(Connected { stream, certificate })
}

/// The certificate the server presents, fetched over a second connection with verification
/// off, only to describe why verification refused it: no client certificate is sent, no
/// request, nothing is reported; within the same deadline.
fn presented(target: &Target, opts: &ConnectOptions, deadline: Deadline) -> Option<cert::PeerCert> {
    // Only for the words of a message: never long, whatever is left of the deadline.
    let at = deadline.at.min(Instant::now() + std::time::Duration::from_secs(3));
    let deadline = Deadline { at, ..deadline };
    let tcp = open(target, opts, deadline, &mut |_| {}).ok()?;
    let mut b = native_tls::TlsConnector::builder();
    b.danger_accept_invalid_certs(true).danger_accept_invalid_hostnames(true);
    let stream = b.build().ok()?.connect(&target.host, tcp).ok()?;
    let der = stream.peer_certificate().ok().flatten()?.to_der().ok()?;
    cert::peer_cert(&der, &target.host)
}

/// DNS, TCP and the proxy's tunnel, if any: a connected stream to the server under `deadline`.
fn open(
    target: &Target,
    opts: &ConnectOptions,
    deadline: Deadline,
    emit: &mut dyn FnMut(Event),
) -> Result<Tcp, Failure> {
    let (host, port) = match &opts.proxy {
        Some(p) => (p.host.as_str(), p.port),
        None => (target.host.as_str(), target.port),
    };
    let authority = crate::target::authority(host, port);
    let started = Instant::now();
    let (addrs, looked_up) = tcp::resolve(host, port, deadline)?;
    let dns = looked_up.then(|| started.elapsed());
    let tcp_started = Instant::now();
    let stream = tcp::connect_tcp(&authority, opts.proxy.is_some(), &addrs, deadline)?;
    let addr = stream.peer_addr().unwrap_or(addrs[0]);
    let _ = stream.set_nodelay(true);
    emit(Event::Connect {
        host: host.to_string(),
        port,
        addr,
        proxy: opts.proxy.is_some(),
        dns,
        tcp: tcp_started.elapsed(),
    });
    let mut tcp = Tcp::new(stream, deadline.at);
    if let Some(proxy) = &opts.proxy {
        proxy::tunnel(&mut tcp, proxy, target, opts.show_secrets, deadline, emit)?;
    }
    Ok(tcp)
}
