//! A WebSocket endpoint that speaks permessage-deflate, over tungstenite's `FrameSocket`
//! (which reads frames with their RSV bits and resumes after `WouldBlock`).
//!
//! It mirrors the part of `tungstenite::WebSocket` the session uses — `read`, `write`, `flush`,
//! `close`, `get_ref`, `get_mut` — with the same states and errors, so the session can run over
//! either: pongs and the echo of a Close are queued and leave with the next flush; a client
//! gets `ConnectionClosed` once the server has closed the TCP connection after the close
//! handshake; `ResetWithoutClosingHandshake`, `ReceivedAfterClosing`, `AlreadyClosed` as there.
//! What differs is deflate's own: RSV1 is accepted on the first frame of a data message when
//! deflate was agreed (never on control or continuation frames, never without an agreement);
//! the size limit applies to the inflated message, checked while inflating
//! (`Capacity(MessageTooLong)`); text is checked for UTF-8 after inflating (`Utf8`); data that
//! does not inflate is `Error::AttackAttempt`, with the reason in [`DeflateSocket::inflate_error`].
//!
//! Every data message we send is compressed when deflate was agreed (no threshold, as Chrome
//! does): wscheck exists to exercise the server's side of the agreement.

use std::io::{self, Read, Write};

use tungstenite::error::ProtocolError;
use tungstenite::protocol::frame::coding::{Control, Data, OpCode};
use tungstenite::protocol::frame::{Frame, FrameSocket};
use tungstenite::protocol::{CloseFrame, Role};
use tungstenite::{Bytes, Error, Message};

use super::codec::{Compressor, Inflater};
use super::params::Params;

mod receive;

/// Buffered writes go out once this much is waiting (tungstenite's default).
const WRITE_BUFFER: usize = 128 << 10;

/// How one data message crossed the wire, for `-v` and JSON `message` (`compressed`, `wire_bytes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireSize {
    /// Sent or received with RSV1: its payload is DEFLATE.
    pub compressed: bool,
    /// The payload bytes of its frames on the wire (frame headers not counted).
    pub wire_bytes: usize,
    /// The message's own size: inflated when it was compressed.
    pub bytes: usize,
}

/// The connection's state in the close handshake, as tungstenite keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Active,
    ClosedByUs,
    ClosedByPeer,
    CloseAcknowledged,
    Terminated,
}

impl State {
    fn can_read(self) -> bool {
        matches!(self, State::Active | State::ClosedByUs)
    }
}

/// A data message being received, fragment by fragment.
struct Incoming {
    text: bool,
    compressed: bool,
    data: Vec<u8>,
    /// How much of `data` is known to be valid UTF-8 (text only).
    checked: usize,
    wire: usize,
}

/// The two directions of the agreed compression. The compressor (a few hundred kB of zlib
/// state) is made when the first data message is sent, not before.
struct Deflate {
    compressor: Option<Compressor>,
    /// Our window bits and no-context-takeover, for the compressor.
    ours: (u8, bool),
    inflater: Inflater,
}

/// A WebSocket client (or server) endpoint with permessage-deflate; see the module docs.
pub struct DeflateSocket<S> {
    frames: FrameSocket<S>,
    role: Role,
    max_message: Option<usize>,
    deflate: Option<Deflate>,
    state: State,
    incoming: Option<Incoming>,
    /// A pong or the echo of a Close, sent with the next write or flush.
    additional: Option<Frame>,
    unflushed_additional: bool,
    out: Vec<u8>,
    last_read: Option<WireSize>,
    last_written: Option<WireSize>,
    /// The data message a read error broke off, as far as it got.
    last_failed: Option<WireSize>,
    inflate_error: Option<String>,
    /// The code the peer's Close carried, as it came (an invalid one is replaced on the way in).
    peer_close_code: Option<u16>,
}

