//! The session after a valid handshake: one single-threaded I/O loop that owns the
//! WebSocket (plain or TLS) and reacts to incoming frames, queued input, timers and signals.
//!
//! The socket is non-blocking and registered with mio; input threads and the signal thread
//! wake the loop through a `mio::Waker`. Nothing polls on a timer: an idle session sleeps in
//! `poll` with no timeout. Writes are batched (one flush per burst) and so is stdout. When
//! and how the session ends is not decided here but by the policy in [`ending`]; the loop
//! does the I/O it asks for.

mod channel;
pub mod ending;
pub mod input;
pub mod ping;
mod read;
pub mod repl;

use std::io::{self, ErrorKind};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use regex::Regex;
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Bytes, Error as WsError, Message};

use crate::deflate::WireSize;
use crate::event::{Direction, Event, Kind, Level, Wire};
use crate::exit::{Code, Failure};
use crate::report::Reporter;
pub use channel::{Channel, Framing};
pub use ending::{CLOSE_WAIT, Ending};
use ending::{Note, Policy, Rules, Step};
use input::{Input, Wake};
use ping::Pinger;

const SOCKET: Token = Token(0);
pub const WAKER: Token = Token(1);
/// The most frames read in one go before input and timers get a turn.
const BURST: usize = 1024;

/// How the session runs and what ends it.
#[derive(Debug, Clone)]
pub struct Options {
    pub rules: Rules,
    pub expect: Option<Regex>,
    pub ping_interval: Option<Duration>,
    pub ping_timeout: Option<Duration>,
    pub show_ping_pong: bool,
    /// Close right away (`--handshake-only`).
    pub close_at_once: bool,
    /// Say when the first message arrived (`-v`).
    pub verbose: bool,
}

struct Session<'a, F: Framing> {
    ws: F,
    reporter: &'a mut Reporter,
    opts: &'a Options,
    inputs: Receiver<Input>,
    wake: Wake,
    policy: Policy,
    pinger: Pinger,
    write_blocked: bool,
    inputs_open: bool,
    started: Instant,
    more_to_read: bool,
    /// A Close handed to tungstenite but not yet written: shown once it is, never before.
    unwritten_close: Option<Event>,
    /// Noise after the server's Close was reported (once).
    warned_noise: bool,
    /// Pings and pongs are shown (`-P`; the REPL's `/pings` changes it).
    show_pings: bool,
}

/// Run the session until it ends; the result is the exit code or the failure to report.
pub fn run<F: Framing>(
    ws: F,
    opts: &Options,
    reporter: &mut Reporter,
    inputs: Receiver<Input>,
    poll: Poll,
    wake: Wake,
) -> Ending {
    let now = Instant::now();
    let mut s = Session {
        ws,
        reporter,
        opts,
        inputs,
        wake,
        policy: Policy::new(opts.rules.clone()),
        pinger: Pinger::new(opts.ping_interval, opts.ping_timeout, now),
        write_blocked: false,
        inputs_open: true,
        started: now,
        more_to_read: false,
        unwritten_close: None,
        warned_noise: false,
        show_pings: opts.show_ping_pong,
    };
    s.ws.channel_mut().make_nonblocking().map_err(internal)?;
    let fd = s.ws.channel().raw_fd();
    poll.registry().register(&mut SourceFd(&fd), SOCKET, Interest::READABLE | Interest::WRITABLE).map_err(internal)?;
    if opts.close_at_once {
        let step = s.policy.on_user_close(1000, String::new(), now);
        s.act(step);
    }
    let result = s.run_loop(poll);
    s.reporter.flush();
    result
}

fn internal(e: io::Error) -> Failure {
    Failure::new(Code::Internal, format!("session set-up failed: {e}"))
}

/// A non-blocking socket has nothing to give or take right now.
pub(crate) fn would_block(e: &WsError) -> bool {
    matches!(e, WsError::Io(io) if io.kind() == ErrorKind::WouldBlock)
}

