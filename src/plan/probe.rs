//! `wscheck probe`'s plan: the URL, what every variant's request carries (`-H`, `-s`, `-o`,
//! `-u`), how the server is reached, and which variants run how. Usage errors are found
//! here or in the probe's selection, before any connection.

use std::time::Instant;

use super::{Output, Reach, auth, overlay};
use crate::cli::ProbeArgs;
use crate::event::Level;
use crate::exit::Failure;
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
}

impl ProbePlan {
    pub fn from_args(args: &ProbeArgs) -> Result<ProbePlan, Failure> {
        let target = args.url.as_deref().map(Target::parse).transpose()?;
        let mut notes: Vec<(Level, String)> =
            target.iter().flat_map(|t| &t.notes).map(|n| (Level::Info, n.clone())).collect();
        let reach = Reach::from_args(&args.reach, args.output.show_secrets)?;
        if let Some(target) = &target {
            let mut warnings = Vec::new();
            reach.proxy_for(target, &mut warnings)?;
            notes.extend(warnings.into_iter().map(|w| (Level::Warning, w)));
        }
        let mut overlay = overlay(&args.request)?;
        let select = &args.select;
        if !select.list {
            // Asked last, so that every other usage error is said before anyone types a password.
            overlay.auth = auth(args.request.auth.as_deref())?;
        }
        Ok(ProbePlan {
            target,
            overlay,
            reach,
            limits: Limits::new(Instant::now(), None, args.reach.connect_timeout),
            output: Output::from_args(&args.output),
            parallel: select.parallel.into(),
            only: select.only.clone(),
            skip: select.skip.clone(),
            list: select.list,
            strict: select.strict,
            notes,
        })
    }
}
