//! TCP under a deadline: DNS on a thread that can be left behind (restricted by `-4`/`-6`),
//! and a connect per address.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Instant;

use super::Deadline;
use super::route::Family;
use super::wording::dns_words;
use crate::exit::{Cause, Code, Failure, Phase};
use crate::words::os_words;

/// DNS with the deadline: the system resolver cannot be interrupted, so it runs on a
/// thread that is left behind if it overruns. IP literals skip it. Only addresses of
/// `family` are kept (`-4`/`-6`). Also says whether a lookup was made.
pub(super) fn resolve(
    host: &str,
    port: u16,
    family: Family,
    deadline: Deadline,
) -> Result<(Vec<SocketAddr>, bool), Failure> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        if !family.allows(ip) {
            return Err(Failure::new(
                Code::Connect,
                format!(
                    "cannot connect to {host}: it is an {} address, and {} allows only {}",
                    version(ip),
                    family.flag(),
                    family.name()
                ),
            ));
        }
        return Ok((vec![SocketAddr::new(ip, port)], false));
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let _ = tx.send((name.as_str(), port).to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
    });
    let left = deadline.at.saturating_duration_since(Instant::now());
    let unresolved = |why: String| Failure::new(Code::Connect, format!("could not resolve host '{host}': {why}"));
    match rx.recv_timeout(left) {
        Ok(Ok(addrs)) if !addrs.is_empty() => {
            let kept: Vec<SocketAddr> = addrs.iter().copied().filter(|a| family.allows(a.ip())).collect();
            if kept.is_empty() {
                let had: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                return Err(unresolved(format!(
                    "no {} address ({}; it has {})",
                    family.name(),
                    family.flag(),
                    had.join(", ")
                )));
            }
            Ok((kept, true))
        }
        Ok(Ok(_)) => Err(unresolved("no addresses".into())),
        Ok(Err(e)) => Err(unresolved(dns_words(&e))),
        Err(_) => Err(deadline.timed_out(Phase::Dns, &format!("resolving '{host}'"))),
    }
}

/// "IPv4" or "IPv6".
fn version(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() { "IPv4" } else { "IPv6" }
}

/// How one address answered the connect.
#[derive(Debug)]
enum Attempt {
    TimedOut,
    Failed(io::Error),
}

/// Connect to the first of `addrs` that answers before `deadline`; `authority` (a proxy's
/// when `proxy`) names the place in a failure.
pub(super) fn connect_tcp(
    authority: &str,
    proxy: bool,
    addrs: &[SocketAddr],
    deadline: Deadline,
) -> Result<TcpStream, Failure> {
    let mut attempts = Vec::new();
    for addr in addrs {
        let left = deadline.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => return Ok(s),
            Err(e) if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock => {
                attempts.push((*addr, Attempt::TimedOut));
            }
            Err(e) => attempts.push((*addr, Attempt::Failed(e))),
        }
    }
    let place = Place { authority, proxy, addrs: addrs.len() };
    Err(unreached(&place, &attempts, Instant::now() >= deadline.at, deadline))
}

/// Where `connect_tcp` tried to go: the authority, whether it is a proxy's, how many addresses.
struct Place<'a> {
    authority: &'a str,
    proxy: bool,
    addrs: usize,
}

/// The failure of a connect that no address took: a timeout when the deadline passed or
/// every address tried timed out, else what each address said.
fn unreached(place: &Place, attempts: &[(SocketAddr, Attempt)], late: bool, deadline: Deadline) -> Failure {
    let authority = place.authority;
    let what = if place.proxy { format!("the proxy {authority}") } else { authority.to_string() };
    let words: Vec<String> = attempts
        .iter()
        .filter_map(|(addr, attempt)| match attempt {
            // One address that timed out needs no words of its own: the message says it timed out.
            Attempt::TimedOut if place.addrs == 1 => None,
            Attempt::TimedOut => Some(format!("{addr}: timed out")),
            Attempt::Failed(e) if place.addrs == 1 && addr.to_string() == authority => Some(os_words(e)),
            Attempt::Failed(e) => Some(format!("{addr}: {}", os_words(e))),
        })
        .collect();
    let tried = words.join("; ");
    if late || attempts.iter().all(|(_, a)| matches!(a, Attempt::TimedOut)) {
        let message = format!("timed out connecting to {what} ({}){}", deadline.limit(), bracket(&tried));
        return Failure::because(Code::Timeout, Cause::Timeout(Phase::Tcp), message);
    }
    Failure::new(Code::Connect, format!("could not connect to {what}: {tried}"))
}

