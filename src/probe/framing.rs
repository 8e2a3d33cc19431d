//! The framing variants (SPEC §12): after a valid 101, exact frame bytes written on the hop's
//! stream (masked or not, reserved bits and opcodes as the variant needs), and the server's
//! answer read with tungstenite's `FrameSocket` until it is decisive or the connection's
//! deadline passes. A frame that must fail the connection is followed by a valid ping (the
//! sentinel): an echo shows at once that the server went on as if nothing happened; a pong
//! may come from a layer below the one that checks the frame (python websockets answers pings
//! before it decodes text), so after the pong the server has [`GRACE`] to close.

use std::io::{ErrorKind, Write};
use std::time::{Duration, Instant};

use tungstenite::protocol::frame::coding::{Control as OpCtl, Data as OpData, OpCode};
use tungstenite::protocol::frame::{Frame as WsFrame, FrameSocket};

use super::judge::Judged;
use super::variant::Frame;
use crate::event::{Direction, Event, Kind, Level, Outcome};
use crate::net::Stream;
use crate::report::Sink;

const PING: &[u8] = b"wscheck-probe";
const SENTINEL: &[u8] = b"wscheck-probe-sentinel";
/// How long a server that answered the sentinel ping still has to fail the connection.
const GRACE: Duration = Duration::from_secs(1);
/// The most a server frame read here may carry.
const MAX_FRAME: usize = 1 << 20;

/// A client→server frame: `first` as given (FIN, RSV1-3, opcode), masked unless `unmasked`.
pub fn client_frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut f = vec![first];
    let bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => f.push(bit | n as u8),
        n if n <= 0xffff => {
            f.push(bit | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(bit | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        let key: [u8; 4] = rand::random();
        f.extend_from_slice(&key);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        f.extend_from_slice(payload);
    }
    f
}

/// What the variant writes, described for the transcript, and its bytes.
fn bytes_of(frame: Frame) -> (String, Vec<u8>) {
    let bad_utf8: &[u8] = b"wscheck \xff\xfe";
    let (what, mut bytes) = match frame {
        Frame::Ping => {
            (format!("a ping, payload \"{}\"", String::from_utf8_lossy(PING)), client_frame(0x89, PING, true))
        }
        Frame::Close => ("Close 1000".into(), client_frame(0x88, &1000u16.to_be_bytes(), true)),
        Frame::InvalidUtf8 => (
            "a text frame whose payload is not UTF-8 (77 73 63 68 65 63 6b 20 ff fe)".into(),
            client_frame(0x81, bad_utf8, true),
        ),
        Frame::Unmasked => ("an unmasked text frame \"wscheck\"".into(), client_frame(0x81, b"wscheck", false)),
        Frame::ReservedOpcode => ("a frame with the reserved opcode 0x3".into(), client_frame(0x83, b"wscheck", true)),
        Frame::Rsv1 => ("a text frame with RSV1 set".into(), client_frame(0xc1, b"wscheck", true)),
        Frame::BigPing => ("a ping of 126 bytes".into(), client_frame(0x89, &[b'p'; 126], true)),
    };
    let mut what = format!("sent {what}");
    if expected_close(frame).is_some() {
        bytes.extend(client_frame(0x89, SENTINEL, true));
        what.push_str(", then a ping \"wscheck-probe-sentinel\"");
    }
    (what, bytes)
}

/// The Close code a server that fails the connection should send for `frame`.
fn expected_close(frame: Frame) -> Option<u16> {
    match frame {
        Frame::Ping | Frame::Close => None,
        Frame::InvalidUtf8 => Some(1007),
        Frame::Unmasked | Frame::ReservedOpcode | Frame::Rsv1 | Frame::BigPing => Some(1002),
    }
}

/// What the server did that decides the variant.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Close(Option<u16>),
    Pong(Vec<u8>),
    Data,
    /// The connection ended without a Close frame.
    Ended,
    Deadline,
    Unreadable(String),
}

