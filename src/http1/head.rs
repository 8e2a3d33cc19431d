//! Reading an HTTP/1.1 answer to the end of its header block, bounded in size and time,
//! and the first bytes of its body.

use std::io::{self, Read};

use super::{Response, preview};
use crate::exit::{Cause, Code, Failure, Phase};
use crate::words::os_words;

/// The most header bytes wscheck reads before giving up on a response.
pub const MAX_HEAD: usize = 64 * 1024;
/// The most body bytes of a non-101 answer read for the transcript.
pub const MAX_BODY: usize = 4 * 1024;

/// The failure of a server that closed the connection before sending a byte.
pub const NO_ANSWER: &str = "no response: the server closed the connection without answering";

/// Read up to the end of the header block. Fails with exit 5 (no response, not HTTP,
/// too large, closed early) or 7 (the stream's deadline passed: `limit` names the flag
/// that set it).
pub fn read_head(stream: &mut impl Read, limit: &str) -> Result<(Vec<u8>, usize), Failure> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let mut scanned = 0;
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                return Err(Failure::because(
                    Code::Timeout,
                    Cause::Timeout(Phase::Response),
                    format!("timed out waiting for the response ({limit}){}", received(&buf)),
                ));
            }
            Err(e) => {
                let message = if buf.is_empty() {
                    format!("no response: {} before the server answered", os_words(&e))
                } else {
                    format!("the response broke off: {}{}", os_words(&e), received(&buf))
                };
                return Err(Failure::because(Code::NoSwitch, Cause::Io(e), message));
            }
        };
        if n == 0 {
            if buf.is_empty() {
                return Err(Failure::because(Code::NoSwitch, Cause::NoAnswer, NO_ANSWER));
            }
            super::not_http::check(&buf, true)?;
            return Err(Failure::new(
                Code::NoSwitch,
                format!("the server closed the connection in the middle of the response header{}", received(&buf)),
            ));
        }
        let take = n.min(MAX_HEAD - buf.len());
        buf.extend_from_slice(&chunk[..take]);
        super::not_http::check(&buf, false)?;
        if let Some(end) = find_head_end(&buf, scanned) {
            // Whatever came after the header block in this read belongs to the session.
            buf.extend_from_slice(&chunk[take..n]);
            return Ok((buf, end));
        }
        scanned = buf.len().saturating_sub(2);
        if buf.len() >= MAX_HEAD {
            return Err(Failure::new(
                Code::NoSwitch,
                format!("the response header is larger than {} KiB: gave up reading it", MAX_HEAD / 1024),
            ));
        }
    }
}

fn received(buf: &[u8]) -> String {
    if buf.is_empty() {
        String::new()
    } else {
        format!("; received {}: \"{}\"", crate::words::count(buf.len(), "byte"), preview(buf))
    }
}

/// The offset just past the empty line that ends the header block (CRLF or a bare LF, as
/// RFC 9112 §2.2 lets a recipient accept), searching from `from`. `serve` reads requests with it.
pub fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(p) = buf[i..].iter().position(|&b| b == b'\n') {
        let nl = i + p;
        match buf.get(nl + 1) {
            Some(b'\n') => return Some(nl + 2),
            Some(b'\r') if buf.get(nl + 2) == Some(&b'\n') => return Some(nl + 3),
            _ => i = nl + 1,
        }
    }
    None
}

