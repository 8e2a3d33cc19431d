//! permessage-deflate figures for issue 13, measured in release mode:
//! `cargo run --release --example deflate` (prints a Markdown table).
//!
//! 1. Zip bomb: 100 MB of zeros as one compressed frame (~100 kB) from a raw server thread on
//!    loopback, read by a `DeflateSocket` client with a 1 MiB and with the default 64 MiB
//!    `--max-size`: the time to the `MessageTooLong` error and the process's peak RSS
//!    (`ru_maxrss`) before and after. The bomb is made in 1 MiB steps, so the 100 MB never exist.
//! 2. Throughput, 100,000 short lines: the codec alone (compress + inflate, context takeover),
//!    then echoed over loopback between a `DeflateSocket` client and server, with deflate agreed
//!    and not, next to tungstenite's own `WebSocket` as the client of the plain run.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use flate2::{Compress, Compression, FlushCompress};
use tungstenite::protocol::{Role, WebSocket, WebSocketConfig};
use tungstenite::{Error, Message};
use wscheck::deflate::codec::{Compressor, Inflater};
use wscheck::deflate::{DeflateSocket, Params};

const MIB: usize = 1 << 20;
const LINES: usize = 100_000;
/// Messages in flight at once in the echo runs.
const WINDOW: usize = 1_000;

fn max_rss_kib() -> i64 {
    let mut usage = unsafe { std::mem::zeroed::<libc::rusage>() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss
}

fn zeros_deflated(n: usize) -> Vec<u8> {
    let mut z = Compress::new_with_window_bits(Compression::best(), false, 15);
    let chunk = vec![0u8; MIB];
    let mut out = Vec::with_capacity(n / 900);
    let mut left = n;
    while left > 0 {
        let before = z.total_in();
        z.compress_vec(&chunk[..left.min(MIB)], &mut out, FlushCompress::None).unwrap();
        left -= (z.total_in() - before) as usize;
        out.reserve(64 << 10);
    }
    z.compress_vec(&[], &mut out, FlushCompress::Sync).unwrap();
    out.truncate(out.len() - 4);
    out
}

fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![first, 127];
    f.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    f.extend_from_slice(payload);
    f
}

fn bomb(frame: &[u8], cap: usize) -> (Duration, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let bytes = frame.to_vec();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let _ = s.write_all(&bytes);
        let _ = s.flush();
        // Hold the connection until the client is done.
        let _ = std::io::Read::read(&mut s, &mut [0u8; 1]);
    });
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut ws = DeflateSocket::new(stream, Vec::new(), Role::Client, Some(cap), Some(Params::default()));
    let started = Instant::now();
    let result = ws.read();
    let took = started.elapsed();
    drop(ws);
    server.join().unwrap();
    let shown = match result {
        Err(Error::Capacity(c)) => c.to_string(),
        other => panic!("the bomb was not stopped: {other:?}"),
    };
    (took, shown)
}

fn lines() -> Vec<String> {
    (1..=LINES).map(|i| i.to_string()).collect()
}

fn json_lines() -> Vec<String> {
    (1..=LINES)
        .map(|i| format!("{{\"seq\":{i},\"symbol\":\"BTC-USD\",\"price\":{}.{:02}}}", 40_000 + i % 997, i % 100))
        .collect()
}

fn codec(lines: &[String]) -> (Duration, usize, usize) {
    let mut c = Compressor::new(15, false);
    let mut i = Inflater::new(15, false);
    let (mut raw, mut wire) = (0, 0);
    let started = Instant::now();
    for line in lines {
        let w = c.compress(line.as_bytes()).unwrap();
        let back = i.inflate(&w, MIB).unwrap();
        assert_eq!(back.len(), line.len());
        raw += line.len();
        wire += w.len();
    }
    (started.elapsed(), raw, wire)
}

/// A server `DeflateSocket` echoing `count` messages, blocking.
fn echo_server(params: Option<Params>, count: usize) -> (u16, std::thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        s.set_nodelay(true).unwrap();
        let mut ws = DeflateSocket::new(s, Vec::new(), Role::Server, Some(MIB), params);
        let mut wire = 0;
        for n in 1..=count {
            let m = ws.read().unwrap();
            wire += ws.last_read().unwrap().wire_bytes;
            ws.write(m).unwrap();
            if n % WINDOW == 0 || n == count {
                ws.flush().unwrap();
            }
        }
        wire
    });
    (port, handle)
}

