//! `DeflateSocket` as a client over a real 127.0.0.1 TCP connection, non-blocking and polled,
//! against a raw server thread that writes exact frames: RFC 7692's "Hello" bytes, context
//! takeover, fragments with a ping between, a zip bomb, data that does not inflate, RSV1 where
//! it is not allowed, the close handshake both ways. And a client/server pair of our own for
//! round trips in every configuration.

mod common;
use common::*;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tungstenite::error::{CapacityError, ProtocolError};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role};
use tungstenite::{Error, Message};
use wscheck::deflate::codec::Compressor;
use wscheck::deflate::{DeflateSocket, Params, WireSize};

const MIB: usize = 1 << 20;
const HELLO: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

// ---- Memory: the peak of what one thread has allocated, for the zip bomb -------------------

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        count(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new) };
        if !q.is_null() {
            count(new as isize - layout.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` allocated at its peak on this thread, beyond what was live when it started.
fn peak_allocated<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let value = f();
    (value, (PEAK.with(Cell::get) - start) as usize)
}

// ---- The client under test, and a raw server ----------------------------------------------

type Client = DeflateSocket<TcpStream>;

/// A raw server running `script` on its end of the connection, and our client on the other,
/// non-blocking, with `rest` as the bytes read past the handshake.
fn connect<T: Send + 'static>(
    params: Option<Params>,
    rest: &[u8],
    script: impl FnOnce(TcpStream) -> T + Send + 'static,
) -> (Client, RawServer<T>) {
    let server = RawServer::start(script);
    let stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.set_nonblocking(true).unwrap();
    (DeflateSocket::new(stream, rest.to_vec(), Role::Client, Some(MIB), params), server)
}

/// Wait until the socket is readable (or writable), at most [`LIMIT`].
fn wait(stream: &TcpStream, events: libc::c_short) {
    let mut fd = libc::pollfd { fd: stream.as_raw_fd(), events, revents: 0 };
    let n = unsafe { libc::poll(&mut fd, 1, LIMIT.as_millis() as libc::c_int) };
    assert!(n > 0, "the socket did not become ready within {LIMIT:?} (poll: {n})");
}

fn would_block(e: &Error) -> bool {
    matches!(e, Error::Io(io) if io.kind() == ErrorKind::WouldBlock)
}

/// The next message or error, polling on `WouldBlock` as the session does.
fn next(ws: &mut Client) -> Result<Message, Error> {
    loop {
        match ws.read() {
            Err(e) if would_block(&e) => wait(ws.get_ref(), libc::POLLIN),
            other => return other,
        }
    }
}

fn flush(ws: &mut Client) {
    loop {
        match ws.flush() {
            Err(e) if would_block(&e) => wait(ws.get_ref(), libc::POLLOUT),
            other => return other.unwrap(),
        }
    }
}

fn agreed() -> Option<Params> {
    Some(Params::default())
}

/// One client frame as sent: its first byte (FIN, RSV, opcode) and unmasked payload.
/// Panics if it is not masked. `None` at EOF.
fn client_frame(s: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).ok()?;
    assert!(h[1] & 0x80 != 0, "client frame not masked: {h:02x?}");
    let len = match h[1] & 0x7f {
        126 => {
            let mut l = [0u8; 2];
            s.read_exact(&mut l).unwrap();
            u16::from_be_bytes(l) as usize
        }
        127 => {
            let mut l = [0u8; 8];
            s.read_exact(&mut l).unwrap();
            u64::from_be_bytes(l) as usize
        }
        n => n as usize,
    };
    let mut mask = [0u8; 4];
    s.read_exact(&mut mask).unwrap();
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).unwrap();
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
    Some((h[0], payload))
}

fn text(m: Result<Message, Error>) -> String {
    match m {
        Ok(Message::Text(t)) => t.to_string(),
        other => panic!("expected a text message, got {other:?}"),
    }
}

// ---- RFC 7692's examples on the wire --------------------------------------------------------

/// `c1 07 f2 48 cd c9 c9 07 00` is "Hello", part of it already read with the handshake; then
/// the server closes first: the echo of its Close leaves with the next flush, plain, and the
/// client sees `ConnectionClosed` once the server hangs up, `AlreadyClosed` after.
#[test]
fn rfc_hello_then_the_server_closes() {
    let (go, ready) = mpsc::channel::<()>();
    let (mut ws, server) = connect(agreed(), &[0xc1, 0x07, 0xf2], move |mut s| {
        ready.recv().unwrap();
        s.write_all(&[0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).unwrap();
        s.write_all(&ws_close(1000, "bye")).unwrap();
        let echo = client_frame(&mut s);
        drop(s);
        echo
    });
    // Nothing sent yet: a non-blocking read says so.
    assert!(matches!(ws.read(), Err(e) if would_block(&e)));
    go.send(()).unwrap();
    assert_eq!(text(next(&mut ws)), "Hello");
    assert_eq!(ws.last_read(), Some(WireSize { compressed: true, wire_bytes: 7, bytes: 5 }));
    let close = next(&mut ws).unwrap();
    assert_eq!(close, Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "bye".into() })));
    assert!(!ws.can_write());
    flush(&mut ws);
    let (first, payload) = server.join().expect("the echo of the Close");
    assert_eq!((first, payload.as_slice()), (0x88, &[0x03, 0xe8, b'b', b'y', b'e'][..]), "plain, no RSV1");
    assert!(matches!(next(&mut ws), Err(Error::ConnectionClosed)));
    assert!(matches!(ws.read(), Err(Error::AlreadyClosed)));
}

#[test]
fn context_takeover_across_two_messages() {
    let frames = [ws_raw(0xc1, &HELLO), ws_raw(0xc1, &[0xf2, 0x00, 0x11, 0x00, 0x00])].concat();
    let sent = frames.clone();
    let (mut ws, server) = connect(agreed(), &[], move |mut s| s.write_all(&sent).unwrap());
    assert_eq!(text(next(&mut ws)), "Hello");
    assert_eq!(text(next(&mut ws)), "Hello");
    assert_eq!(ws.last_read(), Some(WireSize { compressed: true, wire_bytes: 5, bytes: 5 }));
    server.join();

    // The same bytes when the server promised no context takeover: the reference back is
    // to a window that must be empty, so it does not inflate.
    let no_takeover = Params { server_no_context_takeover: true, ..Params::default() };
    let (mut ws, server) = connect(Some(no_takeover), &[], move |mut s| s.write_all(&frames).unwrap());
    assert_eq!(text(next(&mut ws)), "Hello");
    assert!(matches!(next(&mut ws), Err(Error::AttackAttempt)));
    assert!(ws.inflate_error().unwrap().starts_with("invalid compressed data: "), "{:?}", ws.inflate_error());
    server.join();
}

/// A compressed message in three fragments (RSV1 on the first only) with a ping between:
/// the ping comes out first and is answered with a plain pong, then the whole message.
#[test]
fn fragmented_compressed_message_with_a_ping_between() {
    let message: String = (0..300).map(|i| format!("line {i} of a longer message\n")).collect();
    let wire = Compressor::new(15, false).compress(message.as_bytes()).unwrap();
    let (a, rest) = wire.split_at(wire.len() / 3);
    let (b, c) = rest.split_at(rest.len() / 2);
    let frames = [ws_raw(0x41, a), ws_raw(0x89, b"ping!"), ws_raw(0x00, b), ws_raw(0x80, c)].concat();
    let (mut ws, server) = connect(agreed(), &[], move |mut s| {
        s.write_all(&frames).unwrap();
        client_frame(&mut s)
    });
    assert_eq!(next(&mut ws).unwrap(), Message::Ping("ping!".into()));
    assert_eq!(text(next(&mut ws)), message);
    assert_eq!(ws.last_read(), Some(WireSize { compressed: true, wire_bytes: wire.len(), bytes: message.len() }));
    assert_eq!(server.join(), Some((0x8a, b"ping!".to_vec())), "a pong, FIN, no RSV1");
}

/// RSV1 belongs on the first frame of a message only: not on a continuation, not on a
/// control frame; RSV2 and RSV3 are never agreed.
#[test]
fn rsv_bits_where_they_are_not_allowed() {
    let wire = Compressor::new(15, false).compress(b"Hello, Hello, Hello").unwrap();
    let (a, b) = wire.split_at(3);
    for (what, frames) in [
        ("RSV1 on a continuation", [ws_raw(0x41, a), ws_raw(0xc0, b)].concat()),
        ("RSV1 on a ping", ws_raw(0xc9, b"x")),
        ("RSV1 on a close", ws_raw(0xc8, &[0x03, 0xe8])),
        ("RSV2 on a text", ws_raw(0xa1, b"x")),
        ("RSV3 on a compressed text", ws_raw(0xd1, &HELLO)),
    ] {
        let (mut ws, server) = connect(agreed(), &[], move |mut s| s.write_all(&frames).unwrap());
        let got = next(&mut ws);
        assert!(matches!(got, Err(Error::Protocol(ProtocolError::NonZeroReservedBits))), "{what}: {got:?}");
        server.join();
    }
}

/// With nothing agreed, RSV1 is what it is in tungstenite: a protocol error.
#[test]
fn rsv1_when_nothing_was_agreed() {
    let (mut ws, server) = connect(None, &[], |mut s| s.write_all(&ws_raw(0xc1, &HELLO)).unwrap());
    assert!(matches!(next(&mut ws), Err(Error::Protocol(ProtocolError::NonZeroReservedBits))));
    server.join();
    // ... and a plain message is plain.
    let (mut ws, server) = connect(None, &[], |mut s| s.write_all(&ws_text("Hello")).unwrap());
    assert_eq!(text(next(&mut ws)), "Hello");
    assert_eq!(ws.last_read(), Some(WireSize { compressed: false, wire_bytes: 5, bytes: 5 }));
    server.join();
}

// ---- Limits and bad data ---------------------------------------------------------------------

/// 100 MB of zeros in one small frame, and again in 64 fragments: both end at the 1 MiB cap,
/// quickly, the client never holding much more than the cap.
#[test]
fn a_zip_bomb_stops_at_the_cap() {
    let bomb = common::deflate::zeros_deflated(100_000_000);
    assert!(bomb.len() < 200_000, "{} bytes", bomb.len());
    let whole = ws_raw(0xc1, &bomb);
    let chunks: Vec<&[u8]> = bomb.chunks(bomb.len() / 63).collect();
    let fragments: Vec<u8> = chunks
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            let first = match (i, i + 1 == chunks.len()) {
                (0, _) => 0x41,
                (_, false) => 0x00,
                (_, true) => 0x80,
            };
            ws_raw(first, c)
        })
        .collect();
    for (what, frames) in [("one frame", whole), ("fragments", fragments)] {
        let (mut ws, server) = connect(agreed(), &[], move |mut s| {
            let _ = s.write_all(&frames);
        });
        // On a thread of its own, so that a read that never returns fails the test in time.
        let (done, result) = mpsc::channel();
        std::thread::spawn(move || {
            let started = Instant::now();
            let (got, peak) = peak_allocated(|| next(&mut ws).map_err(|e| format!("{e:?}")));
            let _ = done.send((got, peak, started.elapsed()));
        });
        let (got, peak, took) = result.recv_timeout(LIMIT).unwrap_or_else(|e| panic!("{what}: no result: {e}"));
        let expected = format!("{:?}", Error::Capacity(CapacityError::MessageTooLong { size: MIB + 1, max_size: MIB }));
        assert_eq!(got, Err(expected), "{what}");
        eprintln!("zip bomb, {what}: stopped after {took:?}, {peak} bytes allocated at the peak");
        assert!(took < Duration::from_secs(5), "{what}: {took:?}");
        assert!(peak < 2 * MIB, "{what}: {peak} bytes allocated at the peak");
        server.join();
    }
}

/// Empty stored blocks inflate to nothing: a message of them is bounded by its wire size, a
/// little over the limit (here 211 fragments of 1,000 empty blocks, 1,055,001 bytes).
#[test]
fn a_compressed_message_of_nothing_is_bounded_too() {
    let blocks: Vec<u8> = std::iter::repeat_n([0x00, 0x00, 0x00, 0xff, 0xff], 1_000).flatten().collect();
    let mut frames = ws_raw(0x41, &blocks);
    for _ in 0..210 {
        frames.extend(ws_raw(0x00, &blocks));
    }
    frames.extend(ws_raw(0x80, &[0x00]));
    let (mut ws, server) = connect(agreed(), &[], move |mut s| {
        let _ = s.write_all(&frames);
    });
    match next(&mut ws) {
        Err(Error::Capacity(CapacityError::MessageTooLong { size, max_size })) => {
            assert_eq!(max_size, MIB);
            assert!(size > MIB + (MIB >> 10), "{size}");
        }
        other => panic!("expected MessageTooLong, got {other:?}"),
    }
    drop(ws);
    server.join();
}

/// Bytes that do not compress grow a little as DEFLATE (stored blocks): a message of exactly
/// the limit still arrives, though its frame is larger than the limit.
#[test]
fn an_incompressible_message_at_the_limit() {
    let mut x = 7u32;
    let noise: Vec<u8> = (0..MIB)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let wire = Compressor::new(15, false).compress(&noise).unwrap();
    assert!(wire.len() > MIB, "{}", wire.len());
    let frame = ws_raw(0xc2, &wire);
    let (mut ws, server) = connect(agreed(), &[], move |mut s| s.write_all(&frame).unwrap());
    assert_eq!(next(&mut ws).unwrap(), Message::binary(noise));
    assert_eq!(ws.last_read(), Some(WireSize { compressed: true, wire_bytes: wire.len(), bytes: MIB }));
    server.join();
}

#[test]
fn data_that_does_not_inflate() {
    for (what, payload) in [
        ("reserved block type", &[0xff, 0xff, 0xff][..]),
        ("a distance before the start", &[0xf2, 0x00, 0x11, 0x00, 0x00]),
        ("an empty compressed payload", &[]),
    ] {
        let frame = ws_raw(0xc1, payload);
        let (mut ws, server) = connect(agreed(), &[], move |mut s| s.write_all(&frame).unwrap());
        let got = next(&mut ws);
        assert!(matches!(got, Err(Error::AttackAttempt)), "{what}: {got:?}");
        let why = ws.inflate_error().unwrap_or_default();
        assert!(why.starts_with("invalid compressed data: "), "{what}: {why}");
        server.join();
    }
}

#[test]
fn text_that_is_not_utf8_after_inflating() {
    let wire = Compressor::new(15, false).compress(&[b'a', 0xff, 0xfe, b'b']).unwrap();
    let frames = [ws_raw(0xc1, &wire), ws_raw(0xc2, &wire)].concat();
    let (mut ws, server) = connect(agreed(), &[], move |mut s| s.write_all(&frames).unwrap());
    assert!(matches!(next(&mut ws), Err(Error::Utf8(_))));
    server.join();
    // As binary the same bytes are fine.
    let wire = Compressor::new(15, false).compress(&[b'a', 0xff, 0xfe, b'b']).unwrap();
    let (mut ws, server) = connect(agreed(), &[], move |mut s| s.write_all(&ws_raw(0xc2, &wire)).unwrap());
    assert_eq!(next(&mut ws).unwrap(), Message::Binary(vec![b'a', 0xff, 0xfe, b'b'].into()));
    server.join();
    // In fragments, a bad sequence fails as soon as its fragment inflates: the server sends
    // the first fragment only and waits for the client to hang up.
    let wire = Compressor::new(15, false).compress(&[0xff; 4000]).unwrap();
    let first = ws_raw(0x41, &wire);
    let (mut ws, server) = connect(agreed(), &[], move |mut s| {
        s.write_all(&first).unwrap();
        s.read(&mut [0u8; 1]).unwrap()
    });
    assert!(matches!(next(&mut ws), Err(Error::Utf8(_))));
    drop(ws);
    assert_eq!(server.join(), 0);
}

// ---- What the client sends, and the close handshake it starts -------------------------------

/// Data messages leave compressed (RSV1, masked, tail stripped, context kept as agreed);
/// control frames leave plain. The client closes first: the server answers and hangs up.
#[test]
fn the_client_compresses_and_closes() {
    for (params, second) in [
        (agreed(), &[0xf2, 0x00, 0x11, 0x00, 0x00][..]),
        (Some(Params { client_no_context_takeover: true, ..Params::default() }), &HELLO[..]),
    ] {
        let (mut ws, server) = connect(params, &[], |mut s| {
            let frames: Vec<_> = std::iter::from_fn(|| client_frame(&mut s)).take(4).collect();
            s.write_all(&ws_close(1000, "")).unwrap();
            frames
        });
        ws.write(Message::text("Hello")).unwrap();
        assert_eq!(ws.last_written(), Some(WireSize { compressed: true, wire_bytes: 7, bytes: 5 }));
        ws.write(Message::text("Hello")).unwrap();
        ws.write(Message::Ping("p".into())).unwrap();
        ws.close(Some(CloseFrame { code: CloseCode::Normal, reason: "".into() })).unwrap_or_else(|e| {
            assert!(would_block(&e), "{e}");
        });
        flush(&mut ws);
        assert!(matches!(ws.write(Message::text("late")), Err(Error::Protocol(ProtocolError::SendAfterClosing))));
        assert_eq!(
            next(&mut ws).unwrap(),
            Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "".into() }))
        );
        let frames = server.join();
        assert!(matches!(next(&mut ws), Err(Error::ConnectionClosed)));
        assert_eq!(
            frames,
            vec![(0xc1, HELLO.to_vec()), (0xc1, second.to_vec()), (0x89, b"p".to_vec()), (0x88, vec![0x03, 0xe8])]
        );
    }
    // Nothing agreed: nothing compressed.
    let (mut ws, server) = connect(None, &[], |mut s| client_frame(&mut s));
    ws.write(Message::text("Hello")).unwrap();
    flush(&mut ws);
    assert_eq!(server.join(), Some((0x81, b"Hello".to_vec())));
    assert_eq!(ws.last_written(), Some(WireSize { compressed: false, wire_bytes: 5, bytes: 5 }));
}

/// The server hangs up without a Close: the same error as tungstenite's.
#[test]
fn reset_without_closing_handshake() {
    let (mut ws, server) = connect(agreed(), &[], drop);
    assert!(matches!(next(&mut ws), Err(Error::Protocol(ProtocolError::ResetWithoutClosingHandshake))));
    assert!(matches!(ws.read(), Err(Error::AlreadyClosed)));
    server.join();
}

// ---- Our client against our server, every configuration ------------------------------------

/// Messages of many sizes both ways between a client and a server `DeflateSocket`, for every
/// window size and context-takeover combination: what goes in comes out.
#[test]
fn round_trips_between_client_and_server() {
    let messages: Vec<Vec<u8>> = [0usize, 1, 125, 126, 5_000, 70_000, 300_000]
        .iter()
        .map(|&n| (0..n).map(|i| b"abcdefghij"[(i * 7 + i / 13) % 10]).collect())
        .collect();
    for bits in [8, 9, 12, 15] {
        for (snct, cnct) in [(false, false), (true, false), (false, true), (true, true)] {
            let params = Params {
                server_max_window_bits: bits,
                client_max_window_bits: 23 - bits,
                server_no_context_takeover: snct,
                client_no_context_takeover: cnct,
            };
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let count = messages.len();
            let echo = std::thread::spawn(move || {
                let (s, _) = listener.accept().unwrap();
                s.set_read_timeout(Some(LIMIT)).unwrap();
                let mut server = DeflateSocket::new(s, Vec::new(), Role::Server, Some(MIB), Some(params));
                for _ in 0..count {
                    let m = server.read().unwrap();
                    assert!(server.last_read().unwrap().compressed);
                    server.write(m).unwrap();
                }
                server.flush().unwrap();
            });
            let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream.set_nonblocking(true).unwrap();
            let mut ws = DeflateSocket::new(stream, Vec::new(), Role::Client, Some(MIB), Some(params));
            for m in &messages {
                ws.write(Message::binary(m.clone()))
                    .or_else(|e| if would_block(&e) { Ok(()) } else { Err(e) })
                    .unwrap();
            }
            flush(&mut ws);
            for m in &messages {
                assert_eq!(next(&mut ws).unwrap(), Message::binary(m.clone()), "{params:?}, {} bytes", m.len());
            }
            echo.join().unwrap();
        }
    }
}
