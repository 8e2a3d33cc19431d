//! `wscheck probe` (SPEC §12) against raw servers on 127.0.0.1:0: a conformant one (every
//! variant passes), and servers that differ from it in exactly one way, each of which must
//! move exactly the rows that way concerns — the whole matrix is compared, not a row.

mod common;
use common::*;

#[path = "probe/server.rs"]
mod server;

use std::collections::BTreeMap;

use server::{Quirk, Server};

/// `probe --json` against `quirk`'s server: each variant's (outcome, status), and the exit code.
fn matrix(quirk: Quirk, extra: &[&str]) -> (BTreeMap<String, (String, Option<u64>)>, i32) {
    let server = Server::start(quirk);
    let url = server.url();
    let mut args = vec!["probe", "--json", "--connect-timeout", "2s", "-s", "chat"];
    args.extend_from_slice(extra);
    args.push(&url);
    let run = wscheck(&args, b"");
    let events = run.events();
    let rows: BTreeMap<_, _> = events
        .iter()
        .filter(|e| e["type"] == "probe")
        .map(|e| {
            (e["id"].as_str().unwrap().to_string(), (e["outcome"].as_str().unwrap().to_string(), e["status"].as_u64()))
        })
        .collect();
    let last = events.last().unwrap();
    assert_eq!(last["type"], "exit", "{}", run.stdout);
    assert_eq!(last["code"].as_i64(), Some(run.code as i64));
    (rows, run.code)
}

/// The rows that differ from the conformant server's: id → outcome.
fn moved(quirk: Quirk) -> (BTreeMap<String, String>, i32) {
    let (base, _) = matrix(Quirk::None, &[]);
    let (rows, code) = matrix(quirk, &[]);
    assert_eq!(base.keys().collect::<Vec<_>>(), rows.keys().collect::<Vec<_>>(), "the same variants ran");
    let moved = rows.into_iter().filter(|(id, row)| base[id].0 != row.0).map(|(id, (o, _))| (id, o)).collect();
    (moved, code)
}

fn expect(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(id, o)| (id.to_string(), o.to_string())).collect()
}

#[test]
fn a_conformant_server_passes_every_variant_that_runs() {
    let (rows, code) = matrix(Quirk::None, &[]);
    assert_eq!(code, 0);
    for (id, (outcome, status)) in &rows {
        let expected = if id.starts_with("h2-") || id.ends_with("-h2") { "skip" } else { "pass" };
        assert_eq!(outcome, expected, "{id} ({status:?})");
    }
    // Every group of SPEC §12 is there, and -s chat got its own variant.
    for id in
        ["wscheck", "chrome", "go-coder", "version-99", "no-host", "subprotocol-chat", "foreign-origin", "big-ping"]
    {
        assert!(rows.contains_key(id), "{id} missing: {rows:?}");
    }
    assert_eq!(rows["foreign-origin"].1, Some(403));
    assert_eq!(rows["post"].1, Some(405));
    assert_eq!(rows["ping"].1, Some(101));
}

#[test]
fn refusing_keep_alive_upgrade_moves_firefox_legacy() {
    assert_eq!(moved(Quirk::RefusesKeepAliveUpgrade), (expect(&[("firefox-legacy", "fail")]), 6));
}

#[test]
fn case_sensitive_names_move_lower_case_and_gos_spelling() {
    let (rows, code) = moved(Quirk::RefusesLowerCaseNames);
    assert_eq!(rows, expect(&[("go-coder", "fail"), ("lower-case", "fail")]));
    assert_eq!(code, 6);
}

#[test]
fn a_version_refusal_without_the_version_header_fails_both_version_rows() {
    assert_eq!(moved(Quirk::NoVersionInRefusal), (expect(&[("version-8", "fail"), ("version-99", "fail")]), 6));
}

#[test]
fn accepting_a_short_key_warns_and_strict_makes_that_exit_6() {
    assert_eq!(moved(Quirk::AcceptsShortKey), (expect(&[("short-key", "warn")]), 0));
    assert_eq!(matrix(Quirk::AcceptsShortKey, &["--strict"]).1, 6);
}

