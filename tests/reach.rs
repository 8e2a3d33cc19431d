//! Reach (SPEC §8): TLS with test certificates made here, HTTP CONNECT proxies, redirects
//! with -L, and credentials kept out of the transcript. Every server is on 127.0.0.1:0 and
//! every wait is bounded: servers report through channels read with a timeout.

mod common;
use common::certs::*;
use common::*;

use std::io::{self, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use rcgen::ExtendedKeyUsagePurpose;
use time::{Duration as Span, OffsetDateTime};

// ---- servers ----------------------------------------------------------------------------

/// A plain server whose every connection does a clean handshake; each request head is reported.
fn ws_server(extra: &'static str) -> (u16, Receiver<String>) {
    listen(move |_, mut s| accept_ws(&mut s, extra))
}

/// A server answering every request with a 301 to `location` and closing; each request head is reported.
fn redirect_to(location: String) -> (u16, Receiver<String>) {
    listen(move |_, mut s| {
        let head = head_of(&mut s);
        let _ = write!(s, "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\n\r\n");
        head
    })
}

/// A wss server that REQUIRES a client certificate signed by `ca`. Each connection reports
/// (the client certificate's subject, the request head), or the TLS error.
/// What the client-certificate server saw: (the client certificate's CN, the request head), or its TLS error.
type MtlsReport = Result<(String, String), String>;

fn mtls_server(ca: &Ca, leaf: &Leaf) -> (u16, Receiver<MtlsReport>) {
    let acceptor = common::certs::mtls_acceptor(ca, leaf);
    listen(move |_, s| match acceptor.accept(s) {
        Ok(mut tls) => {
            let subject = tls
                .ssl()
                .peer_certificate()
                .and_then(|c| {
                    Some(String::from_utf8_lossy(c.subject_name().entries().next()?.data().as_slice()).into_owned())
                })
                .unwrap_or_default();
            // Under TLS 1.3 the client's certificate is checked after its handshake has
            // finished: an empty head means it was refused.
            let head = accept_ws(&mut tls, "");
            Ok((subject, head))
        }
        Err(e) => Err(e.to_string()),
    })
}

/// A CONNECT proxy. Each connection's CONNECT head is reported as soon as it is read (so it
/// is in the channel before the client sees any answer); then the proxy answers `status`
/// and, for a 2xx, connects to the requested authority and relays both ways.
fn proxy(status: &'static str) -> (u16, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(client) = conn else { continue };
            client.set_read_timeout(Some(LIMIT)).unwrap();
            let tx = tx.clone();
            thread::spawn(move || tunnel(client, status, &tx));
        }
    });
    (port, rx)
}

fn tunnel(mut client: TcpStream, status: &str, tx: &Sender<String>) {
    let head = head_of(&mut client);
    let authority = head.split_whitespace().nth(1).unwrap_or_default().to_string();
    let _ = tx.send(head);
    if !status.starts_with('2') {
        let _ = write!(
            client,
            "HTTP/1.1 {status}\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n"
        );
        return;
    }
    let Ok(mut upstream) = TcpStream::connect(&authority) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    upstream.set_read_timeout(Some(LIMIT)).unwrap();
    client.write_all(format!("HTTP/1.1 {status}\r\n\r\n").as_bytes()).unwrap();
    let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let up = thread::spawn(move || {
        let _ = io::copy(&mut c2, &mut u2);
        let _ = u2.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = up.join();
}

// ---- running wscheck --------------------------------------------------------------------

/// wscheck with no proxy variables from the test's own environment.
fn run(args: &[&str]) -> Run {
    wscheck(args, b"")
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    wscheck_env(args, b"", env)
}

fn ws(port: u16, path: &str) -> String {
    format!("ws://127.0.0.1:{port}{path}")
}

fn assert_nowhere(r: &Run, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !r.stderr.contains(s) && !r.stdout.contains(s),
            "{s:?} leaked\n--- stderr:\n{}\n--- stdout:\n{}",
            r.stderr,
            r.stdout
        );
    }
}

fn b64(s: &str) -> String {
    data_encoding::BASE64.encode(s.as_bytes())
}

// ---- TLS --------------------------------------------------------------------------------

