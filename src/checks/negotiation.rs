//! What the client offered and the server chose: the subprotocol and extension rules (RFC
//! 6455 §4.1, §9.1), permessage-deflate's (RFC 7692, in `rfc7692`), and [`agreed`], what the
//! answer put in force for the session.

use super::rfc7692;
use super::verdict::Agreed;
use crate::deflate::params::EXTENSION as DEFLATE;
use crate::event::{Check, Finding, Level};
use crate::handshake::{Request, Response};

/// The `subprotocol`, `extensions`, (when it fails) `extensions-unsupported` findings, and
/// permessage-deflate's when it was offered.
pub fn check(request: &Request, response: &Response) -> Vec<Finding> {
    check_chosen(request, &Chosen::of(response))
}

/// The same findings for what an answer chose, whatever carried it (an HTTP/1.1 101 or an
/// HTTP/2 200).
pub fn check_chosen(request: &Request, chosen: &Chosen) -> Vec<Finding> {
    let mut out = vec![subprotocol(request, chosen), extensions(request, chosen)];
    out.extend(extensions_unsupported(request, chosen));
    out.extend(rfc7692::check(&refs(&offer_values(request)), &refs(&chosen.values)));
    out
}

/// What the server's answer put in force (see [`Chosen::agreed`]).
pub fn agreed(request: &Request, response: &Response) -> Agreed {
    Chosen::of(response).agreed(request)
}

/// What an answer says it chose: the tokens of its `Sec-WebSocket-Protocol`, and of its
/// `Sec-WebSocket-Extensions` (each extension with its parameters) with the header values
/// they came from (one per header line), in its order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chosen {
    pub protocols: Vec<String>,
    pub extensions: Vec<String>,
    pub values: Vec<String>,
}

impl Chosen {
    pub fn of(response: &Response) -> Chosen {
        let name = "Sec-WebSocket-Extensions";
        Chosen {
            protocols: response.tokens("Sec-WebSocket-Protocol"),
            extensions: response.tokens(name),
            values: response.values(name).map(crate::escape::net).collect(),
        }
    }

    /// What the answer put in force, offered or not (the findings judge whether it should
    /// have): the subprotocol when it names exactly one, each extension it uses, and the
    /// permessage-deflate parameters the session speaks.
    pub fn agreed(&self, request: &Request) -> Agreed {
        Agreed {
            subprotocol: if let [one] = self.protocols.as_slice() { Some(one.clone()) } else { None },
            extensions: self.extensions.clone(),
            deflate: rfc7692::agreed(&refs(&offer_values(request)), &refs(&self.values)),
        }
    }
}

/// The request's `Sec-WebSocket-Extensions` values, one per header line.
fn offer_values(request: &Request) -> Vec<String> {
    let name = "Sec-WebSocket-Extensions";
    request.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()).collect()
}

fn refs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

/// The name of one `Sec-WebSocket-Extensions` entry (`permessage-deflate; x=1` → `permessage-deflate`).
pub fn extension_name(entry: &str) -> &str {
    entry.split(';').next().unwrap_or("").trim()
}

/// A chosen subprotocol must have been offered, and there is one at most. None chosen of
/// those offered is allowed by the RFC but breaks an application expecting one: a warning.
fn subprotocol(request: &Request, chosen: &Chosen) -> Finding {
    let offered = &request.offered_protocols;
    match chosen.protocols.as_slice() {
        [] if offered.is_empty() => Finding::pass(Check::Subprotocol, "no subprotocol offered, none chosen"),
        [] => Finding::fail_as(
            Check::Subprotocol,
            Level::Warning,
            format!(
                "the server chose none of the offered subprotocols ({}); an application expecting one will fail",
                offered.join(", ")
            ),
        ),
        [one] if offered.iter().any(|o| o == one) => {
            Finding::pass(Check::Subprotocol, format!("the server chose the offered subprotocol \"{one}\""))
        }
        [one] if offered.is_empty() => {
            Finding::fail(Check::Subprotocol, format!("the server chose subprotocol \"{one}\", but none was offered"))
        }
        [one] => Finding::fail(
            Check::Subprotocol,
            format!("the server chose subprotocol \"{one}\", which was not offered ({})", offered.join(", ")),
        ),
        many => Finding::fail(
            Check::Subprotocol,
            format!("the server chose {} subprotocols ({}); it must choose one at most", many.len(), many.join(", ")),
        ),
    }
}

