//! The run's time limits (SPEC §8, §15), computed once and absolute: `--timeout` is one
//! deadline from the program's start to its exit; `--connect-timeout` bounds each
//! connection (DNS, TCP, TLS and the HTTP exchange of each hop); the sooner of the two ends
//! a handshake, and a timeout names the flag whose limit it was. 0 means no limit for
//! both, as in curl.

use std::time::{Duration, Instant};

use crate::cli::show_duration;
use crate::net::Deadline;
use crate::session::ending::Limit;

/// Stands for "no limit" where the socket and resolver calls need a deadline: nothing
/// wscheck does lasts a year.
const NO_LIMIT: Duration = Duration::from_secs(365 * 24 * 3600);

/// `--connect-timeout`'s default (SPEC §8).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a session with a goal (`-n`, `--expect`, `--expect-close`) waits for it
/// when no `--timeout` is given (SPEC §15), counted from the 101.
pub const GOAL_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct Limits {
    /// `--timeout` as given: `None` when not given; `Some(0)` for no limit.
    timeout: Option<Duration>,
    overall: Option<Instant>,
    connect: Option<Duration>,
}

impl Limits {
    pub fn new(started: Instant, timeout: Option<Duration>, connect_timeout: Duration) -> Limits {
        let overall = timeout.filter(|t| !t.is_zero()).map(|t| started + t);
        let connect = Some(connect_timeout).filter(|t| !t.is_zero());
        Limits { timeout, overall, connect }
    }

    /// The deadline of a connection that starts `now`.
    pub fn connection(&self, now: Instant) -> Deadline {
        let connect = self.connect.map(|c| now + c);
        match (connect, self.overall) {
            (Some(c), Some(o)) if o <= c => Deadline { at: o, by_timeout: true },
            (None, Some(o)) => Deadline { at: o, by_timeout: true },
            (Some(c), _) => Deadline { at: c, by_timeout: false },
            (None, None) => Deadline { at: now + NO_LIMIT, by_timeout: false },
        }
    }

    /// The session's deadline: `--timeout` from the start, or with a goal and no `--timeout`
    /// the default of [`GOAL_TIMEOUT`] from `now` (the 101).
    pub fn session(&self, now: Instant, goal: bool) -> Option<Limit> {
        match (self.timeout, self.overall) {
            (Some(t), Some(at)) => Some(Limit { at, name: format!("--timeout {}", show_duration(t)) }),
            (None, _) if goal => Some(Limit {
                at: now + GOAL_TIMEOUT,
                name: format!("the default --timeout of {} (with a goal)", show_duration(GOAL_TIMEOUT)),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{Cause, Code, Phase};

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn the_sooner_limit_ends_the_handshake_and_is_named() {
        let t0 = Instant::now();
        let l = Limits::new(t0, Some(S), 10 * S);
        let d = l.connection(t0);
        assert_eq!((d.at, d.limit()), (t0 + S, "--timeout"));
        let f = d.timed_out(Phase::Tls, "during the TLS handshake");
        assert_eq!((f.code, f.message.as_str()), (Code::Timeout, "timed out during the TLS handshake (--timeout)"));
        assert!(matches!(f.cause, Cause::Timeout(Phase::Tls)));
        assert_eq!(d.aside(), " (--timeout)", "a write that ran out of time names --timeout");

        let l = Limits::new(t0, Some(10 * S), S);
        let d = l.connection(t0);
        assert_eq!((d.at, d.limit()), (t0 + S, "--connect-timeout"));
        assert_eq!(d.timed_out(Phase::Dns, "resolving 'h'").message, "timed out resolving 'h' (--connect-timeout)");
        assert_eq!(d.aside(), "", "the usual limit goes unnamed where nothing else names it");
    }

    #[test]
    fn the_overall_deadline_counts_from_the_start_not_from_each_hop() {
        let t0 = Instant::now();
        let l = Limits::new(t0, Some(3 * S), 2 * S);
        assert_eq!(l.connection(t0 + 2 * S).at, t0 + 3 * S, "a later hop gets what is left");
        assert_eq!(l.session(t0 + 2 * S, false).unwrap().at, t0 + 3 * S);
        assert_eq!(l.session(t0, true).unwrap().name, "--timeout 3s");
    }

    #[test]
    fn zero_means_no_limit() {
        let t0 = Instant::now();
        let l = Limits::new(t0, Some(Duration::ZERO), Duration::ZERO);
        let d = l.connection(t0);
        assert!(d.at >= t0 + NO_LIMIT && !d.by_timeout);
        assert!(l.session(t0, true).is_none(), "--timeout 0 with a goal waits for ever");
        let l = Limits::new(t0, None, Duration::ZERO);
        assert!(l.session(t0, false).is_none());
    }

    #[test]
    fn a_goal_without_timeout_gets_the_default_from_the_101() {
        let t0 = Instant::now();
        let l = Limits::new(t0, None, 10 * S);
        let s = l.session(t0 + S, true).unwrap();
        assert_eq!(s.at, t0 + S + GOAL_TIMEOUT);
        assert_eq!(s.name, "the default --timeout of 10s (with a goal)");
        assert!(l.session(t0, false).is_none());
    }
}
