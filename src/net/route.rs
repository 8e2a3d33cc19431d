//! Where a connection really goes (SPEC §10, as curl): `--connect-to` re-points a URL's host
//! and port, `--resolve` gives a name and port its addresses, `-4`/`-6` restrict what DNS
//! may answer, `--unix-socket` replaces the network. Host, SNI, certificate checks and
//! redirects keep the URL's names: only the connection changes.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{Deadline, tcp};
use crate::exit::Failure;

/// Which addresses DNS may answer (`-4`, `-6`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Family {
    #[default]
    Any,
    V4,
    V6,
}

impl Family {
    pub fn allows(self, ip: IpAddr) -> bool {
        match self {
            Family::Any => true,
            Family::V4 => ip.is_ipv4(),
            Family::V6 => ip.is_ipv6(),
        }
    }

    /// The flag that asked for it.
    pub fn flag(self) -> &'static str {
        match self {
            Family::Any => "",
            Family::V4 => "-4",
            Family::V6 => "-6",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Any => "IP",
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// One `--connect-to HOST:PORT:CONNECT_HOST:CONNECT_PORT`: an empty HOST or PORT matches
/// any, an empty CONNECT_HOST or CONNECT_PORT keeps the URL's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    /// As given, for the transcript.
    pub rule: String,
    host: Option<String>,
    port: Option<u16>,
    to_host: Option<String>,
    to_port: Option<u16>,
}

impl ConnectTo {
    pub fn parse(rule: &str) -> Result<ConnectTo, String> {
        let shape = "write HOST:PORT:CONNECT_HOST:CONNECT_PORT (any may be empty; an IPv6 address in [brackets])";
        let (host, rest) = host_field(rule).ok_or_else(|| format!("no ':' after the host: {shape}"))?;
        let (port, rest) = rest.split_once(':').ok_or_else(|| format!("too few fields: {shape}"))?;
        let (to_host, to_port) = host_field(rest).ok_or_else(|| format!("too few fields: {shape}"))?;
        if to_port.contains(':') {
            return Err(format!("too many fields: {shape}"));
        }
        Ok(ConnectTo {
            rule: rule.to_string(),
            host: (!host.is_empty()).then(|| normal(host)),
            port: optional_port(port)?,
            to_host: (!to_host.is_empty()).then(|| normal(to_host)),
            to_port: optional_port(to_port)?,
        })
    }

    /// Where `host:port` goes under this rule, when it matches and changes something.
    fn apply(&self, host: &str, port: u16) -> Option<(String, u16)> {
        let host_matches = self.host.as_deref().is_none_or(|h| h == normal(host));
        let port_matches = self.port.is_none_or(|p| p == port);
        if !(host_matches && port_matches) || (self.to_host.is_none() && self.to_port.is_none()) {
            return None;
        }
        Some((self.to_host.clone().unwrap_or_else(|| host.to_string()), self.to_port.unwrap_or(port)))
    }
}

/// One `--resolve [+]HOST:PORT:ADDR[,ADDR…]` (HOST may be `*`), or `-HOST:PORT`, which
/// drops the entries given before it for that host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    /// As given, for the transcript.
    pub rule: String,
    /// `None` for `*`.
    host: Option<String>,
    port: u16,
    /// Empty for a `-HOST:PORT` removal.
    addrs: Vec<IpAddr>,
}

