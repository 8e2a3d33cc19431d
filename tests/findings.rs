//! Findings in `--json` (SPEC §6): `level` is what each finding is — `ok` for a rule that
//! holds, `info` for a note, `error`/`warning` for a broken rule — and `severity` what the
//! rule weighs when broken, so `select(.level == "error")` lists exactly the problems.

mod common;
use common::*;

use serde_json::Value;
use wscheck::event::Check;

/// The `finding` events of a `--json --handshake-only` run against `server`.
fn findings(server: RawServer<Vec<u8>>, args: &[&str], code: i32) -> Vec<Value> {
    let url = server.url("/");
    let mut all = vec!["--json", "--handshake-only", "--connect-timeout", "5"];
    all.extend_from_slice(args);
    all.push(&url);
    let r = wscheck(&all, b"");
    server.join();
    r.code(code);
    r.events().into_iter().filter(|e| e["type"] == "finding").collect()
}

/// (id, level, severity, ok) of each finding.
fn rows(found: &[Value]) -> Vec<(String, String, String, bool)> {
    found
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_else(|| panic!("{k} in {f}")).to_string();
            (s("id"), s("level"), s("severity"), f["ok"].as_bool().unwrap())
        })
        .collect()
}

fn row(id: &str, level: &str, severity: &str, ok: bool) -> (String, String, String, bool) {
    (id.into(), level.into(), severity.into(), ok)
}

/// The ids `jq 'select(.level == "error")'` would list.
fn errors(found: &[Value]) -> Vec<&str> {
    found.iter().filter(|f| f["level"] == "error").map(|f| f["id"].as_str().unwrap()).collect()
}

#[test]
fn a_101_with_problems_levels_each_finding_by_what_it_is() {
    // No Accept (error), Upgrade twice (warning), -s offered and none chosen (a warning of an
    // error rule), every other rule holds.
    let server = answer_with(|_| {
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            .to_vec()
    });
    let found = findings(server, &["-s", "chat"], 6);
    assert_eq!(
        rows(&found),
        [
            row("status-101", "ok", "error", true),
            row("reason-phrase", "info", "info", true),
            row("http-version", "ok", "error", true),
            row("upgrade", "ok", "error", true),
            row("connection", "ok", "error", true),
            row("accept", "error", "error", false),
            row("subprotocol", "warning", "error", false),
            row("extensions", "ok", "error", true),
            row("line-endings", "ok", "warning", true),
            row("duplicate-header", "warning", "warning", false),
            row("draft-hixie", "ok", "error", true),
        ]
    );
    assert_eq!(errors(&found), ["accept"]);
}

#[test]
fn a_valid_101_has_no_error_and_no_warning() {
    let server = upgrade_then_close(|head| ok_101(head, "Switching Protocols", ""));
    let found = findings(server, &[], 0);
    assert!(found.len() > 10, "{found:?}");
    assert!(found.iter().all(|f| f["level"] == "ok" || (f["id"] == "reason-phrase" && f["level"] == "info")));
    assert!(errors(&found).is_empty());
}

#[test]
fn a_refusal_is_one_error_and_an_info_explanation() {
    let server = answer_with(|_| b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec());
    let found = findings(server, &[], 5);
    assert_eq!(rows(&found), [row("status-101", "error", "error", false), row("not-found", "info", "info", false)]);
    assert_eq!(errors(&found), ["status-101"]);
}

#[test]
fn every_severity_and_rfc_in_json_is_the_checks() {
    let server = answer_with(|_| b"HTTP/1.0 101 Nope\nUpgrade: x\r\nSec-WebSocket-Origin: y\r\n\r\n".to_vec());
    for f in findings(server, &["-s", "a"], 6) {
        let check = Check::ALL
            .iter()
            .find(|c| f["id"] == c.id() && f["rfc"] == c.rfc())
            .unwrap_or_else(|| panic!("no check for {f}"));
        assert_eq!(f["severity"], check.severity().as_str(), "{f}");
    }
}
