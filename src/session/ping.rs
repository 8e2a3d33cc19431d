//! `--ping-interval` and `--ping-timeout`: when to send the next ping, which pong answers
//! which ping (its round-trip time), and when an unanswered ping has waited too long.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The most unanswered pings remembered; older ones are forgotten (and not timed out).
const REMEMBERED: usize = 64;

pub struct Pinger {
    interval: Option<Duration>,
    timeout: Option<Duration>,
    next: Option<Instant>,
    /// Sent and not yet answered, oldest first.
    outstanding: VecDeque<(Vec<u8>, Instant)>,
    seq: u64,
}

impl Pinger {
    pub fn new(interval: Option<Duration>, timeout: Option<Duration>, now: Instant) -> Pinger {
        Pinger { interval, timeout, next: interval.map(|i| now + i), outstanding: VecDeque::new(), seq: 0 }
    }

    /// No more pings, and no more waiting for pongs (a Close is under way).
    pub fn stop(&mut self) {
        self.next = None;
        self.outstanding.clear();
    }

    /// When the next ping is due, or the oldest unanswered one runs out.
    pub fn next_timer(&self) -> Option<Instant> {
        [self.next, self.overdue_at()].into_iter().flatten().min()
    }

    fn overdue_at(&self) -> Option<Instant> {
        Some(self.outstanding.front()?.1 + self.timeout?)
    }

    /// True when a ping has gone unanswered for `--ping-timeout`.
    pub fn overdue(&self, now: Instant) -> bool {
        self.overdue_at().is_some_and(|at| now >= at)
    }

    /// The payload of the ping to send now, if one is due.
    pub fn due(&mut self, now: Instant) -> Option<Vec<u8>> {
        let (at, every) = (self.next?, self.interval?);
        if now < at {
            return None;
        }
        self.seq += 1;
        let payload = format!("wscheck-{}", self.seq).into_bytes();
        self.outstanding.push_back((payload.clone(), now));
        if self.outstanding.len() > REMEMBERED {
            self.outstanding.pop_front();
        }
        self.next = Some(now + every);
        Some(payload)
    }

    /// A ping sent by hand (the REPL's `/ping`): its pong shows the round trip too.
    pub fn sent(&mut self, payload: Vec<u8>, now: Instant) {
        self.outstanding.push_back((payload, now));
        if self.outstanding.len() > REMEMBERED {
            self.outstanding.pop_front();
        }
    }

    /// A pong arrived: the round-trip time of the ping it answers (and of none other: an
    /// answer to a later ping answers the earlier ones too).
    pub fn on_pong(&mut self, payload: &[u8], now: Instant) -> Option<Duration> {
        let i = self.outstanding.iter().position(|(data, _)| data == payload)?;
        let sent = self.outstanding[i].1;
        self.outstanding.drain(..=i);
        Some(now - sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn pings_on_time_and_measures_the_answer() {
        let t0 = Instant::now();
        let mut p = Pinger::new(Some(100 * MS), None, t0);
        assert_eq!(p.next_timer(), Some(t0 + 100 * MS));
        assert_eq!(p.due(t0 + 50 * MS), None);
        assert_eq!(p.due(t0 + 100 * MS).as_deref(), Some(&b"wscheck-1"[..]));
        assert_eq!(p.next_timer(), Some(t0 + 200 * MS));
        assert_eq!(p.on_pong(b"wscheck-1", t0 + 103 * MS), Some(3 * MS));
        assert_eq!(p.on_pong(b"wscheck-1", t0 + 104 * MS), None, "answered once");
        assert_eq!(p.on_pong(b"unsolicited", t0), None);
    }

    #[test]
    fn an_unanswered_ping_runs_out() {
        let t0 = Instant::now();
        let mut p = Pinger::new(Some(100 * MS), Some(30 * MS), t0);
        p.due(t0 + 100 * MS).unwrap();
        assert_eq!(p.next_timer(), Some(t0 + 130 * MS));
        assert!(!p.overdue(t0 + 129 * MS));
        assert!(p.overdue(t0 + 130 * MS));
        // A later ping's pong answers the earlier one too.
        p.due(t0 + 200 * MS);
        p.on_pong(b"wscheck-2", t0 + 201 * MS);
        assert!(!p.overdue(t0 + 500 * MS));
        p.stop();
        assert_eq!(p.next_timer(), None);
    }
}
