//! The upgrade request as it crosses the wire: an [`Offer`](super::offer::Offer) rendered
//! for a target, with what the checks need to know about it (the key, what was offered).

use crate::http1::auth::mask;

/// The request as it will cross the wire, with what the checks need to know about it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub request_line: String,
    /// (name, value) in the order sent.
    pub headers: Vec<(String, String)>,
    /// The `Sec-WebSocket-Key` sent, if any (the user may remove or replace it).
    pub key: Option<String>,
    pub offered_protocols: Vec<String>,
    /// Extension names offered (lower case).
    pub offered_extensions: Vec<String>,
}

impl Request {
    /// The request with this line and these headers, and what they offer.
    pub fn new(request_line: String, headers: Vec<(String, String)>) -> Request {
        let values = |wanted: &str| -> Vec<String> {
            headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(wanted))
                .flat_map(|(_, v)| v.split(','))
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect()
        };
        let key = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("Sec-WebSocket-Key")).map(|(_, v)| v.clone());
        let offered_protocols = values("Sec-WebSocket-Protocol");
        let offered_extensions = values("Sec-WebSocket-Extensions")
            .iter()
            .map(|e| e.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .collect();
        Request { request_line, headers, key, offered_protocols, offered_extensions }
    }

    /// The value of the first header `name` sent (case-insensitive), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The bytes to write.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(256);
        out.push_str(&self.request_line);
        out.push_str("\r\n");
        for (name, value) in &self.headers {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
        out.into_bytes()
    }

    /// The lines for the transcript, credentials masked unless `show_secrets`.
    pub fn display_lines(&self, show_secrets: bool) -> Vec<String> {
        let mut lines = vec![self.request_line.clone()];
        for (name, value) in &self.headers {
            let shown = if show_secrets { None } else { mask(name, value.as_bytes()) };
            lines.push(format!("{name}: {}", shown.as_deref().unwrap_or(value)));
        }
        lines.push(String::new());
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http1::auth::basic_auth;

    #[test]
    fn userinfo_becomes_basic_auth_masked() {
        let r = Request::new("GET / HTTP/1.1".into(), vec![("Authorization".into(), basic_auth("user", "secret"))]);
        let auth = &r.headers.iter().find(|(n, _)| n == "Authorization").unwrap().1;
        assert_eq!(auth, "Basic dXNlcjpzZWNyZXQ=");
        let shown = r.display_lines(false).join("\n");
        assert!(shown.contains("Authorization: Basic ***** (16 bytes)"), "{shown}");
        assert!(!shown.contains("dXNlcjpzZWNyZXQ="));
        assert!(r.display_lines(true).join("\n").contains("dXNlcjpzZWNyZXQ="));
    }

    #[test]
    fn offers_are_collected() {
        let headers = vec![
            ("sec-websocket-protocol".to_string(), "chat, v2".to_string()),
            ("Sec-WebSocket-Extensions".into(), "permessage-deflate; client_max_window_bits, x-foo".into()),
        ];
        let r = Request::new("GET / HTTP/1.1".into(), headers);
        assert_eq!(r.offered_protocols, ["chat", "v2"]);
        assert_eq!(r.offered_extensions, ["permessage-deflate", "x-foo"]);
    }
}
