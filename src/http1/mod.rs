//! HTTP/1.1 as both the proxy's CONNECT and the WebSocket upgrade speak it: reading and
//! parsing an answer's header block ([`read_head`], [`parse`]), naming an answer that is not
//! HTTP, and Basic credentials with their masking (`auth`).

pub mod auth;
mod head;
mod not_http;
mod response;

pub use head::{MAX_BODY, MAX_HEAD, NO_ANSWER, find_head_end, read_body_preview, read_head};
pub use not_http::error_name as h2_error_name;
pub use response::{Header, Response, parse};

/// The `User-Agent` of every request wscheck sends (the upgrade, and a proxy's CONNECT).
pub const USER_AGENT: &str = concat!("wscheck/", env!("CARGO_PKG_VERSION"));

/// The first bytes of `buf` as text for a one-line message, every byte kept (`escape::net`).
/// Not escaped here: the renderers escape messages, and escaping twice shows `\\x1b`.
pub fn preview(buf: &[u8]) -> String {
    const SHOWN: usize = 80;
    let shown = crate::escape::net(&buf[..buf.len().min(SHOWN)]);
    if buf.len() > SHOWN { format!("{shown}…") } else { shown }
}
