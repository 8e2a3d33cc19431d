//! What wscheck says about an answer that is not the upgrade it asked for (SPEC §4): hints
//! told from what was really sent (-H, -u, -o), a TLS port reached with ws://, an HTTP/2-only
//! port, and an extension the server agreed to that wscheck cannot speak. Raw servers on
//! 127.0.0.1:0 write the exact bytes real servers write.

mod common;
use common::*;

/// `wscheck --handshake-only --connect-timeout 5 [extra] URL`.
fn inspect(url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--handshake-only", "--connect-timeout", "5"];
    args.extend_from_slice(extra);
    args.push(url);
    wscheck(&args, b"")
}

/// The exact transcript line of an `info` hint.
fn hint(r: &Run, id: &str, message: &str, rfc: &str) {
    err_line(r, &format!("  info  {id:<16} {message}  [{rfc}]"));
}

/// Run wscheck with `extra` against a server that answers `answer`; the run and the request head.
fn against(answer: &'static [u8], path: &str, extra: &[&str]) -> (Run, String) {
    let server = answer_with(move |_| answer.to_vec());
    let r = inspect(&server.url(path), extra);
    let head = String::from_utf8_lossy(&server.join()).into_owned();
    (r, head)
}

// ---------------------------------------------------------------- 426: what was really sent

const NEEDS_13: &[u8] = b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n";

#[test]
fn status_426_says_which_version_was_really_sent() {
    let (r, head) = against(NEEDS_13, "/", &["-H", "Sec-WebSocket-Version: 8"]);
    assert!(head.contains("\r\nSec-WebSocket-Version: 8\r\n"), "{head}");
    r.code(5);
    hint(
        &r,
        "version",
        "426 Upgrade Required: the server speaks WebSocket version 13; the request sent version 8",
        "RFC 6455 §4.4",
    );

    let (r, head) = against(NEEDS_13, "/", &["-H", "Sec-WebSocket-Version:"]);
    assert!(!head.to_ascii_lowercase().contains("sec-websocket-version"), "{head}");
    hint(
        &r,
        "version",
        "426 Upgrade Required: the server speaks WebSocket version 13; the request sent no Sec-WebSocket-Version \
         header (RFC 6455 requires 13)",
        "RFC 6455 §4.4",
    );

    // The version sent is on the server's list: the refusal is about something else.
    let (r, _) = against(NEEDS_13, "/", &[]);
    hint(
        &r,
        "version",
        "426 Upgrade Required: the server speaks WebSocket version 13; the request sent version 13 — that one is on \
         the server's list, so the refusal has another cause",
        "RFC 6455 §4.4",
    );
}

// ---------------------------------------------------------------- 401 and 403: what was tried

const UNAUTHORIZED: &[u8] =
    b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ws\"\r\nContent-Length: 0\r\n\r\n";
const FORBIDDEN: &[u8] = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";

#[test]
fn status_401_after_credentials_says_they_were_refused() {
    let (r, head) = against(UNAUTHORIZED, "/", &["-u", "alice:wrong"]);
    assert!(head.contains("\r\nAuthorization: Basic "), "{head}");
    r.code(5).err_lacks("-u USER");
    hint(
        &r,
        "auth",
        "authentication required: the credentials (Authorization) sent were refused; the server asks for Basic \
         realm=\"ws\"",
        "RFC 9110 §11.6.1",
    );

    let (r, _) = against(UNAUTHORIZED, "/", &["-H", "Cookie: session=x"]);
    hint(
        &r,
        "auth",
        "authentication required: the credentials (Cookie) sent were refused; the server asks for Basic realm=\"ws\"",
        "RFC 9110 §11.6.1",
    );
}

#[test]
fn status_403_names_a_wrong_path_first_and_suggests_only_what_was_not_tried() {
    // What Starlette and FastAPI (uvicorn, hypercorn) answer on a path with no WebSocket route.
    let (r, _) = against(FORBIDDEN, "/no-such-route", &[]);
    r.code(5).err_lacks("credentials, Origin or IP not accepted");
    hint(
        &r,
        "auth",
        "access forbidden: a wrong path is a common cause (Starlette and FastAPI answer 403 to a WebSocket on a \
         path with no route); otherwise the server refused a request without Origin (try -o ORIGIN), a request \
         without credentials (try -u USER:PASS or -H 'Cookie: …'), or the client's address",
        "RFC 9110 §15.5.4",
    );

    let (r, head) = against(FORBIDDEN, "/ws", &["-o", "https://app.example", "-u", "alice:pw"]);
    assert!(head.contains("\r\nOrigin: https://app.example\r\n"), "{head}");
    r.code(5).err_lacks("try -o").err_lacks("try -u");
    hint(
        &r,
        "auth",
        "access forbidden: a wrong path is a common cause (Starlette and FastAPI answer 403 to a WebSocket on a \
         path with no route); otherwise the server refused the Origin https://app.example, the credentials \
         (Authorization) sent, or the client's address",
        "RFC 9110 §15.5.4",
    );
    // An Origin given with -H counts as given.
    let (r, _) = against(FORBIDDEN, "/ws", &["-H", "Origin: https://h.example"]);
    r.err_lacks("try -o").err_has("refused the Origin https://h.example, ");
}

// ---------------------------------------------------------------- ws:// to a TLS port

