//! The receiving half of `DeflateSocket`: frames in, checked as tungstenite checks them, data
//! messages reassembled and inflated, control frames answered.

use std::io::{Read, Write};
use std::mem::replace;

use tungstenite::error::{CapacityError, ProtocolError};
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::Role;
use tungstenite::protocol::frame::coding::{CloseCode, Control, Data, OpCode};
use tungstenite::protocol::frame::{Frame, FrameHeader, Utf8Bytes};
use tungstenite::{Bytes, Error, Message};

use super::{DeflateSocket, Incoming, State, WireSize, closed_if_reset};
use crate::deflate::codec::InflateError;

impl<S: Read + Write> DeflateSocket<S> {
    /// Read one frame; `Some` when it completes a message.
    pub(super) fn read_frame(&mut self) -> Result<Option<Message>, Error> {
        let limit = self.frame_limit();
        let state = self.state;
        let max = self.max_message;
        let frame = match self.frames.read(limit).map_err(|e| over_message_limit(closed_if_reset(e, state), max))? {
            Some(frame) => frame,
            None => {
                return match replace(&mut self.state, State::Terminated) {
                    State::ClosedByPeer | State::CloseAcknowledged => Err(Error::ConnectionClosed),
                    _ => Err(Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)),
                };
            }
        };
        let (header, payload) = self.unmask(frame)?;
        if !self.state.can_read() {
            return Err(Error::Protocol(ProtocolError::ReceivedAfterClosing));
        }
        let first_data = matches!(header.opcode, OpCode::Data(Data::Text | Data::Binary));
        if header.rsv2 || header.rsv3 || (header.rsv1 && !(first_data && self.deflate.is_some())) {
            return Err(Error::Protocol(ProtocolError::NonZeroReservedBits));
        }
        if self.role == Role::Client && header.mask.is_some() {
            return Err(Error::Protocol(ProtocolError::MaskedFrameFromServer));
        }
        match header.opcode {
            OpCode::Control(control) => self.on_control(control, header.is_final, payload),
            OpCode::Data(data) => self.on_data(data, header.is_final, header.rsv1, payload),
        }
    }

    /// A server unmasks what the client sent, and refuses what it did not mask.
    fn unmask(&self, frame: Frame) -> Result<(FrameHeader, Bytes), Error> {
        let header = frame.header().clone();
        let payload = frame.into_payload();
        if self.role == Role::Client {
            return Ok((header, payload));
        }
        let Some(mask) = header.mask else {
            return Err(Error::Protocol(ProtocolError::UnmaskedFrameFromClient));
        };
        let mut data = Vec::from(payload);
        for (i, b) in data.iter_mut().enumerate() {
            *b ^= mask[i & 3];
        }
        Ok((FrameHeader { mask: None, ..header }, data.into()))
    }

    fn on_control(&mut self, control: Control, fin: bool, payload: Bytes) -> Result<Option<Message>, Error> {
        if !fin {
            return Err(Error::Protocol(ProtocolError::FragmentedControlFrame));
        }
        if payload.len() > 125 {
            return Err(Error::Protocol(ProtocolError::ControlFrameTooBig));
        }
        match control {
            Control::Close => Ok(self.on_close(close_frame(payload)?).map(Message::Close)),
            Control::Reserved(i) => Err(Error::Protocol(ProtocolError::UnknownControlFrameType(i))),
            Control::Ping => {
                if self.state == State::Active {
                    self.set_additional(Frame::pong(payload.clone()));
                }
                Ok(Some(Message::Ping(payload)))
            }
            Control::Pong => Ok(Some(Message::Pong(payload))),
        }
    }

    /// tungstenite's `do_close`: answer the peer's Close (a code that must not be sent becomes
    /// 1002 "Protocol violation"), or take it as the answer to ours.
    fn on_close(&mut self, close: Option<CloseFrame>) -> Option<Option<CloseFrame>> {
        match self.state {
            State::Active => {
                self.state = State::ClosedByPeer;
                self.peer_close_code = close.as_ref().map(|f| u16::from(f.code));
                let close = close.map(|f| {
                    if f.code.is_allowed() {
                        f
                    } else {
                        CloseFrame { code: CloseCode::Protocol, reason: Utf8Bytes::from_static("Protocol violation") }
                    }
                });
                self.set_additional(Frame::close(close.clone()));
                Some(close)
            }
            State::ClosedByPeer | State::CloseAcknowledged | State::Terminated => None,
            State::ClosedByUs => {
                self.state = State::CloseAcknowledged;
                Some(close)
            }
        }
    }

    fn on_data(&mut self, data: Data, fin: bool, rsv1: bool, payload: Bytes) -> Result<Option<Message>, Error> {
        match (data, self.incoming.is_some()) {
            (Data::Continue, false) => return Err(Error::Protocol(ProtocolError::UnexpectedContinueFrame)),
            (Data::Continue, true) => {}
            (_, true) => return Err(Error::Protocol(ProtocolError::ExpectedFragment(data))),
            (Data::Reserved(i), false) => return Err(Error::Protocol(ProtocolError::UnknownDataFrameType(i))),
            (Data::Text | Data::Binary, false) => {
                let text = data == Data::Text;
                if fin && !rsv1 {
                    // The plain single-frame message, as tungstenite does it: no copy.
                    check_size(payload.len(), 0, self.max_message)?;
                    let size = payload.len();
                    self.last_read = Some(WireSize { compressed: false, wire_bytes: size, bytes: size });
                    return Ok(Some(if text { Message::Text(utf8(payload)?) } else { Message::Binary(payload) }));
                }
                let incoming = Incoming { text, compressed: rsv1, data: Vec::new(), checked: 0, wire: 0 };
                self.incoming = Some(incoming);
            }
        }
        let result = self.extend(&payload, fin);
        if result.is_err() || fin {
            // Done with this message, well or badly: its memory goes now.
            let incoming = self.incoming.take();
            return match (result, incoming) {
                (Ok(()), Some(m)) => {
                    self.last_read =
                        Some(WireSize { compressed: m.compressed, wire_bytes: m.wire, bytes: m.data.len() });
                    Ok(Some(if m.text { Message::Text(utf8(m.data.into())?) } else { Message::Binary(m.data.into()) }))
                }
                (Err(e), m) => {
                    self.last_failed =
                        m.map(|m| WireSize { compressed: m.compressed, wire_bytes: m.wire, bytes: m.data.len() });
                    Err(e)
                }
                (Ok(()), None) => Ok(None),
            };
        }
        Ok(None)
    }

    /// Add a fragment to the message being received: inflated when it is compressed, its size
    /// checked against the limit, its text checked for UTF-8 as far as it is complete.
    fn extend(&mut self, payload: &[u8], fin: bool) -> Result<(), Error> {
        let limit = self.frame_limit();
        let max = self.max_message;
        let (Some(m), deflate) = (&mut self.incoming, &mut self.deflate) else {
            return Ok(());
        };
        m.wire = m.wire.saturating_add(payload.len());
        match deflate {
            Some(d) if m.compressed => {
                // The compressed bytes are bounded too: a message of empty blocks inflates to nothing.
                if let (Some(max), Some(limit)) = (max, limit)
                    && m.wire > limit
                {
                    return Err(Error::Capacity(CapacityError::MessageTooLong { size: m.wire, max_size: max }));
                }
                let cap = max.unwrap_or(usize::MAX);
                let mut result = d.inflater.push(payload, &mut m.data, cap);
                if result.is_ok() && fin {
                    result = d.inflater.finish(&mut m.data, cap);
                }
                if let Err(e) = result {
                    return Err(match e {
                        InflateError::TooBig { size, max } => {
                            Error::Capacity(CapacityError::MessageTooLong { size, max_size: max })
                        }
                        InflateError::Invalid(why) => {
                            self.inflate_error = Some(format!("invalid compressed data: {why}"));
                            Error::AttackAttempt
                        }
                    });
                }
            }
            _ => {
                check_size(payload.len(), m.data.len(), max)?;
                m.data.extend_from_slice(payload);
            }
        }
        if m.text && !fin {
            // Fail on a bad sequence as soon as it arrives; an incomplete one may continue.
            match std::str::from_utf8(&m.data[m.checked..]) {
                Ok(_) => m.checked = m.data.len(),
                Err(e) if e.error_len().is_some() => return Err(Error::Utf8(e.to_string())),
                Err(e) => m.checked += e.valid_up_to(),
            }
        }
        Ok(())
    }
}

