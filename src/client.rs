//! `wscheck URL`: connect (through a proxy, following redirects if asked), do the
//! handshake, report the verdict, then the session.

use std::io::IsTerminal;
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use mio::{Poll, Waker};
use tungstenite::protocol::{Role, WebSocket, WebSocketConfig};

use crate::connect::{self, ConnectOptions, Connected};
use crate::event::{Event, Level};
use crate::exit::{Code, Failure};
use crate::handshake::{self, Offer, Request, Response};
use crate::plan::Plan;
use crate::plan::session::Source;
use crate::report::Reporter;
use crate::session::ending::Rules;
use crate::session::input::{self, Feed, Input, QUEUE, Wake};
use crate::session::{self, repl};
use crate::target::Target;

/// Run a plan from the command line: TLS roots, the reporter and the signal thread set up
/// (in that order, while this is the only thread), then [`run`].
pub fn start(plan: Plan) -> Code {
    if plan.target.scheme == crate::target::Scheme::Wss {
        // SAFETY: no thread has been started yet.
        unsafe { crate::tls::lazy_roots(plan.reach.tls.insecure) };
    }
    let mut reporter = Reporter::new(plan.output.json, plan.output.color);
    // Before any thread starts, so that every thread leaves the signals to this one.
    if let Err(e) = crate::signals::install(reporter.last_words()) {
        crate::report::say(&format!("error: could not set up signal handling: {e}"));
        return Code::Internal;
    }
    run(plan, &mut reporter)
}

/// Run the client and return the exit code; every outcome, failures included, is reported.
pub fn run(plan: Plan, reporter: &mut Reporter) -> Code {
    reporter.style_mut().verbose = plan.output.verbose;
    let result = inspect(plan, reporter);
    // From here the run ends on its own; a signal that came after the handshake, when no
    // session followed to take it, still decides the exit code.
    crate::signals::done();
    let code = match result {
        Ok(code) => code,
        Err(f) => {
            reporter.emit(&Event::Error { kind: f.code.kind(), message: f.message });
            f.code
        }
    };
    let code = crate::signals::take().unwrap_or(code);
    reporter.emit(&Event::Exit { code: code.as_i32() });
    reporter.flush();
    if let Some(why) = reporter.failure() {
        // Output was lost: not a clean run, whatever the server did (SPEC §15).
        crate::report::say(&format!("error: cannot write to stdout: {why}"));
        return Code::Internal;
    }
    code
}

fn inspect(plan: Plan, reporter: &mut Reporter) -> Result<Code, Failure> {
    let (stream, response, code) = {
        let mut emit = |e: Event| reporter.emit(&e);
        for (level, text) in &plan.notes {
            emit(Event::Note { level: *level, text: text.clone() });
        }
        let (stream, response, request, findings) = follow(&plan, &mut emit)?;
        crate::signals::handshake_done();
        let code = handshake::judge(&request, &response, findings, &mut emit);
        (stream, response, code)
    };
    let proceed = code == Code::Ok || (plan.lenient && response.status == 101);
    if !proceed {
        return Ok(code);
    }
    let end = talk(&plan, stream, response, reporter)?;
    Ok(if code == Code::Ok { end } else { code })
}

