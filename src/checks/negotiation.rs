//! What the client offered and the server chose: the subprotocol and extension rules (RFC
//! 6455 §4.1, §9.1), and [`agreed`], what the answer put in force for the session.

use super::verdict::Agreed;
use crate::event::{Check, Finding, Level};
use crate::handshake::{Request, Response};

/// The `subprotocol`, `extensions` and (when it fails) `extensions-unsupported` findings.
pub fn check(request: &Request, response: &Response) -> Vec<Finding> {
    let mut out = vec![subprotocol(request, response), extensions(request, response)];
    out.extend(extensions_unsupported(request, response));
    out
}

/// What the server's answer put in force, offered or not (the findings judge whether it
/// should have): the subprotocol when it names exactly one, and each extension it uses.
pub fn agreed(response: &Response) -> Agreed {
    let chosen = response.tokens("Sec-WebSocket-Protocol");
    Agreed {
        subprotocol: if let [one] = chosen.as_slice() { Some(one.clone()) } else { None },
        extensions: response.tokens("Sec-WebSocket-Extensions"),
    }
}

/// The name of one `Sec-WebSocket-Extensions` entry (`permessage-deflate; x=1` → `permessage-deflate`).
pub fn extension_name(entry: &str) -> &str {
    entry.split(';').next().unwrap_or("").trim()
}

/// A chosen subprotocol must have been offered, and there is one at most. None chosen of
/// those offered is allowed by the RFC but breaks an application expecting one: a warning.
fn subprotocol(request: &Request, r: &Response) -> Finding {
    let chosen = r.tokens("Sec-WebSocket-Protocol");
    let offered = &request.offered_protocols;
    match chosen.as_slice() {
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
fn extension_names(r: &Response) -> Vec<String> {
    r.tokens("Sec-WebSocket-Extensions").iter().map(|e| extension_name(e).to_string()).collect()
}

fn extensions(request: &Request, r: &Response) -> Finding {
    let names = extension_names(r);
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
/// 'Sec-WebSocket-Extensions: …'`), which wscheck does not implement, so the session cannot
/// read what the extension changes (permessage-deflate: compressed messages, RSV1 set).
/// The server is right to agree, so this is wscheck's limit, not a broken rule of the
/// server's: its own id, a warning, apart from `extensions`.
fn extensions_unsupported(request: &Request, r: &Response) -> Option<Finding> {
    let agreed: Vec<String> = extension_names(r)
        .into_iter()
        .filter(|n| request.offered_extensions.contains(&n.to_ascii_lowercase()))
        .collect();
    if agreed.is_empty() {
        return None;
    }
    let them = if agreed.len() == 1 { "it" } else { "them" };
    let changed =
        if agreed.iter().all(|n| n.eq_ignore_ascii_case("permessage-deflate")) { "compressed" } else { "changed" };
    Some(Finding::fail(
        Check::ExtensionsUnsupported,
        format!(
            "the server agreed to {}, which wscheck does not implement yet: it cannot read messages {changed} by {them} \
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
    fn extensions_unsupported_only_when_an_offered_one_is_agreed() {
        let offer = ["-H", "Sec-WebSocket-Extensions: permessage-deflate, x-foo"];
        assert!(exchange(&offer, &ok_101("")).iter().all(|f| f.check != Check::ExtensionsUnsupported));
        let deflate = exchange(&offer, &ok_101("Sec-WebSocket-Extensions: permessage-deflate\r\n"));
        let f = find(&deflate, "extensions-unsupported");
        assert_eq!((f.level, f.ok), (Level::Warning, false));
        assert!(f.message.contains("cannot read messages compressed by it"), "{}", f.message);
        let both = exchange(&offer, &ok_101("Sec-WebSocket-Extensions: x-foo, permessage-deflate\r\n"));
        assert!(find(&both, "extensions-unsupported").message.contains("x-foo, permessage-deflate"));
        assert!(find(&both, "extensions-unsupported").message.contains("changed by them"));
    }

    #[test]
    fn agreed_is_what_the_answer_says() {
        let r = crate::checks::testing::response(&ok_101(
            "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10, x-foo\r\n",
        ));
        let a = agreed(&r);
        assert_eq!(a.subprotocol.as_deref(), Some("chat"));
        assert_eq!(a.extensions, ["permessage-deflate; client_max_window_bits=10", "x-foo"]);
        assert!(a.has_extension("PerMessage-Deflate") && a.has_extension("x-foo") && !a.has_extension("x"));
        let none = agreed(&crate::checks::testing::response(&ok_101("Sec-WebSocket-Protocol: a, b\r\n")));
        assert_eq!((none.subprotocol, none.extensions.len()), (None, 0));
    }
}
