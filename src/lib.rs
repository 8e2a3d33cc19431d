//! wscheck: a WebSocket handshake inspector and client.
//!
//! A command line becomes a `plan::Plan`; `run` does one hop (`net` for the connection,
//! `handshake` for wscheck's own HTTP exchange, `http2` for RFC 8441), `checks` judge it, and
//! the `session` goes on over tungstenite's framing or wscheck's own (`deflate`). Everything
//! said is an `event::Event`, rendered by `report`.

pub mod checks;
pub mod cli;
pub mod close;
pub mod deflate;
pub mod demo;
pub mod escape;
pub mod event;
pub mod exit;
pub mod handshake;
pub mod http1;
pub mod limits;
pub mod man;
pub mod net;
pub mod plan;
pub mod probe;
pub mod prompt;
pub mod report;
pub mod run;
pub mod serve;
pub mod session;
pub mod signals;
pub mod target;
pub mod version;
pub mod words;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use cli::{Cli, Command};
use exit::Code;

// WebSocket over HTTP/2 (RFC 8441): the `http2` feature (its own docs are in the module).
#[cfg(feature = "http2")]
pub mod http2;

/// Parse the command line, run, and return the process exit code.
pub fn main() -> ExitCode {
    let matches = Cli::command().version(version::short()).long_version(version::long()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let code = match cli.command {
        Some(Command::Serve(args)) => match serve::run(&args) {
            Ok(()) => Code::Ok,
            Err(f) => {
                report::say(&format!("error: wscheck serve: {f}"));
                f.code
            }
        },
        Some(Command::Demo(args)) => demo::run(args.http2),
        Some(Command::Probe(args)) => match plan::probe::ProbePlan::from_args(&args) {
            Ok(plan) => probe::run(plan),
            Err(f) => {
                report::say(&format!("error: {f}"));
                f.code
            }
        },
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "wscheck", &mut script);
            write_stdout(&script)
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            match man::render(&mut page) {
                Ok(()) => write_stdout(&page),
                Err(e) => {
                    report::say(&format!("error: cannot render the man page: {e}"));
                    Code::Internal
                }
            }
        }
        None => match plan::Plan::from_args(&cli.client) {
            Ok(plan) => run::start(plan),
            Err(f) => {
                report::say(&format!("error: {f}"));
                f.code
            }
        },
    };
    ExitCode::from(code.as_i32() as u8)
}

/// Write generated text (a completion script, the man page) to stdout. clap_complete panics
/// when its writer fails, so scripts are built in memory and written here: a closed pipe
/// (`| head`) is a quiet end, any other write error exit 1.
fn write_stdout(bytes: &[u8]) -> Code {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Code::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Code::Ok,
        Err(e) => {
            report::say(&format!("error: cannot write to stdout: {e}"));
            Code::Internal
        }
    }
}
