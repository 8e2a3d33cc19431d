//! Running variants: [`one`] is one variant (one hop, and frames after a 101), each into its
//! own record of events (a `har::Recorder`: the events with the time each was said); [`all`] runs many at once on plain threads, at most `parallel` at a
//! time, and hands the results back in catalogue order. Each hop blocks under its own
//! deadline (`--connect-timeout` from its start), so a hanging variant holds only its thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use super::framing;
use super::http2;
use super::judge::{self, Judged};
use super::variant::{Frame, Test, Variant};
use crate::checks;
use crate::event::{Event, ProbeRow};
use crate::exit::Code;
use crate::limits::Limits;
use crate::plan::Reach;
use crate::report::har::Recorder;
use crate::run::hop;
use crate::target::Target;

/// What every variant shares: where to and how.
pub struct Ctx<'a> {
    pub reach: &'a Reach,
    pub limits: &'a Limits,
    pub target: &'a Target,
    /// `-o`, for the offers' `Origin` values.
    pub origin: Option<&'a str>,
    /// wscheck's own request was accepted (filled in once the baseline has run).
    pub baseline_ok: bool,
    /// The `http2` group was asked for (`--http2`, or named with `--only`).
    pub http2: bool,
}

/// One variant, run.
pub struct Done {
    pub row: ProbeRow,
    /// Everything said while it ran, with when: its transcript for `-v`, its `--har` entries.
    pub record: Recorder,
    /// The code of the failure that kept it from any HTTP answer, if one did.
    pub failure: Option<Code>,
}

/// Run variant `v`.
pub fn one(ctx: &Ctx, v: &Variant) -> Done {
    let started = Instant::now();
    let mut events = Recorder::default();
    let mut failure = None;
    let judged = match &v.test {
        Test::Http2(_) if let Some(why) = http2::not_run(ctx) => Judged::skip(None, why),
        Test::Http2(test) => {
            let (judged, code) = http2::run(ctx, v, *test, &mut events);
            failure = code;
            judged
        }
        test => match hop(ctx.reach, ctx.limits, ctx.target, &v.offer, ctx.origin, &mut events) {
            Err(f) => {
                events.record(&Event::Error { kind: f.code.kind(), message: f.message.clone() });
                failure = Some(f.code);
                judge::unanswered(v, &f)
            }
            Ok(ex) => match test {
                Test::Frame(frame) => {
                    let verdict = checks::judge(&ex.request, &ex.response, ex.findings);
                    verdict.emit(&mut |e| events.record(&e));
                    let status = Some(verdict.status);
                    let mut judged = if !verdict.switched() {
                        let shown = crate::handshake::status_text(verdict.status, &ex.response.reason);
                        Judged::skip(status, format!("the handshake was refused ({shown})"))
                    } else if !verdict.ok {
                        Judged::skip(status, "the 101 breaks RFC 6455 (see clients/wscheck): no frames sent")
                    } else if *frame == Frame::Rsv1 && !verdict.agreed.extensions.is_empty() {
                        Judged::skip(status, "an extension was agreed, which may give RSV1 a meaning")
                    } else {
                        framing::run(*frame, ex.stream, ex.response.rest.clone(), &mut events)
                    };
                    judged.status = status;
                    judged.findings = verdict.findings;
                    judged
                }
                _ => {
                    let judged = judge::answered(v, &ex.request, &ex.response, ex.findings, ctx.baseline_ok);
                    for f in &judged.findings {
                        events.record(&Event::Finding(f.clone()));
                    }
                    judged
                }
            },
        },
    };
    let mut sent: Vec<String> = events
        .events()
        .iter()
        .find_map(|s| if let Event::Request { lines, .. } = &s.event { Some(lines.clone()) } else { None })
        .unwrap_or_default();
    if sent.last().is_some_and(String::is_empty) {
        sent.pop();
    }
    let row = ProbeRow {
        group: v.group.name(),
        id: v.id.clone(),
        sent,
        status: judged.status,
        outcome: judged.outcome,
        expected: v.expects.clone(),
        message: judged.message,
        rfc: judged.rfc.unwrap_or(v.rfc),
        findings: judged.findings,
        took: started.elapsed(),
    };
    Done { row, record: events, failure }
}

/// Run `variants`, at most `parallel` at once, and give each result to `each` in their order
/// (a result waits only for those before it to be given).
pub fn all(ctx: &Ctx, variants: &[&Variant], parallel: usize, mut each: impl FnMut(Done)) {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, Done)>();
    std::thread::scope(|scope| {
        for _ in 0..parallel.min(variants.len()) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(v) = variants.get(i) else { break };
                    if tx.send((i, one(ctx, v))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting: Vec<Option<Done>> = variants.iter().map(|_| None).collect();
        let mut given = 0;
        for (i, done) in rx {
            waiting[i] = Some(done);
            while let Some(done) = waiting.get_mut(given).and_then(Option::take) {
                each(done);
                given += 1;
            }
        }
    });
}