/// Send the variant's frames on `stream` (after the 101; `rest` is what was read past the
/// response) and judge the server's answer.
pub fn run(frame: Frame, stream: Stream, rest: Vec<u8>, sink: &mut dyn Sink) -> Judged {
    let (what, bytes) = bytes_of(frame);
    let mut socket = FrameSocket::from_partially_read(stream, rest);
    sink.emit(&Event::Note { level: Level::Info, text: what });
    if let Err(e) = socket.get_mut().write_all(&bytes).and_then(|()| socket.get_mut().flush()) {
        return Judged::frames(Outcome::Fail, format!("could not send the frames: {}", crate::words::os_words(&e)));
    }
    let mut answered = false;
    let seen = loop {
        let seen = match socket.read(Some(MAX_FRAME)) {
            Ok(Some(f)) => observe(f, sink),
            Ok(None) => Some(Seen::Ended),
            Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
                Some(Seen::Deadline)
            }
            Err(tungstenite::Error::Io(_)) => Some(Seen::Ended),
            Err(e) => Some(Seen::Unreadable(e.to_string())),
        };
        match seen {
            Some(Seen::Pong(p)) if !answered && expected_close(frame).is_some() && p == SENTINEL => {
                answered = true;
                socket.get_mut().shorten_deadline(Instant::now() + GRACE);
            }
            Some(seen) if decisive(frame, &seen) => break seen,
            _ => {}
        }
    };
    if seen == Seen::Ended {
        sink.emit(&Event::Note { level: Level::Info, text: "the server closed the connection".into() });
    }
    if let Seen::Close(code) = seen {
        // Answer it, as a client does; the connection ends here either way.
        let echo = code.map(|c| c.to_be_bytes().to_vec()).unwrap_or_default();
        let _ = socket.get_mut().write_all(&client_frame(0x88, &echo, true));
    }
    judge(frame, seen, answered)
}

