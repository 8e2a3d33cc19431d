//! The frame parser under the [tap](super::tap): one per direction, fed bytes in any
//! pieces; it skips DATA payloads without buffering them, assembles header blocks from
//! HEADERS/PUSH_PROMISE and CONTINUATION frames (padding and priority fields removed) and
//! decodes each with the direction's HPACK decoder, in order.

use loona_hpack::Decoder;

use super::tap::{Dir, PREFACE, Record, Setting};

/// The largest header block decoded (all its frames); a larger one stops the tap's HPACK.
const MAX_BLOCK: usize = 1 << 20;
/// Header bytes (names and values) kept per block; the rest is decoded and dropped.
const MAX_FIELDS_BYTES: usize = 64 * 1024;
/// The largest SETTINGS payload parsed (6 bytes per setting).
const MAX_SETTINGS: usize = 64 * 1024;
/// GOAWAY debug data kept, and raw bytes kept when a direction is not HTTP/2.
pub(super) const MAX_DEBUG: usize = 256;
/// The largest dynamic table a decoder keeps, whatever the peer advertises.
const MAX_TABLE: usize = 1 << 20;

/// A header block being assembled from HEADERS/PUSH_PROMISE and CONTINUATION frames.
struct Block {
    stream: u32,
    end_stream: bool,
    bytes: Vec<u8>,
}

/// The frame parser of one direction.
pub(super) struct Parser {
    dir: Dir,
    /// Bytes of the client preface still to see.
    preface: usize,
    head: [u8; 9],
    head_len: usize,
    /// The frame whose payload is being read: (type, flags, stream, length).
    frame: Option<(u8, u8, u32, usize)>,
    /// Payload bytes still to come, and how many of them to keep in `payload`.
    left: usize,
    keep: usize,
    pub(super) payload: Vec<u8>,
    block: Option<Block>,
    decoder: Decoder<'static>,
    /// False once a header block could not be decoded: the dynamic table is lost.
    hpack: bool,
    /// Nothing more is parsed in this direction.
    dead: bool,
    seen_frame: bool,
    pub(super) closed: bool,
    /// The first bytes of this direction, shown when they are not HTTP/2.
    start: Vec<u8>,
}

impl Parser {
    pub(super) fn new(dir: Dir, preface: bool) -> Parser {
        let mut decoder = Decoder::new();
        decoder.set_max_allowed_table_size(4096);
        Parser {
            dir,
            preface: if preface { PREFACE.len() } else { 0 },
            head: [0; 9],
            head_len: 0,
            frame: None,
            left: 0,
            keep: 0,
            payload: Vec::new(),
            block: None,
            decoder,
            hpack: true,
            dead: false,
            seen_frame: false,
            closed: false,
            start: Vec::new(),
        }
    }

    /// The peer of this direction's encoder allowed a table this large (never less than
    /// the initial 4096: a size update must come first, RFC 7541 §4.2).
    pub(super) fn allow_table(&mut self, size: usize) {
        self.decoder.set_max_allowed_table_size(size.clamp(4096, MAX_TABLE));
    }

    fn garble(&mut self, why: impl Into<String>, bytes: &[u8], out: &mut Vec<Record>) {
        self.dead = true;
        let bytes = bytes[..bytes.len().min(MAX_DEBUG)].to_vec();
        out.push(Record::Garbled { dir: self.dir, why: why.into(), bytes });
    }

    pub(super) fn feed(&mut self, mut data: &[u8], out: &mut Vec<Record>) {
        if !self.dead && self.start.len() < MAX_DEBUG {
            self.start.extend_from_slice(&data[..data.len().min(MAX_DEBUG - self.start.len())]);
        }
        while !data.is_empty() && !self.dead {
            if self.preface > 0 {
                let at = PREFACE.len() - self.preface;
                let n = self.preface.min(data.len());
                if data[..n] != PREFACE[at..at + n] {
                    let start = std::mem::take(&mut self.start);
                    return self.garble("not the HTTP/2 connection preface", &start, out);
                }
                self.preface -= n;
                data = &data[n..];
            } else if self.frame.is_none() {
                let n = (9 - self.head_len).min(data.len());
                self.head[self.head_len..self.head_len + n].copy_from_slice(&data[..n]);
                self.head_len += n;
                data = &data[n..];
                if self.head_len == 9 {
                    self.head_len = 0;
                    self.start_frame(out);
                }
            } else {
                let n = self.left.min(data.len());
                let keep = n.min(self.keep - self.payload.len());
                self.payload.extend_from_slice(&data[..keep]);
                self.left -= n;
                data = &data[n..];
                if self.left == 0 {
                    self.end_frame(out);
                }
            }
        }
    }

