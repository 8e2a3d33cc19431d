//! The terminal while the line editor owns it: one thread that prints the transcript through
//! rustyline's external printer (above the line being typed), and what it takes to end the
//! editor from outside — its input swapped for keys that clear the line and interrupt.

use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

use rustyline::ExternalPrinter;

/// How many transcript lines may wait for the editor before the I/O loop blocks.
const QUEUE: usize = 256;

/// Printed through the editor, this changes nothing on the screen: rustyline clears the
/// prompt, writes it (up a row, then down a row) and draws the prompt again. It is used to
/// learn when the editor has drawn everything before it, and to wake the editor.
const NO_OP: &str = "\x1b[A\n";

/// What the screen thread is asked to do, in order.
pub enum Show {
    /// Text ending in a newline.
    Text(String),
    /// Answer once everything before has been drawn.
    Flush(Sender<()>),
    /// Wake the editor: it is waiting for a key on input that has been swapped.
    Wake,
}

/// Start the thread that owns `printer`; text sent to it is drawn in order.
pub fn spawn(mut printer: impl ExternalPrinter + Send + 'static) -> SyncSender<Show> {
    let (tx, rx): (SyncSender<Show>, Receiver<Show>) = mpsc::sync_channel(QUEUE);
    std::thread::spawn(move || {
        for show in rx {
            match show {
                Show::Text(text) => {
                    let _ = printer.print(text);
                }
                Show::Flush(done) => {
                    // rustyline hands a printed text to the editor over a channel of one: the
                    // second no-op is accepted only once the editor has taken the first, so
                    // everything before the first has been drawn by then.
                    let _ = printer.print(NO_OP.into());
                    let _ = printer.print(NO_OP.into());
                    let _ = done.send(());
                }
                Show::Wake => {
                    let _ = printer.print(NO_OP.into());
                }
            }
        }
    });
    tx
}

/// The terminal's settings and the terminal itself, kept at the start so they can be put
/// back however the editor ended (it may still have the terminal in raw mode).
pub struct Terminal {
    termios: Option<libc::termios>,
    tty: Option<OwnedFd>,
}

impl Terminal {
    pub fn save() -> Terminal {
        // SAFETY: tcgetattr writes a termios for fd 0; it is used only if the call succeeds.
        let termios = unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            (libc::tcgetattr(0, &mut t) == 0).then_some(t)
        };
        Terminal { termios, tty: io::stdin().as_fd().try_clone_to_owned().ok() }
    }

    /// Make the editor read `keys`, then the end of input, instead of the terminal: the
    /// only way to end a rustyline `readline` from another thread. False if that failed.
    pub fn feed_stdin(&self, keys: &[u8]) -> bool {
        if self.tty.is_none() {
            return false; // could not be put back
        }
        let Ok((reader, mut writer)) = io::pipe() else { return false };
        if writer.write_all(keys).is_err() {
            return false;
        }
        drop(writer);
        // SAFETY: dup2 onto fd 0 of a pipe end this function owns; `restore` puts the terminal back.
        unsafe { libc::dup2(reader.as_raw_fd(), 0) == 0 }
    }

    /// Put the terminal back on fd 0 with the settings it had at the start.
    pub fn restore(&mut self) {
        if let Some(tty) = self.tty.take() {
            // SAFETY: dup2 of an fd this struct owns onto fd 0.
            unsafe {
                libc::dup2(tty.as_raw_fd(), 0);
            }
        }
        if let Some(t) = self.termios.take() {
            // SAFETY: restores settings read from the same terminal by tcgetattr.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, &t);
            }
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.restore();
    }
}
