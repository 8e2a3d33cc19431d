//! The echo loop after the 101: every text and binary message back to the client, in
//! batches over a non-blocking socket; tungstenite (or `DeflateSocket`) answers pings and Close.
//! A client that breaks the framing rules gets the Close code RFC 6455 §7.4.1 names for it
//! (strict serve).

use std::io;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use tungstenite::error::{CapacityError, ProtocolError};
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Error, Message};

use crate::session::{Framing, would_block};

/// How many echoes may wait in the write buffer before they must be flushed.
const ECHO_BATCH: usize = 256;

/// Echo text and binary messages until the peer closes; tungstenite answers pings and Close.
/// The socket is non-blocking: everything readable is echoed into the write buffer and
/// flushed once, so a burst of messages costs one write, not one per message. `strict`: a
/// client that breaks the framing rules gets a Close saying why (RFC 6455 §7.1.7) before
/// the connection ends; otherwise the connection is just dropped (`--lenient`).
pub(super) fn echo(mut ws: impl Framing, strict: bool) {
    let fd = ws.channel().raw_fd();
    let mut queued = 0;
    loop {
        match ws.read() {
            Ok(msg @ (Message::Text(_) | Message::Binary(_))) => {
                match ws.write(msg) {
                    Ok(()) => {}
                    Err(e) if would_block(&e) => {}
                    Err(_) => return,
                }
                queued += 1;
                if queued >= ECHO_BATCH {
                    if !flush(&mut ws, fd) {
                        return;
                    }
                    queued = 0;
                }
            }
            Ok(_) => {}
            Err(e) if would_block(&e) => {
                if !flush(&mut ws, fd) {
                    return;
                }
                queued = 0;
                if !wait(fd, libc::POLLIN, None) {
                    return;
                }
            }
            Err(e) => {
                if strict && let Some(close) = close_for(&e) {
                    fail(&mut ws, fd, close);
                }
                return;
            }
        }
    }
}

/// How long a failed connection waits for the client's Close before it is dropped.
const LINGER: Duration = Duration::from_secs(1);

/// The Close that answers a client's broken frame: 1007 for text that is not UTF-8, 1009
/// for a message over the limit, 1002 for any other protocol error (RFC 6455 §7.4.1);
/// `None` for what is not the client's fault (the connection is gone).
fn close_for(e: &Error) -> Option<CloseFrame> {
    let (code, why) = match e {
        Error::Utf8(_) => (CloseCode::Invalid, "text that is not UTF-8".to_string()),
        // DeflateSocket: the compressed data did not inflate (RFC 7692 §8).
        Error::AttackAttempt => (CloseCode::Invalid, "data that does not inflate".to_string()),
        Error::Capacity(CapacityError::MessageTooLong { .. }) => (CloseCode::Size, "message too big".to_string()),
        // The client went away: there is no one to tell.
        Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => return None,
        Error::Protocol(p) => (CloseCode::Protocol, p.to_string()),
        _ => return None,
    };
    // A Close reason is at most 123 bytes (RFC 6455 §5.5).
    let mut reason = why;
    while reason.len() > 123 {
        reason.pop();
    }
    Some(CloseFrame { code, reason: reason.into() })
}

/// Fail the WebSocket connection (RFC 6455 §7.1.7): send `close` and end the sending side,
/// then read until the client's end of stream (at most [`LINGER`]), so that closing with
/// unread bytes does not reset the connection before the client has read the Close.
fn fail(ws: &mut impl Framing, fd: RawFd, close: CloseFrame) {
    // The Close is queued even when the socket cannot take it at once.
    let _ = ws.close(Some(close));
    if !flush(ws, fd) {
        return;
    }
    // SAFETY: a socket this thread owns; its writing side is done.
    unsafe { libc::shutdown(fd, libc::SHUT_WR) };
    let until = Instant::now() + LINGER;
    loop {
        match ws.read() {
            Ok(_) => {}
            Err(e) if would_block(&e) => {
                if !wait(fd, libc::POLLIN, Some(until)) {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

/// Write out everything buffered, waiting for the socket as needed; false when the connection is gone.
fn flush(ws: &mut impl Framing, fd: RawFd) -> bool {
    loop {
        match ws.flush() {
            Ok(()) => return true,
            Err(e) if would_block(&e) => {
                if !wait(fd, libc::POLLOUT, None) {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
}

/// Block until `fd` is ready for `events` (or has failed); false on a poll error, or when
/// `until` comes first.
fn wait(fd: RawFd, events: libc::c_short, until: Option<Instant>) -> bool {
    let mut pfd = libc::pollfd { fd, events, revents: 0 };
    loop {
        let timeout = until.map_or(-1, |u| {
            let left = u.saturating_duration_since(Instant::now()).as_millis();
            left.min(i32::MAX as u128) as i32
        });
        // SAFETY: one valid pollfd, for a socket this thread owns.
        let n = unsafe { libc::poll(&mut pfd, 1, timeout) };
        // Without `until` the timeout is -1: poll returns 0 only when `until` has passed.
        if n > 0 {
            return true;
        }
        if n == 0 {
            return false;
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return false;
        }
    }
}
