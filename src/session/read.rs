//! The reading half of the session loop: frames from the server, and what each read error
//! means — a break before any Close, noise after the server's, a Close we cannot answer
//! after ours — with the wording of each.

use std::time::Instant;

use tungstenite::error::{CapacityError, ProtocolError};
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Bytes, Error as WsError, Message};

use super::{BURST, Ending, Framing, Session, would_block};
use crate::deflate::WireSize;
use crate::event::{Direction, Event, Kind, Level};
use crate::exit::{Code, Failure};

/// The reason tungstenite puts in place of a Close whose code must not be sent.
const REPLACED_CLOSE: &str = "Protocol violation";

/// A message over `--max-size`; a compressed one says how small it was on the wire, or that
/// its compressed bytes alone went over (a message of empty DEFLATE blocks).
fn too_long(size: usize, max: usize, failed: Option<WireSize>) -> String {
    match failed {
        Some(m) if m.compressed && m.bytes > max => format!(
            "the server sent a message of {size} bytes or more, inflated from {} compressed bytes, over --max-size {max}",
            m.wire_bytes
        ),
        Some(m) if m.compressed => format!(
            "the server sent a compressed message of {size} bytes or more on the wire (inflating to only {} bytes), \
             over --max-size {max}",
            m.bytes
        ),
        _ => format!("the server sent a message of {size} bytes or more, over --max-size {max}"),
    }
}

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

