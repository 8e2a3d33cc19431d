//! The one place that writes output. Every [`Event`] goes through [`Reporter::emit`] and is
//! rendered either as the human transcript (stderr, with payloads on stdout) or as JSON
//! Lines on stdout. In the REPL both go through the line editor's printer, above the prompt.

mod human;
mod json;

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::time::Instant;

use crate::cli::{BinaryOutput, ColorWhen};
use crate::event::Event;

/// Decide once whether to colour the transcript (fd's approach: flag, then NO_COLOR, then tty).
pub fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stderr().is_terminal(),
    }
}

/// Where text goes while a line editor owns the terminal.
pub type Printer = Box<dyn FnMut(String) + Send>;

/// How the human renderer shows things; fixed for a run.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub stdout_tty: bool,
    pub binary_output: BinaryOutput,
    pub timestamps: bool,
    /// Messages are shown as `< text` lines in the transcript (the REPL), not as data.
    pub interactive: bool,
    /// Show timings (`-v`).
    pub verbose: bool,
}

pub struct Reporter {
    json: bool,
    start: Instant,
    style: Style,
    stdout: BufWriter<Stdout>,
    printer: Option<Printer>,
    /// Set when stdout is gone (a closed pipe): stop writing, end quietly.
    broken: bool,
}

impl Reporter {
    pub fn new(json: bool, color: ColorWhen) -> Reporter {
        colored::control::set_override(!json && use_color(color));
        let stdout_tty = io::stdout().is_terminal();
        Reporter {
            json,
            start: Instant::now(),
            style: Style {
                stdout_tty,
                binary_output: BinaryOutput::Hex,
                timestamps: false,
                interactive: false,
                verbose: false,
            },
            stdout: BufWriter::with_capacity(64 * 1024, io::stdout()),
            printer: None,
            broken: false,
        }
    }

    pub fn style_mut(&mut self) -> &mut Style {
        &mut self.style
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Send all human output through `printer` (the REPL's, which prints above the prompt).
    pub fn set_printer(&mut self, printer: Printer) {
        self.flush();
        self.style.interactive = true;
        self.printer = Some(printer);
    }

    /// Stop printing through the line editor (the session is over; the REPL's `finish`
    /// then takes its prompt away) and write directly again.
    pub fn clear_printer(&mut self) {
        self.printer = None;
    }

    /// A line of wscheck's own for the person at the terminal (the REPL's greeting):
    /// through the printer while there is one, else on stderr. Not part of `--json`.
    pub fn say(&mut self, text: &str) {
        if self.json || self.broken {
            return;
        }
        let line = format!("{text}\n");
        match &mut self.printer {
            Some(printer) => printer(line),
            None => {
                self.flush();
                let _ = io::stderr().lock().write_all(line.as_bytes());
            }
        }
    }

    /// Render one event. Handshake-phase events are flushed at once; messages are
    /// buffered until [`Reporter::flush`] so a burst costs one write.
    pub fn emit(&mut self, event: &Event) {
        if self.broken {
            return;
        }
        let elapsed = self.start.elapsed();
        let result = if self.json {
            json::render(event, elapsed, &mut self.stdout).and_then(|()| match event {
                Event::Message { .. } | Event::RoundTrip { .. } => Ok(()),
                _ => self.stdout.flush(),
            })
        } else {
            self.write_human(event, elapsed)
        };
        if let Err(e) = result
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.broken = true;
        }
    }

    fn write_human(&mut self, event: &Event, elapsed: std::time::Duration) -> io::Result<()> {
        if let Some(printer) = &mut self.printer {
            // The REPL shows messages as transcript lines, so nothing goes to the data sink.
            // Each text ends in a newline: rustyline writes text as is when the editor is
            // between two lines, and adds one only when it draws above the prompt.
            let err = human::render(event, &self.style, elapsed, &mut io::sink())?;
            if !err.is_empty() {
                printer(err);
            }
            return Ok(());
        }
        let err = human::render(event, &self.style, elapsed, &mut self.stdout)?;
        if !err.is_empty() {
            // Data first, so a transcript line never lands inside (or before) a pending data line.
            self.stdout.flush()?;
            io::stderr().lock().write_all(err.as_bytes())?;
        }
        Ok(())
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
