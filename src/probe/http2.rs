//! The probe's `http2` group (SPEC §12, §13): does ALPN select `h2`, do the server's SETTINGS
//! announce `ENABLE_CONNECT_PROTOCOL`, is an extended CONNECT answered 2xx — wscheck's own,
//! and Chrome's and Firefox's as they send it over HTTP/2. wss:// only, and only when asked
//! for (`--http2`, or the group or one of its variants named with `--only`). Each variant is
//! its own connection, opened by `run::hop_h2`; the CONNECT is sent even without the setting
//! (deliberately: how the server refuses it is part of the answer).
//!
//! Not speaking HTTP/2, or not announcing RFC 8441, breaks no rule (browsers then use
//! HTTP/1.1): those rows are `skip`. What fails is a server that announces RFC 8441 and then
//! does not open the WebSocket, or answers in a way HTTP/2 or RFC 8441 forbids.

use super::clients;
use super::judge::Judged;
use super::runner::Ctx;
use super::variant::{Group, H2Test, Test, Variant};
use crate::event::{Finding, Level, Outcome};
use crate::exit::Code;
use crate::handshake::{Offer, Overlay, Value};
use crate::http1::auth::basic_auth;
use crate::report::Sink;

/// The group's variants for `overlay`: `offer` is wscheck's own request (the baseline's).
pub fn variants(overlay: &Overlay, own: &Offer) -> Vec<Variant> {
    let v = |id: &str, sends: &str, expects: &str, rfc, offer: Offer, test| Variant {
        group: Group::Http2,
        id: id.into(),
        sends: sends.into(),
        expects: expects.into(),
        rfc,
        offer,
        test: Test::Http2(test),
    };
    let opens = "a 2xx (a server that announces RFC 8441 and refuses fails)";
    let mut out = vec![
        v(
            "h2-alpn",
            "TLS offering ALPN h2, http/1.1",
            "h2 selected (else: no HTTP/2 here, skip)",
            "RFC 9113 §3.2",
            own.clone(),
            H2Test::Alpn,
        ),
        v(
            "h2-settings",
            "the HTTP/2 preface, then waits for the server's SETTINGS",
            "SETTINGS_ENABLE_CONNECT_PROTOCOL=1 (absent: no WebSocket over HTTP/2, skip)",
            "RFC 8441 §3",
            own.clone(),
            H2Test::Settings,
        ),
        v(
            "h2-connect",
            "wscheck's extended CONNECT (:protocol websocket)",
            opens,
            "RFC 8441 §4",
            own.clone(),
            H2Test::Connect,
        ),
    ];
    for (id, about) in [("chrome", "Chrome"), ("firefox", "Firefox")] {
        let Some(shape) = clients::shapes().into_iter().find(|s| s.id == id) else { continue };
        let sends = format!("{about}'s extended CONNECT ({}, its headers in its order)", shape.about);
        out.push(v(&format!("{id}-h2"), &sends, opens, "RFC 8441 §4", h2_shape(shape.offer, overlay), H2Test::Connect));
    }
    out
}

/// A browser's HTTP/1.1 handshake as it sends it over HTTP/2: the same headers in the same
/// order, without `Upgrade`, `Connection` and the key (there are none over HTTP/2), with what
/// the user adds to every request.
fn h2_shape(mut offer: Offer, overlay: &Overlay) -> Offer {
    let gone = ["upgrade", "connection", "sec-websocket-key"];
    offer.headers.retain(|(n, _)| !gone.iter().any(|g| n.eq_ignore_ascii_case(g)));
    if !overlay.subprotocols.is_empty() {
        offer.headers.push(("Sec-WebSocket-Protocol".into(), Value::Text(overlay.subprotocols.join(", "))));
    }
    if let Some((user, pass)) = &overlay.auth {
        offer.headers.push(("Authorization".into(), Value::Text(basic_auth(user, pass))));
    }
    offer.edit(&overlay.headers);
    offer
}

/// The request of an `http2` variant for `target` as HTTP/2 fields, as `probe --list -v`
/// shows it (the order h2 writes the pseudo-headers in; the key is left out, as on the wire).
#[cfg(feature = "http2")]
pub fn lines(offer: &Offer, target: &crate::target::Target, origin: Option<&str>) -> Vec<String> {
    let request = offer.render(target, origin);
    let (h2, _) = crate::run::h2_fields(offer, &request.headers, target);
    let mut out = vec![
        ":method: CONNECT".to_string(),
        format!(":scheme: {}", h2.scheme),
        format!(":authority: {}", h2.authority),
        format!(":path: {}", h2.path),
        ":protocol: websocket".to_string(),
    ];
    if !h2.headers.iter().any(|(n, _)| n == "sec-websocket-version") {
        out.push("sec-websocket-version: 13".into());
    }
    out.extend(h2.headers.iter().map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(v))));
    out
}

#[cfg(not(feature = "http2"))]
pub fn lines(_: &Offer, _: &crate::target::Target, _: Option<&str>) -> Vec<String> {
    Vec::new()
}

/// Why a variant of the group is not run here, if it is not.
pub fn not_run(ctx: &Ctx) -> Option<&'static str> {
    if !cfg!(feature = "http2") {
        Some("this wscheck was built without HTTP/2")
    } else if !ctx.http2 {
        Some("not asked for: --http2, or --only http2")
    } else if ctx.target.scheme != crate::target::Scheme::Wss {
        Some("wss:// only: ALPN is how a browser finds HTTP/2")
    } else {
        None
    }
}

