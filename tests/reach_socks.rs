//! SOCKS5 and socks5h (SPEC §10) through real SOCKS servers: microsocks (C; `-u/-P` for
//! RFC 1929 auth; `WSCHECK_MICROSOCKS`) and pproxy (python; it answers with a domain name as
//! the bound address; run by `WSCHECK_PYTHON` through tests/interop/socks_proxy.py, which also
//! gives it a name of its own that this machine's resolver does not know). Both are installed
//! by `.ci/run`; outside CI a missing one skips its test, under CI it fails.
//!
//! Each proxy gets a port that was free a moment ago and is waited for by connecting to it.

mod common;
use common::certs::*;
use common::peers::{Peer, free_port, required};
use common::*;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::Receiver;

/// A name only the pproxy peer can resolve (`.test` is reserved: no resolver knows it).
const PROXY_ONLY: &str = "ws.socks-only.test";

/// microsocks on a free port, with `-u USER -P PASS` when given.
fn microsocks(auth: Option<(&str, &str)>) -> Option<(Peer, u16)> {
    let path = required("WSCHECK_MICROSOCKS", "microsocks (apt-get install microsocks)")?;
    let port = free_port();
    let mut cmd = Command::new(path);
    cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
    if let Some((user, pass)) = auth {
        cmd.args(["-u", user, "-P", pass]);
    }
    let mut peer = Peer::spawn("microsocks", cmd);
    peer.wait_listening(port);
    Some((peer, port))
}

/// pproxy as a SOCKS5 server on a free port that resolves [`PROXY_ONLY`] to 127.0.0.1.
fn pproxy() -> Option<(Peer, u16)> {
    let python = required("WSCHECK_PYTHON", "a python with `pproxy` importable (pip install pproxy==2.7.9)")?;
    let port = free_port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/socks_proxy.py");
    let mut cmd = Command::new(python);
    cmd.arg(script).arg(port.to_string()).arg(format!("{PROXY_ONLY}=127.0.0.1"));
    let mut peer = Peer::spawn("pproxy", cmd);
    peer.wait_listening(port);
    Some((peer, port))
}

/// A plain WebSocket server whose every connection does a clean handshake; each request
/// head is reported.
fn ws_server() -> (u16, Receiver<String>) {
    listen(|_, mut s| accept_ws(&mut s, ""))
}

fn hs(args: &[&str]) -> Run {
    let mut all = vec!["--handshake-only"];
    all.extend_from_slice(args);
    wscheck(&all, b"")
}

/// Where `needle` is in stderr, to check the order of the transcript.
fn at(r: &Run, needle: &str) -> usize {
    r.stderr.find(needle).unwrap_or_else(|| panic!("stderr lacks {needle:?}\n--- stderr:\n{}", r.stderr))
}