/// Read the first bytes of a non-101 answer's body, for the transcript: bounded to
/// [`MAX_BODY`] (the caller bounds the time), and never an error (the verdict is already known).
pub fn read_body_preview(stream: &mut impl Read, response: &Response) -> (Vec<u8>, bool) {
    let chunked = response.tokens("Transfer-Encoding").iter().any(|t| t.eq_ignore_ascii_case("chunked"));
    let expected = if chunked { None } else { response.content_length() };
    let mut body = response.rest.clone();
    let want = expected.unwrap_or(usize::MAX).min(MAX_BODY + 1);
    let done = |body: &[u8]| body.len() >= want || (chunked && body.ends_with(b"0\r\n\r\n"));
    if !done(&body) && response.status != 101 && expected != Some(0) {
        let mut chunk = [0u8; 4096];
        while !done(&body) {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => body.extend_from_slice(&chunk[..n]),
            }
        }
    }
    let truncated = body.len() > MAX_BODY || expected.is_some_and(|e| e > MAX_BODY);
    body.truncate(MAX_BODY);
    if let Some(e) = expected {
        body.truncate(e);
    }
    (body, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http1::parse;

    fn parse_all(bytes: &[u8]) -> Response {
        let (buf, end) = read_head(&mut &bytes[..], "--connect-timeout").unwrap();
        parse(&buf, end).unwrap()
    }

    #[test]
    fn failures() {
        let code = |b: &[u8]| read_head(&mut &b[..], "--connect-timeout").unwrap_err().code;
        assert_eq!(code(b""), Code::NoSwitch);
        assert_eq!(code(b"SSH-2.0-OpenSSH\r\n"), Code::NoSwitch);
        assert_eq!(code(b"HTTP/1.1 101 OK\r\nUpgrade: x\r\n"), Code::NoSwitch);
        assert_eq!(code(b"HTT"), Code::NoSwitch);
        let big = [b"HTTP/1.1 200 OK\r\n".as_slice(), &vec![b'a'; MAX_HEAD * 2]].concat();
        assert!(read_head(&mut &big[..], "--connect-timeout").unwrap_err().message.contains("larger than 64 KiB"));
        let (buf, end) = read_head(&mut &b"HTTP/1.1 abc\r\n\r\n"[..], "--connect-timeout").unwrap();
        assert_eq!(parse(&buf, end).unwrap_err().code, Code::NoSwitch);
    }

    #[test]
    fn body_preview_is_bounded() {
        let r = parse_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nhel");
        let (body, truncated) = read_body_preview(&mut &b"lo and more"[..], &r);
        assert_eq!((body.as_slice(), truncated), (&b"hello"[..], false));
        let r = parse_all(b"HTTP/1.1 200 OK\r\n\r\n");
        let long = vec![b'x'; MAX_BODY * 3];
        let (body, truncated) = read_body_preview(&mut &long[..], &r);
        assert_eq!((body.len(), truncated), (MAX_BODY, true));
    }

    /// A stream that gives `bytes`, then fails with `kind`.
    struct Failing {
        bytes: &'static [u8],
        kind: io::ErrorKind,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.bytes.is_empty() {
                return Err(io::Error::new(self.kind, "deadline reached"));
            }
            let n = self.bytes.len().min(buf.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn each_failure_says_its_cause_and_a_timeout_names_its_limit() {
        let fail = |bytes, kind| read_head(&mut Failing { bytes, kind }, "--timeout").unwrap_err();
        let f = fail(b"HTTP/1.1 1", io::ErrorKind::TimedOut);
        assert_eq!(f.code, Code::Timeout);
        assert!(matches!(f.cause, Cause::Timeout(Phase::Response)), "{:?}", f.cause);
        assert_eq!(f.message, "timed out waiting for the response (--timeout); received 10 bytes: \"HTTP/1.1 1\"");
        let f = fail(b"", io::ErrorKind::ConnectionReset);
        assert!(matches!(&f.cause, Cause::Io(e) if e.kind() == io::ErrorKind::ConnectionReset), "{:?}", f.cause);
        assert_eq!(f.message, "no response: connection reset by peer before the server answered");
        let f = fail(b"HTTP/1.1", io::ErrorKind::BrokenPipe);
        assert!(matches!(&f.cause, Cause::Io(e) if e.kind() == io::ErrorKind::BrokenPipe), "{:?}", f.cause);
        let f = read_head(&mut &b""[..], "--timeout").unwrap_err();
        assert!(matches!(f.cause, Cause::NoAnswer) && f.message == NO_ANSWER);
        let f = read_head(&mut &b"SSH-2.0-x\r\n"[..], "--timeout").unwrap_err();
        assert!(matches!(f.cause, Cause::Other), "not HTTP is its code and words only");
    }
}