impl<S> DeflateSocket<S> {
    /// Over `stream` right after the handshake: `rest` holds the bytes read past the 101;
    /// `max_message` caps a received message (its inflated size when compressed); `params`
    /// is what was agreed, `None` for no deflate (RSV1 is then a protocol error, as in tungstenite).
    pub fn new(stream: S, rest: Vec<u8>, role: Role, max_message: Option<usize>, params: Option<Params>) -> Self {
        let deflate = params.map(|p| {
            let (ours, theirs) = match role {
                Role::Client => (
                    (p.client_max_window_bits, p.client_no_context_takeover),
                    (p.server_max_window_bits, p.server_no_context_takeover),
                ),
                Role::Server => (
                    (p.server_max_window_bits, p.server_no_context_takeover),
                    (p.client_max_window_bits, p.client_no_context_takeover),
                ),
            };
            Deflate { compressor: None, ours, inflater: Inflater::new(theirs.0, theirs.1) }
        });
        DeflateSocket {
            frames: FrameSocket::from_partially_read(stream, rest),
            role,
            max_message,
            deflate,
            state: State::Active,
            incoming: None,
            additional: None,
            unflushed_additional: false,
            out: Vec::new(),
            last_read: None,
            last_written: None,
            last_failed: None,
            inflate_error: None,
            peer_close_code: None,
        }
    }

    pub fn get_ref(&self) -> &S {
        self.frames.get_ref()
    }

    pub fn get_mut(&mut self) -> &mut S {
        self.frames.get_mut()
    }

    /// Whether messages can still arrive (not after the peer's Close).
    pub fn can_read(&self) -> bool {
        self.state.can_read()
    }

    /// Whether messages can still be sent (not once a Close was sent or received).
    pub fn can_write(&self) -> bool {
        self.state == State::Active
    }

    /// Whether permessage-deflate is in use.
    pub fn deflating(&self) -> bool {
        self.deflate.is_some()
    }

    /// The wire and message sizes of the data message `read` returned last.
    pub fn last_read(&self) -> Option<WireSize> {
        self.last_read
    }

    /// The wire and message sizes of the data message `write` took last.
    pub fn last_written(&self) -> Option<WireSize> {
        self.last_written
    }

    /// The sizes of the data message that the last read error broke off, as far as it got
    /// (`bytes`: inflated so far): a compressed message over the limit is told apart this way.
    pub fn last_failed(&self) -> Option<WireSize> {
        self.last_failed
    }

    /// Why the last `Error::AttackAttempt` was returned: the peer's data did not inflate.
    pub fn inflate_error(&self) -> Option<&str> {
        self.inflate_error.as_deref()
    }

    /// The code of the peer's Close as it came, before an invalid one was replaced by 1002
    /// "Protocol violation" (as tungstenite does, which keeps no trace of it).
    pub fn peer_close_code(&self) -> Option<u16> {
        self.peer_close_code
    }

    /// The largest frame payload read: a compressed message may be a little larger than it
    /// inflates to (stored blocks), so deflate gets some slack over the message limit.
    fn frame_limit(&self) -> Option<usize> {
        match (self.max_message, &self.deflate) {
            (Some(max), Some(_)) => Some(max.saturating_add(max >> 10).saturating_add(1024)),
            (max, _) => max,
        }
    }
}

impl<S: Read + Write> DeflateSocket<S> {
    /// Read a message, answering pings and Close on the way (the answer leaves with the next
    /// `read`, `write` or `flush`).
    pub fn read(&mut self) -> Result<Message, Error> {
        if self.state == State::Terminated {
            return Err(Error::AlreadyClosed);
        }
        loop {
            if self.additional.is_some() || self.unflushed_additional {
                match self.flush() {
                    Ok(()) => {}
                    Err(Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => self.unflushed_additional = true,
                    Err(e) => return Err(e),
                }
            } else if self.role == Role::Server && !self.state.can_read() {
                self.state = State::Terminated;
                return Err(Error::ConnectionClosed);
            }
            if let Some(message) = self.read_frame()? {
                return Ok(message);
            }
        }
    }

    /// Queue a message; it may go out now (a full buffer is written), surely with `flush`.
    pub fn write(&mut self, message: Message) -> Result<(), Error> {
        if self.state == State::Terminated {
            return Err(Error::AlreadyClosed);
        }
        if self.state != State::Active {
            return Err(Error::Protocol(ProtocolError::SendAfterClosing));
        }
        let frame = match message {
            Message::Text(text) => self.data_frame(Data::Text, Bytes::from(text))?,
            Message::Binary(data) => self.data_frame(Data::Binary, data)?,
            Message::Ping(data) => Frame::ping(data),
            Message::Pong(data) => {
                self.set_additional(Frame::pong(data));
                return self.buffer(None).map(drop);
            }
            Message::Close(frame) => return self.close(frame),
            Message::Frame(frame) => frame,
        };
        if self.buffer(Some(frame))? {
            self.flush()?;
        }
        Ok(())
    }

    /// Write out everything queued, pongs and Close answers included.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.buffer(None)?;
        self.write_out()?;
        self.frames.get_mut().flush()?;
        self.unflushed_additional = false;
        Ok(())
    }

