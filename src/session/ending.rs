//! The ending policy (SPEC §5, §15): when a session ends, and with which exit code.
//!
//! One small state machine fed by the session loop: messages received, input at its end,
//! Closes sent and received, the connection lost, timers, signals. It answers with a
//! [`Step`] — carry on, send a Close (the ending is then decided), or end — and owns every
//! rule: goals (`-n`, `--expect`, `--expect-close`) wait for themselves, `-w` applies only
//! without a goal, `--timeout` ends everything, and once the server's Close has arrived
//! what follows cannot change the outcome. No I/O here: the loop does what it is told.

use std::time::{Duration, Instant};

use crate::event::Level;
use crate::exit::{Code, Failure};

/// How a session ends: the exit code, or the failure to report.
pub type Ending = Result<Code, Failure>;

/// How long to wait for the server's side of the close handshake.
pub const CLOSE_WAIT: Duration = Duration::from_secs(2);
/// The shorter wait after a signal, and past `--timeout` (SPEC §15: at most 1 s).
pub const CLOSE_WAIT_SHORT: Duration = Duration::from_secs(1);

/// A deadline and how to name it in what wscheck says ("--timeout 2s").
#[derive(Debug, Clone)]
pub struct Limit {
    pub at: Instant,
    pub name: String,
}

/// What ends the session, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// `-n N`: this many received messages.
    pub count: Option<u64>,
    /// `--expect REGEX`, as given (the loop matches; this names it).
    pub expect: Option<String>,
    /// `--expect-close CODE,…`: the server must close with one of these.
    pub expect_close: Vec<u16>,
    /// `-w`: the quiet wait after the last send, without a goal.
    pub wait: Duration,
    /// `--timeout`, or the default one of a goal.
    pub timeout: Option<Limit>,
    /// Over an HTTP/2 stream (where the switch was a 200, not a 101): the completed close
    /// handshake ends the session at once, without waiting for the stream to end, which is
    /// the server's to send and which some servers (hypercorn) send only at their idle timeout.
    pub http2: bool,
}

impl Rules {
    pub fn has_goal(&self) -> bool {
        self.count.is_some() || self.expect.is_some() || !self.expect_close.is_empty()
    }
}

/// Something to tell the user on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub level: Level,
    pub text: String,
}

/// What the loop does next.
#[derive(Debug)]
pub enum Step {
    Go,
    /// Send this Close (code, reason); the ending is decided and kept until the end.
    Close(u16, String, Option<Note>),
    /// The session is over.
    End(Ending, Option<Note>),
}

/// Who has closed so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    Nobody,
    /// Our Close is out; the server's answer is awaited.
    Us,
    /// The server's Close has arrived (first, or in answer to ours).
    Server,
}

pub struct Policy {
    rules: Rules,
    received: u64,
    /// `-n` or `--expect` is met (messages after it are not shown).
    messages_met: bool,
    closed: Closed,
    /// Decided when the first Close crossed; taken at the end.
    ending: Option<Ending>,
    quiet_until: Option<Instant>,
    give_up: Option<Instant>,
}

impl Policy {
    pub fn new(rules: Rules) -> Policy {
        Policy {
            rules,
            received: 0,
            messages_met: false,
            closed: Closed::Nobody,
            ending: None,
            quiet_until: None,
            give_up: None,
        }
    }

    /// A Close is under way (either side's): nothing more is sent.
    pub fn closing(&self) -> bool {
        self.closed != Closed::Nobody
    }

    /// The server's Close has arrived: whatever it sends now is noise.
    pub fn server_closed(&self) -> bool {
        self.closed == Closed::Server
    }

    /// The session is over once the close handshake is: the server's Close has arrived and,
    /// the loop makes sure, ours is written — over HTTP/2 (`http2`).
    pub fn over_at_close(&self) -> bool {
        self.rules.http2 && self.server_closed()
    }

    /// Received messages are still shown (not after `-n`/`--expect` is met).
    pub fn shows_messages(&self) -> bool {
        !self.messages_met
    }

    pub fn received(&self) -> u64 {
        self.received
    }

    /// The next instant at which [`Policy::on_timer`] has something to do.
    pub fn next_timer(&self) -> Option<Instant> {
        if self.closing() {
            return self.give_up;
        }
        [self.quiet_until, self.rules.timeout.as_ref().map(|t| t.at)].into_iter().flatten().min()
    }

