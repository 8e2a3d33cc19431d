//! The interactive front end (SPEC §5, §15): rustyline on its own thread, feeding the I/O
//! loop. Everything shown meanwhile goes through rustyline's external printer, above the
//! line being typed; at the end the prompt is taken away before the last lines are printed.

mod screen;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::{Duration, Instant};

use rustyline::config::Config;
use rustyline::error::ReadlineError;
use rustyline::{
    Cmd, ConditionalEventHandler, DefaultEditor, Event as KeyEvent, EventContext, EventHandler, ExternalPrinter,
    KeyEvent as Key, Movement, RepeatCount,
};
use tungstenite::Message;

use super::input::{Feed, Input};
use crate::report::Printer;
use screen::{Show, Terminal};

/// The greeting, printed once before the first prompt.
pub const BANNER: &str = "Connected. Type a message and press Enter; /help for commands, Ctrl-D to close.";

pub const HELP: &str = "\
Type a line to send it as a text message. Commands:
  /ping [data]              send a ping
  /pong [data]              send an unsolicited pong
  /close [code [reason]]    close the connection (default 1000)
  /binary <hex>             send a binary message, e.g. /binary 01 02 ff
  /pings on|off             show or hide pings and pongs (hidden unless -P)
  /help                     this help
  /quit                     close (1000) and exit; so do Ctrl-D, and Ctrl-C on an empty line
  //text                    send the text /text";

/// What one typed line asks for.
#[derive(Debug, PartialEq)]
pub enum Action {
    Input(Input),
    Show(String),
    Nothing,
}

/// Interpret a typed line.
pub fn parse(line: &str) -> Action {
    if line.is_empty() {
        return Action::Nothing;
    }
    if let Some(text) = line.strip_prefix("//") {
        return Action::Input(Input::Send(Message::Text(format!("/{text}").into())));
    }
    let Some(command) = line.strip_prefix('/') else {
        return Action::Input(Input::Send(Message::Text(line.to_string().into())));
    };
    let (name, rest) = command.split_once(' ').unwrap_or((command, ""));
    let bytes = rest.as_bytes().to_vec();
    match name {
        "ping" => Action::Input(Input::Send(Message::Ping(bytes.into()))),
        "pong" => Action::Input(Input::Send(Message::Pong(bytes.into()))),
        "binary" => {
            let hex: String = rest.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
            match data_encoding::HEXLOWER_PERMISSIVE.decode(hex.as_bytes()) {
                Ok(data) => Action::Input(Input::Send(Message::Binary(data.into()))),
                Err(_) => Action::Show(format!("/binary needs hex digits, e.g. /binary 01 02 ff (got '{rest}')")),
            }
        }
        "close" => {
            let mut parts = rest.trim().splitn(2, ' ');
            let code = match parts.next().filter(|c| !c.is_empty()) {
                None => 1000,
                Some(c) => match c.parse::<u16>() {
                    Ok(code) if crate::close::may_be_sent(code) => code,
                    _ => {
                        return Action::Show(format!(
                            "/close needs a valid close code (1000…1003, 1007…1014, 3000…4999), not '{c}'"
                        ));
                    }
                },
            };
            Action::Input(Input::Close(code, parts.next().unwrap_or("").to_string()))
        }
        "pings" => match rest.trim() {
            "on" => Action::Input(Input::ShowPings(true)),
            "off" => Action::Input(Input::ShowPings(false)),
            _ => Action::Show("/pings on shows pings and pongs, /pings off hides them".into()),
        },
        "quit" | "exit" | "q" => Action::Input(Input::Close(1000, String::new())),
        "help" | "?" => Action::Show(HELP.to_string()),
        _ => Action::Show(format!("unknown command /{name} (/help lists them; //{name} sends the text /{name})")),
    }
}

/// Ctrl-C clears what has been typed (all of a pasted block), and interrupts (ends the
/// REPL) on an empty line.
struct CtrlC;

impl ConditionalEventHandler for CtrlC {
    fn handle(&self, _: &KeyEvent, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        if ctx.line().is_empty() { Some(Cmd::Interrupt) } else { Some(Cmd::Kill(Movement::WholeBuffer)) }
    }
}

/// What the editor is given to read when the session has ended: Ctrl-C clears the line,
/// the next interrupts (the third is for a Ctrl-C that a half-read key sequence swallowed).
const STOP_KEYS: &[u8] = b"\x03\x03\x03";

