//! What the user wants sent, arriving from another thread (stdin lines, the REPL) over a
//! bounded channel, with a waker that interrupts the I/O loop's poll.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;

use tungstenite::Message;

/// How many inputs may wait for the socket before the producer blocks (back-pressure).
pub const QUEUE: usize = 1024;

/// One thing to do on the connection.
#[derive(Debug, PartialEq)]
pub enum Input {
    Send(Message),
    /// Close with this code and reason, then end.
    Close(u16, String),
    /// Nothing more will be sent: start the quiet wait (`--wait`).
    Eof,
    /// Input could not be read; end with a usage error after closing.
    Fail(String),
    /// Show pings and pongs from now on, or stop showing them (the REPL's `/pings`).
    ShowPings(bool),
}

/// Wakes the I/O loop; only the first wake after the loop drained the queue costs a syscall.
#[derive(Clone)]
pub struct Wake {
    waker: Arc<mio::Waker>,
    pending: Arc<AtomicBool>,
}

impl Wake {
    pub fn new(waker: mio::Waker) -> Wake {
        Wake { waker: Arc::new(waker), pending: Arc::new(AtomicBool::new(false)) }
    }
    pub fn wake(&self) {
        if !self.pending.swap(true, Ordering::AcqRel) {
            let _ = self.waker.wake();
        }
    }
    /// Wake the loop even when a wake is already pending: for a signal, which the loop
    /// checks on its own and which must not wait for the next input.
    pub fn nudge(&self) {
        let _ = self.waker.wake();
    }
    /// Called by the loop before it drains the queue.
    pub fn clear(&self) {
        self.pending.store(false, Ordering::Release);
    }
}

/// A sender that wakes the loop after each item; `false` once the loop is gone.
#[derive(Clone)]
pub struct Feed {
    pub tx: SyncSender<Input>,
    pub wake: Wake,
}

impl Feed {
    pub fn send(&self, input: Input) -> bool {
        let ok = self.tx.send(input).is_ok();
        self.wake.wake();
        ok
    }
}

/// Read `input` line by line, each line one message, until EOF. A line longer than
/// `max` bytes is refused rather than buffered without bound.
pub fn pipe(input: impl Read, feed: Feed, binary: bool, max: usize) {
    let mut reader = BufReader::with_capacity(64 * 1024, input);
    let mut line = Vec::new();
    loop {
        line.clear();
        let limit = max.saturating_add(2) as u64;
        match reader.by_ref().take(limit).read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                feed.send(Input::Fail(format!("could not read stdin: {e}")));
                return;
            }
        }
        let ended = line.ends_with(b"\n");
        if ended {
            line.pop();
            if line.ends_with(b"\r") {
                line.pop();
            }
        }
        if line.len() > max || (!ended && line.len() as u64 >= limit) {
            feed.send(Input::Fail(format!("a stdin line is longer than --max-size ({max} bytes)")));
            return;
        }
        let message = if binary {
            Message::Binary(line.clone().into())
        } else {
            match String::from_utf8(line.clone()) {
                Ok(text) => Message::Text(text.into()),
                Err(_) => {
                    feed.send(Input::Fail("a stdin line is not valid UTF-8 (use --binary to send bytes)".into()));
                    return;
                }
            }
        };
        if !feed.send(Input::Send(message)) {
            return;
        }
    }
    feed.send(Input::Eof);
}
