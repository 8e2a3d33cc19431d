//! Asking for a password on the terminal without echoing it, as curl does for `-u USER`.

use std::io::{self, BufRead, IsTerminal, Write};

/// Ask for the password of `user` on the terminal (stdin), not echoed. `None` when stdin is
/// not a terminal: there is nobody to ask.
pub fn password(user: &str) -> Option<io::Result<String>> {
    if !io::stdin().is_terminal() {
        return None;
    }
    Some(read_hidden(&format!("Enter host password for user '{user}': ")))
}

fn read_hidden(prompt: &str) -> io::Result<String> {
    let mut err = io::stderr().lock();
    err.write_all(prompt.as_bytes())?;
    err.flush()?;
    let restore = NoEcho::set();
    let mut line = String::new();
    let read = io::stdin().lock().read_line(&mut line);
    drop(restore);
    // The Enter the user typed was not echoed either.
    let _ = err.write_all(b"\n");
    read?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_string())
}

/// Echo switched off on stdin's terminal until dropped (also when reading fails).
struct NoEcho(Option<libc::termios>);

impl NoEcho {
    fn set() -> NoEcho {
        // SAFETY: tcgetattr fills a termios for fd 0; it is only used when the call succeeds,
        // and tcsetattr is given a copy of it with ECHO cleared.
        unsafe {
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut saved) != 0 {
                return NoEcho(None);
            }
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            libc::tcsetattr(0, libc::TCSANOW, &quiet);
            NoEcho(Some(saved))
        }
    }
}

impl Drop for NoEcho {
    fn drop(&mut self) {
        if let Some(saved) = &self.0 {
            // SAFETY: puts back the settings read from the same fd.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, saved);
            }
        }
    }
}
