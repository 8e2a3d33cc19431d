//! `wscheck URL`: connect (through a proxy, following redirects if asked), do the
//! handshake, report the verdict, then the session.

use std::io::IsTerminal;
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use mio::{Poll, Waker};
use regex::Regex;
use tungstenite::protocol::{Role, WebSocket, WebSocketConfig};

use crate::checks::{self, Agreed};
use crate::cli::ClientArgs;
use crate::event::{Event, Level};
use crate::exit::{Code, Failure};
use crate::handshake::{self, Request, RequestOptions, Response};
use crate::limits::Limits;
use crate::net::proxy;
use crate::net::{self, ConnectOptions, Connected, TlsOptions};
use crate::report::Reporter;
use crate::session::ending::Rules;
use crate::session::input::{self, Feed, Input, QUEUE, Wake};
use crate::session::plan::{self, SessionPlan};
use crate::session::{self, repl};
use crate::target::Target;

/// What the command line asks for, checked before anything is sent.
pub struct Plan {
    pub target: Target,
    pub expect: Option<Regex>,
    pub tls: TlsOptions,
    pub auth: Option<(String, String)>,
    /// Said before connecting (e.g. a proxy variable wscheck cannot use).
    pub warnings: Vec<String>,
    /// The session's flags, checked, with the `-x` messages read.
    pub session: SessionPlan,
    /// `--timeout` and `--connect-timeout`, from the program's start.
    pub limits: Limits,
}

