//! The client side: the extended CONNECT of RFC 8441 over an already-connected transport,
//! in one helper thread with a current-thread tokio runtime; the caller stays synchronous.
//!
//! [`open`] waits until the server's SETTINGS have been applied (a PING round trip: the h2
//! crate reads `SETTINGS_ENABLE_CONNECT_PROTOCOL` as false until then), sends the CONNECT
//! only if the server enabled it (or `force`), and returns what crossed the wire with, on a
//! 2xx, a [`Bridge`]. After the session, [`Ending::wait`] says how the stream ended.

use std::os::unix::net::UnixStream;
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use h2::client::SendRequest;
use tokio::task::JoinHandle;
use tokio::time::timeout_at;

use super::bridge::{First, LINGER, first, pump};
pub use super::ending::{Ended, Ending, Side, StreamEnd};
use super::io::{Io, SharedTap, lock};
use super::tap::{Dir, Field, Record, Setting, Tap};
use super::{Error, Transport};

/// What to ask for: the pseudo-headers' values and the headers after them.
#[derive(Clone, Debug, Default)]
pub struct Offer {
    /// `https` for wss://, `http` for ws://.
    pub scheme: String,
    /// Host, and port when it is not the default: `:authority`.
    pub authority: String,
    /// Path and query: `:path`.
    pub path: String,
    /// Sent after `sec-websocket-version: 13`, in this order: origin, sec-websocket-protocol,
    /// sec-websocket-extensions, authorization, user-agent, … (names are sent lower case).
    /// A `sec-websocket-version` here is sent where it stands, instead of the `13`.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Send the CONNECT even without SETTINGS_ENABLE_CONNECT_PROTOCOL=1 (probe only).
    pub force: bool,
}

/// The exchange as it crossed the wire (from the tap): what the transcript shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exchange {
    /// The server's first SETTINGS frame, in order.
    pub settings: Option<Vec<Setting>>,
    /// wscheck's own SETTINGS.
    pub sent_settings: Option<Vec<Setting>>,
    /// The CONNECT's stream, once sent.
    pub stream: Option<u32>,
    /// The request: pseudo-headers and headers, in wire order.
    pub request: Option<Vec<Field>>,
    /// The final response (`:status` first, as the server sent it), in wire order.
    pub response: Option<Vec<Field>>,
}

/// An open WebSocket over HTTP/2.
#[derive(Debug)]
pub struct Bridge {
    /// The session's end: read and write WebSocket frame bytes as over TCP.
    pub socket: UnixStream,
    /// How the stream ended, once it has.
    pub ending: Ending,
}

type Answer = (Exchange, Result<UnixStream, Error>);

/// Open a WebSocket over HTTP/2 on `transport`: a TLS stream must have selected `h2` by
/// ALPN; a plain one speaks h2c with prior knowledge. Everything up to the response headers
/// happens before `deadline`. Returns the exchange as seen on the wire, and the bridge on a 2xx.
pub fn open<T: Transport>(transport: T, offer: Offer, deadline: Instant) -> (Exchange, Result<Bridge, Error>) {
    if let Some(selected) = transport.alpn()
        && selected.as_deref() != Some(b"h2")
    {
        return (Exchange::default(), Err(Error::NoH2Alpn { selected }));
    }
    let (answer_tx, answer_rx) = mpsc::sync_channel::<Answer>(1);
    let (end_tx, end_rx) = mpsc::sync_channel(1);
    let thread = std::thread::Builder::new()
        .name("wscheck-h2".into())
        .spawn(move || helper(transport, offer, deadline, answer_tx, end_tx));
    if let Err(e) = thread {
        return (Exchange::default(), Err(Error::Internal(format!("cannot start a thread: {e}"))));
    }
    // The helper answers by the deadline; the margin covers its own clean-up.
    let wait = deadline.saturating_duration_since(Instant::now()) + 2 * LINGER;
    match answer_rx.recv_timeout(wait) {
        Ok((exchange, Ok(socket))) => (exchange, Ok(Bridge { socket, ending: Ending(end_rx) })),
        Ok((exchange, Err(e))) => (exchange, Err(e)),
        Err(_) => (Exchange::default(), Err(Error::Internal("the HTTP/2 thread stopped without an answer".into()))),
    }
}

fn helper<T: Transport>(t: T, offer: Offer, deadline: Instant, answer: SyncSender<Answer>, end: SyncSender<StreamEnd>) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build();
    let rt = match rt {
        Ok(rt) => rt,
        Err(e) => {
            let _ = answer.send((Exchange::default(), Err(Error::Internal(format!("cannot start the runtime: {e}")))));
            return;
        }
    };
    let tap: SharedTap = Arc::new(Mutex::new(Tap::client()));
    rt.block_on(async {
        let mut conn = Conn { tap: Arc::clone(&tap), stream: None, task: None, pinger: None };
        let result = conn.open(t, &offer, deadline).await;
        let exchange = conn.exchange();
        match result {
            Err(e) => {
                let _ = answer.send((exchange, Err(e)));
                conn.close(None).await;
            }
            Ok((sender, send, recv)) => {
                let (mine, theirs) = match bridge_pair() {
                    Ok(pair) => pair,
                    Err(e) => {
                        let _ = answer.send((exchange, Err(Error::Io(e))));
                        return;
                    }
                };
                if answer.send((exchange, Ok(theirs))).is_err() {
                    return;
                }
                pump(mine, send, recv).await;
                conn.close(Some(sender)).await;
                let _ = end.send(super::ending::from_tap(&lock(&conn.tap), conn.stream.unwrap_or(0)));
            }
        }
    });
}