/// The names of the extensions the server's answer uses, in its order.
fn extension_names(chosen: &Chosen) -> Vec<String> {
    chosen.extensions.iter().map(|e| extension_name(e).to_string()).collect()
}

fn extensions(request: &Request, chosen: &Chosen) -> Finding {
    let names = extension_names(chosen);
    let unoffered: Vec<&str> = names
        .iter()
        .filter(|n| !request.offered_extensions.contains(&n.to_ascii_lowercase()))
        .map(String::as_str)
        .collect();
    if names.is_empty() {
        Finding::pass(Check::Extensions, "no extensions")
    } else if unoffered.is_empty() {
        Finding::pass(
            Check::Extensions,
            format!("the server agreed to extensions that were offered: {}", names.join(", ")),
        )
    } else {
        Finding::fail(
            Check::Extensions,
            format!("the server uses extensions that were not offered: {}", unoffered.join(", ")),
        )
    }
}

/// Only shown when it fails: the server agreed to an offered extension (a `-H
/// 'Sec-WebSocket-Extensions: …'`) that wscheck does not implement — any but
/// permessage-deflate —, so the session cannot read what the extension changes. The server
/// is right to agree, so this is wscheck's limit, not a broken rule of the server's: its own
/// id, a warning, apart from `extensions`.
fn extensions_unsupported(request: &Request, chosen: &Chosen) -> Option<Finding> {
    let agreed: Vec<String> = extension_names(chosen)
        .into_iter()
        .filter(|n| request.offered_extensions.contains(&n.to_ascii_lowercase()) && n != DEFLATE)
        .collect();
    if agreed.is_empty() {
        return None;
    }
    let them = if agreed.len() == 1 { "it" } else { "them" };
    Some(Finding::fail(
        Check::ExtensionsUnsupported,
        format!(
            "the server agreed to {}, which wscheck does not implement: it cannot read messages changed by {them} \
             (the session fails at the first one); drop the -H 'Sec-WebSocket-Extensions' offer to talk without {them}",
            agreed.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{exchange, find, finding, ok_101};

    #[test]
    fn subprotocol_none_offered_none_chosen_passes() {
        let f = finding(&[], &ok_101(""), "subprotocol");
        assert_eq!((f.level, f.ok), (Level::Ok, true));
    }

    #[test]
    fn subprotocol_offered_and_chosen_passes() {
        let found = exchange(&["-s", "chat", "-s", "mqtt"], &ok_101("Sec-WebSocket-Protocol: mqtt\r\n"));
        let f = find(&found, "subprotocol");
        assert_eq!((f.level, f.message.as_str()), (Level::Ok, "the server chose the offered subprotocol \"mqtt\""));
    }

    #[test]
    fn subprotocol_offered_none_chosen_is_a_warning_of_an_error_rule() {
        let f = finding(&["-s", "chat"], &ok_101(""), "subprotocol");
        assert_eq!((f.level, f.ok, f.check.severity()), (Level::Warning, false, Level::Error));
        assert!(f.message.contains("none of the offered subprotocols (chat)"), "{}", f.message);
    }

    #[test]
    fn subprotocol_not_offered_or_several_are_errors() {
        let f = finding(&[], &ok_101("Sec-WebSocket-Protocol: chat\r\n"), "subprotocol");
        assert_eq!(
            (f.level, f.message.as_str()),
            (Level::Error, "the server chose subprotocol \"chat\", but none was offered")
        );
        let f = finding(&["-s", "chat"], &ok_101("Sec-WebSocket-Protocol: mqtt\r\n"), "subprotocol");
        assert_eq!(f.level, Level::Error);
        assert!(f.message.contains("\"mqtt\", which was not offered (chat)"), "{}", f.message);
        let both = ok_101("Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: mqtt\r\n");
        let f = finding(&["-s", "chat", "-s", "mqtt"], &both, "subprotocol");
        assert_eq!(f.level, Level::Error);
        assert!(f.message.contains("chose 2 subprotocols (chat, mqtt)"), "{}", f.message);
    }

    #[test]
    fn extensions_offered_pass_unoffered_fail() {
        let f = finding(&[], &ok_101(""), "extensions");
        assert_eq!((f.level, f.message.as_str()), (Level::Ok, "no extensions"));
        let offer = ["-H", "Sec-WebSocket-Extensions: Permessage-Deflate; client_max_window_bits"];
        let answer = ok_101("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n");
        let f = finding(&offer, &answer, "extensions");
        assert_eq!(f.level, Level::Ok, "{}", f.message);
        let f = finding(&[], &answer, "extensions");
        assert_eq!(
            (f.level, f.message.as_str()),
            (Level::Error, "the server uses extensions that were not offered: permessage-deflate")
        );
    }

    #[test]
    fn extensions_unsupported_only_when_an_offered_one_other_than_deflate_is_agreed() {
        let offer = ["-H", "Sec-WebSocket-Extensions: permessage-deflate, x-foo, x-bar"];
        assert!(exchange(&offer, &ok_101("")).iter().all(|f| f.check != Check::ExtensionsUnsupported));
        // wscheck speaks permessage-deflate: nothing to warn about.
        let deflate = exchange(&offer, &ok_101("Sec-WebSocket-Extensions: permessage-deflate\r\n"));
        assert!(deflate.iter().all(|f| f.check != Check::ExtensionsUnsupported), "{deflate:#?}");
        assert_eq!(find(&deflate, "deflate-params").level, Level::Ok);
        let foo = exchange(&offer, &ok_101("Sec-WebSocket-Extensions: x-foo, permessage-deflate\r\n"));
        let f = find(&foo, "extensions-unsupported");
        assert_eq!((f.level, f.ok), (Level::Warning, false));
        assert!(f.message.starts_with("the server agreed to x-foo, which"), "{}", f.message);
        assert!(f.message.contains("changed by it "), "{}", f.message);
        let both = exchange(&offer, &ok_101("Sec-WebSocket-Extensions: x-foo, x-bar\r\n"));
        assert!(find(&both, "extensions-unsupported").message.contains("x-foo, x-bar"));
        assert!(find(&both, "extensions-unsupported").message.contains("changed by them"));
    }

    #[test]
    fn deflate_findings_follow_extensions_when_offered() {
        let ids = |args: &[&str], extra: &str| -> Vec<&'static str> {
            exchange(args, &ok_101(extra))
                .iter()
                .map(|f| f.id())
                .filter(|id| id.starts_with("ext") || id.starts_with("deflate"))
                .collect()
        };
        assert_eq!(ids(&[], ""), ["extensions"]);
        let offer = ["-H", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"];
        assert_eq!(ids(&offer, ""), ["extensions", "deflate"]);
        let accepted = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n";
        assert_eq!(ids(&offer, accepted), ["extensions", "deflate-params", "deflate"]);
        // Accepted though not offered: `extensions` says so, once.
        assert_eq!(ids(&[], accepted), ["extensions"]);
    }

    #[test]
    fn agreed_is_what_the_answer_says() {
        let r = crate::checks::testing::response(&ok_101(
            "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10, x-foo\r\n",
        ));
        let offer = crate::checks::testing::request(&[
            "-H",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        ]);
        let a = agreed(&offer, &r);
        assert_eq!(a.subprotocol.as_deref(), Some("chat"));
        assert_eq!(a.extensions, ["permessage-deflate; client_max_window_bits=10", "x-foo"]);
        assert!(a.has_extension("PerMessage-Deflate") && a.has_extension("x-foo") && !a.has_extension("x"));
        let p = a.deflate.expect("deflate agreed");
        assert_eq!((p.client_max_window_bits, p.server_max_window_bits), (10, 15));
        let plain = crate::checks::testing::request(&[]);
        let none = agreed(&plain, &crate::checks::testing::response(&ok_101("Sec-WebSocket-Protocol: a, b\r\n")));
        assert_eq!((none.subprotocol, none.extensions.len(), none.deflate), (None, 0, None));
    }
}
