//! permessage-deflate (RFC 7692, SPEC §14), in three self-contained pieces:
//!
//! - [`params`]: the negotiation — parse the `Sec-WebSocket-Extensions` offer and answer, judge
//!   the answer (`deflate-params`: [`params::judge`] gives the agreed [`Params`] or every problem),
//!   the offer `--deflate` sends ([`params::OFFER`]) and the answer `serve --deflate` gives
//!   ([`params::choose`]).
//! - [`codec`]: per-message compression with the agreed window and context takeover, the
//!   inflated size capped while inflating.
//! - [`socket`]: [`DeflateSocket`], a stand-in for `tungstenite::WebSocket` with the same
//!   `read`/`write`/`flush`/`close` and errors, for the session when deflate was agreed.
//!   `last_read()`/`last_written()` give each message's wire and inflated size.
//!
//! Wiring (not done here): after a 101, `params::judge(offer, answer)`; `Ok(Some(p))` means
//! `DeflateSocket::new(stream, rest, Role::Client, Some(max_size), Some(p))`, `Ok(None)` the
//! plain tungstenite path; `Err(problems)` is the `deflate-params` error. A read error
//! `Error::AttackAttempt` from a `DeflateSocket` means the server's data did not inflate
//! (`inflate_error()` says why): close and exit 9.

pub mod codec;
pub mod params;
pub mod socket;

pub use params::Params;
pub use socket::{DeflateSocket, WireSize};
