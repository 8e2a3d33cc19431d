//! The URL the user gave, turned into what to connect to and what to ask for (SPEC §2).

use std::fmt;

use url::{Host, Url};

use crate::exit::{Code, Failure};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Ws,
    Wss,
}

impl Scheme {
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Ws => 80,
            Scheme::Wss => 443,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Ws => "ws",
            Scheme::Wss => "wss",
        }
    }
}

/// Where to connect and what to put in the request line and `Host`.
#[derive(Debug, Clone)]
pub struct Target {
    pub scheme: Scheme,
    /// Host name or IP address, IPv6 without brackets (for DNS, SNI and certificates).
    pub host: String,
    pub port: u16,
    /// The request target: path and query, never empty.
    pub resource: String,
    /// `Host` header value: host, bracketed when IPv6, with the port when not the default.
    pub host_header: String,
    /// Credentials from the URL's userinfo, percent-decoded.
    pub userinfo: Option<(String, String)>,
    /// Notes to show the user about how the URL was read (e.g. http:// mapped to ws://).
    pub notes: Vec<String>,
}

impl Target {
    pub fn parse(raw: &str) -> Result<Target, Failure> {
        let usage = |m: String| Failure::new(Code::Usage, m);
        // Messages quote the URL without its password.
        let shown = redact(raw);
        let input = shown.as_str();
        let mut notes = Vec::new();
        let has_scheme = raw
            .find("://")
            .is_some_and(|i| i > 0 && raw[..i].chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)));
        let no_host = || usage(format!("'{input}' has no host: write ws://HOST[:PORT]/PATH"));
        if has_scheme {
            // The URL standard reads `ws:///path` as the host `path`: an empty host is an error.
            let after = &raw[raw.find("://").unwrap_or(0) + 3..];
            if after.is_empty() || after.starts_with(['/', '?', '#']) {
                return Err(no_host());
            }
        } else if let Some((scheme, rest)) = raw.split_once(':')
            && ["ws", "wss", "http", "https"].iter().any(|s| s.eq_ignore_ascii_case(scheme))
            && (rest.is_empty() || rest.starts_with('/'))
        {
            // `ws:/path` or `ws:`: a scheme without its `//` (`ws:9001` stays the host `ws`).
            return Err(usage(format!("'{input}' needs '//' after '{scheme}:': write {scheme}://HOST[:PORT]/PATH")));
        }
        let owned;
        let text = if has_scheme {
            raw
        } else {
            owned = format!("ws://{raw}");
            &owned
        };
        let mut url = Url::parse(text).map_err(|e| match e {
            url::ParseError::EmptyHost => no_host(),
            e => usage(format!("invalid URL '{input}': {e}")),
        })?;
        let scheme = match url.scheme() {
            "ws" => Scheme::Ws,
            "wss" => Scheme::Wss,
            "http" | "https" => {
                let mapped = if url.scheme() == "http" { "ws" } else { "wss" };
                notes.push(format!("{}:// is mapped to {mapped}://", url.scheme()));
                // Url::set_scheme refuses special-to-special changes only across kinds; ws/http are both special.
                let rest = &text[text.find("://").unwrap_or(0)..];
                url =
                    Url::parse(&format!("{mapped}{rest}")).map_err(|e| usage(format!("invalid URL '{input}': {e}")))?;
                if mapped == "ws" { Scheme::Ws } else { Scheme::Wss }
            }
            other => {
                return Err(usage(format!("unsupported scheme '{other}://' in '{input}': use ws:// or wss://")));
            }
        };
        if url.fragment().is_some() {
            return Err(usage(format!(
                "'{input}' has a fragment (#…): WebSocket URIs must not have one (RFC 6455 §3)"
            )));
        }
        let (host, bracketed) = match url.host() {
            Some(Host::Domain(d)) => (d.to_string(), d.to_string()),
            Some(Host::Ipv4(a)) => (a.to_string(), a.to_string()),
            Some(Host::Ipv6(a)) => (a.to_string(), format!("[{a}]")),
            None => return Err(usage(format!("'{input}' has no host"))),
        };
        if host.is_empty() {
            return Err(usage(format!("'{input}' has no host")));
        }
        let port = url.port().unwrap_or(scheme.default_port());
        let host_header = if port == scheme.default_port() { bracketed } else { format!("{bracketed}:{port}") };
        let mut resource = url.path().to_string();
        if resource.is_empty() {
            resource.push('/');
        }
        if let Some(q) = url.query() {
            resource.push('?');
            resource.push_str(q);
        }
        let userinfo = if url.username().is_empty() && url.password().is_none() {
            None
        } else {
            let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
            Some((decode(url.username()), decode(url.password().unwrap_or(""))))
        };
        Ok(Target { scheme, host, port, resource, host_header, userinfo, notes })
    }

    /// `host:port` for messages, bracketed when IPv6.
    pub fn authority(&self) -> String {
        authority(&self.host, self.port)
    }
}

