//! The session after a valid handshake: the framing over the connection, the input (the
//! REPL, `-x`, stdin lines) and the ending rules, handed to the session loop.

use std::io::IsTerminal;
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use mio::{Poll, Waker};
use tungstenite::protocol::{Role, WebSocket, WebSocketConfig};

use crate::checks::Agreed;
use crate::deflate::{DeflateSocket, Params};
use crate::event::{Event, Level};
use crate::exit::{Code, Failure};
use crate::plan::Plan;
use crate::plan::session::Source;
use crate::report::Reporter;
use crate::session::ending::Rules;
use crate::session::input::{self, Feed, Input, QUEUE, Wake};
use crate::session::{self, Channel, repl};

/// How the WebSocket is carried: what was read past the handshake, and whether over HTTP/2.
pub struct Carrier {
    /// Bytes received after the answer's header block: the first frames.
    pub rest: Vec<u8>,
    /// Over an HTTP/2 stream (RFC 8441): the completed close handshake ends the session.
    pub http2: bool,
}

/// The session after a valid handshake over `channel` (the connection, or the bridge to an
/// HTTP/2 stream): pick the input (REPL, -x, stdin) and run the loop.
pub fn talk<C: Channel + 'static>(
    plan: &Plan,
    channel: C,
    carrier: Carrier,
    agreed: &Agreed,
    reporter: &mut Reporter,
) -> Result<Code, Failure> {
    let sp = &plan.session;
    let framed = framed(channel, carrier.rest, agreed.deflate, sp.max_size);

    let poll = Poll::new().map_err(internal)?;
    let wake = Wake::new(Waker::new(poll.registry(), session::WAKER).map_err(internal)?);
    // The queue is allocated and initialised whole (1024 slots are 64 kB, a twentieth of a
    // `--handshake-only` run's CPU): as long as the source can fill it, no longer.
    let (tx, rx) = sync_channel(match &sp.source {
        Source::Nothing => 1,
        Source::Messages(m) => m.len().clamp(1, QUEUE),
        Source::Stdin => QUEUE,
    });
    let feed = Feed { tx, wake: wake.clone() };
    let mut repl = None;
    // Lines are typed at a terminal: the REPL, unless it cannot run there (then say why).
    let typed = sp.source == Source::Stdin && !reporter.is_json() && std::io::stdin().is_terminal();
    let no_repl = if !typed {
        None
    } else if !std::io::stdout().is_terminal() {
        Some("stdout is not a terminal".to_string())
    } else {
        repl::unsupported_terminal().map(|term| format!("this terminal (TERM={term}) cannot edit lines"))
    };
    let interactive = typed && no_repl.is_none();
    crate::signals::enter_session(wake.clone(), interactive);
    {
        let style = reporter.style_mut();
        style.binary_output = plan.output.binary_output;
        style.timestamps = plan.output.timestamps;
        style.null = plan.output.null;
    }
    match &sp.source {
        Source::Nothing => drop(feed),
        Source::Messages(messages) => {
            let messages = messages.clone();
            std::thread::spawn(move || {
                for m in messages {
                    if !feed.send(Input::Send(m)) {
                        return;
                    }
                }
                feed.send(Input::Eof);
            });
        }
        Source::Stdin if interactive => {
            let mut editor = repl::Repl::new(feed).map_err(|e| Failure::new(Code::Internal, e))?;
            reporter.say(repl::BANNER);
            reporter.set_printer(editor.printer());
            editor.begin();
            repl = Some(editor);
        }
        Source::Stdin => {
            if let Some(why) = no_repl {
                // `wscheck URL | tee log` at a shell: say why there is no prompt, and what typing does.
                reporter.emit(&Event::Note {
                    level: Level::Info,
                    text: format!(
                        "the REPL is off because {why}: each line typed is sent as a message (Ctrl-D to end)"
                    ),
                });
            }
            let (binary, max) = (sp.binary, sp.max_size);
            std::thread::spawn(move || input::pipe(std::io::stdin().lock(), feed, binary, max));
        }
    }
    let rules = Rules {
        count: sp.count,
        expect: sp.expect.as_ref().map(|re| re.as_str().to_string()),
        expect_close: sp.expect_close.clone(),
        wait: sp.wait,
        timeout: plan.limits.session(Instant::now(), sp.has_goal()),
        http2: carrier.http2,
    };
    let opts = session::Options {
        rules,
        expect: sp.expect.clone(),
        ping_interval: sp.ping_interval,
        ping_timeout: sp.ping_timeout,
        show_ping_pong: sp.show_pings,
        close_at_once: sp.handshake_only(),
        verbose: plan.output.verbose,
    };
    // Generic, not a trait object: each framing's message path is compiled for itself.
    let end = match framed {
        Framed::Plain(ws) => session::run(ws, &opts, reporter, rx, poll, wake),
        Framed::Deflate(ws) => session::run(ws, &opts, reporter, rx, poll, wake),
    };
    reporter.clear_printer();
    if let Some(repl) = repl {
        repl.finish();
    }
    end
}

/// The framing a session speaks over its channel. Made once and matched at once, so the
/// variants' sizes do not matter (boxing either would only add an allocation).
#[allow(clippy::large_enum_variant)]
enum Framed<C> {
    /// tungstenite's own, when no extension changes the frames.
    Plain(WebSocket<C>),
    /// wscheck's, when permessage-deflate was agreed (RSV1, compression, inflated-size limit).
    Deflate(DeflateSocket<C>),
}

/// The framing over `channel` (`rest`: the bytes read past the handshake's answer): deflate's
/// when the handshake agreed its parameters, else tungstenite's. Any channel — a TCP or TLS
/// stream, or the bridge to an HTTP/2 stream — picks its framing here, the same way.
fn framed<C: Channel>(channel: C, rest: Vec<u8>, deflate: Option<Params>, max_size: usize) -> Framed<C> {
    match deflate {
        Some(params) => Framed::Deflate(DeflateSocket::new(channel, rest, Role::Client, Some(max_size), Some(params))),
        None => {
            // A 32 KiB read buffer (tungstenite zeroes 128 KiB by default): as fast here, 96 KiB less memory.
            let config = WebSocketConfig::default()
                .read_buffer_size(32 << 10)
                .max_message_size(Some(max_size))
                .max_frame_size(Some(max_size));
            Framed::Plain(WebSocket::from_partially_read(channel, rest, Role::Client, Some(config)))
        }
    }
}

fn internal(e: std::io::Error) -> Failure {
    Failure::new(Code::Internal, e.to_string())
}