    /// A data message arrived; `matched` when it matches `--expect`.
    pub fn on_message(&mut self, matched: bool, now: Instant) -> Step {
        self.received += 1;
        if self.closing() {
            return Step::Go; // shown, but it decides nothing any more
        }
        if let Some(q) = &mut self.quiet_until {
            *q = now + self.rules.wait;
        }
        let counted = self.rules.count.is_some_and(|n| self.received >= n);
        if !(matched || counted) {
            return Step::Go;
        }
        self.messages_met = true;
        if self.rules.expect_close.is_empty() {
            self.close(1000, Ok(Code::Ok), now, None)
        } else {
            Step::Go // the server's Close decides
        }
    }

    /// Nothing more will be sent (stdin at EOF, the `-x` messages sent). A goal waits for
    /// itself; without one the quiet wait starts, or with `-w 0` the Close goes out now.
    pub fn on_input_end(&mut self, now: Instant) -> Step {
        if self.closing() || self.rules.has_goal() {
            return Step::Go;
        }
        if self.rules.wait.is_zero() {
            return self.close(1000, Ok(Code::Ok), now, None);
        }
        self.quiet_until = Some(now + self.rules.wait);
        Step::Go
    }

    /// The user closes (`/close`, `/quit`, `--handshake-only`, stdout gone): a normal end.
    pub fn on_user_close(&mut self, code: u16, reason: String, now: Instant) -> Step {
        self.close_with_reason(code, reason, Ok(Code::Ok), now, None)
    }

    /// Close politely, then end with `failure` (input that could not be read, no pong).
    pub fn on_failure(&mut self, failure: Failure, now: Instant) -> Step {
        self.close(1000, Err(failure), now, None)
    }

    /// SIGINT or SIGTERM: Close 1000, a short wait, then exit with `code` (130, 143).
    pub fn on_signal(&mut self, code: Code, now: Instant) -> Step {
        if !self.closing() {
            let step = self.close(1000, Ok(code), now, None);
            self.give_up = Some(now + CLOSE_WAIT_SHORT);
            return step;
        }
        self.ending = Some(Ok(code));
        self.give_up = Some(self.give_up.map_or(now, |g| g.min(now + CLOSE_WAIT_SHORT)));
        Step::Go
    }

    /// The server's Close arrived: first (tungstenite echoes it), or in answer to ours.
    pub fn on_server_close(&mut self, code: Option<u16>, reason: &str, now: Instant) {
        match self.closed {
            Closed::Nobody => {
                self.ending = Some(self.judge_server_close(code, reason));
                self.give_up = Some(self.close_deadline(now, CLOSE_WAIT));
            }
            Closed::Us | Closed::Server => {}
        }
        self.closed = Closed::Server;
    }

    /// The exit code of a Close the server sent first.
    fn judge_server_close(&self, code: Option<u16>, reason: &str) -> Ending {
        let shown = crate::close::describe(code);
        // Not escaped here: the renderer escapes the whole message (escaping twice shows `\\x1b`).
        let why = if reason.is_empty() { String::new() } else { format!(": \"{reason}\"") };
        let expected = code.is_some_and(|c| self.rules.expect_close.contains(&c));
        let unmet = self.unmet(!expected);
        if !unmet.is_empty() {
            return Err(Failure::new(
                Code::NotMet,
                format!("{unmet} not met: the server closed the connection ({shown}{why})"),
            ));
        }
        if !expected && !crate::close::is_clean(code) {
            return Err(Failure::new(Code::ServerError, format!("the server closed the session with {shown}{why}")));
        }
        Ok(Code::Ok)
    }

    /// The goals not met, in words ("--count 2 (1 received) and --expect-close 4001"); empty
    /// when all are. `close_unmet`: whether `--expect-close` counts as not met.
    fn unmet(&self, close_unmet: bool) -> String {
        let mut goals = Vec::new();
        if !self.messages_met {
            if let Some(re) = &self.rules.expect {
                goals.push(format!("--expect '{re}'"));
            } else if let Some(n) = self.rules.count {
                goals.push(format!("--count {n} ({} received)", self.received));
            }
        }
        if close_unmet && !self.rules.expect_close.is_empty() {
            let codes: Vec<String> = self.rules.expect_close.iter().map(u16::to_string).collect();
            goals.push(format!("--expect-close {}", codes.join(",")));
        }
        goals.join(" and ")
    }