/// A socket pair: the helper's end registered with the runtime, and the session's end.
fn bridge_pair() -> std::io::Result<(tokio::net::UnixStream, UnixStream)> {
    let (mine, theirs) = UnixStream::pair()?;
    mine.set_nonblocking(true)?;
    Ok((tokio::net::UnixStream::from_std(mine)?, theirs))
}

type Opened = (SendRequest<Bytes>, h2::SendStream<Bytes>, h2::RecvStream);

/// One client connection in the helper thread.
struct Conn {
    tap: SharedTap,
    stream: Option<u32>,
    /// The h2 connection, driven as its own task.
    task: Option<JoinHandle<Result<(), h2::Error>>>,
    pinger: Option<h2::PingPong>,
}

impl Conn {
    async fn open<T: Transport>(&mut self, t: T, offer: &Offer, deadline: Instant) -> Result<Opened, Error> {
        let deadline = tokio::time::Instant::from_std(deadline);
        let io = Io::new(t, Some(Arc::clone(&self.tap)), Vec::new()).map_err(Error::Io)?;
        let mut builder = h2::client::Builder::new();
        builder.enable_push(false).initial_window_size(1 << 20).initial_connection_window_size(2 << 20);
        let waiting = "the server's SETTINGS";
        let (sender, mut connection) = timeout_at(deadline, builder.handshake::<_, Bytes>(io))
            .await
            .map_err(|_| Error::Timeout { waiting_for: waiting })?
            .map_err(|e| self.failure(e, waiting))?;
        let mut pinger = connection.ping_pong().ok_or_else(|| Error::Internal("no PING handle".into()))?;
        self.task = Some(tokio::spawn(connection));
        // The PING's answer comes after the server's SETTINGS, which h2 has applied by then.
        let settled = timeout_at(deadline, pinger.ping(h2::Ping::opaque()));
        self.wait(settled, waiting).await?;
        self.pinger = Some(pinger);
        if !sender.is_extended_connect_protocol_enabled() && !offer.force {
            return Err(Error::NoConnectProtocol);
        }
        let request = request(offer)?;
        let mut sender = self.wait(timeout_at(deadline, sender.ready()), "the server to accept a stream").await?;
        let (response, send) =
            sender.send_request(request, false).map_err(|e| match self.failure(e, "sending the CONNECT") {
                // Nothing from the server: h2 would not send this request (a user error).
                Error::Refused(detail) => Error::BadRequest(detail),
                other => other,
            })?;
        self.stream = Some(response.stream_id().as_u32());
        let waiting = "the response headers";
        let response = self.wait(timeout_at(deadline, response), waiting).await?;
        let status = response.status().as_u16();
        let mut recv = response.into_body();
        if !(200..300).contains(&status) {
            let body = self.body(&mut recv, deadline).await;
            return Err(Error::Status { status, body });
        }
        Ok((sender, send, recv))
    }