#[test]
fn socks5_and_socks5h_through_microsocks_for_ws_and_wss() {
    let Some((_proxy, pport)) = microsocks(None) else { return };
    let (port, seen) = ws_server();
    let url = format!("ws://localhost:{port}/chat");

    // socks5://: the name is resolved here and the proxy is asked for the address.
    let r = hs(&["--proxy", &format!("socks5://127.0.0.1:{pport}"), &url]);
    r.code(0)
        .err_has(&format!("* Connected to proxy 127.0.0.1 (127.0.0.1) port {pport}\n"))
        .err_has("* SOCKS5 (socks5://): localhost resolved here to 127.0.0.1")
        .err_has("* SOCKS5 greeting: offering no authentication\n")
        .err_has("* SOCKS5 proxy asks for no authentication\n")
        .err_has(&format!("* SOCKS5 CONNECT 127.0.0.1:{port}\n"))
        .err_has("* SOCKS5 tunnel open (the proxy bound ")
        .err_has(&format!("> Host: localhost:{port}\n"));
    assert!(at(&r, "* SOCKS5 tunnel open") < at(&r, "> GET /chat"), "{}", r.stderr);
    assert!(next(&seen, "the server got the request").contains(&format!("\r\nHost: localhost:{port}\r\n")));

    // socks5h://: the proxy is given the name.
    let r = hs(&["--proxy", &format!("socks5h://127.0.0.1:{pport}"), &url]);
    r.code(0)
        .err_has(&format!("* SOCKS5 CONNECT localhost:{port} (the proxy resolves the name)\n"))
        .err_lacks("resolved here");
    next(&seen, "the server got the socks5h request");

    // JSON: the steps are `socks` events between `connect` and `request`.
    let j = hs(&["--json", "--proxy", &format!("socks5h://127.0.0.1:{pport}"), &url]);
    j.code(0);
    let events = j.events();
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(&kinds[..6], ["connect", "socks", "socks", "socks", "socks", "request"], "{}", j.stdout);
    assert_eq!(events[0]["proxy"], true);
    assert_eq!(events[3]["message"], format!("SOCKS5 CONNECT localhost:{port} (the proxy resolves the name)"));
    next(&seen, "the server got the JSON run's request");

    // wss://: TLS to the server inside the tunnel, verified for the URL's name.
    let ca = new_ca();
    let (tport, served) = tls_server(&ca, &ca.server(90));
    let wss = format!("wss://localhost:{tport}/");
    let r = hs(&["--cacert", ca.path(), "--proxy", &format!("socks5h://127.0.0.1:{pport}"), &wss]);
    r.code(0).err_has(", certificate verified\n").err_has("*   subject: CN=wscheck test server\n");
    assert!(at(&r, "* SOCKS5 tunnel open") < at(&r, "* TLS established"), "{}", r.stderr);
    assert!(at(&r, "* TLS established") < at(&r, "> GET / HTTP/1.1"), "{}", r.stderr);
    next(&served, "the TLS server got the request").unwrap();

    // A session goes through the tunnel too.
    let serve = Serve::start(&[]);
    let sport = serve.url.trim_start_matches("ws://127.0.0.1:").trim_end_matches('/');
    let r = wscheck(
        &[
            "-x",
            "through socks",
            "--proxy",
            &format!("socks5://127.0.0.1:{pport}"),
            &format!("ws://localhost:{sport}/"),
        ],
        b"",
    );
    r.code(0).out_has("through socks\n");
}

#[test]
fn username_and_password_right_wrong_and_missing() {
    let Some((_proxy, pport)) = microsocks(Some(("alice", "s3cret"))) else { return };
    let (port, seen) = ws_server();
    let url = format!("ws://127.0.0.1:{port}/");
    let with = |creds: &str| format!("socks5://{creds}@127.0.0.1:{pport}");

    let r = hs(&["--proxy", &with("alice:s3cret"), &url]);
    r.code(0)
        .err_has("* SOCKS5 greeting: offering no authentication or username/password\n")
        .err_has("* SOCKS5 proxy asks for username/password: sending user 'alice' and the password (masked)\n")
        .err_has("* SOCKS5 authentication accepted\n")
        .err_lacks("s3cret");
    next(&seen, "the server got the request");
    let j = hs(&["--json", "--proxy", &with("alice:s3cret"), &url]);
    j.code(0);
    assert!(!j.stdout.contains("s3cret"), "{}", j.stdout);
    next(&seen, "the server got the JSON run's request");
    let shown = hs(&["--show-secrets", "--proxy", &with("alice:s3cret"), &url]);
    shown.code(0).err_has("sending user 'alice' and password 's3cret'\n");
    next(&seen, "the server got the --show-secrets run's request");

    let r = hs(&["--proxy", &with("alice:wrong"), &url]);
    r.code(3)
        .err_has(&format!("error: the SOCKS5 proxy 127.0.0.1:{pport} refused the username or password"))
        .err_lacks("wrong")
        .err_lacks("> GET");
    let r = hs(&["--proxy", &format!("socks5h://127.0.0.1:{pport}"), &url]);
    r.code(3).err_has(&format!(
        "error: the SOCKS5 proxy 127.0.0.1:{pport} wants authentication (give --proxy socks5://user:pass@host:port)\n"
    ));
    // Credentials in all_proxy are masked the same way.
    let e = wscheck_env(&["--handshake-only", &url], b"", &[("all_proxy", &with("alice:s3cret"))]);
    e.code(0).err_has("sending user 'alice' and the password (masked)").err_lacks("s3cret");
    next(&seen, "the server got the all_proxy run's request");
    assert!(seen.try_recv().is_err(), "a refused run reached the server");
}

