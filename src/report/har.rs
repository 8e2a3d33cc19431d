//! `--har FILE`: the run as HAR 1.2, the format browser dev tools export and import, so a
//! wscheck run and a browser capture can be compared side by side. Another renderer of the
//! event stream: a [`Recorder`] keeps every event with the wall-clock time it was said, and
//! [`entries`] turns them into one entry per hop (connection and exchange) — the upgrade
//! request and the answer, timings, headers in wire order, and the session's messages in
//! `_webSocketMessages` as Chrome writes them (`type` send/receive, `time` in epoch seconds,
//! `opcode`, `data`: the text for opcode 1, base64 for every other opcode).
//!
//! `probe` records each variant with its own [`Recorder`] (a [`Sink`], which keeps each event's
//! real time) and adds its [`entries`] to the run's file with
//! [`Reporter::add_har_entries`](super::Reporter::add_har_entries); added entries replace the
//! ones the reporter's own events would make.

mod entry;

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::{Value, json};

use super::Sink;
use crate::event::Event;
pub use entry::entries;

/// An event and when it was said.
#[derive(Debug, Clone)]
pub struct Stamped {
    pub at: SystemTime,
    pub event: Event,
}

/// Every event given to it, stamped with the time.
#[derive(Debug, Default)]
pub struct Recorder {
    events: Vec<Stamped>,
}

impl Recorder {
    pub fn record(&mut self, event: &Event) {
        self.events.push(Stamped { at: SystemTime::now(), event: event.clone() });
    }

    pub fn events(&self) -> &[Stamped] {
        &self.events
    }
}

impl Sink for Recorder {
    fn emit(&mut self, event: &Event) {
        self.record(event);
    }
}

/// The file `--har` names, created before connecting and written at the end of the run.
#[derive(Debug)]
pub struct HarFile {
    path: PathBuf,
    file: File,
}

impl HarFile {
    pub fn create(path: &Path) -> io::Result<HarFile> {
        Ok(HarFile { path: path.to_path_buf(), file: File::create(path)? })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A run being recorded for its HAR file: the events of the run and entries added by others
/// (probe's variants).
#[derive(Debug)]
pub struct Recording {
    file: Option<HarFile>,
    pub recorder: Recorder,
    added: Vec<Value>,
}

impl Recording {
    pub fn new(file: HarFile) -> Recording {
        Recording { file: Some(file), recorder: Recorder::default(), added: Vec::new() }
    }

    pub fn add(&mut self, entries: Vec<Value>) {
        self.added.extend(entries);
    }

    /// Write the HAR file (once: later calls do nothing). The error, in words, with the file's name.
    /// Entries added with [`Recording::add`] replace the ones the run's own events would make, so
    /// that hop events also shown through the reporter (probe's `-v`) are not entries twice.
    pub fn finish(&mut self) -> Result<(), String> {
        let Some(mut har) = self.file.take() else { return Ok(()) };
        let events = self.recorder.events();
        let all = if self.added.is_empty() { entries(events) } else { std::mem::take(&mut self.added) };
        let log = document(all, outcome(events));
        let mut text = serde_json::to_vec_pretty(&log).map_err(|e| e.to_string())?;
        text.push(b'\n');
        har.file
            .write_all(&text)
            .and_then(|()| har.file.flush())
            .map_err(|e| format!("cannot write the HAR file {}: {}", har.path.display(), crate::words::os_words(&e)))
    }
}

/// The HAR document around `entries`, with `comment` (how the run ended) in `log.comment`.
pub fn document(entries: Vec<Value>, comment: Option<String>) -> Value {
    let mut log = json!({
        "version": "1.2",
        "creator": { "name": "wscheck", "version": env!("CARGO_PKG_VERSION") },
        "pages": [],
        "entries": entries,
    });
    if let Some(comment) = comment {
        log["comment"] = Value::String(comment);
    }
    json!({ "log": log })
}

/// How the recorded run ended, in words: `wscheck exit 3 (connect: could not …)`, or with
/// the verdict on a handshake that failed.
pub fn outcome(events: &[Stamped]) -> Option<String> {
    let code = events.iter().rev().find_map(|s| match &s.event {
        Event::Exit { code } => Some(*code),
        _ => None,
    })?;
    // Why: the error that ended the run, else the verdict on a handshake that failed.
    let why = events.iter().rev().find_map(|s| match &s.event {
        Event::Error { kind, message } => Some(format!(" ({kind}: {message})")),
        _ => None,
    });
    let why = why.or_else(|| {
        events.iter().rev().find_map(|s| match &s.event {
            Event::Handshake { ok: false, summary, .. } => Some(format!(" ({summary})")),
            _ => None,
        })
    });
    Some(format!("wscheck exit {code}{}", why.unwrap_or_default()))
}

#[cfg(test)]
#[path = "har/tests.rs"]
mod tests;