impl<F: Framing> Session<'_, F> {
    fn run_loop(&mut self, mut poll: Poll) -> Ending {
        let mut events = Events::with_capacity(8);
        loop {
            if let Some(end) = self.read_all() {
                return end;
            }
            if let Some(code) = crate::signals::take() {
                let text =
                    format!("{}: closing the connection (a second signal exits at once)", crate::signals::name(code));
                self.note(Note { level: Level::Info, text });
                let step = self.policy.on_signal(code, Instant::now());
                if let Some(end) = self.act(step) {
                    return end;
                }
            }
            if !self.write_blocked
                && !self.policy.closing()
                && let Some(end) = self.take_inputs()
            {
                return end;
            }
            // Timers first: a ping they queue must go out in this turn's flush, not a turn later.
            if let Some(end) = self.check_timers() {
                return end;
            }
            if let Some(end) = self.flush() {
                return end;
            }
            self.reporter.flush();
            if self.reporter.is_broken() && !self.policy.closing() {
                // Nobody reads our output any more: close politely and end quietly.
                let step = self.policy.on_user_close(1000, String::new(), Instant::now());
                self.act(step);
                continue;
            }
            let timeout = if self.more_to_read {
                Some(Duration::ZERO)
            } else {
                self.next_timer().map(|t| t.saturating_duration_since(Instant::now()))
            };
            if let Err(e) = poll.poll(&mut events, timeout)
                && e.kind() != ErrorKind::Interrupted
            {
                return Err(internal(e));
            }
        }
    }

    fn next_timer(&self) -> Option<Instant> {
        [self.policy.next_timer(), self.pinger.next_timer()].into_iter().flatten().min()
    }

    fn note(&mut self, note: Note) {
        self.reporter.emit(&Event::Note { level: note.level, text: note.text });
    }

    /// Do what the policy asks; `Some` when the session is over.
    fn act(&mut self, step: Step) -> Option<Ending> {
        match step {
            Step::Go => None,
            Step::Close(code, reason, note) => {
                if let Some(note) = note {
                    self.note(note);
                }
                self.send_close(code, reason);
                None
            }
            Step::End(ending, note) => {
                if let Some(note) = note {
                    self.note(note);
                }
                Some(ending)
            }
        }
    }

    /// Hand our Close to tungstenite; it is shown once written.
    fn send_close(&mut self, code: u16, reason: String) {
        self.pinger.stop();
        let event = Event::Close { direction: Direction::Sent, code: Some(code), reason: reason.clone(), echo: false };
        let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
        match self.ws.close(Some(frame)) {
            Ok(()) => self.reporter.emit(&event),
            Err(e) if would_block(&e) => {
                self.write_blocked = true;
                self.unwritten_close = Some(event);
            }
            // Not written: the connection is gone, which the next read tells.
            Err(_) => {}
        }
    }

    /// Write out what tungstenite holds (our echo of the server's Close, a pong) and show a
    /// Close that is now written.
    fn write_pending(&mut self, close: Event) {
        match self.ws.flush() {
            Ok(()) => self.reporter.emit(&close),
            Err(e) if would_block(&e) => {
                self.write_blocked = true;
                self.unwritten_close = Some(close);
            }
            Err(_) => {}
        }
    }

    /// Move queued input onto the socket until the queue is empty or the socket is full.
    fn take_inputs(&mut self) -> Option<Ending> {
        self.wake.clear();
        while self.inputs_open && !self.write_blocked && !self.policy.closing() {
            let input = match self.inputs.try_recv() {
                Ok(i) => i,
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => Input::Eof,
            };
            let now = Instant::now();
            let step = match input {
                Input::Send(msg) => {
                    if let Message::Ping(data) = &msg {
                        // A ping typed in the REPL: its round trip is shown when the pong comes.
                        self.pinger.sent(data.to_vec(), now);
                    }
                    if let Some(end) = self.send(msg) {
                        return Some(end);
                    }
                    continue;
                }
                Input::ShowPings(on) => {
                    self.show_pings = on;
                    continue;
                }
                Input::Close(code, reason) => {
                    self.inputs_open = false;
                    self.policy.on_user_close(code, reason, now)
                }
                Input::Eof => {
                    self.inputs_open = false;
                    self.policy.on_input_end(now)
                }
                Input::Fail(why) => {
                    self.inputs_open = false;
                    self.policy.on_failure(Failure::new(Code::Usage, why), now)
                }
            };
            if let Some(end) = self.act(step) {
                return Some(end);
            }
        }
        None
    }

    /// Send one message or ping. `Some` when the session is over (the write failed and what
    /// the server had sent says how it ended).
    fn send(&mut self, msg: Message) -> Option<Ending> {
        // The payload is reference-counted: keeping it for the event copies nothing.
        let shown = match &msg {
            Message::Text(t) => Some((Kind::Text, Bytes::from(t.clone()))),
            Message::Binary(b) => Some((Kind::Binary, b.clone())),
            Message::Ping(b) if self.show_pings => Some((Kind::Ping, b.clone())),
            Message::Pong(b) if self.show_pings => Some((Kind::Pong, b.clone())),
            _ => None,
        };
        match self.ws.write(msg) {
            Ok(()) => {}
            Err(e) if would_block(&e) => self.write_blocked = true, // queued; flushed when writable
            Err(e) => return Some(self.after_write_error(e)),
        }
        if let Some((kind, data)) = shown {
            let sizes = if kind.is_data() { self.ws.last_written() } else { None };
            self.emit_message(Direction::Sent, kind, data, sizes);
        }
        None
    }

    /// Say a message was sent or received; in a permessage-deflate session with how it
    /// crossed the wire (`sizes` of a data message; a control frame is never compressed).
    fn emit_message(&mut self, direction: Direction, kind: Kind, data: Bytes, sizes: Option<WireSize>) {
        let wire = self.ws.deflating().then(|| match sizes {
            Some(s) => Wire { compressed: s.compressed, wire_bytes: s.wire_bytes },
            None => Wire { compressed: false, wire_bytes: data.len() },
        });
        self.reporter.emit(&Event::Message { direction, kind, data, wire });
    }

    /// Write out whatever is buffered. `Some` when the session is over.
    fn flush(&mut self) -> Option<Ending> {
        match self.ws.flush() {
            Ok(()) => {
                self.write_blocked = false;
                if let Some(close) = self.unwritten_close.take() {
                    self.reporter.emit(&close);
                    if self.policy.over_at_close() {
                        return Some(self.policy.planned());
                    }
                }
                None
            }
            Err(e) if would_block(&e) => {
                self.write_blocked = true;
                None
            }
            Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => Some(self.policy.planned()),
            Err(e) => Some(self.after_write_error(e)),
        }
    }

    /// A write failed (reset, broken pipe). A server that refuses what it is sent often
    /// writes its Close (1009 for a message too big) and resets the connection at once, so
    /// the reason may be waiting unread: read it before deciding how the session ended.
    fn after_write_error(&mut self, e: WsError) -> Ending {
        self.unwritten_close = None;
        if let Some(end) = self.read_all() {
            return end;
        }
        let why = match &e {
            WsError::Io(io) => crate::words::os_words(io),
            other => other.to_string(),
        };
        self.policy.on_lost(&format!(" while sending: {why}"))
    }

    fn check_timers(&mut self) -> Option<Ending> {
        let now = Instant::now();
        let step = self.policy.on_timer(now);
        if !matches!(step, Step::Go) {
            return self.act(step);
        }
        if self.policy.closing() {
            return None;
        }
        if self.pinger.overdue(now) {
            let within = crate::cli::show_duration(self.opts.ping_timeout.unwrap_or_default());
            let failure = Failure::new(Code::SessionBroke, format!("no pong within {within}"));
            let step = self.policy.on_failure(failure, now);
            return self.act(step);
        }
        if let Some(payload) = self.pinger.due(now) {
            return self.send(Message::Ping(payload.into()));
        }
        None
    }
}
