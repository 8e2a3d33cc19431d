//! The values flags take: durations (`250ms`, `2s`), sizes (`64k`, `1M`), close codes.

use std::time::Duration;

/// Parse a DURATION: `250ms`, `2s`, `1m`, or a bare (possibly fractional) number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (s, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (try 250ms, 2s, 1m or a number of seconds)"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("'{s}' is not a duration: it must be zero or more"));
    }
    Duration::try_from_secs_f64(value * scale).map_err(|_| format!("'{s}' is too long"))
}

/// The largest `--max-size`: tungstenite reserves a frame's announced length (up to the cap)
/// before reading it, so a larger cap could overflow or abort on a hostile frame header.
pub const MAX_SIZE_CAP: usize = 1 << 30;

/// Parse a SIZE: a number of bytes with an optional binary multiple — `k`/`K`/`KB`/`KiB` (1024),
/// `M`/`MB`/`MiB`, `G`/`GB`/`GiB` — between 1 byte and [`MAX_SIZE_CAP`].
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("'{s}' is not a size (try 1048576, 64k, 1M or 1G)")),
    };
    let n: u64 = number.parse().map_err(|_| format!("'{s}' is not a size (try 1048576, 64k, 1M or 1G)"))?;
    match n.checked_mul(scale) {
        Some(0) => Err("the size must be at least 1 byte".into()),
        Some(bytes) if bytes <= MAX_SIZE_CAP as u64 => Ok(bytes as usize),
        _ => Err(format!("'{s}' is too large: --max-size is at most 1G (1073741824 bytes)")),
    }
}

/// A DURATION that must be more than zero (`--ping-interval`, `--ping-timeout`).
pub fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err(format!("'{}' is not allowed here: the duration must be more than zero", s.trim()));
    }
    Ok(d)
}

/// A close code a server may send (`--expect-close`): 1000–1003, 1007–1014, 3000–4999.
pub fn parse_close_code(s: &str) -> Result<u16, String> {
    let code: u16 =
        s.trim().parse().map_err(|_| format!("'{s}' is not a close code (a number such as 1000 or 4001)"))?;
    if !crate::close::may_be_sent(code) {
        return Err(format!(
            "{code} ({}) is never sent in a Close frame, so a server cannot close with it",
            crate::close::name(code)
        ));
    }
    Ok(code)
}

/// A duration as a user would write it: `250ms`, `2s`, `1500ms`, `1m`.
pub fn show_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if !d.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{:.3}ms", d.as_secs_f64() * 1000.0)
    } else if ms.is_multiple_of(60_000) && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("inf").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("1MB"), Ok(1 << 20));
        assert_eq!(parse_size("1mib"), Ok(1 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("12 b"), Ok(12));
        for bad in ["0", "0k", "2G", "1T", "-1", "1.5M", "M", "", "99999999999999999999"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn positive_durations_and_close_codes() {
        assert_eq!(parse_positive_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_positive_duration("0").is_err());
        assert!(parse_positive_duration("0ms").is_err());
        assert_eq!(parse_close_code("4001"), Ok(4001));
        assert_eq!(parse_close_code(" 1000"), Ok(1000));
        assert!(parse_close_code("1005").is_err());
        assert!(parse_close_code("999").is_err());
        assert!(parse_close_code("x").is_err());
    }

    #[test]
    fn durations_are_shown_as_written() {
        assert_eq!(show_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(show_duration(Duration::from_secs(2)), "2s");
        assert_eq!(show_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(show_duration(Duration::from_secs(120)), "2m");
        assert_eq!(show_duration(Duration::from_micros(1500)), "1.500ms");
        assert_eq!(show_duration(Duration::ZERO), "0s");
    }
}
