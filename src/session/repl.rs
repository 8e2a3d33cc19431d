//! The interactive front end: rustyline on its own thread, feeding the I/O loop. Received
//! messages are printed through rustyline's external printer, above the line being typed.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustyline::error::ReadlineError;
use rustyline::{
    Cmd, ConditionalEventHandler, DefaultEditor, Event as KeyEvent, EventContext, EventHandler, ExternalPrinter,
    KeyEvent as Key, Movement, RepeatCount,
};
use tungstenite::Message;

use super::input::{Feed, Input};
use crate::report::Printer;

pub const HELP: &str = "\
Type a line to send it as a text message. Commands:
  /ping [data]              send a ping
  /pong [data]              send an unsolicited pong
  /close [code [reason]]    close the connection (default 1000)
  /binary <hex>             send a binary message, e.g. /binary 01 02 ff
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
        "quit" | "exit" | "q" => Action::Input(Input::Close(1000, String::new())),
        "help" | "?" => Action::Show(HELP.to_string()),
        _ => Action::Show(format!("unknown command /{name} (/help lists them; //{name} sends the text /{name})")),
    }
}

/// Ctrl-C clears a line that has text, and interrupts (ends the REPL) on an empty one.
struct CtrlC;

impl ConditionalEventHandler for CtrlC {
    fn handle(&self, _: &KeyEvent, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        if ctx.line().is_empty() { Some(Cmd::Interrupt) } else { Some(Cmd::Kill(Movement::WholeLine)) }
    }
}

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

/// Start the line editor on its own thread; returns the printer for everything shown
/// meanwhile, and a guard that puts the terminal back as it was.
pub fn start(feed: Feed) -> Result<(Printer, TerminalGuard), String> {
    let guard = TerminalGuard::save();
    let mut editor = DefaultEditor::new().map_err(|e| format!("could not start the line editor: {e}"))?;
    editor.bind_sequence(Key::ctrl('C'), EventHandler::Conditional(Box::new(CtrlC)));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut printer = editor.create_external_printer().map_err(|e| format!("could not start the line editor: {e}"))?;
    println!("Connected. Type a message and press Enter; /help for commands, Ctrl-D to close.");
    // The external printer only works while the editor is reading a line; between lines and
    // after the editor has finished, text goes straight to the terminal.
    let reading = Arc::new(AtomicBool::new(false));
    let reading_flag = Arc::clone(&reading);
    std::thread::spawn(move || {
        loop {
            reading_flag.store(true, Ordering::SeqCst);
            let read = editor.readline("> ");
            reading_flag.store(false, Ordering::SeqCst);
            match read {
                Ok(line) => {
                    // A bracketed paste arrives as one buffer with its newlines: one message
                    // per line, as wscat and websocat send it (SPEC §15); empty lines send nothing.
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
                                if !feed.send(input) || last {
                                    return;
                                }
                            }
                            Action::Show(text) => println!("{text}"),
                            Action::Nothing => {}
                        }
                    }
                }
                Err(ReadlineError::Interrupted | ReadlineError::Eof) => {
                    feed.send(Input::Close(1000, String::new()));
                    return;
                }
                Err(e) => {
                    feed.send(Input::Fail(format!("the line editor failed: {e}")));
                    return;
                }
            }
        }
    });
    let print = move |text: String| {
        if reading.load(Ordering::SeqCst) {
            let _ = printer.print(text);
        } else {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        }
    };
    Ok((Box::new(print), guard))
}

/// Restores the terminal's settings when dropped: the session may end while the editor
/// thread still has the terminal in raw mode.
pub struct TerminalGuard(Option<libc::termios>);

impl TerminalGuard {
    fn save() -> TerminalGuard {
        // SAFETY: tcgetattr writes a termios for fd 0; it is used only if the call succeeds.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            TerminalGuard((libc::tcgetattr(0, &mut t) == 0).then_some(t))
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if let Some(t) = &self.0 {
            // SAFETY: restores settings read from the same fd by tcgetattr.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, t);
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
    }
}
