//! `wscheck probe URL` (SPEC §12): how this server treats every client that will call it.
//! wscheck's own request runs first and decides whether the server can be reached at all;
//! then every variant (`variant.rs`, the client shapes in `clients.rs`) runs on its own
//! connection, many at once (`runner.rs`), is judged (`judge.rs`, `framing.rs`) and becomes a
//! row of the matrix (`report/matrix.rs`), or a `probe` event with `--json`.

mod clients;
mod framing;
mod http2;
mod judge;
mod runner;
mod variant;

use crate::event::{Event, Level, Outcome};
use crate::exit::{self, Code, Failure};
use crate::handshake::Overlay;
use crate::plan::probe::ProbePlan;
use crate::report::{Reporter, matrix};
use crate::target::Target;
pub use variant::{Group, H2Test, Test, Variant, catalogue};

/// Run the probe (or `--list`); the exit code.
pub fn run(mut plan: ProbePlan) -> Code {
    let mut overlay = plan.overlay.clone();
    // The URL's own credentials, unless -u gave others.
    overlay.auth = overlay.auth.or_else(|| plan.target.as_ref().and_then(|t| t.userinfo.clone()));
    let all = catalogue(&overlay);
    let selected = match select(&all, &plan.only, &plan.skip) {
        Ok(selected) => selected,
        Err(f) => {
            crate::report::say(&format!("error: {f}"));
            return f.code;
        }
    };
    if plan.list {
        return list(&selected, plan.target.as_ref(), &overlay, plan.output.verbose, plan.output.json);
    }
    let Some(target) = &plan.target else {
        crate::report::say("error: wscheck probe needs a URL (or --list)");
        return Code::Usage;
    };
    let wss = target.scheme == crate::target::Scheme::Wss;
    let layout = matrix::Layout::new(selected.iter().map(|v| v.id.as_str()), plan.output.color);
    let verbose = plan.output.verbose;
    let (json, color, insecure) = (plan.output.json, plan.output.color, plan.reach.tls.insecure);
    // The signal thread starts before the variants' threads, so that they all leave the
    // signals to this one: a SIGINT or SIGTERM ends the probe at once with its `exit` event.
    let prepare = |r: &mut Reporter| {
        r.style_mut().verbose = verbose;
        r.set_matrix(layout);
    };
    let mut reporter = match crate::run::begin(wss, insecure, json, color, plan.har.take(), prepare) {
        Ok(reporter) => reporter,
        Err(code) => return code,
    };
    let code = probe(&plan, target, &overlay, &all[0], &selected, &mut reporter);
    crate::signals::done();
    crate::run::finish(&mut reporter, code)
}

/// The baseline, then the selected variants; rows said in order; the merged exit code.
fn probe(
    plan: &ProbePlan,
    target: &Target,
    overlay: &Overlay,
    baseline: &Variant,
    selected: &[&Variant],
    reporter: &mut Reporter,
) -> Code {
    for (level, text) in &plan.notes {
        reporter.emit(&Event::Note { level: *level, text: text.clone() });
    }
    for text in variant::baseline(overlay).1 {
        reporter.emit(&Event::Note { level: Level::Warning, text });
    }
    let mut ctx = runner::Ctx {
        reach: &plan.reach,
        limits: &plan.limits,
        target,
        origin: overlay.origin.as_deref(),
        baseline_ok: true,
        http2: plan.reach.http2 || asks_for_http2(selected, &plan.only),
    };
    let first = runner::one(&ctx, baseline);
    if let Some(code @ (Code::Connect | Code::Tls | Code::Timeout | Code::Usage | Code::Internal)) = first.failure {
        // Not even wscheck's own request got an answer: nothing else would (SPEC §12).
        if plan.output.verbose {
            let said = first.record.events().iter().map(|s| &s.event).filter(|e| !matches!(e, Event::Error { .. }));
            reporter.transcript("probe variant clients/wscheck:", said);
        }
        har_entries(reporter, &first);
        let message = format!("{} (wscheck's own request; no variant was run)", first.row.message);
        reporter.emit(&Event::Error { kind: code.kind(), message });
        return code;
    }
    ctx.baseline_ok = first.row.status == Some(101) && first.row.outcome != Outcome::Fail;
    for text in judge::server_notes(&first.row.findings) {
        reporter.emit(&Event::Note { level: Level::Warning, text });
    }
    let mut outcomes = Vec::with_capacity(selected.len());
    let mut say = |done: runner::Done, reporter: &mut Reporter| {
        outcomes.push(done.row.outcome);
        har_entries(reporter, &done);
        let title = format!("probe variant {}/{}:", done.row.group, done.row.id);
        reporter.emit(&Event::Probe(Box::new(done.row)));
        if plan.output.verbose {
            reporter.transcript(&title, done.record.events().iter().map(|s| &s.event));
        }
    };
    let rest: Vec<&Variant> = selected.iter().copied().filter(|v| !std::ptr::eq(*v, baseline)).collect();
    if rest.len() < selected.len() {
        say(first, reporter);
    }
    runner::all(&ctx, &rest, plan.parallel, |done| say(done, reporter));
    let count = |o: Outcome| outcomes.iter().filter(|&&x| x == o).count();
    reporter.emit(&Event::Summary {
        pass: count(Outcome::Pass),
        fail: count(Outcome::Fail),
        warn: count(Outcome::Warn),
        skip: count(Outcome::Skip),
    });
    exit::merge(outcomes, plan.strict)
}

