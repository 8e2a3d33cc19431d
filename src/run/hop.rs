//! One hop: one connection, one request, one answer — and no session. Redirects, probe
//! variants and the inspected handshake are all built from it.

use std::time::Instant;

use crate::event::{Event, Finding};
use crate::exit::Failure;
use crate::handshake::{self, Offer, Request, Response};
use crate::limits::Limits;
use crate::net::{self, Connected};
use crate::plan::Reach;
use crate::report::Sink;
use crate::target::Target;

/// What one hop did: the request sent and the answer, over the connection that carried them
/// (the session goes on over it after a valid 101).
pub struct Exchange {
    pub request: Request,
    pub response: Response,
    pub stream: net::Stream,
    /// What was learnt while connecting that the verdict should mention (the certificate's).
    pub findings: Vec<Finding>,
}

/// Connect to `target` as `reach` says, send `offer` rendered for it, read the answer. Each
/// step is said to `sink`; the connection's deadline comes from `limits`.
pub fn hop(
    reach: &Reach,
    limits: &Limits,
    target: &Target,
    offer: &Offer,
    origin: Option<&str>,
    sink: &mut dyn Sink,
) -> Result<Exchange, Failure> {
    let mut emit = |e: Event| sink.emit(&e);
    let request = offer.render(target, origin);
    let opts = reach.connect_options(target)?;
    let deadline = limits.connection(Instant::now());
    let Connected { mut stream, certificate } = net::connect(target, &opts, deadline, &mut emit)?;
    let response = handshake::exchange(&mut stream, &request, reach.show_secrets, deadline, &mut emit)
        .map_err(|f| net::tls_failure::alert_after_handshake(&mut stream, f, &target.authority()))?;
    let findings = certificate.map_or_else(Vec::new, |c| {
        crate::checks::cert::findings(&c.info, c.names_host, &target.host, reach.tls.cert_warn_days)
    });
    Ok(Exchange { request, response, stream, findings })
}
