//! permessage-deflate on a raw server: a 101 that accepts it, compressed frames written by
//! hand (RFC 7692 §7.2), and the client's frames read with their RSV bits and inflated.

use std::io::{Read, Write};
use std::net::TcpStream;

use flate2::{Compress, Compression, FlushCompress};
use wscheck::deflate::codec::{Compressor, Inflater};

use super::{ok_101, read_head};

/// The accepted extension when the test does not say otherwise (15-bit windows, context kept).
pub const ACCEPT: &str = "permessage-deflate";

/// Read the upgrade request and answer a valid 101 with `Sec-WebSocket-Extensions: {answer}`
/// (nothing when `answer` is empty); the request head.
pub fn accept_deflate(s: &mut TcpStream, answer: &str) -> Vec<u8> {
    let head = read_head(s);
    let extra = if answer.is_empty() { String::new() } else { format!("Sec-WebSocket-Extensions: {answer}\r\n") };
    s.write_all(&ok_101(&head, "Switching Protocols", &extra)).unwrap();
    head
}

/// `data` as one compressed message payload, on its own (no context taken over).
pub fn deflated(data: &[u8]) -> Vec<u8> {
    Compressor::new(15, true).compress(data).unwrap()
}

/// `n` zeros compressed as hard as zlib can: 100 MB is about 97 kB. The payload of a bomb.
pub fn zeros_deflated(n: usize) -> Vec<u8> {
    let mut z = Compress::new_with_window_bits(Compression::best(), false, 15);
    let chunk = vec![0u8; 1 << 20];
    let mut out = Vec::with_capacity(n / 900 + 64);
    let mut left = n;
    while left > 0 {
        let take = left.min(chunk.len());
        let before = z.total_in();
        z.compress_vec(&chunk[..take], &mut out, FlushCompress::None).unwrap();
        left -= (z.total_in() - before) as usize;
        out.reserve(64 << 10);
    }
    z.compress_vec(&[], &mut out, FlushCompress::Sync).unwrap();
    assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
    out.truncate(out.len() - 4);
    out
}

/// One client frame as sent: its first byte (FIN, RSV1–3, opcode) and unmasked payload;
/// `None` at EOF or on a read error. Panics if it is not masked.
pub fn client_frame_raw(s: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).ok()?;
    assert!(h[1] & 0x80 != 0, "client frame not masked: {h:02x?}");
    let len = match h[1] & 0x7f {
        126 => {
            let mut l = [0u8; 2];
            s.read_exact(&mut l).ok()?;
            u16::from_be_bytes(l) as usize
        }
        127 => {
            let mut l = [0u8; 8];
            s.read_exact(&mut l).ok()?;
            u64::from_be_bytes(l) as usize
        }
        n => n as usize,
    };
    let mut mask = [0u8; 4];
    s.read_exact(&mut mask).ok()?;
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).ok()?;
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
    Some((h[0], payload))
}

/// Read the client's frames until its Close: each frame before it as (first byte, payload as
/// the server reads it — inflated when RSV1 is set, with `inflater`), and the Close's code.
/// `None` for the code when the connection ends first.
pub fn client_frames_until_close(s: &mut TcpStream, inflater: &mut Inflater) -> (Vec<(u8, Vec<u8>)>, Option<u16>) {
    let mut before = Vec::new();
    while let Some((first, payload)) = client_frame_raw(s) {
        if first & 0x0f == 0x8 {
            assert_eq!(first & 0x70, 0, "a Close frame with RSV bits: {first:02x}");
            return (before, super::close_code_of(&payload));
        }
        let payload = if first & 0x40 != 0 { inflater.inflate(&payload, 1 << 26).unwrap() } else { payload };
        before.push((first, payload));
    }
    (before, None)
}
