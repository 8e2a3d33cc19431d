//! Unit tests of the negotiation: the grammar, the offers, every rule of RFC 7692 §7.1 an
//! answer can break, and the server's choice checked against the client's judgement.

use super::*;

fn ext(name: &str, params: &[(&str, Option<&str>)]) -> Extension {
    Extension {
        name: name.into(),
        params: params.iter().map(|(k, v)| (k.to_string(), v.map(str::to_string))).collect(),
    }
}

#[test]
fn parses_lists_params_and_quoted_values() {
    let list = parse_extensions([
        "permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\" , x-webkit-deflate-frame",
        ", ,foo;a=b;c",
    ])
    .unwrap();
    assert_eq!(
        list,
        vec![
            ext("permessage-deflate", &[("client_max_window_bits", None), ("server_max_window_bits", Some("10"))]),
            ext("x-webkit-deflate-frame", &[]),
            ext("foo", &[("a", Some("b")), ("c", None)]),
        ]
    );
    // White space around `=` and `;` as browsers accept it; a quoted-pair unescapes.
    let list = parse_extensions(["permessage-deflate ;\tserver_max_window_bits = \"1\\2\""]).unwrap();
    assert_eq!(list, vec![ext("permessage-deflate", &[("server_max_window_bits", Some("12"))])]);
    assert_eq!(parse_extensions([""]).unwrap(), vec![]);
}

#[test]
fn grammar_errors_say_where() {
    for (value, says) in [
        ("permessage-deflate; ", "expected a parameter name at the end"),
        ("permessage-deflate; a=", "expected a parameter value at the end"),
        ("permessage-deflate a", "expected `;` or `,` at byte 20"),
        ("permessage-deflate; a=\"b", "is not closed"),
        ("permessage-deflate; a=\"b c\"", "the quoted value \"b c\" is not a token"),
        ("permessage-deflate; a=\"\"", "is not a token"),
        ("; a", "expected an extension name at byte 1"),
        ("permessage-deflate; a=b=c", "found `=`"),
        ("permessage-deflaté", "found `é`"),
    ] {
        let e = parse_extensions([value]).unwrap_err();
        assert!(e.contains(says), "{value}: {e}");
    }
}

#[test]
fn offers_are_read_and_the_chrome_offer_is_what_we_send() {
    let list = parse_extensions([OFFER]).unwrap();
    assert_eq!(offers(&list), (vec![DeflateOffer::chrome()], vec![]));
    assert_eq!(DeflateOffer::chrome().to_string(), OFFER);
    let all = DeflateOffer {
        server_no_context_takeover: true,
        client_no_context_takeover: true,
        server_max_window_bits: Some(10),
        client_max_window_bits: ClientWindow::Value(9),
    };
    let list = parse_extensions([all.to_string().as_str(), "other", "permessage-deflate; bogus"]).unwrap();
    let (valid, invalid) = offers(&list);
    assert_eq!(valid, vec![all]);
    assert_eq!(invalid.len(), 1);
    assert!(invalid[0].contains("unknown parameter `bogus`"), "{invalid:?}");
    // server_max_window_bits needs a value even in an offer.
    let (valid, invalid) = offers(&parse_extensions(["permessage-deflate; server_max_window_bits"]).unwrap());
    assert!(valid.is_empty() && invalid[0].contains("needs a value"), "{invalid:?}");
}

fn agreed(offer: &str, answer: &str) -> Params {
    judge(&[offer], &[answer]).unwrap_or_else(|p| panic!("{offer} / {answer}: {p:?}")).unwrap()
}

fn problems(offer: &str, answer: &str) -> Vec<String> {
    judge(&[offer], &[answer]).expect_err(answer)
}

#[test]
fn a_good_answer_gives_the_agreed_parameters() {
    assert_eq!(agreed(OFFER, "permessage-deflate"), Params::default());
    let p = agreed(OFFER, "permessage-deflate; server_max_window_bits=12; client_max_window_bits=12");
    assert_eq!((p.server_max_window_bits, p.client_max_window_bits), (12, 12));
    let p = agreed(OFFER, "permessage-deflate;server_no_context_takeover;client_no_context_takeover");
    assert!(p.server_no_context_takeover && p.client_no_context_takeover);
    // The answer may name server_max_window_bits unasked (§7.1.2.1), with 8 as a value.
    assert_eq!(agreed("permessage-deflate", "permessage-deflate; server_max_window_bits=8").server_max_window_bits, 8);
    // A client that offered a limit keeps it when the answer is silent; one that offered
    // client_no_context_takeover keeps to it.
    assert_eq!(
        agreed("permessage-deflate; client_max_window_bits=10", "permessage-deflate").client_max_window_bits,
        10
    );
    assert!(agreed("permessage-deflate; client_no_context_takeover", "permessage-deflate").client_no_context_takeover);
    // Quoted values are values.
    assert_eq!(agreed(OFFER, "permessage-deflate; client_max_window_bits=\"9\"").client_max_window_bits, 9);
    // Not accepted: no deflate, no problem; another extension in the answer is not ours to judge.
    assert_eq!(judge(&[OFFER], &[]), Ok(None));
    assert_eq!(judge(&[OFFER], &["x-other"]), Ok(None));
}

