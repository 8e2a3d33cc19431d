//! The server side, for `wscheck serve`: one accepted connection spoken as HTTP/2 (h2 by
//! ALPN on TLS, h2c with prior knowledge on the plain port), advertising
//! `SETTINGS_ENABLE_CONNECT_PROTOCOL=1`. Each extended CONNECT with `:protocol websocket` is
//! answered 200 (with the subprotocol and the permessage-deflate answer agreed) and handed, as
//! a `UnixStream` carrying the WebSocket frames with the deflate parameters, to the caller's
//! handler (the same echo loop as HTTP/1.1) on a thread of its own; anything else is refused
//! with a status that says why.

use std::io;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use h2::server::SendResponse;
use http::{HeaderMap, Method, Request, Response, StatusCode};

use super::Transport;
use super::bridge::pump;
use super::io::Io;
use super::tap::PREFACE;
use crate::deflate::{Params, params};

/// How long a new connection may take to send its preface and SETTINGS.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the server answers.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// Subprotocols the server agrees to, the client's first offered one that is here wins.
    pub subprotocols: Vec<String>,
    /// Accept the first valid permessage-deflate offer (`serve --deflate`, RFC 7692).
    pub deflate: bool,
}

/// An accepted WebSocket: its end of the stream, and the permessage-deflate parameters agreed.
pub type Accepted = (UnixStream, Option<Params>);

/// True when `bytes` (the start of what a client sent) are the HTTP/2 connection preface, or
/// the start of it that an HTTP/1.1 head reader stops at: `PRI * HTTP/2.0\r\n\r\n`, then
/// the rest (`SM\r\n\r\n`) as far as it has come.
pub fn is_h2_preface(bytes: &[u8]) -> bool {
    const FIRST: usize = 18; // "PRI * HTTP/2.0\r\n\r\n"
    let n = bytes.len().min(PREFACE.len());
    n >= FIRST && bytes[..n] == PREFACE[..n]
}

/// A TLS acceptor that selects `h2` by ALPN when the client offers it (else `http/1.1`,
/// else nothing: the HTTP/1.1 path as before). After `accept`, [`Transport::alpn`] on the
/// stream says which was selected.
pub fn tls_acceptor(identity: native_tls::Identity) -> Result<native_tls::TlsAcceptor, native_tls::Error> {
    native_tls::TlsAcceptor::builder(identity).accept_alpn(&["h2", "http/1.1"]).build()
}

/// Serve one connection as HTTP/2 until the client ends it. `already_read`: the bytes the
/// caller read before deciding it was HTTP/2 (the preface, in part or whole). Every
/// accepted WebSocket runs `on_websocket` on a thread of its own, with what was agreed.
pub fn serve_connection<T, F>(
    transport: T,
    already_read: Vec<u8>,
    options: &ServerOptions,
    on_websocket: F,
) -> io::Result<()>
where
    T: Transport,
    F: Fn(Accepted) + Send + Sync + 'static,
{
    let rt = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build()?;
    let options = Arc::new(options.clone());
    let handler = Arc::new(on_websocket);
    rt.block_on(async move {
        let io = Io::new(transport, None, already_read)?;
        let mut builder = h2::server::Builder::new();
        builder.enable_connect_protocol().initial_window_size(1 << 20).initial_connection_window_size(2 << 20);
        let mut conn = tokio::time::timeout(HANDSHAKE_TIMEOUT, builder.handshake::<_, Bytes>(io))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no HTTP/2 preface and SETTINGS in time"))?
            .map_err(h2_io)?;
        while let Some(accepted) = conn.accept().await {
            let (request, respond) = accepted.map_err(h2_io)?;
            tokio::spawn(stream(request, respond, Arc::clone(&options), Arc::clone(&handler)));
        }
        Ok(())
    })
}

fn h2_io(e: h2::Error) -> io::Error {
    if e.is_io() {
        e.into_io().unwrap_or_else(|| io::Error::other("HTTP/2 I/O error"))
    } else {
        io::Error::other(e.to_string())
    }
}

