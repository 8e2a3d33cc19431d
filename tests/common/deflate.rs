//! permessage-deflate on a raw server: a 101 that accepts it, compressed frames written by
//! hand (RFC 7692 §7.2), and the client's frames read with their RSV bits and inflated.

use std::io::Write;
use std::net::TcpStream;

use flate2::{Compress, Compression, FlushCompress};
use wscheck::deflate::codec::{Compressor, Inflater};

use super::{RawServer, Run, client_close_code, ok_101, read_head, wscheck};

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

/// Read the client's frames until its Close: each frame before it as (first byte, payload as
/// the server reads it — inflated when RSV1 is set, with `inflater`), and the Close's code.
/// `None` for the code when the connection ends first.
pub fn client_frames_until_close(s: &mut TcpStream, inflater: &mut Inflater) -> (Vec<(u8, Vec<u8>)>, Option<u16>) {
    let mut before = Vec::new();
    while let Some((first, payload)) = super::read_client_frame_raw(s) {
        if first & 0x0f == 0x8 {
            assert_eq!(first & 0x70, 0, "a Close frame with RSV bits: {first:02x}");
            return (before, super::close_code_of(&payload));
        }
        let payload = if first & 0x40 != 0 { inflater.inflate(&payload, 1 << 26).unwrap() } else { payload };
        before.push((first, payload));
    }
    (before, None)
}

/// `wscheck --deflate ARGS` with empty stdin.
pub fn run(args: &[&str]) -> Run {
    let mut all = vec!["--deflate"];
    all.extend_from_slice(args);
    wscheck(&all, b"")
}

/// A server that accepts permessage-deflate, writes `frames` at once, then reads the client's
/// frames until its Close; that Close's code. It never answers the Close.
pub fn hostile(frames: Vec<u8>) -> RawServer<Option<u16>> {
    RawServer::start(move |mut s| {
        accept_deflate(&mut s, ACCEPT);
        s.write_all(&frames).unwrap();
        client_close_code(&mut s)
    })
}
