//! WebSocket over HTTP/2 (RFC 8441, SPEC §13): the extended CONNECT, on the h2 crate driven
//! by a current-thread tokio runtime in one helper thread, so the rest of wscheck stays
//! synchronous. Nothing here runs unless HTTP/2 is asked for; the `http2` cargo feature
//! (on by default) leaves it out of a lean build.
//!
//! The seams, for the code that wires it in:
//! - [`client::open`]: a connected [`Transport`] (TLS already done with ALPN `h2`, or plain
//!   for h2c) + an [`client::Offer`] + a deadline → the [`client::Exchange`] as seen on the
//!   wire (the server's SETTINGS, request and response headers in wire order, from [`tap`])
//!   and, on a 2xx, a [`client::Bridge`]: a `UnixStream` that carries the WebSocket frames
//!   exactly as a TCP socket would (mio can poll it), and how the stream ended afterwards.
//! - [`server::serve_connection`]: one accepted connection (h2 by ALPN, or h2c recognised by
//!   [`server::is_h2_preface`]) → every extended CONNECT handed, as a `UnixStream`, to the
//!   same echo loop as HTTP/1.1.
//! - [`Error`]: every way the client side can fail, typed, with what the transcript needs.

pub mod client;
pub mod server;
pub mod tap;

mod bridge;
mod ending;
mod error;
mod frames;
mod io;

pub use error::Error;

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};

/// A connected byte stream with a socket under it: what HTTP/2 runs over. The socket is put
/// in non-blocking mode and waited on; reads and writes go through the stream (so TLS works).
pub trait Transport: Read + Write + Send + Unpin + 'static {
    /// The socket the bytes travel on: owned by the stream, open as long as it lives.
    fn socket(&self) -> RawFd;

    /// `None` for a plain stream (h2c); for TLS, the protocol ALPN selected, if any.
    fn alpn(&self) -> Option<Option<Vec<u8>>> {
        None
    }

    /// What must be sent before the socket is shut for writing (a TLS close_notify).
    fn close(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Transport for std::net::TcpStream {
    fn socket(&self) -> RawFd {
        self.as_raw_fd()
    }
}

impl Transport for std::os::unix::net::UnixStream {
    fn socket(&self) -> RawFd {
        self.as_raw_fd()
    }
}

impl<S: Transport> Transport for native_tls::TlsStream<S> {
    fn socket(&self) -> RawFd {
        self.get_ref().socket()
    }
    fn alpn(&self) -> Option<Option<Vec<u8>>> {
        Some(self.negotiated_alpn().ok().flatten())
    }
    fn close(&mut self) -> std::io::Result<()> {
        self.shutdown()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn socket(&self) -> RawFd {
        (**self).socket()
    }
    fn alpn(&self) -> Option<Option<Vec<u8>>> {
        (**self).alpn()
    }
    fn close(&mut self) -> std::io::Result<()> {
        (**self).close()
    }
}