#[test]
fn trusted_certificate_details_in_the_transcript_and_json() {
    let ca = new_ca();
    let (port, seen) = tls_server(&ca, &ca.server(90));
    let url = format!("wss://localhost:{port}/");
    let r = run(&["--handshake-only", "--cacert", ca.path(), &url]);
    r.code(0)
        .err_has("* TLS established")
        .err_has(", certificate verified\n")
        .err_has("*   subject: CN=wscheck test server\n")
        .err_has("*   issuer:  CN=wscheck test CA\n")
        .err_has("*   SANs:    DNS:localhost, IP:127.0.0.1\n")
        .err_has(" (90 days left)\n");
    assert!(
        r.stderr.lines().any(|l| l.starts_with("*   expires: ") && l.ends_with(" GMT (90 days left)")),
        "{}",
        r.stderr
    );
    assert!(r.finding_is("certificate", "ok").contains("valid for 90 more days"));
    assert!(next(&seen, "the server got the request").unwrap().starts_with("GET / HTTP/1.1\r\n"));

    let j = run(&["--json", "--handshake-only", "--cacert", ca.path(), &url]);
    j.code(0);
    let events = j.events();
    let tls = events.iter().find(|e| e["type"] == "tls").expect("a tls event");
    let cert = &tls["certificate"];
    assert_eq!(cert["subject"], "CN=wscheck test server");
    assert_eq!(cert["issuer"], "CN=wscheck test CA");
    assert_eq!(cert["sans"], serde_json::json!(["DNS:localhost", "IP:127.0.0.1"]));
    assert_eq!(cert["days_left"], 90);
    assert!(cert["not_before"].as_str().is_some_and(|t| t.ends_with(" GMT")), "{cert}");
    assert_eq!(tls["insecure"], false);
    let types: Vec<_> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types[..3], ["connect", "tls", "request"], "{types:?}");
    next(&seen, "the server got the JSON run's request").unwrap();

    // A --cacert file with no certificate in it is a usage error, before any connection.
    let junk = pem_file("not a certificate\n");
    let (untouched, free) = untouched_listener();
    let url = format!("wss://localhost:{free}/");
    run(&["--cacert", junk.path().to_str().unwrap(), &url]).code(2).err_has("no PEM certificate in it");
    assert_never_connected(&untouched);
}

#[test]
fn unknown_issuer_is_a_tls_failure() {
    let ca = new_ca();
    let (port, seen) = tls_server(&ca, &ca.server(90));
    let r = run(&["--handshake-only", &format!("wss://localhost:{port}/")]);
    r.code(4).err_has(&format!(
        "error: TLS handshake with localhost:{port} failed: the certificate's issuer (CN=wscheck test CA) is not \
             trusted — --cacert FILE to trust it, -k to skip the check; the server's certificate: subject CN=wscheck \
             test server, issuer CN=wscheck test CA, SANs DNS:localhost, IP:127.0.0.1, valid from "
    ));
    assert_refused_then_looked_at(&seen);
    // -k skips the check and says so.
    let k = run(&["--handshake-only", "-k", &format!("wss://localhost:{port}/")]);
    k.code(0).err_has("certificate NOT verified (-k)").err_has("*   issuer:  CN=wscheck test CA\n");
}

