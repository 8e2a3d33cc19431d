//! `wscheck probe [OPTIONS] <URL>`'s options: the request, reach and output groups every
//! command shares, and which variants to run and how many at once.

use clap::Args;

use super::{OutputArgs, ReachArgs, RequestArgs};

/// What `probe --help` says after the options.
const AFTER: &str = "\
Groups (--only/--skip GROUP or ID; `probe --list` shows every variant, what it sends and expects):
  clients      the handshake exactly as Chrome, Firefox, Safari, curl, python websockets, node ws,
               Go gorilla and coder, OkHttp send it: each expects a valid 101
  rules        what RFC 6455 §4.2 requires of a server: bad versions, keys, methods, HTTP/1.0,
               no Host refused; Upgrade: WebSocket and lower-case names accepted
  negotiation  a subprotocol it cannot know, each -s alone, permessage-deflate offers
  origin       no Origin, a foreign Origin (accepting it: warn)
  framing      after a 101: ping, Close, text that is not UTF-8, unmasked and reserved frames
  http2        wss:// only, with --http2 or when named: ALPN selects h2, SETTINGS_ENABLE_CONNECT_PROTOCOL,
               an extended CONNECT answered 2xx, Chrome's and Firefox's over HTTP/2 (RFC 8441)

Outcomes: pass, fail (an RFC MUST broken), warn (a SHOULD, or leniency), skip (not applicable).
The matrix goes to stdout; -v adds each variant's transcript on stderr, after its row.

Exit codes:
  0   no variant failed
  6   a variant failed (--strict: or warned)
  3, 4, 7  not even wscheck's own request could connect (refused, TLS, timed out)
  2   usage error";

/// Options for `wscheck probe`.
#[derive(Debug, Args, Clone)]
#[command(after_help = AFTER)]
pub struct ProbeArgs {
    /// ws:// or wss:// URL (no scheme means ws://; http(s):// is mapped to ws(s)://).
    #[arg(value_name = "URL", required_unless_present = "list")]
    pub url: Option<String>,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub reach: ReachArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub select: ProbeSelect,
}

/// Which variants run, how many at once, and what fails the probe.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Probe")]
pub struct ProbeSelect {
    /// Run this many variants at once, each on its own connection.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallel: u16,

    /// Run only this group or variant (repeatable, or comma-separated).
    #[arg(long, value_name = "GROUP|ID", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Leave out this group or variant (repeatable, or comma-separated).
    #[arg(long, value_name = "GROUP|ID", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Print every variant (group, id, what it sends, what it expects) and exit; with -v,
    /// each request in full.
    #[arg(long)]
    pub list: bool,

    /// Exit 6 when a variant warns, not only when one fails.
    #[arg(long)]
    pub strict: bool,
}
