//! `serve` over HTTP/2 (RFC 8441, SPEC §13): a connection that selected `h2` by ALPN, or that
//! starts with the HTTP/2 preface on the plain port (h2c with prior knowledge), is served by
//! `http2::server`, which advertises `SETTINGS_ENABLE_CONNECT_PROTOCOL`; each extended CONNECT
//! gets the same echo as an HTTP/1.1 upgrade.

use std::io::{self, Read};
use std::net::TcpStream;

use tungstenite::protocol::{Role, WebSocket};

use super::echo::echo;
use super::{MAX_MESSAGE, ServerConfig};
use crate::deflate::DeflateSocket;
use crate::http2::server::{Accepted, ServerOptions, is_h2_preface, serve_connection};
use crate::http2::tap::PREFACE;

/// The TLS acceptor: `h2` is selected by ALPN when the client offers it, else `http/1.1` when
/// offered (else nothing: the HTTP/1.1 path as before).
pub(super) fn acceptor(identity: native_tls::Identity) -> Result<native_tls::TlsAcceptor, native_tls::Error> {
    crate::http2::server::tls_acceptor(identity)
}

/// True when TLS selected `h2`.
pub(super) fn selected(tls: &native_tls::TlsStream<TcpStream>) -> bool {
    tls.negotiated_alpn().ok().flatten().as_deref() == Some(b"h2")
}

/// The bytes read so far when they are (the start of) the HTTP/2 preface, read on to its
/// end when the request reader stopped inside it (at `PRI * HTTP/2.0\r\n`, which is not
/// HTTP/1).
pub(super) fn preface(stream: &mut impl Read, head: &[u8], rest: &[u8]) -> Option<Vec<u8>> {
    let mut read = [head, rest].concat();
    let mut byte = [0u8; 1];
    while read.len() < PREFACE.len() && PREFACE.starts_with(&read) {
        match stream.read(&mut byte) {
            Ok(1) => read.push(byte[0]),
            _ => return None,
        }
    }
    is_h2_preface(&read).then_some(read)
}

/// Serve the connection as HTTP/2 until the client ends it; `read`: the bytes already read.
/// permessage-deflate is accepted as over HTTP/1.1 (`--deflate`).
pub(super) fn serve<T: crate::http2::Transport>(stream: T, read: Vec<u8>, config: &ServerConfig) -> io::Result<()> {
    let options = ServerOptions { subprotocols: config.subprotocols.clone(), deflate: config.deflate };
    let strict = !config.lenient;
    serve_connection(stream, read, &options, move |(socket, deflate): Accepted| {
        if socket.set_nonblocking(true).is_ok() {
            match deflate {
                Some(p) => {
                    echo(DeflateSocket::new(socket, Vec::new(), Role::Server, Some(MAX_MESSAGE), Some(p)), strict)
                }
                None => echo(WebSocket::from_raw_socket(socket, Role::Server, None), strict),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::serve::test_io::Pieces;

    #[test]
    fn the_preface_is_read_on_when_the_head_reader_stopped_inside_it() {
        // The HTTP/1.1 reader stops at "PRI * HTTP/2.0\r\n" (not HTTP/1); the rest comes later.
        let (head, rest) = PREFACE.split_at(16);
        let mut later = Pieces(vec![rest[..3].to_vec(), rest[3..].to_vec(), b"more".to_vec()]);
        assert_eq!(preface(&mut later, head, &[]).as_deref(), Some(PREFACE));
        assert_eq!(later.0, [b"more".to_vec()], "nothing past the preface is read");
        // Not a preface: no HTTP/2, whatever follows.
        assert_eq!(preface(&mut Pieces(vec![b"x".to_vec()]), b"GET / HTTP/1.1\r\n", &[]), None);
        // The client hangs up inside the preface.
        assert_eq!(preface(&mut Pieces(vec![]), head, &[]), None);
    }
}