#[test]
fn a_refused_target_exits_3_with_the_reply_in_words() {
    let Some((_proxy, pport)) = microsocks(None) else { return };
    // A port that was bound and released: nothing listens there.
    let port = free_port();
    let url = format!("ws://127.0.0.1:{port}/");
    let r = hs(&["--proxy", &format!("socks5://127.0.0.1:{pport}"), &url]);
    r.code(3).err_has(&format!(
        "error: the SOCKS5 proxy 127.0.0.1:{pport} could not open the tunnel to 127.0.0.1:{port}: \
         connection refused by the destination (reply 5)\n"
    ));
    let j = hs(&["--json", "--proxy", &format!("socks5://127.0.0.1:{pport}"), &url]);
    j.code(3);
    let events = j.events();
    let error = events.iter().find(|e| e["type"] == "error").expect("an error event");
    assert_eq!(error["kind"], "connect");
    assert_eq!(events.last().unwrap()["code"], 3);
}

#[test]
fn socks5h_lets_the_proxy_resolve_a_name_only_it_knows() {
    let Some((_proxy, pport)) = pproxy() else { return };
    let (port, seen) = ws_server();
    let url = format!("ws://{PROXY_ONLY}:{port}/where");
    let r = hs(&["--proxy", &format!("socks5h://127.0.0.1:{pport}"), &url]);
    r.code(0)
        .err_has(&format!("* SOCKS5 CONNECT {PROXY_ONLY}:{port} (the proxy resolves the name)\n"))
        // pproxy answers with the name it was asked for as the bound address.
        .err_has(&format!("* SOCKS5 tunnel open (the proxy bound {PROXY_ONLY}:{port})\n"))
        .err_has(&format!("> Host: {PROXY_ONLY}:{port}\n"));
    let head = next(&seen, "the server got the request through pproxy");
    assert!(head.contains(&format!("\r\nHost: {PROXY_ONLY}:{port}\r\n")), "{head}");

    // socks5:// resolves here, where the name is unknown: a DNS failure, exit 3.
    let r = hs(&["--proxy", &format!("socks5://127.0.0.1:{pport}"), &url]);
    r.code(3).err_has(&format!("error: could not resolve host '{PROXY_ONLY}'")).err_lacks("SOCKS5 CONNECT");
    // …unless --resolve gives it an address here.
    let pin = format!("{PROXY_ONLY}:{port}:127.0.0.1");
    let r = hs(&["--resolve", &pin, "--proxy", &format!("socks5://127.0.0.1:{pport}"), &url]);
    r.code(0)
        .err_has(&format!("resolved here to 127.0.0.1 (--resolve {pin})"))
        .err_has(&format!("* SOCKS5 CONNECT 127.0.0.1:{port}\n"));
    next(&seen, "the server got the --resolve run's request");
    // With socks5h the proxy resolves: --resolve cannot act, and says so.
    let r = hs(&["--resolve", &pin, "--proxy", &format!("socks5h://127.0.0.1:{pport}"), &url]);
    r.code(0).err_has(&format!("* warning: --resolve {pin} is not used: with socks5h:// the proxy resolves"));
    next(&seen, "the server got the socks5h --resolve run's request");
}

#[test]
fn the_proxy_from_the_environment_as_curl_reads_it() {
    let Some((_proxy, pport)) = microsocks(None) else { return };
    let (port, seen) = ws_server();
    let url = format!("ws://localhost:{port}/");
    let socks = format!("socks5h://127.0.0.1:{pport}");
    let run = |env: &[(&str, &str)]| wscheck_env(&["--handshake-only", &url], b"", env);

    run(&[("all_proxy", &socks)]).code(0).err_has("* SOCKS5 CONNECT localhost:");
    run(&[("ALL_PROXY", &socks)]).code(0).err_has("* SOCKS5 CONNECT localhost:");
    run(&[("http_proxy", &socks)]).code(0).err_has("* SOCKS5 CONNECT localhost:");
    for i in 0..3 {
        next(&seen, &format!("request {i} through the proxy"));
    }
    // NO_PROXY exempts, and https_proxy is not for ws://.
    run(&[("all_proxy", &socks), ("NO_PROXY", "localhost")]).code(0).err_lacks("SOCKS5");
    run(&[("https_proxy", &socks)]).code(0).err_lacks("SOCKS5");
    // A kind wscheck cannot use is a warning, never an exit 2.
    run(&[("all_proxy", "socks4://127.0.0.1:1")])
        .code(0)
        .err_has("* warning: all_proxy=socks4://127.0.0.1:1 is a socks4:// proxy");
    for i in 0..3 {
        next(&seen, &format!("direct request {i}"));
    }
    // --proxy of a kind wscheck cannot use is a usage error.
    hs(&["--proxy", "socks4://127.0.0.1:1", &url]).code(2).err_has("socks5:// and socks5h://");
}