/// Check the URL and flags, read the TLS files; a usage error stops here, before any connection.
pub fn prepare(args: &ClientArgs) -> Result<Plan, Failure> {
    let usage = |m: String| Failure::new(Code::Usage, m);
    let target = Target::parse(args.url.as_deref().unwrap_or_default())?;
    let expect = match &args.expect {
        None => None,
        Some(p) => Some(Regex::new(p).map_err(|e| usage(format!("bad --expect regex: {e}")))?),
    };
    let tls = if args.cacert.is_some() || args.cert.is_some() {
        TlsOptions::load(
            args.insecure,
            args.cacert.as_deref(),
            args.cert.as_deref(),
            args.key.as_deref(),
            args.cert_warn_days,
        )?
    } else {
        TlsOptions { insecure: args.insecure, cert_warn_days: args.cert_warn_days, ..Default::default() }
    };
    let mut warnings = Vec::new();
    proxy::select(&target, args.proxy.as_deref(), args.noproxy.as_deref(), &env, &mut warnings)?;
    let auth = match args.auth.as_deref() {
        None => None,
        Some(a) => Some(match a.split_once(':') {
            Some((user, pass)) => (user.to_string(), pass.to_string()),
            // `-u USER` with no password: ask, as curl does (`-u USER:` sends an empty one).
            None => match crate::prompt::password(a) {
                Some(Ok(pass)) => (a.to_string(), pass),
                Some(Err(e)) => return Err(usage(format!("-u {a}: could not read the password: {e}"))),
                None => {
                    return Err(usage(format!(
                        "-u {a} has no password and there is no terminal to ask for it: use -u '{a}:PASSWORD' (or '{a}:' for an empty one)"
                    )));
                }
            },
        }),
    };
    let session = plan::prepare(args, std::io::stdin().lock())?;
    // The clock starts once nothing waits for the user (a password prompt, `-x @-`).
    let limits = Limits::new(Instant::now(), args.timeout, args.connect_timeout);
    Ok(Plan { target, expect, tls, auth, warnings, session, limits })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Run the client and return the exit code; every outcome, failures included, is reported.
pub fn run(args: &ClientArgs, plan: Plan, reporter: &mut Reporter) -> Code {
    reporter.style_mut().verbose = args.verbose;
    let result = inspect(args, plan, reporter);
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

fn inspect(args: &ClientArgs, plan: Plan, reporter: &mut Reporter) -> Result<Code, Failure> {
    let (stream, response, verdict) = {
        let mut emit = |e: Event| reporter.emit(&e);
        for note in &plan.target.notes {
            emit(Event::Note { level: Level::Info, text: note.clone() });
        }
        for warning in &plan.warnings {
            emit(Event::Note { level: Level::Warning, text: warning.clone() });
        }
        let (stream, response, request, findings) =
            follow(args, plan.target.clone(), &plan.tls, plan.auth.clone(), &plan.limits, &mut emit)?;
        crate::signals::handshake_done();
        let verdict = checks::judge(&request, &response, findings);
        verdict.emit(&mut emit);
        (stream, response, verdict)
    };
    let proceed = verdict.ok || (args.lenient && verdict.switched());
    if !proceed {
        return Ok(verdict.code);
    }
    let end = talk(args, &plan, stream, response, &verdict.agreed, reporter)?;
    Ok(if verdict.ok { end } else { verdict.code })
}

/// Connect and exchange, following redirects with `-L`. Returns the last hop's stream,
/// response and request, and the findings learnt while connecting (the certificate's).
fn follow(
    args: &ClientArgs,
    mut target: Target,
    tls: &TlsOptions,
    mut auth: Option<(String, String)>,
    limits: &Limits,
    emit: &mut dyn FnMut(Event),
) -> Result<(net::Stream, Response, Request, Vec<crate::event::Finding>), Failure> {
    let mut headers = args.headers.clone();
    let mut chain = vec![target.to_string()];
    loop {
        let options = RequestOptions {
            headers: headers.clone(),
            subprotocols: args.subprotocols.clone(),
            origin: args.origin.clone(),
            auth: auth.clone(),
        };
        let request = Request::build(&target, &options, emit)?;
        // Warnings about the environment were said once, by `prepare`.
        let proxy = proxy::select(&target, args.proxy.as_deref(), args.noproxy.as_deref(), &env, &mut Vec::new())?;
        let opts = ConnectOptions { tls: tls.clone(), proxy, show_secrets: args.show_secrets };
        let deadline = limits.connection(Instant::now());
        let Connected { mut stream, certificate } = net::connect(&target, &opts, deadline, emit)?;
        let response = handshake::exchange(&mut stream, &request, args.show_secrets, deadline, emit)
            .map_err(|f| net::tls_failure::alert_after_handshake(&mut stream, f, &target.authority()))?;
        let findings = certificate.map_or_else(Vec::new, |c| {
            crate::checks::cert::findings(&c.info, c.names_host, &target.host, tls.cert_warn_days)
        });
        let location = response.first("Location").filter(|_| args.location && (300..400).contains(&response.status));
        let Some(location) = location else {
            return Ok((stream, response, request, findings));
        };
        let mut next = redirect_target(&target, &location)?;
        chain.push(next.to_string());
        if chain[..chain.len() - 1].contains(&next.to_string()) {
            return Err(Failure::new(Code::NoSwitch, format!("redirect loop: {}", chain.join(" → "))));
        }
        if chain.len() - 1 > args.max_redirs {
            return Err(Failure::new(
                Code::NoSwitch,
                format!("too many redirects (--max-redirs {}): {}", args.max_redirs, chain.join(" → ")),
            ));
        }
        let same_place = (next.host.as_str(), next.port) == (target.host.as_str(), target.port);
        if same_place && next.scheme == target.scheme {
            if next.userinfo.is_none() {
                next.userinfo = target.userinfo.clone();
            }
        } else {
            // Credentials are for the host, port and scheme they were given for (as curl).
            let before = headers.len();
            headers.retain(|h| !crate::http1::auth::is_credential(h.split(':').next().unwrap_or("").trim()));
            if auth.take().is_some() || target.userinfo.is_some() || headers.len() != before {
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
            text: format!("following the redirect to {next} ({} of at most {})", chain.len() - 1, args.max_redirs),
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
    args: &ClientArgs,
    plan: &Plan,
    mut stream: net::Stream,
    response: Response,
    agreed: &Agreed,
    reporter: &mut Reporter,
) -> Result<Code, Failure> {
    stream.clear_deadline().map_err(internal)?;
    // permessage-deflate agreed (offered with `-H`): its frames will be compressed, which
    // wscheck cannot read yet (SPEC §14).
    let deflate_agreed = agreed.has_extension("permessage-deflate");
    // A 32 KiB read buffer (tungstenite zeroes 128 KiB by default): as fast here, 96 KiB less memory.
    let config = WebSocketConfig::default()
        .read_buffer_size(32 << 10)
        .max_message_size(Some(args.max_size))
        .max_frame_size(Some(args.max_size));
    let ws = WebSocket::from_partially_read(stream, response.rest, Role::Client, Some(config));

    let poll = Poll::new().map_err(internal)?;
    let wake = Wake::new(Waker::new(poll.registry(), session::WAKER).map_err(internal)?);
    let (tx, rx) = sync_channel(QUEUE);
    let feed = Feed { tx, wake: wake.clone() };
    let mut repl = None;
    // Lines are typed at a terminal: the REPL, unless it cannot run there (then say why).
    let typed =
        !args.handshake_only && args.execute.is_empty() && !reporter.is_json() && std::io::stdin().is_terminal();
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
        style.binary_output = args.binary_output;
        style.timestamps = args.timestamps;
        style.null = args.null;
    }
    if args.handshake_only {
        drop(feed);
    } else if !args.execute.is_empty() {
        let messages = plan.session.messages.clone();
        std::thread::spawn(move || {
            for m in messages {
                if !feed.send(Input::Send(m)) {
                    return;
                }
            }
            feed.send(Input::Eof);
        });
    } else if interactive {
        let mut editor = repl::Repl::new(feed).map_err(|e| Failure::new(Code::Internal, e))?;
        reporter.say(repl::BANNER);
        reporter.set_printer(editor.printer());
        editor.begin();
        repl = Some(editor);
    } else {
        if let Some(why) = no_repl {
            // `wscheck URL | tee log` at a shell: say why there is no prompt, and what typing does.
            reporter.emit(&Event::Note {
                level: Level::Info,
                text: format!("the REPL is off because {why}: each line typed is sent as a message (Ctrl-D to end)"),
            });
        }
        let (binary, max) = (args.binary, args.max_size);
        std::thread::spawn(move || input::pipe(std::io::stdin().lock(), feed, binary, max));
    }
    let rules = Rules {
        count: args.count,
        expect: args.expect.clone(),
        expect_close: args.expect_close.clone(),
        wait: plan.session.wait,
        timeout: plan.limits.session(Instant::now(), plan::has_goal(args)),
    };
    let opts = session::Options {
        rules,
        expect: plan.expect.clone(),
        ping_interval: args.ping_interval,
        ping_timeout: args.ping_timeout,
        show_ping_pong: args.show_ping_pong,
        close_at_once: args.handshake_only,
        verbose: args.verbose,
        deflate_agreed,
    };
    let end = session::run(ws, &opts, reporter, rx, poll, wake);
    reporter.clear_printer();
    if let Some(repl) = repl {
        repl.finish();
    }
    end
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