fn bracket(s: &str) -> String {
    if s.is_empty() { String::new() } else { format!(": {s}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::os::fd::FromRawFd;
    use std::time::Duration;

    fn deadline(after: Duration, by_timeout: bool) -> Deadline {
        Deadline { at: Instant::now() + after, by_timeout }
    }

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    #[test]
    fn every_address_timed_out_is_a_timeout() {
        let place = Place { authority: "h:1", proxy: false, addrs: 2 };
        let attempts = [(addr(1), Attempt::TimedOut), (addr(2), Attempt::TimedOut)];
        let f = unreached(&place, &attempts, false, deadline(Duration::from_secs(9), false));
        assert_eq!(f.code, Code::Timeout);
        assert!(matches!(f.cause, Cause::Timeout(Phase::Tcp)), "{:?}", f.cause);
        assert_eq!(
            f.message,
            "timed out connecting to h:1 (--connect-timeout): 127.0.0.1:1: timed out; 127.0.0.1:2: timed out"
        );
    }

    #[test]
    fn one_refusal_among_timeouts_is_a_refusal_unless_the_deadline_passed() {
        let place = Place { authority: "h:1", proxy: true, addrs: 2 };
        let refused = || Attempt::Failed(io::Error::from(io::ErrorKind::ConnectionRefused));
        let attempts = [(addr(1), refused()), (addr(2), Attempt::TimedOut)];
        let f = unreached(&place, &attempts, false, deadline(Duration::from_secs(9), false));
        assert_eq!((f.code, matches!(f.cause, Cause::Other)), (Code::Connect, true));
        assert_eq!(
            f.message,
            "could not connect to the proxy h:1: 127.0.0.1:1: connection refused (nothing is listening on that port); \
             127.0.0.1:2: timed out"
        );
        let f = unreached(&place, &attempts, true, deadline(Duration::ZERO, true));
        assert_eq!(f.code, Code::Timeout);
        assert!(
            f.message.starts_with("timed out connecting to the proxy h:1 (--timeout): 127.0.0.1:1: connection refused")
        );
        // One address, the authority itself: its words alone.
        let one = Place { authority: "127.0.0.1:1", proxy: false, addrs: 1 };
        let f = unreached(&one, &[(addr(1), refused())], false, deadline(Duration::from_secs(9), false));
        assert_eq!(
            f.message,
            "could not connect to 127.0.0.1:1: connection refused (nothing is listening on that port)"
        );
        let f = unreached(&one, &[(addr(1), Attempt::TimedOut)], true, deadline(Duration::ZERO, false));
        assert_eq!(f.message, "timed out connecting to 127.0.0.1:1 (--connect-timeout)");
    }

    /// A listener whose accept queue is full: the kernel drops further SYNs, so a connection
    /// to it times out (a `listen` backlog of 0 holds one connection, which is made here).
    fn full_listener() -> (TcpListener, TcpStream) {
        // SAFETY: plain socket calls on a descriptor this function owns; checked below.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0) };
        assert!(fd >= 0);
        let listener = unsafe { TcpListener::from_raw_fd(fd) };
        let sin = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: 0,
            sin_addr: libc::in_addr { s_addr: u32::from_ne_bytes([127, 0, 0, 1]) },
            sin_zero: [0; 8],
        };
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(unsafe { libc::bind(fd, (&raw const sin).cast(), len) }, 0);
        assert_eq!(unsafe { libc::listen(fd, 0) }, 0);
        let filler = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        (listener, filler)
    }

    #[test]
    fn a_host_whose_addresses_all_time_out_is_a_timeout_of_the_tcp_step() {
        let (a, _fa) = full_listener();
        let (b, _fb) = full_listener();
        let addrs = [a.local_addr().unwrap(), b.local_addr().unwrap()];
        let f = connect_tcp("h:1", false, &addrs, deadline(Duration::from_millis(300), true)).unwrap_err();
        assert_eq!(f.code, Code::Timeout, "{}", f.message);
        assert!(matches!(f.cause, Cause::Timeout(Phase::Tcp)), "{:?}", f.cause);
        assert!(f.message.starts_with(&format!("timed out connecting to h:1 (--timeout): {}: timed out", addrs[0])));
    }
}