#[test]
fn accepting_any_origin_warns() {
    assert_eq!(moved(Quirk::AcceptsAnyOrigin), (expect(&[("foreign-origin", "warn")]), 0));
}

#[test]
fn choosing_a_subprotocol_never_offered_fails() {
    assert_eq!(moved(Quirk::PicksUnofferedSubprotocol), (expect(&[("subprotocol-unknown", "fail")]), 6));
}

#[test]
fn invalid_deflate_parameters_fail_every_variant_that_offers_deflate() {
    let offer_deflate = [
        "chrome",
        "firefox",
        "firefox-legacy",
        "safari",
        "python-websockets",
        "node-ws",
        "go-coder",
        "deflate",
        "deflate-client-bits",
        "deflate-no-context",
    ];
    let fails: Vec<(&str, &str)> = offer_deflate.iter().map(|id| (*id, "fail")).collect();
    assert_eq!(moved(Quirk::InvalidDeflateParameters), (expect(&fails), 6));
}

#[test]
fn echoing_invalid_utf8_fails() {
    assert_eq!(moved(Quirk::EchoesInvalidUtf8), (expect(&[("invalid-utf8", "fail")]), 6));
}

#[test]
fn never_answering_a_ping_fails_the_ping_row_only() {
    assert_eq!(moved(Quirk::NeverPongs), (expect(&[("ping", "fail")]), 6));
}

#[test]
fn closing_without_a_close_frame_fails_the_close_echo_and_warns_for_each_failed_connection() {
    let (rows, code) = moved(Quirk::ClosesWithoutCloseFrame);
    let warns = ["invalid-utf8", "unmasked", "reserved-opcode", "rsv1", "big-ping"];
    let mut expected: Vec<(&str, &str)> = warns.iter().map(|id| (*id, "warn")).collect();
    expected.push(("close", "fail"));
    assert_eq!((rows, code), (expect(&expected), 6));
}

#[test]
fn a_variant_that_hangs_is_judged_alone_and_the_others_are_not_held() {
    let (rows, code) = moved(Quirk::HangsOnHttp10);
    assert_eq!((rows, code), (expect(&[("http-1.0", "warn")]), 0));
}

#[test]
fn the_matrix_is_aligned_text_on_stdout_and_v_adds_each_transcript_on_stderr() {
    let server = Server::start(Quirk::AcceptsAnyOrigin);
    let run = wscheck(&["probe", "-v", "--only", "origin,curl", &server.url()], b"");
    run.code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["GROUP", "ID", "STATUS", "OUTCOME", "WHY"]);
    let at = lines[0].find("OUTCOME").unwrap();
    assert!(lines[1].starts_with("clients      curl ") && lines[1][at..].starts_with("pass "), "{}", run.stdout);
    assert!(lines[3].starts_with("origin       foreign-origin  101     warn     101: accepts a foreign Origin"));
    assert!(!run.stdout.contains('\x1b'), "no colour in a pipe");
    run.err_has("* probe variant origin/foreign-origin:\n* Connected to 127.0.0.1")
        .err_has("> Origin: https://wscheck.invalid\n")
        .err_has("* probe: 3 variants: 2 pass, 0 fail, 1 warn, 0 skip");
}

#[test]
fn when_even_wschecks_own_request_cannot_connect_the_probe_exits_with_that_code() {
    let (listener, port) = untouched_listener();
    drop(listener);
    let run = wscheck(&["probe", &format!("ws://127.0.0.1:{port}/")], b"");
    run.code(3).err_has("connection refused").err_has("(wscheck's own request; no variant was run)");
    assert_eq!(run.stdout, "", "no matrix");
    let json = wscheck(&["probe", "--json", &format!("ws://127.0.0.1:{port}/")], b"");
    let events = json.events();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["error", "exit"], "{}", json.stdout);
    assert_eq!(events[1]["code"], 3);
}

