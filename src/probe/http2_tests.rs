//! The `http2` group's judgement, case by case: what is a skip (no HTTP/2, no RFC 8441), a
//! pass, a warning and a failure.

use super::*;
use crate::checks::rfc8441::{ENABLE_CONNECT_PROTOCOL, H2Exchange};

fn exchange(alpn: Option<&str>, setting: Option<u32>, status: Option<&str>) -> H2Exchange {
    H2Exchange {
        alpn: Some(alpn.map(str::to_string)),
        settings: Some(setting.map_or_else(|| vec![(3, 100)], |v| vec![(3, 100), (ENABLE_CONNECT_PROTOCOL, v)])),
        response: status.map(|s| vec![(":status".to_string(), s.as_bytes().to_vec())]),
        ..Default::default()
    }
}

fn outcome(j: &Judged) -> (Outcome, &str) {
    (j.outcome, j.message.as_str())
}

#[test]
fn no_http2_or_no_rfc_8441_is_a_skip_not_a_failure() {
    for test in [H2Test::Alpn, H2Test::Settings, H2Test::Connect] {
        let j = judge(test, &exchange(Some("http/1.1"), None, None), Err(("no h2".into(), false)), vec![]);
        assert_eq!(outcome(&j), (Outcome::Skip, "no HTTP/2 here: ALPN selected http/1.1; browsers use HTTP/1.1"));
        let j = judge(test, &exchange(None, None, None), Err(("no h2".into(), false)), vec![]);
        assert!(j.message.contains("ALPN selected nothing"), "{}", j.message);
    }
    let j = judge(H2Test::Settings, &exchange(Some("h2"), None, None), Err(("no setting".into(), true)), vec![]);
    assert_eq!(j.outcome, Outcome::Skip);
    assert!(j.message.contains("does not announce WebSocket over it"), "{}", j.message);
    let j = judge(H2Test::Settings, &exchange(Some("h2"), Some(0), None), Err(("no setting".into(), true)), vec![]);
    assert_eq!(j.outcome, Outcome::Skip);
}

#[test]
fn announced_and_opened_passes_by_its_findings() {
    let ok = exchange(Some("h2"), Some(1), Some("200"));
    assert_eq!(outcome(&judge(H2Test::Alpn, &ok, Ok(()), vec![])).0, Outcome::Pass);
    assert_eq!(outcome(&judge(H2Test::Settings, &ok, Ok(()), vec![])).0, Outcome::Pass);
    let j = judge(H2Test::Connect, &ok, Ok(()), vec![]);
    assert_eq!(outcome(&j), (Outcome::Pass, "200: the WebSocket is open over HTTP/2"));
    assert_eq!(j.status, Some(200));
    assert!(j.findings.iter().any(|f| f.id() == "status-2xx"), "the findings go with the row");
    // A leaked accept: a warning, as the client's finding is.
    let mut leaky = exchange(Some("h2"), Some(1), Some("200"));
    leaky.response.as_mut().unwrap().push(("sec-websocket-accept".into(), b"x".to_vec()));
    let j = judge(H2Test::Connect, &leaky, Ok(()), vec![]);
    assert_eq!((j.outcome, j.rfc), (Outcome::Warn, Some("RFC 8441 §5")));
    assert!(j.message.starts_with("200, but sec-websocket-accept: x has no meaning"), "{}", j.message);
}

#[test]
fn announced_then_refused_fails_and_unannounced_refusal_passes() {
    let refused = exchange(Some("h2"), Some(1), Some("400"));
    let j = judge(H2Test::Connect, &refused, Err(("answered 400".into(), true)), vec![]);
    assert_eq!(j.outcome, Outcome::Fail);
    assert!(j.message.starts_with("announces RFC 8441 but did not open the WebSocket: answered 400"), "{}", j.message);
    let quiet = exchange(Some("h2"), None, None);
    let j = judge(H2Test::Connect, &quiet, Err(("RST_STREAM PROTOCOL_ERROR".into(), true)), vec![]);
    assert_eq!(j.outcome, Outcome::Pass);
    assert!(j.message.contains("does not announce RFC 8441 may"), "{}", j.message);
    // Accepting what it never announced: browsers will never use it.
    let j = judge(H2Test::Connect, &exchange(Some("h2"), None, Some("200")), Ok(()), vec![]);
    assert_eq!(j.outcome, Outcome::Warn);
}

#[test]
fn broken_http2_fails() {
    let malformed = exchange(Some("h2"), Some(1), Some("200"));
    let j = judge(H2Test::Connect, &malformed, Err(("malformed (PROTOCOL_ERROR)".into(), false)), vec![]);
    assert_eq!((j.outcome, j.message.as_str()), (Outcome::Fail, "malformed (PROTOCOL_ERROR)"));
    let mut silent = exchange(Some("h2"), None, None);
    silent.settings = None;
    let j = judge(H2Test::Settings, &silent, Err(("closed".into(), false)), vec![]);
    assert_eq!(outcome(&j), (Outcome::Fail, "selected h2 by ALPN, but sent no SETTINGS: closed"));
    let j = judge(H2Test::Settings, &exchange(Some("h2"), Some(2), None), Ok(()), vec![]);
    assert_eq!(outcome(&j), (Outcome::Fail, "SETTINGS_ENABLE_CONNECT_PROTOCOL=2: only 0 or 1 are allowed"));
}

#[test]
fn the_browser_shapes_keep_their_order_without_what_http2_has_not() {
    let overlay = Overlay { subprotocols: vec!["chat".into()], ..Default::default() };
    let all = variants(&overlay, &Offer::wscheck(&overlay));
    let ids: Vec<&str> = all.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["h2-alpn", "h2-settings", "h2-connect", "chrome-h2", "firefox-h2"]);
    let names = |id: &str| -> Vec<String> {
        all.iter().find(|v| v.id == id).unwrap().offer.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect()
    };
    assert_eq!(
        names("chrome-h2"),
        [
            "host",
            "pragma",
            "cache-control",
            "user-agent",
            "origin",
            "sec-websocket-version",
            "accept-encoding",
            "accept-language",
            "sec-websocket-extensions",
            "sec-websocket-protocol"
        ]
    );
    assert!(names("firefox-h2").iter().all(|n| !["upgrade", "connection", "sec-websocket-key"].contains(&n.as_str())));
}