    fn start_frame(&mut self, out: &mut Vec<Record>) {
        let h = self.head;
        let len = (usize::from(h[0]) << 16) | (usize::from(h[1]) << 8) | usize::from(h[2]);
        let (kind, flags) = (h[3], h[4]);
        let stream = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
        // The peer's first frame is its SETTINGS (RFC 9113 §3.4): anything else is not HTTP/2.
        if !self.seen_frame && kind != 4 {
            let start = std::mem::take(&mut self.start);
            return self.garble("not HTTP/2: the first frame is not SETTINGS", &start, out);
        }
        self.seen_frame = true;
        if self.block.as_ref().is_some_and(|b| kind != 9 || b.stream != stream) {
            return self.garble("a header block interrupted before END_HEADERS", &h, out);
        }
        self.keep = match kind {
            1 | 5 | 9 => len.min(MAX_BLOCK),
            3 => 4,
            4 if len > MAX_SETTINGS => return self.garble("a SETTINGS frame too large to parse", &h, out),
            4 => len,
            7 => len.min(8 + MAX_DEBUG),
            _ => 0,
        };
        self.frame = Some((kind, flags, stream, len));
        self.left = len;
        self.payload.clear();
        if len == 0 {
            self.end_frame(out);
        }
    }

    fn end_frame(&mut self, out: &mut Vec<Record>) {
        let Some((kind, flags, stream, len)) = self.frame.take() else { return };
        let payload = std::mem::take(&mut self.payload);
        let dir = self.dir;
        match kind {
            0 if flags & 1 != 0 => out.push(Record::EndStream { dir, stream }),
            1 | 5 if len > MAX_BLOCK => self.garble("a header block too large for the tap", &payload, out),
            1 | 5 => {
                let Some(fragment) = fragment(kind, flags, &payload, len) else {
                    return self.garble("a header frame whose padding or priority does not fit", &payload, out);
                };
                let end_stream = kind == 1 && flags & 1 != 0;
                self.block = Some(Block { stream, end_stream, bytes: fragment.to_vec() });
                self.block_fragment_done(flags, out);
            }
            9 => {
                if let Some(b) = self.block.as_mut() {
                    b.bytes.extend_from_slice(&payload);
                }
                self.block_fragment_done(flags, out);
            }
            3 if payload.len() == 4 => {
                let code = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
                out.push(Record::Reset { dir, stream, code });
            }
            4 if len % 6 != 0 => self.garble("a SETTINGS frame whose length is not a multiple of 6", &payload, out),
            4 => {
                let settings = payload
                    .chunks_exact(6)
                    .map(|c| Setting {
                        id: u16::from_be_bytes([c[0], c[1]]),
                        value: u32::from_be_bytes([c[2], c[3], c[4], c[5]]),
                    })
                    .collect();
                out.push(Record::Settings { dir, ack: flags & 1 != 0, settings });
            }
            7 if payload.len() >= 8 => {
                let last_stream = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]) & 0x7fff_ffff;
                let code = u32::from_be_bytes([payload[4], payload[5], payload[6], payload[7]]);
                out.push(Record::GoAway { dir, last_stream, code, debug: payload[8..].to_vec() });
            }
            3 | 7 => self.garble("an RST_STREAM or GOAWAY frame too short", &payload, out),
            _ => {}
        }
    }

    /// After a fragment of a header block: decode the block when END_HEADERS (0x4) is set.
    fn block_fragment_done(&mut self, flags: u8, out: &mut Vec<Record>) {
        if self.block.as_ref().is_some_and(|b| b.bytes.len() > MAX_BLOCK) {
            self.block = None;
            return self.garble("a header block too large for the tap", &[], out);
        }
        if flags & 4 == 0 {
            return;
        }
        let Some(block) = self.block.take() else { return };
        if !self.hpack {
            return;
        }
        let (mut fields, mut kept, mut truncated) = (Vec::new(), 0, false);
        let decoded = self.decoder.decode_with_cb(&block.bytes, |name, value| {
            kept += name.len() + value.len();
            if kept <= MAX_FIELDS_BYTES {
                fields.push((name.into_owned(), value.into_owned()));
            } else {
                truncated = true;
            }
        });
        match decoded {
            Ok(()) => out.push(Record::Headers {
                dir: self.dir,
                stream: block.stream,
                fields,
                end_stream: block.end_stream,
                truncated,
            }),
            Err(e) => {
                // Without this block the dynamic table is unknown: later blocks cannot be read.
                self.hpack = false;
                let why = format!("a header block HPACK cannot decode ({e})");
                out.push(Record::Garbled {
                    dir: self.dir,
                    why,
                    bytes: block.bytes[..block.bytes.len().min(MAX_DEBUG)].to_vec(),
                });
            }
        }
    }
}

/// The header block fragment of a HEADERS (1) or PUSH_PROMISE (5) payload: without the pad
/// length, priority fields or promised stream id, and without the padding.
fn fragment(kind: u8, flags: u8, payload: &[u8], len: usize) -> Option<&[u8]> {
    if payload.len() != len {
        return None;
    }
    let (mut start, mut pad) = (0, 0);
    if flags & 0x8 != 0 {
        pad = usize::from(*payload.first()?);
        start = 1;
    }
    if kind == 1 && flags & 0x20 != 0 {
        start += 5;
    }
    if kind == 5 {
        start += 4;
    }
    payload.get(start..payload.len().checked_sub(pad)?)
}