    /// The connection is gone (EOF, reset). Before any Close that is a break (9, `why` says
    /// how it was lost); once a Close is under way, the ending already decided stands.
    pub fn on_lost(&mut self, why: &str) -> Ending {
        if self.closing() {
            return self.planned();
        }
        Err(Failure::new(Code::SessionBroke, format!("the connection was lost without a Close (1006){why}")))
    }

    /// The server broke the protocol. Before its Close this is the failure (and the loop
    /// sends a Close with `close_code` unless ours is already out); after its Close it is
    /// noise: a warning, and the ending by the close codes.
    pub fn on_protocol_error(&mut self, failure: Failure) -> ProtocolOutcome {
        if self.server_closed() {
            return ProtocolOutcome {
                ending: self.planned(),
                send_close: false,
                note: Some(Note {
                    level: Level::Warning,
                    text: "the server sent more after its Close (ignored)".into(),
                }),
            };
        }
        ProtocolOutcome { ending: Err(failure), send_close: !self.closing(), note: None }
    }

    /// Timers: the close handshake's bounded wait, `--timeout`, the quiet wait.
    pub fn on_timer(&mut self, now: Instant) -> Step {
        if self.closing() {
            if self.give_up.is_none_or(|g| now < g) {
                return Step::Go;
            }
            let note = match self.closed {
                Closed::Server => Note {
                    level: Level::Info,
                    text: format!(
                        "the close handshake is complete, but the server did not close the connection within {} s; wscheck closed it",
                        CLOSE_WAIT.as_secs()
                    ),
                },
                _ => Note {
                    level: Level::Warning,
                    text: format!("the server did not complete the close handshake within {} s", CLOSE_WAIT.as_secs()),
                },
            };
            return Step::End(self.planned(), Some(note));
        }
        if let Some(t) = self.rules.timeout.as_ref().filter(|t| now >= t.at) {
            let (ending, note) = if self.rules.has_goal() {
                let failure =
                    Failure::new(Code::Timeout, format!("{} not met before {} ran out", self.unmet(true), t.name));
                (Err(failure), None)
            } else {
                let text = format!("{} ran out: closing the session", t.name);
                (Ok(Code::Ok), Some(Note { level: Level::Info, text }))
            };
            // The Close wait is the short one here: see close_deadline.
            return self.close(1000, ending, now, note);
        }
        if self.quiet_until.is_some_and(|q| now >= q) {
            return self.close(1000, Ok(Code::Ok), now, None);
        }
        Step::Go
    }

    /// The ending decided so far (a normal end when nothing was).
    pub fn planned(&mut self) -> Ending {
        self.ending.take().unwrap_or(Ok(Code::Ok))
    }

    fn close(&mut self, code: u16, ending: Ending, now: Instant, note: Option<Note>) -> Step {
        self.close_with_reason(code, String::new(), ending, now, note)
    }

    fn close_with_reason(
        &mut self,
        code: u16,
        reason: String,
        ending: Ending,
        now: Instant,
        note: Option<Note>,
    ) -> Step {
        if self.closing() {
            return Step::Go;
        }
        self.closed = Closed::Us;
        self.ending = Some(ending);
        self.quiet_until = None;
        self.give_up = Some(self.close_deadline(now, CLOSE_WAIT));
        Step::Close(code, reason, note)
    }

    /// When to stop waiting for the close handshake: `wait` from now, and never more than
    /// [`CLOSE_WAIT_SHORT`] past `--timeout`.
    fn close_deadline(&self, now: Instant, wait: Duration) -> Instant {
        let at = now + wait;
        match &self.rules.timeout {
            Some(t) => at.min(t.at.max(now) + CLOSE_WAIT_SHORT),
            None => at,
        }
    }
}

/// How a protocol error ends the session.
#[derive(Debug)]
pub struct ProtocolOutcome {
    pub ending: Ending,
    /// Tell the server why with a Close (only when none was sent yet).
    pub send_close: bool,
    pub note: Option<Note>,
}

#[cfg(test)]
mod tests;
