//! HTTP Basic credentials, and the headers that carry credentials: masked in the
//! transcript, not sent to another host.

/// An `Authorization`/`Proxy-Authorization` value for HTTP Basic credentials.
pub fn basic_auth(user: &str, pass: &str) -> String {
    format!("Basic {}", data_encoding::BASE64.encode(format!("{user}:{pass}").as_bytes()))
}

/// True for the headers that carry credentials: masked in output, not sent to another host.
pub fn is_credential(name: &str) -> bool {
    ["authorization", "proxy-authorization", "cookie", "set-cookie"].iter().any(|s| name.eq_ignore_ascii_case(s))
}

/// The masked form of a credential-bearing header value, or None when `name` carries none.
/// `Basic dXNlcjpwYXNz` becomes `Basic ***** (12 bytes)`. The scheme is message text
/// (`escape::net`): not escaped here, the renderers escape every line once.
pub fn mask(name: &str, value: &[u8]) -> Option<String> {
    if !is_credential(name) {
        return None;
    }
    let is_auth = name.to_ascii_lowercase().ends_with("authorization");
    match value.iter().position(|&b| b == b' ') {
        Some(sp) if is_auth && sp > 0 => Some(format!(
            "{} ***** ({})",
            crate::escape::net(&value[..sp]),
            crate::words::count(value.len() - sp - 1, "byte")
        )),
        _ => Some(format!("***** ({})", crate::words::count(value.len(), "byte"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_the_scheme_raw_for_the_renderers_to_escape_once() {
        assert_eq!(mask("Authorization", b"Bearer abc").as_deref(), Some("Bearer ***** (3 bytes)"));
        assert_eq!(mask("authorization", b"Ba\x1bsic xyz").as_deref(), Some("Ba\x1bsic ***** (3 bytes)"));
        assert_eq!(mask("Set-Cookie", b"a=b").as_deref(), Some("***** (3 bytes)"));
        assert_eq!(mask("X-Other", b"v"), None);
        assert_eq!(mask("Cookie", b"a").as_deref(), Some("***** (1 byte)"));
        assert_eq!(mask("Authorization", b"Bearer x").as_deref(), Some("Bearer ***** (1 byte)"));
    }

    #[test]
    fn basic_credentials() {
        assert_eq!(basic_auth("user", "secret"), "Basic dXNlcjpzZWNyZXQ=");
        assert!(is_credential("PROXY-AUTHORIZATION") && !is_credential("X-Auth"));
    }
}
