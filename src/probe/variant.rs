//! The probe's variants as values (SPEC §12): each a group, an id, the request it sends (an
//! [`Offer`]), what it expects and how it is judged ([`Test`]). [`catalogue`] builds them all
//! for what the user adds to every request (`-H`, `-s`, `-o`, `-u`).

use super::clients;
use crate::event::Outcome;
use crate::handshake::{Offer, Overlay, Value};
use crate::http1::auth::basic_auth;

/// The groups, in the order of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Clients,
    Rules,
    Negotiation,
    Origin,
    Framing,
    Http2,
}

impl Group {
    pub const ALL: [Group; 6] =
        [Group::Clients, Group::Rules, Group::Negotiation, Group::Origin, Group::Framing, Group::Http2];

    pub fn name(self) -> &'static str {
        match self {
            Group::Clients => "clients",
            Group::Rules => "rules",
            Group::Negotiation => "negotiation",
            Group::Origin => "origin",
            Group::Framing => "framing",
            Group::Http2 => "http2",
        }
    }
}

/// What is sent after a valid 101, and what the server must do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// A ping with a payload: a pong with the same payload (§5.5.2).
    Ping,
    /// Close 1000: a Close back (§5.5.1).
    Close,
    /// A text frame that is not UTF-8: fail the connection, Close 1007 (§8.1).
    InvalidUtf8,
    /// An unmasked text frame: fail the connection, Close 1002 (§5.1).
    Unmasked,
    /// A frame with a reserved opcode: Close 1002 (§5.2).
    ReservedOpcode,
    /// RSV1 set with no extension agreed: Close 1002 (§5.2).
    Rsv1,
    /// A ping of 126 bytes: Close 1002 (§5.5).
    BigPing,
}

/// How a variant is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// A valid 101; an accepted permessage-deflate is judged by RFC 7692 §7.
    Accept,
    /// Refused with a 4xx, or one of `also` (any error status carrying `must_carry`, when
    /// given). A 101 is `if_101`; another answer, or none, is a warning.
    Refuse { if_101: Outcome, must_carry: Option<&'static str>, also: &'static [u16] },
    /// A subprotocol no server can know: none chosen (choosing it anyway: a warning).
    UnknownSubprotocol,
    /// `foreign`: accepting it is a warning (CSWSH); otherwise accepting or a 403 are both fine.
    Origin { foreign: bool },
    /// After a valid 101.
    Frame(Frame),
    /// Over HTTP/2 (the `http2` group, `http2.rs`).
    Http2(H2Test),
}

/// What an `http2` variant looks at (SPEC §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H2Test {
    /// ALPN selects `h2`.
    Alpn,
    /// The server's SETTINGS announce `ENABLE_CONNECT_PROTOCOL`.
    Settings,
    /// The extended CONNECT is answered 2xx (sent even when not announced).
    Connect,
}

/// One variant of the probe.
#[derive(Debug, Clone)]
pub struct Variant {
    pub group: Group,
    pub id: String,
    /// What it sends, in one line.
    pub sends: String,
    /// What it expects, in one line.
    pub expects: String,
    /// The section behind the expectation.
    pub rfc: &'static str,
    pub offer: Offer,
    pub test: Test,
}

/// The subprotocol offered by `negotiation/subprotocol-unknown`: no server can know it.
pub const UNKNOWN_SUBPROTOCOL: &str = "x-wscheck-unknown";
/// The Origin of `origin/foreign-origin` (`.invalid` never resolves, RFC 2606).
pub const FOREIGN_ORIGIN: &str = "https://wscheck.invalid";

/// wscheck's own request, with what `overlay` adds (the baseline every variant differs from).
pub fn baseline(overlay: &Overlay) -> (Offer, Vec<String>) {
    let mut offer = Offer::wscheck(overlay);
    let warnings = offer.edit(&overlay.headers);
    (offer, warnings)
}

/// Every variant for `overlay` (whose `auth` holds the credentials to send), in matrix order;
/// the first is wscheck's own request.
pub fn catalogue(overlay: &Overlay) -> Vec<Variant> {
    let mut all = clients(overlay);
    all.extend(rules(overlay));
    all.extend(negotiation(overlay));
    all.extend(origin(overlay));
    all.extend(framing(overlay));
    all.extend(super::http2::variants(overlay, &baseline(overlay).0));
    all
}

fn variant(group: Group, id: &str, sends: &str, expects: &str, rfc: &'static str, offer: Offer, test: Test) -> Variant {
    Variant { group, id: id.into(), sends: sends.into(), expects: expects.into(), rfc, offer, test }
}

/// wscheck's own request changed by `change`; `-H` edits naming one of `owns` (the headers the
/// variant is about) are left out so the variant stays what it says.
fn changed(overlay: &Overlay, owns: &[&str], change: impl FnOnce(&mut Offer)) -> Offer {
    let mut offer = Offer::wscheck(&Overlay { headers: Vec::new(), ..overlay.clone() });
    change(&mut offer);
    offer.edit(&edits(overlay, owns));
    offer
}

