//! Every rule wscheck judges a handshake by, in one list: its finding id, the level it has
//! when broken, its RFC section and what it says. The findings, the JSON `severity`, the
//! README's table (checked by `tests/readme.rs`) and the interop tests all read this list.

use super::Level;

/// Declares [`Check`] with one line per rule: `Variant => (id, severity, RFC, rule)`.
macro_rules! checks {
    ($( $(#[$doc:meta])* $variant:ident => ($id:literal, $severity:ident, $rfc:literal, $rule:literal), )*) => {
        /// One rule of the handshake (SPEC §4). Several variants may share an id when one
        /// finding tells several statuses apart (`auth`: 401, 403, 407), each with its RFC.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Check {
            $( $(#[$doc])* $variant, )*
        }

        impl Check {
            /// Every check, in the order of the README's tables.
            pub const ALL: &'static [Check] = &[$( Check::$variant, )*];

            /// The finding id (`accept`, `status-101`…), as in the transcript and JSON.
            pub fn id(self) -> &'static str {
                match self { $( Check::$variant => $id, )* }
            }

            /// The level this rule has when it is broken (SPEC §4): `Error`, `Warning`, or
            /// `Info` for an explanation that does not count against the server. Never `Ok`.
            pub fn severity(self) -> Level {
                match self { $( Check::$variant => Level::$severity, )* }
            }

            /// The RFC section behind the rule, e.g. `RFC 6455 §4.1`.
            pub fn rfc(self) -> &'static str {
                match self { $( Check::$variant => $rfc, )* }
            }

            /// The rule in one line (for tables and listings; findings say more).
            pub fn rule(self) -> &'static str {
                match self { $( Check::$variant => $rule, )* }
            }
        }
    };
}