/// How long the end may wait for the editor to draw what it was given and let go.
const FINISH: Duration = Duration::from_secs(2);

/// After an interrupt, rustyline leaves an empty prompt and a newline: up one row and clear it.
const ERASE_PROMPT: &str = "\x1b[A\r\x1b[2K";

/// Bracketed paste off: rustyline cannot say so itself once its input has been swapped.
const PASTE_OFF: &str = "\x1b[?2004l";

/// Where history is kept: `$XDG_DATA_HOME/wscheck/history`, else `~/.local/share/wscheck/history`.
fn history_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    let dir = base.join("wscheck");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

/// The `TERM` of a terminal rustyline cannot edit lines on (it refuses these), if this is one.
pub fn unsupported_terminal() -> Option<String> {
    let term = std::env::var("TERM").ok()?;
    ["dumb", "cons25", "emacs"].iter().any(|t| t.eq_ignore_ascii_case(&term)).then_some(term)
}

/// The REPL: the line editor, the thread that draws the transcript, and the terminal's
/// original state.
pub struct Repl {
    show: SyncSender<Show>,
    stopping: Arc<AtomicBool>,
    /// The editor thread says here how it ended: `true` when it was stopped from outside.
    done: Receiver<bool>,
    terminal: Terminal,
    /// The editor and what it needs, until [`Repl::begin`] moves them onto its thread.
    editor: Option<Box<dyn FnOnce() + Send>>,
}

impl Repl {
    /// Set up the line editor (not reading yet).
    pub fn new(feed: Feed) -> Result<Repl, String> {
        let terminal = Terminal::save();
        let failed = |e: ReadlineError| format!("could not start the line editor: {e}");
        // A lone ESC waits at most this long for the rest of its key sequence, so the editor
        // never sits in the middle of one while text waits to be drawn.
        let config = Config::builder().keyseq_timeout(Some(500)).build();
        let mut editor = DefaultEditor::with_config(config).map_err(failed)?;
        editor.bind_sequence(Key::ctrl('C'), EventHandler::Conditional(Box::new(CtrlC)));
        let history = history_path();
        if let Some(path) = &history {
            let _ = editor.load_history(path);
        }
        let show = screen::spawn(editor.create_external_printer().map_err(failed)?);
        let own = editor.create_external_printer().map_err(failed)?;
        let stopping = Arc::new(AtomicBool::new(false));
        let (done_tx, done) = mpsc::channel();
        let stop = Arc::clone(&stopping);
        let editor = Box::new(move || {
            let _ = done_tx.send(edit(editor, own, feed, history, &stop));
        });
        Ok(Repl { show, stopping, done, terminal, editor: Some(editor) })
    }

    /// Where everything shown during the session goes: drawn above the prompt, in order.
    pub fn printer(&self) -> Printer {
        let show = self.show.clone();
        Box::new(move |text: String| {
            let _ = show.send(Show::Text(text));
        })
    }

    /// Start reading lines.
    pub fn begin(&mut self) {
        if let Some(editor) = self.editor.take() {
            std::thread::spawn(editor);
        }
    }

    /// The session is over: draw what is still queued, take the prompt away, give the
    /// terminal back as it was. What is printed next starts on a clean line.
    pub fn finish(mut self) {
        let deadline = Instant::now() + FINISH;
        let left = || deadline.saturating_duration_since(Instant::now());
        let (flushed_tx, flushed) = mpsc::channel();
        let drawn = self.show.send(Show::Flush(flushed_tx)).is_ok() && flushed.recv_timeout(left()).is_ok();
        let ended = match self.done.try_recv() {
            Ok(stopped) => Some(stopped),
            Err(mpsc::TryRecvError::Disconnected) => Some(false),
            Err(mpsc::TryRecvError::Empty) if drawn => {
                self.stopping.store(true, Ordering::SeqCst);
                if self.terminal.feed_stdin(STOP_KEYS) {
                    let _ = self.show.send(Show::Wake);
                    self.done.recv_timeout(left()).ok()
                } else {
                    None
                }
            }
            Err(mpsc::TryRecvError::Empty) => None,
        };
        self.terminal.restore();
        let tail = match ended {
            Some(true) => ERASE_PROMPT,
            Some(false) => "",
            // The editor did not let go in time: at least start a clean line.
            None => "\r\x1b[2K",
        };
        // To the terminal the editor drew on (stdout), even when stderr goes elsewhere.
        let mut out = std::io::stdout().lock();
        let _ = std::io::Write::write_all(&mut out, format!("{PASTE_OFF}{tail}").as_bytes());
        let _ = std::io::Write::flush(&mut out);
    }
}

