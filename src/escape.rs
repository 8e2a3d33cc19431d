//! Making network bytes safe to show: every control character, ESC sequence, bare CR/LF,
//! bidi override and invalid UTF-8 byte becomes a visible escape (`\x1b`, `\r`, `\xff`).
//!
//! Everything that came from the network passes through here before it reaches a
//! terminal or the transcript (SPEC §3).
//!
//! Messages that quote network bytes (findings, verdicts, errors) are built as text with
//! [`net`], which keeps every byte: a byte that is not valid UTF-8 is carried as one of 128
//! private-use characters (a *byte mark*), so the message is still a `String` and the
//! renderers, which escape everything once, show the byte as `\xfc` ([`text`]) and JSON
//! keeps it exactly (`<field>_hex`, from [`to_bytes`]).

use std::borrow::Cow;
use std::fmt::Write;

/// Byte `b` (0x80..=0xff) is carried as the character U+10FE00 + `b` (U+10FE80..=U+10FEFF,
/// in the Supplementary Private Use Area-B, which no protocol text uses).
const MARK_BASE: u32 = 0x10FE00;

fn mark(b: u8) -> char {
    char::from_u32(MARK_BASE + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte a byte mark stands for.
fn marked(c: char) -> Option<u8> {
    (c as u32).checked_sub(MARK_BASE).filter(|&b| (0x80..=0xff).contains(&b)).map(|b| b as u8)
}

/// Network bytes as text for a message, every byte kept: valid UTF-8 as it is, every other
/// byte as a byte mark. (A character that is itself in the mark range is carried as the
/// marks of its UTF-8 bytes, so no byte can be mistaken for another.) Not escaped: the
/// renderers escape messages, and escaping twice shows `\\x1b`.
pub fn net(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if marked(c).is_some() {
                let mut buf = [0u8; 4];
                out.extend(c.encode_utf8(&mut buf).bytes().map(mark));
            } else {
                out.push(c);
            }
        }
        // Invalid bytes are never ASCII: each is 0x80..=0xff.
        out.extend(chunk.invalid().iter().map(|&b| mark(b)));
    }
    out
}

/// True when `s` carries bytes that are not valid UTF-8 (byte marks from [`net`]).
pub fn has_marks(s: &str) -> bool {
    s.chars().any(|c| marked(c).is_some())
}

/// The exact bytes a message stands for: byte marks turned back into their bytes.
pub fn to_bytes(s: &str) -> Cow<'_, [u8]> {
    if !has_marks(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match marked(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut [0u8; 4]).as_bytes()),
        }
    }
    Cow::Owned(out)
}

/// `s` with its byte marks as U+FFFD, as `String::from_utf8_lossy` shows those bytes.
pub fn lossy(s: &str) -> Cow<'_, str> {
    match to_bytes(s) {
        Cow::Borrowed(_) => Cow::Borrowed(s),
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

/// Escape `bytes` for display: printable UTF-8 passes, everything else is made visible.
pub fn bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        push_str(&mut out, chunk.valid(), false);
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Escape a message for display: text that may quote the network, its byte marks shown as
/// the bytes they stand for (`\xfc`).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_str(&mut out, s, true);
    out
}

fn push_str(out: &mut String, s: &str, marks: bool) {
    for c in s.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => match marked(c) {
                Some(b) if marks => {
                    let _ = write!(out, "\\x{b:02x}");
                }
                // Raw text in the mark range: shown as its bytes, as a message would show them.
                Some(_) => {
                    for b in c.encode_utf8(&mut [0u8; 4]).bytes() {
                        let _ = write!(out, "\\x{b:02x}");
                    }
                }
                None => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
            },
        }
    }
}

/// Characters that must not reach a terminal as they are: C0 and C1 controls, DEL,
/// bidi overrides and isolates, zero-width characters and the BOM. The backslash is
/// escaped too, so that an escape shown can always be told from the text `\x1b`.
/// The byte-mark range is escaped too, as bytes: a mark as the byte it stands for, a real
/// character of that range as its own UTF-8 bytes.
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\\'
        | '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}'
        | '\u{10fe80}'..='\u{10feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_invalid_utf8() {
        assert_eq!(bytes(b"a\x1b[2Jb\r\n\xff"), "a\\x1b[2Jb\\r\\n\\xff");
        assert_eq!(bytes("é€".as_bytes()), "é€");
        assert_eq!(text("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(text("a\\x1b"), "a\\\\x1b");
        assert_eq!(bytes(b"\x9b"), "\\x9b");
        assert_eq!(text("\u{9b}"), "\\x9b");
    }

    #[test]
    fn net_text_keeps_every_byte_and_is_escaped_once() {
        let raw = b"ok \xfc\xff\x1b end \xf4\x8f\xba\x80";
        let t = net(raw);
        assert!(has_marks(&t));
        assert_eq!(to_bytes(&t).as_ref(), raw);
        assert_eq!(text(&t), "ok \\xfc\\xff\\x1b end \\xf4\\x8f\\xba\\x80");
        assert_eq!(text(&t), bytes(raw));
        assert_eq!(lossy(&t), String::from_utf8_lossy(raw));
        // A real character in the mark range is carried as its bytes, never as another byte.
        let real = "a\u{10fe80}b";
        assert_eq!(to_bytes(&net(real.as_bytes())).as_ref(), real.as_bytes());
        assert_eq!(bytes(real.as_bytes()), "a\\xf4\\x8f\\xba\\x80b");
        let clean = net("héllo".as_bytes());
        assert!(!has_marks(&clean));
        assert_eq!((clean.as_str(), lossy(&clean).as_ref()), ("héllo", "héllo"));
    }

    #[test]
    fn clean_text_is_unchanged() {
        assert_eq!(text("Switching Protocols"), "Switching Protocols");
        assert_eq!(text("a\x07"), "a\\x07");
    }
}
