//! The probe matrix (SPEC §12): one row per variant on stdout — group, id, status, outcome
//! and why — aligned, the outcome coloured on a terminal and plain in a pipe; the summary
//! line goes to the transcript (stderr).

use std::io::{self, IsTerminal};

use crate::cli::ColorWhen;
use crate::escape;
use crate::event::{Outcome, ProbeRow};

/// The widest group name (`negotiation`).
const GROUP_WIDTH: usize = 11;

/// How rows are laid out; fixed for a probe.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The widest id of the variants run.
    pub id_width: usize,
    /// Colour the outcome (stdout is a terminal and colour is not turned off).
    pub color: bool,
}

impl Layout {
    /// The layout for ids `ids`, coloured as `when` says for stdout (fd's rule: the flag,
    /// then `NO_COLOR` and `TERM=dumb`, then whether stdout is a terminal).
    pub fn new<'a>(ids: impl Iterator<Item = &'a str>, when: ColorWhen) -> Layout {
        // The matrix is stdout's: coloured when stdout is a terminal (the transcript asks stderr).
        let color = super::color_for(when, io::stdout().is_terminal());
        Layout { id_width: ids.map(|id| escape::text(id).chars().count()).max().unwrap_or(2).max(2), color }
    }
}

/// The line above the rows.
pub fn header(layout: &Layout) -> String {
    let line = format!("{:<GROUP_WIDTH$}  {:<w$}  STATUS  OUTCOME  WHY", "GROUP", "ID", w = layout.id_width);
    if layout.color { format!("\x1b[1m{line}\x1b[0m\n") } else { format!("{line}\n") }
}

/// One variant's row: `clients      chrome   101     pass     why [RFC …]`.
pub fn row(row: &ProbeRow, layout: &Layout) -> String {
    let status = row.status.map_or_else(|| "-".to_string(), |s| s.to_string());
    let outcome = format!("{:<7}", row.outcome.as_str());
    let outcome = if layout.color { format!("{}{outcome}\x1b[0m", colour(row.outcome)) } else { outcome };
    let rfc = if row.rfc.is_empty() { String::new() } else { format!(" [{}]", row.rfc) };
    format!(
        "{:<GROUP_WIDTH$}  {:<w$}  {status:<6}  {outcome}  {}{rfc}\n",
        row.group,
        escape::text(&row.id),
        escape::text(&row.message),
        w = layout.id_width
    )
}

fn colour(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "\x1b[32m",
        Outcome::Fail => "\x1b[1;31m",
        Outcome::Warn => "\x1b[1;33m",
        Outcome::Skip => "\x1b[2m",
    }
}

/// The summary for the transcript: `* probe: 38 variants: 30 pass, 2 fail, 4 warn, 2 skip`.
pub fn summary(pass: usize, fail: usize, warn: usize, skip: usize) -> String {
    let total = pass + fail + warn + skip;
    format!("* probe: {}: {pass} pass, {fail} fail, {warn} warn, {skip} skip\n", crate::words::count(total, "variant"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sample(outcome: Outcome, message: &str) -> ProbeRow {
        ProbeRow {
            group: "rules",
            id: "version-99".into(),
            sent: vec![],
            status: Some(426),
            outcome,
            expected: String::new(),
            message: message.into(),
            rfc: "RFC 6455 §4.2.2",
            findings: vec![],
            took: Duration::ZERO,
        }
    }

    #[test]
    fn rows_line_up_under_the_header_and_escape_network_text() {
        let layout = Layout { id_width: 12, color: false };
        let head = header(&layout);
        let line = row(&sample(Outcome::Warn, "said \u{1b}[2J"), &layout);
        assert_eq!(head, "GROUP        ID            STATUS  OUTCOME  WHY\n");
        assert_eq!(line, "rules        version-99    426     warn     said \\x1b[2J [RFC 6455 §4.2.2]\n");
        assert_eq!(head.find("OUTCOME"), line.find("warn"));
        let no_status = row(&ProbeRow { status: None, rfc: "", ..sample(Outcome::Skip, "n/a") }, &layout);
        assert_eq!(no_status, "rules        version-99    -       skip     n/a\n");
    }

    #[test]
    fn colour_is_on_the_outcome_only() {
        let layout = Layout { id_width: 10, color: true };
        let line = row(&sample(Outcome::Fail, "x"), &layout);
        assert!(line.contains("\x1b[1;31mfail   \x1b[0m"), "{line:?}");
        assert!(line.starts_with("rules "));
    }
}
