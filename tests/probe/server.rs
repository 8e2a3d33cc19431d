//! A raw WebSocket server for `tests/probe.rs`: conformant to RFC 6455 §4.2 and §5 as written
//! here byte by byte, or different from that in exactly one way (a [`Quirk`]), so a probe
//! against it must move exactly the rows that way concerns. Many connections, a thread each,
//! on 127.0.0.1:0; the listener thread ends when the server is dropped.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wscheck::deflate::params::{Policy, choose, offers, parse_extensions};

/// The one way a server differs from the conformant one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quirk {
    None,
    /// Refuses unless `Connection` is exactly `Upgrade` (as servers that compare strings do).
    RefusesKeepAliveUpgrade,
    /// Matches header names case-sensitively.
    RefusesLowerCaseNames,
    /// Answers a version other than 13 with 400 and no `Sec-WebSocket-Version`.
    NoVersionInRefusal,
    /// Accepts a key that is not 16 bytes.
    AcceptsShortKey,
    /// Accepts any `Origin`.
    AcceptsAnyOrigin,
    /// Answers an offered subprotocol it does not know with `chat`, which was not offered.
    PicksUnofferedSubprotocol,
    /// Accepts permessage-deflate with `server_max_window_bits=7`.
    InvalidDeflateParameters,
    /// Echoes text frames without checking UTF-8.
    EchoesInvalidUtf8,
    /// Never answers a ping.
    NeverPongs,
    /// Never sends a Close frame: closes the TCP connection instead.
    ClosesWithoutCloseFrame,
    /// Never answers an HTTP/1.0 request (holds the connection until the client gives up).
    HangsOnHttp10,
}

pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(quirk: Quirk) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                    handle(stream, quirk);
                });
            }
        });
        Server { port, stop }
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/chat", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn refuse(s: &mut TcpStream, status: &str, extra: &str) {
    let _ = write!(s, "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n");
}

fn handle(mut s: TcpStream, quirk: Quirk) {
    let head = super::read_head(&mut s);
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let request_line: Vec<&str> = lines.next().unwrap_or_default().split(' ').collect();
    let headers: Vec<(&str, &str)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim(), v.trim())).collect();
    let get = |name: &str| -> Option<&str> {
        headers
            .iter()
            .find(
                |(n, _)| if quirk == Quirk::RefusesLowerCaseNames { *n == name } else { n.eq_ignore_ascii_case(name) },
            )
            .map(|(_, v)| *v)
    };
    let tokens = |name: &str| -> Vec<String> {
        get(name).map(|v| v.split(',').map(|t| t.trim().to_ascii_lowercase()).collect()).unwrap_or_default()
    };
    if request_line.get(2) == Some(&"HTTP/1.0") && quirk == Quirk::HangsOnHttp10 {
        let _ = s.read(&mut [0u8; 1]);
        return;
    }
    if request_line.first() != Some(&"GET") {
        return refuse(&mut s, "405 Method Not Allowed", "Allow: GET\r\n");
    }
    if request_line.get(2) != Some(&"HTTP/1.1") {
        return refuse(&mut s, "400 Bad Request", "");
    }
    let Some(host) = get("Host") else { return refuse(&mut s, "400 Bad Request", "") };
    let connection_ok = if quirk == Quirk::RefusesKeepAliveUpgrade {
        get("Connection").is_some_and(|v| v.eq_ignore_ascii_case("upgrade"))
    } else {
        tokens("Connection").iter().any(|t| t == "upgrade")
    };
    if !tokens("Upgrade").iter().any(|t| t == "websocket") || !connection_ok {
        return refuse(&mut s, "400 Bad Request", "");
    }
    if get("Sec-WebSocket-Version") != Some("13") {
        let extra = if quirk == Quirk::NoVersionInRefusal { "" } else { "Sec-WebSocket-Version: 13\r\n" };
        let status = if quirk == Quirk::NoVersionInRefusal { "400 Bad Request" } else { "426 Upgrade Required" };
        return refuse(&mut s, status, extra);
    }
    let Some(key) = get("Sec-WebSocket-Key") else { return refuse(&mut s, "400 Bad Request", "") };
    let key_len = data_encoding::BASE64.decode(key.as_bytes()).map(|k| k.len()).unwrap_or(0);
    if key_len != 16 && quirk != Quirk::AcceptsShortKey {
        return refuse(&mut s, "400 Bad Request", "");
    }
    if let Some(origin) = get("Origin")
        && quirk != Quirk::AcceptsAnyOrigin
        && origin.split_once("://").map(|(_, h)| h) != Some(host)
    {
        return refuse(&mut s, "403 Forbidden", "");
    }
    let mut extra = String::new();
    let offered = tokens("Sec-WebSocket-Protocol");
    // It speaks `chat`; the quirk answers `chat` to an offer without it.
    let unoffered = !offered.is_empty() && quirk == Quirk::PicksUnofferedSubprotocol;
    if offered.iter().any(|p| p == "chat") || unoffered {
        extra.push_str("Sec-WebSocket-Protocol: chat\r\n");
    }
    let deflate = get("Sec-WebSocket-Extensions")
        .and_then(|v| parse_extensions([v]).ok())
        .and_then(|list| choose(&offers(&list).0, &Policy::default()));
    if let Some((answer, _)) = deflate {
        let answer = if quirk == Quirk::InvalidDeflateParameters {
            "permessage-deflate; server_max_window_bits=7".into()
        } else {
            answer
        };
        extra.push_str(&format!("Sec-WebSocket-Extensions: {answer}\r\n"));
    }
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let _ = write!(
        s,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{extra}\r\n"
    );
    frames(s, quirk);
}

