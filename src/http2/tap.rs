//! A tap on the HTTP/2 byte streams: it parses the frames that cross the wire in both
//! directions and records what the transcript needs and the h2 crate does not expose — the
//! peer's SETTINGS as sent, header blocks in wire order (HPACK-decoded, one decoder per
//! direction, every block decoded so the dynamic tables stay in sync), END_STREAM,
//! RST_STREAM and GOAWAY. It never fails the connection: on bytes it cannot parse it stops
//! parsing that direction and says why. Memory is bounded (see the constants).

use std::collections::VecDeque;

use super::frames::Parser;

/// The client connection preface (RFC 9113 §3.4).
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Records kept from the start of the connection, and from its end.
const KEEP_FIRST: usize = 128;
const KEEP_LAST: usize = 64;

/// Which way bytes went, seen from the tapped endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Written by this endpoint.
    Out,
    /// Read from the peer.
    In,
}

/// One setting as it was on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    pub id: u16,
    pub value: u32,
}

impl Setting {
    /// The setting's name from RFC 9113 §6.5.2 and RFC 8441 §3, or its number in hex.
    pub fn name(&self) -> String {
        match self.id {
            1 => "HEADER_TABLE_SIZE".into(),
            2 => "ENABLE_PUSH".into(),
            3 => "MAX_CONCURRENT_STREAMS".into(),
            4 => "INITIAL_WINDOW_SIZE".into(),
            5 => "MAX_FRAME_SIZE".into(),
            6 => "MAX_HEADER_LIST_SIZE".into(),
            8 => "ENABLE_CONNECT_PROTOCOL".into(),
            9 => "NO_RFC7540_PRIORITIES".into(),
            id => format!("0x{id:x}"),
        }
    }
}

/// A header field as decoded: name and value exactly as the bytes came (HPACK names are
/// lower case on the wire in HTTP/2; nothing here changes them).
pub type Field = (Vec<u8>, Vec<u8>);

/// An HTTP/2 error code by name (RFC 9113 §7): one list, `http1::not_http`'s.
pub use crate::http1::h2_error_name as error_name;

/// What the tap saw, in wire order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Settings {
        dir: Dir,
        ack: bool,
        settings: Vec<Setting>,
    },
    /// A complete header block (HEADERS or PUSH_PROMISE and its CONTINUATIONs).
    Headers {
        dir: Dir,
        stream: u32,
        fields: Vec<Field>,
        end_stream: bool,
        truncated: bool,
    },
    /// END_STREAM on a DATA frame.
    EndStream {
        dir: Dir,
        stream: u32,
    },
    Reset {
        dir: Dir,
        stream: u32,
        code: u32,
    },
    GoAway {
        dir: Dir,
        last_stream: u32,
        code: u32,
        debug: Vec<u8>,
    },
    /// The byte stream in this direction ended (EOF or an I/O error).
    Closed {
        dir: Dir,
    },
    /// The tap stopped understanding this direction: why, and the first bytes of the frame.
    Garbled {
        dir: Dir,
        why: String,
        bytes: Vec<u8>,
    },
}

/// Both directions of one connection.
pub struct Tap {
    out: Parser,
    inbound: Parser,
    first: Vec<Record>,
    last: VecDeque<Record>,
    /// Records dropped between `first` and `last`.
    pub dropped: usize,
}

impl Tap {
    /// A tap on the client side: the preface is expected on the outgoing bytes.
    pub fn client() -> Tap {
        Tap::new(Dir::Out)
    }

    /// A tap on the server side: the preface is expected on the incoming bytes.
    pub fn server() -> Tap {
        Tap::new(Dir::In)
    }

    fn new(preface: Dir) -> Tap {
        Tap {
            out: Parser::new(Dir::Out, preface == Dir::Out),
            inbound: Parser::new(Dir::In, preface == Dir::In),
            first: Vec::new(),
            last: VecDeque::new(),
            dropped: 0,
        }
    }

    /// Feed bytes that went `dir`.
    pub fn feed(&mut self, dir: Dir, bytes: &[u8]) {
        let mut found = Vec::new();
        let (parser, other) = match dir {
            Dir::Out => (&mut self.out, &mut self.inbound),
            Dir::In => (&mut self.inbound, &mut self.out),
        };
        parser.feed(bytes, &mut found);
        for r in &found {
            // A HEADER_TABLE_SIZE sent one way bounds the table the other way's encoder uses.
            if let Record::Settings { ack: false, settings, .. } = r {
                for s in settings.iter().filter(|s| s.id == 1) {
                    other.allow_table(s.value as usize);
                }
            }
        }
        found.into_iter().for_each(|r| self.push(r));
    }

    /// The byte stream going `dir` ended.
    pub fn closed(&mut self, dir: Dir) {
        let parser = if dir == Dir::Out { &mut self.out } else { &mut self.inbound };
        if !parser.closed {
            parser.closed = true;
            self.push(Record::Closed { dir });
        }
    }

    fn push(&mut self, r: Record) {
        if self.first.len() < KEEP_FIRST {
            self.first.push(r);
            return;
        }
        if self.last.len() == KEEP_LAST {
            self.last.pop_front();
            self.dropped += 1;
        }
        self.last.push_back(r);
    }

    /// Everything recorded, in order (with a gap of `dropped` records on a long connection).
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.first.iter().chain(self.last.iter())
    }

    /// The first SETTINGS frame (not an ACK) that went `dir`.
    pub fn settings(&self, dir: Dir) -> Option<&[Setting]> {
        self.records().find_map(|r| match r {
            Record::Settings { dir: d, ack: false, settings } if *d == dir => Some(settings.as_slice()),
            _ => None,
        })
    }

    /// The first header block that went `dir` on `stream` (for `Dir::Out` on a client:
    /// the request; for `Dir::In`, the response or a 1xx before it).
    pub fn headers(&self, dir: Dir, stream: u32) -> Option<&[Field]> {
        self.records().find_map(|r| match r {
            Record::Headers { dir: d, stream: s, fields, .. } if *d == dir && *s == stream => Some(fields.as_slice()),
            _ => None,
        })
    }

    /// The first header block that went `dir`, whatever its stream: (stream, fields).
    pub fn first_headers(&self, dir: Dir) -> Option<(u32, &[Field])> {
        self.records().find_map(|r| match r {
            Record::Headers { dir: d, stream, fields, .. } if *d == dir => Some((*stream, fields.as_slice())),
            _ => None,
        })
    }

    /// Why the tap stopped understanding `dir`, with the first bytes, if it did.
    pub fn garbled(&self, dir: Dir) -> Option<(&str, &[u8])> {
        self.records().find_map(|r| match r {
            Record::Garbled { dir: d, why, bytes } if *d == dir => Some((why.as_str(), bytes.as_slice())),
            _ => None,
        })
    }
}

#[cfg(test)]
#[path = "tap_tests.rs"]
mod tests;