/// One request on the connection.
async fn stream<F: Fn(Accepted) + Send + Sync + 'static>(
    request: Request<h2::RecvStream>,
    mut respond: SendResponse<Bytes>,
    options: Arc<ServerOptions>,
    handler: Arc<F>,
) {
    let (parts, body) = request.into_parts();
    let protocol = parts.extensions.get::<h2::ext::Protocol>().map(|p| p.as_str().to_string());
    match answer(&parts.method, protocol.as_deref(), &parts.headers, &options) {
        Answer::Refuse { status, headers, text } => {
            let mut response = Response::new(());
            *response.status_mut() = status;
            response.headers_mut().insert("content-type", http::HeaderValue::from_static("text/plain"));
            for (name, value) in headers {
                response.headers_mut().insert(name, http::HeaderValue::from_static(value));
            }
            if let Ok(mut send) = respond.send_response(response, false) {
                let _ = send.send_data(Bytes::from(format!("{text}\n")), true);
            }
        }
        Answer::Accept { subprotocol, deflate } => {
            let mut response = Response::new(());
            if let Some(p) = subprotocol.and_then(|p| http::HeaderValue::from_str(&p).ok()) {
                response.headers_mut().insert("sec-websocket-protocol", p);
            }
            let (extensions, params) = deflate.map_or((None, None), |(answer, params)| (Some(answer), Some(params)));
            if let Some(e) = extensions.and_then(|e| http::HeaderValue::from_str(&e).ok()) {
                response.headers_mut().insert("sec-websocket-extensions", e);
            }
            let Ok(send) = respond.send_response(response, false) else { return };
            let Ok((mine, theirs)) = UnixStream::pair() else { return };
            let Ok(mine) = mine.set_nonblocking(true).and_then(|()| tokio::net::UnixStream::from_std(mine)) else {
                return;
            };
            if std::thread::Builder::new()
                .name("wscheck-h2-ws".into())
                .spawn(move || handler((theirs, params)))
                .is_err()
            {
                return;
            }
            pump(mine, send, body).await;
        }
    }
}

/// What to answer a request.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// With the `sec-websocket-extensions` answer and its parameters, when deflate was agreed.
    Accept {
        subprotocol: Option<String>,
        deflate: Option<(String, Params)>,
    },
    Refuse {
        status: StatusCode,
        headers: Vec<(&'static str, &'static str)>,
        text: &'static str,
    },
}

/// The server's judgement of a request (RFC 8441 §4-5): an extended CONNECT for `websocket`
/// with `sec-websocket-version: 13` is accepted.
fn answer(method: &Method, protocol: Option<&str>, headers: &HeaderMap, options: &ServerOptions) -> Answer {
    let refuse = |status, headers, text| Answer::Refuse { status, headers, text };
    if method != Method::CONNECT || protocol.is_none() {
        return refuse(
            StatusCode::BAD_REQUEST,
            vec![],
            "wscheck serve: this is a WebSocket endpoint: send an extended CONNECT with :protocol websocket (RFC 8441)",
        );
    }
    if protocol != Some("websocket") {
        return refuse(StatusCode::BAD_REQUEST, vec![], "wscheck serve: only :protocol websocket is served");
    }
    let tokens = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .flat_map(|v| {
                String::from_utf8_lossy(v.as_bytes()).split(',').map(|t| t.trim().to_string()).collect::<Vec<_>>()
            })
            .filter(|t| !t.is_empty())
            .collect()
    };
    if tokens("sec-websocket-version") != ["13"] {
        return refuse(
            StatusCode::UPGRADE_REQUIRED,
            vec![("sec-websocket-version", "13")],
            "wscheck serve: only WebSocket version 13 is supported",
        );
    }
    let subprotocol = tokens("sec-websocket-protocol").into_iter().find(|p| options.subprotocols.contains(p));
    let deflate = if options.deflate { accept_deflate(headers) } else { None };
    Answer::Accept { subprotocol, deflate }
}

