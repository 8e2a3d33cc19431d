//! The session's flags, checked and resolved before connecting (SPEC §15): a flag that
//! cannot act is a usage error, not silence; `-x @FILE` is read (and refused when it
//! cannot be sent) before any connection; `-w` gets its default.

use std::io::Read;
use std::time::Duration;

use regex::Regex;
use tungstenite::Message;

use crate::cli::SessionArgs;
use crate::exit::{Code, Failure};

/// The quiet wait after the last send when `-w` is not given (SPEC §5).
pub const DEFAULT_WAIT: Duration = Duration::from_secs(1);

/// The default `--max-size` (64 MiB).
pub const DEFAULT_MAX_SIZE: usize = 64 << 20;

/// Where the messages to send come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Nothing is sent: `--handshake-only` closes right after the verdict.
    Nothing,
    /// The `-x` messages, read and typed (`--binary`) before connecting; stdin is not read.
    Messages(Vec<Message>),
    /// Stdin: a REPL on a terminal, one message per line otherwise.
    Stdin,
}

/// How the session runs and what ends it, resolved from the flags.
#[derive(Debug, Clone)]
pub struct SessionPlan {
    pub source: Source,
    /// `--binary`: stdin lines are sent as binary messages.
    pub binary: bool,
    /// `-w`, or its default (it applies only without a goal).
    pub wait: Duration,
    /// `-n`: a goal of this many received messages.
    pub count: Option<u64>,
    /// `--expect`: a goal of a received message matching this.
    pub expect: Option<Regex>,
    /// `--expect-close`: a goal of the server closing with one of these codes.
    pub expect_close: Vec<u16>,
    pub ping_interval: Option<Duration>,
    pub ping_timeout: Option<Duration>,
    /// `-P`: pings and pongs are shown.
    pub show_pings: bool,
    /// `--max-size`: the largest message and frame accepted.
    pub max_size: usize,
}