impl Resolve {
    pub fn parse(rule: &str) -> Result<Resolve, String> {
        let shape = "write HOST:PORT:ADDR[,ADDR…] (an IPv6 address in [brackets])";
        let (remove, body) = match rule.as_bytes().first() {
            Some(b'-') => (true, &rule[1..]),
            // '+' asks curl to let the entry expire from its cache; wscheck keeps none.
            Some(b'+') => (false, &rule[1..]),
            _ => (false, rule),
        };
        let (host, rest) = host_field(body).ok_or_else(|| format!("no ':' after the host: {shape}"))?;
        if host.is_empty() {
            return Err(format!("no host: {shape}"));
        }
        let host = (host != "*").then(|| normal(host));
        if remove {
            let port = port_number(rest)?;
            return Ok(Resolve { rule: rule.to_string(), host, port, addrs: Vec::new() });
        }
        let (port, list) = rest.split_once(':').ok_or_else(|| format!("no address: {shape}"))?;
        let addrs = list
            .split(',')
            .map(|a| {
                let a = a.trim();
                let bare = a.strip_prefix('[').and_then(|a| a.strip_suffix(']')).unwrap_or(a);
                bare.parse::<IpAddr>().map_err(|_| format!("'{a}' is not an IP address: {shape}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Resolve { rule: rule.to_string(), host, port: port_number(port)?, addrs })
    }
}

/// How connections are routed: the flags above, checked.
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub unix_socket: Option<PathBuf>,
    pub connect_to: Vec<ConnectTo>,
    pub resolve: Vec<Resolve>,
    pub family: Family,
}

/// The addresses found for a host and port, and how.
#[derive(Debug)]
pub struct Addresses {
    pub addrs: Vec<SocketAddr>,
    /// DNS time; `None` when no lookup was made (an IP literal, `--resolve`).
    pub dns: Option<Duration>,
    /// The `--resolve` entry that gave them.
    pub rule: Option<String>,
}

impl Route {
    /// Where a connection for `host:port` goes: the first `--connect-to` that matches and
    /// changes something re-points it (as curl), else it goes where the URL says.
    pub fn destination(&self, host: &str, port: u16) -> (String, u16, Option<&ConnectTo>) {
        for rule in &self.connect_to {
            if let Some((h, p)) = rule.apply(host, port) {
                return (h, p, Some(rule));
            }
        }
        (host.to_string(), port, None)
    }

    /// The `--resolve` entry for `host:port`: the last exact one, else the last `*` one (as
    /// curl: wildcards are tried last); a `-HOST:PORT` after an entry drops it.
    pub fn pinned(&self, host: &str, port: u16) -> Option<&Resolve> {
        let host = normal(host);
        let last = |exact: bool| {
            self.resolve
                .iter()
                .rev()
                .find(|r| r.port == port && if exact { r.host.as_deref() == Some(&host) } else { r.host.is_none() })
                .filter(|r| !r.addrs.is_empty())
        };
        last(true).or_else(|| last(false))
    }

    /// The addresses of `host:port`: `--resolve`'s (whatever `-4`/`-6` say, as curl), an IP
    /// literal, or DNS restricted to the family, before `deadline`.
    pub fn addresses(&self, host: &str, port: u16, deadline: Deadline) -> Result<Addresses, Failure> {
        if let Some(entry) = self.pinned(host, port) {
            let addrs = entry.addrs.iter().map(|ip| SocketAddr::new(*ip, port)).collect();
            return Ok(Addresses { addrs, dns: None, rule: Some(entry.rule.clone()) });
        }
        let started = Instant::now();
        let (addrs, looked_up) = tcp::resolve(host, port, self.family, deadline)?;
        Ok(Addresses { addrs, dns: looked_up.then(|| started.elapsed()), rule: None })
    }
}

/// A host field and what follows its ':': `[v6]:rest` or `name:rest`.
fn host_field(s: &str) -> Option<(&str, &str)> {
    if let Some(inner) = s.strip_prefix('[') {
        let (host, rest) = inner.split_once(']')?;
        return Some((host, rest.strip_prefix(':')?));
    }
    s.split_once(':')
}

/// A host as compared: lower case, an IP address in its canonical form.
fn normal(host: &str) -> String {
    match host.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => host.trim_end_matches('.').to_ascii_lowercase(),
    }
}

fn port_number(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("'{s}' is not a port number (1-65535)")),
    }
}

