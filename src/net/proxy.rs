//! Proxies: which proxy to use (the flag, else the environment as curl reads it), whether
//! NO_PROXY exempts the target, and the HTTP CONNECT exchange itself (SOCKS5's is in `socks`).

use std::io::Write;
use std::net::IpAddr;

use crate::event::Event;
use crate::exit::{Cause, Code, Failure, Phase};
use crate::http1::{self, USER_AGENT, auth};
use crate::target::{Scheme, Target};
use crate::words::os_words;

/// A proxy to tunnel through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    pub kind: Kind,
    pub host: String,
    pub port: u16,
    /// (user, password): `Proxy-Authorization: Basic` for HTTP, RFC 1929 for SOCKS5.
    pub credentials: Option<(String, String)>,
    /// Where it came from, for the transcript: `--proxy` or the variable's name.
    pub source: String,
}

/// How a proxy opens the tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `http://`: HTTP CONNECT.
    Http,
    /// `socks5://`: SOCKS5, the server's name resolved here.
    Socks5,
    /// `socks5h://`: SOCKS5, the proxy resolves the name.
    Socks5h,
}

impl Kind {
    fn of(scheme: &str) -> Option<Kind> {
        match scheme.to_ascii_lowercase().as_str() {
            "http" => Some(Kind::Http),
            "socks5" => Some(Kind::Socks5),
            "socks5h" => Some(Kind::Socks5h),
            _ => None,
        }
    }

    pub fn is_socks(self) -> bool {
        self != Kind::Http
    }
}

/// The kinds of proxy wscheck can use, for messages.
const KINDS: &str = "http:// (CONNECT), socks5:// and socks5h://";

/// Parse a proxy URL: `http://`, `socks5://` or `socks5h://` `[user:pass@]host[:port]`,
/// scheme optional (http), port 1080 by default (as curl).
pub fn parse(url: &str, source: &str) -> Result<Proxy, Failure> {
    let usage = |m: String| Failure::new(Code::Usage, m);
    let text = if url.contains("://") { url.to_string() } else { format!("http://{url}") };
    let parsed = url::Url::parse(&text).map_err(|e| usage(format!("bad proxy URL from {source}: {e}")))?;
    let Some(kind) = Kind::of(parsed.scheme()) else {
        return Err(usage(format!(
            "proxy from {source}: only {KINDS} proxies are supported, not {}://",
            parsed.scheme()
        )));
    };
    let host = match parsed.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => a.to_string(),
        None => return Err(usage(format!("proxy from {source} has no host"))),
    };
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let credentials =
        (!parsed.username().is_empty()).then(|| (decode(parsed.username()), decode(parsed.password().unwrap_or(""))));
    if let Some((user, pass)) = &credentials
        && kind.is_socks()
        && (user.len() > 255 || pass.len() > 255)
    {
        return Err(usage(format!("proxy from {source}: a SOCKS5 user name or password has at most 255 bytes")));
    }
    Ok(Proxy { kind, host, port: parsed.port().unwrap_or(1080), credentials, source: source.to_string() })
}

/// The proxy for `target`: `--proxy` wins (an empty one means none), else the environment
/// as curl reads it: `http_proxy` (lower case only) for ws://, `https_proxy`/`HTTPS_PROXY`
/// for wss://, then `all_proxy`/`ALL_PROXY`; `--noproxy` or `no_proxy`/`NO_PROXY` exempt hosts.
///
/// A variable naming a proxy of a kind wscheck cannot use (`socks4://…`) is skipped with a
/// warning in `warnings`, never an error: it was set for other programs too.
pub fn select(
    target: &Target,
    flag: Option<&str>,
    noproxy: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<Option<Proxy>, Failure> {
    let exempt_list = noproxy.map(str::to_string).or_else(|| env("no_proxy")).or_else(|| env("NO_PROXY"));
    if exempt_list.as_deref().is_some_and(|list| exempt(list, &target.host, target.port)) {
        return Ok(None);
    }
    if let Some(url) = flag {
        return if url.is_empty() { Ok(None) } else { parse(url, "--proxy").map(Some) };
    }
    let names: &[&str] = match target.scheme {
        Scheme::Ws => &["http_proxy", "all_proxy", "ALL_PROXY"],
        Scheme::Wss => &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"],
    };
    for name in names {
        let Some(url) = env(name).filter(|v| !v.is_empty()) else { continue };
        match url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase()) {
            Some(scheme) if Kind::of(&scheme).is_none() => warnings.push(format!(
                "{name}={} is a {scheme}:// proxy, which wscheck cannot use (only {KINDS}): ignored",
                crate::target::redact(&url)
            )),
            _ => return parse(&url, name).map(Some),
        }
    }
    Ok(None)
}

