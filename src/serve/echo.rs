//! The echo loop after the 101: every text and binary message back to the client, in
//! batches over a non-blocking socket; tungstenite (or `DeflateSocket`) answers pings and Close.

use std::io::{self, Read, Write};
use std::os::fd::RawFd;

use tungstenite::protocol::WebSocket;
use tungstenite::{Error, Message};

use crate::deflate::DeflateSocket;
use crate::session::would_block;

/// What the echo loop needs of a server-side WebSocket: tungstenite's, or deflate's.
pub(super) trait Echo {
    fn read(&mut self) -> Result<Message, Error>;
    fn write(&mut self, message: Message) -> Result<(), Error>;
    fn flush(&mut self) -> Result<(), Error>;
}

impl<S: Read + Write> Echo for WebSocket<S> {
    fn read(&mut self) -> Result<Message, Error> {
        WebSocket::read(self)
    }
    fn write(&mut self, message: Message) -> Result<(), Error> {
        WebSocket::write(self, message)
    }
    fn flush(&mut self) -> Result<(), Error> {
        WebSocket::flush(self)
    }
}

impl<S: Read + Write> Echo for DeflateSocket<S> {
    fn read(&mut self) -> Result<Message, Error> {
        DeflateSocket::read(self)
    }
    fn write(&mut self, message: Message) -> Result<(), Error> {
        DeflateSocket::write(self, message)
    }
    fn flush(&mut self) -> Result<(), Error> {
        DeflateSocket::flush(self)
    }
}

/// How many echoes may wait in the write buffer before they must be flushed.
const ECHO_BATCH: usize = 256;

/// Echo text and binary messages until the peer closes; tungstenite answers pings and Close.
/// The socket is non-blocking: everything readable is echoed into the write buffer and
/// flushed once, so a burst of messages costs one write, not one per message.
pub(super) fn echo(mut ws: impl Echo, fd: RawFd) {
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
                if !wait(fd, libc::POLLIN) {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

/// Write out everything buffered, waiting for the socket as needed; false when the connection is gone.
fn flush(ws: &mut impl Echo, fd: RawFd) -> bool {
    loop {
        match ws.flush() {
            Ok(()) => return true,
            Err(e) if would_block(&e) => {
                if !wait(fd, libc::POLLOUT) {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
}

/// Block until `fd` is ready for `events` (or has failed); false on a poll error.
fn wait(fd: RawFd, events: libc::c_short) -> bool {
    let mut pfd = libc::pollfd { fd, events, revents: 0 };
    loop {
        // SAFETY: one valid pollfd, for a socket this thread owns.
        let n = unsafe { libc::poll(&mut pfd, 1, -1) };
        if n >= 0 {
            return true;
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return false;
        }
    }
}