fn optional_port(s: &str) -> Result<Option<u16>, String> {
    if s.is_empty() { Ok(None) } else { port_number(s).map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(connect_to: &[&str], resolve: &[&str]) -> Route {
        Route {
            connect_to: connect_to.iter().map(|r| ConnectTo::parse(r).unwrap()).collect(),
            resolve: resolve.iter().map(|r| Resolve::parse(r).unwrap()).collect(),
            ..Route::default()
        }
    }

    fn dest(r: &Route, host: &str, port: u16) -> (String, u16, Option<String>) {
        let (h, p, rule) = r.destination(host, port);
        (h, p, rule.map(|c| c.rule.clone()))
    }

    #[test]
    fn connect_to_matches_as_curl_does() {
        let r = route(&["example.com:443:backend-2:8080", "::10.0.0.9:", ":80::8081"], &[]);
        let rule = |s: &str| Some(s.to_string());
        assert_eq!(dest(&r, "Example.COM", 443), ("backend-2".into(), 8080, rule("example.com:443:backend-2:8080")));
        // An empty HOST and PORT match anything; an empty CONNECT_PORT keeps the URL's.
        assert_eq!(dest(&r, "example.com", 444), ("10.0.0.9".into(), 444, rule("::10.0.0.9:")));
        let only_port = route(&[":80::8081"], &[]);
        assert_eq!(dest(&only_port, "a.test", 80), ("a.test".into(), 8081, rule(":80::8081")));
        assert_eq!(dest(&only_port, "a.test", 81), ("a.test".into(), 81, None));
        // A rule that changes nothing does not stop the search (curl goes on to the next).
        let r = route(&["a.test:80::", "a.test:80:b.test:"], &[]);
        assert_eq!(dest(&r, "a.test", 80), ("b.test".into(), 80, rule("a.test:80:b.test:")));
        // IPv6 in brackets, on both sides; compared as addresses.
        let r = route(&["[0::1]:9:[::2]:10"], &[]);
        assert_eq!(dest(&r, "::1", 9), ("::2".into(), 10, rule("[0::1]:9:[::2]:10")));
    }

    #[test]
    fn connect_to_syntax_errors() {
        for bad in
            ["", "a", "a:1", "a:1:b", "a:1:b:2:3", "a:x:b:2", "a:1:b:0", "a:1:b:70000", "[::1:1:b:2", "a:1:::1:2"]
        {
            assert!(ConnectTo::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(ConnectTo::parse(":::").is_ok());
    }

    #[test]
    fn resolve_entries_as_curl_reads_them() {
        let r = route(&[], &["a.test:443:10.0.0.1,[::1], 10.0.0.2", "*:443:192.0.2.9", "+b.test:80:::1"]);
        let addrs = |h: &str, p: u16| r.pinned(h, p).map(|e| e.addrs.clone());
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(addrs("A.test", 443), Some(vec![ip("10.0.0.1"), ip("::1"), ip("10.0.0.2")]));
        assert_eq!(addrs("other.test", 443), Some(vec![ip("192.0.2.9")]), "the wildcard is tried last");
        assert_eq!(addrs("b.test", 80), Some(vec![ip("::1")]), "a bare IPv6 address after the port");
        assert_eq!(addrs("a.test", 80), None, "the port must match");
        // The last entry wins; a removal drops what came before it.
        let r = route(&[], &["a.test:1:10.0.0.1", "a.test:1:10.0.0.2"]);
        assert_eq!(r.pinned("a.test", 1).unwrap().addrs, vec![ip("10.0.0.2")]);
        let r = route(&[], &["a.test:1:10.0.0.1", "-a.test:1"]);
        assert_eq!(r.pinned("a.test", 1), None);
        for bad in ["a.test", "a.test:1", "a.test:1:", "a.test:x:10.0.0.1", "a.test:1:nope", ":1:10.0.0.1"] {
            assert!(Resolve::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn resolve_gives_addresses_whatever_the_family() {
        let r = Route { family: Family::V4, ..route(&[], &["h.test:1:[::1]"]) };
        let deadline = Deadline { at: Instant::now() + Duration::from_secs(5), by_timeout: false };
        let found = r.addresses("h.test", 1, deadline).unwrap();
        assert_eq!(found.addrs, vec!["[::1]:1".parse().unwrap()]);
        assert_eq!((found.dns, found.rule.as_deref()), (None, Some("h.test:1:[::1]")));
        let e = r.addresses("::1", 1, deadline).unwrap_err();
        assert_eq!(e.message, "cannot connect to ::1: it is an IPv6 address, and -4 allows only IPv4");
        assert_eq!(e.code, crate::exit::Code::Connect);
    }
}
