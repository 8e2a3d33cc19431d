//! The inflating reader: arbitrary server bytes through `DeflateSocket` with permessage-deflate
//! agreed (the parameters from the first input byte) must never panic, and no message may be
//! larger than the limit, however far its data inflates.
//!
//! Input: one byte of knobs — bits 0–2 the server's window bits (8 + n), bit 3 server no
//! context takeover, bit 5 "structured" — then the server's bytes. Structured input is read as
//! (first byte, length, payload) triples made into frames, so that mutations land in the
//! DEFLATE data rather than in frame headers.
#![no_main]

use std::io::{self, Read, Write};

use libfuzzer_sys::fuzz_target;
use tungstenite::Message;
use tungstenite::protocol::Role;
use wscheck::deflate::{DeflateSocket, Params};

const MAX: usize = 1 << 16;

/// The server's bytes to read; what we write is dropped.
struct Peer<'a>(&'a [u8]);

impl Read for Peer<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Peer<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Frames from (first byte, length, payload) triples: unmasked, the length capped by what is left.
fn frames(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 2);
    while let [first, len, rest @ ..] = data {
        let len = usize::from(*len).min(rest.len());
        out.extend_from_slice(&[*first, len as u8]);
        out.extend_from_slice(&rest[..len]);
        data = &rest[len..];
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&knobs, rest)) = data.split_first() else {
        return;
    };
    let params = Params {
        server_max_window_bits: 8 + (knobs & 7),
        server_no_context_takeover: knobs & 8 != 0,
        ..Params::default()
    };
    let bytes = if knobs & 32 != 0 { frames(rest) } else { rest.to_vec() };
    let mut ws = DeflateSocket::new(Peer(&bytes), Vec::new(), Role::Client, Some(MAX), Some(params));
    for _ in 0..10_000 {
        match ws.read() {
            Ok(msg @ (Message::Text(_) | Message::Binary(_))) => {
                assert!(msg.len() <= MAX, "a message of {} bytes passed the {MAX} limit", msg.len());
                let size = ws.last_read().expect("a data message has its sizes");
                assert_eq!(size.bytes, msg.len());
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
});
