//! The verdict on one exchange, as data: did the server switch, what was found, what was
//! agreed, and the exit code that follows. Deciding it ([`judge`]) emits nothing; saying it
//! ([`Verdict::emit`]) is the caller's step.

use super::{explain, negotiation, rfc6455, rfc8441};
use crate::event::{Event, Finding};
use crate::exit::Code;
use crate::handshake::{Request, Response, status_text};

/// The verdict on a handshake.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The server switched and no finding is an error: the session may start.
    pub ok: bool,
    pub status: u16,
    /// `Ok`, `BadHandshake` (switched, with error findings) or `NoSwitch`.
    pub code: Code,
    /// The verdict in one line (it may quote the server's reason phrase, escaped).
    pub summary: String,
    /// Every finding, in the order shown: the checks', then the `extra` ones given to [`judge`].
    pub findings: Vec<Finding>,
    pub agreed: Agreed,
}

/// What the handshake put in force for the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agreed {
    /// The subprotocol the server chose, when it named exactly one.
    pub subprotocol: Option<String>,
    /// Each extension of the server's `Sec-WebSocket-Extensions`, with its parameters, as
    /// written (`permessage-deflate; client_max_window_bits=10`), in its order.
    pub extensions: Vec<String>,
    /// The permessage-deflate parameters the session speaks, whatever the channel (HTTP/1.1
    /// or HTTP/2): those agreed, or `rfc7692::TOLERANT` for an answer that broke the rules
    /// (a session then runs only with `--lenient`); `None` when the server did not accept it.
    pub deflate: Option<crate::deflate::Params>,
}

impl Agreed {
    /// True when the server uses the extension `name` (case-insensitive).
    pub fn has_extension(&self, name: &str) -> bool {
        self.extensions.iter().any(|e| negotiation::extension_name(e).eq_ignore_ascii_case(name))
    }
}

impl Verdict {
    /// The server switched protocols, whether or not the handshake is valid (`--lenient`
    /// goes on into the session after a switch with errors).
    pub fn switched(&self) -> bool {
        self.code != Code::NoSwitch
    }

    /// Say the verdict: each finding, then the `handshake` event.
    pub fn emit(&self, emit: &mut dyn FnMut(Event)) {
        for f in &self.findings {
            emit(Event::Finding(f.clone()));
        }
        emit(Event::Handshake { ok: self.ok, status: self.status, summary: self.summary.clone() });
    }
}

/// Check the response against the request and decide. `extra` findings (the certificate's,
/// learnt while connecting) come last and count like the others.
pub fn judge(request: &Request, response: &Response, extra: Vec<Finding>) -> Verdict {
    let status = response.status;
    let switched = status == 101;
    let mut findings = if switched { rfc6455::check(request, response) } else { explain::explain(request, response) };
    findings.extend(extra);
    let shown = status_text(status, &response.reason);
    let (code, summary) = decide(
        switched,
        &findings,
        || format!("the server switched to WebSocket ({shown}) and the handshake follows RFC 6455"),
        |errors| {
            format!(
                "the server answered 101, but the handshake breaks RFC 6455 ({errors}): a client must fail this connection"
            )
        },
        || format!("the server did not switch protocols ({shown})"),
    );
    let agreed = if switched { negotiation::agreed(request, response) } else { Agreed::default() };
    Verdict { ok: code == Code::Ok, status, code, summary, findings, agreed }
}

/// The exit code and the summary: switched with no error finding is the only success; a switch
/// with errors is a broken handshake (exit 6), anything else no switch (exit 5).
fn decide(
    switched: bool,
    findings: &[Finding],
    valid: impl FnOnce() -> String,
    broken: impl FnOnce(String) -> String,
    refused: impl FnOnce() -> String,
) -> (Code, String) {
    match (switched, findings.iter().filter(|f| f.is_error()).count()) {
        (true, 0) => (Code::Ok, valid()),
        (true, n) => (Code::BadHandshake, broken(crate::words::count(n, "error"))),
        (false, _) => (Code::NoSwitch, refused()),
    }
}

