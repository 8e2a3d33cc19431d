//! The command line resolved once into a [`Plan`]: what to reach and how, what to send,
//! how the session ends and how output looks. Every usage error is found here, before any
//! connection; nothing below this level sees a clap type. `demo` (and later `probe`) build a
//! `Plan` directly instead of an argv.

pub mod probe;
pub mod record;
pub mod session;

use std::time::Instant;

use regex::Regex;

use crate::cli::{BinaryOutput, ClientArgs, ColorWhen, OutputArgs, ReachArgs, RequestArgs};
use crate::event::Level;
use crate::exit::{Code, Failure};
use crate::handshake::Overlay;
use crate::limits::Limits;
use crate::net::proxy::{self, Proxy};
use crate::net::route::{ConnectTo, Family, Resolve, Route};
use crate::net::{ConnectOptions, TlsOptions};
use crate::target::Target;
pub use session::SessionPlan;

/// Everything a run will do, checked.
pub struct Plan {
    pub target: Target,
    /// `-H`, `-s`, `-o` and `-u`: added to every request (the URL's credentials are the
    /// target's, see [`Target::userinfo`]).
    pub overlay: Overlay,
    pub reach: Reach,
    /// `-L`: the most redirects to follow, `None` when they are not followed.
    pub max_redirects: Option<usize>,
    pub limits: Limits,
    pub session: SessionPlan,
    pub output: Output,
    /// `--lenient`: go on into the session after a 101 whose findings have errors.
    pub lenient: bool,
    /// Said before connecting: how the URL was read, environment variables ignored.
    pub notes: Vec<(Level, String)>,
    /// `--har FILE`: created before connecting, written at the end of the run.
    pub har: Option<crate::report::har::HarFile>,
}

/// How to reach a server: TLS settings, the proxy settings to choose from per target, and
/// the route (`--connect-to`, `--resolve`, `-4`/`-6`, `--unix-socket`) every connection takes.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pub tls: TlsOptions,
    pub route: Route,
    /// `--proxy` as given (`Some("")`: none).
    pub proxy_flag: Option<String>,
    /// `--noproxy` as given.
    pub noproxy: Option<String>,
    /// The proxy variables of the environment, read once.
    pub env: Vec<(String, String)>,
    /// `--show-secrets`: credentials shown, not masked.
    pub show_secrets: bool,
    /// `--trace`/`--trace-ascii`: where each connection's bytes are written (see [`record`]).
    pub trace: Option<std::sync::Arc<dyn crate::net::tap::Taps>>,
    /// `--http2`: the WebSocket over HTTP/2 (RFC 8441) instead of an HTTP/1.1 Upgrade.
    pub http2: bool,
}

impl Reach {
    /// TLS files read and checked, the proxy settings and the environment's, from the flags.
    pub fn from_args(args: &ReachArgs, show_secrets: bool) -> Result<Reach, Failure> {
        if args.http2 && !cfg!(feature = "http2") {
            return Err(Failure::new(
                Code::Usage,
                "--http2: this wscheck was built without HTTP/2 (the http2 feature)",
            ));
        }
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
        Ok(Reach {
            tls,
            route: route(args)?,
            proxy_flag: args.proxy.clone(),
            noproxy: args.noproxy.clone(),
            env: read_proxy_env(),
            show_secrets,
            trace: None,
            http2: args.http2,
        })
    }

    /// The proxy for `target` (the flag, else the environment as curl reads it), with the
    /// warnings about variables that cannot be used. None over a Unix socket (as curl).
    pub fn proxy_for(&self, target: &Target, warnings: &mut Vec<String>) -> Result<Option<Proxy>, Failure> {
        if self.route.unix_socket.is_some() {
            return Ok(None);
        }
        let env = |name: &str| self.env.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        proxy::select(target, self.proxy_flag.as_deref(), self.noproxy.as_deref(), &env, warnings)
    }