    /// Await `fut` (under a timeout) unless the connection ends first; name what failed.
    async fn wait<F, X>(&mut self, fut: F, waiting_for: &'static str) -> Result<X, Error>
    where
        F: std::future::Future<Output = Result<Result<X, h2::Error>, tokio::time::error::Elapsed>>,
    {
        let Some(task) = self.task.as_mut() else { return Err(Error::Internal("no connection task".into())) };
        match first(fut, task).await {
            First::A(Ok(Ok(x))) => Ok(x),
            First::A(Ok(Err(e))) => Err(self.failure(e, waiting_for)),
            First::A(Err(_elapsed)) => Err(self.garbled().unwrap_or(Error::Timeout { waiting_for })),
            First::B(ended) => {
                self.task = None;
                match ended {
                    Ok(Err(e)) => Err(self.failure(e, waiting_for)),
                    _ => Err(self.garbled().or_else(|| self.goaway()).unwrap_or(Error::Closed { waiting_for })),
                }
            }
        }
    }

    /// The first bytes of a non-2xx answer's body: at most 1 KiB, waited for at most LINGER
    /// (a server may leave the stream open) and not past the deadline.
    async fn body(&mut self, recv: &mut h2::RecvStream, deadline: tokio::time::Instant) -> Vec<u8> {
        let until = deadline.min(tokio::time::Instant::now() + LINGER);
        let mut body = Vec::new();
        while body.len() < 1024 {
            match timeout_at(until, recv.data()).await {
                Ok(Some(Ok(data))) => {
                    body.extend_from_slice(&data[..data.len().min(1024 - body.len())]);
                    let _ = recv.flow_control().release_capacity(data.len());
                }
                _ => break,
            }
        }
        body
    }

    /// What an h2 error means here, with the tap's view of the wire.
    fn failure(&self, e: h2::Error, waiting_for: &'static str) -> Error {
        if let Some(garbled) = self.garbled() {
            return garbled;
        }
        let code = e.reason().map_or(0, u32::from);
        if e.is_go_away() && e.is_remote() {
            return self.goaway().unwrap_or(Error::GoAway { code, last_stream: 0, debug: Vec::new() });
        }
        if e.is_reset() && e.is_remote() {
            return Error::Reset { code };
        }
        if e.is_reset() {
            return Error::Malformed { code, detail: e.to_string() };
        }
        if e.is_go_away() {
            return Error::Protocol { code, detail: e.to_string() };
        }
        if e.is_io() {
            use std::io::ErrorKind::{BrokenPipe, ConnectionReset, UnexpectedEof};
            let closed = lock(&self.tap).records().any(|r| *r == Record::Closed { dir: Dir::In });
            return match e.into_io() {
                // A TLS alert (a client certificate refused after a TLS 1.3 handshake) says why.
                Some(io) if crate::net::wording::tls_alert(&io).is_some() => Error::Io(io),
                Some(io) if !closed && !matches!(io.kind(), UnexpectedEof | BrokenPipe | ConnectionReset) => {
                    Error::Io(io)
                }
                _ => self.goaway().unwrap_or(Error::Closed { waiting_for }),
            };
        }
        if let Some(goaway) = self.goaway() {
            return goaway;
        }
        // Neither side's reset nor GOAWAY nor I/O: h2 itself refused something (a request it
        // will not send is told apart where requests are sent). Not `Protocol`: no GOAWAY went out.
        Error::Refused(e.to_string())
    }

    /// The server's bytes were not HTTP/2.
    fn garbled(&self) -> Option<Error> {
        let tap = lock(&self.tap);
        match tap.garbled(Dir::In) {
            Some((why, bytes)) if why.starts_with("not HTTP/2") => {
                Some(Error::NotHttp2 { first_bytes: bytes.to_vec() })
            }
            _ => None,
        }
    }

    /// The server's GOAWAY, if it sent one.
    fn goaway(&self) -> Option<Error> {
        lock(&self.tap).records().find_map(|r| match r {
            Record::GoAway { dir: Dir::In, last_stream, code, debug } => {
                Some(Error::GoAway { code: *code, last_stream: *last_stream, debug: debug.clone() })
            }
            _ => None,
        })
    }

    fn exchange(&self) -> Exchange {
        let tap = lock(&self.tap);
        let response = self.stream.and_then(|id| {
            tap.records().find_map(|r| match r {
                Record::Headers { dir: Dir::In, stream, fields, .. } if *stream == id && !informational(fields) => {
                    Some(fields.clone())
                }
                _ => None,
            })
        });
        Exchange {
            settings: tap.settings(Dir::In).map(<[Setting]>::to_vec),
            sent_settings: tap.settings(Dir::Out).map(<[Setting]>::to_vec),
            stream: self.stream,
            request: self.stream.and_then(|id| tap.headers(Dir::Out, id)).map(<[Field]>::to_vec),
            response,
        }
    }

    /// End the connection: a last PING round trip (so a reset the server sends right after
    /// its END_STREAM is seen), then drop the handles so h2 says GOAWAY and closes.
    async fn close(&mut self, sender: Option<SendRequest<Bytes>>) {
        let Some(mut task) = self.task.take() else { return };
        if let (Some(_), Some(pinger)) = (&sender, self.pinger.as_mut()) {
            let _ = first(tokio::time::timeout(LINGER, pinger.ping(h2::Ping::opaque())), &mut task).await;
        }
        drop(sender);
        self.pinger = None;
        let _ = tokio::time::timeout(LINGER, &mut task).await;
        task.abort();
    }
}

fn informational(fields: &[Field]) -> bool {
    fields.iter().any(|(n, v)| n == b":status" && v.first() == Some(&b'1'))
}

/// The extended CONNECT (RFC 8441 §4): h2 writes the pseudo-headers from the method, the
/// URI and the protocol extension; `sec-websocket-version` comes first among the headers
/// unless the offer has its own.
fn request(offer: &Offer) -> Result<http::Request<()>, Error> {
    let bad = |e: &dyn std::fmt::Display| Error::BadRequest(e.to_string());
    let uri = format!("{}://{}{}", offer.scheme, offer.authority, offer.path);
    let mut req = http::Request::builder()
        .method(http::Method::CONNECT)
        .uri(uri)
        .extension(h2::ext::Protocol::from_static("websocket"))
        .body(())
        .map_err(|e| bad(&e))?;
    let headers = req.headers_mut();
    if !offer.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("sec-websocket-version")) {
        headers.append("sec-websocket-version", http::HeaderValue::from_static("13"));
    }
    for (name, value) in &offer.headers {
        let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| bad(&format!("{name}: {e}")))?;
        let value = http::HeaderValue::from_bytes(value).map_err(|e| bad(&format!("{name}: {e}")))?;
        headers.append(name, value);
    }
    Ok(req)
}
