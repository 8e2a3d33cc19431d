//! Per-message compression (RFC 7692 §7.2): raw DEFLATE with the agreed window, the
//! `00 00 ff ff` tail stripped when sending and put back when receiving, and a hard cap on
//! the inflated size that is checked while inflating, so that a small message which
//! inflates to gigabytes stops at the cap having used at most the cap in memory.
//!
//! zlib cannot compress with an 8-bit window; 8 is widened to 9 on both sides, as python
//! websockets does. That is safe for a peer that inflates with 8 bits: a 9-bit deflater never
//! refers further back than 512 − 262 = 250 bytes (zlib's `MAX_DIST`).

use std::io;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// What every sync-flushed message ends with, and what the receiver puts back (§7.2.1, §7.2.2).
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// A DEFLATE stream may end (BFINAL) and a new one follow within a message (§7.2.3.4); each
/// restart copies the window, so their number per message is bounded.
const MAX_FINAL_BLOCKS: usize = 64;

/// The least the output grows by while inflating.
const MIN_GROW: usize = 1024;

fn bits(window_bits: u8) -> u8 {
    window_bits.clamp(9, 15)
}

/// Compresses the messages one end sends.
pub struct Compressor {
    z: Compress,
    no_context_takeover: bool,
}

impl Compressor {
    /// `window_bits` 8–15 as agreed for our side; `no_context_takeover`: reset after each message.
    pub fn new(window_bits: u8, no_context_takeover: bool) -> Compressor {
        Compressor {
            z: Compress::new_with_window_bits(Compression::default(), false, bits(window_bits)),
            no_context_takeover,
        }
    }

    /// The payload of one compressed message: DEFLATE blocks, sync-flushed, tail removed.
    pub fn compress(&mut self, data: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        let mut input = data;
        loop {
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(64));
            }
            let before = self.z.total_in();
            self.z
                .compress_vec(input, &mut out, FlushCompress::Sync)
                .map_err(|e| io::Error::other(format!("deflate failed: {e}")))?;
            input = &input[(self.z.total_in() - before) as usize..];
            // Done when all input is in and the flush left room: nothing more is pending.
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
        }
        if self.no_context_takeover {
            self.z.reset();
        }
        if out.ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
        } else if !out.is_empty() {
            return Err(io::Error::other("deflate did not end the message with a sync flush"));
        }
        if out.is_empty() {
            // Nothing new since the last flush (an empty message with context takeover): an
            // empty stored block, which the receiver completes with the tail (§7.2.3.6).
            out.push(0x00);
        }
        Ok(out)
    }
}

/// Why a message could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InflateError {
    /// It inflates to more than `max` bytes; `size` is how far it got (at least `max + 1`).
    TooBig { size: usize, max: usize },
    /// The data is not DEFLATE, one line saying why.
    Invalid(String),
}

impl std::fmt::Display for InflateError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            InflateError::TooBig { size, max } => write!(f, "inflates to {size} bytes or more, over the {max} allowed"),
            InflateError::Invalid(why) => write!(f, "invalid compressed data: {why}"),
        }
    }
}

/// Inflates the messages the peer sends, one message at a time: [`Inflater::push`] each
/// fragment's payload as it arrives, then [`Inflater::finish`].
pub struct Inflater {
    z: Decompress,
    window: usize,
    no_context_takeover: bool,
    /// The last `window` bytes inflated before this message (context takeover only): the
    /// dictionary to restart with when a stream ends mid-message.
    history: Vec<u8>,
    final_blocks: usize,
    /// Compressed bytes pushed for the current message.
    pushed: usize,
}

impl Inflater {
    /// `window_bits` 8–15 as agreed for the peer's side; `no_context_takeover`: the peer resets
    /// after each message, so do we.
    pub fn new(window_bits: u8, no_context_takeover: bool) -> Inflater {
        let b = bits(window_bits);
        Inflater {
            z: Decompress::new_with_window_bits(false, b),
            window: 1 << b,
            no_context_takeover,
            history: Vec::new(),
            final_blocks: 0,
            pushed: 0,
        }
    }

