//! Parsing a header block with httparse, keeping every raw line as it crossed the wire.

use super::preview;
use crate::event::RawLine;
use crate::exit::{Code, Failure};

/// A parsed header: the name and value as sent, and which raw line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: Vec<u8>,
    pub line: usize,
}

/// The response header block, parsed, with the raw lines and the bytes read past it.
#[derive(Debug, Clone)]
pub struct Response {
    /// `HTTP/1.1` as sent.
    pub version: String,
    /// (major, minor) when the version is `HTTP/d.d` or `HTTP/d`.
    pub version_number: (u8, u8),
    pub status: u16,
    pub reason: Vec<u8>,
    /// Every line of the header block, the status line first, the final empty line excluded.
    pub lines: Vec<RawLine>,
    /// True when the empty line that ends the header block is a bare LF.
    pub end_bare_lf: bool,
    pub headers: Vec<Header>,
    /// Indexes into `lines` of header lines httparse did not accept (they are ignored).
    pub invalid_lines: Vec<usize>,
    /// False when the status line is not valid HTTP but still readable (e.g. control
    /// characters in the reason phrase).
    pub status_line_valid: bool,
    /// Bytes received after the header block (frames, or a body).
    pub rest: Vec<u8>,
    /// The first bytes of the body of a non-101 answer (filled in by `exchange`).
    pub body: Vec<u8>,
}

impl Response {
    /// All values of the header `name` (case-insensitive), in wire order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers.iter().filter(move |h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_slice())
    }

    /// The comma-separated tokens of every `name` header, trimmed, as message text (bytes
    /// that are not UTF-8 kept as byte marks, see `escape::net`).
    pub fn tokens(&self, name: &str) -> Vec<String> {
        self.values(name)
            .flat_map(|v| crate::escape::net(v).split(',').map(|t| t.trim().to_string()).collect::<Vec<_>>())
            .filter(|t| !t.is_empty())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.values(name).next().is_some()
    }

    /// The first value of `name` as message text (bytes that are not UTF-8 kept as byte
    /// marks, see `escape::net`).
    pub fn first(&self, name: &str) -> Option<String> {
        self.values(name).next().map(|v| crate::escape::net(v).trim().to_string())
    }

    pub fn content_length(&self) -> Option<usize> {
        self.first("Content-Length").and_then(|v| v.parse().ok())
    }
}

/// Split the header block into its lines (the final empty line excluded).
fn split_lines(head: &[u8]) -> Vec<(usize, RawLine)> {
    let mut lines = Vec::new();
    let mut start = 0;
    while let Some(p) = head[start..].iter().position(|&b| b == b'\n') {
        let end = start + p;
        let (content_end, bare_lf) = if end > start && head[end - 1] == b'\r' { (end - 1, false) } else { (end, true) };
        if content_end == start {
            break; // the empty line
        }
        lines.push((start, RawLine { bytes: head[start..content_end].to_vec(), bare_lf }));
        start = end + 1;
    }
    lines
}

/// Parse a header block read by [`read_head`](super::read_head); `end` is where the block ends in `buf`.
pub fn parse(buf: &[u8], end: usize) -> Result<Response, Failure> {
    let head = &buf[..end];
    let numbered = split_lines(head);
    let malformed =
        |why: &str| Failure::new(Code::NoSwitch, format!("malformed response: {why}: \"{}\"", preview(head)));
    let (_, status_line) = numbered.first().ok_or_else(|| malformed("no status line"))?;
    let (version, version_number, status, reason) = parse_status_line(&status_line.bytes)
        .ok_or_else(|| malformed("the status line is not 'HTTP/x.y NNN reason'"))?;

    let mut config = httparse::ParserConfig::default();
    config
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .ignore_invalid_headers_in_responses(true);
    let mut slots = vec![httparse::EMPTY_HEADER; 512];

    // httparse refuses control characters in the status line that we can still read; parse the
    // headers behind a neutral status line then, and say so in a finding.
    let mut status_line_valid = true;
    let mut strict = httparse::Response::new(&mut slots);
    let parsed = config.parse_response(&mut strict, head);
    let (headers_src, shift): (Vec<u8>, isize) = match parsed {
        Ok(httparse::Status::Complete(_)) => (Vec::new(), 0),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(malformed("more than 512 header lines"));
        }
        _ => {
            status_line_valid = false;
            let first_len = head.iter().position(|&b| b == b'\n').map_or(head.len(), |p| p + 1);
            let neutral = b"HTTP/1.1 200 X\r\n";
            let mut src = neutral.to_vec();
            src.extend_from_slice(&head[first_len..]);
            (src, first_len as isize - neutral.len() as isize)
        }
    };
    let mut headers = Vec::new();
    if headers_src.is_empty() {
        collect_headers(head, strict.headers, 0, &numbered, &mut headers);
    } else {
        let mut slots = vec![httparse::EMPTY_HEADER; 512];
        let mut lenient = httparse::Response::new(&mut slots);
        match config.parse_response(&mut lenient, &headers_src) {
            Ok(httparse::Status::Complete(_)) => {
                collect_headers(&headers_src, lenient.headers, shift, &numbered, &mut headers)
            }
            Err(httparse::Error::TooManyHeaders) => {
                return Err(malformed("more than 512 header lines"));
            }
            _ => {
                // httparse gives no position: name the line a recipient must reject (RFC 9112 §2.2,
                // RFC 9110 §5.5), rather than show a preview that may stop before it.
                let bad = numbered
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find(|(_, (_, l))| l.bytes.contains(&b'\r') || l.bytes.contains(&0));
                return Err(match bad {
                    Some((i, (_, l))) => Failure::new(
                        Code::NoSwitch,
                        format!(
                            "malformed response: line {} has a bare CR or a NUL, which HTTP forbids: \"{}\"",
                            i + 1,
                            preview(&l.bytes)
                        ),
                    ),
                    None => malformed("the header lines cannot be parsed"),
                });
            }
        }
    }
    let used: std::collections::HashSet<usize> = headers.iter().map(|h: &Header| h.line).collect();
    let invalid_lines =
        (1..numbered.len()).filter(|i| !used.contains(i) && !is_continuation(&numbered[*i].1.bytes)).collect();
    Ok(Response {
        version,
        version_number,
        status,
        reason,
        lines: numbered.into_iter().map(|(_, l)| l).collect(),
        end_bare_lf: !head.ends_with(b"\r\n"),
        headers,
        invalid_lines,
        status_line_valid,
        rest: buf[end..].to_vec(),
        body: Vec::new(),
    })
}

