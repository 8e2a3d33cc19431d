//! The session after a valid handshake: one single-threaded I/O loop that owns the
//! WebSocket (plain or TLS) and reacts to incoming frames, queued input and timers at once.
//!
//! The socket is non-blocking and registered with mio; input threads wake the loop through
//! a `mio::Waker`. Nothing polls on a timer: an idle session sleeps in `poll` with no timeout.
//! Writes are batched (one flush per burst) and so is stdout.

pub mod input;
pub mod repl;

use std::collections::VecDeque;
use std::io::{self, ErrorKind};
use std::os::fd::AsRawFd;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use regex::Regex;
use tungstenite::error::{CapacityError, ProtocolError};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, WebSocket};
use tungstenite::{Bytes, Error as WsError, Message};

use crate::connect::Stream;
use crate::event::{Direction, Event, Kind, Level};
use crate::exit::{Code, Failure};
use crate::report::Reporter;
use input::{Input, Wake};

/// How long to wait for the server's Close after sending ours.
pub const CLOSE_WAIT: Duration = Duration::from_secs(2);

const SOCKET: Token = Token(0);
pub const WAKER: Token = Token(1);
/// The most frames read in one go before input and timers get a turn.
const BURST: usize = 1024;

/// What ends a session and how it is judged.
#[derive(Debug, Clone)]
pub struct Options {
    pub wait: Duration,
    pub timeout: Option<Duration>,
    pub count: Option<u64>,
    pub expect: Option<Regex>,
    pub ping_interval: Option<Duration>,
    pub show_ping_pong: bool,
    /// Close right away (`--handshake-only`).
    pub close_at_once: bool,
    /// Say when the first message arrived (`-v`).
    pub verbose: bool,
}

impl Options {
    fn has_goal(&self) -> bool {
        self.count.is_some() || self.expect.is_some()
    }
}

/// How the session will end once the close handshake is over.
type Ending = Result<Code, Failure>;

struct Session<'a> {
    ws: WebSocket<Stream>,
    reporter: &'a mut Reporter,
    opts: &'a Options,
    inputs: Receiver<Input>,
    wake: Wake,
    received: u64,
    /// Set once nothing more will be sent: the quiet wait runs from here.
    quiet_until: Option<Instant>,
    deadline: Option<Instant>,
    next_ping: Option<Instant>,
    pings: VecDeque<(Vec<u8>, Instant)>,
    ping_seq: u64,
    /// Set once a Close is under way: give up waiting at the instant, end as planned.
    closing: Option<(Instant, Ending)>,
    /// `--count`/`--expect` is met: messages still arriving before the Close are not shown.
    goal_met: bool,
    write_blocked: bool,
    inputs_open: bool,
    started: Instant,
    more_to_read: bool,
    /// A frame came after the server's Close and was dropped: said once.
    warned_after_close: bool,
    /// Pings and pongs are shown (`-P`; the REPL's `/pings` changes it).
    show_pings: bool,
}

/// Run the session until it ends; the result is the exit code or the failure to report.
pub fn run(
    ws: WebSocket<Stream>,
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
        received: 0,
        quiet_until: None,
        deadline: opts.timeout.map(|t| now + t),
        next_ping: opts.ping_interval.map(|i| now + i),
        pings: VecDeque::new(),
        ping_seq: 0,
        closing: None,
        goal_met: false,
        write_blocked: false,
        inputs_open: true,
        started: now,
        more_to_read: false,
        warned_after_close: false,
        show_pings: opts.show_ping_pong,
    };
    let fd = s.ws.get_ref().tcp().stream.as_raw_fd();
    s.ws.get_ref().tcp().stream.set_nonblocking(true).map_err(internal)?;
    poll.registry().register(&mut SourceFd(&fd), SOCKET, Interest::READABLE | Interest::WRITABLE).map_err(internal)?;
    if opts.close_at_once {
        s.start_close(1000, String::new(), Ok(Code::Ok));
    }
    let result = s.run_loop(poll);
    s.reporter.flush();
    result
}

/// The reason tungstenite puts in place of a Close whose code must not be sent.
const REPLACED_CLOSE: &str = "Protocol violation";

/// Why a received close code is not allowed on the wire; `None` when it is.
fn invalid_close_code(code: u16) -> Option<String> {
    match code {
        _ if crate::close::may_be_sent(code) => None,
        1005 | 1006 | 1015 => {
            Some(format!("its Close carried code {code} ({}), which must never be sent", crate::close::name(code)))
        }
        _ => Some(format!("its Close carried code {code}, which is not a valid close code")),
    }
}

