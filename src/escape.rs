//! Making network bytes safe to show: every control character, ESC sequence, bare CR/LF,
//! bidi override and invalid UTF-8 byte becomes a visible escape (`\x1b`, `\r`, `\xff`).
//!
//! Everything that came from the network passes through here before it reaches a
//! terminal or the transcript (SPEC §3).

use std::fmt::Write;

/// Escape `bytes` for display: printable UTF-8 passes, everything else is made visible.
pub fn bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        push_str(&mut out, chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Escape a string that came from the network (already valid UTF-8).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_str(&mut out, s);
    out
}

fn push_str(out: &mut String, s: &str) {
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
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
}

/// Characters that must not reach a terminal as they are: C0 and C1 controls, DEL,
/// bidi overrides and isolates, zero-width characters and the BOM. The backslash is
/// escaped too, so that an escape shown can always be told from the text `\x1b`.
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\\'
        | '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}')
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
    fn clean_text_is_unchanged() {
        assert_eq!(text("Switching Protocols"), "Switching Protocols");
        assert_eq!(text("a\x07"), "a\\x07");
    }
}
