//! permessage-deflate's negotiation judged (RFC 7692 §5, §7.1), as pure functions of the
//! `Sec-WebSocket-Extensions` values a request offered and its answer gave: `wscheck URL`'s
//! verdict and `probe`'s negotiation rows hold a server to the same rules. The rules are
//! `deflate::params`'s; here their judgement becomes findings and the session's parameters.

use crate::deflate::params::{self, EXTENSION, Params};
use crate::event::{Check, Finding};

/// What the session speaks when an answer accepted permessage-deflate against the rules (its
/// verdict has an error, so a session runs only with `--lenient`): a 15-bit window reads
/// whatever the server compresses, with or without its context kept, and a 9-bit window
/// without context takeover (8 is widened to 9) is what any peer can inflate.
pub const TOLERANT: Params = Params {
    server_max_window_bits: 15,
    client_max_window_bits: 8,
    server_no_context_takeover: false,
    client_no_context_takeover: true,
};

/// The findings on permessage-deflate: `deflate-params` (the answer's parameters, RFC 7692
/// §7.1) and the `deflate` note (what was agreed, or that the server declined). Nothing when
/// it was not offered: an answer that accepts it anyway breaks the `extensions` rule.
pub fn check(offer: &[&str], answer: &[&str]) -> Vec<Finding> {
    if !offered(offer) {
        return Vec::new();
    }
    match params::judge(offer, answer) {
        Ok(None) => vec![Finding::note(Check::Deflate, declined(offer))],
        Ok(Some(agreed)) => vec![
            Finding::pass(Check::DeflateParams, "the answer's permessage-deflate parameters are valid"),
            Finding::note(Check::Deflate, format!("permessage-deflate agreed: {agreed}")),
        ],
        Err(problems) => vec![Finding::fail(Check::DeflateParams, problems.join("; "))],
    }
}

/// The parameters the session compresses and inflates with: those agreed, [`TOLERANT`] when
/// the answer accepted permessage-deflate against the rules (offered or not), `None` when it
/// did not accept it.
pub fn agreed(offer: &[&str], answer: &[&str]) -> Option<Params> {
    match params::judge(offer, answer) {
        Ok(agreed) => agreed,
        // Read loosely: an answer that does not parse may still accept it.
        Err(_) if accepted(answer) => Some(TOLERANT),
        Err(_) => None,
    }
}

/// The names of a `Sec-WebSocket-Extensions` list, read loosely (an offer that does not
/// parse still names what it offers).
fn names<'a>(values: &'a [&'a str]) -> impl Iterator<Item = &'a str> {
    values.iter().flat_map(|v| v.split(',')).map(|e| e.split(';').next().unwrap_or("").trim())
}

fn offered(offer: &[&str]) -> bool {
    names(offer).any(|n| n.eq_ignore_ascii_case(EXTENSION))
}

fn accepted(answer: &[&str]) -> bool {
    names(answer).any(|n| n == EXTENSION)
}

/// The `deflate` note when the server did not accept: rightly so when the offer was invalid.
fn declined(offer: &[&str]) -> String {
    let why = match params::parse_extensions(offer.iter().copied()) {
        Err(e) => Some(format!("the offer does not parse ({e})")),
        Ok(list) => match params::offers(&list) {
            (valid, invalid) if valid.is_empty() => invalid.into_iter().next(),
            _ => None,
        },
    };
    match why {
        None => "the server declined permessage-deflate: messages are not compressed".to_string(),
        Some(why) => format!("the server declined permessage-deflate, as it must: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Level;

    const CHROME: &str = params::OFFER;

    fn one(offer: &[&str], answer: &[&str], id: &str) -> Finding {
        let found = check(offer, answer);
        let mut all = found.iter().filter(|f| f.id() == id);
        let f = all.next().unwrap_or_else(|| panic!("no {id} in {found:#?}")).clone();
        assert!(all.next().is_none(), "two {id} in {found:#?}");
        f
    }

    #[test]
    fn not_offered_is_not_this_checks_business() {
        assert!(check(&[], &[]).is_empty());
        assert!(check(&["x-foo"], &["permessage-deflate"]).is_empty());
        assert_eq!(agreed(&[], &["x-foo"]), None);
    }

    #[test]
    fn declined_is_a_note() {
        let f = one(&[CHROME], &[], "deflate");
        assert_eq!((f.level, f.ok), (Level::Info, true));
        assert_eq!(f.message, "the server declined permessage-deflate: messages are not compressed");
        assert!(check(&[CHROME], &["x-foo"]).iter().all(|f| f.check != Check::DeflateParams));
        assert_eq!(agreed(&[CHROME], &[]), None);
        // An offer a server must decline says why.
        let f = one(&["permessage-deflate; bogus"], &[], "deflate");
        assert!(f.message.contains("as it must: the offer `permessage-deflate; bogus` is not valid"), "{}", f.message);
        let f = one(&["permessage-deflate; a=\"b"], &[], "deflate");
        assert!(f.message.contains("the offer does not parse"), "{}", f.message);
    }

    #[test]
    fn agreed_parameters_pass_and_are_shown() {
        let answer = ["permessage-deflate; client_max_window_bits=12; server_max_window_bits=12"];
        let f = one(&[CHROME], &answer, "deflate-params");
        assert_eq!((f.level, f.ok), (Level::Ok, true));
        let f = one(&[CHROME], &answer, "deflate");
        assert_eq!(f.level, Level::Info);
        assert_eq!(
            f.message,
            "permessage-deflate agreed: server_max_window_bits=12, client_max_window_bits=12, context takeover both ways"
        );
        let p = agreed(&[CHROME], &answer).unwrap();
        assert_eq!((p.server_max_window_bits, p.client_max_window_bits), (12, 12));
    }

    #[test]
    fn broken_answers_are_one_error_and_spoken_tolerantly() {
        for (offer, answer, says) in [
            ("permessage-deflate", "permessage-deflate; client_max_window_bits=10", "the offer did not include it"),
            (CHROME, "permessage-deflate; server_max_window_bits=16", "is not a window size"),
            (CHROME, "permessage-deflate; server_no_context_takeover; server_no_context_takeover", "more than once"),
            (CHROME, "permessage-deflate; x_bits=1", "unknown parameter `x_bits`"),
            (CHROME, "permessage-deflate, permessage-deflate", "at most once"),
        ] {
            let f = one(&[offer], &[answer], "deflate-params");
            assert_eq!((f.level, f.ok), (Level::Error, false), "{answer}");
            assert!(f.message.contains(says), "{answer}: {}", f.message);
            assert!(check(&[offer], &[answer]).iter().all(|f| f.check != Check::Deflate), "{answer}");
            assert_eq!(agreed(&[offer], &[answer]), Some(TOLERANT), "{answer}");
        }
        // Two problems, one finding.
        let f = one(&["permessage-deflate"], &["permessage-deflate; client_max_window_bits=10; y"], "deflate-params");
        assert_eq!(f.message.matches("; ").count(), 1, "{}", f.message);
        // An answer that does not parse: an error; spoken when it names permessage-deflate.
        let f = one(&[CHROME], &["permessage-deflate; a=\"b"], "deflate-params");
        assert!(f.message.contains("is not closed"), "{}", f.message);
        assert_eq!(agreed(&[CHROME], &["permessage-deflate; a=\"b"]), Some(TOLERANT));
        assert_eq!(agreed(&[CHROME], &["x-foo; a=\"b"]), None);
        // Accepted though not offered: the session must read what the server compresses.
        assert_eq!(agreed(&[], &["permessage-deflate"]), Some(TOLERANT));
    }
}
