//! `wscheck --http2 URL`: the hop over HTTP/2 (following redirects with `-L`), the verdict on
//! its answer (a 2xx is the switch), the session over the stream, and how the stream ended.

use std::time::Duration;

use crate::checks::{self, rfc8441};
use crate::event::Event;
use crate::exit::{Code, Failure};
use crate::http2::Error;
use crate::http2::client::StreamEnd;
use crate::plan::Plan;
use crate::report::Reporter;

use super::hop_h2::{H2Hop, failure, hop_h2};
use super::inspect::follow;
use super::talk::{Carrier, talk};

/// How long to wait, after the session, to learn how the stream ended: the HTTP/2 helper
/// gives the server a second to end its half, then resets it.
const ENDING: Duration = Duration::from_secs(4);

pub fn inspect_h2(plan: &Plan, reporter: &mut Reporter) -> Result<Code, Failure> {
    let (reach, limits) = (&plan.reach, &plan.limits);
    let hop = follow(
        plan,
        reporter,
        |target, offer, sink| hop_h2(reach, limits, target, offer, None, false, sink),
        H2Hop::redirect,
    )?;
    crate::signals::handshake_done();
    let H2Hop { exchange, opened, findings, place } = hop;
    let bridge = match opened {
        Ok(bridge) => bridge,
        // A refusal is judged like any answer: its status explained, exit 5.
        Err(Error::Status { .. }) => {
            let verdict = checks::judge_h2(&exchange, findings);
            verdict.emit(&mut |e: Event| reporter.emit(&e));
            return Ok(verdict.code);
        }
        Err(e) => {
            // What can be judged of what came before the failure, then the failure in words.
            for f in rfc8441::check_failed(&exchange) {
                reporter.emit(&Event::Finding(f));
            }
            return Err(failure(e, &place, &exchange));
        }
    };
    let verdict = checks::judge_h2(&exchange, findings);
    verdict.emit(&mut |e: Event| reporter.emit(&e));
    if !(verdict.ok || (plan.lenient && verdict.switched())) {
        return Ok(verdict.code);
    }
    let end = talk(plan, bridge.socket, Carrier { rest: Vec::new(), http2: true }, &verdict.agreed, reporter);
    // The session has closed its end of the bridge: the stream ends, and says how.
    reporter.emit(&stream_end(bridge.ending.wait(ENDING)));
    let end = end?;
    Ok(if verdict.ok { end } else { verdict.code })
}

/// The `stream_end` event of how the stream ended.
fn stream_end(end: StreamEnd) -> Event {
    Event::StreamEnd { steps: end.steps(), open: end.open }
}