/// The verdict on a WebSocket over HTTP/2 (RFC 8441): there a 2xx is the switch (HTTP/2 has
/// no 101), and the rules are `rfc8441`'s. `extra` findings come last and count, as in [`judge`].
pub fn judge_h2(x: &rfc8441::H2Exchange, extra: Vec<Finding>) -> Verdict {
    let status = x.status().unwrap_or(0);
    let switched = (200..300).contains(&status);
    let mut findings = rfc8441::check(x);
    findings.extend(extra);
    let (code, summary) = decide(
        switched,
        &findings,
        || format!("the server opened the WebSocket over HTTP/2 (:status {status}) and the exchange follows RFC 8441"),
        |errors| {
            format!(
                "the server answered {status}, but the exchange breaks RFC 8441 ({errors}): a client must fail this stream"
            )
        },
        || format!("the server did not open the WebSocket over HTTP/2 (:status {status})"),
    );
    let agreed = if switched { x.chosen().agreed(&x.offer) } else { Agreed::default() };
    Verdict { ok: code == Code::Ok, status, code, summary, findings, agreed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{ok_101, verdict};
    use crate::event::{Check, Level};

    #[test]
    fn a_valid_101_is_ok_and_says_so() {
        let v = verdict(&[], &ok_101(""));
        assert!(v.ok && v.switched());
        assert_eq!((v.code, v.status), (Code::Ok, 101));
        assert_eq!(
            v.summary,
            "the server switched to WebSocket (101 Switching Protocols) and the handshake follows RFC 6455"
        );
        assert!(v.findings.iter().all(|f| f.ok), "{:#?}", v.findings);
    }

    #[test]
    fn a_101_with_errors_switched_but_is_not_ok() {
        let v = verdict(&[], b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
        assert!(!v.ok && v.switched());
        assert_eq!(v.code, Code::BadHandshake);
        assert!(v.summary.contains("breaks RFC 6455 (2 errors)"), "{}", v.summary);
    }

    #[test]
    fn warnings_do_not_fail_a_101() {
        let v = verdict(&["-s", "chat"], &ok_101(""));
        assert!(v.ok, "{:#?}", v.findings);
        assert!(v.findings.iter().any(|f| f.level == Level::Warning));
    }

    #[test]
    fn another_status_did_not_switch_and_agreed_nothing() {
        let v = verdict(&[], b"HTTP/1.1 404 Not Found\r\nSec-WebSocket-Protocol: chat\r\n\r\n");
        assert!(!v.ok && !v.switched());
        assert_eq!((v.code, v.status), (Code::NoSwitch, 404));
        assert_eq!(v.summary, "the server did not switch protocols (404 Not Found)");
        assert_eq!(v.agreed, Agreed::default());
    }

    #[test]
    fn extra_findings_come_last_and_count() {
        let request = crate::checks::testing::request(&[]);
        let key = request.key.clone().unwrap();
        let answer = String::from_utf8(ok_101(""))
            .unwrap()
            .replace("{accept}", &tungstenite::handshake::derive_accept_key(key.as_bytes()));
        let response = crate::checks::testing::response(answer.as_bytes());
        let extra = Finding::fail_as(Check::CertificateName, Level::Error, "pretend");
        let v = judge(&request, &response, vec![extra.clone()]);
        assert_eq!(v.findings.last(), Some(&extra));
        assert_eq!(v.code, Code::BadHandshake);
    }

    #[test]
    fn over_http2_a_2xx_is_the_switch() {
        use crate::checks::rfc8441::H2Exchange;
        let x = |fields: &[(&str, &str)]| H2Exchange {
            settings: Some(vec![(8, 1)]),
            offer: Request::new("CONNECT /".into(), vec![("Sec-WebSocket-Protocol".into(), "chat".into())]),
            response: Some(fields.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect()),
            ..Default::default()
        };
        let v = judge_h2(&x(&[(":status", "200"), ("sec-websocket-protocol", "chat")]), vec![]);
        assert!(v.ok && v.switched(), "{:#?}", v.findings);
        assert_eq!((v.code, v.status), (Code::Ok, 200));
        assert_eq!(
            v.summary,
            "the server opened the WebSocket over HTTP/2 (:status 200) and the exchange follows RFC 8441"
        );
        assert_eq!(v.agreed.subprotocol.as_deref(), Some("chat"));
        let v = judge_h2(&x(&[(":status", "200"), ("sec-websocket-protocol", "mqtt")]), vec![]);
        assert!(!v.ok && v.switched());
        assert_eq!(v.code, Code::BadHandshake);
        assert!(v.summary.contains("breaks RFC 8441 (1 error)"), "{}", v.summary);
        let v = judge_h2(&x(&[(":status", "101")]), vec![]);
        assert!(!v.switched(), "101 is no success over HTTP/2");
        assert_eq!((v.code, v.agreed.clone()), (Code::NoSwitch, Agreed::default()));
        assert_eq!(v.summary, "the server did not open the WebSocket over HTTP/2 (:status 101)");
        // An HTTP/1.1 verdict still takes only 101.
        assert!(!verdict(&[], b"HTTP/1.1 200 OK\r\n\r\n").switched());
    }

    #[test]
    fn emit_says_the_findings_then_the_handshake() {
        let v = verdict(&[], &ok_101(""));
        let mut events = Vec::new();
        v.emit(&mut |e| events.push(e));
        assert_eq!(events.len(), v.findings.len() + 1);
        assert!(matches!(&events[0], Event::Finding(f) if f.check == Check::Status101));
        assert!(matches!(events.last(), Some(Event::Handshake { ok: true, status: 101, .. })));
    }
}
