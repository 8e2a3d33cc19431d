//! Everything wscheck has to say is an [`Event`]. The human transcript and `--json`
//! render the same events (see `report/`), so the two can never disagree.

use std::net::SocketAddr;
use std::time::Duration;

mod check;
pub use check::Check;

/// How much something weighs: a note's level, a check's severity when broken (SPEC §4), and
/// what one finding is (SPEC §6: `Ok` for a rule that holds — findings only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Info,
    Ok,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Ok => "ok",
        }
    }
}

/// One check of the handshake, judged: which rule, what this finding is, and why.
///
/// `level` is what the finding *is* (SPEC §6): `Ok` when the rule holds, `Info` for a note,
/// `Error`/`Warning` when the rule is broken — usually at the check's severity; a finding
/// broken at another level says so with [`Finding::fail_as`] (`subprotocol`: offered, none
/// chosen, is a warning). An `Info` check that fails (a non-101's `redirect`, `auth`…)
/// explains a failure: its level is `Info` and `ok` is false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub check: Check,
    pub level: Level,
    /// False when the finding describes a problem (at its level), or explains one.
    pub ok: bool,
    /// One line; may quote network text, so renderers escape it.
    pub message: String,
}

impl Finding {
    /// The rule holds.
    pub fn pass(check: Check, message: impl Into<String>) -> Self {
        Finding { check, level: Level::Ok, ok: true, message: message.into() }
    }
    /// The rule is broken, at the check's severity.
    pub fn fail(check: Check, message: impl Into<String>) -> Self {
        Finding::fail_as(check, check.severity(), message)
    }
    /// The rule is broken, at `level` rather than the check's usual severity.
    pub fn fail_as(check: Check, level: Level, message: impl Into<String>) -> Self {
        Finding { check, level, ok: false, message: message.into() }
    }
    /// Something worth knowing that is neither a pass nor a problem (`reason-phrase`).
    pub fn note(check: Check, message: impl Into<String>) -> Self {
        Finding { check, level: Level::Info, ok: true, message: message.into() }
    }
    pub fn id(&self) -> &'static str {
        self.check.id()
    }
    pub fn rfc(&self) -> &'static str {
        self.check.rfc()
    }
    /// A broken rule at error level: what turns a 101 into exit 6.
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// How a message crossed the wire in a permessage-deflate session (JSON `compressed` and
/// `wire_bytes`, `-v`); its own size is its payload's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wire {
    /// Sent or received compressed (RSV1). Control frames never are.
    pub compressed: bool,
    /// The payload bytes of its frames on the wire, frame headers not counted.
    pub wire_bytes: usize,
}

/// A raw line of the HTTP exchange, kept as bytes with how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLine {
    pub bytes: Vec<u8>,
    /// True when the line ended in a bare LF instead of CRLF.
    pub bare_lf: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Sent,
    Received,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Binary,
    Ping,
    Pong,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Binary => "binary",
            Kind::Ping => "ping",
            Kind::Pong => "pong",
        }
    }

    /// A text or binary message, not a control frame.
    pub fn is_data(self) -> bool {
        matches!(self, Kind::Text | Kind::Binary)
    }
}

/// How one probe variant went (SPEC §12): `Fail` when an RFC MUST is broken, `Warn` for a
/// SHOULD or a leniency, `Skip` when the variant does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Pass,
    Skip,
    Warn,
    Fail,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Skip => "skip",
        }
    }
}

/// What the transcript shows of the server's certificate (read by `net::cert`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    pub not_before: String,
    pub not_after: String,
    /// Whole days until it expires; negative when it has.
    pub days_left: i64,
}

impl CertInfo {
    /// What the certificate says it is for, for a message: its SANs, or its subject when it
    /// has none.
    pub fn names(&self) -> String {
        if self.sans.is_empty() { format!("no SANs, subject {}", self.subject) } else { self.sans.join(", ") }
    }
}

/// Facts about the TLS session.
#[derive(Debug, Clone, Default)]
pub struct TlsInfo {
    pub insecure: bool,
    pub alpn: Option<String>,
    pub certificate: Option<CertInfo>,
    /// How long the TLS handshake took.
    pub took: Duration,
}

/// Where a connection went: an IP address and port, or a Unix socket's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Ip(SocketAddr),
    Unix(String),
}

/// A flag that routed a connection (`--connect-to`, `--resolve`, `--unix-socket`) and the
/// rule or value of it that applied, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    pub option: &'static str,
    pub value: String,
}

/// One HTTP/2 setting as the server sent it (RFC 9113 §6.5.2, RFC 8441 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub id: u16,
    /// `ENABLE_CONNECT_PROTOCOL`, or the number in hex for one wscheck does not know.
    pub name: String,
    pub value: u32,
}

