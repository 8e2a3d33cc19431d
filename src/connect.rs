//! Getting a byte stream to the server: DNS, TCP and TLS, all under one deadline.
//!
//! The deadline is enforced on every read and write through [`Tcp`], so a server that
//! dribbles one byte at a time still ends at the deadline, through TLS too.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::event::{Event, Finding, TlsInfo};
use crate::exit::{Code, Failure};
use crate::proxy::Proxy;
use crate::target::{Scheme, Target};
pub use crate::tls::TlsOptions;
use crate::tls_failure;

/// A TCP stream whose reads and writes fail with `TimedOut` past an optional deadline.
#[derive(Debug)]
pub struct Tcp {
    pub stream: TcpStream,
    deadline: Option<Instant>,
    /// While set (during the TLS handshake), the first bytes read are copied here, to name
    /// what a server that does not speak TLS answered instead.
    tap: Option<Arc<Mutex<Vec<u8>>>>,
}

/// How many of the bytes read during a TLS handshake are kept for the error message.
const TAP: usize = 80;

impl Tcp {
    /// Set or clear the deadline. Clearing it restores blocking reads with no timeout.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) -> io::Result<()> {
        self.deadline = deadline;
        if deadline.is_none() {
            self.stream.set_read_timeout(None)?;
            self.stream.set_write_timeout(None)?;
        }
        Ok(())
    }

    /// Bring the deadline forward to `d` if that is sooner.
    pub fn shorten_deadline(&mut self, d: Instant) {
        self.deadline = Some(self.deadline.map_or(d, |old| old.min(d)));
    }

    fn remaining(&self) -> io::Result<Option<Duration>> {
        match self.deadline {
            None => Ok(None),
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Ok(Some(left)),
                _ => Err(io::Error::new(io::ErrorKind::TimedOut, "deadline reached")),
            },
        }
    }
}

impl Read for Tcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(left) = self.remaining()? {
            self.stream.set_read_timeout(Some(left))?;
        }
        let deadline = self.deadline.is_some();
        let n = self.stream.read(buf).map_err(|e| timeout_kind(e, deadline))?;
        if let Some(tap) = &self.tap
            && let Ok(mut kept) = tap.lock()
        {
            let room = TAP.saturating_sub(kept.len()).min(n);
            kept.extend_from_slice(&buf[..room]);
        }
        Ok(n)
    }
}

impl Write for Tcp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(left) = self.remaining()? {
            self.stream.set_write_timeout(Some(left))?;
        }
        let deadline = self.deadline.is_some();
        self.stream.write(buf).map_err(|e| timeout_kind(e, deadline))
    }
    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// Under a deadline, a socket timeout shows as `WouldBlock` on Unix: call it what it is.
/// Without one (the non-blocking session), `WouldBlock` means what it says.
fn timeout_kind(e: io::Error, deadline: bool) -> io::Error {
    if deadline && e.kind() == io::ErrorKind::WouldBlock {
        io::Error::new(io::ErrorKind::TimedOut, "deadline reached")
    } else {
        e
    }
}

/// The connected stream, plain or TLS.
#[derive(Debug)]
pub enum Stream {
    Plain(Tcp),
    Tls(Box<native_tls::TlsStream<Tcp>>),
}

