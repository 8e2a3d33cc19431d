//! wscheck: a WebSocket handshake inspector and client.
//!
//! The handshake is wscheck's own (`handshake`), over a stream from `connect`; the framing
//! after it is tungstenite's. Everything said is an `event::Event`, rendered by `report`.

pub mod cli;
pub mod client;
pub mod close;
pub mod connect;
pub mod demo;
pub mod escape;
pub mod event;
pub mod exit;
pub mod handshake;
pub mod limits;
pub mod proxy;
pub mod report;
pub mod serve;
pub mod session;
pub mod signals;
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
            Err(e) => {
                eprintln!("error: wscheck serve: {e}");
                if e.kind() == std::io::ErrorKind::InvalidInput { Code::Usage } else { Code::Internal }
            }
        },
        Some(Command::Demo) => demo::run(),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "wscheck", &mut std::io::stdout());
            Code::Ok
        }
        None => {
            let plan = match client::prepare(&cli.client) {
                Ok(plan) => plan,
                Err(f) => {
                    eprintln!("error: {f}");
                    return f.code.as_i32();
                }
            };
            if plan.target.scheme == target::Scheme::Wss {
                // SAFETY: no thread has been started yet.
                unsafe { tls::lazy_roots(cli.client.insecure) };
            }
            let mut reporter = report::Reporter::new(cli.client.json, cli.client.color);
            // Before any thread starts, so that every thread leaves the signals to this one.
            if let Err(e) = signals::install(reporter.last_words()) {
                eprintln!("error: could not set up signal handling: {e}");
                return Code::Internal.as_i32();
            }
            client::run(&cli.client, plan, &mut reporter)
        }
    };
    code.as_i32()
}