#[test]
fn list_names_every_variant_and_only_and_skip_check_their_names() {
    let list = wscheck(&["probe", "--list"], b"");
    list.code(0);
    let (rows, _) = matrix(Quirk::None, &["--only", "clients,rules", "--skip", "curl,version-8"]);
    assert!(rows.contains_key("chrome") && rows.contains_key("no-key"));
    assert!(!rows.contains_key("curl") && !rows.contains_key("version-8") && !rows.contains_key("ping"));
    for id in rows.keys().filter(|id| *id != "subprotocol-chat") {
        assert!(list.stdout.lines().any(|l| l.split_whitespace().nth(1) == Some(id)), "{id} not listed");
    }
    assert!(list.stdout.contains("approximate"), "safari says it is approximate");
    assert!(list.stdout.contains("expects "));
    // With --json, one `variant` object per line, `type` first.
    let json = wscheck(&["probe", "--list", "--json"], b"");
    json.code(0);
    let variants = json.events();
    assert_eq!(variants.len(), list.stdout.lines().filter(|l| l.contains(" sends ")).count());
    assert!(json.stdout.lines().all(|l| l.starts_with("{\"type\":\"variant\",")), "{}", json.stdout);
    assert!(variants.iter().any(|v| v["group"] == "framing" && v["id"] == "ping" && v["rfc"].is_string()));
    let full = wscheck(&["probe", "--list", "-v", "--only", "node-ws"], b"");
    assert!(full.stdout.ends_with("> Host: example.com\n"), "{}", full.stdout);
    let bad = wscheck(&["probe", "--only", "nonesuch", "ws://127.0.0.1:9/"], b"");
    bad.code(2).err_has("no probe group or variant 'nonesuch'");
    wscheck(&["probe"], b"").code(2);
}

#[test]
fn har_has_an_entry_per_variant_and_a_trace_keeps_each_connection_together() {
    let server = Server::start(Quirk::AcceptsAnyOrigin);
    let dir = tempfile::tempdir().unwrap();
    let (har, trace) = (dir.path().join("p.har"), dir.path().join("p.trace"));
    let (har_s, trace_s) = (har.to_str().unwrap(), trace.to_str().unwrap());
    let only = "curl,no-host,foreign-origin,ping,h2-alpn";
    let run = wscheck(&["probe", "--har", har_s, "--trace-ascii", trace_s, "--only", only, &server.url()], b"");
    run.code(0).err_has("* note: --trace: the variants run one at a time");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&har).unwrap()).unwrap();
    let entries: Vec<(String, Option<u64>)> = doc["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["comment"].as_str().unwrap().to_string(), e["response"]["status"].as_u64()))
        .collect();
    let expected = [
        ("probe clients/curl: pass", 101),
        ("probe rules/no-host: pass", 400),
        ("probe origin/foreign-origin: warn", 101),
        ("probe framing/ping: pass", 101),
    ];
    let expected: Vec<(String, Option<u64>)> = expected.iter().map(|(c, s)| (c.to_string(), Some(*s))).collect();
    assert_eq!(entries, expected, "one entry per variant that connected, in matrix order");
    let text = std::fs::read_to_string(&trace).unwrap();
    let requests: Vec<&str> = text.lines().filter(|l| l.ends_with(" HTTP/1.1") && l.contains("GET")).collect();
    assert_eq!(requests.len(), 5, "wscheck's own request and the four variants\n{text}");
    // One at a time: every connection's request comes before the next connection opens.
    let opened: Vec<usize> =
        text.lines().enumerate().filter(|(_, l)| l.contains("== Info: connected")).map(|(i, _)| i).collect();
    let sent: Vec<usize> =
        text.lines().enumerate().filter(|(_, l)| l.contains("=> Send header")).map(|(i, _)| i).collect();
    assert_eq!(opened.len(), sent.len());
    assert!(opened.iter().zip(&sent).zip(opened.iter().skip(1)).all(|((o, s), next)| o < s && s < next), "{text}");
}
