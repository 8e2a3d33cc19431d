//! A SOCKS5 client (RFC 1928) with username/password authentication (RFC 1929), over a stream
//! that is already connected to the proxy and bounded by the caller's deadline.
//!
//! Hand-written because the `socks` crate connects by itself with no deadline. Each step is
//! reported in words for the transcript; every refusal has a typed cause. [`tunnel`] runs
//! the exchange for `net::connect`: the name resolved here (`socks5://`) or by the proxy
//! (`socks5h://`), the steps as [`Event::Socks`], a refusal as exit 3, a timeout as exit 7.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::proxy::{Kind, Proxy};
use super::socket::Socket;
use super::{ConnectOptions, Deadline};
use crate::event::{Event, Level};
use crate::exit::{Cause, Code, Failure, Phase};
use crate::target::authority;
use crate::words::os_words;

/// Where the tunnel should lead: an address resolved here (`socks5://`), or a name the proxy
/// resolves (`socks5h://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Ip(IpAddr),
    Name(String),
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Ip(IpAddr::V6(a)) => write!(f, "[{a}]"),
            Destination::Ip(a) => write!(f, "{a}"),
            Destination::Name(n) => f.write_str(n),
        }
    }
}

/// Why the proxy did not open the tunnel.
#[derive(Debug)]
pub enum SocksError {
    /// Reading or writing the proxy failed (`TimedOut` when the deadline passed).
    Io(io::Error),
    /// The proxy closed the connection in the middle of the exchange.
    Closed,
    /// The proxy answered something that is not SOCKS5.
    NotSocks(String),
    /// The proxy accepts none of the methods offered (it wants credentials, or others).
    NoAcceptableMethod { had_credentials: bool },
    /// The username/password were refused (RFC 1929 status).
    AuthFailed(u8),
    /// The CONNECT was refused with this reply code (RFC 1928 §6).
    Refused(u8),
    /// A name or credential too long for the protocol's one-byte lengths.
    TooLong(&'static str),
}

impl SocksError {
    pub fn is_timeout(&self) -> bool {
        matches!(self, SocksError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
    }
}

impl fmt::Display for SocksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocksError::Io(e) => write!(f, "{e}"),
            SocksError::Closed => f.write_str("closed the connection during the SOCKS5 exchange"),
            SocksError::NotSocks(what) => write!(f, "does not speak SOCKS5 ({what})"),
            SocksError::NoAcceptableMethod { had_credentials: false } => {
                f.write_str("wants authentication (give --proxy socks5://user:pass@host:port)")
            }
            SocksError::NoAcceptableMethod { had_credentials: true } => {
                f.write_str("accepts neither no authentication nor username/password")
            }
            SocksError::AuthFailed(status) => {
                write!(f, "refused the username or password (authentication failed, status {status})")
            }
            SocksError::Refused(code) => write!(f, "refused the connection: {} (reply {code})", reply_words(*code)),
            SocksError::TooLong(what) => write!(f, "cannot be asked: the {what} is longer than 255 bytes"),
        }
    }
}

/// RFC 1928 §6 reply codes in words.
pub fn reply_words(code: u8) -> &'static str {
    match code {
        0 => "succeeded",
        1 => "general SOCKS server failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused by the destination",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "an unknown reply code",
    }
}

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0x00;
const USER_PASS: u8 = 0x02;
const NONE_ACCEPTABLE: u8 = 0xff;

