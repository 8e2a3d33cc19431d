//! The transcript: like `curl -v`, on stderr. `*` lines are wscheck's, `>` what was sent,
//! `<` what was received, escaped. Received payloads are data and go to stdout.

use std::io::{self, Write};
use std::time::Duration;

use colored::Colorize;

use super::Style;
use crate::cli::BinaryOutput;
use crate::escape;
use crate::event::{Address, Direction, Event, Finding, Kind, Level, Via, Wire};

/// Render `event`: received payloads are written to `data` (stdout); the transcript text
/// for stderr is returned.
pub fn render(event: &Event, style: &Style, elapsed: Duration, data: &mut impl Write) -> io::Result<String> {
    let mut text = String::new();
    match event {
        Event::Message { direction, kind, data: payload, wire } => {
            let mut text = message(*direction, *kind, payload, style, elapsed, data)?;
            if let (true, Some(wire), true) = (style.verbose, wire, kind.is_data()) {
                text.push_str(&sizes(*direction, *kind, payload.len(), *wire));
            }
            return Ok(text);
        }
        Event::RoundTrip { rtt } => text = format!("* pong: round trip {:.2} ms\n", rtt.as_secs_f64() * 1000.0),
        Event::Note { level, text: t } => {
            let label = match level {
                Level::Warning => "warning:".yellow().bold(),
                _ => "note:".cyan(),
            };
            text = format!("* {label} {}\n", escape::text(t));
        }
        Event::Connect { host, port, addr, proxy, dns, tcp, via } => {
            let what = if *proxy { "proxy " } else { "" };
            let timing = if style.verbose {
                let dns = dns.map(|d| format!("DNS {}, ", ms(d))).unwrap_or_default();
                format!(" ({dns}TCP {})", ms(*tcp))
            } else {
                String::new()
            };
            let addr = match addr {
                Address::Ip(a) => a.ip().to_string(),
                Address::Unix(path) => escape::text(path),
            };
            let via = routed(via);
            text = format!("* Connected to {what}{} ({addr}) port {port}{via}{timing}\n", escape::text(host));
        }
        Event::Socks { text: t } => text = format!("* {}\n", escape::text(t)),
        Event::Proxy { request, response, .. } => {
            for l in request {
                text.push_str(&line("proxy>", &escape::text(l)));
            }
            for l in response {
                text.push_str(&line("proxy<", &escape::bytes(&l.bytes)));
            }
            text.push_str(&line("proxy<", ""));
        }
        Event::Tls(t) => {
            let alpn = t.alpn.as_deref().map(|a| format!(", ALPN {}", escape::text(a))).unwrap_or_default();
            let verified = if t.insecure {
                " — certificate NOT verified (-k)".yellow().to_string()
            } else {
                ", certificate verified".into()
            };
            let timing = if style.verbose { format!(" in {}", ms(t.took)) } else { String::new() };
            text = format!("* TLS established{timing}{alpn}{verified}\n");
            if let Some(c) = &t.certificate {
                text.push_str(&format!("*   subject: {}\n", escape::text(&c.subject)));
                text.push_str(&format!("*   issuer:  {}\n", escape::text(&c.issuer)));
                if !c.sans.is_empty() {
                    text.push_str(&format!("*   SANs:    {}\n", escape::text(&c.sans.join(", "))));
                }
                let left = if c.days_left < 0 { "expired".to_string() } else { format!("{} days left", c.days_left) };
                text.push_str(&format!("*   expires: {} ({left})\n", escape::text(&c.not_after)));
            }
        }
        Event::Settings { settings } => {
            let shown: Vec<String> = settings.iter().map(|s| format!("{}={}", s.name, s.value)).collect();
            let shown = if shown.is_empty() { "(none: every default)".to_string() } else { shown.join(" ") };
            text.push_str(&line("<", &format!("SETTINGS {shown}")));
        }
        Event::StreamEnd { steps, open } => {
            text = if *open || steps.is_empty() {
                "* the HTTP/2 stream did not end on the wire in time\n".to_string()
            } else {
                format!("* HTTP/2 stream ended: {}\n", crate::event::stream_ended(steps))
            };
        }
        Event::Request { lines, .. } => {
            for l in lines {
                text.push_str(&line(">", &escape::text(l)));
            }
        }
        Event::Response { lines, body, body_truncated, took, .. } => {
            for l in lines {
                text.push_str(&line("<", &escape::bytes(&l.bytes)));
            }
            text.push_str(&line("<", ""));
            if !body.is_empty() {
                // The transcript shows the start of the body; --json carries all that was read.
                let shown: Vec<&[u8]> = body.split_inclusive(|&b| b == b'\n').take(BODY_LINES).collect();
                let shown_len: usize = shown.iter().map(|l| l.len()).sum();
                for l in shown {
                    let l = l.strip_suffix(b"\n").unwrap_or(l);
                    let l = l.strip_suffix(b"\r").unwrap_or(l);
                    text.push_str(&line("<", &escape::bytes(l).dimmed().to_string()));
                }
                if *body_truncated || shown_len < body.len() {
                    // "12 of 4096+ bytes": the noun follows the total.
                    let total = if *body_truncated {
                        format!("{}+ bytes", body.len())
                    } else {
                        crate::words::count(body.len(), "byte")
                    };
                    text.push_str(&format!("* (body cut: {shown_len} of {total} shown)\n"));
                }
            }
            if style.verbose {
                text.push_str(&format!(
                    "* response header {} after the request was sent ({} after start)\n",
                    ms(*took),
                    ms(elapsed)
                ));
            }
        }
        Event::Finding(f) => text = finding(f),
        Event::Handshake { ok, summary, .. } => {
            let verdict = if *ok { "OK".green().bold() } else { "FAILED".red().bold() };
            text = format!("* {verdict}: {}\n", escape::text(summary));
        }
        Event::Close { direction, code, reason, echo } => {
            let who = if *direction == Direction::Sent { "sent" } else { "received" };
            let code = crate::close::describe(*code);
            let reason = if reason.is_empty() { String::new() } else { format!(": \"{}\"", escape::text(reason)) };
            let echo = if *echo { " (echo)" } else { "" };
            text = format!("* Close {who}: {code}{reason}{echo}\n");
        }
        Event::Error { message, .. } => text = format!("{} {}\n", "error:".red().bold(), escape::text(message)),
        // The probe's rows and summary are the matrix's (`report/matrix.rs`).
        Event::Exit { .. } | Event::Probe(_) | Event::Summary { .. } => {}
    }
    Ok(text)
}

