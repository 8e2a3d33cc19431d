//! What the traced bytes of one direction are, read as they pass: an HTTP head (its
//! credentials masked), then WebSocket frames after a 101 (each frame's header annotated),
//! or bytes wscheck does not read (a refusal's body, HTTP/2, a SOCKS exchange). Decoded only
//! enough to annotate; nothing here acts on what it reads.

use std::borrow::Cow;

use crate::http1::auth::is_credential;

/// A run of one direction's bytes as the trace shows it: the HTTP head (`header`) or not,
/// the bytes (credentials masked), and the frame annotations at their offsets in `bytes`.
#[derive(Debug, PartialEq, Eq)]
pub struct Block<'a> {
    pub header: bool,
    pub bytes: Cow<'a, [u8]>,
    pub notes: Vec<(usize, String)>,
}

/// One direction of a connection, read across its reads or writes.
#[derive(Debug)]
pub struct Reader {
    sending: bool,
    show_secrets: bool,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Nothing yet: the first bytes say what this is.
    Start,
    Head(Head),
    /// The request was sent; what follows depends on the answer.
    Sent,
    Frames(Frames),
    /// Bytes not read; `socks`: a SOCKS5 exchange, whose password is masked.
    Raw {
        socks: bool,
    },
}

impl Reader {
    pub fn new(sending: bool, show_secrets: bool) -> Reader {
        Reader { sending, show_secrets, state: State::Start }
    }

    /// Read `bytes`, the next of this direction. `switched` is shared by the two directions
    /// of a connection: set when the answer was a 101, after which both carry frames.
    pub fn feed<'a>(&mut self, bytes: &'a [u8], switched: &mut bool) -> Vec<Block<'a>> {
        let mut blocks: Vec<Block<'a>> = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            let (used, block) = match &mut self.state {
                State::Start => {
                    self.state = self.first(rest);
                    continue;
                }
                State::Sent => {
                    self.state = if *switched { State::Frames(Frames::default()) } else { State::Raw { socks: false } };
                    continue;
                }
                State::Head(head) => {
                    let (used, shown, end) = head.feed(rest, self.show_secrets);
                    if let Some(status) = end {
                        self.state = match (self.sending, status) {
                            (true, _) => State::Sent,
                            (false, Some(101)) => {
                                *switched = true;
                                State::Frames(Frames::default())
                            }
                            (false, Some(100..=199)) => State::Head(Head::default()),
                            (false, _) => State::Raw { socks: false },
                        };
                    }
                    (used, Block { header: true, bytes: Cow::Owned(shown), notes: Vec::new() })
                }
                State::Frames(frames) => {
                    let mut notes = Vec::new();
                    frames.feed(rest, &mut notes);
                    (rest.len(), Block { header: false, bytes: Cow::Borrowed(rest), notes })
                }
                State::Raw { socks } => {
                    let shown = if *socks && self.sending && !self.show_secrets { socks_masked(rest) } else { None };
                    let bytes = shown.map_or(Cow::Borrowed(rest), Cow::Owned);
                    (rest.len(), Block { header: false, bytes, notes: Vec::new() })
                }
            };
            at += used;
            match blocks.last_mut() {
                // Two heads in one read (a 100 Continue and the answer) are one block.
                Some(last) if last.header && block.header => last.bytes.to_mut().extend_from_slice(&block.bytes),
                _ => blocks.push(block),
            }
        }
        blocks
    }

    /// What a direction that starts with `bytes` carries: an HTTP head (a request from us,
    /// a status line from the server), else bytes not read (HTTP/2's preface and frames,
    /// SOCKS5's binary exchange).
    fn first(&self, bytes: &[u8]) -> State {
        let prefix = |p: &[u8]| bytes.len().min(p.len()) > 0 && p.starts_with(&bytes[..bytes.len().min(p.len())]);
        let head =
            if self.sending { bytes[0].is_ascii_uppercase() && !prefix(b"PRI * HTTP/2") } else { prefix(b"HTTP/") };
        if head { State::Head(Head::default()) } else { State::Raw { socks: self.sending && bytes[0] == 5 } }
    }
}

