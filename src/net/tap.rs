//! A byte tap on a connection, for `--trace`: every byte a connection sends and receives,
//! handed to a [`Tap`] as it crosses. Above TLS ([`Traced`] wraps the connected
//! [`Stream`], so a wss tap sees the decrypted bytes), and on the bare TCP stream while a
//! proxy's tunnel is being opened (the CONNECT or SOCKS exchange, see `Tcp`). Nothing
//! here knows what the bytes mean; `report::trace` reads and writes them. Without
//! `--trace` no tap exists and the stream is never wrapped.

use std::fmt;
use std::io::{self, Read, Write};

use super::Stream;

/// What sees the bytes of one connection (or of one phase of it: a proxy's tunnel).
pub trait Tap: Send + fmt::Debug {
    /// Bytes written, as the write took them.
    fn sent(&mut self, bytes: &[u8]);
    /// Bytes read, as the read gave them; empty at the end of the stream.
    fn received(&mut self, bytes: &[u8]);
}

/// Where taps come from: one per connection, named for the trace (`what`).
pub trait Taps: Send + Sync + fmt::Debug {
    fn open(&self, what: &str) -> Box<dyn Tap>;
}

/// A connected stream whose bytes a tap sees.
pub struct Traced {
    pub(super) inner: Stream,
    tap: Box<dyn Tap>,
}

impl Traced {
    pub fn new(inner: Stream, tap: Box<dyn Tap>) -> Traced {
        Traced { inner, tap }
    }
}

impl fmt::Debug for Traced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Traced").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl Read for Traced {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        // A read into no room says nothing of the stream's end.
        if n > 0 || !buf.is_empty() {
            self.tap.received(&buf[..n]);
        }
        Ok(n)
    }
}

impl Write for Traced {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.tap.sent(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{ConnectOptions, Deadline, connect};
    use crate::target::Target;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// What the taps saw: (sent, bytes) in order.
    type Seen = Arc<Mutex<Vec<(bool, Vec<u8>)>>>;

    /// Taps that keep what they see.
    #[derive(Debug, Default)]
    struct Keep(Seen);

    #[derive(Debug)]
    struct Kept(Seen);

    impl Tap for Kept {
        fn sent(&mut self, bytes: &[u8]) {
            self.0.lock().unwrap().push((true, bytes.to_vec()));
        }
        fn received(&mut self, bytes: &[u8]) {
            self.0.lock().unwrap().push((false, bytes.to_vec()));
        }
    }

    impl Taps for Keep {
        fn open(&self, _what: &str) -> Box<dyn Tap> {
            Box::new(Kept(self.0.clone()))
        }
    }

    #[test]
    fn a_stream_is_wrapped_only_when_a_trace_is_asked_for() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let target = Target::parse(&format!("ws://127.0.0.1:{}/", listener.local_addr().unwrap().port())).unwrap();
        let deadline = Deadline { at: Instant::now() + Duration::from_secs(10), by_timeout: false };
        let plain = connect(&target, &ConnectOptions::default(), deadline, &mut |_| {}).unwrap();
        assert!(matches!(plain.stream, Stream::Plain(_)), "{:?}", plain.stream);

        let keep = Keep::default();
        let seen = keep.0.clone();
        let opts = ConnectOptions { taps: Some(Arc::new(keep)), ..Default::default() };
        let mut traced = connect(&target, &opts, deadline, &mut |_| {}).unwrap().stream;
        assert!(matches!(traced, Stream::Traced(_)) && !traced.is_tls());
        let _first = listener.accept().unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        traced.write_all(b"ping").unwrap();
        peer.write_all(b"pong").unwrap();
        let mut buf = [0u8; 8];
        let n = traced.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"pong");
        assert_eq!(*seen.lock().unwrap(), vec![(true, b"ping".to_vec()), (false, b"pong".to_vec())]);
    }
}