/// One thing that ended an HTTP/2 stream or its connection, as seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamStep {
    /// True when the server did it, false for wscheck.
    pub server: bool,
    /// `END_STREAM`, `RST_STREAM`, `GOAWAY`, or `close` (the connection was closed).
    pub frame: &'static str,
    /// The error code of a RST_STREAM or GOAWAY, by name (`CANCEL`, `NO_ERROR`).
    pub code: Option<String>,
}

/// How a stream ended, in words: `server END_STREAM, then client RST_STREAM CANCEL`.
pub fn stream_ended(steps: &[StreamStep]) -> String {
    steps.iter().map(StreamStep::words).collect::<Vec<_>>().join(", then ")
}

impl StreamStep {
    /// `server RST_STREAM CANCEL`, `client END_STREAM`, `server closed the connection`.
    pub fn words(&self) -> String {
        let who = if self.server { "server" } else { "client" };
        match (self.frame, &self.code) {
            ("close", _) => format!("{who} closed the connection"),
            (frame, Some(code)) => format!("{who} {frame} {code}"),
            (frame, None) => format!("{who} {frame}"),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    /// A remark about how wscheck understood the command (URL mapping, header overrides).
    Note {
        level: Level,
        text: String,
    },
    /// TCP (or the Unix socket) connected.
    Connect {
        host: String,
        port: u16,
        addr: Address,
        /// True when this is the connection to a proxy.
        proxy: bool,
        /// DNS time, None for an IP literal (or `--resolve`, a Unix socket).
        dns: Option<Duration>,
        tcp: Duration,
        /// What routed the connection otherwise than the URL says, in order; usually nothing.
        via: Vec<Via>,
    },
    /// A step of the SOCKS5 exchange with a proxy, in words (`SOCKS5 greeting: …`).
    Socks {
        text: String,
    },
    /// The CONNECT exchange with a proxy.
    Proxy {
        request: Vec<String>,
        response: Vec<RawLine>,
        status: u16,
    },
    Tls(TlsInfo),
    /// The server's first SETTINGS frame, in wire order (HTTP/2 only, before the request).
    Settings {
        settings: Vec<Setting>,
    },
    /// The request exactly as sent (secrets masked unless asked), CRLF-terminated lines.
    Request {
        lines: Vec<String>,
        /// HTTP/2 only: the header fields as sent, pseudo-headers first, names lower case, in
        /// wire order (secrets masked unless asked). `None` for HTTP/1.1, whose lines say it all.
        fields: Option<Vec<(String, String)>>,
    },
    /// The response header block as received.
    Response {
        version: String,
        status: u16,
        /// The server's own phrase; `None` over HTTP/2, which has none.
        reason: Option<Vec<u8>>,
        lines: Vec<RawLine>,
        /// Masked (name, value) pairs in wire order.
        headers: Vec<(String, Vec<u8>)>,
        /// The first bytes of the body of a non-101 answer, and whether there was more.
        body: Vec<u8>,
        body_truncated: bool,
        /// From the request written to the end of the response header.
        took: Duration,
    },
    Finding(Finding),
    /// The verdict on the handshake.
    Handshake {
        ok: bool,
        status: u16,
        summary: String,
    },
    /// A message or control frame; the payload is shared with tungstenite's frame, not copied.
    Message {
        direction: Direction,
        kind: Kind,
        data: tungstenite::Bytes,
        /// How it crossed the wire, when permessage-deflate is in use (`None` otherwise).
        wire: Option<Wire>,
    },
    /// A pong answering one of our `--ping-interval` pings.
    RoundTrip {
        rtt: Duration,
    },
    /// How the HTTP/2 stream that carried the session ended, in wire order; `open` when
    /// nothing was seen in time.
    StreamEnd {
        steps: Vec<StreamStep>,
        open: bool,
    },
    Close {
        direction: Direction,
        code: Option<u16>,
        reason: String,
        /// A sent Close that answers the server's (which closed first).
        echo: bool,
    },
    Error {
        kind: &'static str,
        message: String,
    },
    Exit {
        code: i32,
    },
    /// One `wscheck probe` variant, judged (SPEC §12).
    Probe(Box<ProbeRow>),
    /// How many probe variants had each outcome.
    Summary {
        pass: usize,
        fail: usize,
        warn: usize,
        skip: usize,
    },
}

/// One row of the probe matrix: which variant, what it sent, what the server answered and
/// how that is judged.
#[derive(Debug, Clone)]
pub struct ProbeRow {
    pub group: &'static str,
    pub id: String,
    /// The request lines as sent (credentials masked unless `--show-secrets`); empty when
    /// nothing was sent.
    pub sent: Vec<String>,
    /// The status the server answered, when it answered HTTP.
    pub status: Option<u16>,
    pub outcome: Outcome,
    /// What the variant expects, in words.
    pub expected: String,
    /// Why this outcome, in one line (it may quote network text, escaped).
    pub message: String,
    pub rfc: &'static str,
    /// The findings on the handshake, when there was an answer to judge.
    pub findings: Vec<Finding>,
    /// From the variant's start to its outcome.
    pub took: Duration,
}
