//! Judging one variant's answer (SPEC §12): the handshake by `checks::judge` where it applies,
//! an offered permessage-deflate by RFC 7692's rules (`deflate::params`), and each variant's
//! own expectation. Pure functions: the request and response in, a [`Judged`] out.

use super::variant::{Test, UNKNOWN_SUBPROTOCOL, Variant};
use crate::checks;
use crate::event::{Check, Finding, Level, Outcome};
use crate::exit::{Cause, Code, Failure};
use crate::handshake::{Request, Response, status_text};

/// How one variant went.
#[derive(Debug, Clone)]
pub struct Judged {
    pub outcome: Outcome,
    /// The status the server answered, when it answered HTTP.
    pub status: Option<u16>,
    pub message: String,
    /// The section the outcome rests on, when it is not the variant's own (a finding's).
    pub rfc: Option<&'static str>,
    pub findings: Vec<Finding>,
}

impl Judged {
    fn new(outcome: Outcome, status: Option<u16>, message: String) -> Judged {
        Judged { outcome, status, message, rfc: None, findings: Vec::new() }
    }

    /// A framing variant's outcome (the status is the handshake's, set by the caller).
    pub fn frames(outcome: Outcome, message: String) -> Judged {
        Judged::new(outcome, None, message)
    }

    /// Not run, and why.
    pub fn skip(status: Option<u16>, why: impl Into<String>) -> Judged {
        Judged::new(Outcome::Skip, status, why.into())
    }

    pub(super) fn rfc(mut self, rfc: &'static str) -> Judged {
        self.rfc = Some(rfc);
        self
    }
}

/// The variant got no HTTP answer (the connection failed, no response, not HTTP, timed out).
/// A variant that expects a 101 fails; one that expects a refusal, or does not mind one, warns.
pub fn unanswered(v: &Variant, failure: &Failure) -> Judged {
    let words = match failure.cause {
        Cause::Timeout(_) => format!("{} (no answer)", failure.message),
        _ => failure.message.clone(),
    };
    match v.test {
        // A framing variant needs the 101 first, which wscheck's own request got.
        Test::Accept | Test::Frame(_) => Judged::new(Outcome::Fail, None, words),
        _ if failure.code == Code::NoSwitch || matches!(failure.cause, Cause::Timeout(_)) => {
            Judged::new(Outcome::Warn, None, format!("{words}: a 4xx would say why"))
        }
        _ => Judged::new(Outcome::Warn, None, words),
    }
}

/// Judge `response` to `request` for `v`. `baseline_ok`: wscheck's own request was accepted
/// (a client turned away while it was is the row the clients group exists for).
pub fn answered(v: &Variant, request: &Request, response: &Response, extra: Vec<Finding>, baseline_ok: bool) -> Judged {
    let verdict = checks::judge(request, response, extra);
    // An agreed extension wscheck cannot speak is wscheck's limit, not the server's doing.
    let findings: Vec<Finding> =
        verdict.findings.into_iter().filter(|f| f.check != Check::ExtensionsUnsupported).collect();
    let status = response.status;
    let shown = status_text(status, &response.reason);
    let refused_too = if baseline_ok { "" } else { " (wscheck's own request was refused too)" };
    let mut judged = match &v.test {
        Test::Frame(_) => Judged::skip(Some(status), "judged by its frames"),
        Test::Refuse { if_101, must_carry, also } => {
            refusal(response, &shown, (*if_101, *must_carry, also), refused_too)
        }
        _ if status != 101 => refused(v, response, &shown, baseline_ok, refused_too),
        _ => switched(v, request, response, &findings, verdict.agreed.deflate),
    };
    judged.status = Some(status);
    judged.findings = findings;
    judged
}

/// A variant that must be refused.
fn refusal(r: &Response, shown: &str, test: (Outcome, Option<&str>, &[u16]), refused_too: &str) -> Judged {
    let (if_101, must_carry, also) = test;
    if r.status == 101 {
        let must = if if_101 == Outcome::Fail { "must" } else { "should" };
        return Judged::new(if_101, None, format!("{shown}: accepted; a server {must} refuse it"));
    }
    let carried = must_carry.map(|name| (name, r.first(name)));
    if let Some((name, None)) = carried {
        return Judged::new(
            Outcome::Fail,
            None,
            format!("{shown} without {name}: a client cannot tell what to retry with"),
        );
    }
    let with = match carried {
        Some((name, Some(value))) => format!(" with {name}: {value}"),
        _ => String::new(),
    };
    if (400..500).contains(&r.status) || also.contains(&r.status) {
        Judged::new(Outcome::Pass, None, format!("{shown}{with}{refused_too}"))
    } else {
        Judged::new(Outcome::Warn, None, format!("{shown}{with}: a 4xx would say the request is at fault"))
    }
}

