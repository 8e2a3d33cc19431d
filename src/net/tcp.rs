//! TCP under a deadline: DNS on a thread that can be left behind, a connect per address,
//! and a [`Tcp`] stream whose every read and write ends at the deadline.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::wording::dns_words;
use crate::exit::{Code, Failure};
use crate::words::os_words;

/// A TCP stream whose reads and writes fail with `TimedOut` past an optional deadline.
#[derive(Debug)]
pub struct Tcp {
    pub(super) stream: TcpStream,
    deadline: Option<Instant>,
    /// While set (during the TLS handshake), the first bytes read are copied here, to name
    /// what a server that does not speak TLS answered instead.
    pub(super) tap: Option<Arc<Mutex<Vec<u8>>>>,
}

/// How many of the bytes read during a TLS handshake are kept for the error message.
pub(super) const TAP: usize = 80;

impl Tcp {
    pub(super) fn new(stream: TcpStream, deadline: Instant) -> Tcp {
        Tcp { stream, deadline: Some(deadline), tap: None }
    }

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

pub(super) fn timed_out(what: &str) -> Failure {
    Failure::new(Code::Timeout, format!("timed out {what} (--connect-timeout)"))
}

/// DNS with the deadline: the system resolver cannot be interrupted, so it runs on a
/// thread that is left behind if it overruns. IP literals skip it. Also says whether a
/// lookup was made.
pub(super) fn resolve(host: &str, port: u16, deadline: Instant) -> Result<(Vec<SocketAddr>, bool), Failure> {
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

/// Connect to the first of `addrs` that answers before `deadline`; `authority` (a proxy's
/// when `proxy`) names the place in a failure.
pub(super) fn connect_tcp(
    authority: &str,
    proxy: bool,
    addrs: &[SocketAddr],
    deadline: Instant,
) -> Result<TcpStream, Failure> {
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
