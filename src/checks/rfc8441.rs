//! The rules of WebSocket over HTTP/2 (RFC 8441, SPEC §13), as pure functions of what
//! crossed the wire: ALPN, the server's SETTINGS, the answer to the extended CONNECT. A
//! 2xx is the success over HTTP/2 — there is no 101, no reason phrase, no key and no accept.
//! `subprotocol` and `extensions` are judged as over HTTP/1.1 (`negotiation`).

use super::negotiation::{self, Chosen};
use crate::event::{Check, Finding};
use crate::handshake::Request;

/// `SETTINGS_ENABLE_CONNECT_PROTOCOL` (RFC 8441 §3).
pub const ENABLE_CONNECT_PROTOCOL: u16 = 0x8;

/// Response headers that are connection-specific, which HTTP/2 forbids (RFC 9113 §8.2.2).
const CONNECTION_SPECIFIC: [&str; 5] = ["connection", "upgrade", "keep-alive", "proxy-connection", "transfer-encoding"];

/// What the checks need of one HTTP/2 exchange, as it crossed the wire.
#[derive(Debug, Clone, Default)]
pub struct H2Exchange {
    /// wss://: what ALPN selected (`None`: nothing). `None` for h2c, which has no ALPN.
    pub alpn: Option<Option<String>>,
    /// The server's first SETTINGS, (id, value) in wire order; `None` when none came.
    pub settings: Option<Vec<(u16, u32)>>,
    /// What was offered: the request as wscheck rendered it before it became HTTP/2 fields
    /// (its subprotocols, its extensions).
    pub offer: Request,
    /// The answer's header fields as received, `:status` first; `None` when none came.
    pub response: Option<Vec<(String, Vec<u8>)>>,
}

impl H2Exchange {
    /// The answer's `:status`, when it has a valid one.
    pub fn status(&self) -> Option<u16> {
        self.values(":status").next().and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
    }

    /// Every value of the field `name` (lower case) in the answer, in wire order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.response.iter().flatten().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }

    /// The comma-separated tokens of every `name` field, trimmed, as message text.
    pub fn tokens(&self, name: &str) -> Vec<String> {
        self.values(name)
            .flat_map(|v| crate::escape::net(v).split(',').map(|t| t.trim().to_string()).collect::<Vec<_>>())
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// What the answer chose (subprotocol, extensions).
    pub fn chosen(&self) -> Chosen {
        Chosen {
            protocols: self.tokens("sec-websocket-protocol"),
            extensions: self.tokens("sec-websocket-extensions"),
            values: self.values("sec-websocket-extensions").map(crate::escape::net).collect(),
        }
    }

    /// The value of `SETTINGS_ENABLE_CONNECT_PROTOCOL`, the last one if sent twice.
    pub(crate) fn connect_protocol(&self) -> Option<u32> {
        self.settings.iter().flatten().rev().find(|(id, _)| *id == ENABLE_CONNECT_PROTOCOL).map(|(_, v)| *v)
    }
}

/// Every finding that what is known of `x` allows, in the order shown: `alpn` (wss),
/// `connect-protocol` (once SETTINGS came), and on an answer `status-2xx`, then on a 2xx
/// its note, `connection-specific`, `accept-h2`, `subprotocol` and `extensions`.
pub fn check(x: &H2Exchange) -> Vec<Finding> {
    let mut out = connection(x);
    if x.response.is_none() {
        return out;
    }
    let status = x.status();
    out.push(status_2xx(status, x));
    if !status.is_some_and(|s| (200..300).contains(&s)) {
        return out;
    }
    out.push(Finding::note(
        Check::Status2xxIs101,
        "over HTTP/2 a 200 is what 101 is over HTTP/1.1: the WebSocket is open on this stream \
         (HTTP/2 has no 101, no Upgrade and no reason phrase)",
    ));
    out.push(connection_specific(x));
    out.push(accept_h2(x));
    out.extend(negotiation::check_chosen(&x.offer, &x.chosen()));
    out
}

/// The findings that still hold when the exchange failed before an answer HTTP/2 accepts (no
/// setting, a reset, a GOAWAY, a malformed answer): ALPN, the setting, and whether an answer
/// that came carries the connection-specific headers that make it malformed.
pub fn check_failed(x: &H2Exchange) -> Vec<Finding> {
    let mut out = connection(x);
    if x.response.is_some() {
        out.push(connection_specific(x));
    }
    out
}

/// `alpn` (wss) and `connect-protocol` (once SETTINGS came): the connection's findings.
fn connection(x: &H2Exchange) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(selected) = &x.alpn {
        out.push(alpn(selected.as_deref()));
    }
    if x.settings.is_some() {
        out.push(connect_protocol(x.connect_protocol()));
    }
    out
}