#[test]
fn a_silent_socks_proxy_times_out_naming_the_limit() {
    // A listener that accepts (the kernel does) and never answers the greeting.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let pport = silent.local_addr().unwrap().port();
    let proxy = format!("socks5h://127.0.0.1:{pport}");
    let r = hs(&["--connect-timeout", "300ms", "--proxy", &proxy, "ws://localhost:9/"]);
    r.code(7).err_has("* SOCKS5 greeting: offering no authentication\n").err_has(&format!(
        "error: timed out during the SOCKS5 exchange with the proxy 127.0.0.1:{pport} (--connect-timeout)\n"
    ));
    let r = hs(&["--timeout", "300ms", "--proxy", &proxy, "ws://localhost:9/"]);
    r.code(7).err_has(&format!("with the proxy 127.0.0.1:{pport} (--timeout)\n"));
}

#[test]
fn connect_to_points_the_socks_tunnel_elsewhere() {
    let Some((_proxy, pport)) = microsocks(None) else { return };
    let (port, seen) = ws_server();
    let rule = format!("backend.test:80:localhost:{port}");
    let r = hs(&["--connect-to", &rule, "--proxy", &format!("socks5h://127.0.0.1:{pport}"), "ws://backend.test/"]);
    r.code(0)
        .err_has(&format!(
            "* note: --connect-to {rule}: the proxy is asked for localhost:{port} instead of backend.test:80\n"
        ))
        .err_has(&format!("* SOCKS5 CONNECT localhost:{port} (the proxy resolves the name)\n"))
        .err_has("> Host: backend.test\n");
    assert!(next(&seen, "the backend got the request").contains("\r\nHost: backend.test\r\n"));

    // --resolve and -4/-6 apply to the proxy's own name.
    let pin = format!("socks.test:{pport}:127.0.0.1");
    let proxy = format!("socks5h://socks.test:{pport}");
    let r = hs(&["--resolve", &pin, "--proxy", &proxy, &format!("ws://localhost:{port}/")]);
    r.code(0).err_has(&format!("* Connected to proxy socks.test (127.0.0.1) port {pport} via --resolve {pin}\n"));
    next(&seen, "the request through the proxy found by --resolve");
    let r = hs(&["-6", "--proxy", &format!("socks5h://127.0.0.1:{pport}"), &format!("ws://localhost:{port}/")]);
    r.code(3).err_has("error: cannot connect to 127.0.0.1: it is an IPv4 address, and -6 allows only IPv6\n");
}

#[test]
fn an_http_proxy_is_asked_for_where_connect_to_points() {
    let Some((_proxy, pport)) = pproxy() else { return };
    let (port, seen) = ws_server();
    let rule = format!("backend.test:80:localhost:{port}");
    let pin = format!("localhost:{port}:127.0.0.1");
    let args = ["--connect-to", &rule, "--resolve", &pin, "--proxy", &format!("http://127.0.0.1:{pport}")];
    let r = hs(&[&args[..], &["ws://backend.test/"]].concat());
    r.code(0)
        .err_has(&format!(
            "* note: --connect-to {rule}: the proxy is asked for localhost:{port} instead of backend.test:80\n"
        ))
        .err_has(&format!("proxy> CONNECT localhost:{port} HTTP/1.1\n"))
        .err_has(&format!("* warning: --resolve {pin} is not used: the HTTP proxy resolves localhost\n"))
        .err_has("> Host: backend.test\n");
    assert!(next(&seen, "the backend got the request").contains("\r\nHost: backend.test\r\n"));
}
