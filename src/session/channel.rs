//! The two seams the session runs over. A [`Channel`] is the byte stream — TCP, TLS, a Unix
//! socket, or the bridge to an HTTP/2 stream — that the loop reads and writes and mio waits
//! on. A [`Framing`] turns it into WebSocket messages: tungstenite's, or wscheck's own when
//! permessage-deflate needs the RSV1 bit that tungstenite's message layer refuses.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};

use tungstenite::protocol::{CloseFrame, WebSocket};
use tungstenite::{Error, Message};

use crate::deflate::{DeflateSocket, WireSize};

/// A byte stream the session loop can wait on.
pub trait Channel: Read + Write {
    /// The descriptor mio waits on for readiness.
    fn raw_fd(&self) -> RawFd;
    /// Switch to non-blocking reads and writes (the loop polls), with no deadline left.
    fn make_nonblocking(&mut self) -> io::Result<()>;
}

/// WebSocket messages over a [`Channel`], with tungstenite's error semantics: `Io(WouldBlock)`
/// when the channel has nothing to give or take, `ConnectionClosed` after a completed close
/// handshake, `Protocol`/`Capacity`/`Utf8` for what the peer got wrong.
pub trait Framing {
    fn read(&mut self) -> Result<Message, Error>;
    /// Queue a message (or a ping/pong); it leaves with the next [`Framing::flush`].
    fn write(&mut self, message: Message) -> Result<(), Error>;
    fn flush(&mut self) -> Result<(), Error>;
    /// Queue a Close (or the answer to the peer's).
    fn close(&mut self, frame: Option<CloseFrame>) -> Result<(), Error>;
    fn channel(&self) -> &dyn Channel;
    fn channel_mut(&mut self) -> &mut dyn Channel;

    /// permessage-deflate is in use: message events carry how they crossed the wire.
    fn deflating(&self) -> bool {
        false
    }
    /// How the data message [`Framing::read`] returned last crossed the wire (deflate only).
    fn last_read(&self) -> Option<WireSize> {
        None
    }
    /// How the data message [`Framing::write`] took last crosses the wire (deflate only).
    fn last_written(&self) -> Option<WireSize> {
        None
    }
    /// The data message a read error broke off, as far as it got (deflate only).
    fn last_failed(&self) -> Option<WireSize> {
        None
    }
    /// Why `read` returned `Error::AttackAttempt`: compressed data that does not inflate.
    fn inflate_error(&self) -> Option<&str> {
        None
    }
    /// The code the peer's Close carried as it came, where the framing keeps it: both
    /// framings hand over an invalid code as 1002 "Protocol violation"; tungstenite keeps no
    /// trace of the original (`None`: unknown).
    fn peer_close_code(&self) -> Option<u16> {
        None
    }
}

impl<C: Channel> Framing for WebSocket<C> {
    fn read(&mut self) -> Result<Message, Error> {
        WebSocket::read(self)
    }
    fn write(&mut self, message: Message) -> Result<(), Error> {
        WebSocket::write(self, message)
    }
    fn flush(&mut self) -> Result<(), Error> {
        WebSocket::flush(self)
    }
    fn close(&mut self, frame: Option<CloseFrame>) -> Result<(), Error> {
        WebSocket::close(self, frame)
    }
    fn channel(&self) -> &dyn Channel {
        self.get_ref()
    }
    fn channel_mut(&mut self) -> &mut dyn Channel {
        self.get_mut()
    }
}

/// wscheck's own framing, for permessage-deflate (RSV1, compression, the inflated-size limit).
impl<C: Channel> Framing for DeflateSocket<C> {
    fn read(&mut self) -> Result<Message, Error> {
        DeflateSocket::read(self)
    }
    fn write(&mut self, message: Message) -> Result<(), Error> {
        DeflateSocket::write(self, message)
    }
    fn flush(&mut self) -> Result<(), Error> {
        DeflateSocket::flush(self)
    }
    fn close(&mut self, frame: Option<CloseFrame>) -> Result<(), Error> {
        DeflateSocket::close(self, frame)
    }
    fn channel(&self) -> &dyn Channel {
        self.get_ref()
    }
    fn channel_mut(&mut self) -> &mut dyn Channel {
        self.get_mut()
    }
    fn deflating(&self) -> bool {
        DeflateSocket::deflating(self)
    }
    fn peer_close_code(&self) -> Option<u16> {
        DeflateSocket::peer_close_code(self)
    }
    fn last_read(&self) -> Option<WireSize> {
        DeflateSocket::last_read(self)
    }
    fn last_written(&self) -> Option<WireSize> {
        DeflateSocket::last_written(self)
    }
    fn last_failed(&self) -> Option<WireSize> {
        DeflateSocket::last_failed(self)
    }
    fn inflate_error(&self) -> Option<&str> {
        DeflateSocket::inflate_error(self)
    }
}

impl Channel for crate::net::Stream {
    fn raw_fd(&self) -> RawFd {
        crate::net::Stream::raw_fd(self)
    }
    fn make_nonblocking(&mut self) -> io::Result<()> {
        self.clear_deadline()?;
        self.set_nonblocking(true)
    }
}

/// The session's end of the bridge to an HTTP/2 stream (or any Unix socket).
impl Channel for std::os::unix::net::UnixStream {
    fn raw_fd(&self) -> RawFd {
        self.as_raw_fd()
    }
    fn make_nonblocking(&mut self) -> io::Result<()> {
        self.set_nonblocking(true)
    }
}

/// `serve`'s accepted connection, plain.
impl Channel for std::net::TcpStream {
    fn raw_fd(&self) -> RawFd {
        self.as_raw_fd()
    }
    fn make_nonblocking(&mut self) -> io::Result<()> {
        self.set_read_timeout(None)?;
        self.set_nonblocking(true)
    }
}

/// `serve`'s accepted connection over TLS: the socket under it is what is polled.
impl Channel for native_tls::TlsStream<std::net::TcpStream> {
    fn raw_fd(&self) -> RawFd {
        self.get_ref().as_raw_fd()
    }
    fn make_nonblocking(&mut self) -> io::Result<()> {
        self.get_mut().make_nonblocking()
    }
}