/// Connect and exchange, following redirects with `-L`. Returns the last hop's stream,
/// response and request, and the findings learnt while connecting (the certificate's).
fn follow(
    plan: &Plan,
    emit: &mut dyn FnMut(Event),
) -> Result<(connect::Stream, Response, Request, Vec<crate::event::Finding>), Failure> {
    let mut target = plan.target.clone();
    let mut overlay = plan.overlay.clone();
    let mut chain = vec![target.to_string()];
    loop {
        // The URL's own credentials, unless -u gave others.
        let mut with_auth = overlay.clone();
        with_auth.auth = with_auth.auth.or_else(|| target.userinfo.clone());
        let mut offer = Offer::wscheck(&with_auth);
        for warning in offer.edit(&with_auth.headers) {
            emit(Event::Note { level: Level::Warning, text: warning });
        }
        let request = offer.render(&target, None);
        // Warnings about the environment were said once, by the plan.
        let proxy = plan.reach.proxy_for(&target, &mut Vec::new())?;
        let opts = ConnectOptions { tls: plan.reach.tls.clone(), proxy, show_secrets: plan.reach.show_secrets };
        let deadline = plan.limits.connection(Instant::now());
        let Connected { mut stream, findings } =
            connect::connect(&target, &opts, deadline.at, emit).map_err(|f| deadline.blame(f))?;
        let response = handshake::exchange(&mut stream, &request, plan.reach.show_secrets, emit)
            .map_err(|f| match &mut stream {
                connect::Stream::Tls(s) => crate::tls_failure::alert_after_handshake(s, f, &target.authority()),
                connect::Stream::Plain(_) => f,
            })
            .map_err(|f| deadline.blame(f))?;
        let location = response.first("Location").filter(|_| (300..400).contains(&response.status));
        let (Some(location), Some(max_redirs)) = (location, plan.max_redirects) else {
            return Ok((stream, response, request, findings));
        };
        let mut next = redirect_target(&target, &location)?;
        chain.push(next.to_string());
        if chain[..chain.len() - 1].contains(&next.to_string()) {
            return Err(Failure::new(Code::NoSwitch, format!("redirect loop: {}", chain.join(" → "))));
        }
        if chain.len() - 1 > max_redirs {
            return Err(Failure::new(
                Code::NoSwitch,
                format!("too many redirects (--max-redirs {max_redirs}): {}", chain.join(" → ")),
            ));
        }
        let same_place = (next.host.as_str(), next.port) == (target.host.as_str(), target.port);
        if same_place && next.scheme == target.scheme {
            if next.userinfo.is_none() {
                next.userinfo = target.userinfo.clone();
            }
        } else {
            // Credentials are for the host, port and scheme they were given for (as curl).
            let (without, dropped) = overlay.without_credentials();
            overlay = without;
            if dropped || target.userinfo.is_some() {
                emit(Event::Note {
                    level: Level::Info,
                    text: format!(
                        "credentials are not sent to {} (another {})",
                        next.authority(),
                        if same_place { "scheme" } else { "host" }
                    ),
                });
            }
        }
        emit(Event::Note {
            level: Level::Info,
            text: format!("following the redirect to {next} ({} of at most {max_redirs})", chain.len() - 1),
        });
        target = next;
    }
}

/// Resolve a `Location` against the URL that answered it; http(s) map to ws(s).
fn redirect_target(from: &Target, location: &str) -> Result<Target, Failure> {
    let bad = |why: String| Failure::new(Code::NoSwitch, format!("cannot follow the redirect to '{location}': {why}"));
    let base = url::Url::parse(&from.to_string()).map_err(|e| bad(e.to_string()))?;
    // Bytes of the Location that are not UTF-8 (byte marks) go into the URL percent-encoded.
    let mut encoded = String::with_capacity(location.len());
    for chunk in crate::escape::to_bytes(location).utf8_chunks() {
        encoded.push_str(chunk.valid());
        encoded.extend(chunk.invalid().iter().map(|b| format!("%{b:02X}")));
    }
    let mut next = base.join(&encoded).map_err(|e| bad(e.to_string()))?;
    next.set_fragment(None);
    let mut target = Target::parse(next.as_str()).map_err(|f| bad(f.message))?;
    // The "following the redirect to …" note already shows the scheme it maps to.
    target.notes.clear();
    Ok(target)
}

