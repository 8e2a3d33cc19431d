//! wscheck: a WebSocket handshake inspector and client.
//!
//! The handshake is wscheck's own (`handshake`), over a stream from `connect`; the framing
//! after it is tungstenite's. Everything said is an `event::Event`, rendered by `report`.

pub mod cli;
pub mod client;
pub mod close;
pub mod connect;
pub mod deflate;
pub mod demo;
pub mod escape;
pub mod event;
pub mod exit;
pub mod handshake;
pub mod prompt;
pub mod proxy;
pub mod report;
pub mod serve;
pub mod session;
pub mod target;
pub mod tls;

use clap::{CommandFactory, Parser};

use cli::{Cli, Command};
use exit::Code;

/// Parse the command line, run, and return the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Serve(args)) => match serve::run(&args) {
            Ok(()) => Code::Ok,
            Err(f) => {
                report::say(&format!("error: wscheck serve: {f}"));
                f.code
            }
        },
        Some(Command::Demo) => demo::run(),
        Some(Command::Completions { shell }) => completions(shell),
        None => {
            let plan = match client::prepare(&cli.client) {
                Ok(plan) => plan,
                Err(f) => {
                    report::say(&format!("error: {f}"));
                    return f.code.as_i32();
                }
            };
            if plan.target.scheme == target::Scheme::Wss {
                // SAFETY: no thread has been started yet.
                unsafe { tls::lazy_roots(cli.client.insecure) };
            }
            let mut reporter = report::Reporter::new(cli.client.json, cli.client.color);
            client::run(&cli.client, plan, &mut reporter)
        }
    };
    code.as_i32()
}

/// Print a completion script. clap_complete panics when its writer fails, so the script is
/// built in memory and written here: a closed pipe (`| head`) is a quiet end, any other
/// write error exit 1.
fn completions(shell: clap_complete::Shell) -> Code {
    use std::io::Write;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "wscheck", &mut script);
    let mut out = std::io::stdout().lock();
    match out.write_all(&script).and_then(|()| out.flush()) {
        Ok(()) => Code::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Code::Ok,
        Err(e) => {
            report::say(&format!("error: cannot write to stdout: {e}"));
            Code::Internal
        }
    }
}
