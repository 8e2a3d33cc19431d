//! `wscheck demo`: start the echo server on 127.0.0.1:0 with the old hixie reason phrase,
//! inspect it, send one message and show its echo, and explain what the transcript shows.
//! `demo --http2` does the same over HTTP/2 (h2c), where the success is a 200, not a 101.
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

pub fn run(http2: bool) -> Code {
    if http2 && !cfg!(feature = "http2") {
        say("error: demo --http2: this wscheck was built without HTTP/2 (the http2 feature)");
        return Code::Usage;
    }
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
    if http2 {
        say(&format!("* wscheck demo --http2: an echo server is listening on {url}; it speaks HTTP/1.1 and HTTP/2."));
        say(&format!("* Running: wscheck --http2 -x '{MESSAGE}' --expect '{MESSAGE}' {url}\n"));
    } else {
        say(&format!("* wscheck demo: an echo server is listening on {url}; it answers \"101 {REASON}\"."));
        say(&format!("* Running: wscheck -x '{MESSAGE}' --expect '{MESSAGE}' {url}\n"));
    }
    let plan = match demo_plan(&url, http2) {
        Ok(plan) => plan,
        Err(f) => {
            say(&format!("error: {f}"));
            return f.code;
        }
    };
    let mut reporter = Reporter::new(false, plan.output.color);
    let code = crate::run::run(plan, &mut reporter);
    if code == Code::Ok && http2 {
        say(HTTP2_LESSON);
    } else if code == Code::Ok {
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

/// What `demo --http2` shows, once it has worked.
const HTTP2_LESSON: &str = "\n\
* What this shows: over HTTP/2 the WebSocket opens with \":status 200\", not 101. This is the same\n\
* success: HTTP/2 has no 101 and no reason phrase, so the extended CONNECT of RFC 8441 is answered\n\
* 200 (RFC 8441 §5, RFC 9113 §8.5). There is no Upgrade, no Connection, no Sec-WebSocket-Key and no\n\
* Accept either; what makes it valid is the server's SETTINGS_ENABLE_CONNECT_PROTOCOL=1 and a 2xx.\n\
* Browsers (Chrome since 91, Firefox since 65) do this whenever the server offers it, and their dev\n\
* tools show \"200\": the upgrade did not fail. The session then runs on the HTTP/2 stream.\n\
* Try your own server: wscheck --http2 wss://HOST/PATH   (h2 by ALPN; ws:// is h2c with prior knowledge)";

/// What `wscheck [--http2] -x MESSAGE --expect MESSAGE URL` would do, built as a plan.
fn demo_plan(url: &str, http2: bool) -> Result<Plan, Failure> {
    let mut plan = Plan::new(crate::target::Target::parse(url)?).expect(&regex::escape(MESSAGE))?;
    plan.session.source = Source::Messages(vec![Message::Text(MESSAGE.into())]);
    plan.reach.http2 = http2;
    Ok(plan)
}