/// `--only` names the `http2` group or one of its variants (SPEC §12: the group runs only
/// when asked for, by `--http2` or by name).
fn asks_for_http2(selected: &[&Variant], only: &[String]) -> bool {
    only.iter().any(|n| n == Group::Http2.name() || selected.iter().any(|v| v.group == Group::Http2 && &v.id == n))
}

/// With `--har`: the variant's hop (and frames) as entries of the run's HAR file, each with
/// the variant and its outcome as its comment.
fn har_entries(reporter: &mut Reporter, done: &runner::Done) {
    if !reporter.records_har() {
        return;
    }
    let mut entries = crate::report::har::entries(done.record.events());
    let comment = format!("probe {}/{}: {}", done.row.group, done.row.id, done.row.outcome.as_str());
    for entry in &mut entries {
        entry["comment"] = serde_json::Value::String(comment.clone());
    }
    reporter.add_har_entries(entries);
}

/// The variants `--only` and `--skip` leave (each a group name or a variant id), in order.
fn select<'a>(all: &'a [Variant], only: &[String], skip: &[String]) -> Result<Vec<&'a Variant>, Failure> {
    for name in only.iter().chain(skip) {
        if !Group::ALL.iter().any(|g| g.name() == name) && !all.iter().any(|v| &v.id == name) {
            let groups: Vec<&str> = Group::ALL.iter().map(|g| g.name()).collect();
            return Err(Failure::new(
                Code::Usage,
                format!(
                    "no probe group or variant '{name}': the groups are {}; `wscheck probe --list` shows every variant",
                    groups.join(", ")
                ),
            ));
        }
    }
    let named = |v: &Variant, names: &[String]| names.iter().any(|n| n == v.group.name() || n == &v.id);
    Ok(all.iter().filter(|v| (only.is_empty() || named(v, only)) && !named(v, skip)).collect())
}

/// `probe --list`: every variant with its group, what it sends and what it expects; with
/// `-v` each request in full, rendered for the URL (or for `ws://example.com/`).
fn list(selected: &[&Variant], target: Option<&Target>, overlay: &Overlay, verbose: bool, json: bool) -> Code {
    let example = Target::parse("ws://example.com/");
    let target = target.or(example.as_ref().ok());
    let request = |v: &Variant, target: &Target| match v.test {
        Test::Http2(_) => http2::lines(&v.offer, target, overlay.origin.as_deref()),
        _ => v.offer.render(target, overlay.origin.as_deref()).display_lines(false),
    };
    if json {
        // One `variant` object per line, as the other JSON Lines output (`sent` with -v).
        let mut out = String::new();
        for v in selected {
            let mut obj = serde_json::json!({
                "group": v.group.name(), "id": v.id,
                "sends": v.sends, "expects": v.expects, "rfc": v.rfc,
            });
            if let (true, Some(target)) = (verbose, target) {
                obj["sent"] = serde_json::json!(request(v, target));
            }
            // `type` first, as in every other JSON line wscheck writes.
            out.push_str(&format!("{{\"type\":\"variant\",{}\n", &obj.to_string()[1..]));
        }
        return crate::write_stdout(out.as_bytes());
    }
    let width = selected.iter().map(|v| v.id.len()).max().unwrap_or(2);
    let mut out = String::new();
    for v in selected {
        out.push_str(&format!("{:<11}  {:<width$}  sends {}\n", v.group.name(), v.id, v.sends));
        out.push_str(&format!("{:<11}  {:<width$}  expects {} [{}]\n", "", "", v.expects, v.rfc));
        if let (true, Some(target)) = (verbose, target) {
            for line in request(v, target) {
                if !line.is_empty() {
                    out.push_str(&format!("{:<11}  {:<width$}  > {}\n", "", "", crate::escape::text(&line)));
                }
            }
        }
    }
    crate::write_stdout(out.as_bytes())
}
