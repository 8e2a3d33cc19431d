//! Small wording helpers shared by every message: counts with the right plural, OS errors
//! in words a user can act on.

use std::io;

/// `1 byte`, `2 bytes`, `0 bytes`: a count and its noun (an `s` for any count but one).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// The OS error in words a user can act on.
pub fn os_words(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused (nothing is listening on that port)".into(),
        io::ErrorKind::HostUnreachable => "host unreachable".into(),
        io::ErrorKind::NetworkUnreachable => "network unreachable".into(),
        io::ErrorKind::ConnectionReset => "connection reset by peer".into(),
        io::ErrorKind::AddrNotAvailable => "address not available".into(),
        io::ErrorKind::PermissionDenied => "permission denied (a firewall?)".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts() {
        assert_eq!(super::count(1, "byte"), "1 byte");
        assert_eq!(super::count(0, "byte"), "0 bytes");
        assert_eq!(super::count(64, "error"), "64 errors");
    }
}