#[test]
fn ws_to_a_tls_port_says_try_wss() {
    // nginx: `listen 443 ssl` answering a plain request.
    const NGINX: &[u8] = b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: \
        220\r\nConnection: close\r\n\r\n<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port\
        </title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was \
        sent to HTTPS port</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    // Go's net/http with TLS: no Content-Length, the body ends at the close.
    const GO: &[u8] = b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";
    for (answer, says) in [
        (NGINX, "The plain HTTP request was sent to HTTPS port"),
        (GO, "Client sent an HTTP request to an HTTPS server"),
    ] {
        let (r, _) = against(answer, "/", &[]);
        r.code(5).err_lacks("bad-request");
        hint(
            &r,
            "wrong-scheme",
            &format!("the server says this port speaks TLS (\"{says}\"): try wss:// instead of ws://"),
            "RFC 6455 §3",
        );
    }
    // A TLS server that answers a plain request with an alert record.
    let (r, _) = against(b"\x15\x03\x01\x00\x02\x02\x46", "/", &[]);
    r.code(5);
    err_line(
        &r,
        "error: the server's answer is not HTTP (a TLS alert: this port speaks TLS, try wss://): \"\\x15\\x03\\x01\\x00\\x02\\x02F\"",
    );
}

// ---------------------------------------------------------------- an HTTP/2-only port

/// What nginx with only `http2` on a plain port answers an HTTP/1.1 request: SETTINGS,
/// WINDOW_UPDATE, GOAWAY (PROTOCOL_ERROR).
const H2C: &[u8] = b"\x00\x00\x12\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x80\x00\x04\x7f\xff\xff\xff\x00\x05\x00\xff\xff\xff\x00\x00\x04\x08\x00\x00\x00\x00\x00\x7f\xff\x00\x00\x00\x00\x08\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01";

#[test]
fn an_http2_only_port_is_named_with_every_byte_escaped() {
    let (r, _) = against(H2C, "/", &[]);
    r.code(5);
    err_line(
        &r,
        "error: the server's answer is not HTTP/1.1: an HTTP/2 server (prior knowledge) — not an HTTP/1.1 upgrade; \
         it sent the HTTP/2 frames SETTINGS, WINDOW_UPDATE, GOAWAY (PROTOCOL_ERROR): \"\\x00\\x00\\x12\\x04\\x00\\x00\
         \\x00\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x80\\x00\\x04\\x7f\\xff\\xff\\xff\\x00\\x05\\x00\\xff\\xff\\xff\\x00\
         \\x00\\x04\\x08\\x00\\x00\\x00\\x00\\x00\\x7f\\xff\\x00\\x00\\x00\\x00\\x08\\x07\\x00\\x00\\x00\\x00\\x00\\x00\
         \\x00\\x00\\x00\\x00\\x00\\x00\\x01\"",
    );
    r.err_lacks("\u{fffd}");

    // JSON keeps the lossy text and the exact bytes beside it.
    let server = answer_with(|_| H2C.to_vec());
    let j = wscheck(&["--json", "--handshake-only", &server.url("/")], b"");
    server.join();
    j.code(5);
    let events = j.events();
    let error = events.iter().find(|e| e["type"] == "error").expect("an error event");
    let exact = data_encoding::HEXLOWER.decode(error["message_hex"].as_str().unwrap().as_bytes()).unwrap();
    assert!(exact.ends_with(&[b"\"".as_slice(), H2C, b"\""].concat()), "{error}");
    assert!(error["message"].as_str().unwrap().contains('\u{fffd}'), "{error}");
}

// ---------------------------------------------------------------- extensions wscheck cannot speak

#[test]
fn an_agreed_permessage_deflate_is_spoken_and_another_extension_is_a_warning() {
    // Offered with -H and agreed: wscheck speaks it, so there is nothing to warn about.
    let server = upgrade_then_close(|h| {
        ok_101(h, "Switching Protocols", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r\n")
    });
    let r = inspect(&server.url("/"), &["-H", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"]);
    server.join();
    r.code(0).err_lacks("extensions-unsupported");
    err_line(
        &r,
        "  ok    extensions       the server agreed to extensions that were offered: permessage-deflate  [RFC 6455 §4.1]",
    );
    r.finding_is("deflate-params", "ok");
    r.finding_is("deflate", "info");

    // An extension wscheck cannot speak, agreed beside it: the warning names that one only.
    let server = upgrade_then_close(|h| {
        ok_101(h, "Switching Protocols", "Sec-WebSocket-Extensions: x-webkit-deflate-frame, permessage-deflate\r\n")
    });
    let r = inspect(&server.url("/"), &["-H", "Sec-WebSocket-Extensions: permessage-deflate, x-webkit-deflate-frame"]);
    server.join();
    r.code(0);
    err_line(
        &r,
        "  warn  extensions-unsupported the server agreed to x-webkit-deflate-frame, which wscheck does not implement: \
         it cannot read messages changed by it (the session fails at the first one); drop the -H \
         'Sec-WebSocket-Extensions' offer to talk without it  [RFC 6455 §9.1]",
    );

    // Not offered: the server breaks the rule, and there is nothing agreed to warn about.
    let server = answer_with(|h| ok_101(h, "Switching Protocols", "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
    let r = inspect(&server.url("/"), &[]);
    server.join();
    r.code(6).err_lacks("extensions-unsupported").err_lacks("deflate-params").err_lacks("  info  deflate ");
    r.finding_is("extensions", "ERROR");
}
