//! `DeflateSocket` with nothing agreed must behave exactly as `tungstenite::WebSocket` does,
//! so the session can run over either: the same server bytes give the same messages, the same
//! errors in the same order, and the same frames written back (pongs, Close echoes).

use std::io::{self, Read, Write};

use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role, WebSocket, WebSocketConfig};
use tungstenite::{Error, Message};
use wscheck::deflate::DeflateSocket;

const MAX: usize = 1000;

/// The server's bytes to read, then EOF (or `WouldBlock` when `eof` is false); what the
/// client writes is kept. A stingy peer (`refuse_every: k > 0`) takes at most 3 bytes per
/// write and refuses every k-th write with `WouldBlock`, as a full socket buffer does.
struct Peer {
    input: Vec<u8>,
    at: usize,
    eof: bool,
    refuse_every: usize,
    writes: usize,
    written: Vec<u8>,
}

impl Read for Peer {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.input.len() && !self.eof {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(self.input.len() - self.at);
        buf[..n].copy_from_slice(&self.input[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

impl Write for Peer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.refuse_every == 0 {
            self.written.extend_from_slice(buf);
            return Ok(buf.len());
        }
        self.writes += 1;
        if self.writes % self.refuse_every == 1 % self.refuse_every {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(3);
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The two sockets under one interface.
trait Socket {
    fn read(&mut self) -> Result<Message, Error>;
    fn write(&mut self, m: Message) -> Result<(), Error>;
    fn flush(&mut self) -> Result<(), Error>;
    fn close(&mut self) -> Result<(), Error>;
    fn peer(&self) -> &Peer;
}

impl Socket for WebSocket<Peer> {
    fn read(&mut self) -> Result<Message, Error> {
        WebSocket::read(self)
    }
    fn write(&mut self, m: Message) -> Result<(), Error> {
        WebSocket::write(self, m)
    }
    fn flush(&mut self) -> Result<(), Error> {
        WebSocket::flush(self)
    }
    fn close(&mut self) -> Result<(), Error> {
        WebSocket::close(self, Some(CloseFrame { code: CloseCode::Away, reason: "bye".into() }))
    }
    fn peer(&self) -> &Peer {
        self.get_ref()
    }
}

impl Socket for DeflateSocket<Peer> {
    fn read(&mut self) -> Result<Message, Error> {
        DeflateSocket::read(self)
    }
    fn write(&mut self, m: Message) -> Result<(), Error> {
        DeflateSocket::write(self, m)
    }
    fn flush(&mut self) -> Result<(), Error> {
        DeflateSocket::flush(self)
    }
    fn close(&mut self) -> Result<(), Error> {
        DeflateSocket::close(self, Some(CloseFrame { code: CloseCode::Away, reason: "bye".into() }))
    }
    fn peer(&self) -> &Peer {
        self.get_ref()
    }
}

/// An error as comparable text: the variant and its details, but not the wording of a
/// UTF-8 error (tungstenite's and std's differ) nor of an I/O error.
fn shown(e: &Error) -> String {
    match e {
        Error::Utf8(_) => "Utf8".into(),
        Error::Io(io) => format!("Io({:?})", io.kind()),
        e => format!("{e:?}"),
    }
}

/// Client frames as (first byte, unmasked payload); masks are random, so they are removed.
/// A frame cut short (a stingy peer took only part of it) is kept as its bytes so far, with
/// 0xff as its first byte, since the mask cannot be removed without it.
fn frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let whole = (bytes.len() >= 2).then(|| {
            assert!(bytes[1] & 0x80 != 0, "client frames are masked");
            match bytes[1] & 0x7f {
                126 if bytes.len() >= 4 => Some((u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4)),
                127 if bytes.len() >= 10 => Some((u64::from_be_bytes(bytes[2..10].try_into().unwrap()) as usize, 10)),
                126 | 127 => None,
                n => Some((n as usize, 2)),
            }
        });
        match whole.flatten() {
            Some((len, at)) if bytes.len() >= at + 4 + len => {
                let mask = &bytes[at..at + 4];
                let payload = bytes[at + 4..at + 4 + len].iter().enumerate().map(|(i, b)| b ^ mask[i % 4]).collect();
                out.push((bytes[0], payload));
                bytes = &bytes[at + 4 + len..];
            }
            _ => {
                out.push((0xff, vec![bytes.len() as u8]));
                break;
            }
        }
    }
    out
}

/// Read until an error (and once more after it), writing and flushing now and then, after
/// closing first if asked; the transcript and the frames written.
fn transcript(ws: &mut dyn Socket, close_first: bool) -> (Vec<String>, Vec<(u8, Vec<u8>)>) {
    let mut said = Vec::new();
    if close_first {
        said.push(format!("close: {:?}", ws.close().map_err(|e| shown(&e))));
    }
    for i in 0..20 {
        match ws.read() {
            Ok(m) => {
                said.push(format!("{m:?}"));
                // Writes and flushes at different beats, so that a pong left unflushed by one
                // read meets a write, a flush, or the next read.
                if i % 2 == 0 {
                    said.push(format!("write: {:?}", ws.write(Message::text("back")).map_err(|e| shown(&e))));
                }
                if i % 3 == 2 {
                    said.push(format!("flush: {:?}", ws.flush().map_err(|e| shown(&e))));
                }
            }
            Err(e) => {
                said.push(shown(&e));
                said.push(format!("then: {:?}", ws.read().map_err(|e| shown(&e))));
                break;
            }
        }
    }
    (said, frames(&ws.peer().written))
}

type Transcript = (Vec<String>, Vec<(u8, Vec<u8>)>);

fn both(input: &[u8], eof: bool, refuse_every: usize, close_first: bool) -> [Transcript; 2] {
    let peer = || Peer { input: input.to_vec(), at: 0, eof, refuse_every, writes: 0, written: Vec::new() };
    let config = WebSocketConfig::default().max_message_size(Some(MAX)).max_frame_size(Some(MAX));
    let mut theirs = WebSocket::from_partially_read(peer(), Vec::new(), Role::Client, Some(config));
    let mut ours = DeflateSocket::new(peer(), Vec::new(), Role::Client, Some(MAX), None);
    [transcript(&mut theirs, close_first), transcript(&mut ours, close_first)]
}

fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![first];
    match payload.len() {
        n if n < 126 => f.push(n as u8),
        n => {
            f.push(126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    f.extend_from_slice(payload);
    f
}

#[test]
fn the_same_bytes_give_the_same_results() {
    let close = |code: u16, reason: &[u8]| frame(0x88, &[&code.to_be_bytes()[..], reason].concat());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "messages of every kind",
            [frame(0x81, b"Hello"), frame(0x82, &[0, 1]), frame(0x89, b"p"), frame(0x8a, b"q")].concat(),
        ),
        ("fragments with a ping between", [frame(0x01, b"Hel"), frame(0x89, b"p"), frame(0x80, b"lo")].concat()),
        ("a masked server frame", vec![0x81, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2]),
        ("a reserved data opcode", frame(0x83, b"x")),
        ("a reserved control opcode", frame(0x8b, b"x")),
        ("RSV1", frame(0xc1, b"x")),
        ("RSV2", frame(0xa1, b"x")),
        ("RSV3", frame(0x91, b"x")),
        ("a fragmented ping", frame(0x09, b"x")),
        ("a ping over 125", frame(0x89, &[b'x'; 126])),
        ("a continuation out of nowhere", frame(0x80, b"x")),
        ("a new message among fragments", [frame(0x01, b"a"), frame(0x81, b"b")].concat()),
        ("a one-byte Close", frame(0x88, &[3])),
        ("a Close reason that is not UTF-8", close(1000, &[0xff])),
        ("a Close with 1005", close(1005, b"")),
        ("a Close with 4000", close(4000, b"ok")),
        ("a frame after the Close", [close(1000, b""), frame(0x81, b"late")].concat()),
        ("ping then Close", [frame(0x89, b"p"), close(1001, b"")].concat()),
        ("two pings", [frame(0x89, b"1"), frame(0x89, b"2")].concat()),
        (
            "a ping answered by the next read",
            [&b"a"[..], b"1", b"b", b"c", b"d", b"e", b"f", b"g"]
                .iter()
                .enumerate()
                .flat_map(|(i, p)| frame(if i == 1 { 0x89 } else { 0x81 }, p))
                .collect(),
        ),
        (
            "pings and texts",
            [
                frame(0x89, b"1"),
                frame(0x81, b"a"),
                frame(0x89, b"2"),
                frame(0x81, b"b"),
                frame(0x81, b"c"),
                frame(0x89, b"3"),
                frame(0x81, b"d"),
            ]
            .concat(),
        ),
        ("text not UTF-8", frame(0x81, &[0xff])),
        ("fragmented text bad in the first part", [frame(0x01, &[0xc3, 0x28]), frame(0x80, b"x")].concat()),
        ("only a first part, and it is bad", frame(0x01, &[0xc3, 0x28])),
        ("fragmented text split in a character", [frame(0x01, &[0xc3]), frame(0x80, &[0xa9])].concat()),
        ("text ending inside a character", [frame(0x01, b"a"), frame(0x80, &[0xc3])].concat()),
        ("a frame over the limit", frame(0x82, &[0; MAX + 1])),
        ("a message over the limit", [frame(0x02, &[0; 600]), frame(0x80, &[0; 600])].concat()),
        ("a message at the limit", [frame(0x02, &[0; 500]), frame(0x80, &[0; 500])].concat()),
        ("half a frame", frame(0x81, b"Hello")[..4].to_vec()),
        ("nothing", vec![]),
    ];
    let mut compared = 0;
    for (what, input) in &cases {
        for eof in [true, false] {
            for refuse_every in [0, 2, 3, 5] {
                for close_first in [false, true] {
                    let [theirs, ours] = both(input, eof, refuse_every, close_first);
                    assert_eq!(
                        ours, theirs,
                        "{what} (EOF after the bytes: {eof}, every {refuse_every}th write refused, \
                         we close first: {close_first})"
                    );
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, cases.len() * 16);
}
