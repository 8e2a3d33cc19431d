//! The bridge between one end of a `UnixStream` pair and an HTTP/2 stream, in both
//! directions, with HTTP/2 flow control: bytes the session writes become DATA frames as the
//! peer's window allows (`reserve_capacity`/`poll_capacity`); DATA received is written to
//! the socket and only then released (`release_capacity`), so a slow session slows the peer.
//! Used by the client and the server alike.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use h2::{RecvStream, SendStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

/// How long the far side may take to end its half once ours has ended; then the stream is
/// reset (CANCEL), so the helper never outlives a peer that keeps the stream open.
pub(crate) const LINGER: Duration = Duration::from_secs(1);

/// The size of one read from the session's socket.
const CHUNK: usize = 16 * 1024;

/// The first of two futures to finish.
pub(crate) enum First<A, B> {
    A(A),
    B(B),
}

/// Wait for `a` or `b`, whichever finishes first (`b` is borrowed: it can be awaited again).
pub(crate) async fn first<A: Future, B: Future + Unpin>(a: A, b: &mut B) -> First<A::Output, B::Output> {
    let mut a = pin!(a);
    poll_fn(|cx| {
        if let Poll::Ready(x) = a.as_mut().poll(cx) {
            return Poll::Ready(First::A(x));
        }
        Pin::new(&mut *b).poll(cx).map(First::B)
    })
    .await
}

use std::pin::Pin;

/// How the incoming half ended.
#[derive(Debug)]
pub(crate) enum Down {
    /// The peer ended the stream (END_STREAM): the socket was shut for writing.
    EndStream,
    /// The session's socket is gone (closed while data still came).
    SessionGone,
    /// The stream or connection failed (reset, GOAWAY, I/O): the tap has the details.
    Failed,
}

/// Pump between `socket` and the stream until both halves have ended.
pub(crate) async fn pump(socket: UnixStream, send: SendStream<Bytes>, recv: RecvStream) -> Down {
    let (rd, wr) = socket.into_split();
    let mut up_task = tokio::spawn(up(rd, send));
    let mut down_task = tokio::spawn(down(recv, wr));
    match first(&mut up_task, &mut down_task).await {
        First::A(up_done) => {
            // The session closed its end: give the peer LINGER to end its half.
            let down = tokio::time::timeout(LINGER, &mut down_task).await;
            match (down, up_done) {
                (Ok(Ok(d)), _) => d,
                (_, Ok(mut send)) => {
                    down_task.abort();
                    send.send_reset(h2::Reason::CANCEL);
                    Down::SessionGone
                }
                (_, Err(_)) => Down::SessionGone,
            }
        }
        First::B(down_done) => {
            let down = down_done.unwrap_or(Down::SessionGone);
            if matches!(down, Down::EndStream) {
                // The peer is done sending; the session still may send (its Close, say) and
                // will close its end after the EOF it now reads.
                let _ = up_task.await;
            } else {
                // The stream is gone: close the socket entirely (the read half goes with the task).
                up_task.abort();
                let _ = up_task.await;
            }
            down
        }
    }
}

/// Session → peer. Ends the stream (END_STREAM) when the session closes its end.
async fn up(mut rd: OwnedReadHalf, mut send: SendStream<Bytes>) -> SendStream<Bytes> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = rd.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            let _ = send.send_data(Bytes::new(), true);
            return send;
        }
        let mut chunk = Bytes::copy_from_slice(&buf[..n]);
        while !chunk.is_empty() {
            send.reserve_capacity(chunk.len());
            let mut cap = send.capacity();
            if cap == 0 {
                match poll_fn(|cx| send.poll_capacity(cx)).await {
                    Some(Ok(c)) => cap = c,
                    // The stream was reset or closed: the incoming half reports why.
                    Some(Err(_)) | None => return send,
                }
            }
            if cap > 0 {
                let part = chunk.split_to(cap.min(chunk.len()));
                if send.send_data(part, false).is_err() {
                    return send;
                }
            }
        }
    }
}

/// Peer → session. Shuts the socket for writing when the peer ends the stream.
async fn down(mut recv: RecvStream, mut wr: OwnedWriteHalf) -> Down {
    while let Some(data) = recv.data().await {
        let data = match data {
            Ok(d) => d,
            Err(_) => return Down::Failed,
        };
        if wr.write_all(&data).await.is_err() {
            return Down::SessionGone;
        }
        let _ = recv.flow_control().release_capacity(data.len());
    }
    let _ = wr.shutdown().await;
    Down::EndStream
}
