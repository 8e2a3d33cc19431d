//! Every way opening a WebSocket over HTTP/2 can fail, with what the transcript needs to say
//! it. Server bytes inside (ALPN names, GOAWAY debug data, body bytes) are raw: the renderer
//! escapes them.

use std::fmt;

use super::tap::error_name;

#[derive(Debug)]
pub enum Error {
    /// TLS did not select `h2` by ALPN (what it selected instead, if anything): the server
    /// does not speak HTTP/2 here. No HTTP/2 byte was sent.
    NoH2Alpn {
        selected: Option<Vec<u8>>,
    },
    /// The server's first bytes are not an HTTP/2 SETTINGS frame (an HTTP/1.1 server
    /// answering the h2c preface, say): the first bytes it sent.
    NotHttp2 {
        first_bytes: Vec<u8>,
    },
    /// The server speaks HTTP/2 but did not send `SETTINGS_ENABLE_CONNECT_PROTOCOL=1`
    /// (RFC 8441 §3): no CONNECT was sent.
    NoConnectProtocol,
    /// The server answered the CONNECT with a status that is not 2xx; the first bytes of
    /// its body (at most 1 KiB).
    Status {
        status: u16,
        body: Vec<u8>,
    },
    /// The server reset the CONNECT stream (RST_STREAM) with this error code.
    Reset {
        code: u32,
    },
    /// The server ended the connection (GOAWAY) with this code.
    GoAway {
        code: u32,
        last_stream: u32,
        debug: Vec<u8>,
    },
    /// The HTTP/2 layer refused the response as malformed (e.g. `connection` or `upgrade`
    /// headers, RFC 9113 §8.2.2) and reset the stream with `code` (PROTOCOL_ERROR).
    Malformed {
        code: u32,
        detail: String,
    },
    /// The HTTP/2 layer found the server breaking the protocol and closed the connection
    /// with GOAWAY `code`.
    Protocol {
        code: u32,
        detail: String,
    },
    /// h2 itself stopped the exchange, neither side having reset the stream or closed the
    /// connection (a request h2 will not send becomes [`Error::BadRequest`] where it is sent).
    Refused(String),
    /// A request header that cannot be sent over HTTP/2 (the h2 or http crate refused it).
    BadRequest(String),
    /// The server closed the connection (no GOAWAY) while wscheck waited for `waiting_for`.
    Closed {
        waiting_for: &'static str,
    },
    Io(std::io::Error),
    /// The deadline passed while waiting for `waiting_for`.
    Timeout {
        waiting_for: &'static str,
    },
    /// The helper thread or its runtime could not be started, or stopped without an answer.
    Internal(String),
}

impl Error {
    /// The HTTP/2 error code involved, by name (`CANCEL`, `PROTOCOL_ERROR`), if any.
    pub fn code_name(&self) -> Option<String> {
        match self {
            Error::Reset { code }
            | Error::GoAway { code, .. }
            | Error::Malformed { code, .. }
            | Error::Protocol { code, .. } => Some(error_name(*code)),
            _ => None,
        }
    }

    /// True when the server speaks HTTP/2 but not RFC 8441 as a browser expects: no
    /// setting, a reset or GOAWAY of the CONNECT, or a non-2xx answer (SPEC §13, exit 5).
    pub fn not_rfc8441(&self) -> bool {
        matches!(self, Error::NoConnectProtocol | Error::Reset { .. } | Error::GoAway { .. } | Error::Status { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Network bytes, kept exact for the renderers to escape (`escape::net`).
        let lossy = |b: &[u8]| crate::escape::net(b);
        match self {
            Error::NoH2Alpn { selected: None } => {
                write!(f, "the server did not select h2 by ALPN (it selected nothing)")
            }
            Error::NoH2Alpn { selected: Some(p) } => {
                write!(f, "the server did not select h2 by ALPN (it selected {})", lossy(p))
            }
            Error::NotHttp2 { .. } => {
                write!(f, "the server did not answer in HTTP/2 (its first frame is not SETTINGS)")
            }
            Error::NoConnectProtocol => write!(
                f,
                "the server speaks HTTP/2 but not WebSocket over HTTP/2: no SETTINGS_ENABLE_CONNECT_PROTOCOL=1 \
                 (RFC 8441 §3), so no CONNECT was sent"
            ),
            Error::Status { status, .. } => {
                write!(f, "the server answered the extended CONNECT with {status}, not 2xx")
            }
            Error::Reset { code } => write!(f, "the server reset the CONNECT stream: RST_STREAM {}", error_name(*code)),
            Error::GoAway { code, debug, .. } if debug.is_empty() => {
                write!(f, "the server closed the connection: GOAWAY {}", error_name(*code))
            }
            Error::GoAway { code, debug, .. } => {
                write!(f, "the server closed the connection: GOAWAY {} ({})", error_name(*code), lossy(debug))
            }
            Error::Malformed { code, detail } => {
                write!(f, "the HTTP/2 layer refused the response as malformed ({}; {detail})", error_name(*code))
            }
            Error::Protocol { code, detail } => {
                write!(f, "the server broke the HTTP/2 protocol: GOAWAY {} sent ({detail})", error_name(*code))
            }
            Error::Refused(detail) => write!(f, "the HTTP/2 layer stopped the exchange: {detail}"),
            Error::BadRequest(why) => write!(f, "cannot send this request over HTTP/2: {why}"),
            Error::Closed { waiting_for } => {
                write!(f, "the server closed the connection while waiting for {waiting_for}")
            }
            Error::Io(e) => write!(f, "{e}"),
            Error::Timeout { waiting_for } => write!(f, "timed out waiting for {waiting_for}"),
            Error::Internal(why) => write!(f, "HTTP/2 helper: {why}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_goaway_that_went_out_is_said_to_have_gone_out() {
        let sent = Error::Protocol { code: 1, detail: "frame too big".into() };
        assert_eq!(
            sent.to_string(),
            "the server broke the HTTP/2 protocol: GOAWAY PROTOCOL_ERROR sent (frame too big)"
        );
        // h2 stopping on its own sent nothing: no GOAWAY (it used to read "GOAWAY NO_ERROR sent").
        let refused = Error::Refused("user error: inactive stream".into());
        assert_eq!(refused.to_string(), "the HTTP/2 layer stopped the exchange: user error: inactive stream");
        assert_eq!(refused.code_name(), None);
    }
}
