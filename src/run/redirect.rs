//! Following a redirect (`-L`): where it leads, whether it loops or goes on too long, and
//! which credentials may follow it (curl's rule: only to the same scheme, host and port).

use crate::exit::{Code, Failure};
use crate::handshake::Overlay;
use crate::target::Target;

/// The redirects followed so far, the URL that started them first.
pub struct Chain {
    urls: Vec<String>,
    max: usize,
}

/// What a redirect changes for the next hop.
#[derive(Debug)]
pub struct Next {
    pub target: Target,
    pub overlay: Overlay,
    /// Credentials were given but do not follow (another host or scheme).
    pub credentials_dropped: bool,
    pub same_place: bool,
}

impl Chain {
    pub fn new(first: &Target, max: usize) -> Chain {
        Chain { urls: vec![first.to_string()], max }
    }

    /// Follow `location` from `from`: a failure on a loop or past `--max-redirs`.
    pub fn follow(&mut self, from: &Target, overlay: &Overlay, location: &str) -> Result<Next, Failure> {
        let mut next = redirect_target(from, location)?;
        self.urls.push(next.to_string());
        if self.urls[..self.urls.len() - 1].contains(&next.to_string()) {
            return Err(Failure::new(Code::NoSwitch, format!("redirect loop: {}", self.urls.join(" → "))));
        }
        if self.followed() > self.max {
            return Err(Failure::new(
                Code::NoSwitch,
                format!("too many redirects (--max-redirs {}): {}", self.max, self.urls.join(" → ")),
            ));
        }
        let same_place = (next.host.as_str(), next.port) == (from.host.as_str(), from.port);
        if same_place && next.scheme == from.scheme {
            if next.userinfo.is_none() {
                next.userinfo = from.userinfo.clone();
            }
            return Ok(Next { target: next, overlay: overlay.clone(), credentials_dropped: false, same_place });
        }
        // Credentials are for the host, port and scheme they were given for (as curl).
        let (without, dropped) = overlay.without_credentials();
        let credentials_dropped = dropped || from.userinfo.is_some();
        Ok(Next { target: next, overlay: without, credentials_dropped, same_place })
    }

    /// How many redirects have been followed.
    pub fn followed(&self) -> usize {
        self.urls.len() - 1
    }

    pub fn max(&self) -> usize {
        self.max
    }
}

/// Resolve a `Location` against the URL that answered it; http(s) map to ws(s).
fn redirect_target(from: &Target, location: &str) -> Result<Target, Failure> {
    let bad = |why: String| Failure::new(Code::NoSwitch, format!("cannot follow the redirect to '{location}': {why}"));
    let base = url::Url::parse(&from.to_string()).map_err(|e| bad(e.to_string()))?;
    // Bytes of the Location that are not UTF-8 (byte marks) go into the URL percent-encoded.
    let mut encoded = String::with_capacity(location.len());
    for chunk in crate::escape::to_bytes(location).utf8_chunks() {
        encoded.push_str(chunk.valid());
        encoded.extend(chunk.invalid().iter().map(|b| format!("%{b:02X}")));
    }
    let mut next = base.join(&encoded).map_err(|e| bad(e.to_string()))?;
    next.set_fragment(None);
    let mut target = Target::parse(next.as_str()).map_err(|f| bad(f.message))?;
    // The "following the redirect to …" note already shows the scheme it maps to.
    target.notes.clear();
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_resolve_and_map_schemes() {
        let from = Target::parse("ws://h:8080/a/b?q").unwrap();
        assert_eq!(redirect_target(&from, "c").unwrap().to_string(), "ws://h:8080/a/c");
        assert_eq!(redirect_target(&from, "/x").unwrap().to_string(), "ws://h:8080/x");
        assert_eq!(redirect_target(&from, "https://other/y").unwrap().to_string(), "wss://other/y");
        assert_eq!(redirect_target(&from, "//g:1/z").unwrap().to_string(), "ws://g:1/z");
        assert!(redirect_target(&from, "ftp://x/").is_err());
        let marked = crate::escape::net(b"/caf\xe9");
        assert_eq!(redirect_target(&from, &marked).unwrap().to_string(), "ws://h:8080/caf%E9");
    }

    #[test]
    fn loops_limits_and_credentials() {
        let first = Target::parse("ws://u:p@h:1/a").unwrap();
        let overlay = Overlay {
            headers: vec![("Cookie".into(), "c".into())],
            auth: Some(("x".into(), "y".into())),
            ..Default::default()
        };
        let mut chain = Chain::new(&first, 2);
        let same = chain.follow(&first, &overlay, "/b").unwrap();
        assert!(!same.credentials_dropped && same.same_place);
        assert_eq!(same.target.userinfo, first.userinfo, "the URL's credentials stay with their host");
        assert_eq!(same.overlay, overlay);
        let other = chain.follow(&same.target, &same.overlay, "ws://elsewhere/").unwrap();
        assert!(other.credentials_dropped && !other.same_place);
        assert_eq!((&other.overlay.auth, other.overlay.headers.len()), (&None, 0));
        assert!(
            chain.follow(&other.target, &other.overlay, "ws://third/").unwrap_err().message.starts_with("too many")
        );
        let mut chain = Chain::new(&first, 5);
        let back = chain.follow(&first, &overlay, "ws://h:1/b").unwrap();
        let e = chain.follow(&back.target, &back.overlay, "/a").unwrap_err();
        assert_eq!(e.message, "redirect loop: ws://h:1/a → ws://h:1/b → ws://h:1/a");
        let scheme = Chain::new(&first, 5).follow(&first, &overlay, "wss://h:1/").unwrap();
        assert!(scheme.credentials_dropped && scheme.same_place, "another scheme is another place");
    }
}