/// A server→client frame.
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode, payload.len() as u8];
    f.extend_from_slice(payload);
    f
}

/// Echo until the client closes or breaks a rule; fail the connection as RFC 6455 §7.1.7 says.
fn frames(mut s: TcpStream, quirk: Quirk) {
    let fail = |s: &mut TcpStream, code: u16| {
        if quirk != Quirk::ClosesWithoutCloseFrame {
            let _ = s.write_all(&frame(0x8, &code.to_be_bytes()));
        }
        let _ = s.shutdown(Shutdown::Write);
        let _ = std::io::copy(s, &mut std::io::sink());
    };
    loop {
        let mut h = [0u8; 2];
        if s.read_exact(&mut h).is_err() {
            return;
        }
        let (first, masked, len) = (h[0], h[1] & 0x80 != 0, (h[1] & 0x7f) as usize);
        let len = match len {
            126 => {
                let mut l = [0u8; 2];
                if s.read_exact(&mut l).is_err() {
                    return;
                }
                u16::from_be_bytes(l) as usize
            }
            127 => return fail(&mut s, 1009),
            n => n,
        };
        let mut key = [0u8; 4];
        if masked && s.read_exact(&mut key).is_err() {
            return;
        }
        let mut payload = vec![0u8; len];
        if s.read_exact(&mut payload).is_err() {
            return;
        }
        payload.iter_mut().enumerate().for_each(|(i, b)| *b ^= key[i % 4]);
        let opcode = first & 0x0f;
        let control = opcode & 0x8 != 0;
        if !masked || first & 0x70 != 0 || !matches!(opcode, 0x1 | 0x2 | 0x8 | 0x9 | 0xa) {
            return fail(&mut s, 1002);
        }
        if control && (len > 125 || first & 0x80 == 0) {
            return fail(&mut s, 1002);
        }
        match opcode {
            0x1 if std::str::from_utf8(&payload).is_err() && quirk != Quirk::EchoesInvalidUtf8 => {
                return fail(&mut s, 1007);
            }
            0x1 | 0x2 => {
                let _ = s.write_all(&frame(opcode, &payload));
            }
            0x9 if quirk != Quirk::NeverPongs => {
                let _ = s.write_all(&frame(0xa, &payload));
            }
            0x8 => {
                if quirk != Quirk::ClosesWithoutCloseFrame {
                    let _ = s.write_all(&frame(0x8, &payload));
                }
                return;
            }
            _ => {}
        }
    }
}
