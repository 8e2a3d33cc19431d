//! Routes (SPEC §10, curl's meaning): `--connect-to` and `--resolve` reach a backend while
//! Host, SNI, certificate verification and redirects keep the URL's names; `--unix-socket`,
//! plain (python `websockets`' `unix_serve`, through `WSCHECK_PYTHON`) and TLS; `-4`/`-6`.
//! The TLS servers are OpenSSL's, with a certificate for a made-up name (`backend.test`)
//! from the test CA, and report the SNI they were sent.
#![cfg(not(any(target_os = "windows", target_vendor = "apple")))]

mod common;
use common::certs::*;
use common::peers::{Peer, required};
use common::*;

use std::io::{Read, Write};
use std::net::{TcpListener, ToSocketAddrs};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::thread;

use openssl::ssl::{NameType, SslAcceptor};
use rcgen::ExtendedKeyUsagePurpose;
use time::{Duration as Span, OffsetDateTime};

/// What a TLS server saw of one connection: the SNI and the request head, or its TLS error.
type Seen = Result<(Option<String>, String), String>;

fn backend_acceptor(ca: &Ca) -> Arc<SslAcceptor> {
    let not_after = OffsetDateTime::now_utc() + Span::days(90);
    let leaf = ca.leaf("backend", &["backend.test"], not_after, ExtendedKeyUsagePurpose::ServerAuth);
    let mut b = common::certs::acceptor_builder(&leaf.key, &leaf.cert);
    b.add_extra_chain_cert(openssl::x509::X509::from_pem(ca.pem.as_bytes()).unwrap()).unwrap();
    Arc::new(b.build())
}

fn serve_tls<S: Read + Write + std::fmt::Debug>(acceptor: &SslAcceptor, s: S) -> Seen {
    let mut tls = acceptor.accept(s).map_err(|e| e.to_string())?;
    let sni = tls.ssl().servername(NameType::HOST_NAME).map(str::to_string);
    Ok((sni, accept_ws(&mut tls, "")))
}

/// A wss server on 127.0.0.1 with a certificate for `backend.test` only.
fn tls_backend(ca: &Ca) -> (u16, Receiver<Seen>) {
    let acceptor = backend_acceptor(ca);
    listen(move |_, s| serve_tls(&acceptor, s))
}

/// Serve every connection to a Unix socket at `path` with `handle` on its own thread.
fn unix_server<T: Send + 'static>(
    path: &Path,
    handle: impl Fn(std::os::unix::net::UnixStream) -> T + Send + Sync + 'static,
) -> Receiver<T> {
    let listener = UnixListener::bind(path).unwrap();
    let (tx, rx) = mpsc::channel();
    let handle = Arc::new(handle);
    thread::spawn(move || {
        for s in listener.incoming().flatten() {
            s.set_read_timeout(Some(LIMIT)).unwrap();
            let (tx, handle) = (tx.clone(), handle.clone());
            thread::spawn(move || tx.send(handle(s)));
        }
    });
    rx
}

fn hs(args: &[&str]) -> Run {
    let mut all = vec!["--handshake-only"];
    all.extend_from_slice(args);
    wscheck(&all, b"")
}

fn connect_event(r: &Run) -> serde_json::Value {
    r.events().into_iter().find(|e| e["type"] == "connect").expect("a connect event")
}