impl Default for SessionPlan {
    fn default() -> SessionPlan {
        SessionPlan {
            source: Source::Stdin,
            binary: false,
            wait: DEFAULT_WAIT,
            count: None,
            expect: None,
            expect_close: Vec::new(),
            ping_interval: None,
            ping_timeout: None,
            show_pings: false,
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

impl SessionPlan {
    /// True when `-n`, `--expect` or `--expect-close` is given: the session then waits for it.
    pub fn has_goal(&self) -> bool {
        self.count.is_some() || self.expect.is_some() || !self.expect_close.is_empty()
    }

    /// `--handshake-only`: close (1000) right after the verdict.
    pub fn handshake_only(&self) -> bool {
        self.source == Source::Nothing
    }
}

fn usage(message: String) -> Failure {
    Failure::new(Code::Usage, message)
}

fn has_goal(args: &SessionArgs) -> bool {
    args.count.is_some() || args.expect.is_some() || !args.expect_close.is_empty()
}

/// Check the session flags against each other and read the `-x` messages; `stdin` is read
/// for `-x @-`.
pub fn prepare(args: &SessionArgs, stdin: impl Read) -> Result<SessionPlan, Failure> {
    if args.handshake_only {
        let idle: Vec<&str> = [
            (!args.execute.is_empty(), "-x"),
            (args.count.is_some(), "-n"),
            (args.expect.is_some(), "--expect"),
            (!args.expect_close.is_empty(), "--expect-close"),
            (args.wait.is_some(), "-w"),
            (args.binary, "--binary"),
            (args.ping_interval.is_some(), "--ping-interval"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect();
        if !idle.is_empty() {
            return Err(usage(format!(
                "--handshake-only closes right after the verdict, so {} cannot act; drop {}",
                idle.join(", "),
                if idle.len() == 1 { "it" } else { "them" }
            )));
        }
    }
    if has_goal(args) && args.wait.is_some() {
        return Err(usage(
            "-w/--wait does not apply with a goal (-n, --expect, --expect-close): the goal waits for itself, \
             up to --timeout (default 10s)"
                .into(),
        ));
    }
    let source = if args.handshake_only {
        Source::Nothing
    } else if args.execute.is_empty() {
        Source::Stdin
    } else {
        Source::Messages(read_messages(&args.execute, args.binary, args.max_size, stdin)?)
    };
    Ok(SessionPlan {
        source,
        binary: args.binary,
        wait: args.wait.unwrap_or(DEFAULT_WAIT),
        count: args.count,
        expect: args.expect.as_deref().map(super::compile_expect).transpose()?,
        expect_close: args.expect_close.clone(),
        ping_interval: args.ping_interval,
        ping_timeout: args.ping_timeout,
        show_pings: args.show_ping_pong,
        max_size: args.max_size,
    })
}

/// The `-x` messages: `@FILE` is the file's content, `@-` stdin's, `@@text` the text `@text`,
/// anything else the text itself; `binary` makes each a binary message.
fn read_messages(execute: &[String], binary: bool, max: usize, mut stdin: impl Read) -> Result<Vec<Message>, Failure> {
    let mut stdin_read = false;
    let mut messages = Vec::with_capacity(execute.len());
    for arg in execute {
        let (bytes, source) = if let Some(text) = arg.strip_prefix("@@") {
            (format!("@{text}").into_bytes(), None)
        } else if arg == "@-" {
            if std::mem::replace(&mut stdin_read, true) {
                return Err(usage("-x @- can be given once: stdin is read only once".into()));
            }
            (read_bounded(&mut stdin, max, arg, "stdin")?, Some((arg.as_str(), "stdin")))
        } else if let Some(path) = arg.strip_prefix('@') {
            if path.is_empty() {
                return Err(usage(
                    "-x @ needs a file name (@FILE), or @- for stdin, or @@text for the text @text".into(),
                ));
            }
            let file = std::fs::File::open(path).map_err(|e| usage(format!("-x @{path}: cannot read {path}: {e}")))?;
            (read_bounded(file, max, arg, path)?, Some((arg.as_str(), path)))
        } else {
            (arg.clone().into_bytes(), None)
        };
        if bytes.len() > max {
            let what = source.map_or_else(|| "a -x message".to_string(), |(given, _)| format!("-x {given}"));
            return Err(usage(format!("{what} is longer than --max-size ({max} bytes)")));
        }
        let message = if binary {
            Message::Binary(bytes.into())
        } else {
            match String::from_utf8(bytes) {
                Ok(text) => Message::Text(text.into()),
                Err(_) => {
                    let what = source
                        .map_or_else(|| "a -x message".to_string(), |(given, name)| format!("-x {given}: {name}"));
                    return Err(usage(format!(
                        "{what} is not valid UTF-8 text (--binary sends it as a binary message)"
                    )));
                }
            }
        };
        messages.push(message);
    }
    Ok(messages)
}

/// Read `from` to its end, but never more than one byte past `max` (enough to tell it is too long).
fn read_bounded(from: impl Read, max: usize, given: &str, name: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    from.take(max.saturating_add(1) as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| usage(format!("-x {given}: cannot read {name}: {e}")))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(args: &[&str], binary: bool, stdin: &[u8]) -> Result<Vec<Message>, Failure> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        read_messages(&args, binary, 16, stdin)
    }

    #[test]
    fn execute_forms() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("msg.json");
        std::fs::write(&file, "{\"a\":1}\n").unwrap();
        let at_file = format!("@{}", file.display());
        let got = read(&["plain", "@@at", "@-", &at_file], false, b"from stdin").unwrap();
        assert_eq!(
            got,
            [
                Message::Text("plain".into()),
                Message::Text("@at".into()),
                Message::Text("from stdin".into()),
                Message::Text("{\"a\":1}\n".into()),
            ]
        );
        assert_eq!(read(&["hi"], true, b"").unwrap(), [Message::Binary(b"hi".to_vec().into())]);
        assert_eq!(read(&["@-"], true, b"\xff\x00").unwrap(), [Message::Binary(vec![0xff, 0].into())]);
    }

    #[test]
    fn execute_errors_are_usage_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = format!("@{}", dir.path().join("missing").display());
        let e = read(&[&missing], false, b"").unwrap_err();
        assert_eq!(e.code, Code::Usage);
        assert!(e.message.starts_with(&format!("-x {missing}: cannot read ")), "{}", e.message);
        let e = read(&["@-"], false, b"\xff").unwrap_err();
        assert_eq!(e.message, "-x @-: stdin is not valid UTF-8 text (--binary sends it as a binary message)");
        let e = read(&["@-"], false, &[b'a'; 17]).unwrap_err();
        assert_eq!(e.message, "-x @- is longer than --max-size (16 bytes)");
        assert!(read(&["@-"], false, &[b'a'; 16]).is_ok(), "exactly --max-size is fine");
        let e = read(&["@-", "@-"], false, b"x").unwrap_err();
        assert_eq!(e.code, Code::Usage);
        assert_eq!(read(&["@"], false, b"").unwrap_err().code, Code::Usage);
        assert_eq!(
            read(&[&"a".repeat(17)], false, b"").unwrap_err().message,
            "a -x message is longer than --max-size (16 bytes)"
        );
    }
}