/// A frame refused at its header is over the frame limit, which has some slack over the
/// message limit when deflate is on: the limit to name is the message's.
fn over_message_limit(e: Error, max: Option<usize>) -> Error {
    match (e, max) {
        (Error::Capacity(CapacityError::MessageTooLong { size, .. }), Some(max_size)) => {
            Error::Capacity(CapacityError::MessageTooLong { size, max_size })
        }
        (e, _) => e,
    }
}

/// tungstenite's limit check: `size` more bytes on top of `have`, over `max`?
fn check_size(size: usize, have: usize, max: Option<usize>) -> Result<(), Error> {
    match max {
        Some(max) if have > max || size > max - have => {
            Err(Error::Capacity(CapacityError::MessageTooLong { size: have.saturating_add(size), max_size: max }))
        }
        _ => Ok(()),
    }
}

fn utf8(data: Bytes) -> Result<Utf8Bytes, Error> {
    Utf8Bytes::try_from(data).map_err(|e| Error::Utf8(e.to_string()))
}

/// A Close frame's payload: nothing, or a code and a UTF-8 reason.
fn close_frame(payload: Bytes) -> Result<Option<CloseFrame>, Error> {
    match payload.len() {
        0 => Ok(None),
        1 => Err(Error::Protocol(ProtocolError::InvalidCloseSequence)),
        _ => {
            let code = CloseCode::from(u16::from_be_bytes([payload[0], payload[1]]));
            Ok(Some(CloseFrame { code, reason: utf8(payload.slice(2..))? }))
        }
    }
}
