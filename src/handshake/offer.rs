//! The upgrade request as a value: method, HTTP version and headers in the order and case
//! they are to be sent, some values filled in only when the request is rendered for a target
//! (its `Host`, a fresh key, the origin). wscheck's own request, a browser's shape or a probe
//! variant are all an [`Offer`]; what the user adds to every one of them (`-H`, `-s`, `-o`,
//! `-u`) is an [`Overlay`].

use tungstenite::handshake::client::generate_key;

use super::request::Request;
use crate::exit::{Code, Failure};
use crate::http1::USER_AGENT;
use crate::http1::auth::{basic_auth, is_credential};
use crate::target::Target;

/// A header value, literal or filled in for the target when the request is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    /// The target's `Host` value (`host[:port]`).
    Host,
    /// A fresh random `Sec-WebSocket-Key` (base64 of 16 bytes).
    Key,
    /// `-o` when given, else the URL's own origin (`https://host[:port]`), as a browser sends it.
    Origin,
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Text(text.to_string())
    }
}

/// A request to send: everything about it but the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub method: String,
    /// As written on the request line: `HTTP/1.1`, `HTTP/1.0`.
    pub version: String,
    /// In the order, and with the name case, they are sent.
    pub headers: Vec<(String, Value)>,
}

/// What the user adds to every request: `-H` (in order; an empty value removes), `-s`, `-o`,
/// the credentials of `-u` or the URL, and `--deflate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlay {
    pub headers: Vec<(String, String)>,
    pub subprotocols: Vec<String>,
    pub origin: Option<String>,
    pub auth: Option<(String, String)>,
    /// Offer permessage-deflate as Chrome does (`--deflate`).
    pub deflate: bool,
}

impl Overlay {
    /// Parse `-H 'Name: value'`. A name must be an HTTP token; CR, LF and NUL are refused so
    /// a header cannot smuggle another one.
    pub fn parse_header(raw: &str) -> Result<(String, String), Failure> {
        let bad = |why: &str| Failure::new(Code::Usage, format!("bad -H '{raw}': {why}"));
        let (name, value) = raw.split_once(':').ok_or_else(|| bad("expected 'Name: value'"))?;
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(bad("the name must be a token (letters, digits, '-', …)"));
        }
        if value.contains(['\r', '\n', '\0']) {
            return Err(bad("the value must not contain CR, LF or NUL"));
        }
        Ok((name.to_string(), value.trim().to_string()))
    }

    /// This overlay for another host or scheme: credentials are for the place they were given
    /// for (as curl), so `-u` and credential headers are dropped. True when any was.
    pub fn without_credentials(&self) -> (Overlay, bool) {
        let mut next = self.clone();
        next.headers.retain(|(name, _)| !is_credential(name));
        let dropped = next.auth.take().is_some() || next.headers.len() != self.headers.len();
        (next, dropped)
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl Offer {
    /// A GET over HTTP/1.1 with these headers.
    pub fn get(headers: Vec<(String, Value)>) -> Offer {
        Offer { method: "GET".into(), version: "HTTP/1.1".into(), headers }
    }

    /// wscheck's own request: the five headers RFC 6455 §4.1 asks for, what `-s`,
    /// `--deflate`, `-o` and the credentials add, and wscheck's `User-Agent`; then `-H` (see
    /// [`Offer::edit`]: a `-H 'Sec-WebSocket-Extensions: …'` replaces `--deflate`'s offer).
    pub fn wscheck(overlay: &Overlay) -> Offer {
        let mut headers: Vec<(String, Value)> = vec![
            ("Host".into(), Value::Host),
            ("Upgrade".into(), "websocket".into()),
            ("Connection".into(), "Upgrade".into()),
            ("Sec-WebSocket-Key".into(), Value::Key),
            ("Sec-WebSocket-Version".into(), "13".into()),
        ];
        if !overlay.subprotocols.is_empty() {
            headers.push(("Sec-WebSocket-Protocol".into(), Value::Text(overlay.subprotocols.join(", "))));
        }
        if overlay.deflate {
            headers.push(("Sec-WebSocket-Extensions".into(), crate::deflate::params::OFFER.into()));
        }
        if let Some(origin) = &overlay.origin {
            headers.push(("Origin".into(), Value::Text(origin.clone())));
        }
        if let Some((user, pass)) = &overlay.auth {
            headers.push(("Authorization".into(), Value::Text(basic_auth(user, pass))));
        }
        headers.push(("User-Agent".into(), USER_AGENT.into()));
        Offer::get(headers)
    }

    /// Apply `-H` edits: one naming a header of the offer replaces it where it stands (each
    /// once; the name takes the edit's case), one with an empty value removes it, any other is
    /// added at the end. Returns a warning for each header replaced or removed.
    pub fn edit(&mut self, edits: &[(String, String)]) -> Vec<String> {
        let original = self.headers.len();
        let mut replaced = vec![false; original];
        let mut removed = vec![false; original];
        let mut warnings = Vec::new();
        for (name, value) in edits {
            let existing = (0..original).find(|&i| !replaced[i] && self.headers[i].0.eq_ignore_ascii_case(name));
            match existing {
                Some(i) => {
                    replaced[i] = true;
                    let what = if value.is_empty() { "removes" } else { "replaces" };
                    warnings.push(format!("-H '{name}:' {what} the generated {} header", self.headers[i].0));
                    removed[i] = value.is_empty();
                    self.headers[i] = (name.clone(), Value::Text(value.clone()));
                }
                None if value.is_empty() => {}
                None => self.headers.push((name.clone(), Value::Text(value.clone()))),
            }
        }
        let mut i = 0;
        self.headers.retain(|_| {
            i += 1;
            !removed.get(i - 1).copied().unwrap_or(false)
        });
        warnings
    }

    /// The request for `target`: the values filled in (a new key each time), ready to send.
    pub fn render(&self, target: &Target, origin: Option<&str>) -> Request {
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Value::Text(t) => t.clone(),
                    Value::Host => target.host_header.clone(),
                    Value::Key => generate_key(),
                    Value::Origin => origin.map_or_else(|| url_origin(target), str::to_string),
                };
                (name.clone(), value)
            })
            .collect();
        Request::new(format!("{} {} {}", self.method, target.resource, self.version), headers)
    }
}