/// The client side of an echo run, over anything with tungstenite's four calls.
trait Client {
    fn send(&mut self, m: Message);
    fn flush(&mut self);
    fn receive(&mut self) -> Message;
}

impl Client for DeflateSocket<TcpStream> {
    fn send(&mut self, m: Message) {
        self.write(m).unwrap();
    }
    fn flush(&mut self) {
        DeflateSocket::flush(self).unwrap();
    }
    fn receive(&mut self) -> Message {
        self.read().unwrap()
    }
}

impl Client for WebSocket<TcpStream> {
    fn send(&mut self, m: Message) {
        self.write(m).unwrap();
    }
    fn flush(&mut self) {
        WebSocket::flush(self).unwrap();
    }
    fn receive(&mut self) -> Message {
        self.read().unwrap()
    }
}

fn echo_run(lines: &[String], client: &mut dyn Client) -> Duration {
    let started = Instant::now();
    for window in lines.chunks(WINDOW) {
        for line in window {
            client.send(Message::text(line.as_str()));
        }
        client.flush();
        for line in window {
            match client.receive() {
                Message::Text(t) => assert_eq!(t.as_str(), line),
                other => panic!("{other:?}"),
            }
        }
    }
    started.elapsed()
}

fn echo(lines: &[String], params: Option<Params>, tungstenite_client: bool) -> (Duration, usize) {
    let (port, server) = echo_server(params, lines.len());
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_nodelay(true).unwrap();
    let took = if tungstenite_client {
        let config = WebSocketConfig::default().max_message_size(Some(MIB));
        echo_run(lines, &mut WebSocket::from_partially_read(stream, Vec::new(), Role::Client, Some(config)))
    } else {
        echo_run(lines, &mut DeflateSocket::new(stream, Vec::new(), Role::Client, Some(MIB), params))
    };
    (took, server.join().unwrap())
}

fn per_second(n: usize, d: Duration) -> String {
    format!("{:.0}", n as f64 / d.as_secs_f64())
}

fn main() {
    println!("| measurement | figure |\n|---|---|");
    let rss_start = max_rss_kib();
    let bomb_frame = frame(0xc2, &zeros_deflated(100_000_000));
    let rss_made = max_rss_kib();
    println!("| zip bomb | 100,000,000 zero bytes in one frame of {} bytes |", bomb_frame.len());
    println!("| peak RSS before reading it | {rss_made} KiB (at start {rss_start} KiB) |");
    for cap in [MIB, 64 * MIB] {
        let (took, said) = bomb(&bomb_frame, cap);
        println!(
            "| cap {} MiB: stopped after | {:.2} ms, peak RSS then {} KiB ({said}) |",
            cap / MIB,
            took.as_secs_f64() * 1e3,
            max_rss_kib()
        );
    }
    for (what, lines) in [("numbers 1..100000", lines()), ("60-byte JSON lines", json_lines())] {
        let (took, raw, wire) = codec(&lines);
        println!(
            "| codec, {what}: compress + inflate | {} msgs/s ({:.0} ms; {raw} bytes → {wire} on the wire) |",
            per_second(LINES, took),
            took.as_secs_f64() * 1e3
        );
        for (label, params, tungstenite_client) in [
            ("DeflateSocket ↔ DeflateSocket, deflate", Some(Params::default()), false),
            ("DeflateSocket ↔ DeflateSocket, no deflate", None, false),
            ("tungstenite WebSocket ↔ DeflateSocket, no deflate", None, true),
        ] {
            let (took, wire) = echo(&lines, params, tungstenite_client);
            println!(
                "| echo over loopback, {what}, {label} | {} msgs/s ({:.0} ms; {wire} payload bytes in) |",
                per_second(LINES, took),
                took.as_secs_f64() * 1e3
            );
        }
    }
    println!("| peak RSS at the end | {} KiB |", max_rss_kib());
}
