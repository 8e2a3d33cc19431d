//! `wscheck probe`'s plan: the URL, what every variant's request carries (`-H`, `-s`, `-o`,
//! `-u`), how the server is reached, and which variants run how. Usage errors are found
//! here or in the probe's selection, before any connection.

use std::time::Instant;

use super::{Output, Reach, auth, overlay, record};
use crate::cli::ProbeArgs;
use crate::event::Level;
use crate::exit::{Code, Failure};
use crate::handshake::Overlay;
use crate::limits::Limits;
use crate::target::Target;

/// Everything a probe will do, checked.
pub struct ProbePlan {
    /// `None` only with `--list` and no URL.
    pub target: Option<Target>,
    pub overlay: Overlay,
    pub reach: Reach,
    /// Each variant's connection gets `--connect-timeout` from its own start.
    pub limits: Limits,
    pub output: Output,
    /// Variants run at once.
    pub parallel: usize,
    /// `--only`, `--skip`: group names or variant ids, as given.
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub list: bool,
    /// `--strict`: a warning fails the probe too.
    pub strict: bool,
    /// Said before connecting: how the URL was read, environment variables ignored.
    pub notes: Vec<(Level, String)>,
    /// `--har FILE`: every variant's exchange as an entry, written at the end.
    pub har: Option<crate::report::har::HarFile>,
}

impl ProbePlan {
    pub fn from_args(args: &ProbeArgs) -> Result<ProbePlan, Failure> {
        let target = args.url.as_deref().map(Target::parse).transpose()?;
        let mut notes: Vec<(Level, String)> =
            target.iter().flat_map(|t| &t.notes).map(|n| (Level::Info, n.clone())).collect();
        let mut reach = Reach::from_args(&args.reach, args.output.show_secrets)?;
        if let Some(target) = &target {
            let mut warnings = Vec::new();
            reach.proxy_for(target, &mut warnings)?;
            notes.extend(warnings.into_iter().map(|w| (Level::Warning, w)));
        }
        let mut overlay = overlay(&args.request)?;
        let select = &args.select;
        let mut har = None;
        if select.list
            && (args.output.har.is_some() || args.output.trace.is_some() || args.output.trace_ascii.is_some())
        {
            // `--list` connects to nothing: there is nothing to trace or record (SPEC §15).
            return Err(Failure::new(Code::Usage, "probe --list connects to nothing, so --har and --trace cannot act"));
        }
        if !select.list {
            // Each variant's connection is traced, labelled as any connection is.
            reach.trace = record::trace(&args.output)?;
            har = record::har(&args.output)?;
            // The trace names no connection: concurrent ones would interleave their bytes.
            if reach.trace.is_some() && select.parallel > 1 {
                let text = "--trace: the variants run one at a time, so that each connection's bytes stay together";
                notes.push((Level::Info, text.to_string()));
            }
            // Asked last, so that every other usage error is said before anyone types a password.
            overlay.auth = auth(args.request.auth.as_deref())?;
        }
        let parallel = if reach.trace.is_some() { 1 } else { select.parallel.into() };
        Ok(ProbePlan {
            target,
            overlay,
            reach,
            limits: Limits::new(Instant::now(), None, args.reach.connect_timeout),
            output: Output::from_args(&args.output),
            parallel,
            only: select.only.clone(),
            skip: select.skip.clone(),
            list: select.list,
            strict: select.strict,
            notes,
            har,
        })
    }
}
