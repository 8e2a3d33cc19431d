//! `--trace FILE` and `--trace-ascii FILE` (`-`: stderr), with curl's meaning and layout:
//! every byte each connection sends and receives — above TLS, so wss shows the decrypted
//! bytes; a proxy's CONNECT or SOCKS exchange too — timestamped, in hex and ASCII or ASCII
//! only, the HTTP head apart from the data, and each WebSocket frame's header in words
//! (`== Frame: FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x1 (text) MASK=1 key=… length=5`).
//! Credentials in the heads (and a SOCKS5 password) are masked unless `--show-secrets`.
//!
//! Only printable ASCII reaches the output (anything else is a `.`, as curl does), so a
//! trace on a terminal needs no escaping. The taps are made only when a trace is asked
//! for: without one, no stream is wrapped.

mod dump;
mod wire;

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::net::tap::{Tap, Taps};
use wire::{Block, Reader};

/// Where the trace goes and how it looks; one for the run, shared by its connections.
#[derive(Debug, Clone)]
pub struct Tracer(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    out: Mutex<Out>,
    ascii: bool,
    show_secrets: bool,
}

#[derive(Debug)]
enum Out {
    Stderr,
    File(File),
    /// Writing failed once (said then): the trace stops.
    Failed,
}

impl Tracer {
    /// The trace to `path` (created now; `-` is stderr), in hex and ASCII or ASCII only.
    pub fn create(path: &Path, ascii: bool, show_secrets: bool) -> io::Result<Tracer> {
        let out = if path == Path::new("-") { Out::Stderr } else { Out::File(File::create(path)?) };
        Ok(Tracer(Arc::new(Inner { out: Mutex::new(out), ascii, show_secrets })))
    }

    /// Write `text` (whole lines) at once; the first failure is said and ends the trace.
    fn write(&self, text: &str) {
        let mut out = self.0.out.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let result = match &mut *out {
            Out::Stderr => io::stderr().lock().write_all(text.as_bytes()),
            Out::File(f) => f.write_all(text.as_bytes()),
            Out::Failed => return,
        };
        if let Err(e) = result {
            *out = Out::Failed;
            super::say(&format!("warning: cannot write the trace: {}; tracing stopped", crate::words::os_words(&e)));
        }
    }
}

impl Taps for Tracer {
    fn open(&self, what: &str) -> Box<dyn Tap> {
        self.write(&format!("{} == Info: {what}\n", clock()));
        Box::new(Connection {
            tracer: self.clone(),
            sent: Reader::new(true, self.0.show_secrets),
            received: Reader::new(false, self.0.show_secrets),
            switched: false,
            ended: false,
        })
    }
}

/// The tap on one connection: its two directions, read apart.
#[derive(Debug)]
struct Connection {
    tracer: Tracer,
    sent: Reader,
    received: Reader,
    /// The answer was a 101: frames follow in both directions.
    switched: bool,
    /// The end of the received stream was said.
    ended: bool,
}

impl Tap for Connection {
    fn sent(&mut self, bytes: &[u8]) {
        let blocks = self.sent.feed(bytes, &mut self.switched);
        self.tracer.write(&render(&clock(), true, &blocks, self.tracer.0.ascii));
    }

    fn received(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            if !std::mem::replace(&mut self.ended, true) {
                self.tracer.write(&format!("{} == Info: the peer closed the connection (end of stream)\n", clock()));
            }
            return;
        }
        let blocks = self.received.feed(bytes, &mut self.switched);
        self.tracer.write(&render(&clock(), false, &blocks, self.tracer.0.ascii));
    }
}

/// The blocks of one read or write in curl's layout: a line naming each (`=> Send header,
/// 187 bytes (0xbb)`), then its bytes, with each frame's annotation before the frame.
fn render(clock: &str, sending: bool, blocks: &[Block], ascii: bool) -> String {
    let mut out = String::new();
    for block in blocks {
        let (arrow, verb) = if sending { ("=>", "Send") } else { ("<=", "Recv") };
        let kind = if block.header { "header" } else { "data" };
        let n = block.bytes.len();
        let _ = writeln!(out, "{clock} {arrow} {verb} {kind}, {n} bytes (0x{n:x})");
        let mut from = 0;
        for (at, note) in &block.notes {
            dump::dump(&mut out, &block.bytes[from..*at], from, ascii);
            let _ = writeln!(out, "== {note}");
            from = *at;
        }
        dump::dump(&mut out, &block.bytes[from..], from, ascii);
    }
    out
}

/// The wall-clock time of day, as curl's `--trace-time`: `HH:MM:SS.uuuuuu` (local time).
fn clock() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = libc::time_t::try_from(now.as_secs()).unwrap_or(0);
    // SAFETY: localtime_r writes only into `tm`, which lives for the call.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = !unsafe { libc::localtime_r(&secs, &mut tm) }.is_null();
    let (h, m, s) = if ok { (tm.tm_hour, tm.tm_min, tm.tm_sec) } else { (0, 0, 0) };
    format!("{h:02}:{m:02}:{s:02}.{:06}", now.subsec_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_with_the_head_and_a_frame_is_two_blocks_the_frame_annotated() {
        let mut switched = false;
        let mut r = Reader::new(false, false);
        let mut bytes = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".to_vec();
        bytes.extend_from_slice(&[0x81, 0x02, b'h', b'i']);
        let blocks = r.feed(&bytes, &mut switched);
        assert!(switched);
        let text = render("12:00:00.000000", false, &blocks, true);
        assert_eq!(
            text,
            "12:00:00.000000 <= Recv header, 56 bytes (0x38)\n\
             0000: HTTP/1.1 101 Switching Protocols\n\
             0022: Upgrade: websocket\n\
             0036: \n\
             12:00:00.000000 <= Recv data, 4 bytes (0x4)\n\
             == Frame: FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x1 (text) MASK=0 length=2\n\
             0000: ..hi\n"
        );
    }

    #[test]
    fn the_clock_has_curls_trace_time_shape() {
        let c = clock();
        assert_eq!(c.len(), 15, "{c}");
        assert_eq!((&c[2..3], &c[5..6], &c[8..9]), (":", ":", "."), "{c}");
    }
}
