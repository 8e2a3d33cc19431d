//! How an HTTP/2 stream ended, in words the transcript can show: END_STREAM, RST_STREAM and
//! GOAWAY with their codes, and a closed connection, each with who did it, in wire order.

use std::sync::mpsc::Receiver;
use std::time::Duration;

use super::tap::{Dir, Record, Tap, error_name};

/// The helper thread's last word: how the stream ended.
#[derive(Debug)]
pub struct Ending(pub(super) Receiver<StreamEnd>);

impl Ending {
    /// Wait at most `limit` for the stream's end (call after closing the socket).
    pub fn wait(self, limit: Duration) -> StreamEnd {
        self.0.recv_timeout(limit).unwrap_or_else(|_| StreamEnd { events: Vec::new(), open: true })
    }
}

/// Who did something to the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// One thing that ended the stream or the connection, as seen on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    EndStream,
    Reset(u32),
    GoAway {
        code: u32,
        last_stream: u32,
    },
    /// The server closed the TCP connection.
    Closed,
}

/// How the stream ended, in wire order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamEnd {
    pub events: Vec<(Side, Ended)>,
    /// True when no ending came from the helper in time.
    pub open: bool,
}

impl StreamEnd {
    /// Each step as the transcript and JSON show it (the `stream_end` event).
    pub fn steps(&self) -> Vec<crate::event::StreamStep> {
        self.events
            .iter()
            .map(|(side, what)| {
                let (frame, code) = match what {
                    Ended::EndStream => ("END_STREAM", None),
                    Ended::Reset(c) => ("RST_STREAM", Some(error_name(*c))),
                    Ended::GoAway { code, .. } => ("GOAWAY", Some(error_name(*code))),
                    Ended::Closed => ("close", None),
                };
                crate::event::StreamStep { server: *side == Side::Server, frame, code }
            })
            .collect()
    }
}

impl std::fmt::Display for StreamEnd {
    /// The words the transcript shows: "server END_STREAM, then client END_STREAM".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.open || self.events.is_empty() {
            return write!(f, "the stream did not end on the wire in time");
        }
        f.write_str(&crate::event::stream_ended(&self.steps()))
    }
}

/// How stream `id` ended, from the tap's records.
pub(super) fn from_tap(tap: &Tap, id: u32) -> StreamEnd {
    let side = |d: &Dir| if *d == Dir::In { Side::Server } else { Side::Client };
    let events = tap
        .records()
        .filter_map(|r| match r {
            Record::Headers { dir, stream, end_stream: true, .. } | Record::EndStream { dir, stream }
                if *stream == id =>
            {
                Some((side(dir), Ended::EndStream))
            }
            Record::Reset { dir, stream, code } if *stream == id => Some((side(dir), Ended::Reset(*code))),
            Record::GoAway { dir, last_stream, code, .. } => {
                Some((side(dir), Ended::GoAway { code: *code, last_stream: *last_stream }))
            }
            Record::Closed { dir: Dir::In } => Some((Side::Server, Ended::Closed)),
            _ => None,
        })
        .collect();
    StreamEnd { events, open: false }
}
