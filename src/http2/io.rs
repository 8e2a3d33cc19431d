//! A [`Transport`] as tokio's `AsyncRead + AsyncWrite`: the socket is made non-blocking and
//! registered with the runtime (`AsyncFd`); reads and writes go through the std stream (plain
//! or TLS), and a `WouldBlock` waits for the socket. Every byte that crosses is fed to the
//! [`Tap`] when there is one; bytes already read by the caller are replayed first.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::Transport;
use super::tap::{Dir, Tap};

/// The shared tap: fed here, read by the client once h2 has acted on the bytes.
pub(crate) type SharedTap = Arc<Mutex<Tap>>;

/// Lock the tap; a poisoned lock (a panic elsewhere) still holds usable records.
pub(crate) fn lock(tap: &SharedTap) -> std::sync::MutexGuard<'_, Tap> {
    tap.lock().unwrap_or_else(|p| p.into_inner())
}

struct Socket<T>(T);

impl<T: Transport> AsRawFd for Socket<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.0.socket()
    }
}

pub(crate) struct Io<T: Transport> {
    fd: AsyncFd<Socket<T>>,
    tap: Option<SharedTap>,
    replay: Vec<u8>,
    replayed: usize,
}

impl<T: Transport> Io<T> {
    /// Must be called inside the runtime. `replay`: bytes the caller already read from `t`.
    pub(crate) fn new(t: T, tap: Option<SharedTap>, replay: Vec<u8>) -> io::Result<Io<T>> {
        set_nonblocking(t.socket())?;
        no_delay(t.socket());
        // SAFETY: the transport owns its socket (Transport::socket's contract) and is owned
        // here, so the descriptor is neither closed nor replaced while it is registered.
        let fd = unsafe { AsyncFd::register(Socket(t)) }?;
        Ok(Io { fd, tap, replay, replayed: 0 })
    }

    fn tap(&self, dir: Dir, bytes: Option<&[u8]>) {
        if let Some(tap) = &self.tap {
            let mut tap = lock(tap);
            match bytes {
                Some(b) => tap.feed(dir, b),
                None => tap.closed(dir),
            }
        }
    }
}

impl<T: Transport> Io<T> {
    /// A write failed because the peer hung up: what it sent before is still unread — an
    /// HTTP/1.1 answer to the preface, a TLS alert — and says why. Feed it to the tap; a
    /// read error that says more than the write's (a TLS alert) replaces it.
    fn hung_up(&mut self, write_error: io::Error) -> io::Error {
        use io::ErrorKind::{BrokenPipe, ConnectionReset, Interrupted, WouldBlock};
        if !matches!(write_error.kind(), BrokenPipe | ConnectionReset) {
            return write_error;
        }
        let mut buf = [0u8; 4096];
        for _ in 0..16 {
            match self.fd.get_mut().0.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.tap(Dir::In, Some(&buf[..n])),
                Err(e) if e.kind() == Interrupted => {}
                Err(e) if e.kind() == WouldBlock || e.get_ref().is_none() => break,
                Err(e) => return e,
            }
        }
        write_error
    }
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor the transport owns, for the transport's lifetime.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// HTTP/2 writes small frames and waits for answers (SETTINGS, PING, HEADERS): Nagle's
/// algorithm would hold them for the peer's delayed ACK (40 ms a round on Linux). Not a TCP
/// socket (a Unix one): nothing to do.
fn no_delay(fd: RawFd) {
    let on: libc::c_int = 1;
    // SAFETY: setsockopt with a pointer to a c_int and its size, on the transport's socket.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&raw const on).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
}

impl<T: Transport> AsyncRead for Io<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.replayed < this.replay.len() {
            let n = buf.remaining().min(this.replay.len() - this.replayed);
            buf.put_slice(&this.replay[this.replayed..this.replayed + n]);
            this.replayed += n;
            return Poll::Ready(Ok(()));
        }
        loop {
            let mut guard = ready!(this.fd.poll_read_ready_mut(cx))?;
            let unfilled = buf.initialize_unfilled();
            match guard.try_io(|s| s.get_mut().0.read(unfilled)) {
                Ok(Ok(n)) => {
                    let read = &buf.initialize_unfilled()[..n];
                    this.tap(Dir::In, if n == 0 { None } else { Some(read) });
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Ok(Err(e)) => {
                    this.tap(Dir::In, None);
                    return Poll::Ready(Err(e));
                }
                Err(_would_block) => {}
            }
        }
    }
}

impl<T: Transport> AsyncWrite for Io<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            let mut guard = ready!(this.fd.poll_write_ready_mut(cx))?;
            match guard.try_io(|s| s.get_mut().0.write(buf)) {
                Ok(Ok(n)) => {
                    this.tap(Dir::Out, Some(&buf[..n]));
                    return Poll::Ready(Ok(n));
                }
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Ok(Err(e)) => {
                    let e = this.hung_up(e);
                    this.tap(Dir::Out, None);
                    return Poll::Ready(Err(e));
                }
                Err(_would_block) => {}
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            let mut guard = ready!(this.fd.poll_write_ready_mut(cx))?;
            match guard.try_io(|s| s.get_mut().0.flush()) {
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Ok(r) => return Poll::Ready(r),
                Err(_would_block) => {}
            }
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // A TLS close_notify that cannot be written at once is not waited for: the
        // connection is over either way.
        let _ = this.fd.get_mut().0.close();
        this.tap(Dir::Out, None);
        // SAFETY: shutdown on the transport's own socket.
        unsafe { libc::shutdown(this.fd.get_ref().0.socket(), libc::SHUT_WR) };
        Poll::Ready(Ok(()))
    }
}
