//! The server's side of the upgrade: reading the request head and deciding the answer, a
//! 101 (with permessage-deflate for `--deflate`) or a refusal with a short plain body saying why.

use std::io::{self, Read};

use tungstenite::handshake::derive_accept_key;

use super::ServerConfig;
use crate::deflate::{Params, params};

const MAX_REQUEST: usize = 64 * 1024;

pub(super) fn read_request(stream: &mut impl Read) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let mut scanned = 0;
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = crate::http1::find_head_end(&buf, scanned) {
            let rest = buf.split_off(end);
            return Ok((buf, rest));
        }
        scanned = buf.len().saturating_sub(2);
        // Not HTTP (e.g. a TLS hello): answer at once instead of waiting for a blank line.
        let mut slots = [httparse::EMPTY_HEADER; 64];
        if httparse::Request::new(&mut slots).parse(&buf).is_err() {
            return Ok((buf, Vec::new()));
        }
        if buf.len() > MAX_REQUEST {
            return Err(io::ErrorKind::InvalidData.into());
        }
    }
}

pub(super) struct Answer {
    pub response: String,
    pub upgraded: bool,
    /// permessage-deflate accepted, with these parameters.
    pub deflate: Option<Params>,
}

/// The response to an upgrade request: 101 with the configured reason, or why not. Strict
/// (the default) refuses what RFC 6455 §4.2.1 says a server must refuse; `--lenient`
/// answers as the first release did (any method, version, Host and key).
pub(super) fn answer(head: &[u8], config: &ServerConfig) -> Answer {
    let mut slots = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut slots);
    if !matches!(req.parse(head), Ok(httparse::Status::Complete(_))) {
        return refuse("400 Bad Request", "", "wscheck serve: expected a GET upgrade request");
    }
    if config.lenient && req.method != Some("GET") {
        return refuse("400 Bad Request", "", "wscheck serve: expected a GET upgrade request");
    }
    let raw = |name: &str| -> Vec<String> {
        req.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
            .collect()
    };
    let header = |name: &str| -> Vec<String> {
        raw(name).iter().flat_map(|v| v.split(',').map(|t| t.trim().to_string()).collect::<Vec<_>>()).collect()
    };
    let has = |name: &str, token: &str| header(name).iter().any(|t| t.eq_ignore_ascii_case(token));
    if !config.lenient
        && let Some(refusal) = strict_request(req.method.unwrap_or(""), req.version.unwrap_or(1), &raw("Host"))
    {
        return refusal;
    }
    if !has("Upgrade", "websocket") || !has("Connection", "upgrade") {
        return refuse(
            "426 Upgrade Required",
            "Upgrade: websocket\r\nConnection: Upgrade\r\n",
            "wscheck serve: this is a WebSocket endpoint",
        );
    }
    if !has("Sec-WebSocket-Version", "13") {
        return refuse(
            "426 Upgrade Required",
            "Sec-WebSocket-Version: 13\r\n",
            "wscheck serve: only WebSocket version 13 is supported",
        );
    }
    let keys = raw("Sec-WebSocket-Key");
    let Some(key) = header("Sec-WebSocket-Key").into_iter().next() else {
        return refuse("400 Bad Request", "", "wscheck serve: no Sec-WebSocket-Key");
    };
    if !config.lenient
        && let Some(refusal) = strict_key(&keys)
    {
        return refusal;
    }
    let offered = header("Sec-WebSocket-Protocol");
    let protocol = offered
        .iter()
        .find(|p| config.subprotocols.contains(p))
        .map(|p| format!("Sec-WebSocket-Protocol: {p}\r\n"))
        .unwrap_or_default();
    let deflate = if config.deflate { accept_deflate(&req) } else { None };
    let extensions = deflate.as_ref().map(|(a, _)| format!("Sec-WebSocket-Extensions: {a}\r\n")).unwrap_or_default();
    Answer {
        response: format!(
            "HTTP/1.1 101 {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n{protocol}{extensions}\r\n",
            config.reason,
            derive_accept_key(key.as_bytes())
        ),
        upgraded: true,
        deflate: deflate.map(|(_, p)| p),
    }
}

/// `serve --deflate`: the answer to the request's first valid permessage-deflate offer.
fn accept_deflate(req: &httparse::Request) -> Option<(String, Params)> {
    params::accept(
        req.headers.iter().filter(|h| h.name.eq_ignore_ascii_case("Sec-WebSocket-Extensions")).map(|h| h.value),
    )
}

/// A refusal: `status`, `extra` header lines, and `why` as a short plain body.
fn refuse(status: &str, extra: &str, why: &str) -> Answer {
    Answer {
        response: format!(
            "HTTP/1.1 {status}\r\n{extra}Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{why}\n",
            why.len() + 1
        ),
        upgraded: false,
        deflate: None,
    }
}

