//! `wscheck [OPTIONS] <URL>`'s options, in groups that other commands share: what every
//! request carries ([`RequestArgs`]), how the server is reached ([`ReachArgs`]) and how
//! wscheck reports ([`OutputArgs`]) are also `probe`'s; the session is the client's own.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{BinaryOutput, ColorWhen, parse_close_code, parse_duration, parse_positive_duration, parse_size};

/// Options for inspecting a server (`wscheck [OPTIONS] <URL>`).
#[derive(Debug, Args, Clone)]
pub struct ClientArgs {
    /// ws:// or wss:// URL (no scheme means ws://; http(s):// is mapped to ws(s)://).
    #[arg(required = true, value_name = "URL")]
    pub url: Option<String>,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub reach: ReachArgs,

    #[command(flatten)]
    pub session: SessionArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// What every request carries: headers, subprotocols, Origin, credentials.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Request")]
pub struct RequestArgs {
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

    /// Send 'Authorization: Basic' with these credentials (instead of the URL's user:pass@);
    /// with no ':PASS' the password is asked for on the terminal.
    #[arg(short = 'u', long, visible_alias = "user", value_name = "USER:PASS")]
    pub auth: Option<String>,

    /// Offer permessage-deflate as Chrome does ('Sec-WebSocket-Extensions: permessage-deflate;
    /// client_max_window_bits'), judge the answer, and compress messages when it is agreed.
    #[arg(long)]
    pub deflate: bool,
}

/// How the server is reached: TLS, proxies, routes, the connection deadline.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Connection")]
pub struct ReachArgs {
    /// wss://: accept any certificate and host name (insecure).
    #[arg(short = 'k', long)]
    pub insecure: bool,

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
        help = "Tunnel through this proxy: http://[user:pass@]host[:port] (CONNECT), socks5://… (SOCKS5, the \
                name resolved here) or socks5h://… (the proxy resolves it); '' for none.\n\
                Without it: http_proxy (ws://), https_proxy/HTTPS_PROXY (wss://), all_proxy/ALL_PROXY."
    )]
    pub proxy: Option<String>,

    /// Hosts to reach without a proxy (comma-separated names, domains, IPs or CIDR ranges such as
    /// 10.0.0.0/8; overrides NO_PROXY); '*' for all.
    #[arg(long, value_name = "LIST")]
    pub noproxy: Option<String>,

    /// Connect to this Unix domain socket instead of the network; the URL still gives Host, the
    /// path and, for wss://, the TLS name (as curl).
    #[arg(long, value_name = "PATH")]
    pub unix_socket: Option<PathBuf>,

    /// For a connection to HOST:PORT, connect to CONNECT_HOST:CONNECT_PORT instead; Host, SNI
    /// and certificate checks keep the URL's name. Empty HOST or PORT: any; empty CONNECT_HOST
    /// or CONNECT_PORT: the URL's. IPv6 in brackets. Repeatable; the first match applies.
    #[arg(long, value_name = "HOST:PORT:CONNECT_HOST:CONNECT_PORT")]
    pub connect_to: Vec<String>,

    // An attribute, not a doc comment: rustdoc would read the brackets as links.
    #[arg(
        long,
        value_name = "HOST:PORT:ADDR",
        help = "Use these addresses for HOST:PORT instead of DNS: HOST:PORT:ADDR[,ADDR...] (HOST may be \
                '*'; IPv6 in [brackets]); used whatever -4/-6 say. Repeatable"
    )]
    pub resolve: Vec<String>,

    /// Resolve names to IPv4 addresses only.
    #[arg(short = '4', long, conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Resolve names to IPv6 addresses only.
    #[arg(short = '6', long)]
    pub ipv6: bool,

    /// One deadline for DNS + TCP + TLS + the HTTP exchange of each connection (250ms, 2s, 1m,
    /// or seconds; 0: no limit).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub connect_timeout: Duration,

    /// Open the WebSocket over HTTP/2 (RFC 8441 extended CONNECT), as browsers do when the
    /// server offers it: wss:// by ALPN h2, ws:// as h2c with prior knowledge. Success is 200, not 101.
    #[arg(long)]
    pub http2: bool,
}

/// What happens after the handshake, and what ends it.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Session")]
pub struct SessionArgs {
    /// Follow redirects (3xx with Location).
    #[arg(short = 'L', long)]
    pub location: bool,

    /// The most redirects -L follows.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_redirs: usize,

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

    /// How received binary messages are written to a pipe [default: hex].
    #[arg(long, value_name = "FORMAT")]
    pub binary_output: Option<BinaryOutput>,

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
}

/// How wscheck reports.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message.
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// JSON Lines events on stdout instead of the transcript.
    #[arg(long)]
    pub json: bool,

    /// Show credentials (Authorization, Cookie, …) instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,

    /// When to use colour.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorWhen,

    /// Write every byte sent and received (after TLS: decrypted for wss) to FILE, timestamped,
    /// in hex and ASCII with each WebSocket frame's header annotated, as curl's --trace; '-'
    /// for stderr. Credentials masked unless --show-secrets.
    #[arg(long, value_name = "FILE", conflicts_with = "trace_ascii")]
    pub trace: Option<PathBuf>,

    /// Like --trace, in ASCII only (curl's --trace-ascii).
    #[arg(long, value_name = "FILE")]
    pub trace_ascii: Option<PathBuf>,

    /// Write the run as HAR 1.2 to FILE at exit (as browser dev tools export it): the upgrade
    /// exchange as an entry, the messages in _webSocketMessages.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
}
