//! The transcript: like `curl -v`, on stderr. `*` lines are wscheck's, `>` what was sent,
//! `<` what was received, escaped. Message payloads are data and go to stdout.

use std::io::{self, Write};

use colored::Colorize;

use crate::escape;
use crate::event::{Direction, Event, Finding, Kind, Level};

pub fn render(event: &Event, stdout_tty: bool, stdout: &mut impl Write) -> io::Result<()> {
    let mut text = String::new();
    match event {
        Event::Message {
            direction: Direction::Received,
            kind: Kind::Text | Kind::Binary,
            data,
        } => {
            return payload(
                data,
                matches!(
                    event,
                    Event::Message {
                        kind: Kind::Text,
                        ..
                    }
                ),
                stdout_tty,
                stdout,
            );
        }
        Event::Message {
            direction,
            kind,
            data,
        } => {
            let arrow = if *direction == Direction::Sent {
                ">"
            } else {
                "<"
            };
            let shown = match kind {
                Kind::Text => escape::bytes(data),
                _ => data_encoding::HEXLOWER.encode(data),
            };
            text = format!("{} {} {shown}\n", arrow.dimmed(), kind.as_str().dimmed());
        }
        Event::Note { level, text: t } => {
            let label = match level {
                Level::Warning => "warning:".yellow().bold(),
                _ => "note:".cyan(),
            };
            text = format!("* {label} {}\n", escape::text(t));
        }
        Event::Connect { host, port, addr } => {
            text = format!(
                "* Connected to {} ({}) port {port}\n",
                escape::text(host),
                addr.ip()
            );
        }
        Event::Tls(t) => {
            let verified = if t.insecure {
                " — certificate NOT verified (-k)".yellow().to_string()
            } else {
                ", certificate verified".into()
            };
            text = format!("* TLS established{verified}\n");
        }
        Event::Request { lines } => {
            for l in lines {
                text.push_str(&line(">", &escape::text(l)));
            }
        }
        Event::Response {
            lines,
            body,
            body_truncated,
            ..
        } => {
            for l in lines {
                text.push_str(&line("<", &escape::bytes(&l.bytes)));
            }
            text.push_str(&line("<", ""));
            if !body.is_empty() {
                for l in body.split_inclusive(|&b| b == b'\n') {
                    let l = l.strip_suffix(b"\n").unwrap_or(l);
                    text.push_str(&format!("{} {}\n", "<".dimmed(), escape::bytes(l).dimmed()));
                }
                if *body_truncated {
                    text.push_str(&format!("* (body cut after {} bytes)\n", body.len()));
                }
            }
        }
        Event::Finding(f) => text = finding(f),
        Event::Handshake { ok, summary, .. } => {
            let verdict = if *ok {
                "OK".green().bold()
            } else {
                "FAILED".red().bold()
            };
            text = format!("* {verdict}: {}\n", escape::text(summary));
        }
        Event::Close {
            direction,
            code,
            reason,
        } => {
            let who = if *direction == Direction::Sent {
                "sent"
            } else {
                "received"
            };
            let code = match code {
                Some(c) => format!("{c} ({})", crate::close::name(*c)),
                None => "with no code".into(),
            };
            let reason = if reason.is_empty() {
                String::new()
            } else {
                format!(": \"{}\"", escape::text(reason))
            };
            text = format!("* Close {who}: {code}{reason}\n");
        }
        Event::Error { message, .. } => {
            text = format!("{} {}\n", "error:".red().bold(), escape::text(message))
        }
        Event::Exit { .. } => {}
    }
    if !text.is_empty() {
        // One write per event, so lines from two sources never interleave mid-line.
        io::stderr().lock().write_all(text.as_bytes())?;
    }
    Ok(())
}

/// A `>`/`<` line of the exchange; the empty line that ends a header block has no trailing space.
fn line(arrow: &str, content: &str) -> String {
    if content.is_empty() {
        format!("{}\n", arrow.dimmed())
    } else {
        format!("{} {content}\n", arrow.dimmed())
    }
}

fn finding(f: &Finding) -> String {
    let mark = match (f.ok, f.level) {
        (true, Level::Info) | (false, Level::Info) => format!("{:<5}", "info").blue(),
        (true, _) => format!("{:<5}", "ok").green(),
        (false, Level::Error) => format!("{:<5}", "ERROR").red().bold(),
        (false, Level::Warning) => format!("{:<5}", "warn").yellow().bold(),
    };
    format!(
        "  {mark} {:<16} {}  {}\n",
        f.id,
        escape::text(&f.message),
        format!("[{}]", f.rfc).dimmed()
    )
}

/// A received message on stdout: as is into a pipe, escaped on a terminal.
fn payload(data: &[u8], is_text: bool, stdout_tty: bool, out: &mut impl Write) -> io::Result<()> {
    if !is_text {
        out.write_all(data_encoding::HEXLOWER.encode(data).as_bytes())?;
    } else if stdout_tty {
        out.write_all(escape::bytes(data).as_bytes())?;
    } else {
        out.write_all(data)?;
    }
    out.write_all(b"\n")
}