impl Stream {
    pub fn tcp_mut(&mut self) -> &mut Tcp {
        match self {
            Stream::Plain(t) => t,
            Stream::Tls(s) => s.get_mut(),
        }
    }
    pub fn tcp(&self) -> &Tcp {
        match self {
            Stream::Plain(t) => t,
            Stream::Tls(s) => s.get_ref(),
        }
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

/// A connected stream and what was learnt on the way that the verdict should mention.
pub struct Connected {
    pub stream: Stream,
    pub findings: Vec<Finding>,
}

/// Resolve, connect (through a proxy if any) and, for wss, negotiate TLS before `deadline`,
/// reporting each step.
pub fn connect(
    target: &Target,
    opts: &ConnectOptions,
    deadline: Instant,
    emit: &mut dyn FnMut(Event),
) -> Result<Connected, Failure> {
    let tcp = open(target, opts, deadline, emit)?;
    let mut findings = Vec::new();
    let stream = match target.scheme {
        Scheme::Ws => Stream::Plain(tcp),
        Scheme::Wss => {
            let tls_started = Instant::now();
            let stream = match handshake_tls(target, &opts.tls, tcp, deadline) {
                Ok(stream) => stream,
                Err(Refused::Verify(openssl)) => {
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
                Err(Refused::Other(f)) => return Err(f),
            };
            // The protocol the server chose, as message text (every byte kept, see escape::net).
            let alpn = stream.negotiated_alpn().ok().flatten().map(|a| crate::escape::net(&a));
            let der = stream.peer_certificate().ok().flatten().and_then(|c| c.to_der().ok());
            let certificate = der.as_deref().and_then(crate::cert::cert_info);
            if let (Some(info), Some(der)) = (&certificate, &der) {
                findings.push(crate::cert::expiry_finding(info, opts.tls.cert_warn_days));
                if let Some(matches) = crate::cert::names_host(der, &target.host) {
                    findings.push(crate::cert::name_finding(info, &target.host, matches));
                }
            }
            emit(Event::Tls(TlsInfo { insecure: opts.tls.insecure, alpn, certificate, took: tls_started.elapsed() }));
            Stream::Tls(Box::new(stream))
        }
    };
    Ok(Connected { stream, findings })
}

/// The certificate the server presents, fetched over a second connection with verification
/// off, only to describe why verification refused it: no client certificate is sent, no
/// request, nothing is reported; within the same deadline.
fn presented(target: &Target, opts: &ConnectOptions, deadline: Instant) -> Option<tls_failure::Presented> {
    // Only for the words of a message: never long, whatever is left of the deadline.
    let deadline = deadline.min(Instant::now() + Duration::from_secs(3));
    let tcp = open(target, opts, deadline, &mut |_| {}).ok()?;
    let mut b = native_tls::TlsConnector::builder();
    b.danger_accept_invalid_certs(true).danger_accept_invalid_hostnames(true);
    let stream = b.build().ok()?.connect(&target.host, tcp).ok()?;
    let der = stream.peer_certificate().ok().flatten()?.to_der().ok()?;
    let info = crate::cert::cert_info(&der)?;
    Some(tls_failure::Presented { info, names_host: crate::cert::names_host(&der, &target.host) })
}

/// DNS, TCP and the proxy's tunnel, if any: a connected stream to the server under `deadline`.
fn open(
    target: &Target,
    opts: &ConnectOptions,
    deadline: Instant,
    emit: &mut dyn FnMut(Event),
) -> Result<Tcp, Failure> {
    let (host, port) = match &opts.proxy {
        Some(p) => (p.host.as_str(), p.port),
        None => (target.host.as_str(), target.port),
    };
    let authority = crate::target::authority(host, port);
    let started = Instant::now();
    let (addrs, looked_up) = resolve(host, port, deadline)?;
    let dns = looked_up.then(|| started.elapsed());
    let tcp_started = Instant::now();
    let tcp = connect_tcp(&authority, opts.proxy.is_some(), &addrs, deadline)?;
    let addr = tcp.peer_addr().unwrap_or(addrs[0]);
    let _ = tcp.set_nodelay(true);
    emit(Event::Connect {
        host: host.to_string(),
        port,
        addr,
        proxy: opts.proxy.is_some(),
        dns,
        tcp: tcp_started.elapsed(),
    });
    let mut tcp = Tcp { stream: tcp, deadline: Some(deadline), tap: None };
    if let Some(proxy) = &opts.proxy {
        crate::proxy::tunnel(&mut tcp, proxy, target, opts.show_secrets, emit)?;
    }
    Ok(tcp)
}

fn timed_out(what: &str) -> Failure {
    Failure::new(Code::Timeout, format!("timed out {what} (--connect-timeout)"))
}

/// DNS with the deadline: the system resolver cannot be interrupted, so it runs on a
/// thread that is left behind if it overruns. IP literals skip it.
fn resolve(host: &str, port: u16, deadline: Instant) -> Result<(Vec<SocketAddr>, bool), Failure> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok((vec![SocketAddr::new(ip, port)], false));
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let _ = tx.send((name.as_str(), port).to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
    });
    let left = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(left) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok((addrs, true)),
        Ok(Ok(_)) => Err(Failure::new(Code::Connect, format!("could not resolve host '{host}': no addresses"))),
        Ok(Err(e)) => Err(Failure::new(Code::Connect, format!("could not resolve host '{host}': {}", dns_words(&e)))),
        Err(_) => Err(timed_out(&format!("resolving '{host}'"))),
    }
}

