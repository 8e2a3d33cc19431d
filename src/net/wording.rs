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

/// The TLS alert named in OpenSSL's text for a failed handshake (`… alert certificate
/// required:…`), in words.
pub fn alert_words(openssl: &str) -> Option<String> {
    let at = openssl.find(" alert ")?;
    let name = openssl[at + 7..].split(':').next()?.trim();
    Some(named_alert_words(name))
}

/// A TLS alert, by its name as OpenSSL gives it, in words with what to do about it.
pub fn named_alert_words(name: &str) -> String {
    let hint = if name == "certificate required" {
        ": it requires a client certificate (--cert and --key)"
    } else if ["unknown ca", "bad certificate", "certificate unknown", "unsupported certificate"].contains(&name) {
        ": it did not accept the client certificate (--cert)"
    } else if name == "handshake failure" {
        ": no TLS version or cipher in common, or it requires a client certificate (--cert and --key)"
    } else {
        ""
    };
    format!("the server sent the TLS alert \"{name}\"{hint}")
}

/// A TLS alert the server sent, as the TLS library reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Its number (RFC 8446 §6).
    pub number: u8,
    /// Its name as OpenSSL spells it: `certificate required`.
    pub name: String,
}

/// The TLS alert behind a failed read or write of a TLS stream, if that is what it was: an
/// error of OpenSSL's SSL library whose reason code is an alert's (by OpenSSL's API, not
/// its text).
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
pub fn tls_alert(e: &io::Error) -> Option<Alert> {
    /// ERR_LIB_SSL (OpenSSL's err.h), and SSL_AD_REASON_OFFSET (ssl.h): the reason code of
    /// a received alert is the offset plus the alert's number.
    const ERR_LIB_SSL: i32 = 20;
    const SSL_AD_REASON_OFFSET: i32 = 1000;
    let ssl = e.get_ref()?.downcast_ref::<openssl::ssl::Error>()?;
    ssl.ssl_error()?.errors().iter().find_map(|err| {
        let number = u8::try_from(err.reason_code() - SSL_AD_REASON_OFFSET).ok()?;
        if err.library_code() != ERR_LIB_SSL {
            return None;
        }
        let name = err.reason().map_or_else(|| format!("number {number}"), alert_name);
        Some(Alert { number, name })
    })
}

#[cfg(any(target_os = "windows", target_vendor = "apple"))]
pub fn tls_alert(_e: &io::Error) -> Option<Alert> {
    None
}

/// An alert's name from OpenSSL's reason string for it: `tlsv13 alert certificate
/// required` is `certificate required`, `tlsv1 unrecognized name` is `unrecognized name`.
fn alert_name(reason: &str) -> String {
    let name = match reason.split_once(" alert ") {
        Some((_, name)) => name,
        None => reason.split_once(' ').map_or(reason, |(_, name)| name),
    };
    name.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_from_openssls_reasons() {
        assert_eq!(alert_name("tlsv13 alert certificate required"), "certificate required");
        assert_eq!(alert_name("sslv3 alert handshake failure"), "handshake failure");
        assert_eq!(alert_name("tlsv1 unrecognized name"), "unrecognized name");
        assert_eq!(
            alert_words("error:0A000418:SSL routines::tlsv1 alert unknown ca:x").as_deref(),
            Some("the server sent the TLS alert \"unknown ca\": it did not accept the client certificate (--cert)")
        );
    }

    #[test]
    fn other_errors_are_not_alerts() {
        assert_eq!(tls_alert(&io::Error::from(io::ErrorKind::ConnectionReset)), None);
        assert_eq!(tls_alert(&io::Error::other("tlsv13 alert certificate required")), None, "text is not an alert");
    }
}