fn internal(e: io::Error) -> Failure {
    Failure::new(Code::Internal, format!("session set-up failed: {e}"))
}

/// A non-blocking socket has nothing to give or take right now.
pub(crate) fn would_block(e: &WsError) -> bool {
    matches!(e, WsError::Io(io) if io.kind() == ErrorKind::WouldBlock)
}

impl Session<'_> {
    fn run_loop(&mut self, mut poll: Poll) -> Ending {
        let mut events = Events::with_capacity(8);
        loop {
            if let Some(end) = self.read_all() {
                return end;
            }
            if !self.write_blocked && self.closing.is_none() {
                self.take_inputs();
            }
            // Timers first: a ping they queue must go out in this turn's flush, not a turn later.
            if let Some(end) = self.check_timers() {
                return end;
            }
            if let Some(end) = self.flush() {
                return end;
            }
            self.reporter.flush();
            if self.reporter.is_broken() && self.closing.is_none() {
                // Nobody reads our output any more: close politely and end quietly.
                self.start_close(1000, String::new(), Ok(Code::Ok));
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
        [self.quiet_until, self.deadline, self.next_ping, self.closing.as_ref().map(|c| c.0)]
            .into_iter()
            .flatten()
            .min()
    }

    /// Read the frames available now, at most [`BURST`] of them so that a flooding server
    /// cannot starve input and timers (`more_to_read` is then set). `Some` when the session is over.
    fn read_all(&mut self) -> Option<Ending> {
        self.more_to_read = false;
        for _ in 0..BURST {
            match self.ws.read() {
                Ok(msg) => {
                    if let Some(end) = self.on_message(msg) {
                        return Some(end);
                    }
                }
                Err(e) if would_block(&e) => return None,
                Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => {
                    return Some(self.closing.take().map_or(Ok(Code::Ok), |c| c.1));
                }
                Err(WsError::Protocol(ProtocolError::ReceivedAfterClosing)) if self.closing.is_some() => {
                    // A frame after the server's Close: dropped (not shown); the ending stands.
                    if !self.warned_after_close {
                        self.warned_after_close = true;
                        self.reporter.emit(&Event::Note {
                            level: Level::Warning,
                            text: "the server sent a frame after its Close (ignored)".into(),
                        });
                    }
                }
                Err(e) => return Some(self.on_read_error(e)),
            }
        }
        // The socket is edge-triggered: what is left must be read without waiting for an event.
        self.more_to_read = true;
        None
    }

    fn on_message(&mut self, msg: Message) -> Option<Ending> {
        match msg {
            Message::Text(t) => return self.on_data(Kind::Text, t.into()),
            Message::Binary(b) => return self.on_data(Kind::Binary, b),
            Message::Ping(p) => {
                if self.show_pings {
                    self.emit_message(Direction::Received, Kind::Ping, p.clone());
                    // tungstenite has queued the answer; it leaves with the next flush.
                    self.emit_message(Direction::Sent, Kind::Pong, p);
                }
            }
            Message::Pong(p) => {
                if self.show_pings {
                    self.emit_message(Direction::Received, Kind::Pong, p.clone());
                }
                if let Some(i) = self.pings.iter().position(|(data, _)| **data == *p) {
                    let sent = self.pings[i].1;
                    self.pings.drain(..=i);
                    self.reporter.emit(&Event::RoundTrip { rtt: sent.elapsed() });
                }
            }
            Message::Close(frame) => {
                let (code, reason) =
                    frame.map_or((None, String::new()), |f| (Some(u16::from(f.code)), f.reason.to_string()));
                if self.closing.is_none() && code == Some(1002) && reason == REPLACED_CLOSE {
                    // tungstenite hands over an invalid code of a server that closes first as
                    // 1002 "Protocol violation", and answers with that: the code itself is lost.
                    let _ = self.ws.flush();
                    self.reporter.emit(&Event::Close { direction: Direction::Sent, code, reason });
                    return Some(Err(Failure::new(
                        Code::SessionBroke,
                        "protocol error from the server: its Close carried an invalid close code",
                    )));
                }
                self.reporter.emit(&Event::Close { direction: Direction::Received, code, reason: reason.clone() });
                if let Some(why) = code.and_then(invalid_close_code) {
                    // An answer to our Close (tungstenite passes its code through unchecked).
                    return Some(Err(Failure::new(
                        Code::SessionBroke,
                        format!("protocol error from the server: {why}"),
                    )));
                }
                if self.closing.is_none() {
                    // The server closed first; tungstenite queues our echo of its Close.
                    let end = self.server_closed(code, &reason);
                    self.closing = Some((Instant::now() + CLOSE_WAIT, end));
                }
            }
            Message::Frame(_) => {}
        }
        None
    }

    fn server_closed(&self, code: Option<u16>, reason: &str) -> Ending {
        let shown = code.map_or("no code".to_string(), |c| format!("{c} ({})", crate::close::name(c)));
        // Not escaped here: the renderer escapes the whole message (escaping twice shows `\\x1b`).
        let why = if reason.is_empty() { String::new() } else { format!(": \"{reason}\"") };
        if self.opts.has_goal() {
            return Err(Failure::new(
                Code::NotMet,
                format!("{} not met: the server closed the connection ({shown}{why})", self.goal()),
            ));
        }
        if !crate::close::is_clean(code) {
            return Err(Failure::new(Code::ServerError, format!("the server closed the session with {shown}{why}")));
        }
        Ok(Code::Ok)
    }

    fn goal(&self) -> String {
        match (&self.opts.expect, self.opts.count) {
            (Some(re), _) => format!("--expect '{}'", re.as_str()),
            (None, Some(n)) => format!("--count {n} ({} received)", self.received),
            _ => String::new(),
        }
    }

    fn on_data(&mut self, kind: Kind, data: Bytes) -> Option<Ending> {
        if self.goal_met {
            return None;
        }
        self.received += 1;
        if self.received == 1 && self.opts.verbose {
            let after = self.started.elapsed().as_secs_f64() * 1000.0;
            self.reporter
                .emit(&Event::Note { level: Level::Info, text: format!("first message {after:.2} ms after the 101") });
        }
        // Matched before the payload moves into its event; after a Close nothing is matched.
        let matched = self.closing.is_none()
            && self.opts.expect.as_ref().is_some_and(|re| re.is_match(&String::from_utf8_lossy(&data)));
        self.emit_message(Direction::Received, kind, data);
        if let Some(q) = &mut self.quiet_until {
            *q = Instant::now() + self.opts.wait;
        }
        if self.closing.is_some() {
            return None;
        }
        let counted = self.opts.count.is_some_and(|n| self.received >= n);
        if matched || counted {
            self.goal_met = true;
            self.start_close(1000, String::new(), Ok(Code::Ok));
        }
        None
    }

    fn on_read_error(&mut self, e: WsError) -> Ending {
        let (close, message) = match e {
            WsError::Utf8(_) => {
                (Some(CloseCode::Invalid), "the server sent a text message that is not valid UTF-8".to_string())
            }
            WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => (
                Some(CloseCode::Size),
                format!("the server sent a message of {size} bytes or more, over --max-size {max_size}"),
            ),
            WsError::Capacity(c) => (Some(CloseCode::Size), format!("the server sent too much: {c}")),
            WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
                if let Some((_, end)) = self.closing.take() {
                    return end; // we asked to close; a server that then just hangs up is fine
                }
                self.reporter.emit(&Event::Close {
                    direction: Direction::Received,
                    code: Some(1006),
                    reason: String::new(),
                });
                (None, "the connection was lost without a Close (1006)".to_string())
            }
            WsError::Protocol(p) => (Some(CloseCode::Protocol), format!("protocol error from the server: {p}")),
            WsError::Io(io) => {
                if let Some((_, end)) = self.closing.take() {
                    return end;
                }
                (None, format!("the connection was lost without a Close (1006): {}", crate::connect::os_words(&io)))
            }
            other => (Some(CloseCode::Protocol), format!("the session broke: {other}")),
        };
        if let Some(code) = close {
            // Best effort: tell the server why, without waiting for its answer.
            let frame = CloseFrame { code, reason: "".into() };
            let sent = match self.ws.close(Some(frame)) {
                Ok(()) => true,
                Err(e) => would_block(&e),
            };
            if sent {
                let _ = self.ws.flush();
                self.reporter.emit(&Event::Close {
                    direction: Direction::Sent,
                    code: Some(code.into()),
                    reason: String::new(),
                });
            }
        }
        Err(Failure::new(Code::SessionBroke, message))
    }

    /// Move queued input onto the socket until the queue is empty or the socket is full.
    fn take_inputs(&mut self) {
        self.wake.clear();
        while self.inputs_open && !self.write_blocked && self.closing.is_none() {
            let input = match self.inputs.try_recv() {
                Ok(i) => i,
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => Input::Eof,
            };
            match input {
                Input::Send(msg) => {
                    if let Message::Ping(data) = &msg {
                        // A ping typed in the REPL: its round trip is shown when the pong comes.
                        self.pings.push_back((data.to_vec(), Instant::now()));
                    }
                    self.send(msg)
                }
                Input::ShowPings(on) => self.show_pings = on,
                Input::Close(code, reason) => {
                    self.inputs_open = false;
                    self.start_close(code, reason, Ok(Code::Ok));
                }
                Input::Eof => {
                    self.inputs_open = false;
                    if self.opts.wait.is_zero() {
                        let end = self.quiet_end();
                        self.start_close(1000, String::new(), end);
                    } else {
                        self.quiet_until = Some(Instant::now() + self.opts.wait);
                    }
                }
                Input::Fail(why) => {
                    self.inputs_open = false;
                    self.start_close(1000, String::new(), Err(Failure::new(Code::Usage, why)));
                }
            }
        }
    }

    fn send(&mut self, msg: Message) {
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
            Err(_) => return,
        }
        if let Some((kind, data)) = shown {
            self.emit_message(Direction::Sent, kind, data);
        }
    }

    fn emit_message(&mut self, direction: Direction, kind: Kind, data: Bytes) {
        self.reporter.emit(&Event::Message { direction, kind, data });
    }

    /// How the session ends when the quiet wait or the timeout runs out.
    fn quiet_end(&self) -> Ending {
        if self.opts.has_goal() {
            Err(Failure::new(
                Code::Timeout,
                format!("{} not met before --wait {:?} of quiet ran out", self.goal(), self.opts.wait),
            ))
        } else {
            Ok(Code::Ok)
        }
    }

    fn start_close(&mut self, code: u16, reason: String, end: Ending) {
        if self.closing.is_some() {
            return;
        }
        self.quiet_until = None;
        self.next_ping = None;
        let frame = CloseFrame { code: CloseCode::from(code), reason: reason.clone().into() };
        match self.ws.close(Some(frame)) {
            Ok(()) => {}
            Err(e) if would_block(&e) => self.write_blocked = true,
            Err(_) => {}
        }
        self.reporter.emit(&Event::Close { direction: Direction::Sent, code: Some(code), reason });
        self.closing = Some((Instant::now() + CLOSE_WAIT, end));
    }

    /// Write out whatever is buffered. `Some` when the session is over.
    fn flush(&mut self) -> Option<Ending> {
        match self.ws.flush() {
            Ok(()) => self.write_blocked = false,
            Err(e) if would_block(&e) => self.write_blocked = true,
            Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => {
                return Some(self.closing.take().map_or(Ok(Code::Ok), |c| c.1));
            }
            Err(e) => {
                if let Some((_, end)) = self.closing.take() {
                    return Some(end);
                }
                return Some(Err(Failure::new(
                    Code::SessionBroke,
                    format!("the connection was lost while sending: {e}"),
                )));
            }
        }
        None
    }

    fn check_timers(&mut self) -> Option<Ending> {
        let now = Instant::now();
        if let Some((give_up, _)) = &self.closing {
            if now >= *give_up {
                let (_, end) = self.closing.take()?;
                self.reporter.emit(&Event::Note {
                    level: Level::Warning,
                    text: format!("the server did not complete the close handshake within {} s", CLOSE_WAIT.as_secs()),
                });
                return Some(end);
            }
            return None;
        }
        if self.deadline.is_some_and(|d| now >= d) {
            let end = if self.opts.has_goal() {
                Err(Failure::new(Code::Timeout, format!("{} not met before --timeout ran out", self.goal())))
            } else {
                Ok(Code::Ok)
            };
            self.start_close(1000, String::new(), end);
        } else if self.quiet_until.is_some_and(|q| now >= q) {
            let end = self.quiet_end();
            self.start_close(1000, String::new(), end);
        } else if let (Some(at), Some(every)) = (self.next_ping, self.opts.ping_interval)
            && now >= at
        {
            self.ping_seq += 1;
            let payload = format!("wscheck-{}", self.ping_seq).into_bytes();
            self.pings.push_back((payload.clone(), now));
            if self.pings.len() > 64 {
                self.pings.pop_front();
            }
            self.send(Message::Ping(payload.into()));
            self.next_ping = Some(now + every);
        }
        None
    }
}
