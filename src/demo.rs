//! `wscheck demo`: start the echo server on 127.0.0.1:0 with the old hixie reason phrase,
//! inspect it, send one message and show its echo, and explain what the transcript shows.
//! No setup, no network.

use std::net::TcpListener;

use tungstenite::Message;

use crate::exit::{Code, Failure};
use crate::plan::Plan;
use crate::plan::session::Source;
use crate::report::{Reporter, say};
use crate::serve::{self, ServerConfig};

pub const REASON: &str = "Web Socket Protocol Handshake";
const MESSAGE: &str = "Hello, WebSocket!";

pub fn run() -> Code {
    let (listener, addr) = match TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr().map(|a| (l, a))) {
        Ok(pair) => pair,
        Err(e) => {
            say(&format!("error: could not start the demo server on 127.0.0.1: {e}"));
            return Code::Internal;
        }
    };
    let config = ServerConfig { reason: REASON.into(), ..Default::default() };
    std::thread::spawn(move || serve::serve(listener, config));
    let url = format!("ws://{addr}/demo");
    say(&format!("* wscheck demo: an echo server is listening on {url}; it answers \"101 {REASON}\"."));
    say(&format!("* Running: wscheck -x '{MESSAGE}' --expect '{MESSAGE}' {url}\n"));
    let plan = match demo_plan(&url) {
        Ok(plan) => plan,
        Err(f) => {
            say(&format!("error: {f}"));
            return f.code;
        }
    };
    let mut reporter = Reporter::new(false, plan.output.color);
    let code = crate::run::run(plan, &mut reporter);
    if code == Code::Ok {
        say(&format!(
            "\n* What this shows: the server said \"101 {REASON}\", not \"101 Switching Protocols\", and the\n\
             * handshake is still valid. Only the status code 101 decides (RFC 6455 §4.1, RFC 9110 §15.2.2);\n\
             * the reason phrase is free text. What makes a handshake valid is the rest of the findings:\n\
             * Upgrade, Connection and a Sec-WebSocket-Accept that matches the key wscheck sent.\n\
             * The echoed message went to stdout; the transcript is on stderr.\n\
             * Try your own server: wscheck ws://HOST:PORT/PATH   (or: wscheck serve, then wscheck ws://127.0.0.1:9001/)"
        ));
    }
    code
}

/// What `wscheck -x MESSAGE --expect MESSAGE URL` would do, built as a plan.
fn demo_plan(url: &str) -> Result<Plan, Failure> {
    let mut plan = Plan::new(crate::target::Target::parse(url)?).expect(&regex::escape(MESSAGE))?;
    plan.session.source = Source::Messages(vec![Message::Text(MESSAGE.into())]);
    Ok(plan)
}