    /// Inflate one whole message.
    pub fn inflate(&mut self, compressed: &[u8], max: usize) -> Result<Vec<u8>, InflateError> {
        let mut out = Vec::new();
        self.push(compressed, &mut out, max)?;
        self.finish(&mut out, max)?;
        Ok(out)
    }

    /// Inflate part of a message's payload, appending to `out` (this message's output so far),
    /// which never grows past `max + 1` bytes.
    pub fn push(&mut self, compressed: &[u8], out: &mut Vec<u8>, max: usize) -> Result<(), InflateError> {
        self.pushed += compressed.len();
        self.run(compressed, out, max)
    }

    /// End the message: the tail goes in, the context is kept or dropped as agreed.
    pub fn finish(&mut self, out: &mut Vec<u8>, max: usize) -> Result<(), InflateError> {
        if self.pushed == 0 {
            // The tail alone is an unfinished stored block: the stream would swallow the next
            // message as its content. An empty message compresses to `00` (§7.2.3.6).
            return Err(InflateError::Invalid("a compressed message with an empty payload".into()));
        }
        self.run(&TAIL, out, max)?;
        self.pushed = 0;
        self.final_blocks = 0;
        if self.no_context_takeover {
            self.z.reset(false);
        } else {
            self.remember(out);
        }
        Ok(())
    }

    fn run(&mut self, mut input: &[u8], out: &mut Vec<u8>, max: usize) -> Result<(), InflateError> {
        let limit = max.saturating_add(1);
        loop {
            if out.len() > max {
                return Err(InflateError::TooBig { size: out.len(), max });
            }
            if out.len() == out.capacity() {
                let want = out.len().max(input.len().saturating_mul(4)).max(MIN_GROW);
                let target = limit.min(out.len().saturating_add(want));
                out.reserve_exact(target - out.len());
            }
            let (in_before, out_before) = (self.z.total_in(), self.z.total_out());
            let status = self
                .z
                .decompress_vec(input, out, FlushDecompress::Sync)
                .map_err(|e| InflateError::Invalid(e.message().unwrap_or("the DEFLATE data is corrupt").to_string()))?;
            let used = (self.z.total_in() - in_before) as usize;
            let made = (self.z.total_out() - out_before) as usize;
            input = &input[used..];
            if status == Status::StreamEnd {
                self.restart(out)?;
                if input.is_empty() {
                    return Ok(());
                }
                continue;
            }
            // With room left over, zlib has taken all the input it can and given all it has.
            if out.len() < out.capacity() && (input.is_empty() || (used == 0 && made == 0)) {
                if !input.is_empty() {
                    return Err(InflateError::Invalid("inflate stopped before the end of the data".into()));
                }
                return Ok(());
            }
        }
    }

    /// A block with BFINAL set ended the DEFLATE stream; blocks may follow in the same message
    /// (§7.2.1) and refer back past it, so a new stream starts with the window as dictionary.
    fn restart(&mut self, out: &[u8]) -> Result<(), InflateError> {
        self.final_blocks += 1;
        if self.final_blocks > MAX_FINAL_BLOCKS {
            return Err(InflateError::Invalid(format!(
                "more than {MAX_FINAL_BLOCKS} final DEFLATE blocks in one message"
            )));
        }
        self.z.reset(false);
        let dictionary = if out.len() >= self.window {
            out[out.len() - self.window..].to_vec()
        } else {
            let keep = self.history.len().min(self.window - out.len());
            [&self.history[self.history.len() - keep..], out].concat()
        };
        if !dictionary.is_empty() {
            self.z.set_dictionary(&dictionary).map_err(|e| InflateError::Invalid(e.to_string()))?;
        }
        Ok(())
    }

    /// Keep the last window of output for a possible restart in a later message.
    fn remember(&mut self, out: &[u8]) {
        if out.len() >= self.window {
            self.history.clear();
            self.history.extend_from_slice(&out[out.len() - self.window..]);
        } else {
            self.history.extend_from_slice(out);
            if self.history.len() > 2 * self.window {
                self.history.drain(..self.history.len() - self.window);
            }
        }
    }
}

#[cfg(test)]
#[path = "tests/codec.rs"]
mod tests;