    /// How `net::connect` reaches `target`: TLS, its proxy and the route. Every connection
    /// (each hop, each redirect, each probe variant) is made from these.
    pub fn connect_options(&self, target: &Target) -> Result<ConnectOptions, Failure> {
        // Warnings about the environment were said once, by the plan.
        let proxy = self.proxy_for(target, &mut Vec::new())?;
        Ok(ConnectOptions {
            tls: self.tls.clone(),
            proxy,
            route: self.route.clone(),
            show_secrets: self.show_secrets,
            taps: self.trace.clone(),
        })
    }
}

/// `--connect-to`, `--resolve`, `-4`/`-6` and `--unix-socket`, checked: a malformed rule, or a
/// flag that cannot act beside `--unix-socket` (no network is used), is a usage error.
fn route(args: &ReachArgs) -> Result<Route, Failure> {
    let usage = |m: String| Failure::new(Code::Usage, m);
    let connect_to = args
        .connect_to
        .iter()
        .map(|r| ConnectTo::parse(r).map_err(|why| usage(format!("--connect-to '{r}': {why}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let resolve = args
        .resolve
        .iter()
        .map(|r| Resolve::parse(r).map_err(|why| usage(format!("--resolve '{r}': {why}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let family = match (args.ipv4, args.ipv6) {
        (true, true) => return Err(usage("-4/--ipv4 and -6/--ipv6 cannot go together".into())),
        (true, false) => Family::V4,
        (false, true) => Family::V6,
        (false, false) => Family::Any,
    };
    if let Some(path) = &args.unix_socket {
        if path.as_os_str().is_empty() {
            return Err(usage("--unix-socket needs a path".into()));
        }
        let idle: Vec<&str> = [
            (args.proxy.as_deref().is_some_and(|p| !p.is_empty()), "--proxy"),
            (!connect_to.is_empty(), "--connect-to"),
            (!resolve.is_empty(), "--resolve"),
            (args.ipv4, "-4"),
            (args.ipv6, "-6"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect();
        if !idle.is_empty() {
            return Err(usage(format!(
                "--unix-socket cannot go with {}: every connection goes to the socket, not through the network",
                idle.join(", ")
            )));
        }
    }
    Ok(Route { unix_socket: args.unix_socket.clone(), connect_to, resolve, family })
}

/// The environment variables that choose a proxy (SPEC §8, as curl reads them).
const PROXY_ENV: [&str; 7] =
    ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"];

/// How output looks; fixed for the run.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub color: ColorWhen,
    pub verbose: bool,
    pub binary_output: BinaryOutput,
    pub timestamps: bool,
    /// `-0`: NUL after each received message instead of a newline.
    pub null: bool,
}

impl Output {
    pub fn from_args(args: &OutputArgs) -> Output {
        Output { json: args.json, color: args.color, verbose: args.verbose, ..Output::default() }
    }
}

impl Default for Output {
    fn default() -> Output {
        Output {
            json: false,
            color: ColorWhen::Auto,
            verbose: false,
            binary_output: BinaryOutput::Hex,
            timestamps: false,
            null: false,
        }
    }
}

impl Plan {
    /// A plan for `target` with every default: wscheck's own request, no proxy but the
    /// environment's, the default limits, a session that reads stdin.
    pub fn new(target: Target) -> Plan {
        let notes = target.notes.iter().map(|n| (Level::Info, n.clone())).collect();
        Plan {
            target,
            overlay: Overlay::default(),
            reach: Reach { env: read_proxy_env(), ..Default::default() },
            max_redirects: None,
            limits: Limits::new(Instant::now(), None, crate::limits::CONNECT_TIMEOUT),
            session: SessionPlan::default(),
            output: Output::default(),
            lenient: false,
            notes,
            har: None,
        }
    }

    /// Check the URL and flags, read the TLS files and the `-x` files, ask for a password if
    /// needed; a usage error stops here, before any connection.
    pub fn from_args(args: &ClientArgs) -> Result<Plan, Failure> {
        let target = Target::parse(args.url.as_deref().unwrap_or_default())?;
        let mut plan = Plan::new(target);
        plan.overlay = overlay(&args.request)?;
        plan.reach = Reach::from_args(&args.reach, args.output.show_secrets)?;
        let mut warnings = Vec::new();
        plan.reach.proxy_for(&plan.target, &mut warnings)?;
        plan.notes.extend(warnings.into_iter().map(|w| (Level::Warning, w)));
        let s = &args.session;
        if args.output.json {
            // JSON lines carry every message as data or hex, untimed by these (SPEC §15).
            let idle: Vec<&str> =
                [(s.null, "-0"), (s.timestamps, "--timestamps"), (s.binary_output.is_some(), "--binary-output")]
                    .into_iter()
                    .filter_map(|(given, flag)| given.then_some(flag))
                    .collect();
            if !idle.is_empty() {
                return Err(Failure::new(
                    Code::Usage,
                    format!("--json writes messages as JSON events, so {} cannot act; drop it", idle.join(", ")),
                ));
            }
        }
        plan.max_redirects = s.location.then_some(s.max_redirs);
        plan.output = Output {
            binary_output: s.binary_output.unwrap_or(BinaryOutput::Hex),
            timestamps: s.timestamps,
            null: s.null,
            ..Output::from_args(&args.output)
        };
        plan.lenient = s.lenient;
        plan.session = session::prepare(s, std::io::stdin().lock())?;
        // The files are created once every other flag is known good, before any password prompt.
        plan.reach.trace = record::trace(&args.output)?;
        plan.har = record::har(&args.output)?;
        // Asked last, so that every other usage error is said before anyone types a password.
        plan.overlay.auth = auth(args.request.auth.as_deref())?;
        // The clock starts once nothing waits for the user (a password prompt, `-x @-`).
        plan.limits = Limits::new(Instant::now(), s.timeout, args.reach.connect_timeout);
        Ok(plan)
    }

    /// `--expect REGEX` for this plan (the session matches with it).
    pub fn expect(mut self, pattern: &str) -> Result<Plan, Failure> {
        self.session.expect = Some(compile_expect(pattern)?);
        Ok(self)
    }
}

/// `-H`, `-s` and `-o` as the overlay every request gets (`-u` is asked for last).
pub fn overlay(args: &RequestArgs) -> Result<Overlay, Failure> {
    Ok(Overlay {
        headers: args.headers.iter().map(|h| Overlay::parse_header(h)).collect::<Result<_, _>>()?,
        subprotocols: args.subprotocols.clone(),
        origin: args.origin.clone(),
        auth: None,
        deflate: args.deflate,
    })
}

/// Compile `--expect`; a bad pattern is a usage error.
pub fn compile_expect(pattern: &str) -> Result<Regex, Failure> {
    Regex::new(pattern).map_err(|e| Failure::new(Code::Usage, format!("bad --expect regex: {e}")))
}

fn read_proxy_env() -> Vec<(String, String)> {
    PROXY_ENV.iter().filter_map(|name| Some((name.to_string(), std::env::var(name).ok()?))).collect()
}

/// `-u USER:PASS`; with no password, asked for on the terminal as curl does (`-u USER:`
/// sends an empty one).
fn auth(given: Option<&str>) -> Result<Option<(String, String)>, Failure> {
    let usage = |m: String| Failure::new(Code::Usage, m);
    let Some(a) = given else { return Ok(None) };
    Ok(Some(match a.split_once(':') {
        Some((user, pass)) => (user.to_string(), pass.to_string()),
        None => match crate::prompt::password(a) {
            Some(Ok(pass)) => (a.to_string(), pass),
            Some(Err(e)) => return Err(usage(format!("-u {a}: could not read the password: {e}"))),
            None => {
                return Err(usage(format!(
                    "-u {a} has no password and there is no terminal to ask for it: use -u '{a}:PASSWORD' (or '{a}:' for an empty one)"
                )));
            }
        },
    }))
}