/// Open a tunnel to `destination:port` over `stream` (connected to the proxy), authenticating
/// with `credentials` when the proxy asks (the password said only with `show_secrets`).
/// `step` is told each step in words. Returns the address the proxy says it bound, in words
/// (an IP and port, or a name and port; a name's bytes as message text, see `escape::net`).
pub fn connect(
    stream: &mut (impl Read + Write),
    destination: &Destination,
    port: u16,
    credentials: Option<(&str, &str)>,
    show_secrets: bool,
    step: &mut dyn FnMut(String),
) -> Result<String, SocksError> {
    let mut greeting = vec![VERSION, 1, NO_AUTH];
    if credentials.is_some() {
        greeting = vec![VERSION, 2, NO_AUTH, USER_PASS];
    }
    send(stream, &greeting)?;
    step(format!(
        "SOCKS5 greeting: offering {}",
        if credentials.is_some() { "no authentication or username/password" } else { "no authentication" }
    ));
    let choice = read_n::<2>(stream)?;
    if choice[0] != VERSION {
        return Err(SocksError::NotSocks(format!("its answer starts with version {}", choice[0])));
    }
    match (choice[1], credentials) {
        (NO_AUTH, _) => step("SOCKS5 proxy asks for no authentication".into()),
        (USER_PASS, Some((user, pass))) => {
            let password = if show_secrets { format!("password '{pass}'") } else { "the password (masked)".into() };
            step(format!("SOCKS5 proxy asks for username/password: sending user '{user}' and {password}"));
            authenticate(stream, user, pass)?;
            step("SOCKS5 authentication accepted".into());
        }
        (NONE_ACCEPTABLE | USER_PASS, _) => {
            return Err(SocksError::NoAcceptableMethod { had_credentials: credentials.is_some() });
        }
        (other, _) => return Err(SocksError::NotSocks(format!("it chose method {other:#04x}, which was not offered"))),
    }

    let mut request = vec![VERSION, 0x01, 0x00];
    match destination {
        Destination::Ip(IpAddr::V4(a)) => {
            request.push(0x01);
            request.extend_from_slice(&a.octets());
        }
        Destination::Ip(IpAddr::V6(a)) => {
            request.push(0x04);
            request.extend_from_slice(&a.octets());
        }
        Destination::Name(name) => {
            let len = u8::try_from(name.len()).map_err(|_| SocksError::TooLong("host name"))?;
            request.push(0x03);
            request.push(len);
            request.extend_from_slice(name.as_bytes());
        }
    }
    request.extend_from_slice(&port.to_be_bytes());
    send(stream, &request)?;
    let resolved_by = if matches!(destination, Destination::Name(_)) { " (the proxy resolves the name)" } else { "" };
    step(format!("SOCKS5 CONNECT {destination}:{port}{resolved_by}"));

    let head = read_n::<4>(stream)?;
    if head[0] != VERSION {
        return Err(SocksError::NotSocks(format!("its reply starts with version {}", head[0])));
    }
    // The bound address follows even on a refusal; read it so nothing is left behind.
    let bound = read_address(stream, head[3])?;
    if head[1] != 0 {
        return Err(SocksError::Refused(head[1]));
    }
    step(format!("SOCKS5 tunnel open (the proxy bound {bound})"));
    Ok(bound)
}