fn edits(overlay: &Overlay, owns: &[&str]) -> Vec<(String, String)> {
    overlay.headers.iter().filter(|(n, _)| !owns.iter().any(|o| o.eq_ignore_ascii_case(n))).cloned().collect()
}

fn set(offer: &mut Offer, name: &str, value: Value) {
    match offer.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some(h) => h.1 = value,
        None => offer.headers.push((name.to_string(), value)),
    }
}

fn remove(offer: &mut Offer, name: &str) {
    offer.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
}

const VALID_101: &str = "a valid 101";

fn clients(overlay: &Overlay) -> Vec<Variant> {
    let (own, _) = baseline(overlay);
    let mut out = vec![variant(
        Group::Clients,
        "wscheck",
        "wscheck's own request (the baseline the others are compared with)",
        VALID_101,
        "RFC 6455 §4.2.2",
        own,
        Test::Accept,
    )];
    for shape in clients::shapes() {
        let mut offer = shape.offer;
        // What the user adds to every request: the client's app would send it too.
        if !overlay.subprotocols.is_empty() {
            offer.headers.push(("Sec-WebSocket-Protocol".into(), Value::Text(overlay.subprotocols.join(", "))));
        }
        if overlay.origin.is_some() && !offer.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("Origin")) {
            offer.headers.push(("Origin".into(), Value::Origin));
        }
        if let Some((user, pass)) = &overlay.auth {
            offer.headers.push(("Authorization".into(), Value::Text(basic_auth(user, pass))));
        }
        offer.edit(&overlay.headers);
        let deflate = offer.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("Sec-WebSocket-Extensions"));
        let expects = if deflate {
            "a valid 101; permessage-deflate declined, or accepted with parameters valid per RFC 7692 §7"
        } else {
            VALID_101
        };
        let sends = format!("the handshake of {}", shape.about);
        out.push(variant(Group::Clients, shape.id, &sends, expects, "RFC 6455 §4.2.1", offer, Test::Accept));
    }
    out
}

fn rules(overlay: &Overlay) -> Vec<Variant> {
    let version = "an error status with Sec-WebSocket-Version (the versions it speaks)";
    let refuse = |if_101, must_carry| Test::Refuse { if_101, must_carry, also: &[] };
    let v = |n: &str| changed(overlay, &["Sec-WebSocket-Version"], |o| set(o, "Sec-WebSocket-Version", n.into()));
    let mut lower = changed(overlay, &[], |_| {});
    lower.headers.iter_mut().for_each(|(n, _)| *n = n.to_ascii_lowercase());
    vec![
        variant(
            Group::Rules,
            "version-8",
            "Sec-WebSocket-Version: 8 (draft hybi-08)",
            version,
            "RFC 6455 §4.2.2",
            v("8"),
            refuse(Outcome::Warn, Some("Sec-WebSocket-Version")),
        ),
        variant(
            Group::Rules,
            "version-99",
            "Sec-WebSocket-Version: 99",
            version,
            "RFC 6455 §4.2.2",
            v("99"),
            refuse(Outcome::Fail, Some("Sec-WebSocket-Version")),
        ),
        variant(
            Group::Rules,
            "no-key",
            "no Sec-WebSocket-Key",
            "400 (accepting it: warn)",
            "RFC 6455 §4.2.1",
            changed(overlay, &["Sec-WebSocket-Key"], |o| remove(o, "Sec-WebSocket-Key")),
            refuse(Outcome::Warn, None),
        ),
        variant(
            Group::Rules,
            "short-key",
            "a Sec-WebSocket-Key of 8 bytes, not 16",
            "400 (accepting it: warn)",
            "RFC 6455 §4.2.1",
            changed(overlay, &["Sec-WebSocket-Key"], |o| set(o, "Sec-WebSocket-Key", "c2hvcnRrZXk=".into())),
            refuse(Outcome::Warn, None),
        ),
        variant(
            Group::Rules,
            "post",
            "POST instead of GET",
            "a 4xx (405); a 101 fails",
            "RFC 6455 §4.2.1",
            changed(overlay, &[], |o| o.method = "POST".into()),
            refuse(Outcome::Fail, None),
        ),
        variant(
            Group::Rules,
            "http-1.0",
            "HTTP/1.0 on the request line",
            "a 4xx or 505 (accepting it: warn)",
            "RFC 6455 §4.2.1",
            changed(overlay, &[], |o| o.version = "HTTP/1.0".into()),
            Test::Refuse { if_101: Outcome::Warn, must_carry: None, also: &[505] },
        ),
        variant(
            Group::Rules,
            "no-host",
            "no Host header",
            "400 (accepting it: warn)",
            "RFC 6455 §4.2.1",
            changed(overlay, &["Host"], |o| remove(o, "Host")),
            refuse(Outcome::Warn, None),
        ),
        variant(
            Group::Rules,
            "upgrade-case",
            "Upgrade: WebSocket",
            "a valid 101 (the token is case-insensitive)",
            "RFC 6455 §4.2.1",
            changed(overlay, &["Upgrade"], |o| set(o, "Upgrade", "WebSocket".into())),
            Test::Accept,
        ),
        variant(
            Group::Rules,
            "lower-case",
            "every header name in lower case",
            "a valid 101 (header names are case-insensitive)",
            "RFC 9110 §5.1",
            lower,
            Test::Accept,
        ),
    ]
}