#[test]
fn connect_to_reaches_a_backend_and_keeps_the_urls_name() {
    let ca = new_ca();
    let (port, seen) = tls_backend(&ca);
    let rule = format!("backend.test:443:127.0.0.1:{port}");
    let r = hs(&["--cacert", ca.path(), "--connect-to", &rule, "wss://backend.test/chat"]);
    r.code(0)
        .err_has(&format!("* Connected to 127.0.0.1 (127.0.0.1) port {port} via --connect-to {rule}\n"))
        .err_has(", certificate verified\n")
        .err_has("> Host: backend.test\n");
    let (sni, head) = next(&seen, "the backend got the request").unwrap();
    assert_eq!(sni.as_deref(), Some("backend.test"), "SNI is the URL's name");
    assert!(head.contains("\r\nHost: backend.test\r\n"), "{head}");

    // Empty HOST and PORT match any; the JSON `connect` event says which rule applied.
    let any = format!("::127.0.0.1:{port}");
    let j = hs(&[
        "--json",
        "--cacert",
        ca.path(),
        "--connect-to",
        "other.test:443:x.test:1",
        "--connect-to",
        &any,
        "wss://backend.test/",
    ]);
    j.code(0);
    let connect = connect_event(&j);
    assert_eq!((connect["host"].as_str(), connect["port"].as_u64()), (Some("127.0.0.1"), Some(u64::from(port))));
    assert_eq!(connect["via"], serde_json::json!([{"option": "--connect-to", "value": any}]));
    next(&seen, "the backend got the JSON run's request").unwrap();

    // The certificate is checked against the URL's name, not the backend's: another name fails.
    let r =
        hs(&["--cacert", ca.path(), "--connect-to", &format!("wrong.test:443:127.0.0.1:{port}"), "wss://wrong.test/"]);
    r.code(4).err_has("wrong.test");
    // The refused handshake, and the look at the certificate (no request), in either order.
    let mut reports = [next(&seen, "the refused handshake"), next(&seen, "the look at the certificate")];
    reports.sort_by_key(|r| r.is_ok());
    assert!(reports[0].is_err(), "{reports:?}");
    assert_eq!(reports[1], Ok((Some("wrong.test".to_string()), String::new())));
}

#[test]
fn resolve_gives_the_address_and_keeps_the_name() {
    let ca = new_ca();
    let (port, seen) = tls_backend(&ca);
    let url = format!("wss://backend.test:{port}/");
    let rule = format!("backend.test:{port}:127.0.0.1");
    let r = hs(&["--cacert", ca.path(), "--resolve", &rule, &url]);
    r.code(0)
        .err_has(&format!("* Connected to backend.test (127.0.0.1) port {port} via --resolve {rule}\n"))
        .err_has(", certificate verified\n")
        .err_has(&format!("> Host: backend.test:{port}\n"));
    let (sni, head) = next(&seen, "the backend got the request").unwrap();
    assert_eq!(sni.as_deref(), Some("backend.test"));
    assert!(head.contains(&format!("\r\nHost: backend.test:{port}\r\n")), "{head}");

    // Several addresses, IPv6 in brackets, tried in order: nothing answers on [::1] here.
    let several = format!("backend.test:{port}:[::1],127.0.0.1");
    hs(&["--cacert", ca.path(), "--resolve", &several, &url])
        .code(0)
        .err_has("* Connected to backend.test (127.0.0.1)");
    next(&seen, "the backend got the second request").unwrap();
    // A wildcard, used whatever -6 says (as curl); a --resolve for another port is not.
    let wildcard = format!("*:{port}:127.0.0.1");
    let j = hs(&[
        "--json",
        "-6",
        "--cacert",
        ca.path(),
        "--resolve",
        "backend.test:1:10.9.9.9",
        "--resolve",
        &wildcard,
        &url,
    ]);
    j.code(0);
    let connect = connect_event(&j);
    assert_eq!((connect["address"].as_str(), connect["dns_ms"].is_null()), (Some(&*format!("127.0.0.1:{port}")), true));
    assert_eq!(connect["via"], serde_json::json!([{"option": "--resolve", "value": wildcard}]));
    next(&seen, "the backend got the wildcard run's request").unwrap();
}