/// ` via --connect-to RULE and --resolve RULE`: what routed a connection, each with the rule
/// that applied (a Unix socket's path is already in the line), or nothing.
fn routed(via: &[Via]) -> String {
    let each: Vec<String> = via
        .iter()
        .map(|v| match v.option {
            "--unix-socket" => v.option.to_string(),
            option => format!("{option} {}", escape::text(&v.value)),
        })
        .collect();
    if each.is_empty() { String::new() } else { format!(" via {}", each.join(" and ")) }
}

/// How many lines of a non-101 body the transcript shows.
const BODY_LINES: usize = 12;

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A `>`/`<` line of the exchange; the empty line that ends a header block has no trailing space.
fn line(arrow: &str, content: &str) -> String {
    if content.is_empty() { format!("{}\n", arrow.dimmed()) } else { format!("{} {content}\n", arrow.dimmed()) }
}

fn finding(f: &Finding) -> String {
    let mark = match f.level {
        Level::Info => format!("{:<5}", "info").blue(),
        Level::Ok => format!("{:<5}", "ok").green(),
        Level::Error => format!("{:<5}", "ERROR").red().bold(),
        Level::Warning => format!("{:<5}", "warn").yellow().bold(),
    };
    format!("  {mark} {:<16} {}  {}\n", f.id(), escape::text(&f.message), format!("[{}]", f.rfc()).dimmed())
}

/// `-v` in a permessage-deflate session: a data message's size and its size on the wire.
fn sizes(direction: Direction, kind: Kind, bytes: usize, wire: Wire) -> String {
    let who = if direction == Direction::Sent { "sent" } else { "received" };
    let how = if wire.compressed {
        format!("{} on the wire (compressed)", wire.wire_bytes)
    } else {
        "not compressed".to_string()
    };
    format!("* {who} {}: {}, {how}\n", kind.as_str(), crate::words::count(bytes, "byte"))
}

fn message(
    direction: Direction,
    kind: Kind,
    data: &[u8],
    style: &Style,
    elapsed: Duration,
    out: &mut impl Write,
) -> io::Result<String> {
    let stamp = if style.timestamps {
        format!("[{:>9.3}s] ", elapsed.as_secs_f64()).dimmed().to_string()
    } else {
        String::new()
    };
    let data_message = matches!(kind, Kind::Text | Kind::Binary);
    if direction == Direction::Received && data_message && !style.interactive {
        // Data: as is into a pipe, escaped on a terminal; written straight into stdout's buffer.
        if style.stdout_tty {
            out.write_all(stamp.as_bytes())?;
        }
        match (kind, style.stdout_tty) {
            (Kind::Text, false) => out.write_all(data)?,
            (Kind::Text, true) => out.write_all(escape::bytes(data).as_bytes())?,
            (_, true) => out.write_all(data_encoding::HEXLOWER.encode(data).as_bytes())?,
            (_, false) => match style.binary_output {
                BinaryOutput::Raw => out.write_all(data)?,
                BinaryOutput::Hex => out.write_all(data_encoding::HEXLOWER.encode(data).as_bytes())?,
                BinaryOutput::Base64 => out.write_all(data_encoding::BASE64.encode(data).as_bytes())?,
            },
        }
        out.write_all(if style.null { b"\0" } else { b"\n" })?;
        return Ok(String::new());
    }
    if direction == Direction::Sent && data_message {
        // What the user sent is already on their screen or in their input.
        return Ok(String::new());
    }
    let arrow = if direction == Direction::Sent { ">".blue() } else { "<".green() };
    let shown = match kind {
        Kind::Text => escape::bytes(data),
        Kind::Binary => format!("{} {}", "binary".dimmed(), data_encoding::HEXLOWER.encode(data)),
        Kind::Ping | Kind::Pong => format!("{} {}", kind.as_str().dimmed(), escape::bytes(data)),
    };
    Ok(format!("{stamp}{arrow} {shown}\n"))
}