/// The session after a valid handshake: pick the input (REPL, -x, stdin) and run the loop.
fn talk(
    plan: &Plan,
    mut stream: connect::Stream,
    response: Response,
    reporter: &mut Reporter,
) -> Result<Code, Failure> {
    let sp = &plan.session;
    stream.tcp_mut().set_deadline(None).map_err(internal)?;
    let deflate_agreed = agreed_deflate(&response);
    // A 32 KiB read buffer (tungstenite zeroes 128 KiB by default): as fast here, 96 KiB less memory.
    let config = WebSocketConfig::default()
        .read_buffer_size(32 << 10)
        .max_message_size(Some(sp.max_size))
        .max_frame_size(Some(sp.max_size));
    let ws = WebSocket::from_partially_read(stream, response.rest, Role::Client, Some(config));

    let poll = Poll::new().map_err(internal)?;
    let wake = Wake::new(Waker::new(poll.registry(), session::WAKER).map_err(internal)?);
    let (tx, rx) = sync_channel(QUEUE);
    let feed = Feed { tx, wake: wake.clone() };
    let mut repl = None;
    // Lines are typed at a terminal: the REPL, unless it cannot run there (then say why).
    let typed = sp.source == Source::Stdin && !reporter.is_json() && std::io::stdin().is_terminal();
    let no_repl = if !typed {
        None
    } else if !std::io::stdout().is_terminal() {
        Some("stdout is not a terminal".to_string())
    } else {
        repl::unsupported_terminal().map(|term| format!("this terminal (TERM={term}) cannot edit lines"))
    };
    let interactive = typed && no_repl.is_none();
    crate::signals::enter_session(wake.clone(), interactive);
    {
        let style = reporter.style_mut();
        style.binary_output = plan.output.binary_output;
        style.timestamps = plan.output.timestamps;
        style.null = plan.output.null;
    }
    match &sp.source {
        Source::Nothing => drop(feed),
        Source::Messages(messages) => {
            let messages = messages.clone();
            std::thread::spawn(move || {
                for m in messages {
                    if !feed.send(Input::Send(m)) {
                        return;
                    }
                }
                feed.send(Input::Eof);
            });
        }
        Source::Stdin if interactive => {
            let mut editor = repl::Repl::new(feed).map_err(|e| Failure::new(Code::Internal, e))?;
            reporter.say(repl::BANNER);
            reporter.set_printer(editor.printer());
            editor.begin();
            repl = Some(editor);
        }
        Source::Stdin => {
            if let Some(why) = no_repl {
                // `wscheck URL | tee log` at a shell: say why there is no prompt, and what typing does.
                reporter.emit(&Event::Note {
                    level: Level::Info,
                    text: format!(
                        "the REPL is off because {why}: each line typed is sent as a message (Ctrl-D to end)"
                    ),
                });
            }
            let (binary, max) = (sp.binary, sp.max_size);
            std::thread::spawn(move || input::pipe(std::io::stdin().lock(), feed, binary, max));
        }
    }
    let rules = Rules {
        count: sp.count,
        expect: sp.expect.as_ref().map(|re| re.as_str().to_string()),
        expect_close: sp.expect_close.clone(),
        wait: sp.wait,
        timeout: plan.limits.session(Instant::now(), sp.has_goal()),
    };
    let opts = session::Options {
        rules,
        expect: sp.expect.clone(),
        ping_interval: sp.ping_interval,
        ping_timeout: sp.ping_timeout,
        show_ping_pong: sp.show_pings,
        close_at_once: sp.handshake_only(),
        verbose: plan.output.verbose,
        deflate_agreed,
    };
    let end = session::run(ws, &opts, reporter, rx, poll, wake);
    reporter.clear_printer();
    if let Some(repl) = repl {
        repl.finish();
    }
    end
}

/// True when the server's `Sec-WebSocket-Extensions` agreed to permessage-deflate (offered
/// with `-H`): its frames will be compressed, which wscheck cannot read yet (SPEC §14).
fn agreed_deflate(response: &Response) -> bool {
    response
        .tokens("Sec-WebSocket-Extensions")
        .iter()
        .any(|t| t.split(';').next().is_some_and(|name| name.trim().eq_ignore_ascii_case("permessage-deflate")))
}

fn internal(e: std::io::Error) -> Failure {
    Failure::new(Code::Internal, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_resolve_and_map_schemes() {
        let from = Target::parse("ws://h:8080/a/b?q").unwrap();
        assert_eq!(redirect_target(&from, "c").unwrap().to_string(), "ws://h:8080/a/c");
        assert_eq!(redirect_target(&from, "/x").unwrap().to_string(), "ws://h:8080/x");
        assert_eq!(redirect_target(&from, "https://other/y").unwrap().to_string(), "wss://other/y");
        assert_eq!(redirect_target(&from, "//g:1/z").unwrap().to_string(), "ws://g:1/z");
        assert!(redirect_target(&from, "ftp://x/").is_err());
        let marked = crate::escape::net(b"/caf\xe9");
        assert_eq!(redirect_target(&from, &marked).unwrap().to_string(), "ws://h:8080/caf%E9");
    }
}