/// Say a received frame; what it means for the variant, if anything.
fn observe(f: WsFrame, sink: &mut dyn Sink) -> Option<Seen> {
    let opcode = f.header().opcode;
    let payload = f.into_payload();
    let message = |kind| Event::Message { direction: Direction::Received, kind, data: payload.clone(), wire: None };
    match opcode {
        OpCode::Control(OpCtl::Close) => {
            let code = (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
            let reason = crate::escape::net(payload.get(2..).unwrap_or_default());
            sink.emit(&Event::Close { direction: Direction::Received, code, reason, echo: false });
            Some(Seen::Close(code))
        }
        OpCode::Control(OpCtl::Pong) => {
            sink.emit(&message(Kind::Pong));
            Some(Seen::Pong(payload.to_vec()))
        }
        OpCode::Control(OpCtl::Ping) => {
            sink.emit(&message(Kind::Ping));
            None
        }
        OpCode::Data(OpData::Text) => {
            sink.emit(&message(Kind::Text));
            Some(Seen::Data)
        }
        _ => {
            sink.emit(&message(Kind::Binary));
            Some(Seen::Data)
        }
    }
}

/// Whether `seen` ends the wait for `frame`: a pong for the ping, a Close for Close, and
/// anything at all after a frame that must fail the connection. The end of the connection
/// and the deadline end every wait.
fn decisive(frame: Frame, seen: &Seen) -> bool {
    match (frame, seen) {
        (_, Seen::Close(_) | Seen::Ended | Seen::Deadline | Seen::Unreadable(_)) => true,
        (Frame::Ping, Seen::Pong(_)) => true,
        (Frame::Ping | Frame::Close, _) => false,
        _ => true,
    }
}

/// The outcome of what the server did; `answered`: it had answered the sentinel ping first.
fn judge(frame: Frame, seen: Seen, answered: bool) -> Judged {
    let after = if answered { " (after answering the ping sent after it)" } else { "" };
    let (outcome, message) = match (frame, seen) {
        (_, Seen::Unreadable(e)) => (Outcome::Fail, format!("the server's answer cannot be read: {e}")),
        (_, Seen::Deadline) if answered => (
            Outcome::Fail,
            format!(
                "answered the ping sent after it and did not close within {GRACE:?}: the connection was not failed"
            ),
        ),
        (_, Seen::Deadline) => (Outcome::Fail, "no answer before the deadline (--connect-timeout)".into()),
        (Frame::Ping, Seen::Pong(p)) if p == PING => (Outcome::Pass, "a pong with the same payload".into()),
        (Frame::Ping, Seen::Pong(p)) => {
            (Outcome::Fail, format!("a pong with another payload: \"{}\"", crate::escape::net(&p)))
        }
        (Frame::Ping, Seen::Close(code)) => (Outcome::Fail, format!("{} instead of a pong", close_words(code))),
        (Frame::Ping, _) => (Outcome::Fail, "the connection ended without a pong".into()),
        (Frame::Close, Seen::Close(code)) => (Outcome::Pass, format!("echoed: {}", close_words(code))),
        (Frame::Close, _) => (Outcome::Fail, "the connection ended without a Close back".into()),
        (f, Seen::Close(code)) => {
            let expected = expected_close(f).unwrap_or(1002);
            if code == Some(expected) {
                (Outcome::Pass, format!("{}{after}", close_words(code)))
            } else {
                let name = crate::close::name(expected);
                (Outcome::Warn, format!("{}, where {expected} ({name}) says why{after}", close_words(code)))
            }
        }
        (_, Seen::Ended) => (
            Outcome::Warn,
            format!("the connection ended without a Close frame (a server should send one, RFC 6455 §7.1.7){after}"),
        ),
        (Frame::InvalidUtf8, Seen::Data) => (Outcome::Fail, "echoed the text that is not UTF-8".into()),
        (_, Seen::Data) => (Outcome::Fail, "answered with a message: the connection was not failed".into()),
        (_, Seen::Pong(_)) => (Outcome::Fail, "answered the ping sent after it: the connection was not failed".into()),
    };
    Judged::frames(outcome, message)
}

fn close_words(code: Option<u16>) -> String {
    match code {
        Some(c) => format!("Close {c} ({})", crate::close::name(c)),
        None => "a Close without a code".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tungstenite::protocol::frame::coding::CloseCode;

    #[test]
    fn frames_are_written_as_rfc_6455_section_5_2_lays_them_out() {
        assert_eq!(client_frame(0x81, b"hi", false), [0x81, 0x02, b'h', b'i']);
        let masked = client_frame(0x89, &[b'p'; 126], true);
        assert_eq!(masked[..4], [0x89, 0x80 | 126, 0, 126]);
        let key = &masked[4..8];
        assert!(masked[8..].iter().enumerate().all(|(i, b)| b ^ key[i % 4] == b'p'));
        let (_, bytes) = bytes_of(Frame::Rsv1);
        assert_eq!(bytes[0], 0xc1);
        assert!(bytes.len() > 2 + 4 + 7, "the sentinel ping follows");
    }

    #[test]
    fn outcomes_follow_the_grading_of_spec_12() {
        let out = |f, s| judge(f, s, false).outcome;
        assert_eq!(out(Frame::InvalidUtf8, Seen::Close(Some(1007))), Outcome::Pass);
        assert_eq!(out(Frame::InvalidUtf8, Seen::Close(Some(1002))), Outcome::Warn);
        assert_eq!(out(Frame::InvalidUtf8, Seen::Ended), Outcome::Warn);
        assert_eq!(out(Frame::InvalidUtf8, Seen::Data), Outcome::Fail);
        assert_eq!(out(Frame::Unmasked, Seen::Pong(b"other".to_vec())), Outcome::Fail);
        assert_eq!(judge(Frame::Unmasked, Seen::Deadline, true).outcome, Outcome::Fail);
        let late = judge(Frame::InvalidUtf8, Seen::Close(Some(1007)), true);
        assert_eq!(late.outcome, Outcome::Pass);
        assert!(late.message.ends_with("(after answering the ping sent after it)"), "{}", late.message);
        assert_eq!(out(Frame::BigPing, Seen::Close(Some(1002))), Outcome::Pass);
        assert_eq!(out(Frame::Ping, Seen::Pong(PING.to_vec())), Outcome::Pass);
        assert_eq!(out(Frame::Ping, Seen::Pong(b"x".to_vec())), Outcome::Fail);
        assert_eq!(out(Frame::Ping, Seen::Deadline), Outcome::Fail);
        assert_eq!(out(Frame::Close, Seen::Close(Some(1000))), Outcome::Pass);
        assert_eq!(out(Frame::Close, Seen::Ended), Outcome::Fail);
        assert!(!decisive(Frame::Close, &Seen::Pong(vec![])));
        assert!(decisive(Frame::Rsv1, &Seen::Data));
    }

    #[test]
    fn the_close_codes_are_the_ones_rfc_6455_names() {
        assert_eq!(expected_close(Frame::InvalidUtf8), Some(u16::from(CloseCode::Invalid)));
        assert_eq!(expected_close(Frame::Unmasked), Some(u16::from(CloseCode::Protocol)));
    }
}