/// The answer to the first valid permessage-deflate offer of the request.
fn accept_deflate(headers: &HeaderMap) -> Option<(String, Params)> {
    params::accept(headers.get_all("sec-websocket-extensions").iter().map(|v| v.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in list {
            h.append(*n, http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn accepts_an_extended_connect_and_picks_the_subprotocol() {
        let options = ServerOptions { subprotocols: vec!["chat".into()], ..Default::default() };
        let h = headers(&[("sec-websocket-version", "13"), ("sec-websocket-protocol", "x, chat")]);
        assert_eq!(
            answer(&Method::CONNECT, Some("websocket"), &h, &options),
            Answer::Accept { subprotocol: Some("chat".into()), deflate: None }
        );
        let h = headers(&[("sec-websocket-version", "13"), ("sec-websocket-protocol", "x")]);
        assert_eq!(
            answer(&Method::CONNECT, Some("websocket"), &h, &options),
            Answer::Accept { subprotocol: None, deflate: None }
        );
    }

    #[test]
    fn deflate_is_accepted_only_when_asked_to_and_offered() {
        let h = headers(&[
            ("sec-websocket-version", "13"),
            ("sec-websocket-extensions", "permessage-deflate; client_max_window_bits"),
        ]);
        let plain = ServerOptions::default();
        assert_eq!(
            answer(&Method::CONNECT, Some("websocket"), &h, &plain),
            Answer::Accept { subprotocol: None, deflate: None }
        );
        let deflate = ServerOptions { deflate: true, ..Default::default() };
        let Answer::Accept { deflate: Some((answer_text, params)), .. } =
            answer(&Method::CONNECT, Some("websocket"), &h, &deflate)
        else {
            panic!("deflate not accepted")
        };
        assert_eq!((answer_text.as_str(), params), ("permessage-deflate", Params::default()));
        let none = headers(&[("sec-websocket-version", "13")]);
        assert_eq!(
            answer(&Method::CONNECT, Some("websocket"), &none, &deflate),
            Answer::Accept { subprotocol: None, deflate: None }
        );
    }

    #[test]
    fn refuses_what_is_not_a_websocket_connect() {
        let options = ServerOptions::default();
        let v13 = headers(&[("sec-websocket-version", "13")]);
        let status = |a: Answer| match a {
            Answer::Refuse { status, headers, .. } => (status.as_u16(), headers),
            Answer::Accept { .. } => (200, vec![]),
        };
        assert_eq!(status(answer(&Method::CONNECT, None, &v13, &options)).0, 400);
        assert_eq!(status(answer(&Method::GET, None, &v13, &options)).0, 400);
        assert_eq!(status(answer(&Method::CONNECT, Some("webtransport"), &v13, &options)).0, 400);
        let v8 = headers(&[("sec-websocket-version", "8")]);
        assert_eq!(
            status(answer(&Method::CONNECT, Some("websocket"), &v8, &options)),
            (426, vec![("sec-websocket-version", "13")])
        );
        assert_eq!(status(answer(&Method::CONNECT, Some("websocket"), &HeaderMap::new(), &options)).0, 426);
    }

    #[test]
    fn recognises_the_preface_whole_or_as_a_head_reader_leaves_it() {
        assert!(is_h2_preface(PREFACE));
        assert!(is_h2_preface(&[PREFACE, &[0, 0, 0, 4]].concat()));
        assert!(is_h2_preface(b"PRI * HTTP/2.0\r\n\r\n"));
        assert!(is_h2_preface(b"PRI * HTTP/2.0\r\n\r\nSM"));
        assert!(!is_h2_preface(b"PRI * HTTP/2.0\r\n"));
        assert!(!is_h2_preface(b"PRI * HTTP/2.0\r\n\r\nXX"));
        assert!(!is_h2_preface(b"GET / HTTP/1.1\r\n\r\n"));
    }
}