#[test]
fn wrong_host_name_is_a_tls_failure() {
    let ca = new_ca();
    let leaf = ca.leaf(
        "other",
        &["other.example"],
        OffsetDateTime::now_utc() + Span::days(90),
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (port, _seen) = tls_server(&ca, &leaf);
    let r = run(&["--handshake-only", "--cacert", ca.path(), &format!("wss://localhost:{port}/")]);
    // Words first, with the names the certificate is for; OpenSSL's text last.
    r.code(4).err_has(&format!(
        "error: TLS handshake with localhost:{port} failed: the certificate is not valid for localhost: it is for \
         DNS:other.example; the server's certificate: subject CN=other, issuer CN=wscheck test CA, SANs \
         DNS:other.example, valid from "
    ));
    assert!(r.stderr.to_lowercase().contains("hostname mismatch"), "{}", r.stderr);
}

#[test]
fn expired_certificate_fails_unless_insecure_then_warns() {
    let ca = new_ca();
    let expired = ca.leaf(
        "wscheck expired",
        &["localhost", "127.0.0.1"],
        OffsetDateTime::now_utc() - Span::days(2),
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (port, seen) = tls_server(&ca, &expired);
    let url = format!("wss://localhost:{port}/");
    let r = run(&["--handshake-only", "--cacert", ca.path(), &url]);
    r.code(4)
        .err_has("certificate has expired")
        .err_has(&format!("error: TLS handshake with localhost:{port} failed: the certificate expired on "));
    assert_refused_then_looked_at(&seen);

    let k = run(&["--handshake-only", "-k", &url]);
    k.code(0).err_has("*   subject: CN=wscheck expired\n").err_has(" (expired)\n");
    let line = k.finding_is("certificate", "warn");
    assert!(line.contains("the certificate expired on "), "{line}");
    next(&seen, "the -k run got through").unwrap();
}

#[test]
fn certificate_expiring_soon_warns_per_cert_warn_days() {
    let ca = new_ca();
    let (port, _seen) = tls_server(&ca, &ca.server(3));
    let url = format!("wss://127.0.0.1:{port}/");
    let r = run(&["--handshake-only", "--cacert", ca.path(), &url]);
    r.code(0).err_has(" (3 days left)\n");
    let line = r.finding_is("certificate", "warn");
    assert!(
        line.contains("the certificate expires in 3 days (") && line.contains("within --cert-warn-days 14"),
        "{line}"
    );

    let quiet = run(&["--handshake-only", "--cacert", ca.path(), "--cert-warn-days", "1", &url]);
    quiet.code(0);
    assert!(quiet.finding_is("certificate", "ok").contains("valid for 3 more days"));
}

#[test]
fn client_certificate_when_the_server_requires_one() {
    let ca = new_ca();
    let (port, seen) = mtls_server(&ca, &ca.server(90));
    let url = format!("wss://localhost:{port}/");
    let client = ca.leaf(
        "wscheck test client",
        &[],
        OffsetDateTime::now_utc() + Span::days(90),
        ExtendedKeyUsagePurpose::ClientAuth,
    );
    let (cert_file, key_file) = (pem_file(&client.cert), pem_file(&client.key));
    let (cert, key) = (cert_file.path().to_str().unwrap(), key_file.path().to_str().unwrap());

    // Under TLS 1.3 the refusal comes after the client's handshake is done (the request may
    // already be written, or its write reset): still a TLS failure.
    let without = run(&["--handshake-only", "--cacert", ca.path(), &url]);
    without
        .code(4)
        .err_has(&format!("error: the TLS session with localhost:{port} was refused after the handshake: "))
        .err_has("alert certificate required")
        .err_has("the server sent the TLS alert \"certificate required\": it requires a client certificate (--cert and --key) (OpenSSL: ");
    assert!(next(&seen, "the server saw the attempt").is_err());

    // A client certificate from a CA the server does not trust.
    let stranger = new_ca().leaf(
        "wscheck stranger",
        &[],
        OffsetDateTime::now_utc() + Span::days(90),
        ExtendedKeyUsagePurpose::ClientAuth,
    );
    let (s_cert, s_key) = (pem_file(&stranger.cert), pem_file(&stranger.key));
    let r = run(&[
        "--handshake-only",
        "--cacert",
        ca.path(),
        "--cert",
        s_cert.path().to_str().unwrap(),
        "--key",
        s_key.path().to_str().unwrap(),
        &url,
    ]);
    r.code(4).err_has("alert unknown ca").err_has(
        "the server sent the TLS alert \"unknown ca\": it did not accept the client certificate (--cert) (OpenSSL: ",
    );
    assert!(next(&seen, "the server saw the stranger").is_err());

    let with = run(&["--handshake-only", "--cacert", ca.path(), "--cert", cert, "--key", key, &url]);
    with.code(0).err_has("* OK: ");
    let (subject, head) = next(&seen, "the server got the request").unwrap();
    assert_eq!(subject, "wscheck test client");
    assert!(head.starts_with("GET / HTTP/1.1\r\n"), "{head}");

    run(&["--cert", cert, &url]).code(2).err_has("--key <FILE>");
    run(&["--key", key, &url]).code(2).err_has("--cert <FILE>");
    // A key that is not one is a usage error too, before any connection.
    run(&["--cert", cert, "--key", cert, &url]).code(2).err_has("--cert/--key");
}

// ---- proxies ----------------------------------------------------------------------------

#[test]
fn proxy_flag_tunnels_with_connect() {
    let serve = Serve::start(&[]);
    let sport = serve.url.trim_start_matches("ws://127.0.0.1:").trim_end_matches('/').to_string();
    let (pport, seen) = proxy("200 Connection established");
    let r = run(&["--handshake-only", "--proxy", &format!("http://127.0.0.1:{pport}"), &serve.url]);
    r.code(0)
        .err_has(&format!("* Connected to proxy 127.0.0.1 (127.0.0.1) port {pport}\n"))
        .err_has(&format!("proxy> CONNECT 127.0.0.1:{sport} HTTP/1.1\n"))
        .err_has(&format!("proxy> Host: 127.0.0.1:{sport}\n"))
        .err_has("proxy< HTTP/1.1 200 Connection established\n")
        .err_has("* OK: ")
        .err_lacks("Proxy-Authorization");
    let head = next(&seen, "the proxy got a CONNECT");
    assert!(head.starts_with(&format!("CONNECT 127.0.0.1:{sport} HTTP/1.1\r\nHost: 127.0.0.1:{sport}\r\n")), "{head}");
    assert!(!head.contains("Proxy-Authorization"), "{head}");

    // An empty --proxy means none, whatever the environment says.
    let direct =
        run_env(&["--handshake-only", "--proxy", "", &serve.url], &[("http_proxy", &format!("127.0.0.1:{pport}"))]);
    direct.code(0).err_lacks("proxy>");
    assert!(seen.try_recv().is_err(), "the proxy was used");
}

#[test]
fn proxy_from_the_environment_as_curl_reads_it() {
    let serve = Serve::start(&[]);
    let (pport, seen) = proxy("200 Connection established");
    let purl = format!("http://127.0.0.1:{pport}");
    let args = ["--handshake-only", serve.url.as_str()];

    // http_proxy (lower case) is used for ws://.
    run_env(&args, &[("http_proxy", &purl)]).code(0).err_has("proxy> CONNECT 127.0.0.1:");
    next(&seen, "http_proxy was used");

    // HTTP_PROXY (upper case) alone is not (curl ignores it: CGI sets HTTP_* from request headers).
    run_env(&args, &[("HTTP_PROXY", &purl)]).code(0).err_lacks("proxy>").err_lacks("Connected to proxy");
    assert!(seen.try_recv().is_err(), "HTTP_PROXY was used");

    // https_proxy is for wss:// only.
    run_env(&args, &[("https_proxy", &purl), ("HTTPS_PROXY", &purl)]).code(0).err_lacks("proxy>");
    assert!(seen.try_recv().is_err(), "https_proxy was used for ws://");

    // ALL_PROXY is for both.
    run_env(&args, &[("ALL_PROXY", &purl)]).code(0).err_has("proxy> CONNECT 127.0.0.1:");
    next(&seen, "ALL_PROXY was used");

    // NO_PROXY exempts the host…
    run_env(&args, &[("http_proxy", &purl), ("NO_PROXY", "127.0.0.1")]).code(0).err_lacks("proxy>");
    run_env(&args, &[("http_proxy", &purl), ("no_proxy", "localhost,127.0.0.1")]).code(0).err_lacks("proxy>");
    assert!(seen.try_recv().is_err(), "NO_PROXY was ignored");

    // …and --noproxy '' overrides NO_PROXY, as in curl.
    let r = run_env(
        &["--noproxy", "", "--handshake-only", &serve.url],
        &[("http_proxy", &purl), ("NO_PROXY", "127.0.0.1")],
    );
    r.code(0).err_has("proxy> CONNECT 127.0.0.1:");
    next(&seen, "--noproxy '' brought the proxy back");

    // --noproxy '*' bypasses even --proxy.
    run(&["--noproxy", "*", "--proxy", &purl, "--handshake-only", &serve.url]).code(0).err_lacks("proxy>");
    assert!(seen.try_recv().is_err(), "--noproxy '*' was ignored");
}

#[test]
fn proxy_refusals_exit_3() {
    let serve = Serve::start(&[]);
    let (p407, seen407) = proxy("407 Proxy Authentication Required");
    let r = run(&["--proxy", &format!("http://127.0.0.1:{p407}"), &serve.url]);
    r.code(3)
        .err_has("proxy< HTTP/1.1 407 Proxy Authentication Required\n")
        .err_has(&format!("error: the proxy 127.0.0.1:{p407} refused the tunnel to 127.0.0.1:"))
        .err_has(
            ": HTTP/1.1 407 Proxy Authentication Required (it wants credentials: --proxy http://user:pass@host:port)\n",
        )
        .err_lacks("> GET ");
    next(&seen407, "the 407 proxy got a CONNECT");

    let (p403, _seen403) = proxy("403 Forbidden");
    let r = run(&["--proxy", &format!("127.0.0.1:{p403}"), &serve.url]);
    r.code(3).err_has("HTTP/1.1 403 Forbidden (the proxy does not allow this destination)\n");

    let j = run(&["--json", "--proxy", &format!("127.0.0.1:{p403}"), &serve.url]);
    j.code(3);
    let events = j.events();
    let error = events.iter().find(|e| e["type"] == "error").expect("an error event");
    assert_eq!(error["kind"], "connect");
    assert_eq!(events.iter().find(|e| e["type"] == "proxy").expect("a proxy event")["status"], 403);
    assert_eq!(events.last().unwrap()["code"], 3);
}

#[test]
fn proxy_credentials_are_sent_but_never_shown() {
    let serve = Serve::start(&[]);
    let (pport, seen) = proxy("200 Connection established");
    let purl = format!("http://u:s3cret@127.0.0.1:{pport}");
    let token = b64("u:s3cret");
    assert_eq!(token, "dTpzM2NyZXQ=");

    let r = run(&["--handshake-only", "--proxy", &purl, &serve.url]);
    r.code(0).err_has("proxy> Proxy-Authorization: Basic ***** (12 bytes)\n");
    assert_nowhere(&r, &["s3cret", &token]);
    let head = next(&seen, "the proxy got a CONNECT");
    assert!(head.contains("\r\nProxy-Authorization: Basic dTpzM2NyZXQ=\r\n"), "{head}");

    let j = run(&["--json", "--handshake-only", "--proxy", &purl, &serve.url]);
    j.code(0);
    assert_nowhere(&j, &["s3cret", &token]);
    let proxy_event = j.events().into_iter().find(|e| e["type"] == "proxy").expect("a proxy event");
    assert!(
        proxy_event["request"].as_array().unwrap().iter().any(|l| l == "Proxy-Authorization: Basic ***** (12 bytes)")
    );
    next(&seen, "the proxy got the JSON run's CONNECT");

    // From the environment too, and a refused tunnel does not quote them either.
    let (p407, _) = proxy("407 Proxy Authentication Required");
    let e = run_env(&[&serve.url], &[("http_proxy", &format!("http://u:s3cret@127.0.0.1:{p407}"))]);
    e.code(3);
    assert_nowhere(&e, &["s3cret", &token]);

    let shown = run(&["--handshake-only", "--show-secrets", "--proxy", &purl, &serve.url]);
    shown.code(0).err_has("proxy> Proxy-Authorization: Basic dTpzM2NyZXQ=\n");
}

#[test]
fn wss_through_the_proxy_runs_tls_in_the_tunnel() {
    let ca = new_ca();
    let (tport, served) = tls_server(&ca, &ca.server(90));
    let (pport, seen) = proxy("200 Connection established");
    let url = format!("wss://localhost:{tport}/");
    let r = run(&["--handshake-only", "--cacert", ca.path(), "--proxy", &format!("127.0.0.1:{pport}"), &url]);
    r.code(0)
        .err_has(&format!("proxy> CONNECT localhost:{tport} HTTP/1.1\n"))
        .err_has("proxy< HTTP/1.1 200 Connection established\n")
        .err_has(", certificate verified\n")
        .err_has("*   subject: CN=wscheck test server\n");
    // The transcript's order: the tunnel, then TLS, then the request.
    let (a, b, c) = (
        r.stderr.find("proxy< HTTP/1.1 200").unwrap(),
        r.stderr.find("* TLS established").unwrap(),
        r.stderr.find("> GET / HTTP/1.1").unwrap(),
    );
    assert!(a < b && b < c, "{}", r.stderr);
    assert!(next(&seen, "the proxy got a CONNECT").starts_with(&format!("CONNECT localhost:{tport} HTTP/1.1\r\n")));
    next(&served, "the TLS server got the request").unwrap();

    // HTTPS_PROXY (upper case is fine for this one) is used for wss://, http_proxy is not.
    let purl = format!("http://127.0.0.1:{pport}");
    run_env(&["--handshake-only", "--cacert", ca.path(), &url], &[("HTTPS_PROXY", &purl)])
        .code(0)
        .err_has("proxy> CONNECT localhost:");
    next(&seen, "HTTPS_PROXY was used");
    next(&served, "the TLS server got the second request").unwrap();
    run_env(&["--handshake-only", "--cacert", ca.path(), &url], &[("http_proxy", &purl)]).code(0).err_lacks("proxy>");
    assert!(seen.try_recv().is_err(), "http_proxy was used for wss://");
    next(&served, "the TLS server got the direct request").unwrap();
    // all_proxy (lower case) is for wss:// too.
    run_env(&["--handshake-only", "--cacert", ca.path(), &url], &[("all_proxy", &purl)])
        .code(0)
        .err_has("proxy> CONNECT localhost:");
    next(&seen, "all_proxy was used");
}

#[test]
fn refused_proxy_connection_exits_3() {
    // A port that was bound and released: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let r = run(&["--proxy", &format!("127.0.0.1:{port}"), "ws://127.0.0.1:9/"]);
    r.code(3).err_has(&format!("could not connect to the proxy 127.0.0.1:{port}: connection refused"));
}

// ---- redirects --------------------------------------------------------------------------

#[test]
fn redirect_without_location_flag_exits_5_with_a_hint() {
    let (untouched, free) = untouched_listener();
    let location = ws(free, "/next");
    let (port, seen) = redirect_to(location.clone());
    let r = run(&[&ws(port, "/")]);
    r.code(5)
        .err_has("< HTTP/1.1 301 Moved Permanently\n")
        .err_has(&format!("< Location: {location}\n"))
        .err_lacks("following the redirect");
    let line = r.finding_is("redirect", "info");
    assert!(line.contains(&format!("a redirect to {location}: follow it with -L")), "{line}");
    next(&seen, "the server got the request");
    assert_never_connected(&untouched);
}

#[test]
fn relative_redirect_to_the_same_server() {
    let (port, seen) = listen(|i, mut s| {
        if i == 0 {
            let head = head_of(&mut s);
            let _ = s.write_all(b"HTTP/1.1 301 Moved Permanently\r\nLocation: /next?x=1\r\n\r\n");
            head
        } else {
            accept_ws(&mut s, "")
        }
    });
    let r = run(&["-L", "--handshake-only", &ws(port, "/start")]);
    r.code(0)
        .err_has("> GET /start HTTP/1.1\n")
        .err_has("< HTTP/1.1 301 Moved Permanently\n")
        .err_has(&format!("* note: following the redirect to ws://127.0.0.1:{port}/next?x=1 (1 of at most 5)\n"))
        .err_has("> GET /next?x=1 HTTP/1.1\n")
        .err_has("< HTTP/1.1 101 Switching Protocols\n")
        .err_has("* OK: ");
    let mut heads = [next(&seen, "first request"), next(&seen, "second request")];
    heads.sort();
    assert!(
        heads[0].starts_with("GET /next?x=1 HTTP/1.1\r\n") && heads[1].starts_with("GET /start HTTP/1.1\r\n"),
        "{heads:?}"
    );
    // Only the last hop is judged.
    assert_eq!(r.stderr.matches(" status-101 ").count(), 1, "{}", r.stderr);
}

#[test]
fn absolute_http_and_https_redirects_map_to_ws_and_wss() {
    let (final_port, final_seen) = ws_server("");
    let (port, _) = redirect_to(format!("http://127.0.0.1:{final_port}/there"));
    let r = run(&["-L", "--handshake-only", &ws(port, "/")]);
    r.code(0)
        .err_has(&format!("* note: following the redirect to ws://127.0.0.1:{final_port}/there (1 of at most 5)\n"))
        .err_has(&format!("> Host: 127.0.0.1:{final_port}\n"));
    assert!(next(&final_seen, "the target got the request").starts_with("GET /there HTTP/1.1\r\n"));

    let ca = new_ca();
    let (tport, served) = tls_server(&ca, &ca.server(90));
    let (port, _) = redirect_to(format!("https://localhost:{tport}/secure"));
    let r = run(&["-L", "--handshake-only", "--cacert", ca.path(), &ws(port, "/")]);
    r.code(0)
        .err_has(&format!("* note: following the redirect to wss://localhost:{tport}/secure (1 of at most 5)\n"))
        .err_has("*   subject: CN=wscheck test server\n")
        .err_has("> GET /secure HTTP/1.1\n");
    assert!(next(&served, "the wss target got the request").unwrap().starts_with("GET /secure HTTP/1.1\r\n"));
}

#[test]
fn redirect_loops_and_too_many_redirects_exit_5() {
    // A → B → A: B's answer is only known once B is listening, so A redirects to a port sent later.
    let (btx, brx) = mpsc::channel::<u16>();
    let brx = std::sync::Mutex::new(brx);
    let (a, _) = listen(move |_, mut s| {
        let head = head_of(&mut s);
        let b = brx.lock().unwrap().recv_timeout(LIMIT).unwrap();
        let _ = write!(s, "HTTP/1.1 301 Moved Permanently\r\nLocation: ws://127.0.0.1:{b}/\r\n\r\n");
        head
    });
    let (b, _) = redirect_to(format!("ws://127.0.0.1:{a}/"));
    btx.send(b).unwrap();
    let r = run(&["-L", &ws(a, "/")]);
    r.code(5)
        .err_has(&format!("error: redirect loop: ws://127.0.0.1:{a}/ → ws://127.0.0.1:{b}/ → ws://127.0.0.1:{a}/\n"));

    // A → B → C with --max-redirs 1: C is never asked.
    let (untouched, c0) = untouched_listener();
    let (b, _) = redirect_to(ws(c0, "/c"));
    let (a, _) = redirect_to(ws(b, "/b"));
    let r = run(&["-L", "--max-redirs", "1", &ws(a, "/a")]);
    r.code(5).err_has(&format!(
        "error: too many redirects (--max-redirs 1): ws://127.0.0.1:{a}/a → ws://127.0.0.1:{b}/b → ws://127.0.0.1:{c0}/c\n"
    ));
    assert_never_connected(&untouched);

    // The same chain is fine with the default limit.
    let (c, c_seen) = ws_server("");
    let (b, _) = redirect_to(ws(c, "/c"));
    let (a, _) = redirect_to(ws(b, "/b"));
    run(&["-L", "--handshake-only", &ws(a, "/a")]).code(0).err_has("(2 of at most 5)");
    assert!(next(&c_seen, "the third server got the request").starts_with("GET /c HTTP/1.1\r\n"));
}

#[test]
fn credentials_are_not_sent_to_another_host() {
    let token = format!("Authorization: Basic {}\r\n", b64("user:pw-secret"));

    // 127.0.0.1 → localhost: another host name, so the credentials stay behind.
    let (other, other_seen) = ws_server("");
    let (port, first_seen) = redirect_to(format!("ws://localhost:{other}/"));
    let url = format!("ws://user:pw-secret@127.0.0.1:{port}/");
    let r = run(&["-L", "--handshake-only", "-H", "Cookie: sid=c00kie", "-H", "X-Keep: yes", &url]);
    r.code(0).err_has(&format!("* note: credentials are not sent to localhost:{other} (another host)\n"));
    let first = next(&first_seen, "the first server got the request");
    assert!(first.contains(&token) && first.contains("Cookie: sid=c00kie\r\n"), "{first}");
    let second = next(&other_seen, "the other host got the request");
    assert!(!second.to_ascii_lowercase().contains("authorization:"), "{second}");
    assert!(!second.contains("c00kie"), "{second}");
    assert!(second.contains("X-Keep: yes\r\n"), "{second}");

    // --auth is dropped the same way.
    let (other, other_seen) = ws_server("");
    let (port, _) = redirect_to(format!("ws://localhost:{other}/"));
    run(&["-L", "--handshake-only", "--auth", "user:pw-secret", &ws(port, "/")])
        .code(0)
        .err_has("credentials are not sent to localhost:");
    assert!(!next(&other_seen, "the other host got the request").contains("Authorization"));

    // The same host and port keeps them.
    let (port, seen) = listen(|i, mut s| {
        if i == 0 {
            let head = head_of(&mut s);
            let _ = s.write_all(b"HTTP/1.1 302 Found\r\nLocation: /again\r\n\r\n");
            head
        } else {
            accept_ws(&mut s, "")
        }
    });
    let url = format!("ws://user:pw-secret@127.0.0.1:{port}/");
    let r = run(&["-L", "--handshake-only", "-H", "Cookie: sid=c00kie", &url]);
    r.code(0).err_lacks("credentials are not sent");
    for _ in 0..2 {
        let head = next(&seen, "a request");
        assert!(head.contains(&token) && head.contains("Cookie: sid=c00kie\r\n"), "{head}");
    }
}

#[test]
fn credentials_are_not_sent_over_a_downgrade_to_ws() {
    // wss://localhost:P/ redirects to ws://localhost:P/plain: the same host and port, but the
    // password would cross the network in clear (curl keeps credentials to one scheme too).
    let ca = new_ca();
    let leaf = ca.server(90);
    let chain = format!("{}{}", leaf.cert, ca.pem);
    let acceptor =
        native_tls::TlsAcceptor::new(native_tls::Identity::from_pkcs8(chain.as_bytes(), leaf.key.as_bytes()).unwrap())
            .unwrap();
    let own_port = Arc::new(std::sync::OnceLock::<u16>::new());
    let known = own_port.clone();
    let (port, seen) = listen(move |i, s| -> Result<String, String> {
        if i == 0 {
            let mut tls = acceptor.accept(s).map_err(|e| e.to_string())?;
            let head = head_of(&mut tls);
            let port = known.get().unwrap();
            let _ = write!(tls, "HTTP/1.1 301 Moved Permanently\r\nLocation: ws://localhost:{port}/plain\r\n\r\n");
            let _ = tls.shutdown();
            Ok(head)
        } else {
            let mut s = s;
            Ok(accept_ws(&mut s, ""))
        }
    });
    own_port.set(port).unwrap();
    let url = format!("wss://user:pw-secret@localhost:{port}/");
    let r = run(&["-L", "--handshake-only", "--cacert", ca.path(), "-H", "Cookie: sid=c00kie", &url]);
    r.code(0)
        .err_has(&format!("* note: following the redirect to ws://localhost:{port}/plain (1 of at most 5)\n"))
        .err_has(&format!("* note: credentials are not sent to localhost:{port} (another scheme)\n"));
    let heads = [next(&seen, "a request").unwrap(), next(&seen, "a request").unwrap()];
    let secure = heads.iter().find(|h| h.starts_with("GET / HTTP/1.1\r\n")).expect("the wss request");
    let plain = heads.iter().find(|h| h.starts_with("GET /plain HTTP/1.1\r\n")).expect("the ws request");
    assert!(secure.contains(&format!("Authorization: Basic {}\r\n", b64("user:pw-secret"))), "{secure}");
    assert!(!plain.contains("Authorization") && !plain.contains("c00kie"), "{plain}");
}

// ---- secrets ----------------------------------------------------------------------------

#[test]
fn secrets_are_masked_in_the_transcript_and_json() {
    const SET_COOKIE: &str = "Set-Cookie: token=topsecret2\r\n";
    let url_token = b64("alice:pw-secret1");
    let auth_token = b64("bob:pw-secret2");
    let secrets = ["pw-secret1", "pw-secret2", "topsecret", url_token.as_str(), auth_token.as_str()];

    for json in [false, true] {
        let mode: &[&str] = if json { &["--json"] } else { &[] };
        // The URL's password.
        let (port, seen) = ws_server(SET_COOKIE);
        let url = format!("ws://alice:pw-secret1@127.0.0.1:{port}/");
        let args = [mode, &["--handshake-only", "-H", "Cookie: sid=topsecret", &url]].concat();
        let r = run(&args);
        r.code(0);
        assert_nowhere(&r, &secrets);
        let head = next(&seen, "the request");
        assert!(head.contains(&format!("Authorization: Basic {url_token}\r\n")), "{head}");
        assert!(head.contains("Cookie: sid=topsecret\r\n"), "{head}");
        if json {
            let events = r.events();
            let request = events.iter().find(|e| e["type"] == "request").unwrap();
            let lines: Vec<_> = request["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
            assert!(lines.contains(&"Authorization: Basic ***** (24 bytes)"), "{lines:?}");
            assert!(lines.contains(&"Cookie: ***** (13 bytes)"), "{lines:?}");
            let response = events.iter().find(|e| e["type"] == "response").unwrap();
            assert!(response["lines"].as_array().unwrap().iter().any(|l| l == "Set-Cookie: ***** (16 bytes)"));
            assert!(
                response["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h[0] == "Set-Cookie" && h[1] == "***** (16 bytes)")
            );
        } else {
            r.err_has("> Authorization: Basic ***** (24 bytes)\n")
                .err_has("> Cookie: ***** (13 bytes)\n")
                .err_has("< Set-Cookie: ***** (16 bytes)\n");
        }

        // --auth (which takes the place of the URL's), and a usage error quoting the URL.
        let (port, seen) = ws_server(SET_COOKIE);
        let url = format!("ws://alice:pw-secret1@127.0.0.1:{port}/");
        let r = run(&[mode, &["--handshake-only", "--auth", "bob:pw-secret2", &url]].concat());
        r.code(0);
        assert_nowhere(&r, &secrets);
        assert!(next(&seen, "the request").contains(&format!("Authorization: Basic {auth_token}\r\n")));
        let bad = run(&[mode, &["--auth", "bob:pw-secret2", "ws://alice:pw-secret1@127.0.0.1:1/#frag"]].concat());
        bad.code(2);
        assert_nowhere(&bad, &secrets);
    }

    // --show-secrets shows them all (the password only as it crosses the wire: in base64).
    let (port, _) = ws_server(SET_COOKIE);
    let url = format!("ws://alice:pw-secret1@127.0.0.1:{port}/");
    run(&["--show-secrets", "--handshake-only", "-H", "Cookie: sid=topsecret", &url])
        .code(0)
        .err_has(&format!("> Authorization: Basic {url_token}\n"))
        .err_has("> Cookie: sid=topsecret\n")
        .err_has("< Set-Cookie: token=topsecret2\n");
    let (port, _) = ws_server(SET_COOKIE);
    let j = run(&["--json", "--show-secrets", "--handshake-only", "--auth", "bob:pw-secret2", &ws(port, "/")]);
    j.code(0);
    assert!(j.stdout.contains(&format!("Authorization: Basic {auth_token}")), "{}", j.stdout);
    assert!(j.stdout.contains("Set-Cookie: token=topsecret2"), "{}", j.stdout);
}

/// wscheck spares OpenSSL the system bundle by looking roots up in the hashed directory
/// (src/tls.rs `lazy_roots`); a bundle or directory the user names must still be what is used.
#[test]
fn roots_named_by_ssl_cert_file_or_dir_are_honoured() {
    let ca = new_ca();
    let (port, _seen) = tls_server(&ca, &ca.server(90));
    let url = format!("wss://localhost:{port}/");
    let own_file = run_env(&["--handshake-only", &url], &[("SSL_CERT_FILE", ca.path())]);
    own_file.code(0).err_has("* TLS established, certificate verified\n");

    // A hashed directory (`openssl rehash` names a certificate by its subject hash).
    let dir = tempfile::tempdir().unwrap();
    let hash = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-subject_hash", "-in", ca.path()])
        .output()
        .expect("openssl x509 -subject_hash");
    let hash = String::from_utf8(hash.stdout).unwrap().trim().to_string();
    assert_eq!(hash.len(), 8, "subject hash {hash:?}");
    std::fs::write(dir.path().join(format!("{hash}.0")), &ca.pem).unwrap();
    let own_dir = run_env(&["--handshake-only", &url], &[("SSL_CERT_DIR", dir.path().to_str().unwrap())]);
    own_dir.code(0).err_has("* TLS established, certificate verified\n");

    // Without them the test CA is unknown, so the check is real.
    run(&["--handshake-only", &url]).code(4);
}