/// The first server of a redirect chain: `/start` → `/second` (the same host), `/second` →
/// `ws://localhost:{next}/third`. Reports each request head.
fn redirector(next: u16) -> (u16, Receiver<String>) {
    listen(move |_, mut s| {
        let head = head_of(&mut s);
        let path = head.split_whitespace().nth(1).unwrap_or_default().to_string();
        let location = match path.as_str() {
            "/start" => "/second".to_string(),
            "/second" => format!("ws://localhost:{next}/third"),
            _ => return head,
        };
        let _ = write!(s, "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
        head
    })
}

#[test]
fn a_redirect_is_re_pointed_only_when_a_rule_matches_it() {
    let (last, arrived) = listen(|_, mut s| accept_ws(&mut s, ""));
    let (first, steps) = redirector(last);
    let rule = format!("app.test:80:127.0.0.1:{first}");
    let r = hs(&["-L", "--connect-to", &rule, "ws://app.test/start"]);
    r.code(0);
    let via = format!("* Connected to 127.0.0.1 (127.0.0.1) port {first} via --connect-to {rule}\n");
    assert_eq!(r.stderr.matches(&via).count(), 2, "both hops to app.test\n{}", r.stderr);
    // localhost has no rule: it is reached as the URL says.
    r.err_has(&format!("* Connected to localhost (127.0.0.1) port {last}\n"));
    for step in ["/start", "/second"] {
        let head = next(&steps, "the first server's request");
        assert!(head.contains(&format!("GET {step} ")) && head.contains("\r\nHost: app.test\r\n"), "{head}");
    }
    assert!(next(&arrived, "the last hop").contains(&format!("\r\nHost: localhost:{last}\r\n")));

    // With a rule for it, the redirect's host is re-pointed too, and keeps its name.
    let (elsewhere, seen) = listen(|_, mut s| accept_ws(&mut s, ""));
    let second = format!("localhost:{last}:127.0.0.1:{elsewhere}");
    let r = hs(&["-L", "--connect-to", &rule, "--connect-to", &second, "ws://app.test/start"]);
    r.code(0).err_has(&format!("* Connected to 127.0.0.1 (127.0.0.1) port {elsewhere} via --connect-to {second}\n"));
    assert!(next(&seen, "the re-pointed hop").contains(&format!("\r\nHost: localhost:{last}\r\n")));
    assert!(arrived.try_recv().is_err(), "the redirect went to the URL's port after all");
}

#[test]
fn unix_socket_to_a_python_websockets_server() {
    let Some(python) = required("WSCHECK_PYTHON", "a python with `websockets` importable") else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sock");
    let path_text = path.to_str().unwrap();
    let mut cmd = Command::new(python);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/echo_server.py")).args(["--unix", path_text]);
    let mut peer = Peer::spawn("python websockets on a Unix socket", cmd);
    assert_eq!(peer.first_line(), path_text);

    let r = wscheck(&["-x", "over a unix socket", "--unix-socket", path_text, "ws://app.test/chat"], b"");
    r.code(0)
        .err_has(&format!("* Connected to app.test ({path_text}) port 80 via --unix-socket\n"))
        .err_has("> GET /chat HTTP/1.1\n")
        .err_has("> Host: app.test\n")
        .out_has("over a unix socket\n");
    let j = hs(&["--json", "--unix-socket", path_text, "ws://app.test:8080/"]);
    j.code(0);
    let connect = connect_event(&j);
    assert_eq!((connect["address"].as_str(), connect["port"].as_u64()), (Some(path_text), Some(8080)));
    assert_eq!(connect["via"], serde_json::json!([{"option": "--unix-socket", "value": path_text}]));
}

#[test]
fn wss_over_a_unix_socket_uses_the_urls_host_for_sni_and_the_certificate() {
    let ca = new_ca();
    let acceptor = backend_acceptor(&ca);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wss.sock");
    let path_text = path.to_str().unwrap();
    let seen = unix_server(&path, move |s| serve_tls(&acceptor, s));
    let r = hs(&["--cacert", ca.path(), "--unix-socket", path_text, "wss://backend.test/secure"]);
    r.code(0)
        .err_has(&format!("* Connected to backend.test ({path_text}) port 443 via --unix-socket\n"))
        .err_has(", certificate verified\n");
    let (sni, head) = next(&seen, "the backend got the request").unwrap();
    assert_eq!(sni.as_deref(), Some("backend.test"));
    assert!(head.starts_with("GET /secure HTTP/1.1\r\n") && head.contains("\r\nHost: backend.test\r\n"), "{head}");
    hs(&["--cacert", ca.path(), "--unix-socket", path_text, "wss://wrong.test/"]).code(4).err_has("wrong.test");
}

#[test]
fn unix_socket_failures_and_flags_that_cannot_act() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.sock");
    let path_text = path.to_str().unwrap();
    let missing = hs(&["--unix-socket", path_text, "ws://app.test/"]);
    missing.code(3).err_has(&format!("error: could not connect to the Unix socket {path_text}: no such file\n"));
    for extra in
        [&["--proxy", "socks5://127.0.0.1:1"][..], &["--connect-to", "::h:1"], &["--resolve", "h:1:127.0.0.1"], &["-4"]]
    {
        let mut args = vec!["--unix-socket", path_text];
        args.extend_from_slice(extra);
        args.push("ws://app.test/");
        hs(&args).code(2).err_has(&format!("error: --unix-socket cannot go with {}", extra[0]));
    }
    // A proxy in the environment is not used for a Unix socket (as curl), nor is `--proxy ''`.
    let seen = unix_server(&path, |mut s| accept_ws(&mut s, ""));
    let r = wscheck_env(&["--handshake-only", "--proxy", "", "--unix-socket", path_text, "ws://app.test/"], b"", &[]);
    r.code(0);
    next(&seen, "the plain request");
    let r = wscheck_env(
        &["--handshake-only", "--unix-socket", path_text, "ws://app.test/"],
        b"",
        &[("all_proxy", "socks5://127.0.0.1:1")],
    );
    r.code(0).err_lacks("proxy");
    next(&seen, "the request with a proxy in the environment");
}