fn is_continuation(line: &[u8]) -> bool {
    matches!(line.first(), Some(b' ' | b'\t'))
}

/// Map httparse's headers (slices into `src`) back to the raw line each came from.
fn collect_headers(
    src: &[u8],
    parsed: &[httparse::Header],
    shift: isize,
    lines: &[(usize, RawLine)],
    out: &mut Vec<Header>,
) {
    let base = src.as_ptr() as usize;
    for h in parsed.iter().filter(|h| !h.name.is_empty()) {
        let offset = (h.name.as_ptr() as usize - base) as isize + shift;
        let line = lines.iter().rposition(|(start, _)| (*start as isize) <= offset).unwrap_or(0);
        out.push(Header { name: h.name.to_string(), value: h.value.to_vec(), line });
    }
}

/// Version text, version number, status code, reason bytes.
type StatusLine = (String, (u8, u8), u16, Vec<u8>);

/// `HTTP/1.1 101 Reason` read leniently: version, status code, reason bytes (maybe empty).
fn parse_status_line(line: &[u8]) -> Option<StatusLine> {
    let rest = line.strip_prefix(b"HTTP/")?;
    let sp = rest.iter().position(|&b| b == b' ')?;
    let number = std::str::from_utf8(&rest[..sp]).ok()?;
    let version_number = match number.split_once('.') {
        Some((a, b)) if a.len() == 1 && b.len() == 1 => (a.parse().ok()?, b.parse().ok()?),
        None if number.len() == 1 => (number.parse().ok()?, 0),
        _ => return None,
    };
    let after = &rest[sp..];
    let after = &after[after.iter().position(|&b| b != b' ')?..];
    if after.len() < 3 || !after[..3].iter().all(u8::is_ascii_digit) || after.get(3).is_some_and(|&b| b != b' ') {
        return None;
    }
    let status = std::str::from_utf8(&after[..3]).ok()?.parse().ok()?;
    let reason = after.get(4..).unwrap_or_default().to_vec();
    Some((format!("HTTP/{number}"), version_number, status, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(bytes: &[u8]) -> Response {
        let (buf, end) = crate::http1::read_head(&mut &bytes[..], "--connect-timeout").unwrap();
        parse(&buf, end).unwrap()
    }

    #[test]
    fn keeps_reason_case_order_and_duplicates() {
        let r = parse_all(
            b"HTTP/1.1 101 Web Socket Protocol Handshake\r\nupgrade: WebSocket\r\nX-A: 1\r\nX-A: 2\r\n\r\nrest",
        );
        assert_eq!(
            (r.status, r.reason.as_slice(), r.version.as_str()),
            (101, &b"Web Socket Protocol Handshake"[..], "HTTP/1.1")
        );
        let names: Vec<_> = r.headers.iter().map(|h| (h.name.as_str(), h.line)).collect();
        assert_eq!(names, [("upgrade", 1), ("X-A", 2), ("X-A", 3)]);
        assert_eq!(r.rest, b"rest");
        assert!(r.status_line_valid && r.invalid_lines.is_empty());
    }

    #[test]
    fn bare_lf_and_empty_reason() {
        let r = parse_all(b"HTTP/1.1 101\nUpgrade: websocket\r\n\n");
        assert_eq!(r.reason, b"");
        assert!(r.lines[0].bare_lf && !r.lines[1].bare_lf);
        assert!(r.end_bare_lf);
        assert_eq!(r.headers.len(), 1);
        assert!(!parse_all(b"HTTP/1.1 101\n\r\n").end_bare_lf);
    }

    #[test]
    fn control_characters_are_kept_and_flagged() {
        let r = parse_all(b"HTTP/1.1 101 \x1b[31mOK\r\nX-Evil: a\x1bb\r\nUpgrade: websocket\r\n\r\n");
        assert!(!r.status_line_valid);
        assert_eq!(r.reason, b"\x1b[31mOK");
        assert_eq!(r.invalid_lines, [1]);
        assert_eq!(r.headers[0].name, "Upgrade");
        assert_eq!(r.headers[0].line, 2);
    }

    #[test]
    fn http10_and_http2_versions() {
        assert_eq!(parse_all(b"HTTP/1.0 101 OK\r\n\r\n").version_number, (1, 0));
        assert_eq!(parse_all(b"HTTP/2 101 OK\r\n\r\n").version_number, (2, 0));
    }
}
