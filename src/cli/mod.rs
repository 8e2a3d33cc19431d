//! The command line, defined once with clap's derive API. `--help`, the completions in
//! `completions/` and the README's usage all come from this one definition.

mod client;
mod probe;
mod values;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use client::{ClientArgs, OutputArgs, ReachArgs, RequestArgs, SessionArgs};
pub use probe::{ProbeArgs, ProbeSelect};
pub use values::*;

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
    /// Run a local echo server with a configurable handshake, strict about RFC 6455 (--lenient: not).
    Serve(ServeArgs),
    /// Start an echo server on 127.0.0.1 and inspect it: the zero-setup tour.
    Demo(DemoArgs),
    /// Send the handshake as every client that will call URL sends it, and what RFC 6455 says a
    /// server must refuse or accept; print a matrix of pass / fail / warn / skip.
    Probe(Box<ProbeArgs>),
    /// Print a shell completion script to stdout.
    Completions {
        /// The shell to generate for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    #[command(hide = true)]
    Man,
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

    /// Accept a permessage-deflate offer (RFC 7692) and echo compressed.
    #[arg(long)]
    pub deflate: bool,

    /// Accept what a strict server refuses (any method, HTTP/1.0, no Host, a key that is not
    /// 16 bytes) and drop a connection that breaks the framing rules without a Close frame.
    #[arg(long)]
    pub lenient: bool,
}

/// Options for `wscheck demo`.
#[derive(Debug, Args, Clone)]
pub struct DemoArgs {
    /// The tour over HTTP/2 (RFC 8441): the WebSocket opens with :status 200, not 101.
    #[arg(long)]
    pub http2: bool,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
