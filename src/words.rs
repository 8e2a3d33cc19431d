//! Small wording helpers shared by every message: counts with the right plural.

/// `1 byte`, `2 bytes`, `0 bytes`: a count and its noun (an `s` for any count but one).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
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