#[test]
fn ipv4_and_ipv6_restrict_resolution() {
    hs(&["-4", "-6", "ws://localhost:1/"]).code(2).err_has("'--ipv4' cannot be used with '--ipv6'");
    let v4 = listen(|_, mut s| accept_ws(&mut s, ""));
    hs(&["-4", &format!("ws://localhost:{}/", v4.0)])
        .code(0)
        .err_has(&format!("* Connected to localhost (127.0.0.1) port {}\n", v4.0));
    next(&v4.1, "the IPv4 request");
    hs(&["-6", &format!("ws://127.0.0.1:{}/", v4.0)])
        .code(3)
        .err_has("error: cannot connect to 127.0.0.1: it is an IPv4 address, and -6 allows only IPv6\n");

    let listener = match TcpListener::bind("[::1]:0") {
        Ok(l) => l,
        Err(e) => return skip(&format!("cannot bind [::1]:0 here ({e})")),
    };
    let port = listener.local_addr().unwrap().port();
    let (tx, seen) = mpsc::channel();
    thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            s.set_read_timeout(Some(LIMIT)).unwrap();
            let _ = tx.send(accept_ws(&mut s, ""));
        }
    });
    hs(&["-6", &format!("ws://[::1]:{port}/")]).code(0).err_has(&format!("* Connected to ::1 (::1) port {port}\n"));
    next(&seen, "the IPv6 literal");
    hs(&["-4", &format!("ws://[::1]:{port}/")])
        .code(3)
        .err_has("error: cannot connect to ::1: it is an IPv6 address, and -4 allows only IPv4\n");
    let rule = format!("v6.test:{port}:[::1]");
    hs(&["--resolve", &rule, &format!("ws://v6.test:{port}/")])
        .code(0)
        .err_has(&format!("* Connected to v6.test (::1) port {port} via --resolve {rule}\n"));
    assert!(next(&seen, "--resolve to [::1]").contains(&format!("\r\nHost: v6.test:{port}\r\n")));
    let rule = format!("v6.test::[::1]:{port}");
    hs(&["--connect-to", &rule, "ws://v6.test/"])
        .code(0)
        .err_has(&format!("* Connected to ::1 (::1) port {port} via --connect-to {rule}\n"));
    next(&seen, "--connect-to [::1]");

    // -6 with a name: whatever this machine's localhost has.
    let has_v6 = ("localhost", port).to_socket_addrs().unwrap().any(|a| a.is_ipv6());
    let r = hs(&["-6", &format!("ws://localhost:{port}/")]);
    if has_v6 {
        r.code(0).err_has(&format!("* Connected to localhost (::1) port {port}\n"));
        next(&seen, "-6 localhost");
    } else {
        r.code(3).err_has("error: could not resolve host 'localhost': no IPv6 address (-6; it has 127.0.0.1");
    }
}

#[test]
fn malformed_rules_are_usage_errors_before_connecting() {
    let (listener, port) = untouched_listener();
    let url = format!("ws://127.0.0.1:{port}/");
    for (flag, value, words) in [
        ("--connect-to", "a:1:b", "too few fields"),
        ("--connect-to", "a:1:b:x", "'x' is not a port number (1-65535)"),
        ("--connect-to", "a:1:::1:2", "too many fields"),
        ("--resolve", "a:1:not-an-ip", "'not-an-ip' is not an IP address"),
        ("--resolve", "a:1", "no address"),
    ] {
        hs(&[flag, value, &url]).code(2).err_has(&format!("error: {flag} '{value}': {words}"));
    }
    assert_never_connected(&listener);
}