/// RFC 1929's username/password request (VER 1, ULEN, UNAME, PLEN, PASSWD), the password
/// masked; None for anything else.
fn socks_masked(bytes: &[u8]) -> Option<Vec<u8>> {
    let ulen = *bytes.get(1)? as usize;
    let plen = *bytes.get(2 + ulen)? as usize;
    if bytes[0] != 1 || bytes.len() != 3 + ulen + plen {
        return None;
    }
    let mut masked = bytes.to_vec();
    masked[3 + ulen..].fill(b'*');
    Some(masked)
}

/// An HTTP head being read: where its lines end, which header each byte belongs to, and
/// the first line (for the status code).
#[derive(Debug, Default)]
struct Head {
    /// 0 inside a line, 1 just after a LF, 2 after a LF and a CR.
    eol: u8,
    line: usize,
    first: Vec<u8>,
    field: Field,
}

#[derive(Debug, Default)]
enum Field {
    #[default]
    None,
    Name(Vec<u8>),
    Value(Mask),
}

/// Where a value is in being masked: not at all; its leading white space (`auth`: an
/// Authorization value, whose scheme is kept); the scheme; the secret.
#[derive(Debug, Clone, Copy)]
enum Mask {
    No,
    Lead { auth: bool },
    Scheme,
    Secret,
}

/// The longest header name and first line kept while reading (enough to know them).
const KEEP: usize = 64;

impl Head {
    /// Read the head's bytes from `bytes`: how many belong to it, those bytes as shown
    /// (credentials masked unless `show_secrets`) and, when the head ended, the status
    /// code of its first line (None for a request line).
    fn feed(&mut self, bytes: &[u8], show_secrets: bool) -> (usize, Vec<u8>, Option<Option<u16>>) {
        let mut shown = Vec::with_capacity(bytes.len());
        for (i, &b) in bytes.iter().enumerate() {
            let (out, ended) = self.step(b, show_secrets);
            shown.push(out);
            if ended {
                return (i + 1, shown, Some(self.status()));
            }
        }
        (bytes.len(), shown, None)
    }

    /// One byte: as shown, and whether it ends the head (an empty line, CRLF or bare LF).
    fn step(&mut self, b: u8, show_secrets: bool) -> (u8, bool) {
        match b {
            b'\n' if self.eol != 0 => return (b, true),
            b'\n' => {
                self.eol = 1;
                self.line += 1;
                return (b, false);
            }
            b'\r' => {
                self.eol = if self.eol == 1 { 2 } else { 0 };
                return (b, false);
            }
            _ => {}
        }
        let line_start = self.eol != 0;
        self.eol = 0;
        if self.line == 0 {
            if self.first.len() < KEEP {
                self.first.push(b);
            }
            return (b, false);
        }
        if line_start {
            self.field = match self.field {
                // An obsolete folded line goes on with the value above it, all of it secret.
                Field::Value(Mask::No) if b == b' ' || b == b'\t' => Field::Value(Mask::No),
                Field::Value(_) if b == b' ' || b == b'\t' => Field::Value(Mask::Lead { auth: false }),
                _ => Field::Name(Vec::new()),
            };
        }
        match &mut self.field {
            Field::None => (b, false),
            Field::Name(name) if b == b':' => {
                let name = String::from_utf8_lossy(name);
                let secret = !show_secrets && is_credential(&name);
                let auth = name.to_ascii_lowercase().ends_with("authorization");
                self.field = Field::Value(if secret { Mask::Lead { auth } } else { Mask::No });
                (b, false)
            }
            Field::Name(name) => {
                if name.len() < KEEP {
                    name.push(b);
                }
                (b, false)
            }
            Field::Value(mask) => {
                let white = b == b' ' || b == b'\t';
                let (next, out) = match *mask {
                    Mask::No => (Mask::No, b),
                    Mask::Lead { .. } if white => (*mask, b),
                    Mask::Lead { auth: true } => (Mask::Scheme, b),
                    Mask::Scheme if !white => (Mask::Scheme, b),
                    Mask::Scheme => (Mask::Secret, b),
                    Mask::Lead { auth: false } | Mask::Secret => (Mask::Secret, b'*'),
                };
                *mask = next;
                (out, false)
            }
        }
    }

    /// The status code of a status line (`HTTP/1.1 101 …`); None for a request line.
    fn status(&self) -> Option<u16> {
        let line = String::from_utf8_lossy(&self.first);
        let mut words = line.split(' ');
        words.next().filter(|w| w.starts_with("HTTP/"))?;
        words.next()?.parse().ok()
    }
}