/// Run variant `v` (its test `test`): the judgement, and the code of a failure that kept it
/// from any HTTP/2 exchange.
#[cfg(feature = "http2")]
pub fn run(ctx: &Ctx, v: &Variant, test: H2Test, events: &mut dyn Sink) -> (Judged, Option<Code>) {
    use crate::event::Event;
    let force = test == H2Test::Connect;
    match crate::run::hop_h2(ctx.reach, ctx.limits, ctx.target, &v.offer, ctx.origin, force, events) {
        Err(f) => {
            events.emit(&Event::Error { kind: f.code.kind(), message: f.message.clone() });
            (
                Judged { outcome: Outcome::Fail, status: None, message: f.message, rfc: None, findings: Vec::new() },
                Some(f.code),
            )
        }
        Ok(hop) => {
            let opened = hop.opened.as_ref().map(|_| ()).map_err(|e| (e.to_string(), e.not_rfc8441()));
            let judged = judge(test, &hop.exchange, opened, hop.findings.clone());
            for f in &judged.findings {
                events.emit(&Event::Finding(f.clone()));
            }
            (judged, None)
        }
    }
}

#[cfg(not(feature = "http2"))]
pub fn run(_: &Ctx, _: &Variant, _: H2Test, _: &mut dyn Sink) -> (Judged, Option<Code>) {
    (Judged::skip(None, "this wscheck was built without HTTP/2"), None)
}

/// Judge one HTTP/2 exchange for `test`. `opened`: the stream opened, or why not (in words,
/// and whether it is a refusal — a status, RST_STREAM, GOAWAY — rather than broken HTTP/2).
pub fn judge(
    test: H2Test,
    x: &crate::checks::rfc8441::H2Exchange,
    opened: Result<(), (String, bool)>,
    extra: Vec<Finding>,
) -> Judged {
    let mk =
        |outcome, message: String| Judged { outcome, status: x.status(), message, rfc: None, findings: Vec::new() };
    match x.alpn.as_ref().map(|a| a.as_deref()) {
        Some(Some("h2")) => {}
        Some(selected) => {
            let what = selected.map_or("nothing".to_string(), str::to_string);
            return Judged::skip(None, format!("no HTTP/2 here: ALPN selected {what}; browsers use HTTP/1.1"));
        }
        None => return Judged::skip(None, "no ALPN (not TLS)"),
    }
    if test == H2Test::Alpn {
        return mk(Outcome::Pass, "the server selected h2 by ALPN".into());
    }
    if x.settings.is_none() {
        let why = opened.err().map_or_else(String::new, |(w, _)| format!(": {w}"));
        return mk(Outcome::Fail, format!("selected h2 by ALPN, but sent no SETTINGS{why}")).rfc("RFC 9113 §3.4");
    }
    let announced = match x.connect_protocol() {
        Some(1) => true,
        None | Some(0) => false,
        Some(v) => {
            let text = format!("SETTINGS_ENABLE_CONNECT_PROTOCOL={v}: only 0 or 1 are allowed");
            return mk(Outcome::Fail, text).rfc("RFC 8441 §3");
        }
    };
    if test == H2Test::Settings {
        return if announced {
            mk(Outcome::Pass, "SETTINGS_ENABLE_CONNECT_PROTOCOL=1: WebSocket over HTTP/2 announced".into())
        } else {
            let text = "speaks HTTP/2 but does not announce WebSocket over it (no SETTINGS_ENABLE_CONNECT_PROTOCOL): \
                        browsers use HTTP/1.1";
            Judged::skip(None, text)
        };
    }
    let verdict = crate::checks::judge_h2(x, extra);
    let status = x.status();
    let mut judged = match (&opened, announced) {
        (Ok(()), false) => mk(
            Outcome::Warn,
            format!(
                "{}: accepted an extended CONNECT it never announced (no SETTINGS_ENABLE_CONNECT_PROTOCOL): \
                 browsers will not use it",
                status.unwrap_or(200)
            ),
        ),
        (Ok(()), true) => switched(&verdict.findings, status.unwrap_or(200)),
        (Err((why, true)), false) => {
            mk(Outcome::Pass, format!("refused, as a server that does not announce RFC 8441 may: {why}"))
        }
        (Err((why, true)), true) => {
            mk(Outcome::Fail, format!("announces RFC 8441 but did not open the WebSocket: {why}; browsers fail here"))
        }
        (Err((why, false)), _) => mk(Outcome::Fail, why.clone()).rfc("RFC 9113 §8.1.1"),
    };
    judged.findings = verdict.findings;
    judged
}

/// A 2xx where the server announced RFC 8441: its findings decide.
fn switched(findings: &[Finding], status: u16) -> Judged {
    let at = |level| findings.iter().find(|f| f.level == level);
    let mk =
        |outcome, message: String, rfc| Judged { outcome, status: Some(status), message, rfc, findings: Vec::new() };
    if let Some(e) = at(Level::Error) {
        return mk(Outcome::Fail, format!("{status}, but {}", e.message), Some(e.rfc()));
    }
    if let Some(w) = at(Level::Warning) {
        return mk(Outcome::Warn, format!("{status}, but {}", w.message), Some(w.rfc()));
    }
    mk(Outcome::Pass, format!("{status}: the WebSocket is open over HTTP/2"), None)
}

#[cfg(test)]
#[path = "http2_tests.rs"]
mod tests;
