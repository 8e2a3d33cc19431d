//! The command line, defined once with clap's derive API. `--help`, the completions in
//! `completions/` and the README's usage all come from this one definition.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit;

#[derive(Debug, Parser)]
#[command(
    name = "wscheck",
    version,
    about = "Inspect a WebSocket handshake exactly as it crossed the wire, judge it, then talk.",
    long_about = "Inspect a WebSocket handshake exactly as it crossed the wire, judge it, then talk.\n\n\
        wscheck opens ws:// or wss://, prints the request and the response byte for byte on stderr, \
        judges the 101 by its code whatever the reason phrase says (RFC 6455 §4.1), and checks every \
        handshake rule with its RFC section.",
    after_help = exit::TABLE,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local echo server with a configurable handshake.
    Serve(ServeArgs),
    /// Start an echo server on 127.0.0.1 and inspect it: the zero-setup tour.
    Demo,
    /// Print a shell completion script to stdout.
    Completions {
        /// The shell to generate for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    #[command(hide = true)]
    Man,
}

/// Options for inspecting a server (`wscheck [OPTIONS] <URL>`).
#[derive(Debug, Args, Clone)]
pub struct ClientArgs {
    /// ws:// or wss:// URL (no scheme means ws://; http(s):// is mapped to ws(s)://).
    #[arg(required = true, value_name = "URL")]
    pub url: Option<String>,

    /// Add a request header, 'Name: value'; one naming a generated header replaces it,
    /// and 'Name:' with no value removes it. Repeatable.
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,

    /// Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable.
    #[arg(short = 's', long = "subprotocol", value_name = "PROTOCOL")]
    pub subprotocols: Vec<String>,

    /// Send an Origin header.
    #[arg(short = 'o', long, value_name = "ORIGIN")]
    pub origin: Option<String>,

    /// wss://: accept any certificate and host name (insecure).
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Send 'Authorization: Basic' with these credentials (instead of the URL's user:pass@);
    /// with no ':PASS' the password is asked for on the terminal.
    #[arg(short = 'u', long, visible_alias = "user", value_name = "USER:PASS")]
    pub auth: Option<String>,

    /// wss://: trust the certificates in this PEM file too (added to the system roots).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// wss://: present this PEM client certificate (with --key).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// wss://: the PKCS#8 PEM private key of --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// wss://: warn when the server's certificate expires within N days.
    #[arg(long, value_name = "N", default_value_t = 14)]
    pub cert_warn_days: i64,

    // The help is an attribute, not a doc comment: rustdoc would read the brackets as links.
    #[arg(
        long,
        value_name = "URL",
        help = "Tunnel through this HTTP proxy (CONNECT): http://[user:pass@]host[:port]; '' for none.\n\
                Without it: http_proxy (ws://), https_proxy/HTTPS_PROXY (wss://), all_proxy/ALL_PROXY."
    )]
    pub proxy: Option<String>,

    /// Hosts to reach without a proxy (comma-separated names, domains, IPs or CIDR ranges such as
    /// 10.0.0.0/8; overrides NO_PROXY); '*' for all.
    #[arg(long, value_name = "LIST")]
    pub noproxy: Option<String>,

    /// Follow redirects (3xx with Location).
    #[arg(short = 'L', long)]
    pub location: bool,

    /// The most redirects -L follows.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_redirs: usize,

    /// Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message.
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// One deadline for DNS + TCP + TLS + the HTTP exchange of each connection (250ms, 2s, 1m,
    /// or seconds; 0: no limit).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub connect_timeout: Duration,

    /// Close (1000) right after the verdict.
    #[arg(long)]
    pub handshake_only: bool,

    /// Send MSG after connecting (repeatable, in order); stdin is then not read. @FILE sends
    /// the file's content as one message, @- stdin's, @@text the text @text.
    #[arg(short = 'x', long = "execute", value_name = "MSG")]
    pub execute: Vec<String>,

    /// Exit 0 after N received messages (a goal: see --timeout).
    #[arg(short = 'n', long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Exit 0 at the first received message matching this regex (a goal: see --timeout).
    #[arg(long, value_name = "REGEX")]
    pub expect: Option<String>,

    /// Exit 0 only if the server closes with one of these codes (comma-separated, or the flag
    /// repeated); another code, or none, exits 8 (a goal: see --timeout).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = parse_close_code)]
    pub expect_close: Vec<u16>,

    /// After the last send, keep listening until the connection has been quiet this long
    /// (default 1s; every received message restarts it; 0 closes at once). Not with a goal.
    #[arg(short = 'w', long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<Duration>,

    /// Overall deadline, from start to exit: DNS, connect, TLS, the HTTP exchange and the
    /// session (0: no limit). Default: none, or 10s of session when a goal is given.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Send each stdin line, and each -x message, as a binary message.
    #[arg(long)]
    pub binary: bool,

    /// End each received message on stdout with a NUL byte instead of a newline.
    #[arg(short = '0', long)]
    pub null: bool,

    /// How received binary messages are written to a pipe.
    #[arg(long, value_name = "FORMAT", default_value = "hex")]
    pub binary_output: BinaryOutput,

    /// Show ping and pong frames.
    #[arg(short = 'P', long)]
    pub show_ping_pong: bool,

    /// Send a ping this often and show each round-trip time.
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration)]
    pub ping_interval: Option<Duration>,

    /// End the session (exit 9) when a ping is not answered within this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, requires = "ping_interval")]
    pub ping_timeout: Option<Duration>,

    /// Largest message (and frame) accepted: bytes, or 64k/64KiB, 1M/1MiB, 1G (binary multiples),
    /// at most 1G; a larger one ends the session (1009).
    #[arg(long, value_name = "BYTES", default_value = "64MiB", value_parser = parse_size)]
    pub max_size: usize,

    /// Prefix messages shown on a terminal with the time since start.
    #[arg(long)]
    pub timestamps: bool,

    /// Go on into the session after a 101 whose findings have errors.
    #[arg(long)]
    pub lenient: bool,

    /// JSON Lines events on stdout instead of the transcript.
    #[arg(long)]
    pub json: bool,

    /// Show credentials (Authorization, Cookie, …) instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,

    /// When to use colour.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorWhen,
}