#[test]
fn every_rule_of_7_1_is_checked() {
    for (offer, answer, says) in [
        (OFFER, "permessage-deflate; foo", "unknown parameter `foo`"),
        (OFFER, "permessage-deflate; server_no_context_takeover; server_no_context_takeover", "more than once"),
        (OFFER, "permessage-deflate; server_max_window_bits=7", "`server_max_window_bits=7` is not a window size"),
        (OFFER, "permessage-deflate; server_max_window_bits=16", "not a window size"),
        (OFFER, "permessage-deflate; server_max_window_bits=010", "not a window size"),
        (OFFER, "permessage-deflate; server_max_window_bits=0x9", "not a window size"),
        (OFFER, "permessage-deflate; server_max_window_bits", "needs a value"),
        (OFFER, "permessage-deflate; client_max_window_bits", "needs a value, 8 to 15, in an answer"),
        (OFFER, "permessage-deflate; client_no_context_takeover=1", "takes no value"),
        ("permessage-deflate", "permessage-deflate; client_max_window_bits=10", "the offer did not include it"),
        (
            "permessage-deflate; client_max_window_bits=10",
            "permessage-deflate; client_max_window_bits=11",
            "more than the 10",
        ),
        (
            "permessage-deflate; server_max_window_bits=10",
            "permessage-deflate; server_max_window_bits=12",
            "more than the 10",
        ),
        ("permessage-deflate; server_max_window_bits=10", "permessage-deflate", "leaves it out"),
        ("permessage-deflate; server_no_context_takeover", "permessage-deflate", "leaves it out"),
        (OFFER, "permessage-deflate, permessage-deflate", "accepts permessage-deflate 2 times"),
        ("x-other", "permessage-deflate", "which was not offered"),
        (OFFER, "permessage-deflate; a=\"b", "is not closed"),
    ] {
        let p = problems(offer, answer);
        assert!(p.iter().any(|l| l.contains(says)), "{offer} / {answer}: {p:?}");
        assert!(p.iter().all(|l| !l.contains('\n')), "one line each: {p:?}");
    }
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let p = problems(
        "permessage-deflate",
        "permessage-deflate; foo; server_max_window_bits=99; client_max_window_bits=9; foo",
    );
    assert_eq!(p.len(), 4, "{p:?}");
}

#[test]
fn with_several_offers_the_answer_fits_one() {
    let offer = "permessage-deflate; client_max_window_bits=10; server_max_window_bits=9, permessage-deflate";
    // Fits the second offer: no limits asked there.
    assert_eq!(agreed(offer, "permessage-deflate").server_max_window_bits, 15);
    assert_eq!(agreed(offer, "permessage-deflate; server_max_window_bits=9").client_max_window_bits, 10);
    // Fits neither: the problems of the closest offer (the first of equals), named.
    let p = problems(offer, "permessage-deflate; server_max_window_bits=9; client_max_window_bits=12");
    assert_eq!(p, vec!["`client_max_window_bits=12` is more than the 10 offered (RFC 7692 §7.1.2.2) (offer 1)"]);
}

#[test]
fn params_display_for_the_info_finding() {
    assert_eq!(
        Params::default().to_string(),
        "server_max_window_bits=15, client_max_window_bits=15, context takeover both ways"
    );
    let p = Params { server_max_window_bits: 10, client_no_context_takeover: true, ..Params::default() };
    assert_eq!(p.to_string(), "server_max_window_bits=10, client_max_window_bits=15, client no context takeover");
}

/// Every offer shape against every policy: the server's answer must pass the client's judgement
/// and both must agree on the parameters.
#[test]
fn the_server_answer_passes_the_client_check() {
    let windows = [None, Some(8), Some(10), Some(15)];
    let clients = [ClientWindow::Absent, ClientWindow::NoValue, ClientWindow::Value(9), ClientWindow::Value(15)];
    let mut checked = 0;
    for snct in [false, true] {
        for cnct in [false, true] {
            for server_max_window_bits in windows {
                for client_max_window_bits in clients {
                    let offer = DeflateOffer {
                        server_no_context_takeover: snct,
                        client_no_context_takeover: cnct,
                        server_max_window_bits,
                        client_max_window_bits,
                    };
                    for policy in [
                        Policy::default(),
                        Policy {
                            server_max_window_bits: Some(9),
                            client_max_window_bits: Some(12),
                            ..Policy::default()
                        },
                        Policy {
                            server_no_context_takeover: true,
                            client_no_context_takeover: true,
                            ..Policy::default()
                        },
                    ] {
                        let (answer, server_view) = choose(&[offer], &policy).unwrap();
                        let client_view = judge(&[&offer.to_string()], &[&answer]);
                        assert_eq!(client_view, Ok(Some(server_view)), "{offer} / {answer} ({policy:?})");
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 2 * 2 * 4 * 4 * 3);
    assert_eq!(choose(&[], &Policy::default()), None);
}

#[test]
fn the_server_honours_the_offer() {
    let o = |s: &str| offers(&parse_extensions([s]).unwrap()).0;
    let answer = |s: &str, p: &Policy| choose(&o(s), p).unwrap().0;
    let none = Policy::default();
    assert_eq!(answer(OFFER, &none), "permessage-deflate");
    assert_eq!(
        answer(OFFER, &Policy { client_max_window_bits: Some(10), ..none }),
        "permessage-deflate; client_max_window_bits=10"
    );
    // Not offered: never answered, whatever the policy.
    assert_eq!(
        answer("permessage-deflate", &Policy { client_max_window_bits: Some(10), ..none }),
        "permessage-deflate"
    );
    assert_eq!(
        answer("permessage-deflate; server_max_window_bits=12; server_no_context_takeover", &none),
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=12"
    );
    assert_eq!(
        answer("permessage-deflate; server_max_window_bits=12", &Policy { server_max_window_bits: Some(9), ..none }),
        "permessage-deflate; server_max_window_bits=9"
    );
    // The first valid offer wins; an invalid one before it is skipped.
    assert_eq!(
        answer("permessage-deflate; bogus, permessage-deflate; client_max_window_bits=11, permessage-deflate", &none),
        "permessage-deflate; client_max_window_bits=11"
    );
}
