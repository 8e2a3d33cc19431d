//! Exit codes (SPEC §7) and the typed failure that carries one to `main`.
//!
//! "The check failed" is a returned exit code, not an error; a `Failure` is for the
//! cases where wscheck could not get as far as a verdict (no connection, TLS, timeout…).
//! What code further up needs to know about a failure is in its [`Cause`], set where the
//! failure is born: nothing reads it back out of the message.

use std::{fmt, io};

use crate::event::Outcome;

/// The documented exit codes. The numbers are part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Ok = 0,
    Internal = 1,
    Usage = 2,
    Connect = 3,
    Tls = 4,
    NoSwitch = 5,
    BadHandshake = 6,
    Timeout = 7,
    NotMet = 8,
    SessionBroke = 9,
    ServerError = 10,
    /// SIGINT ended the run (128 + 2, as shells report it).
    Interrupted = 130,
    /// SIGTERM ended the run (128 + 15).
    Terminated = 143,
}

impl Code {
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// The `kind` field of the JSON `error` event for a failure with this code.
    pub fn kind(self) -> &'static str {
        match self {
            Code::Ok => "ok",
            Code::Internal => "internal",
            Code::Usage => "usage",
            Code::Connect => "connect",
            Code::Tls => "tls",
            Code::NoSwitch => "http",
            Code::BadHandshake => "handshake",
            Code::Timeout => "timeout",
            Code::NotMet => "not-met",
            Code::SessionBroke => "protocol",
            Code::ServerError => "server-close",
            Code::Interrupted => "interrupted",
            Code::Terminated => "terminated",
        }
    }
}

/// The one exit code of `wscheck probe` (SPEC §12), from every variant's outcome: 6 when any
/// failed (with `strict`, or warned), else 0. Skips never count.
pub fn merge(outcomes: impl IntoIterator<Item = Outcome>, strict: bool) -> Code {
    let worst = outcomes.into_iter().max().unwrap_or(Outcome::Pass);
    match worst {
        Outcome::Fail => Code::BadHandshake,
        Outcome::Warn if strict => Code::BadHandshake,
        _ => Code::Ok,
    }
}

/// The exit-code table, as printed in `--help` and the README.
pub const TABLE: &str = "\
Exit codes:
  0   handshake valid, session ended cleanly, every goal given met
  1   internal error
  2   usage error: bad flag, bad URL
  3   could not connect: DNS, refused, unreachable, proxy refused
  4   TLS failed: handshake, certificate, hostname
  5   the server did not switch protocols: non-101 status, no response, not HTTP,
      too-large or malformed response
  6   101, but the handshake breaks RFC 6455 (an error finding)
  7   timed out: --connect-timeout, --timeout, or a goal (-n, --expect,
      --expect-close) not met in time
  8   a goal (-n, --expect, --expect-close) not met before the connection closed
  9   the session broke: protocol error, connection lost without Close,
      no pong within --ping-timeout
  10  the server closed the session with an error code (not 1000/1001/none)
  130 interrupted (SIGINT), 143 terminated (SIGTERM): Close 1000 was sent first";

/// A failure that ends the run before (or instead of) a verdict, with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: Code,
    pub cause: Cause,
    pub message: String,
}

impl Failure {
    /// A failure whose code and message say all there is to know.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Failure { code, cause: Cause::Other, message: message.into() }
    }

    /// A failure with what code further up may act on.
    pub fn because(code: Code, cause: Cause, message: impl Into<String>) -> Self {
        Failure { code, cause, message: message.into() }
    }
}

/// Why a failure happened, where something acts on it.
#[derive(Debug)]
pub enum Cause {
    /// Nothing beyond the code and the message.
    Other,
    /// The connection's limit (`--connect-timeout` or `--timeout`) ran out in this step.
    Timeout(Phase),
    /// Reading or writing the connection failed with this error, kept whole: over TLS it
    /// holds the TLS library's own error (a TLS alert that came after the handshake).
    Io(io::Error),
    /// The server closed the connection without sending a byte.
    NoAnswer,
    /// The server refused the TLS session after the handshake with this alert (RFC 8446 §6).
    TlsAlert(u8),
}

/// The step of a connection that a timeout ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Dns,
    Tcp,
    /// The CONNECT exchange with an HTTP proxy.
    Proxy,
    Tls,
    /// Writing the upgrade request.
    Request,
    /// Waiting for the answer's header block.
    Response,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_fails_on_a_failure_and_with_strict_on_a_warning() {
        use Outcome::*;
        assert_eq!(merge([Pass, Skip, Pass], false), Code::Ok);
        assert_eq!(merge([Pass, Warn, Skip], false), Code::Ok);
        assert_eq!(merge([Pass, Warn, Skip], true), Code::BadHandshake);
        assert_eq!(merge([Fail, Pass], false), Code::BadHandshake);
        assert_eq!(merge([Skip, Skip], true), Code::Ok);
        assert_eq!(merge([], true), Code::Ok);
    }
}
