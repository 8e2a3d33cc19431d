//! The upgrade request wscheck writes: generated headers, then the user's `-H` overrides.

use tungstenite::handshake::client::generate_key;

use crate::event::{Event, Level};
use crate::exit::{Code, Failure};
use crate::http1::USER_AGENT;
use crate::http1::auth::{basic_auth, mask};
use crate::target::Target;

/// What the user asked to put in the request.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    pub headers: Vec<String>,
    pub subprotocols: Vec<String>,
    pub origin: Option<String>,
    /// `--auth` credentials; they take the place of the URL's.
    pub auth: Option<(String, String)>,
}

/// The request as it will cross the wire, with what the checks need to know about it.
#[derive(Debug, Clone)]
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
    pub fn build(target: &Target, opts: &RequestOptions, emit: &mut dyn FnMut(Event)) -> Result<Request, Failure> {
        let mut headers: Vec<(String, String)> = vec![
            ("Host".into(), target.host_header.clone()),
            ("Upgrade".into(), "websocket".into()),
            ("Connection".into(), "Upgrade".into()),
            ("Sec-WebSocket-Key".into(), generate_key()),
            ("Sec-WebSocket-Version".into(), "13".into()),
        ];
        if !opts.subprotocols.is_empty() {
            headers.push(("Sec-WebSocket-Protocol".into(), opts.subprotocols.join(", ")));
        }
        if let Some(origin) = &opts.origin {
            headers.push(("Origin".into(), origin.clone()));
        }
        if let Some((user, pass)) = opts.auth.as_ref().or(target.userinfo.as_ref()) {
            headers.push(("Authorization".into(), basic_auth(user, pass)));
        }
        headers.push(("User-Agent".into(), USER_AGENT.into()));
        let generated = headers.len();

        let mut replaced = vec![false; generated];
        for raw in &opts.headers {
            let (name, value) = parse_header_arg(raw)?;
            let existing = (0..generated).find(|&i| !replaced[i] && headers[i].0.eq_ignore_ascii_case(&name));
            match existing {
                Some(i) => {
                    replaced[i] = true;
                    let what = if value.is_empty() { "removes" } else { "replaces" };
                    emit(Event::Note {
                        level: Level::Warning,
                        text: format!("-H '{name}:' {what} the generated {} header", headers[i].0),
                    });
                    headers[i] = (name, value);
                }
                None if value.is_empty() => {}
                None => headers.push((name, value)),
            }
        }
        headers.retain(|(_, v)| !v.is_empty());

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
        Ok(Request {
            request_line: format!("GET {} HTTP/1.1", target.resource),
            headers,
            key,
            offered_protocols,
            offered_extensions,
        })
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

/// Parse `-H 'Name: value'`. A name must be an HTTP token; CR and LF are refused so a
/// header cannot smuggle another one.
fn parse_header_arg(raw: &str) -> Result<(String, String), Failure> {
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

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(url: &str, opts: RequestOptions) -> (Request, Vec<Event>) {
        let mut events = Vec::new();
        let r = Request::build(&Target::parse(url).unwrap(), &opts, &mut |e| events.push(e)).unwrap();
        (r, events)
    }

    #[test]
    fn generated_request() {
        let (r, events) = build("ws://h:9001/a?b", RequestOptions::default());
        assert!(events.is_empty());
        let text = String::from_utf8(r.to_bytes()).unwrap();
        assert!(text.starts_with("GET /a?b HTTP/1.1\r\nHost: h:9001\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
        let key = data_encoding::BASE64.decode(r.key.unwrap().as_bytes()).unwrap();
        assert_eq!(key.len(), 16);
    }

    #[test]
    fn header_replaces_generated_one_with_a_note() {
        let opts = RequestOptions {
            headers: vec!["sec-websocket-key: abc".into(), "X-A: 1".into(), "User-Agent:".into()],
            ..Default::default()
        };
        let (r, events) = build("ws://h/", opts);
        assert_eq!(events.len(), 2);
        assert_eq!(r.key.as_deref(), Some("abc"));
        assert!(r.headers.iter().any(|(n, v)| n == "sec-websocket-key" && v == "abc"));
        assert!(r.headers.iter().any(|(n, _)| n == "X-A"));
        assert!(!r.headers.iter().any(|(n, _)| n == "User-Agent"));
    }

    #[test]
    fn bad_headers_are_usage_errors() {
        let t = Target::parse("ws://h/").unwrap();
        for bad in ["NoColon", ": v", "A B: v", "A: x\r\nB: y"] {
            let opts = RequestOptions { headers: vec![bad.into()], ..Default::default() };
            assert_eq!(Request::build(&t, &opts, &mut |_| {}).unwrap_err().code, Code::Usage, "{bad}");
        }
    }

    #[test]
    fn userinfo_becomes_basic_auth_masked() {
        let (r, _) = build("ws://user:secret@h/", RequestOptions::default());
        let auth = &r.headers.iter().find(|(n, _)| n == "Authorization").unwrap().1;
        assert_eq!(auth, "Basic dXNlcjpzZWNyZXQ=");
        let shown = r.display_lines(false).join("\n");
        assert!(shown.contains("Authorization: Basic ***** (16 bytes)"), "{shown}");
        assert!(!shown.contains("dXNlcjpzZWNyZXQ="));
        assert!(r.display_lines(true).join("\n").contains("dXNlcjpzZWNyZXQ="));
    }

    #[test]
    fn offers_are_collected() {
        let opts = RequestOptions {
            subprotocols: vec!["chat".into(), "v2".into()],
            headers: vec!["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits".into()],
            ..Default::default()
        };
        let (r, _) = build("ws://h/", opts);
        assert_eq!(r.offered_protocols, ["chat", "v2"]);
        assert_eq!(r.offered_extensions, ["permessage-deflate"]);
    }
}