/// The SOCKS5 exchange of `net::connect`: a tunnel to `host:port` (the URL's, or where
/// `--connect-to` points it) over `stream`, connected to `proxy`. For `socks5://` the name is
/// resolved here, as `route` says (`--resolve`, `-4`/`-6`); for `socks5h://` the proxy resolves
/// it. Every step is said as an [`Event::Socks`]; all of it within the stream's deadline.
pub fn tunnel(
    stream: &mut Socket,
    proxy: &Proxy,
    (host, port): (&str, u16),
    opts: &ConnectOptions,
    deadline: Deadline,
    emit: &mut dyn FnMut(Event),
) -> Result<(), Failure> {
    let route = &opts.route;
    let destination = match (proxy.kind, host.parse::<IpAddr>()) {
        (Kind::Socks5, _) => {
            let found = route.addresses(host, port, deadline)?;
            let ip = found.addrs[0].ip();
            if host.parse::<IpAddr>().is_err() || found.rule.is_some() {
                let via = found.rule.map(|r| format!(" (--resolve {r})")).unwrap_or_default();
                let text = format!(
                    "SOCKS5 (socks5://): {host} resolved here to {ip}{via}; socks5h:// lets the proxy resolve it"
                );
                emit(Event::Socks { text });
            }
            Destination::Ip(ip)
        }
        (_, Ok(ip)) => Destination::Ip(ip),
        (_, Err(_)) => {
            if let Some(entry) = route.pinned(host, port) {
                let text = format!("--resolve {} is not used: with socks5h:// the proxy resolves {host}", entry.rule);
                emit(Event::Note { level: Level::Warning, text });
            }
            Destination::Name(host.to_string())
        }
    };
    let credentials = proxy.credentials.as_ref().map(|(u, p)| (u.as_str(), p.as_str()));
    let mut step = |text: String| emit(Event::Socks { text });
    let place = authority(&proxy.host, proxy.port);
    connect(stream, &destination, port, credentials, opts.show_secrets, &mut step).map(|_| ()).map_err(|e| match e {
        e if e.is_timeout() => {
            deadline.timed_out(Phase::Proxy, &format!("during the SOCKS5 exchange with the proxy {place}"))
        }
        SocksError::Io(e) => {
            let words = format!("could not talk to the SOCKS5 proxy {place}: {}", os_words(&e));
            Failure::because(Code::Connect, Cause::Io(e), words)
        }
        SocksError::Refused(code) => Failure::new(
            Code::Connect,
            format!(
                "the SOCKS5 proxy {place} could not open the tunnel to {destination}:{port}: {} (reply {code})",
                reply_words(code)
            ),
        ),
        other => Failure::new(Code::Connect, format!("the SOCKS5 proxy {place} {other}")),
    })
}

/// RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD → VER, STATUS (0 is success).
fn authenticate(stream: &mut (impl Read + Write), user: &str, pass: &str) -> Result<(), SocksError> {
    let ulen = u8::try_from(user.len()).map_err(|_| SocksError::TooLong("user name"))?;
    let plen = u8::try_from(pass.len()).map_err(|_| SocksError::TooLong("password"))?;
    let mut msg = vec![1, ulen];
    msg.extend_from_slice(user.as_bytes());
    msg.push(plen);
    msg.extend_from_slice(pass.as_bytes());
    send(stream, &msg)?;
    let answer = read_n::<2>(stream)?;
    if answer[1] != 0 {
        return Err(SocksError::AuthFailed(answer[1]));
    }
    Ok(())
}

/// BND.ADDR and BND.PORT of a reply, in words. A domain name is accepted (pproxy sends one).
fn read_address(stream: &mut impl Read, kind: u8) -> Result<String, SocksError> {
    let host = match kind {
        0x01 => Ipv4Addr::from(read_n::<4>(stream)?).to_string(),
        0x04 => format!("[{}]", Ipv6Addr::from(read_n::<16>(stream)?)),
        0x03 => {
            let [len] = read_n::<1>(stream)?;
            let mut name = vec![0u8; usize::from(len)];
            read_exact(stream, &mut name)?;
            crate::escape::net(&name)
        }
        other => return Err(SocksError::NotSocks(format!("its reply has address type {other}"))),
    };
    let port = u16::from_be_bytes(read_n::<2>(stream)?);
    Ok(format!("{host}:{port}"))
}

fn send(stream: &mut impl Write, bytes: &[u8]) -> Result<(), SocksError> {
    stream.write_all(bytes).and_then(|()| stream.flush()).map_err(SocksError::Io)
}

fn read_n<const N: usize>(stream: &mut impl Read) -> Result<[u8; N], SocksError> {
    let mut buf = [0u8; N];
    read_exact(stream, &mut buf)?;
    Ok(buf)
}