/// `host:port`, the host bracketed when it is an IPv6 address.
pub fn authority(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// `raw` with the password of any `user:password@` replaced by `*****`.
pub fn redact(raw: &str) -> String {
    let start = raw.find("://").map_or(0, |i| i + 3);
    let authority_end = raw[start..].find(['/', '?', '#']).map_or(raw.len(), |i| start + i);
    match raw[start..authority_end].rfind('@') {
        Some(at) => {
            let userinfo = &raw[start..start + at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:*****{}", &raw[..start], &raw[start + at..]),
                None => raw.to_string(),
            }
        }
        None => raw.to_string(),
    }
}

impl fmt::Display for Target {
    /// The URL without credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme.as_str(), self.host_header, self.resource)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        Target::parse(s).unwrap()
    }

    #[test]
    fn no_scheme_is_ws() {
        let t = t("localhost:9001/chat");
        assert_eq!((t.scheme, t.host.as_str(), t.port, t.resource.as_str()), (Scheme::Ws, "localhost", 9001, "/chat"));
        assert_eq!(t.host_header, "localhost:9001");
    }

    #[test]
    fn default_ports_and_host_header() {
        let a = t("ws://example.com");
        assert_eq!((a.port, a.resource.as_str(), a.host_header.as_str()), (80, "/", "example.com"));
        let b = t("wss://example.com/x?y=1");
        assert_eq!((b.port, b.resource.as_str(), b.host_header.as_str()), (443, "/x?y=1", "example.com"));
        assert_eq!(t("ws://example.com:443/").host_header, "example.com:443");
    }

    #[test]
    fn http_is_mapped() {
        let a = t("http://h:1/");
        assert_eq!(a.scheme, Scheme::Ws);
        assert_eq!(a.notes.len(), 1);
        let b = t("https://h/");
        assert_eq!((b.scheme, b.port), (Scheme::Wss, 443));
    }

    #[test]
    fn fragment_and_other_schemes_are_usage_errors() {
        assert_eq!(Target::parse("ws://h/#x").unwrap_err().code, Code::Usage);
        assert_eq!(Target::parse("ftp://h/").unwrap_err().code, Code::Usage);
        assert_eq!(Target::parse("ws://").unwrap_err().code, Code::Usage);
    }

    #[test]
    fn an_empty_host_is_a_usage_error() {
        for url in
            ["ws:///path", "wss:///", "ws://:80/", "ws://?x", "ws://user@/x", "ws:/path", "WSS:/", "ws:", "http:/x"]
        {
            let e = Target::parse(url).unwrap_err();
            assert_eq!(e.code, Code::Usage, "{url}");
            assert!(e.message.starts_with(&format!("'{url}' ")), "{url}: {}", e.message);
        }
        assert_eq!(t("ws:9001/x").host, "ws");
        assert_eq!(t("localhost:9001").port, 9001);
    }

    #[test]
    fn ipv6_literal() {
        let a = t("ws://[::1]:9001/");
        assert_eq!((a.host.as_str(), a.host_header.as_str()), ("::1", "[::1]:9001"));
        assert_eq!(a.authority(), "[::1]:9001");
        assert_eq!(t("ws://[::1]/").host_header, "[::1]");
    }

    #[test]
    fn errors_do_not_repeat_the_password() {
        let e = Target::parse("ws://bob:hunter2@h/#frag").unwrap_err();
        assert!(!e.message.contains("hunter2") && e.message.contains("bob:*****@h"), "{}", e.message);
        assert_eq!(redact("h:1/x@y"), "h:1/x@y");
        assert_eq!(redact("wss://a@b/"), "wss://a@b/");
    }

    #[test]
    fn userinfo_is_decoded() {
        let a = t("ws://us%40er:p%3Ass@h/");
        assert_eq!(a.userinfo, Some(("us@er".into(), "p:ss".into())));
        assert_eq!(a.to_string(), "ws://h/");
    }
}