/// The origin a browser sends for a page on the URL's host: `https://host[:port]` for wss,
/// `http://host[:port]` for ws.
pub fn url_origin(target: &Target) -> String {
    let scheme = if target.scheme == crate::target::Scheme::Wss { "https" } else { "http" };
    format!("{scheme}://{}", target.host_header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(r: &Request) -> String {
        String::from_utf8(r.to_bytes()).unwrap()
    }

    fn target(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    #[test]
    fn wschecks_own_request_in_its_order() {
        let overlay = Overlay {
            subprotocols: vec!["chat".into(), "v2".into()],
            origin: Some("https://o.example".into()),
            auth: Some(("user".into(), "secret".into())),
            ..Default::default()
        };
        let r = Offer::wscheck(&overlay).render(&target("ws://h:9001/a?b"), None);
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "Host",
                "Upgrade",
                "Connection",
                "Sec-WebSocket-Key",
                "Sec-WebSocket-Version",
                "Sec-WebSocket-Protocol",
                "Origin",
                "Authorization",
                "User-Agent"
            ]
        );
        assert!(text(&r).starts_with("GET /a?b HTTP/1.1\r\nHost: h:9001\r\nUpgrade: websocket\r\n"));
        assert_eq!(r.header("Authorization"), Some("Basic dXNlcjpzZWNyZXQ="));
        assert_eq!(data_encoding::BASE64.decode(r.key.as_deref().unwrap().as_bytes()).unwrap().len(), 16);
        assert_eq!(r.offered_protocols, ["chat", "v2"]);
    }

    #[test]
    fn deflate_offers_as_chrome_and_a_header_replaces_it() {
        let overlay = Overlay { deflate: true, subprotocols: vec!["chat".into()], ..Default::default() };
        let r = Offer::wscheck(&overlay).render(&target("ws://h/"), None);
        assert!(
            text(&r).contains(
                "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nUser-Agent"
            ),
            "{}",
            text(&r)
        );
        assert_eq!(r.offered_extensions, ["permessage-deflate"]);
        let mut offer = Offer::wscheck(&overlay);
        let own = "permessage-deflate; server_no_context_takeover";
        let warnings = offer.edit(&[("Sec-WebSocket-Extensions".into(), own.into())]);
        assert_eq!(warnings, ["-H 'Sec-WebSocket-Extensions:' replaces the generated Sec-WebSocket-Extensions header"]);
        assert_eq!(offer.render(&target("ws://h/"), None).header("Sec-WebSocket-Extensions"), Some(own));
        assert!(!text(&Offer::wscheck(&Overlay::default()).render(&target("ws://h/"), None)).contains("Extensions"));
    }

    #[test]
    fn edits_replace_in_place_remove_and_append() {
        let mut offer = Offer::wscheck(&Overlay::default());
        let edits = [("sec-websocket-key", "abc"), ("X-A", "1"), ("User-Agent", ""), ("X-Gone", "")];
        let edits: Vec<(String, String)> = edits.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        let warnings = offer.edit(&edits);
        assert_eq!(
            warnings,
            [
                "-H 'sec-websocket-key:' replaces the generated Sec-WebSocket-Key header",
                "-H 'User-Agent:' removes the generated User-Agent header"
            ]
        );
        let r = offer.render(&target("ws://h/"), None);
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Host", "Upgrade", "Connection", "sec-websocket-key", "Sec-WebSocket-Version", "X-A"]);
        assert_eq!(r.key.as_deref(), Some("abc"));
    }

    /// Requests the first release could not express, byte for byte.
    #[test]
    fn offers_that_differ_from_wschecks_own() {
        let t = target("ws://h:8080/chat");
        let post = Offer {
            method: "POST".into(),
            ..Offer::get(vec![
                ("Host".into(), Value::Host),
                ("Sec-WebSocket-Key".into(), "AAAAAAAAAAAAAAAAAAAAAA==".into()),
            ])
        };
        assert_eq!(
            text(&post.render(&t, None)),
            "POST /chat HTTP/1.1\r\nHost: h:8080\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n"
        );
        let old = Offer { version: "HTTP/1.0".into(), ..Offer::get(vec![("upgrade".into(), "websocket".into())]) };
        assert_eq!(text(&old.render(&t, None)), "GET /chat HTTP/1.0\r\nupgrade: websocket\r\n\r\n");
        // No Host at all, lower-case names, and the order as given (node ws puts Host last).
        let node = Offer::get(vec![
            ("sec-websocket-version".into(), "13".into()),
            ("connection".into(), "Upgrade".into()),
            ("origin".into(), Value::Origin),
            ("host".into(), Value::Host),
        ]);
        assert_eq!(
            text(&node.render(&t, None)),
            "GET /chat HTTP/1.1\r\nsec-websocket-version: 13\r\nconnection: Upgrade\r\norigin: http://h:8080\r\nhost: h:8080\r\n\r\n"
        );
        assert!(text(&node.render(&t, Some("https://x"))).contains("origin: https://x\r\n"));
        let no_host = Offer::get(vec![("Upgrade".into(), "websocket".into())]);
        assert!(!text(&no_host.render(&t, None)).contains("Host"));
        assert_eq!(no_host.render(&t, None).key, None);
    }

    #[test]
    fn bad_headers_are_usage_errors() {
        for bad in ["NoColon", ": v", "A B: v", "A: x\r\nB: y"] {
            assert_eq!(Overlay::parse_header(bad).unwrap_err().code, Code::Usage, "{bad}");
        }
        assert_eq!(Overlay::parse_header(" X-A :  1 ").unwrap(), ("X-A".into(), "1".into()));
    }

    #[test]
    fn credentials_stay_with_their_host() {
        let overlay = Overlay {
            headers: vec![("Cookie".into(), "a=b".into()), ("X-Keep".into(), "1".into())],
            auth: Some(("u".into(), "p".into())),
            ..Default::default()
        };
        let (next, dropped) = overlay.without_credentials();
        assert!(dropped);
        assert_eq!((next.headers.len(), &next.auth), (1, &None));
        assert!(!next.without_credentials().1);
    }
}