/// wss://: the server must select `h2` by ALPN for HTTP/2 to be spoken at all.
pub fn alpn(selected: Option<&str>) -> Finding {
    match selected {
        Some("h2") => Finding::pass(Check::Alpn, "the server selected h2 by ALPN"),
        Some(other) => Finding::fail(
            Check::Alpn,
            format!("the server selected {other} by ALPN, not h2: it does not speak HTTP/2 on this port"),
        ),
        None => Finding::fail(
            Check::Alpn,
            "the server selected no protocol by ALPN (h2 was offered): it does not speak HTTP/2 on this port",
        ),
    }
}

/// The server must announce the extended CONNECT before a client may use it (RFC 8441 §3).
pub fn connect_protocol(value: Option<u32>) -> Finding {
    match value {
        Some(1) => Finding::pass(
            Check::ConnectProtocol,
            "SETTINGS_ENABLE_CONNECT_PROTOCOL=1: the server accepts WebSocket over HTTP/2",
        ),
        Some(v) => Finding::fail(
            Check::ConnectProtocol,
            format!(
                "SETTINGS_ENABLE_CONNECT_PROTOCOL={v}: the server speaks HTTP/2 but does not accept WebSocket over it"
            ),
        ),
        None => Finding::fail(
            Check::ConnectProtocol,
            "no SETTINGS_ENABLE_CONNECT_PROTOCOL in the server's SETTINGS: it speaks HTTP/2 but does not accept \
             WebSocket over it (RFC 8441), so no CONNECT was sent",
        ),
    }
}

/// Over HTTP/2 the WebSocket is open when the CONNECT is answered 2xx; anything else, in words.
fn status_2xx(status: Option<u16>, x: &H2Exchange) -> Finding {
    let Some(status) = status else {
        return Finding::fail(Check::Status2xx, "the answer has no valid :status");
    };
    if (200..300).contains(&status) {
        return Finding::pass(Check::Status2xx, format!(":status {status}: the server opened the WebSocket stream"));
    }
    let why = match status {
        400 => ": the server refused the extended CONNECT (a server that speaks HTTP/2 but not WebSocket over \
                HTTP/2 answers so, as may one that refuses this request)"
            .to_string(),
        426 => match x.tokens("sec-websocket-version").as_slice() {
            [] => ": the server wants another protocol version".to_string(),
            versions => format!(": the server supports WebSocket version {}", versions.join(", ")),
        },
        401 | 407 => ": credentials are required (-u)".to_string(),
        403 => ": the server refused this request (a wrong path, the Origin, credentials or address)".to_string(),
        404 => ": no WebSocket endpoint at this path".to_string(),
        405 | 501 => ": the server does not accept CONNECT here: it does not do WebSocket over HTTP/2".to_string(),
        300..=399 => match x.values("location").next() {
            Some(l) => format!(": a redirect to {}", crate::escape::net(l)),
            None => ": a redirect without a location".to_string(),
        },
        500..=599 => ": the server, or a proxy or gateway in front of it, failed".to_string(),
        _ => String::new(),
    };
    Finding::fail(Check::Status2xx, format!("the server answered {status}, not 2xx{why}"))
}

