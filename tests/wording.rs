//! The exact words of lines that were hard to read or wrong: the response timing (`-v`), a
//! connect timeout, byte counts of one, and URLs with no host (a usage error, exit 2).

mod common;
use common::*;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::fd::FromRawFd;

#[test]
fn verbose_says_when_the_response_header_came() {
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", ""));
    let r = wscheck(&["-v", "--handshake-only", &server.url("/")], b"");
    server.join();
    r.code(0).err_lacks("(since ");
    let timing = regex::Regex::new(
        r"^\* response header [0-9]+\.[0-9]{2} ms after the request was sent \([0-9]+\.[0-9]{2} ms after start\)$",
    )
    .unwrap();
    assert!(r.stderr.lines().any(|l| timing.is_match(l)), "{}", r.stderr);
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connection
/// to it times out (a `listen` backlog of 0 holds one connection, which is made here).
fn full_listener() -> (TcpListener, std::net::TcpStream) {
    // SAFETY: plain socket calls on a descriptor this function owns; checked below.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0) };
    assert!(fd >= 0);
    let listener = unsafe { TcpListener::from_raw_fd(fd) };
    let addr = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr { s_addr: u32::from_ne_bytes([127, 0, 0, 1]) },
        sin_zero: [0; 8],
    };
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    assert_eq!(unsafe { libc::bind(fd, (&raw const addr).cast(), len) }, 0);
    assert_eq!(unsafe { libc::listen(fd, 0) }, 0);
    let filler = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    (listener, filler)
}

#[test]
fn a_connect_timeout_says_it_timed_out_once() {
    let (listener, _filler) = full_listener();
    let port = listener.local_addr().unwrap().port();
    let r = wscheck(&["--connect-timeout", "1", &format!("ws://127.0.0.1:{port}/")], b"");
    r.code(7);
    err_line(&r, &format!("error: timed out connecting to 127.0.0.1:{port} (--connect-timeout)"));
}

#[test]
fn one_byte_is_one_byte() {
    // A masked credential of one byte, and a response that stalls after one byte.
    let server = RawServer::start(|mut s| {
        let head = read_head(&mut s);
        s.write_all(b"H").unwrap();
        // Hold the connection until the client gives up.
        let _ = s.read(&mut [0u8; 1]);
        head
    });
    let r = wscheck(&["--connect-timeout", "1", "-H", "Cookie: a", &server.url("/")], b"");
    server.join();
    r.code(7).err_lacks("1 bytes");
    err_line(&r, "> Cookie: ***** (1 byte)");
    err_line(&r, "error: timed out waiting for the response (--connect-timeout); received 1 byte: \"H\"");
}

#[test]
fn a_url_with_no_host_is_a_usage_error() {
    for (url, line) in [
        ("ws:///path", "error: 'ws:///path' has no host: write ws://HOST[:PORT]/PATH"),
        ("wss:///", "error: 'wss:///' has no host: write ws://HOST[:PORT]/PATH"),
        ("ws://:80/", "error: 'ws://:80/' has no host: write ws://HOST[:PORT]/PATH"),
        ("ws://user@/x", "error: 'ws://user@/x' has no host: write ws://HOST[:PORT]/PATH"),
        ("ws:/path", "error: 'ws:/path' needs '//' after 'ws:': write ws://HOST[:PORT]/PATH"),
        ("https:/x", "error: 'https:/x' needs '//' after 'https:': write https://HOST[:PORT]/PATH"),
    ] {
        let r = wscheck(&[url], b"");
        r.code(2).err_lacks("* Connected").err_lacks("resolve");
        err_line(&r, line);
    }
    // No scheme still means ws://, a host named like a scheme included.
    let server = upgrade_then_close(|h| ok_101(h, "Switching Protocols", ""));
    let r = wscheck(&["--handshake-only", &format!("localhost:{}/chat", server.port)], b"");
    assert!(String::from_utf8_lossy(&server.join()).starts_with("GET /chat HTTP/1.1\r\n"));
    r.code(0);
}