/// WebSocket frames being read: the header of the next frame, or how much of the current
/// frame's payload is still to come.
#[derive(Debug, Default)]
struct Frames {
    header: [u8; 14],
    have: usize,
    left: u64,
}

impl Frames {
    /// Read `bytes`, adding an annotation for each frame whose header completes in them:
    /// at the frame's first byte, or at 0 when the header began in an earlier read.
    fn feed(&mut self, bytes: &[u8], notes: &mut Vec<(usize, String)>) {
        let mut i = 0;
        while i < bytes.len() {
            if self.left > 0 {
                let skip = self.left.min((bytes.len() - i) as u64);
                self.left -= skip;
                i += skip as usize;
                continue;
            }
            let start = i;
            let split = self.have > 0;
            while i < bytes.len() {
                self.header[self.have] = bytes[i];
                self.have += 1;
                i += 1;
                if self.have >= 2 && self.have == header_len(&self.header) {
                    break;
                }
            }
            if self.have < 2 || self.have < header_len(&self.header) {
                return;
            }
            let header = &self.header[..self.have];
            let (mut text, len) = describe(header);
            let key = if header[1] & 0x80 != 0 { &header[header.len() - 4..] } else { &[0u8; 4][..] };
            // A Close's status code, when its first two payload bytes are in this read.
            if header[0] & 0x0f == 0x8 && len >= 2 && bytes.len() >= i + 2 {
                let code = u16::from_be_bytes([bytes[i] ^ key[0], bytes[i + 1] ^ key[1]]);
                text.push_str(&format!(" code={code}"));
            }
            if header[1] & 0x80 != 0 && len > 0 {
                text.push_str(&unmasked(&bytes[i..], key, len));
            }
            let text = if split { format!("{text} (its header began in the read before)") } else { text };
            notes.push((if split { 0 } else { start }, text));
            self.have = 0;
            self.left = len;
        }
    }
}

/// The most payload bytes shown unmasked in a masked frame's annotation.
const PREVIEW: usize = 48;

/// ` unmasked: "hello"`: the start of a masked payload (what of it is in `rest`), unmasked
/// with `key`, printable ASCII only; `...` when there is more.
fn unmasked(rest: &[u8], key: &[u8], len: u64) -> String {
    let n = rest.len().min(PREVIEW).min(usize::try_from(len).unwrap_or(usize::MAX));
    if n == 0 {
        return String::new();
    }
    let text: String = rest[..n]
        .iter()
        .enumerate()
        .map(|(j, b)| b ^ key[j % 4])
        .map(|b| if (0x20..0x7f).contains(&b) && b != b'"' { b as char } else { '.' })
        .collect();
    let more = if (n as u64) < len { "..." } else { "" };
    format!(" unmasked: \"{text}\"{more}")
}

/// The length of a frame header whose first two bytes are in `h` (RFC 6455 §5.2).
fn header_len(h: &[u8]) -> usize {
    let extended = match h[1] & 0x7f {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    2 + extended + if h[1] & 0x80 != 0 { 4 } else { 0 }
}

/// A frame header in words, and its payload length.
fn describe(h: &[u8]) -> (String, u64) {
    let bit = |byte: u8, n: u8| (byte >> n) & 1;
    let opcode = h[0] & 0x0f;
    let len = match h[1] & 0x7f {
        126 => u64::from(u16::from_be_bytes([h[2], h[3]])),
        127 => u64::from_be_bytes(h[2..10].try_into().unwrap_or_default()),
        n => u64::from(n),
    };
    let mask = if h[1] & 0x80 != 0 {
        let key = &h[h.len() - 4..];
        format!("MASK=1 key={:02x}{:02x}{:02x}{:02x}", key[0], key[1], key[2], key[3])
    } else {
        "MASK=0".to_string()
    };
    let text = format!(
        "Frame: FIN={} RSV1={} RSV2={} RSV3={} opcode=0x{opcode:x} ({}) {mask} length={len}",
        bit(h[0], 7),
        bit(h[0], 6),
        bit(h[0], 5),
        bit(h[0], 4),
        opcode_name(opcode)
    );
    (text, len)
}

fn opcode_name(opcode: u8) -> &'static str {
    match opcode {
        0x0 => "continuation",
        0x1 => "text",
        0x2 => "binary",
        0x8 => "close",
        0x9 => "ping",
        0xa => "pong",
        0x3..=0x7 => "reserved, data",
        _ => "reserved, control",
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
