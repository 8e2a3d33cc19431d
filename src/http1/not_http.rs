//! Naming an answer that is not an HTTP/1.1 response, from its first bytes: TLS (this port
//! wants wss://), HTTP/2 frames (a server that speaks only HTTP/2), SSH, SMTP or FTP.

use super::preview;
use crate::exit::{Code, Failure};

/// Fail as soon as the bytes cannot be the start of an HTTP response.
pub fn check(buf: &[u8], at_eof: bool) -> Result<(), Failure> {
    let n = buf.len().min(5);
    if buf[..n] == b"HTTP/"[..n] && (n == 5 || !at_eof) {
        return Ok(());
    }
    // An HTTP/2 frame starts with its 24-bit length, mostly 00 00 xx: read its whole
    // 9-byte header before naming it.
    if buf[0] == 0 && buf.len() < FRAME_HEADER && !at_eof {
        return Ok(());
    }
    let what = if buf.len() >= 3 && buf[0] == 0x15 && buf[1] == 0x03 {
        " (a TLS alert: this port speaks TLS, try wss://)".to_string()
    } else if buf.len() >= 3 && buf[0] == 0x16 && buf[1] == 0x03 {
        " (a TLS handshake: this port speaks TLS, try wss://)".to_string()
    } else if let Some(frames) = http2_frames(buf) {
        format!(
            "/1.1: an HTTP/2 server (prior knowledge) — not an HTTP/1.1 upgrade; it sent the HTTP/2 frames {}",
            frames.join(", ")
        )
    } else if buf.starts_with(b"SSH-") {
        " (an SSH server)".to_string()
    } else if buf.starts_with(b"220") {
        " (an SMTP or FTP greeting)".to_string()
    } else {
        String::new()
    };
    Err(Failure::new(Code::NoSwitch, format!("the server's answer is not HTTP{what}: \"{}\"", preview(buf))))
}

/// The size of an HTTP/2 frame header (RFC 9113 §4.1).
const FRAME_HEADER: usize = 9;

/// The frames at the start of `buf` named (`SETTINGS`, `GOAWAY (PROTOCOL_ERROR)`, …) when
/// it starts with an HTTP/2 frame a server sends first: SETTINGS (its preface, RFC 9113
/// §3.4), GOAWAY, WINDOW_UPDATE or PING, on stream 0 and no larger than the default maximum.
fn http2_frames(buf: &[u8]) -> Option<Vec<String>> {
    const TYPES: [&str; 10] = [
        "DATA",
        "HEADERS",
        "PRIORITY",
        "RST_STREAM",
        "SETTINGS",
        "PUSH_PROMISE",
        "PING",
        "GOAWAY",
        "WINDOW_UPDATE",
        "CONTINUATION",
    ];
    let header = |at: usize| -> Option<(usize, u8, u32)> {
        let h = buf.get(at..at + FRAME_HEADER)?;
        let len = u32::from_be_bytes([0, h[0], h[1], h[2]]) as usize;
        let stream = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
        Some((len, h[3], stream))
    };
    let (len, kind, stream) = header(0)?;
    if !matches!(kind, 0x4 | 0x6 | 0x7 | 0x8) || stream != 0 || len > 16_384 {
        return None;
    }
    let mut names = Vec::new();
    let mut at = 0;
    while let Some((len, kind, _)) = header(at) {
        let mut name = TYPES.get(usize::from(kind)).map_or_else(|| format!("type {kind}"), |t| t.to_string());
        // GOAWAY: last stream id (4 bytes), then the error code (RFC 9113 §6.8).
        if kind == 0x7
            && let Some(code) = buf.get(at + FRAME_HEADER + 4..at + FRAME_HEADER + 8)
        {
            name.push_str(&format!(" ({})", error_name(u32::from_be_bytes([code[0], code[1], code[2], code[3]]))));
        }
        names.push(name);
        at += FRAME_HEADER + len;
    }
    Some(names)
}

/// An HTTP/2 error code's name (RFC 9113 §7).
/// An HTTP/2 error code by name (RFC 9113 §7), in hex (`0x42`) when it has none.
pub fn error_name(code: u32) -> String {
    const NAMES: [&str; 14] = [
        "NO_ERROR",
        "PROTOCOL_ERROR",
        "INTERNAL_ERROR",
        "FLOW_CONTROL_ERROR",
        "SETTINGS_TIMEOUT",
        "STREAM_CLOSED",
        "FRAME_SIZE_ERROR",
        "REFUSED_STREAM",
        "CANCEL",
        "COMPRESSION_ERROR",
        "CONNECT_ERROR",
        "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY",
        "HTTP_1_1_REQUIRED",
    ];
    NAMES.get(code as usize).map_or_else(|| format!("0x{code:x}"), |n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an nginx port with only `http2` on it answers to an HTTP/1.1 request.
    const NGINX_H2: &[u8] = b"\x00\x00\x12\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x80\x00\x04\x7f\xff\xff\xff\x00\x05\x00\xff\xff\xff\x00\x00\x04\x08\x00\x00\x00\x00\x00\x7f\xff\x00\x00\x00\x00\x08\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01";

    #[test]
    fn http2_frames_are_named() {
        assert_eq!(http2_frames(NGINX_H2).unwrap(), ["SETTINGS", "WINDOW_UPDATE", "GOAWAY (PROTOCOL_ERROR)"]);
        assert_eq!(http2_frames(&NGINX_H2[..12]).unwrap(), ["SETTINGS"]);
        assert!(http2_frames(b"\x00\x00\x00\x01\x00\x00\x00\x00\x01").is_none(), "HEADERS first is not a preface");
        assert!(http2_frames(b"HTTP/1.1 200").is_none());
        let message = check(NGINX_H2, false).unwrap_err().message;
        assert!(
            message.starts_with(
                "the server's answer is not HTTP/1.1: an HTTP/2 server (prior knowledge) — not an HTTP/1.1 upgrade; \
                 it sent the HTTP/2 frames SETTINGS, WINDOW_UPDATE, GOAWAY (PROTOCOL_ERROR): \"\x00\x00\x12\x04"
            ),
            "{message}"
        );
        // Too short to tell yet: read on.
        assert!(check(&NGINX_H2[..4], false).is_ok());
        assert!(check(&NGINX_H2[..4], true).is_err());
    }
}