fn negotiation(overlay: &Overlay) -> Vec<Variant> {
    let protocol = |p: &str| {
        changed(overlay, &["Sec-WebSocket-Protocol"], |o| set(o, "Sec-WebSocket-Protocol", Value::Text(p.into())))
    };
    let mut out = vec![variant(
        Group::Negotiation,
        "subprotocol-unknown",
        &format!("Sec-WebSocket-Protocol: {UNKNOWN_SUBPROTOCOL} (no server can know it)"),
        "no subprotocol chosen (or a refusal); one never offered fails",
        "RFC 6455 §4.2.2",
        protocol(UNKNOWN_SUBPROTOCOL),
        Test::UnknownSubprotocol,
    )];
    for (i, p) in overlay.subprotocols.iter().enumerate() {
        // Each once; `-s unknown` must not take the id of the unknowable one.
        if overlay.subprotocols[..i].contains(p) || p == "unknown" {
            continue;
        }
        out.push(variant(
            Group::Negotiation,
            &format!("subprotocol-{p}"),
            &format!("Sec-WebSocket-Protocol: {p} alone (-s)"),
            "a valid 101 choosing it (none chosen: warn)",
            "RFC 6455 §4.2.2",
            protocol(p),
            Test::Accept,
        ));
    }
    for (id, offer) in [
        ("deflate", "permessage-deflate"),
        ("deflate-client-bits", "permessage-deflate; client_max_window_bits"),
        ("deflate-no-context", "permessage-deflate; server_no_context_takeover"),
    ] {
        out.push(variant(
            Group::Negotiation,
            id,
            &format!("Sec-WebSocket-Extensions: {offer}"),
            "a valid 101; permessage-deflate declined, or accepted with parameters valid per RFC 7692 §7",
            "RFC 7692 §7.1",
            changed(overlay, &["Sec-WebSocket-Extensions"], |o| set(o, "Sec-WebSocket-Extensions", offer.into())),
            Test::Accept,
        ));
    }
    out
}

fn origin(overlay: &Overlay) -> Vec<Variant> {
    vec![
        variant(
            Group::Origin,
            "no-origin",
            "no Origin header (as non-browser clients send)",
            "a valid 101, or a 403 if only browsers may connect",
            "RFC 6455 §10.2",
            changed(overlay, &["Origin"], |o| remove(o, "Origin")),
            Test::Origin { foreign: false },
        ),
        variant(
            Group::Origin,
            "foreign-origin",
            &format!("Origin: {FOREIGN_ORIGIN}"),
            "a 403 (accepting it: warn, Cross-Site WebSocket Hijacking when it relies on cookies)",
            "RFC 6455 §10.2",
            changed(overlay, &["Origin"], |o| set(o, "Origin", FOREIGN_ORIGIN.into())),
            Test::Origin { foreign: true },
        ),
    ]
}

fn framing(overlay: &Overlay) -> Vec<Variant> {
    let (own, _) = baseline(overlay);
    let frame = |id: &str, sends: &str, expects: &str, rfc, f| {
        variant(Group::Framing, id, sends, expects, rfc, own.clone(), Test::Frame(f))
    };
    let fails = "Close 1002 (a TCP close without Close: warn)";
    vec![
        frame("ping", "a ping with a payload", "a pong with the same payload", "RFC 6455 §5.5.2", Frame::Ping),
        frame("close", "Close 1000", "a Close back", "RFC 6455 §5.5.1", Frame::Close),
        frame(
            "invalid-utf8",
            "a text frame that is not UTF-8",
            "Close 1007 (echoing it: fail; a TCP close without Close: warn)",
            "RFC 6455 §8.1",
            Frame::InvalidUtf8,
        ),
        frame("unmasked", "an unmasked text frame", fails, "RFC 6455 §5.1", Frame::Unmasked),
        frame("reserved-opcode", "a frame with the reserved opcode 0x3", fails, "RFC 6455 §5.2", Frame::ReservedOpcode),
        frame("rsv1", "a text frame with RSV1 and no extension agreed", fails, "RFC 6455 §5.2", Frame::Rsv1),
        frame("big-ping", "a ping of 126 bytes (control frames: 125 at most)", fails, "RFC 6455 §5.5", Frame::BigPing),
    ]
}

#[cfg(test)]
#[path = "variant_tests.rs"]
mod tests;