/// The editor's loop: read lines and send them until the user or the session ends it.
/// True when it was stopped from outside (its prompt is then left empty, for `finish`).
fn edit(
    mut editor: DefaultEditor,
    mut own: impl ExternalPrinter,
    feed: Feed,
    history: Option<PathBuf>,
    stopping: &AtomicBool,
) -> bool {
    // Between two lines the editor does not read, so its printer writes straight away,
    // before the next prompt.
    let mut show = |text: String| {
        let _ = own.print(format!("{text}\n"));
    };
    loop {
        let line = match editor.readline("> ") {
            Ok(line) => line,
            // Stopped while reading: the prompt is on the screen, and a newline after it.
            Err(ReadlineError::Interrupted | ReadlineError::Eof) if stopping.load(Ordering::SeqCst) => return true,
            // Stopped before it could read (the terminal was already swapped): nothing drawn.
            Err(_) if stopping.load(Ordering::SeqCst) => return false,
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => {
                feed.send(Input::Close(1000, String::new()));
                return false;
            }
            Err(e) => {
                feed.send(Input::Fail(format!("the line editor failed: {e}")));
                return false;
            }
        };
        // A bracketed paste arrives as one buffer with its newlines: one message per line,
        // as wscat and websocat send it (SPEC §15); empty lines send nothing.
        let lines: Vec<&str> = line.lines().filter(|l| !l.is_empty()).collect();
        for l in &lines {
            let _ = editor.add_history_entry(*l);
        }
        if let Some(path) = history.as_ref().filter(|_| !lines.is_empty()) {
            let _ = editor.append_history(path);
        }
        for l in lines {
            match parse(l) {
                Action::Input(input) => {
                    let last = matches!(input, Input::Close(..));
                    let said = match input {
                        Input::ShowPings(true) => Some("* pings and pongs are shown (/pings off hides them)"),
                        Input::ShowPings(false) => Some("* pings and pongs are hidden (/pings on shows them)"),
                        _ => None,
                    };
                    if !feed.send(input) || last {
                        return false;
                    }
                    if let Some(text) = said {
                        show(text.to_string());
                    }
                }
                Action::Show(text) => show(text),
                Action::Nothing => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sends(line: &str) -> Message {
        match parse(line) {
            Action::Input(Input::Send(m)) => m,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn lines_and_commands() {
        assert_eq!(sends("hello"), Message::Text("hello".into()));
        assert_eq!(sends("//x"), Message::Text("/x".into()));
        assert_eq!(sends("/ping abc"), Message::Ping(b"abc".to_vec().into()));
        assert_eq!(sends("/ping"), Message::Ping(Vec::new().into()));
        assert_eq!(sends("/pong z"), Message::Pong(b"z".to_vec().into()));
        assert_eq!(sends("/binary 01 02 FF"), Message::Binary(vec![1, 2, 255].into()));
        assert_eq!(parse("/close"), Action::Input(Input::Close(1000, String::new())));
        assert_eq!(parse("/close 4000 bye now"), Action::Input(Input::Close(4000, "bye now".into())));
        assert_eq!(parse("/quit"), Action::Input(Input::Close(1000, String::new())));
        assert_eq!(parse(""), Action::Nothing);
        assert!(matches!(parse("/close 99"), Action::Show(_)));
        for never_sent in ["1004", "1005", "1006", "1015"] {
            assert!(matches!(parse(&format!("/close {never_sent}")), Action::Show(_)), "{never_sent}");
        }
        assert_eq!(parse("/close 1014"), Action::Input(Input::Close(1014, String::new())));
        assert!(matches!(parse("/binary zz"), Action::Show(_)));
        assert!(matches!(parse("/nope"), Action::Show(_)));
        assert!(matches!(parse("/help"), Action::Show(_)));
        assert_eq!(parse("/pings on"), Action::Input(Input::ShowPings(true)));
        assert_eq!(parse("/pings off"), Action::Input(Input::ShowPings(false)));
        assert!(matches!(parse("/pings"), Action::Show(_)));
        assert!(matches!(parse("/pings maybe"), Action::Show(_)));
    }
}
