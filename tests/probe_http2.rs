//! The probe's `http2` group (SPEC §12, §13): run only when asked for (`--http2`, or named)
//! and only for wss://; against `wscheck serve --cert` (h2 by ALPN, RFC 8441) every row
//! passes; a TLS server that speaks only HTTP/1.1, or HTTP/2 without RFC 8441, makes them
//! skip (no rule is broken: browsers use HTTP/1.1); one that announces RFC 8441 and then
//! refuses fails the probe.
#![cfg(feature = "http2")]

mod common;
mod h2peers;
use common::*;

use std::collections::BTreeMap;
use std::net::TcpListener;

use h2peers::{Script, frame, headers, identity, raw_connection, settings};

const H2: [&str; 5] = ["h2-alpn", "h2-settings", "h2-connect", "chrome-h2", "firefox-h2"];

/// Each row's (outcome, message), by id.
type Rows = BTreeMap<String, (String, String)>;

/// `probe --json -k ARGS URL`: the rows, the `sent` lines of each, and the exit code.
fn probe(args: &[&str], url: &str) -> (Rows, BTreeMap<String, Vec<String>>, i32) {
    let mut all = vec!["probe", "--json", "-k", "--connect-timeout", "3s"];
    all.extend_from_slice(args);
    all.push(url);
    let run = wscheck(&all, b"");
    let rows: Vec<serde_json::Value> = run.events().into_iter().filter(|e| e["type"] == "probe").collect();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let outcomes = rows.iter().map(|e| (text(&e["id"]), (text(&e["outcome"]), text(&e["message"])))).collect();
    let sent =
        rows.iter().map(|e| (text(&e["id"]), e["sent"].as_array().unwrap().iter().map(text).collect())).collect();
    (outcomes, sent, run.code)
}

fn outcomes(rows: &Rows) -> Vec<(&str, &str)> {
    H2.iter().map(|id| (*id, rows[*id].0.as_str())).collect()
}

fn serve_tls() -> (Serve, tempfile::TempDir) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (Serve::start(&["--cert", cert.to_str().unwrap(), "--key", key.to_str().unwrap()]), dir)
}

#[test]
fn against_serve_over_tls_every_http2_row_passes_when_asked_for() {
    let (serve, _dir) = serve_tls();
    let url = serve.url.replace("127.0.0.1", "localhost");
    let (rows, sent, code) = probe(&["--http2", "--only", "http2"], &url);
    assert_eq!(code, 0, "{rows:#?}");
    assert_eq!(outcomes(&rows), H2.iter().map(|id| (*id, "pass")).collect::<Vec<_>>(), "{rows:#?}");
    assert_eq!(rows["h2-connect"].1, "200: the WebSocket is open over HTTP/2");
    // Each row's request is what went on the wire, as HTTP/2 fields.
    assert_eq!(sent["h2-connect"][..2], [":method: CONNECT".to_string(), ":scheme: https".to_string()]);
    let chrome = &sent["chrome-h2"];
    let names: Vec<&str> = chrome.iter().filter_map(|l| l.split(": ").next()).skip(5).collect();
    assert_eq!(names[..4], ["pragma", "cache-control", "user-agent", "origin"], "{chrome:#?}");
    assert!(chrome.iter().any(|l| l == "sec-websocket-extensions: permessage-deflate; client_max_window_bits"));
    // Named alone, the group runs too (no --http2 needed).
    let (rows, _, _) = probe(&["--only", "h2-connect"], &url);
    assert_eq!(rows["h2-connect"].0, "pass");
}

#[test]
fn not_asked_for_or_not_wss_the_group_skips() {
    let serve = Serve::start(&[]);
    let (rows, _, code) = probe(&[], &serve.url);
    assert_eq!(code, 0);
    for id in H2 {
        assert_eq!(rows[id], ("skip".to_string(), "not asked for: --http2, or --only http2".to_string()), "{id}");
    }
    let (rows, _, _) = probe(&["--http2", "--only", "http2"], &serve.url);
    for id in H2 {
        assert_eq!(rows[id].0, "skip", "{id}");
        assert!(rows[id].1.starts_with("wss:// only"), "{id}: {}", rows[id].1);
    }
}

/// A TLS server for `n` connections: ALPN as `alpn` allows; a connection that selected h2 is
/// spoken to raw (`server_settings`, then `reply` to each request), any other gets a 101.
fn tls_server(alpn: &'static [&'static str], server_settings: Vec<u8>, reply: fn(u32) -> Vec<u8>) -> String {
    let acceptor = native_tls::TlsAcceptor::builder(identity()).accept_alpn(alpn).build().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().take(64) {
            let Ok(tcp) = tcp else { continue };
            let (acceptor, server_settings) = (acceptor.clone(), server_settings.clone());
            std::thread::spawn(move || {
                tcp.set_read_timeout(Some(LIMIT)).unwrap();
                let Ok(mut tls) = acceptor.accept(tcp) else { return };
                if tls.negotiated_alpn().ok().flatten().as_deref() == Some(b"h2") {
                    let mut script: Script = Box::new(move |s| (reply(s), true));
                    raw_connection(&mut tls, server_settings, false, &mut script);
                } else {
                    common::certs::accept_ws(&mut tls, "");
                }
            });
        }
    });
    format!("wss://localhost:{port}/")
}

#[test]
fn a_server_without_http2_skips_the_group() {
    let url = tls_server(&["http/1.1"], Vec::new(), |_| Vec::new());
    let (rows, _, code) = probe(&["--http2", "--only", "http2"], &url);
    assert_eq!(code, 0);
    assert_eq!(outcomes(&rows), H2.iter().map(|id| (*id, "skip")).collect::<Vec<_>>());
    assert_eq!(rows["h2-alpn"].1, "no HTTP/2 here: ALPN selected http/1.1; browsers use HTTP/1.1");
}

#[test]
fn http2_without_rfc_8441_skips_and_its_refusals_pass() {
    // No SETTINGS_ENABLE_CONNECT_PROTOCOL; a CONNECT sent anyway is reset, as caddy does.
    let url = tls_server(&["h2", "http/1.1"], settings(&[(3, 100)]), |s| frame(3, 0, s, &1u32.to_be_bytes()));
    let (rows, _, code) = probe(&["--http2", "--only", "http2"], &url);
    assert_eq!(code, 0, "{rows:#?}");
    assert_eq!(
        outcomes(&rows),
        [
            ("h2-alpn", "pass"),
            ("h2-settings", "skip"),
            ("h2-connect", "pass"),
            ("chrome-h2", "pass"),
            ("firefox-h2", "pass")
        ]
    );
    assert!(rows["h2-connect"].1.contains("RST_STREAM PROTOCOL_ERROR"), "{}", rows["h2-connect"].1);
}

#[test]
fn announcing_rfc_8441_then_refusing_fails_the_probe() {
    let url = tls_server(&["h2", "http/1.1"], settings(&[(8, 1)]), |s| headers(s, true, &[(":status", "400")]));
    let (rows, _, code) = probe(&["--http2", "--only", "http2"], &url);
    assert_eq!(code, 6);
    assert_eq!(
        outcomes(&rows),
        [
            ("h2-alpn", "pass"),
            ("h2-settings", "pass"),
            ("h2-connect", "fail"),
            ("chrome-h2", "fail"),
            ("firefox-h2", "fail")
        ]
    );
    assert!(rows["h2-connect"].1.starts_with("announces RFC 8441 but did not open the WebSocket: "));
}
