//! The one place that writes output. Every [`Event`] goes through [`Reporter::emit`] and is
//! rendered either as the human transcript (stderr, with payloads on stdout) or as JSON
//! Lines on stdout.

mod human;
mod json;

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::time::Instant;

use crate::cli::ColorWhen;
use crate::event::Event;

/// Decide once whether to colour the transcript (fd's approach: flag, then NO_COLOR, then tty).
pub fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stderr().is_terminal()
        }
    }
}

pub struct Reporter {
    json: bool,
    start: Instant,
    stdout: BufWriter<Stdout>,
    stdout_tty: bool,
    /// Set when stdout is gone (a closed pipe): stop writing, end quietly.
    broken: bool,
}

impl Reporter {
    pub fn new(json: bool, color: ColorWhen) -> Reporter {
        colored::control::set_override(!json && use_color(color));
        Reporter {
            json,
            start: Instant::now(),
            stdout: BufWriter::with_capacity(64 * 1024, io::stdout()),
            stdout_tty: io::stdout().is_terminal(),
            broken: false,
        }
    }

    /// Render one event. Handshake-phase events are flushed at once; messages are
    /// buffered until [`Reporter::flush`] so a burst costs one write.
    pub fn emit(&mut self, event: &Event) {
        if self.broken {
            return;
        }
        let result = if self.json {
            json::render(event, self.start.elapsed(), &mut self.stdout)
        } else {
            human::render(event, self.stdout_tty, &mut self.stdout)
        };
        let result = result.and_then(|()| match event {
            Event::Message { .. } => Ok(()),
            _ => self.stdout.flush(),
        });
        if let Err(e) = result
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.broken = true;
        }
    }

    pub fn flush(&mut self) {
        if !self.broken && self.stdout.flush().is_err() {
            self.broken = true;
        }
    }

    /// True once stdout has been closed by its reader.
    pub fn is_broken(&self) -> bool {
        self.broken
    }
}