/// What strict serve refuses in the request line and Host (RFC 6455 §4.2.1, RFC 9112 §3.2).
fn strict_request(method: &str, minor: u8, hosts: &[String]) -> Option<Answer> {
    if method != "GET" {
        // A method is an HTTP token: nothing in it needs escaping.
        let why = format!("wscheck serve: a WebSocket handshake is a GET request, not {method} (RFC 6455 §4.1)");
        return Some(refuse("405 Method Not Allowed", "Allow: GET\r\n", &why));
    }
    if minor == 0 {
        let why = "wscheck serve: a WebSocket handshake needs HTTP/1.1 or later, not HTTP/1.0 (RFC 6455 §4.1)";
        return Some(refuse("400 Bad Request", "", why));
    }
    match hosts {
        [] => Some(refuse("400 Bad Request", "", "wscheck serve: no Host header (RFC 6455 §4.1, RFC 9112 §3.2)")),
        [_] => None,
        _ => Some(refuse("400 Bad Request", "", "wscheck serve: more than one Host header (RFC 9112 §3.2)")),
    }
}

/// Strict serve's rule for `Sec-WebSocket-Key`: once, base64 of 16 bytes (RFC 6455 §4.1, §11.3.1).
fn strict_key(keys: &[String]) -> Option<Answer> {
    if keys.len() > 1 {
        return Some(refuse(
            "400 Bad Request",
            "",
            "wscheck serve: more than one Sec-WebSocket-Key (RFC 6455 §11.3.1)",
        ));
    }
    match data_encoding::BASE64.decode(keys[0].as_bytes()) {
        Ok(bytes) if bytes.len() == 16 => None,
        Ok(bytes) => Some(refuse(
            "400 Bad Request",
            "",
            &format!(
                "wscheck serve: Sec-WebSocket-Key must be base64 of 16 bytes, this one is {} (RFC 6455 §4.1)",
                crate::words::count(bytes.len(), "byte")
            ),
        )),
        Err(_) => Some(refuse("400 Bad Request", "", "wscheck serve: Sec-WebSocket-Key is not base64 (RFC 6455 §4.1)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::test_io::Pieces;

    fn pieces(parts: &[&[u8]]) -> Pieces {
        Pieces(parts.iter().map(|p| p.to_vec()).collect())
    }

    #[test]
    fn a_request_head_ends_at_its_blank_line_however_the_reads_split_it() {
        let head = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        for cut in 1..head.len() {
            let (first, second) = head.split_at(cut);
            let (got, rest) = read_request(&mut pieces(&[first, second, b"\x81\x80"])).unwrap();
            assert_eq!((got.as_slice(), rest.as_slice()), (&head[..], &b""[..]), "cut at {cut}");
        }
        // What came with the head in the same read is the session's.
        let (got, rest) = read_request(&mut pieces(&[b"GET / HTTP/1.1\r\n\r\n\x81\x80"])).unwrap();
        assert_eq!((got.as_slice(), rest.as_slice()), (&b"GET / HTTP/1.1\r\n\r\n"[..], &b"\x81\x80"[..]));
    }

    #[test]
    fn a_request_with_bare_lf_line_endings_is_answered_not_waited_on() {
        // RFC 9112 §2.2: a recipient may take a bare LF as a line's end. Before, serve waited
        // for a CRLF blank line that never came, until its request timeout.
        let (got, rest) = read_request(&mut pieces(&[b"GET / HTTP/1.1\nHost: x\n", b"\n"])).unwrap();
        assert_eq!((got.as_slice(), rest.as_slice()), (&b"GET / HTTP/1.1\nHost: x\n\n"[..], &b""[..]));
    }

    fn config() -> ServerConfig {
        ServerConfig {
            reason: "Web Socket Protocol Handshake".into(),
            subprotocols: vec!["chat".into()],
            ..Default::default()
        }
    }

    #[test]
    fn answers_an_upgrade_with_the_configured_reason() {
        let req = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: x, chat\r\n\r\n";
        let a = answer(req, &config());
        assert!(a.upgraded);
        assert!(a.response.starts_with("HTTP/1.1 101 Web Socket Protocol Handshake\r\n"));
        assert!(a.response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        assert!(a.response.contains("Sec-WebSocket-Protocol: chat\r\n"));
    }

    #[test]
    fn deflate_is_accepted_only_with_the_flag_and_an_offer() {
        let req = |ext: &str| {
            format!(
                "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{ext}\r\n"
            )
        };
        let chrome = req("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
        let a = answer(chrome.as_bytes(), &config());
        assert!(a.upgraded && a.deflate.is_none() && !a.response.contains("Extensions"), "{}", a.response);
        let deflate = ServerConfig { deflate: true, ..config() };
        let a = answer(chrome.as_bytes(), &deflate);
        assert!(a.response.contains("\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"), "{}", a.response);
        assert_eq!(a.deflate, Some(Params::default()));
        // Asked for smaller windows and no context takeover: granted.
        let asked = req(
            "Sec-WebSocket-Extensions: x-foo, permessage-deflate; server_max_window_bits=10; client_no_context_takeover\r\n",
        );
        let a = answer(asked.as_bytes(), &deflate);
        assert!(
            a.response.contains("Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_max_window_bits=10\r\n"),
            "{}",
            a.response
        );
        // Nothing valid offered: declined.
        for ext in ["", "Sec-WebSocket-Extensions: permessage-deflate; bogus\r\n", "Sec-WebSocket-Extensions: ;\"\r\n"]
        {
            let a = answer(req(ext).as_bytes(), &deflate);
            assert!(a.upgraded && a.deflate.is_none() && !a.response.contains("Extensions"), "{ext}: {}", a.response);
        }
    }

    #[test]
    fn refuses_what_is_not_an_upgrade() {
        assert!(answer(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", &config()).response.starts_with("HTTP/1.1 426"));
        assert!(answer(b"\x16\x03\x01garbage\r\n\r\n", &config()).response.starts_with("HTTP/1.1 400"));
        let v8 = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: a\r\nSec-WebSocket-Version: 8\r\n\r\n";
        assert!(answer(v8, &config()).response.contains("Sec-WebSocket-Version: 13"));
    }

    /// A valid request with `line` as its request line and `edit` applied to its headers.
    fn request(line: &str, edit: impl Fn(&mut Vec<(&'static str, &'static str)>)) -> Vec<u8> {
        let mut headers = vec![
            ("Host", "x"),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("Sec-WebSocket-Version", "13"),
        ];
        edit(&mut headers);
        let mut out = format!("{line}\r\n");
        for (n, v) in headers {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.into_bytes()
    }

    fn strict() -> ServerConfig {
        ServerConfig { reason: "Switching Protocols".into(), ..Default::default() }
    }

    fn lenient() -> ServerConfig {
        ServerConfig { lenient: true, ..strict() }
    }

    /// Each request strict serve refuses: (request, status line, a header it must carry, body).
    fn refused() -> Vec<(Vec<u8>, &'static str, &'static str, &'static str)> {
        let get = "GET / HTTP/1.1";
        vec![
            (request("POST / HTTP/1.1", |_| {}), "405 Method Not Allowed", "Allow: GET\r\n", "a GET request, not POST"),
            (request("GET / HTTP/1.0", |_| {}), "400 Bad Request", "", "not HTTP/1.0"),
            (request(get, |h| h.retain(|(n, _)| *n != "Host")), "400 Bad Request", "", "no Host header"),
            (request(get, |h| h.push(("Host", "y"))), "400 Bad Request", "", "more than one Host"),
            (request(get, |h| h[3].1 = "AAAAAAAAAAA="), "400 Bad Request", "", "this one is 8 bytes"),
            (request(get, |h| h[3].1 = "not base64!"), "400 Bad Request", "", "is not base64"),
            (
                request(get, |h| h.push(("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA=="))),
                "400 Bad Request",
                "",
                "more than one Sec-WebSocket-Key",
            ),
            (
                request(get, |h| h[4].1 = "8"),
                "426 Upgrade Required",
                "Sec-WebSocket-Version: 13\r\n",
                "only WebSocket version 13",
            ),
            (
                request(get, |h| h.retain(|(n, _)| *n != "Sec-WebSocket-Key")),
                "400 Bad Request",
                "",
                "no Sec-WebSocket-Key",
            ),
        ]
    }

    #[test]
    fn strict_refuses_what_rfc_6455_says_a_server_must_with_a_body_saying_why() {
        assert!(answer(&request("GET / HTTP/1.1", |_| {}), &strict()).upgraded);
        for (req, status, header, why) in refused() {
            let a = answer(&req, &strict());
            let shown = String::from_utf8_lossy(&req).into_owned();
            assert!(!a.upgraded, "{shown}");
            assert!(a.response.starts_with(&format!("HTTP/1.1 {status}\r\n")), "{shown}\n{}", a.response);
            assert!(a.response.contains(header), "{shown}\n{}", a.response);
            let body = a.response.split("\r\n\r\n").nth(1).unwrap();
            assert!(body.starts_with("wscheck serve: ") && body.contains(why), "{shown}\n{body}");
            let length: usize =
                a.response.split("Content-Length: ").nth(1).unwrap().split('\r').next().unwrap().parse().unwrap();
            assert_eq!(length, body.len());
        }
    }

    #[test]
    fn lenient_answers_what_the_first_release_answered() {
        // The first release refused anything but GET (with 400), a version other than 13 and
        // a missing key; it accepted the rest.
        for (req, status, ..) in refused() {
            let shown = String::from_utf8_lossy(&req).into_owned();
            let a = answer(&req, &lenient());
            match status {
                "405 Method Not Allowed" => assert!(a.response.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{shown}"),
                _ if shown.contains("Version: 8") || !shown.contains("Key") => {
                    assert!(a.response.starts_with(&format!("HTTP/1.1 {status}\r\n")), "{shown}")
                }
                _ => assert!(a.upgraded, "{shown}\n{}", a.response),
            }
        }
    }
}