fn dns_words(e: &io::Error) -> String {
    let text = e.to_string();
    if text.contains("not known") || text.contains("No address") || text.contains("nodename") {
        "no such host (DNS)".to_string()
    } else {
        format!("DNS lookup failed: {text}")
    }
}

fn connect_tcp(authority: &str, proxy: bool, addrs: &[SocketAddr], deadline: Instant) -> Result<TcpStream, Failure> {
    let what = if proxy { format!("the proxy {authority}") } else { authority.to_string() };
    let mut errors = Vec::new();
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => return Ok(s),
            // One address that timed out needs no words of its own: the message says it timed out.
            Err(e) if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock => {
                if addrs.len() > 1 {
                    errors.push(format!("{addr}: timed out"));
                }
            }
            Err(e) if addrs.len() == 1 && addr.to_string() == authority => errors.push(os_words(&e)),
            Err(e) => errors.push(format!("{addr}: {}", os_words(&e))),
        }
    }
    let tried = errors.join("; ");
    if Instant::now() >= deadline || errors.iter().all(|e| e.ends_with("timed out")) {
        return Err(Failure::new(
            Code::Timeout,
            format!("timed out connecting to {what} (--connect-timeout){}", bracket(&tried)),
        ));
    }
    Err(Failure::new(Code::Connect, format!("could not connect to {what}: {tried}")))
}

fn bracket(s: &str) -> String {
    if s.is_empty() { String::new() } else { format!(": {s}") }
}

/// The OS error in words a user can act on.
pub fn os_words(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused (nothing is listening on that port)".into(),
        io::ErrorKind::HostUnreachable => "host unreachable".into(),
        io::ErrorKind::NetworkUnreachable => "network unreachable".into(),
        io::ErrorKind::ConnectionReset => "connection reset by peer".into(),
        io::ErrorKind::AddrNotAvailable => "address not available".into(),
        io::ErrorKind::PermissionDenied => "permission denied (a firewall?)".into(),
        _ => e.to_string(),
    }
}

/// Read on (briefly, within `deadline`) what a server that does not speak TLS answered, up
/// to its first line end or [`TAP`] bytes.
fn read_more(mut stream: TcpStream, sent: &mut Vec<u8>, deadline: Instant) {
    let until = deadline.min(Instant::now() + Duration::from_millis(500));
    while sent.len() < TAP && !sent.contains(&b'\n') {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        let mut buf = [0u8; TAP];
        match stream.read(&mut buf[..TAP - sent.len()]) {
            Ok(0) | Err(_) => return,
            Ok(n) => sent.extend_from_slice(&buf[..n]),
        }
    }
}

/// Why the TLS handshake failed: verification refused the certificate (OpenSSL's text),
/// or any other failure, already in words.
enum Refused {
    Verify(String),
    Other(Failure),
}

fn handshake_tls(
    target: &Target,
    opts: &TlsOptions,
    mut tcp: Tcp,
    deadline: Instant,
) -> Result<native_tls::TlsStream<Tcp>, Refused> {
    let connector = opts.connector().map_err(Refused::Other)?;
    let sent = Arc::new(Mutex::new(Vec::new()));
    tcp.tap = Some(sent.clone());
    // The socket outlives a failed handshake through this handle, to read the rest of a
    // plain answer (OpenSSL stops at the first five bytes).
    let spare = tcp.stream.try_clone().ok();
    match connector.connect(&target.host, tcp) {
        Ok(mut s) => {
            s.get_mut().tap = None;
            Ok(s)
        }
        Err(native_tls::HandshakeError::Failure(e)) => {
            if Instant::now() >= deadline {
                return Err(Refused::Other(timed_out("during the TLS handshake")));
            }
            let openssl = e.to_string();
            if tls_failure::is_verify_failure(&openssl) {
                return Err(Refused::Verify(openssl));
            }
            let mut sent = sent.lock().map(|s| s.clone()).unwrap_or_default();
            if let Some(spare) = spare
                && sent.first().is_some_and(|b| !(0x14..=0x17).contains(b))
            {
                read_more(spare, &mut sent, deadline);
            }
            Err(Refused::Other(tls_failure::handshake_failed(&target.authority(), &target.host, &openssl, &sent, None)))
        }
        Err(native_tls::HandshakeError::WouldBlock(_)) => Err(Refused::Other(timed_out("during the TLS handshake"))),
    }
}