impl<F: Framing> Session<'_, F> {
    /// Read the frames available now, at most [`BURST`] of them so that a flooding server
    /// cannot starve input and timers (`more_to_read` is then set). `Some` when the session is over.
    pub(super) fn read_all(&mut self) -> Option<Ending> {
        self.more_to_read = false;
        for _ in 0..BURST {
            match self.ws.read() {
                Ok(msg) => {
                    if let Some(end) = self.on_message(msg) {
                        return Some(end);
                    }
                }
                Err(e) if would_block(&e) => return None,
                Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => return Some(self.policy.planned()),
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
                    self.emit_message(Direction::Received, Kind::Ping, p.clone(), None);
                    // tungstenite has queued the answer; it leaves with the next flush.
                    self.emit_message(Direction::Sent, Kind::Pong, p, None);
                }
            }
            Message::Pong(p) => {
                if self.show_pings {
                    self.emit_message(Direction::Received, Kind::Pong, p.clone(), None);
                }
                if let Some(rtt) = self.pinger.on_pong(&p, Instant::now()) {
                    self.reporter.emit(&Event::RoundTrip { rtt });
                }
            }
            Message::Close(frame) => return self.on_close(frame),
            Message::Frame(_) => {}
        }
        None
    }

    fn on_close(&mut self, frame: Option<CloseFrame>) -> Option<Ending> {
        // The reason is network text: `escape::net` keeps it exact for the renderers.
        let (code, reason) =
            frame.map_or((None, String::new()), |f| (Some(u16::from(f.code)), crate::escape::net(f.reason.as_bytes())));
        let first = !self.policy.closing();
        let replaced = match self.ws.peer_close_code() {
            Some(original) => (original != 1002).then_some(Some(original)),
            // tungstenite: the original code is lost; 1002 "Protocol violation" is most likely
            // its stand-in (a server that sends exactly that looks the same).
            None => Some(None),
        };
        if let (true, Some(1002), true, Some(original)) = (first, code, reason == REPLACED_CLOSE, replaced) {
            // The framing hands over an invalid code of a server that closes first as 1002
            // "Protocol violation", and answers with that.
            self.write_pending(Event::Close { direction: Direction::Sent, code, reason, echo: false });
            let why = match original.and_then(invalid_close_code) {
                Some(why) => why,
                None => "its Close carried an invalid close code (or exactly 1002 \"Protocol violation\", which is \
                         what tungstenite puts in an invalid one's place)"
                    .to_string(),
            };
            return Some(Err(Failure::new(Code::SessionBroke, format!("protocol error from the server: {why}"))));
        }
        self.reporter.emit(&Event::Close { direction: Direction::Received, code, reason: reason.clone(), echo: false });
        if let Some(why) = code.and_then(invalid_close_code) {
            // An answer to our Close (tungstenite passes its code through unchecked).
            return Some(Err(Failure::new(Code::SessionBroke, format!("protocol error from the server: {why}"))));
        }
        self.pinger.stop();
        self.policy.on_server_close(code, &reason, Instant::now());
        if first {
            // tungstenite has queued the echo of the server's Close: write it now and show it.
            self.write_pending(Event::Close { direction: Direction::Sent, code, reason, echo: true });
        }
        // Over HTTP/2 the close handshake is the end (once our Close is out, see `flush`).
        if self.policy.over_at_close() && self.unwritten_close.is_none() {
            return Some(self.policy.planned());
        }
        None
    }

    fn on_data(&mut self, kind: Kind, data: Bytes) -> Option<Ending> {
        if !self.policy.shows_messages() {
            return None;
        }
        if self.policy.received() == 0 && self.opts.verbose {
            let switch = if self.opts.rules.http2 { "200" } else { "101" };
            let after = self.started.elapsed().as_secs_f64() * 1000.0;
            self.reporter.emit(&Event::Note {
                level: Level::Info,
                text: format!("first message {after:.2} ms after the {switch}"),
            });
        }
        // Matched before the payload moves into its event; after a Close nothing is matched.
        let matched = !self.policy.closing()
            && self.opts.expect.as_ref().is_some_and(|re| re.is_match(&String::from_utf8_lossy(&data)));
        let sizes = self.ws.last_read();
        self.emit_message(Direction::Received, kind, data, sizes);
        let step = self.policy.on_message(matched, Instant::now());
        self.act(step)
    }

    fn on_read_error(&mut self, e: WsError) -> Ending {
        let (close, message) = match e {
            WsError::Utf8(_) => {
                (Some(CloseCode::Invalid), "the server sent a text message that is not valid UTF-8".to_string())
            }
            WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => {
                (Some(CloseCode::Size), too_long(size, max_size, self.ws.last_failed()))
            }
            WsError::Capacity(c) => (Some(CloseCode::Size), format!("the server sent too much: {c}")),
            WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
                if !self.policy.closing() {
                    let event = Event::Close {
                        direction: Direction::Received,
                        code: Some(1006),
                        reason: String::new(),
                        echo: false,
                    };
                    self.reporter.emit(&event);
                }
                return self.policy.on_lost("");
            }
            WsError::Io(io) => return self.policy.on_lost(&format!(": {}", crate::words::os_words(&io))),
            // Data that says it is DEFLATE (RSV1) and is not: not what the message claims to
            // be, the case of 1007 (RFC 6455 §7.4.1), as node ws answers it.
            WsError::AttackAttempt => {
                let why = self.ws.inflate_error().unwrap_or("invalid compressed data");
                (Some(CloseCode::Invalid), format!("the server sent a compressed message that does not inflate: {why}"))
            }
            WsError::Protocol(p) => (Some(CloseCode::Protocol), format!("protocol error from the server: {p}")),
            other => (Some(CloseCode::Protocol), format!("the session broke: {other}")),
        };
        let outcome = self.policy.on_protocol_error(Failure::new(Code::SessionBroke, message));
        if let Some(note) = outcome.note {
            if self.warned_noise {
                return outcome.ending;
            }
            self.warned_noise = true;
            self.note(note);
        }
        if let (true, Some(code)) = (outcome.send_close, close) {
            // Best effort: tell the server why, without waiting for its answer; shown only if written.
            let frame = CloseFrame { code, reason: "".into() };
            let event = Event::Close {
                direction: Direction::Sent,
                code: Some(code.into()),
                reason: String::new(),
                echo: false,
            };
            if self.ws.close(Some(frame)).is_ok() {
                self.reporter.emit(&event);
            }
        }
        outcome.ending
    }
}
