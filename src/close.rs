//! Close codes and their meanings (RFC 6455 §7.4.1, IANA registry).

/// The name of a close code, for the transcript.
pub fn name(code: u16) -> &'static str {
    match code {
        1000 => "normal closure",
        1001 => "going away",
        1002 => "protocol error",
        1003 => "unsupported data",
        1005 => "no status received",
        1006 => "abnormal closure",
        1007 => "invalid payload data",
        1008 => "policy violation",
        1009 => "message too big",
        1010 => "mandatory extension",
        1011 => "internal error",
        1012 => "service restart",
        1013 => "try again later",
        1014 => "bad gateway",
        1015 => "TLS handshake failure",
        3000..=3999 => "registered by a library or framework",
        4000..=4999 => "application-defined",
        _ => "not a valid close code",
    }
}

/// True for the codes an endpoint may put on the wire: 1004 is reserved, and 1005, 1006 and
/// 1015 must never be sent (RFC 6455 §7.4.1); 3000–4999 are for libraries and applications.
pub fn may_be_sent(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// True for the codes that mean a normal end (SPEC §7: anything else is exit 10).
pub fn is_clean(code: Option<u16>) -> bool {
    matches!(code, None | Some(1000) | Some(1001))
}

/// A received Close's code in words: `1000 (normal closure)`, or `no status code (1005)` for
/// a Close that carried none (RFC 6455 §7.1.5).
pub fn describe(code: Option<u16>) -> String {
    match code {
        Some(c) => format!("{c} ({})", name(c)),
        None => "no status code (1005)".into(),
    }
}
