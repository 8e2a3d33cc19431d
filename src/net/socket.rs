//! The connected socket under a deadline: TCP, or a Unix domain socket (`--unix-socket`),
//! whose every read and write ends at the deadline, through TLS too.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A socket of either kind: the few calls the connection needs, the same for both.
#[derive(Debug)]
pub enum Raw {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl From<TcpStream> for Raw {
    fn from(s: TcpStream) -> Raw {
        Raw::Tcp(s)
    }
}

impl From<UnixStream> for Raw {
    fn from(s: UnixStream) -> Raw {
        Raw::Unix(s)
    }
}

impl Raw {
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Raw::Tcp(s) => s.set_read_timeout(t),
            Raw::Unix(s) => s.set_read_timeout(t),
        }
    }

    pub fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Raw::Tcp(s) => s.set_write_timeout(t),
            Raw::Unix(s) => s.set_write_timeout(t),
        }
    }

    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        match self {
            Raw::Tcp(s) => s.set_nonblocking(on),
            Raw::Unix(s) => s.set_nonblocking(on),
        }
    }

    pub fn try_clone(&self) -> io::Result<Raw> {
        Ok(match self {
            Raw::Tcp(s) => Raw::Tcp(s.try_clone()?),
            Raw::Unix(s) => Raw::Unix(s.try_clone()?),
        })
    }
}

impl AsRawFd for Raw {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Raw::Tcp(s) => s.as_raw_fd(),
            Raw::Unix(s) => s.as_raw_fd(),
        }
    }
}

impl Read for Raw {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Raw::Tcp(s) => s.read(buf),
            Raw::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Raw {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Raw::Tcp(s) => s.write(buf),
            Raw::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Raw::Tcp(s) => s.flush(),
            Raw::Unix(s) => s.flush(),
        }
    }
}

/// A socket whose reads and writes fail with `TimedOut` past an optional deadline.
#[derive(Debug)]
pub struct Socket {
    pub(super) stream: Raw,
    deadline: Option<Instant>,
    /// While set (during the TLS handshake), the first bytes read are copied here, to name
    /// what a server that does not speak TLS answered instead.
    pub(super) tap: Option<Arc<Mutex<Vec<u8>>>>,
    /// `--trace`, while a proxy's tunnel is opened: every byte sent and received.
    pub(super) trace: Option<Box<dyn super::tap::Tap>>,
}

/// How many of the bytes read during a TLS handshake are kept for the error message.
pub(super) const TAP: usize = 80;

impl Socket {
    pub(super) fn new(stream: impl Into<Raw>, deadline: Instant) -> Socket {
        Socket { stream: stream.into(), deadline: Some(deadline), tap: None, trace: None }
    }

    /// Set or clear the deadline. Clearing it restores blocking reads with no timeout.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) -> io::Result<()> {
        self.deadline = deadline;
        if deadline.is_none() {
            self.stream.set_read_timeout(None)?;
            self.stream.set_write_timeout(None)?;
        }
        Ok(())
    }

    /// Bring the deadline forward to `d` if that is sooner.
    pub fn shorten_deadline(&mut self, d: Instant) {
        self.deadline = Some(self.deadline.map_or(d, |old| old.min(d)));
    }

    fn remaining(&self) -> io::Result<Option<Duration>> {
        match self.deadline {
            None => Ok(None),
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Ok(Some(left)),
                _ => Err(io::Error::new(io::ErrorKind::TimedOut, "deadline reached")),
            },
        }
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(left) = self.remaining()? {
            self.stream.set_read_timeout(Some(left))?;
        }
        let deadline = self.deadline.is_some();
        let n = self.stream.read(buf).map_err(|e| timeout_kind(e, deadline))?;
        if let Some(tap) = &self.tap
            && let Ok(mut kept) = tap.lock()
        {
            let room = TAP.saturating_sub(kept.len()).min(n);
            kept.extend_from_slice(&buf[..room]);
        }
        if let Some(trace) = &mut self.trace {
            trace.received(&buf[..n]);
        }
        Ok(n)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(left) = self.remaining()? {
            self.stream.set_write_timeout(Some(left))?;
        }
        let deadline = self.deadline.is_some();
        let n = self.stream.write(buf).map_err(|e| timeout_kind(e, deadline))?;
        if let Some(trace) = &mut self.trace {
            trace.sent(&buf[..n]);
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// Under a deadline, a socket timeout shows as `WouldBlock` on Unix: call it what it is.
/// Without one (the non-blocking session), `WouldBlock` means what it says.
fn timeout_kind(e: io::Error, deadline: bool) -> io::Error {
    if deadline && e.kind() == io::ErrorKind::WouldBlock {
        io::Error::new(io::ErrorKind::TimedOut, "deadline reached")
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unix_socket_ends_at_the_deadline_like_tcp() {
        let (a, _b) = UnixStream::pair().unwrap();
        let mut s = Socket::new(a, Instant::now() + Duration::from_millis(50));
        let started = Instant::now();
        let e = s.read(&mut [0u8; 1]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
        // Past the deadline, nothing is tried at all.
        assert_eq!(s.write(b"x").unwrap_err().kind(), io::ErrorKind::TimedOut);
        s.set_deadline(None).unwrap();
        s.stream.set_nonblocking(true).unwrap();
        assert_eq!(s.read(&mut [0u8; 1]).unwrap_err().kind(), io::ErrorKind::WouldBlock);
    }
}
