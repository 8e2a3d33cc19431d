//! Running a plan: [`hop`] does one connection and one exchange, `inspect` follows
//! redirects, judges the last answer and hands a valid handshake to the session (`talk`).
//! Everything said goes to a [`Sink`](crate::report::Sink) as events.

mod hop;
#[cfg(feature = "http2")]
mod hop_h2;
mod inspect;
#[cfg(feature = "http2")]
mod inspect_h2;
mod redirect;
mod talk;

pub use hop::{Exchange, hop};
#[cfg(feature = "http2")]
pub use hop_h2::{H2Hop, h2_fields, hop_h2};

use crate::event::Event;
use crate::exit::Code;
use crate::plan::Plan;
use crate::report::Reporter;

/// Run a plan from the command line: [`begin`], then [`run`].
pub fn start(mut plan: Plan) -> Code {
    let wss = plan.target.scheme == crate::target::Scheme::Wss;
    let (json, color, insecure) = (plan.output.json, plan.output.color, plan.reach.tls.insecure);
    match begin(wss, insecure, json, color, plan.har.take(), |_| {}) {
        Ok(mut reporter) => run(plan, &mut reporter),
        Err(code) => code,
    }
}

/// What a run that talks to servers sets up before its work, in this order while this is the
/// only thread: the TLS roots looked up lazily (wss://), the reporter (`prepare` adjusts it
/// before the signal thread takes its copy of the style for last words), the `--har`
/// recording, and the signal thread. `wscheck URL` and `wscheck probe` begin so.
pub fn begin(
    wss: bool,
    insecure: bool,
    json: bool,
    color: crate::cli::ColorWhen,
    har: Option<crate::report::har::HarFile>,
    prepare: impl FnOnce(&mut Reporter),
) -> Result<Reporter, Code> {
    if wss {
        // SAFETY: no thread has been started yet.
        unsafe { crate::net::tls::lazy_roots(insecure) };
    }
    let mut reporter = Reporter::new(json, color);
    prepare(&mut reporter);
    if let Some(file) = har {
        reporter.record_har(file);
    }
    // Before any thread starts, so that every thread leaves the signals to this one.
    if let Err(e) = crate::signals::install(reporter.last_words()) {
        crate::report::say(&format!("error: could not set up signal handling: {e}"));
        return Err(Code::Internal);
    }
    Ok(reporter)
}

/// Run the client and return the exit code; every outcome, failures included, is reported.
pub fn run(plan: Plan, reporter: &mut Reporter) -> Code {
    reporter.style_mut().verbose = plan.output.verbose;
    let result = inspect::inspect(plan, reporter);
    // From here the run ends on its own; a signal that came after the handshake, when no
    // session followed to take it, still decides the exit code.
    crate::signals::done();
    let code = match result {
        Ok(code) => code,
        Err(f) => {
            reporter.emit(&Event::Error { kind: f.code.kind(), message: f.message });
            f.code
        }
    };
    finish(reporter, code)
}

/// How every run ends once its work is done (and `signals::done` said so): a signal that came
/// meanwhile decides the exit code, then the `exit` event, the `--har` file, and output that
/// was lost makes it an error whatever the server did (SPEC §15).
pub fn finish(reporter: &mut Reporter, code: Code) -> Code {
    let code = crate::signals::take().unwrap_or(code);
    reporter.emit(&Event::Exit { code: code.as_i32() });
    reporter.flush();
    if let Err(e) = reporter.finish_har() {
        crate::report::say(&format!("error: {e}"));
        return Code::Internal;
    }
    if let Some(why) = reporter.failure() {
        crate::report::say(&format!("error: cannot write to stdout: {why}"));
        return Code::Internal;
    }
    code
}
