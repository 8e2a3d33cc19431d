//! `wscheck demo`: start the echo server on 127.0.0.1:0 with the old hixie reason phrase,
//! inspect it, and explain what the transcript shows. No setup, no network.

use std::net::TcpListener;

use crate::cli::{ClientArgs, ColorWhen};
use crate::exit::Code;
use crate::report::Reporter;
use crate::serve::{self, ServerConfig};

pub const REASON: &str = "Web Socket Protocol Handshake";

pub fn run() -> Code {
    let listener =
        match TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr().map(|a| (l, a))) {
            Ok(pair) => pair,
            Err(e) => {
                eprintln!("error: could not start the demo server on 127.0.0.1: {e}");
                return Code::Internal;
            }
        };
    let (listener, addr) = listener;
    let config = ServerConfig {
        reason: REASON.into(),
        subprotocols: vec![],
    };
    std::thread::spawn(move || serve::serve(listener, config));
    let url = format!("ws://{addr}/demo");
    eprintln!("* wscheck demo: an echo server is listening on {url}; it answers \"101 {REASON}\".");
    eprintln!("* Running: wscheck --handshake-only {url}\n");
    let args = ClientArgs {
        url: Some(url),
        headers: vec![],
        subprotocols: vec![],
        origin: None,
        insecure: false,
        connect_timeout: std::time::Duration::from_secs(10),
        handshake_only: true,
        lenient: false,
        json: false,
        show_secrets: false,
        color: ColorWhen::Auto,
    };
    let mut reporter = Reporter::new(false, args.color);
    let code = crate::client::run(&args, &mut reporter);
    if code == Code::Ok {
        eprintln!(
            "\n* What this shows: the server said \"101 {REASON}\", not \"101 Switching Protocols\", and the\n\
             * handshake is still valid. Only the status code 101 decides (RFC 6455 §4.1, RFC 9110 §15.2.2);\n\
             * the reason phrase is free text. What makes a handshake valid is the rest of the findings:\n\
             * Upgrade, Connection and a Sec-WebSocket-Accept that matches the key wscheck sent.\n\
             * Try it on your own server: wscheck ws://HOST:PORT/PATH   (or wscheck serve, then wscheck URL)"
        );
    }
    code
}
