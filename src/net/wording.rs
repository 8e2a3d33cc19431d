//! What the resolver and the TLS library said, in words a user can act on.

use std::io;

/// A failed DNS lookup in words.
pub fn dns_words(e: &io::Error) -> String {
    let text = e.to_string();
    if text.contains("not known") || text.contains("No address") || text.contains("nodename") {
        "no such host (DNS)".to_string()
    } else {
        format!("DNS lookup failed: {text}")
    }
}

/// The TLS alert OpenSSL reports (`… alert certificate required:…`), in words.
pub fn alert_words(openssl: &str) -> Option<String> {
    let at = openssl.find(" alert ")?;
    let name = openssl[at + 7..].split(':').next()?.trim();
    let hint = if name == "certificate required" {
        ": it requires a client certificate (--cert and --key)"
    } else if ["unknown ca", "bad certificate", "certificate unknown", "unsupported certificate"].contains(&name) {
        ": it did not accept the client certificate (--cert)"
    } else if name == "handshake failure" {
        ": no TLS version or cipher in common, or it requires a client certificate (--cert and --key)"
    } else {
        ""
    };
    Some(format!("the server sent the TLS alert \"{name}\"{hint}"))
}