/// Options for `wscheck serve`.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one. The URL is printed on stdout.
    #[arg(short, long, default_value_t = 9001)]
    pub port: u16,

    /// Address to bind.
    #[arg(short, long, default_value = "127.0.0.1")]
    pub bind: String,

    /// The reason phrase of the 101 status line.
    #[arg(long, value_name = "TEXT", default_value = "Switching Protocols")]
    pub reason: String,

    /// Accept this subprotocol when the client offers it. Repeatable.
    #[arg(short = 's', long = "subprotocol", value_name = "PROTOCOL")]
    pub subprotocols: Vec<String>,

    /// Serve wss:// with this PEM certificate (chain) …
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// … and this PKCS#8 PEM private key.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BinaryOutput {
    /// The bytes as they are, newline-terminated.
    Raw,
    /// Lower-case hex, one message per line.
    Hex,
    /// Base64, one message per line.
    Base64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Parse a DURATION: `250ms`, `2s`, `1m`, or a bare (possibly fractional) number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (s, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (try 250ms, 2s, 1m or a number of seconds)"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("'{s}' is not a duration: it must be zero or more"));
    }
    Duration::try_from_secs_f64(value * scale).map_err(|_| format!("'{s}' is too long"))
}

/// The largest `--max-size`: tungstenite reserves a frame's announced length (up to the cap)
/// before reading it, so a larger cap could overflow or abort on a hostile frame header.
pub const MAX_SIZE_CAP: usize = 1 << 30;

/// Parse a SIZE: a number of bytes with an optional binary multiple — `k`/`K`/`KB`/`KiB` (1024),
/// `M`/`MB`/`MiB`, `G`/`GB`/`GiB` — between 1 byte and [`MAX_SIZE_CAP`].
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("'{s}' is not a size (try 1048576, 64k, 1M or 1G)")),
    };
    let n: u64 = number.parse().map_err(|_| format!("'{s}' is not a size (try 1048576, 64k, 1M or 1G)"))?;
    match n.checked_mul(scale) {
        Some(0) => Err("the size must be at least 1 byte".into()),
        Some(bytes) if bytes <= MAX_SIZE_CAP as u64 => Ok(bytes as usize),
        _ => Err(format!("'{s}' is too large: --max-size is at most 1G (1073741824 bytes)")),
    }
}

/// A DURATION that must be more than zero (`--ping-interval`, `--ping-timeout`).
pub fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err(format!("'{}' is not allowed here: the duration must be more than zero", s.trim()));
    }
    Ok(d)
}

/// A close code a server may send (`--expect-close`): 1000–1003, 1007–1014, 3000–4999.
pub fn parse_close_code(s: &str) -> Result<u16, String> {
    let code: u16 =
        s.trim().parse().map_err(|_| format!("'{s}' is not a close code (a number such as 1000 or 4001)"))?;
    if !crate::close::may_be_sent(code) {
        return Err(format!(
            "{code} ({}) is never sent in a Close frame, so a server cannot close with it",
            crate::close::name(code)
        ));
    }
    Ok(code)
}

/// A duration as a user would write it: `250ms`, `2s`, `1500ms`, `1m`.
pub fn show_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if !d.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{:.3}ms", d.as_secs_f64() * 1000.0)
    } else if ms.is_multiple_of(60_000) && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("inf").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("1MB"), Ok(1 << 20));
        assert_eq!(parse_size("1mib"), Ok(1 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("12 b"), Ok(12));
        for bad in ["0", "0k", "2G", "1T", "-1", "1.5M", "M", "", "99999999999999999999"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn positive_durations_and_close_codes() {
        assert_eq!(parse_positive_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_positive_duration("0").is_err());
        assert!(parse_positive_duration("0ms").is_err());
        assert_eq!(parse_close_code("4001"), Ok(4001));
        assert_eq!(parse_close_code(" 1000"), Ok(1000));
        assert!(parse_close_code("1005").is_err());
        assert!(parse_close_code("999").is_err());
        assert!(parse_close_code("x").is_err());
    }

    #[test]
    fn durations_are_shown_as_written() {
        assert_eq!(show_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(show_duration(Duration::from_secs(2)), "2s");
        assert_eq!(show_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(show_duration(Duration::from_secs(120)), "2m");
        assert_eq!(show_duration(Duration::from_micros(1500)), "1.500ms");
        assert_eq!(show_duration(Duration::ZERO), "0s");
    }
}
