//! The one place that writes output. Every [`Event`] goes through [`Reporter::emit`] and is
//! rendered either as the human transcript (stderr, with payloads on stdout) or as JSON
//! Lines on stdout. In the REPL both go through the line editor's printer, above the prompt.

pub mod har;
mod human;
mod json;
pub mod matrix;
pub mod trace;

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::cli::{BinaryOutput, ColorWhen};
use crate::escape;
use crate::event::Event;

/// Decide once whether to colour the transcript (fd's approach: the flag, then `NO_COLOR` and
/// `TERM=dumb`, then whether stderr is a terminal).
pub fn use_color(when: ColorWhen) -> bool {
    color_for(when, io::stderr().is_terminal())
}

/// Colour for an output that is a terminal (`tty`) or not: the flag, then `NO_COLOR` and
/// `TERM=dumb`.
pub fn color_for(when: ColorWhen, tty: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            !no_color && !dumb && tty
        }
    }
}

/// Write one line to stderr, for what is said outside a run's transcript (usage errors,
/// banners). A stderr that cannot be written is not worth a panic.
pub fn say(line: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(line.as_bytes()).and_then(|()| err.write_all(b"\n"));
}

/// Where events go: the transcript and `--json` ([`Reporter`]), or a record of them (a
/// probe variant's, a test's). Everything wscheck says is an event given to a sink.
pub trait Sink {
    fn emit(&mut self, event: &Event);
}

impl Sink for Reporter {
    fn emit(&mut self, event: &Event) {
        Reporter::emit(self, event);
    }
}

/// The recording, whichever thread panicked while holding it.
fn lock(har: &Mutex<har::Recording>) -> std::sync::MutexGuard<'_, har::Recording> {
    har.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
    /// End each received message on stdout with NUL instead of a newline (`-0`).
    pub null: bool,
}

pub struct Reporter {
    json: bool,
    start: Instant,
    style: Style,
    stdout: BufWriter<Stdout>,
    printer: Option<Printer>,
    /// Set when output cannot go on: a closed pipe (end quietly) or a failed write.
    broken: bool,
    /// Why writing stdout failed, when it was not a closed pipe (`>/dev/full`): the run ends with 1.
    failed: Option<String>,
    /// `--har`: every event recorded for the HAR file (shared with the signal thread's last words).
    har: Option<Arc<Mutex<har::Recording>>>,
    /// `wscheck probe`: rows go to stdout in this layout (see [`matrix`]), the header first.
    matrix: Option<matrix::Layout>,
    matrix_started: bool,
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
                null: false,
            },
            stdout: BufWriter::with_capacity(64 * 1024, io::stdout()),
            printer: None,
            broken: false,
            failed: None,
            har: None,
            matrix: None,
            matrix_started: false,
        }
    }

    /// Render `probe` rows as the matrix, laid out so.
    pub fn set_matrix(&mut self, layout: matrix::Layout) {
        self.matrix = Some(layout);
    }

    /// Show recorded events as a transcript on stderr under `title` (a probe variant's, after
    /// its row with `-v`): messages as `<` lines, nothing on stdout. Nothing in `--json`.
    pub fn transcript<'a>(&mut self, title: &str, events: impl IntoIterator<Item = &'a Event>) {
        if self.json || self.broken {
            return;
        }
        self.flush();
        let style = Style { interactive: true, ..self.style };
        let elapsed = self.start.elapsed();
        let mut text = format!("* {}\n", escape::text(title));
        text.extend(events.into_iter().filter_map(|e| human::render(e, &style, elapsed, &mut io::sink()).ok()));
        if let Err(e) = io::stderr().lock().write_all(text.as_bytes())
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.broken = true;
        }
    }

    /// Record every event from now on for `--har`, written to `file` by [`Reporter::finish_har`].
    pub fn record_har(&mut self, file: har::HarFile) {
        self.har = Some(Arc::new(Mutex::new(har::Recording::new(file))));
    }

    /// True when the run is recorded for `--har`.
    pub fn records_har(&self) -> bool {
        self.har.is_some()
    }

    /// Add entries recorded elsewhere (probe's variants, see [`har::entries`]) to the HAR file.
    pub fn add_har_entries(&mut self, entries: Vec<serde_json::Value>) {
        if let Some(har) = &self.har {
            lock(har).add(entries);
        }
    }

    /// Keep `event` for the HAR file; out of line, so that a run without `--har` pays one test.
    #[inline(never)]
    fn record(&mut self, event: &Event) {
        if let Some(har) = &self.har {
            lock(har).recorder.record(event);
        }
    }

    /// Write the HAR file, if `--har` asked for one; the error in words.
    pub fn finish_har(&mut self) -> Result<(), String> {
        self.har.as_ref().map_or(Ok(()), |har| lock(har).finish())
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
        if self.har.is_some() {
            self.record(event);
        }
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
        if let Err(e) = result {
            self.write_failed(e);
        }
    }

    /// Stop writing after an error: a closed pipe is a quiet end, anything else a failure.
    fn write_failed(&mut self, e: io::Error) {
        self.broken = true;
        if e.kind() != io::ErrorKind::BrokenPipe && self.failed.is_none() {
            self.failed = Some(e.to_string());
        }
    }

    fn write_human(&mut self, event: &Event, elapsed: std::time::Duration) -> io::Result<()> {
        if let (Event::Probe(row), Some(layout)) = (event, &self.matrix) {
            if !self.matrix_started {
                self.matrix_started = true;
                self.stdout.write_all(matrix::header(layout).as_bytes())?;
            }
            self.stdout.write_all(matrix::row(row, layout).as_bytes())?;
            return self.stdout.flush();
        }
        if let Event::Summary { pass, fail, warn, skip } = event {
            self.stdout.flush()?;
            let _ = io::stderr().lock().write_all(matrix::summary(*pass, *fail, *warn, *skip).as_bytes());
            return Ok(());
        }
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
            // The transcript's own failures are not stdout's: a closed stderr ends the output
            // quietly; any other stderr error has nowhere to be reported.
            if let Err(e) = io::stderr().lock().write_all(err.as_bytes())
                && e.kind() == io::ErrorKind::BrokenPipe
            {
                self.broken = true;
            }
        }
        Ok(())
    }

    /// A renderer for the last events of a run that another thread ends while this one is
    /// blocked (a signal during the handshake): it writes straight to stdout and stderr,
    /// each under its lock, so no line of this reporter's is cut in two.
    pub fn last_words(&self) -> crate::signals::LastWords {
        let (json, start, style) = (self.json, self.start, self.style);
        let har = self.har.clone();
        Box::new(move |events: &[Event]| {
            if let Some(har) = &har {
                let mut har = lock(har);
                events.iter().for_each(|e| har.recorder.record(e));
                if let Err(e) = har.finish() {
                    say(&format!("error: {e}"));
                }
            }
            let elapsed = start.elapsed();
            let mut out = io::stdout().lock();
            let mut err = io::stderr().lock();
            for event in events {
                if json {
                    let mut line = Vec::new();
                    let _ = json::render(event, elapsed, &mut line);
                    let _ = out.write_all(&line);
                } else if let Ok(text) = human::render(event, &style, elapsed, &mut io::sink()) {
                    let _ = err.write_all(text.as_bytes());
                }
            }
            let _ = out.flush();
        })
    }

    pub fn flush(&mut self) {
        if !self.broken
            && let Err(e) = self.stdout.flush()
        {
            self.write_failed(e);
        }
    }

    /// True once output cannot go on (stdout closed by its reader, or failing).
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Why stdout could not be written, when that was not a closed pipe.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }
}