    /// Start the close handshake (once) and flush; keep reading to see it complete.
    pub fn close(&mut self, frame: Option<CloseFrame>) -> Result<(), Error> {
        if self.state == State::Active {
            self.state = State::ClosedByUs;
            self.buffer(Some(Frame::close(frame)))?;
        }
        self.flush()
    }

    fn data_frame(&mut self, data: Data, payload: Bytes) -> Result<Frame, Error> {
        let bytes = payload.len();
        let Some(deflate) = &mut self.deflate else {
            self.last_written = Some(WireSize { compressed: false, wire_bytes: bytes, bytes });
            return Ok(Frame::message(payload, OpCode::Data(data), true));
        };
        let (bits, no_context_takeover) = deflate.ours;
        let compressor = deflate.compressor.get_or_insert_with(|| Compressor::new(bits, no_context_takeover));
        let compressed = compressor.compress(&payload)?;
        self.last_written = Some(WireSize { compressed: true, wire_bytes: compressed.len(), bytes });
        let mut frame = Frame::message(compressed, OpCode::Data(data), true);
        frame.header_mut().rsv1 = true;
        Ok(frame)
    }

    /// tungstenite's `_write`: queue `frame`, then any pong or Close answer. `true` when an
    /// answer was queued (or an earlier one is unflushed) and should be flushed now.
    fn buffer(&mut self, frame: Option<Frame>) -> Result<bool, Error> {
        if let Some(frame) = frame {
            self.buffer_frame(frame)?;
        }
        let should_flush = match self.additional.take() {
            Some(answer) => {
                self.buffer_frame(answer)?;
                true
            }
            None => self.unflushed_additional,
        };
        if self.role == Role::Server && !self.state.can_read() {
            // The server closes the TCP connection first (RFC 6455 §7.1.1).
            self.write_out()?;
            self.state = State::Terminated;
            return Err(Error::ConnectionClosed);
        }
        Ok(should_flush)
    }

    fn buffer_frame(&mut self, mut frame: Frame) -> Result<(), Error> {
        if self.role == Role::Client {
            // A client masks every frame (RFC 6455 §5.3).
            frame.header_mut().mask = Some(rand::random());
        }
        frame.format(&mut self.out)?;
        if self.out.len() > WRITE_BUFFER {
            let state = self.state;
            self.write_out().map_err(|e| closed_if_reset(e, state))?;
        }
        Ok(())
    }

    fn write_out(&mut self) -> Result<(), Error> {
        let mut written = 0;
        let result = loop {
            if written == self.out.len() {
                break Ok(());
            }
            match self.frames.get_mut().write(&self.out[written..]) {
                Ok(0) => {
                    break Err(io::Error::new(io::ErrorKind::ConnectionReset, "Connection reset while sending").into());
                }
                Ok(n) => written += n,
                Err(e) => break Err(e.into()),
            }
        };
        self.out.drain(..written);
        result
    }

    fn set_additional(&mut self, frame: Frame) {
        let replaceable = self.additional.as_ref().is_none_or(|f| f.header().opcode == OpCode::Control(Control::Pong));
        if replaceable {
            self.additional = Some(frame);
        }
    }
}

/// A connection reset once the close handshake is under way is the end, not a failure.
fn closed_if_reset(e: Error, state: State) -> Error {
    match e {
        Error::Io(io) if !state.can_read() && io.kind() == io::ErrorKind::ConnectionReset => Error::ConnectionClosed,
        e => e,
    }
}