/// True when the NO_PROXY list exempts `host:port`: `*`, an exact host or IP, a domain
/// suffix (`example.com` and `.example.com` both match `a.example.com`), optionally `:port`.
pub fn exempt(list: &str, host: &str, port: u16) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    list.split(',').map(str::trim).filter(|e| !e.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.to_ascii_lowercase();
        if let Some((net, bits)) = entry.split_once('/') {
            // CIDR (curl 7.86+): matches an IP address host only, whatever its port.
            return cidr_contains(net.trim_start_matches('[').trim_end_matches(']'), bits, &host);
        }
        let (name, entry_port) = split_port(&entry);
        if entry_port.is_some_and(|p| p != port) {
            return false;
        }
        let name = name.trim_start_matches("*.").trim_start_matches('.').trim_end_matches('.');
        if host.parse::<IpAddr>().is_ok() || name.parse::<IpAddr>().is_ok() {
            return host == name;
        }
        host == name || host.ends_with(&format!(".{name}"))
    })
}

/// True when the IP address `host` is inside `net/bits`; false for names and bad entries.
fn cidr_contains(net: &str, bits: &str, host: &str) -> bool {
    let (Ok(net), Ok(bits), Ok(host)) = (net.parse::<IpAddr>(), bits.parse::<u32>(), host.parse::<IpAddr>()) else {
        return false;
    };
    let prefix = |a: u128, b: u128, width: u32| bits <= width && (bits == 0 || (a ^ b) >> (width - bits) == 0);
    match (net, host) {
        (IpAddr::V4(n), IpAddr::V4(h)) => prefix(u32::from(n).into(), u32::from(h).into(), 32),
        (IpAddr::V6(n), IpAddr::V6(h)) => prefix(u128::from(n), u128::from(h), 128),
        _ => false,
    }
}

fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(inner) = entry.strip_prefix('[') {
        // [::1]:8080 or [::1]
        if let Some((addr, rest)) = inner.split_once(']') {
            return (addr, rest.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match entry.rsplit_once(':') {
        Some((name, p)) if !name.contains(':') => match p.parse() {
            Ok(port) => (name, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

/// Ask the HTTP proxy for a tunnel to `authority` (the URL's, or where `--connect-to` points
/// it) over `stream` and check its answer.
pub fn tunnel(
    stream: &mut super::socket::Socket,
    proxy: &Proxy,
    authority: &str,
    show_secrets: bool,
    deadline: super::Deadline,
    emit: &mut dyn FnMut(Event),
) -> Result<(), Failure> {
    let mut lines = vec![format!("CONNECT {authority} HTTP/1.1"), format!("Host: {authority}")];
    let mut shown = lines.clone();
    if let Some((user, pass)) = &proxy.credentials {
        let value = auth::basic_auth(user, pass);
        let name = "Proxy-Authorization";
        let masked = if show_secrets { None } else { auth::mask(name, value.as_bytes()) };
        shown.push(format!("{name}: {}", masked.as_deref().unwrap_or(&value)));
        lines.push(format!("{name}: {value}"));
    }
    lines.push(format!("User-Agent: {}", USER_AGENT));
    shown.push(lines.last().cloned().unwrap_or_default());
    let mut bytes = lines.join("\r\n").into_bytes();
    bytes.extend_from_slice(b"\r\n\r\n");
    stream.write_all(&bytes).map_err(|e| {
        let words = format!("could not talk to the proxy: {}", os_words(&e));
        if e.kind() == std::io::ErrorKind::TimedOut {
            Failure::because(Code::Timeout, Cause::Timeout(Phase::Proxy), format!("{words}{}", deadline.aside()))
        } else {
            Failure::because(Code::Connect, Cause::Io(e), words)
        }
    })?;
    let refused = |why: String| Failure::new(Code::Connect, format!("the proxy {}:{} {why}", proxy.host, proxy.port));
    let (buf, end) = http1::read_head(stream, deadline.limit()).map_err(|f| match f.code {
        Code::Timeout => Failure { cause: Cause::Timeout(Phase::Proxy), ..f },
        _ => Failure { cause: f.cause, ..refused(format!("did not answer the CONNECT: {}", f.message)) },
    })?;
    let answer = http1::parse(&buf, end).map_err(|f| refused(format!("sent a malformed answer: {}", f.message)))?;
    shown.push(String::new());
    emit(Event::Proxy { request: shown, response: answer.lines.clone(), status: answer.status });
    if !(200..300).contains(&answer.status) {
        // Message text, escaped once by the renderer.
        let status_line = crate::escape::net(&answer.lines[0].bytes);
        let hint = match answer.status {
            407 => " (it wants credentials: --proxy http://user:pass@host:port)",
            403 => " (the proxy does not allow this destination)",
            502..=504 => " (the proxy could not reach the server)",
            _ => "",
        };
        return Err(refused(format!("refused the tunnel to {authority}: {status_line}{hint}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn environment_as_curl_reads_it() {
        let env = env_of(&[
            ("http_proxy", "p1:3128"),
            ("HTTPS_PROXY", "http://u:p%40ss@p2:8080"),
            ("HTTP_PROXY", "ignored:1"),
        ]);
        let ws = select(&t("ws://h/"), None, None, &env, &mut vec![]).unwrap().unwrap();
        assert_eq!((ws.host.as_str(), ws.port, ws.source.as_str()), ("p1", 3128, "http_proxy"));
        let wss = select(&t("wss://h/"), None, None, &env, &mut vec![]).unwrap().unwrap();
        assert_eq!((wss.host.as_str(), wss.port), ("p2", 8080));
        assert_eq!(wss.credentials, Some(("u".into(), "p@ss".into())));
        let upper_only = env_of(&[("HTTP_PROXY", "p:1")]);
        assert_eq!(select(&t("ws://h/"), None, None, &upper_only, &mut vec![]).unwrap(), None);
        let all = env_of(&[("ALL_PROXY", "p3")]);
        assert_eq!(select(&t("ws://h/"), None, None, &all, &mut vec![]).unwrap().unwrap().port, 1080);
    }

    #[test]
    fn a_proxy_variable_of_another_kind_is_skipped_with_a_warning() {
        let env = env_of(&[("all_proxy", "socks4://u:pw@s:1080"), ("ALL_PROXY", "http://p:3128")]);
        let mut warnings = vec![];
        let p = select(&t("ws://h/"), None, None, &env, &mut warnings).unwrap().unwrap();
        assert_eq!((p.host.as_str(), p.source.as_str()), ("p", "ALL_PROXY"));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("socks4://u:*****@s:1080") && !warnings[0].contains("pw"), "{warnings:?}");
        let only = env_of(&[("ALL_PROXY", "https://s")]);
        let mut warnings = vec![];
        assert_eq!(select(&t("wss://h/"), None, None, &only, &mut warnings).unwrap(), None);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn socks5_proxies_in_the_flag_and_the_environment() {
        let env = env_of(&[("http_proxy", "socks5h://u:p%40ss@s:9050"), ("ALL_PROXY", "SOCKS5://s2")]);
        let mut warnings = vec![];
        let p = select(&t("ws://h/"), None, None, &env, &mut warnings).unwrap().unwrap();
        assert_eq!((p.kind, p.host.as_str(), p.port), (Kind::Socks5h, "s", 9050));
        assert_eq!(p.credentials, Some(("u".into(), "p@ss".into())));
        let p = select(&t("wss://h/"), None, None, &env, &mut warnings).unwrap().unwrap();
        assert_eq!((p.kind, p.port, p.source.as_str()), (Kind::Socks5, 1080, "ALL_PROXY"));
        assert!(warnings.is_empty(), "{warnings:?}");
        let flag = select(&t("ws://h/"), Some("socks5://[::1]:1"), None, &env, &mut warnings).unwrap().unwrap();
        assert_eq!((flag.kind, flag.host.as_str(), flag.port), (Kind::Socks5, "::1", 1));
        let long = format!("socks5://{}:p@s", "u".repeat(256));
        assert_eq!(parse(&long, "--proxy").unwrap_err().code, Code::Usage);
        assert!(parse(&format!("http://{}:p@s", "u".repeat(256)), "--proxy").is_ok());
    }

    #[test]
    fn flag_wins_and_empty_flag_disables() {
        let env = env_of(&[("http_proxy", "p1:3128")]);
        assert_eq!(select(&t("ws://h/"), Some("px:9"), None, &env, &mut vec![]).unwrap().unwrap().host, "px");
        assert_eq!(select(&t("ws://h/"), Some(""), None, &env, &mut vec![]).unwrap(), None);
        assert!(select(&t("ws://h/"), Some("socks4://x"), None, &env, &mut vec![]).is_err());
    }

    #[test]
    fn no_proxy_forms() {
        assert!(exempt("*", "anything", 1));
        assert!(exempt("localhost,example.com", "a.example.com", 80));
        assert!(exempt(".example.com", "example.com", 80));
        assert!(!exempt("example.com", "badexample.com", 80));
        assert!(exempt("example.com:8080", "example.com", 8080));
        assert!(!exempt("example.com:8080", "example.com", 80));
        assert!(exempt("127.0.0.1", "127.0.0.1", 9));
        assert!(!exempt("127.0.0.1", "127.0.0.10", 9));
        assert!(exempt("[::1]:9", "::1", 9));
        assert!(exempt("127.0.0.0/8", "127.1.2.3", 80));
        assert!(!exempt("127.0.0.0/8", "128.0.0.1", 80));
        assert!(exempt("10.0.0.0/8, 192.168.0.0/16", "192.168.4.5", 80));
        assert!(exempt("0.0.0.0/0", "8.8.8.8", 80));
        assert!(exempt("::1/128", "::1", 80));
        assert!(exempt("[fd00::]/8", "fd12::1", 80));
        assert!(!exempt("fd00::/8", "fe80::1", 80));
        assert!(!exempt("127.0.0.0/8", "localhost", 80), "CIDR matches addresses, not names");
        assert!(!exempt("127.0.0.0/33", "127.0.0.1", 80));
        assert!(!exempt("127.0.0.0/8", "::1", 80));
        let env = env_of(&[("http_proxy", "p1:3128"), ("NO_PROXY", "h")]);
        assert_eq!(select(&t("ws://h/"), None, None, &env, &mut vec![]).unwrap(), None);
        assert!(select(&t("ws://h/"), None, Some(""), &env, &mut vec![]).unwrap().is_some());
    }
}