// One line per rule, each with the checks that use it.
checks! {
    // On a 101 (`checks/rfc6455.rs`, `checks/negotiation.rs`).
    Status101 => ("status-101", Error, "RFC 6455 §4.1", "the status code is 101, whatever the reason phrase"),
    ReasonPhrase => ("reason-phrase", Info, "RFC 9110 §15.2.2", "the reason phrase is free text: a note when it is not \"Switching Protocols\""),
    HttpVersion => ("http-version", Error, "RFC 6455 §4.1", "the response is HTTP/1.1 or later"),
    StatusLine => ("status-line", Warning, "RFC 9112 §4", "the status line has only characters HTTP allows"),
    Upgrade => ("upgrade", Error, "RFC 6455 §4.1", "Upgrade contains \"websocket\", case-insensitive"),
    Connection => ("connection", Error, "RFC 6455 §4.1", "the Connection tokens include \"upgrade\", case-insensitive"),
    Accept => ("accept", Error, "RFC 6455 §4.1", "Sec-WebSocket-Accept is base64(SHA-1(key + GUID)), given once"),
    /// Broken at `Warning` when subprotocols were offered and none was chosen (see `negotiation`).
    Subprotocol => ("subprotocol", Error, "RFC 6455 §4.1", "at most one Sec-WebSocket-Protocol, one that was offered"),
    Extensions => ("extensions", Error, "RFC 6455 §4.1", "Sec-WebSocket-Extensions names only extensions that were offered"),
    ExtensionsUnsupported => ("extensions-unsupported", Warning, "RFC 6455 §9.1", "the server agreed to no offered extension that wscheck cannot read"),
    // permessage-deflate, when it was offered (`checks/rfc7692.rs`).
    DeflateParams => ("deflate-params", Error, "RFC 7692 §7.1", "permessage-deflate's answer: known parameters, each once, window bits 8-15, none the offer ruled out"),
    Deflate => ("deflate", Info, "RFC 7692 §7", "the permessage-deflate parameters agreed, or that the server declined the offer"),
    LineEndings => ("line-endings", Warning, "RFC 9112 §2.2", "every header line ends in CRLF, not a bare LF"),
    DuplicateHeader => ("duplicate-header", Warning, "RFC 6455 §11.3", "no handshake header is given twice"),
    DraftHixie => ("draft-hixie", Error, "RFC 6455 §1.9", "not a pre-RFC hixie-75/76 server"),
    InvalidHeader => ("invalid-header", Warning, "RFC 9110 §5.5", "every header line is a valid header field"),
    // wss:// only (`cert.rs`).
    Certificate => ("certificate", Warning, "RFC 5280 §4.1.2.5", "the certificate does not expire within --cert-warn-days"),
    CertificateName => ("certificate-name", Warning, "RFC 9110 §4.3.4", "the certificate is valid for the URL's host"),
    // A status other than 101: what it means (`checks/explain.rs`).
    Version => ("version", Info, "RFC 6455 §4.4", "426: the WebSocket versions the server supports"),
    Redirect => ("redirect", Info, "RFC 6455 §4.1", "3xx: where the redirect goes (follow with -L)"),
    AuthRequired => ("auth", Info, "RFC 9110 §11.6.1", "401: the challenge, or that the credentials were refused"),
    AuthForbidden => ("auth", Info, "RFC 9110 §15.5.4", "403: a wrong path, or the Origin, credentials or address refused"),
    ProxyAuthRequired => ("auth", Info, "RFC 9110 §11.7.1", "407: the proxy's challenge"),
    WrongScheme => ("wrong-scheme", Info, "RFC 6455 §3", "the body says the port speaks TLS: try wss://"),
    BadRequest => ("bad-request", Info, "RFC 6455 §4.2.1", "400: the server refused the upgrade request"),
    NotFound => ("not-found", Info, "RFC 6455 §4.2.1", "404: no WebSocket endpoint at this path"),
    NotWebsocket => ("not-websocket", Info, "RFC 6455 §4.1", "2xx: an ordinary HTTP endpoint ignored the Upgrade"),
    ServerError => ("server-error", Info, "RFC 9110 §15.6", "5xx: the server, or a proxy or gateway in front of it, failed"),
    // Over HTTP/2, `--http2` (`checks/rfc8441.rs`); `subprotocol` and `extensions` apply as above.
    Alpn => ("alpn", Error, "RFC 9113 §3.2", "wss://: the server selected h2 by ALPN"),
    ConnectProtocol => ("connect-protocol", Error, "RFC 8441 §3", "the server's SETTINGS have ENABLE_CONNECT_PROTOCOL=1"),
    Status2xx => ("status-2xx", Error, "RFC 8441 §5", "the extended CONNECT is answered with a 2xx status"),
    /// The note that goes with a 2xx: it is what a 101 is over HTTP/1.1.
    Status2xxIs101 => ("status-2xx", Info, "RFC 9113 §8.5", "200 is HTTP/2's 101: HTTP/2 has no 101 and no reason phrase"),
    AcceptH2 => ("accept-h2", Warning, "RFC 8441 §5", "no Sec-WebSocket-Accept: it has no meaning over HTTP/2"),
    ConnectionSpecific => ("connection-specific", Error, "RFC 9113 §8.2.2", "no Connection, Upgrade, Keep-Alive, Proxy-Connection or Transfer-Encoding"),
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kebab_case_and_shared_only_by_auth_and_status_2xx() {
        for c in Check::ALL {
            assert!(c.id().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{c:?}");
            let same: Vec<_> = Check::ALL.iter().filter(|o| o.id() == c.id()).collect();
            assert!(same.len() == 1 || ["auth", "status-2xx"].contains(&c.id()), "{c:?} shares its id");
            assert_eq!(same.iter().filter(|o| o.rfc() == c.rfc()).count(), 1, "{c:?}: same id and RFC twice");
        }
    }

    #[test]
    fn severities_are_failing_levels_and_rfcs_name_a_section() {
        for c in Check::ALL {
            assert_ne!(c.severity(), Level::Ok, "{c:?}");
            assert!(c.rfc().starts_with("RFC ") && c.rfc().contains(" §"), "{c:?}: {}", c.rfc());
            assert!(!c.rule().is_empty() && !c.rule().contains('\n'), "{c:?}");
        }
        assert_eq!(Check::Status101.severity(), Level::Error);
        assert_eq!(Check::LineEndings.severity(), Level::Warning);
        assert_eq!(Check::Redirect.severity(), Level::Info);
    }
}
