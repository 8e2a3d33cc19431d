//! `wscheck URL`: hops (following redirects with `-L`), the verdict on the last answer, and
//! the session after a valid handshake.

use crate::checks;
use crate::event::{Event, Level};
use crate::exit::{Code, Failure};
use crate::handshake::Offer;
use crate::plan::Plan;
use crate::report::{Reporter, Sink};
use crate::target::Target;

use super::hop::{Exchange, hop};
use super::redirect::Chain;

/// Inspect the plan's URL; the exit code, or the failure that stopped it.
pub fn inspect(plan: Plan, reporter: &mut Reporter) -> Result<Code, Failure> {
    for (level, text) in &plan.notes {
        reporter.emit(&Event::Note { level: *level, text: text.clone() });
    }
    #[cfg(feature = "http2")]
    if plan.reach.http2 {
        return super::inspect_h2::inspect_h2(&plan, reporter);
    }
    let (reach, limits) = (&plan.reach, &plan.limits);
    let exchange = follow(
        &plan,
        reporter,
        |target, offer, sink| hop(reach, limits, target, offer, None, sink),
        |exchange: &Exchange| {
            let response = &exchange.response;
            response.first("Location").filter(|_| (300..400).contains(&response.status))
        },
    )?;
    crate::signals::handshake_done();
    let verdict = checks::judge(&exchange.request, &exchange.response, exchange.findings);
    verdict.emit(&mut |e: Event| reporter.emit(&e));
    if !(verdict.ok || (plan.lenient && verdict.switched())) {
        return Ok(verdict.code);
    }
    let carrier = super::talk::Carrier { rest: exchange.response.rest, http2: false };
    let end = super::talk::talk(&plan, exchange.stream, carrier, &verdict.agreed, reporter)?;
    Ok(if verdict.ok { end } else { verdict.code })
}

/// Hop, and with `-L` follow each redirect (the `Location` of a 3xx, as `redirect` says) to
/// the next hop; the last hop's exchange. The hop is HTTP/1.1's or HTTP/2's.
pub(super) fn follow<X>(
    plan: &Plan,
    sink: &mut dyn Sink,
    mut hop: impl FnMut(&Target, &Offer, &mut dyn Sink) -> Result<X, Failure>,
    redirect: impl Fn(&X) -> Option<String>,
) -> Result<X, Failure> {
    let mut target = plan.target.clone();
    let mut overlay = plan.overlay.clone();
    let mut chain = Chain::new(&target, plan.max_redirects.unwrap_or(0));
    loop {
        // The URL's own credentials, unless -u gave others.
        let mut with_auth = overlay.clone();
        with_auth.auth = with_auth.auth.or_else(|| target.userinfo.clone());
        let mut offer = Offer::wscheck(&with_auth);
        for warning in offer.edit(&with_auth.headers) {
            sink.emit(&Event::Note { level: Level::Warning, text: warning });
        }
        let exchange = hop(&target, &offer, sink)?;
        let Some(location) = redirect(&exchange).filter(|_| plan.max_redirects.is_some()) else {
            return Ok(exchange);
        };
        let next = chain.follow(&target, &overlay, &location)?;
        if next.credentials_dropped {
            let why = if next.same_place { "scheme" } else { "host" };
            let text = format!("credentials are not sent to {} (another {why})", next.target.authority());
            sink.emit(&Event::Note { level: Level::Info, text });
        }
        let text =
            format!("following the redirect to {} ({} of at most {})", next.target, chain.followed(), chain.max());
        sink.emit(&Event::Note { level: Level::Info, text });
        (target, overlay) = (next.target, next.overlay);
    }
}