/// Connection-specific headers have no place in HTTP/2 (RFC 9113 §8.2.2): an HTTP/1.1 101
/// passed through by a gateway shows this way.
pub fn connection_specific(x: &H2Exchange) -> Finding {
    let found = connection_specific_fields(x);
    if found.is_empty() {
        Finding::pass(Check::ConnectionSpecific, "no connection-specific headers")
    } else {
        Finding::fail(
            Check::ConnectionSpecific,
            format!("connection-specific headers, which HTTP/2 forbids: {}", found.join(", ")),
        )
    }
}

/// The answer's connection-specific fields, as `name: value` text.
pub fn connection_specific_fields(x: &H2Exchange) -> Vec<String> {
    x.response
        .iter()
        .flatten()
        .filter(|(n, _)| CONNECTION_SPECIFIC.iter().any(|c| n.eq_ignore_ascii_case(c)))
        .map(|(n, v)| format!("{n}: {}", crate::escape::net(v)))
        .collect()
}

/// `Sec-WebSocket-Accept` answers a key, and over HTTP/2 no key is sent: its presence says an
/// HTTP/1.1 answer was translated (a proxy's), harmless but meaningless.
pub fn accept_h2(x: &H2Exchange) -> Finding {
    match x.values("sec-websocket-accept").next() {
        None => Finding::pass(Check::AcceptH2, "no sec-websocket-accept (none belongs in an HTTP/2 answer)"),
        Some(v) => Finding::fail(
            Check::AcceptH2,
            format!(
                "sec-websocket-accept: {} has no meaning over HTTP/2 (no key is sent): an HTTP/1.1 answer \
                 translated by a proxy in front of the server?",
                crate::escape::net(v)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Level;

    fn answer(fields: &[(&str, &str)]) -> H2Exchange {
        H2Exchange {
            alpn: Some(Some("h2".into())),
            settings: Some(vec![(3, 100), (ENABLE_CONNECT_PROTOCOL, 1)]),
            response: Some(fields.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect()),
            ..Default::default()
        }
    }

    fn find<'a>(found: &'a [Finding], id: &str) -> Vec<&'a Finding> {
        found.iter().filter(|f| f.id() == id).collect()
    }

    #[test]
    fn a_200_passes_with_the_note_that_it_is_the_101() {
        let found = check(&answer(&[(":status", "200")]));
        let ids: Vec<&str> = found.iter().map(Finding::id).collect();
        assert_eq!(
            ids,
            [
                "alpn",
                "connect-protocol",
                "status-2xx",
                "status-2xx",
                "connection-specific",
                "accept-h2",
                "subprotocol",
                "extensions"
            ]
        );
        assert!(found.iter().all(|f| f.ok), "{found:#?}");
        let status = find(&found, "status-2xx");
        assert_eq!((status[0].level, status[0].rfc()), (Level::Ok, "RFC 8441 §5"));
        assert_eq!((status[1].level, status[1].rfc()), (Level::Info, "RFC 9113 §8.5"));
        assert!(status[1].message.contains("a 200 is what 101 is over HTTP/1.1"), "{}", status[1].message);
    }

    #[test]
    fn any_2xx_is_success_and_other_statuses_are_explained() {
        assert!(check(&answer(&[(":status", "204")])).iter().all(|f| f.ok));
        let f = status_2xx(Some(400), &answer(&[]));
        assert_eq!((f.level, f.ok), (Level::Error, false));
        assert!(f.message.starts_with("the server answered 400, not 2xx: the server refused"), "{}", f.message);
        let x = answer(&[(":status", "426"), ("sec-websocket-version", "13, 8")]);
        let found = check(&x);
        assert_eq!(found.len(), 3, "nothing is judged of a refusal but its status: {found:#?}");
        assert!(found[2].message.ends_with("supports WebSocket version 13, 8"), "{}", found[2].message);
        let x = answer(&[(":status", "302"), ("location", "wss://elsewhere/")]);
        assert!(check(&x)[2].message.ends_with("a redirect to wss://elsewhere/"));
        let x = answer(&[(":status", "2x")]);
        assert_eq!(check(&x)[2].message, "the answer has no valid :status");
    }

    #[test]
    fn alpn_names_what_was_selected() {
        assert!(alpn(Some("h2")).ok);
        let f = alpn(Some("http/1.1"));
        assert_eq!(
            (f.level, f.message.as_str()),
            (Level::Error, "the server selected http/1.1 by ALPN, not h2: it does not speak HTTP/2 on this port")
        );
        assert!(alpn(None).message.starts_with("the server selected no protocol by ALPN"));
        let h2c = H2Exchange { alpn: None, ..answer(&[(":status", "200")]) };
        assert!(check(&h2c).iter().all(|f| f.id() != "alpn"), "h2c has no ALPN to judge");
    }

    #[test]
    fn the_setting_must_be_one() {
        let mut x = answer(&[]);
        x.response = None;
        assert_eq!(check(&x).len(), 2);
        x.settings = Some(vec![(3, 100)]);
        let f = &check(&x)[1];
        assert_eq!((f.id(), f.level), ("connect-protocol", Level::Error));
        assert!(f.message.contains("no CONNECT was sent"), "{}", f.message);
        x.settings = Some(vec![(ENABLE_CONNECT_PROTOCOL, 1), (ENABLE_CONNECT_PROTOCOL, 0)]);
        assert!(check(&x)[1].message.starts_with("SETTINGS_ENABLE_CONNECT_PROTOCOL=0"), "the last value counts");
        x.settings = None;
        assert_eq!(check(&x).len(), 1, "no SETTINGS: nothing to judge but ALPN");
    }

    #[test]
    fn a_translated_http1_answer_shows_accept_and_connection_headers() {
        let x = answer(&[
            (":status", "200"),
            ("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            ("Connection", "upgrade"),
            ("upgrade", "websocket"),
        ]);
        let found = check(&x);
        let accept = find(&found, "accept-h2")[0];
        assert_eq!((accept.level, accept.ok), (Level::Warning, false));
        assert!(accept.message.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo= has no meaning over HTTP/2"));
        let conn = find(&found, "connection-specific")[0];
        assert_eq!(conn.level, Level::Error);
        assert!(conn.message.ends_with("forbids: Connection: upgrade, upgrade: websocket"), "{}", conn.message);
    }

    #[test]
    fn a_failed_exchange_is_judged_only_by_what_still_holds() {
        let x = answer(&[(":status", "200"), ("connection", "upgrade")]);
        let ids: Vec<&str> = check_failed(&x).iter().map(Finding::id).collect();
        assert_eq!(ids, ["alpn", "connect-protocol", "connection-specific"]);
        assert_eq!(connection_specific_fields(&x), ["connection: upgrade"]);
        let x = H2Exchange { response: None, ..x };
        assert_eq!(check_failed(&x).len(), 2);
    }

    #[test]
    fn subprotocol_and_extensions_are_judged_as_over_http1() {
        let mut x = answer(&[(":status", "200"), ("sec-websocket-protocol", "mqtt")]);
        x.offer = Request::new("CONNECT /".into(), vec![("Sec-WebSocket-Protocol".into(), "chat".into())]);
        let found = check(&x);
        let f = find(&found, "subprotocol")[0];
        assert_eq!(f.level, Level::Error);
        assert!(f.message.contains("\"mqtt\", which was not offered (chat)"), "{}", f.message);
        assert_eq!(x.chosen().agreed(&x.offer).subprotocol.as_deref(), Some("mqtt"));
        let x = answer(&[(":status", "200"), ("sec-websocket-extensions", "permessage-deflate")]);
        assert_eq!(find(&check(&x), "extensions")[0].level, Level::Error);
    }
}