/// A variant that did not get the 101 it hoped for (or may be refused).
fn refused(v: &Variant, r: &Response, shown: &str, baseline_ok: bool, refused_too: &str) -> Judged {
    let client_error = (400..500).contains(&r.status);
    match v.test {
        Test::UnknownSubprotocol if client_error => Judged::new(
            Outcome::Pass,
            None,
            format!("{shown}: refused a subprotocol it does not speak (allowed){refused_too}"),
        ),
        Test::Origin { foreign: true } if client_error => {
            Judged::new(Outcome::Pass, None, format!("{shown}: refused a foreign Origin{refused_too}"))
        }
        Test::Origin { foreign: false } if client_error => Judged::new(
            Outcome::Pass,
            None,
            format!("{shown}: refused a client without Origin (only browsers get in){refused_too}"),
        ),
        Test::Accept if baseline_ok && v.id != "wscheck" => {
            Judged::new(Outcome::Fail, None, format!("{shown}: refused, though wscheck's own request was accepted"))
        }
        Test::Accept => Judged::new(Outcome::Fail, None, format!("{shown}: refused")),
        _ => Judged::new(Outcome::Warn, None, format!("{shown}{refused_too}")),
    }
}

/// A 101: the handshake's findings, the deflate parameters agreed (`deflate`, the verdict's),
/// then the variant's own view.
fn switched(
    v: &Variant,
    request: &Request,
    response: &Response,
    findings: &[Finding],
    deflate: Option<crate::deflate::params::Params>,
) -> Judged {
    let errors: Vec<&Finding> = findings.iter().filter(|f| f.level == Level::Error).collect();
    if let Some(first) = errors.first() {
        let more = if errors.len() > 1 { format!(" (and {} more)", errors.len() - 1) } else { String::new() };
        return Judged::new(Outcome::Fail, None, format!("101, but {}{more}", first.message)).rfc(first.rfc());
    }
    // An answer that breaks RFC 7692 is a `deflate-params` error above: what is left was
    // agreed or declined.
    let offers_deflate = request.offered_extensions.iter().any(|e| e == crate::deflate::params::EXTENSION);
    let deflate = match deflate {
        _ if !offers_deflate => String::new(),
        Some(params) => format!(", permessage-deflate: {params}"),
        None => ", permessage-deflate declined".into(),
    };
    let chosen = response.tokens("Sec-WebSocket-Protocol");
    match v.test {
        Test::UnknownSubprotocol if chosen == [UNKNOWN_SUBPROTOCOL] => {
            let text = format!(
                "101 choosing \"{UNKNOWN_SUBPROTOCOL}\": it agrees to any subprotocol, even one it cannot speak"
            );
            return Judged::new(Outcome::Warn, None, text);
        }
        Test::Origin { foreign: true } => {
            let text = "101: accepts a foreign Origin (Cross-Site WebSocket Hijacking, if it relies on cookies)";
            return Judged::new(Outcome::Warn, None, text.into());
        }
        _ => {}
    }
    // Choosing none of an unknown subprotocol is the point, not the usual warning; the
    // certificate's warnings are the server's, not the variant's (said once, see `server_notes`).
    let unknown = v.test == Test::UnknownSubprotocol;
    let counts = |f: &&Finding| !(is_certificate(f) || (unknown && f.check == Check::Subprotocol));
    if let Some(w) = findings.iter().filter(counts).find(|f| f.level == Level::Warning) {
        return Judged::new(Outcome::Warn, None, format!("101, but {}", w.message)).rfc(w.rfc());
    }
    let what = match (&v.test, chosen.as_slice()) {
        (Test::Origin { .. }, _) => "101: accepts a client without Origin".to_string(),
        (Test::UnknownSubprotocol, []) => "101, no subprotocol chosen".to_string(),
        (_, [one]) => format!("101, valid, subprotocol \"{one}\""),
        _ => "101, valid".to_string(),
    };
    Judged::new(Outcome::Pass, None, format!("{what}{deflate}"))
}

fn is_certificate(f: &Finding) -> bool {
    matches!(f.check, Check::Certificate | Check::CertificateName)
}

/// What is true of the server whatever the variant, from wscheck's own exchange: the
/// certificate's warnings, said once above the matrix rather than in every row.
pub fn server_notes(findings: &[Finding]) -> Vec<String> {
    findings.iter().filter(|f| is_certificate(f) && f.level == Level::Warning).map(|f| f.message.clone()).collect()
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
