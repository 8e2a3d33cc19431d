//! curl's dump layout (`tool_cb_dbg.c`): lines of 16 bytes in hex then ASCII (`--trace`),
//! or of up to 64 characters, broken after each CRLF (`--trace-ascii`), each line led by
//! its offset. Only printable ASCII is written; every other byte is a `.`.

use std::fmt::Write as _;

/// Append `bytes` to `out` in curl's layout, the offsets counted from `base`.
pub fn dump(out: &mut String, bytes: &[u8], base: usize, ascii: bool) {
    let width = if ascii { 0x40 } else { 0x10 };
    let size = bytes.len();
    let mut i = 0;
    while i < size {
        let _ = write!(out, "{:04x}: ", base + i);
        if !ascii {
            for c in 0..width {
                match bytes.get(i + c) {
                    Some(b) => {
                        let _ = write!(out, "{b:02x} ");
                    }
                    None => out.push_str("   "),
                }
            }
        }
        let crlf_at = |at: usize| ascii && at + 1 < size && bytes[at] == b'\r' && bytes[at + 1] == b'\n';
        let mut next = i + width;
        let mut c = 0;
        while c < width && i + c < size {
            // A CRLF ends the line (ASCII only), and is not shown.
            if crlf_at(i + c) {
                next = i + c + 2;
                break;
            }
            out.push(printable(bytes[i + c]));
            if crlf_at(i + c + 1) {
                next = i + c + 3;
                break;
            }
            c += 1;
        }
        out.push('\n');
        i = next;
    }
}

fn printable(b: u8) -> char {
    if (0x20..0x7f).contains(&b) { b as char } else { '.' }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(bytes: &[u8], ascii: bool) -> String {
        let mut out = String::new();
        dump(&mut out, bytes, 0, ascii);
        out
    }

    #[test]
    fn hex_lines_hold_sixteen_bytes_padded_and_controls_are_dots() {
        let bytes: Vec<u8> = (0x3e..0x50).collect();
        assert_eq!(
            shown(&bytes, false),
            "0000: 3e 3f 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d >?@ABCDEFGHIJKLM\n\
             0010: 4e 4f                                           NO\n"
        );
        assert_eq!(shown(b"\x1b[31m\x7f\xff", false).trim_end().rsplit("  ").next(), Some(".[31m.."));
    }

    #[test]
    fn ascii_lines_break_after_each_crlf_as_curl_does() {
        assert_eq!(shown(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", true), "0000: GET / HTTP/1.1\n0010: Host: h\n0019: \n");
        // No CRLF: 64 characters a line; a bare LF is a dot.
        let long = [b'a'; 70];
        assert_eq!(shown(&long, true), format!("0000: {}\n0040: aaaaaa\n", "a".repeat(64)));
        assert_eq!(shown(b"a\nb", true), "0000: a.b\n");
    }

    #[test]
    fn offsets_count_from_the_base() {
        let mut out = String::new();
        dump(&mut out, b"xy", 0x12, false);
        assert!(out.starts_with("0012: 78 79 "), "{out}");
    }
}
