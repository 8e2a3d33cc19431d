//! `wscheck URL`: connect, do the handshake, report the verdict, then the session.

use std::io::IsTerminal;
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use mio::{Poll, Waker};
use regex::Regex;
use tungstenite::Message;
use tungstenite::protocol::{Role, WebSocket, WebSocketConfig};

use crate::cli::ClientArgs;
use crate::connect::{self, TlsOptions};
use crate::event::{Event, Level};
use crate::exit::{Code, Failure};
use crate::handshake::{self, Request, RequestOptions};
use crate::report::Reporter;
use crate::session::input::{self, Feed, Input, QUEUE, Wake};
use crate::session::{self, repl};
use crate::target::Target;

/// What the command line asks for, checked before anything is sent.
pub struct Plan {
    pub target: Target,
    pub expect: Option<Regex>,
}

/// Check the URL and flags; a usage error stops here, before any connection.
pub fn prepare(args: &ClientArgs) -> Result<Plan, Failure> {
    let target = Target::parse(args.url.as_deref().unwrap_or_default())?;
    let expect = match &args.expect {
        None => None,
        Some(p) => Some(Regex::new(p).map_err(|e| Failure::new(Code::Usage, format!("bad --expect regex: {e}")))?),
    };
    if args.max_size == 0 {
        return Err(Failure::new(Code::Usage, "--max-size must be at least 1"));
    }
    Ok(Plan { target, expect })
}

/// Run the client and return the exit code; every outcome, failures included, is reported.
pub fn run(args: &ClientArgs, plan: Plan, reporter: &mut Reporter) -> Code {
    let code = match inspect(args, plan, reporter) {
        Ok(code) => code,
        Err(f) => {
            reporter.emit(&Event::Error { kind: f.code.kind(), message: f.message });
            f.code
        }
    };
    reporter.emit(&Event::Exit { code: code.as_i32() });
    reporter.flush();
    code
}

fn inspect(args: &ClientArgs, plan: Plan, reporter: &mut Reporter) -> Result<Code, Failure> {
    let target = plan.target;
    let mut emit = |e: Event| reporter.emit(&e);
    for note in &target.notes {
        emit(Event::Note { level: Level::Info, text: note.clone() });
    }
    let options = RequestOptions {
        headers: args.headers.clone(),
        subprotocols: args.subprotocols.clone(),
        origin: args.origin.clone(),
    };
    let request = Request::build(&target, &options, &mut emit)?;
    let deadline = Instant::now() + args.connect_timeout;
    let tls = TlsOptions { insecure: args.insecure };
    let mut stream = connect::connect(&target, &tls, deadline, &mut emit)?;
    let outcome = handshake::perform(&mut stream, &request, args.show_secrets, &mut emit)?;
    let proceed = outcome.code == Code::Ok || (args.lenient && outcome.response.status == 101);
    if !proceed {
        return Ok(outcome.code);
    }
    stream.tcp_mut().set_deadline(None).map_err(internal)?;
    let config = WebSocketConfig::default().max_message_size(Some(args.max_size)).max_frame_size(Some(args.max_size));
    let ws = WebSocket::from_partially_read(stream, outcome.response.rest.clone(), Role::Client, Some(config));

    let poll = Poll::new().map_err(internal)?;
    let wake = Wake::new(Waker::new(poll.registry(), session::WAKER).map_err(internal)?);
    let (tx, rx) = sync_channel(QUEUE);
    let feed = Feed { tx, wake: wake.clone() };
    let mut _terminal = None;
    let interactive = !args.handshake_only
        && args.execute.is_empty()
        && !reporter.is_json()
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal();
    {
        let style = reporter.style_mut();
        style.binary_output = args.binary_output;
        style.timestamps = args.timestamps;
    }
    if args.handshake_only {
        drop(feed);
    } else if !args.execute.is_empty() {
        let messages = args.execute.clone();
        std::thread::spawn(move || {
            for m in messages {
                if !feed.send(Input::Send(Message::Text(m.into()))) {
                    return;
                }
            }
            feed.send(Input::Eof);
        });
    } else if interactive {
        let (printer, guard) = repl::start(feed).map_err(|e| Failure::new(Code::Internal, e))?;
        reporter.set_printer(printer);
        _terminal = Some(guard);
    } else {
        let (binary, max) = (args.binary, args.max_size);
        std::thread::spawn(move || input::pipe(std::io::stdin().lock(), feed, binary, max));
    }
    let opts = session::Options {
        wait: args.wait,
        timeout: args.timeout,
        count: args.count,
        expect: plan.expect,
        ping_interval: args.ping_interval,
        show_ping_pong: args.show_ping_pong || interactive,
        close_at_once: args.handshake_only,
    };
    let end = session::run(ws, &opts, reporter, rx, poll, wake);
    reporter.clear_printer();
    drop(_terminal);
    let end = end?;
    Ok(if outcome.code == Code::Ok { end } else { outcome.code })
}

fn internal(e: std::io::Error) -> Failure {
    Failure::new(Code::Internal, e.to_string())
}