fn read_exact(stream: &mut impl Read, buf: &mut [u8]) -> Result<(), SocksError> {
    stream
        .read_exact(buf)
        .map_err(|e| if e.kind() == io::ErrorKind::UnexpectedEof { SocksError::Closed } else { SocksError::Io(e) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A proxy played from a script: what it answers, and what it was sent.
    struct Scripted {
        answers: io::Cursor<Vec<u8>>,
        sent: Vec<u8>,
    }

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.answers.read(buf)
        }
    }

    impl Write for Scripted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.sent.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn run(
        answers: &[u8],
        dest: Destination,
        creds: Option<(&str, &str)>,
    ) -> (Result<String, SocksError>, Vec<u8>, Vec<String>) {
        let mut s = Scripted { answers: io::Cursor::new(answers.to_vec()), sent: Vec::new() };
        let mut steps = Vec::new();
        let r = connect(&mut s, &dest, 443, creds, false, &mut |t| steps.push(t));
        (r, s.sent, steps)
    }

    #[test]
    fn no_auth_connect_to_a_name() {
        let answers = [&[5, 0][..], &[5, 0, 0, 1, 10, 0, 0, 7, 0x1f, 0x90]].concat();
        let (r, sent, steps) = run(&answers, Destination::Name("example.com".into()), None);
        assert_eq!(r.unwrap(), "10.0.0.7:8080");
        let mut want = vec![5, 1, 0, 5, 1, 0, 3, 11];
        want.extend_from_slice(b"example.com");
        want.extend_from_slice(&443u16.to_be_bytes());
        assert_eq!(sent, want);
        assert_eq!(steps.len(), 4, "{steps:?}");
        assert!(steps[2].contains("(the proxy resolves the name)"), "{steps:?}");
    }

    #[test]
    fn username_password_and_ipv6_destination() {
        let answers = [&[5, 2][..], &[1, 0], &[5, 0, 0, 4], &[0; 16], &[0, 80]].concat();
        let ip: IpAddr = "::1".parse().unwrap();
        let (r, sent, steps) = run(&answers, Destination::Ip(ip), Some(("alice", "s3cret")));
        assert_eq!(r.unwrap(), "[::]:80");
        assert_eq!(&sent[..4], &[5, 2, 0, 2]);
        assert_eq!(&sent[4..18], b"\x01\x05alice\x06s3cret");
        assert_eq!(sent[18..22], [5, 1, 0, 4]);
        assert!(steps.iter().all(|s| !s.contains("s3cret")), "{steps:?}");
    }

    #[test]
    fn a_bound_address_given_as_a_name_is_accepted() {
        let answers = [&[5, 0][..], &[5, 0, 0, 3, 9], b"localhost", &[0x04, 0x38]].concat();
        let (r, _, _) = run(&answers, Destination::Ip([127, 0, 0, 1].into()), None);
        assert_eq!(r.unwrap(), "localhost:1080");
    }

    #[test]
    fn refusals_are_typed_and_worded() {
        let refused = [&[5, 0][..], &[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]].concat();
        let (r, _, _) = run(&refused, Destination::Name("h".into()), None);
        let e = r.unwrap_err();
        assert!(matches!(e, SocksError::Refused(5)));
        assert_eq!(e.to_string(), "refused the connection: connection refused by the destination (reply 5)");
        let (r, _, _) = run(&[5, 2, 1, 1], Destination::Name("h".into()), Some(("u", "bad")));
        assert!(matches!(r.unwrap_err(), SocksError::AuthFailed(1)));
        let (r, _, _) = run(&[5, 0xff], Destination::Name("h".into()), None);
        assert!(r.unwrap_err().to_string().contains("wants authentication"));
        let (r, _, _) = run(&[5, 2], Destination::Name("h".into()), None);
        assert!(matches!(r.unwrap_err(), SocksError::NoAcceptableMethod { had_credentials: false }));
        let (r, _, _) = run(b"HTTP/1.1 400 Bad", Destination::Name("h".into()), None);
        assert!(matches!(r.unwrap_err(), SocksError::NotSocks(_)));
        let (r, _, _) = run(&[5], Destination::Name("h".into()), None);
        assert!(matches!(r.unwrap_err(), SocksError::Closed));
        let long = "x".repeat(256);
        let (r, _, _) = run(&[5, 0], Destination::Name(long), None);
        assert!(matches!(r.unwrap_err(), SocksError::TooLong("host name")));
    }
}
