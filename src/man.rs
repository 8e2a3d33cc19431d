//! The man page, `wscheck.1`, generated from the clap definition (clap_mangen) plus the
//! sections clap does not know: exit status, environment, files and examples. `wscheck man`
//! prints it; `man/wscheck.1` is the committed copy (tests/completions.rs keeps it current).

use std::io::{self, Write};

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use crate::cli::Cli;

const ENVIRONMENT: &[(&str, &str)] = &[
    ("http_proxy", "proxy for ws:// (lower case only, as curl): http://, socks5:// or socks5h://"),
    ("https_proxy, HTTPS_PROXY", "proxy for wss://"),
    ("all_proxy, ALL_PROXY", "proxy for both when the above are not set"),
    ("no_proxy, NO_PROXY", "hosts reached without a proxy: names, domains, IP addresses, CIDR ranges, or * for all"),
    ("NO_COLOR", "when set and not empty, no colour (as --color never, unless --color always)"),
    ("TERM", "TERM=dumb turns colour off too"),
    ("SSL_CERT_FILE, SSL_CERT_DIR", "where OpenSSL finds trusted roots for wss://"),
    ("XDG_DATA_HOME", "where the REPL keeps its history (default ~/.local/share)"),
];

const EXAMPLES: &[(&str, &str)] = &[
    ("wscheck demo", "start a local echo server and inspect it: the zero-setup tour"),
    ("wscheck ws://localhost:9001/chat", "inspect the handshake, then talk (a REPL on a terminal)"),
    ("wscheck --handshake-only wss://example.org/socket", "judge the handshake, close, exit with the verdict"),
    ("wscheck --json --handshake-only ws://host/ | jq -c 'select(.level == \"error\")'", "every broken rule, as JSON"),
    ("wscheck -x ping --expect pong ws://host/", "send a message and exit 0 at the first reply matching a regex"),
    ("printf 'a\\nb\\n' | wscheck ws://host/", "one message per stdin line, replies on stdout"),
    ("wscheck --deflate -v ws://host/", "offer permessage-deflate as Chrome does; -v shows wire sizes"),
    (
        "wscheck --connect-to example.org:443:10.0.0.7:443 wss://example.org/",
        "one backend; Host, SNI and the certificate keep example.org",
    ),
    (
        "wscheck --proxy socks5h://127.0.0.1:1080 wss://example.org/",
        "through a SOCKS5 proxy (ssh -D 1080) that resolves the name",
    ),
    (
        "wscheck --trace-ascii - -x hi ws://host/",
        "every byte after TLS on stderr, as curl --trace-ascii, each frame annotated",
    ),
    ("wscheck --har run.har -x hi -n 1 ws://host/", "the run as HAR 1.2, for a browser's dev tools"),
    ("wscheck serve --port 0", "a local echo server; its URL is printed on stdout"),
];

fn man_cmd() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Each visible subcommand as a section of this page (there are no wscheck-serve(1) pages).
fn render_subcommands(cmd: &clap::Command, out: &mut dyn Write) -> io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut roff = Roff::default();
        let usage = format!("wscheck {}", sub.get_name());
        roff.control("SH", [usage.to_uppercase().as_str()]);
        roff.text([bold(usage.as_str())]);
        let about = sub.get_long_about().or(sub.get_about()).map(|a| a.to_string()).unwrap_or_default();
        roff.control("PP", []).text([roman(about)]);
        roff.to_writer(out)?;
        if sub.get_arguments().any(|a| !a.is_hide_set() && a.get_long() != Some("help")) {
            let mut options = Vec::new();
            Man::new(sub.clone()).render_options_section(&mut options)?;
            // Its options belong to this section, not to a second OPTIONS heading.
            let text = String::from_utf8_lossy(&options).replacen(".SH OPTIONS\n", "", 1);
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}

/// Render the whole page.
pub fn render(out: &mut dyn Write) -> io::Result<()> {
    let man = Man::new(man_cmd()).manual("wscheck manual");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    render_subcommands(&man_cmd(), out)?;

    let mut roff = Roff::default();
    roff.control("SH", ["EXIT STATUS"]);
    for line in crate::exit::TABLE.lines().skip(1) {
        let line = line.trim();
        match line.split_once(' ') {
            Some((code, meaning)) if code.parse::<u8>().is_ok() => {
                roff.control("TP", []).text([bold(code)]).text([roman(meaning.trim())]);
            }
            // A continuation of the previous meaning.
            _ => {
                roff.text([roman(line)]);
            }
        }
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in ENVIRONMENT {
        roff.control("TP", []).text([bold(*name)]).text([roman(*meaning)]);
    }
    roff.control("SH", ["FILES"]);
    roff.control("TP", [])
        .text([bold("$XDG_DATA_HOME/wscheck/history")])
        .text([roman("the REPL's history (~/.local/share/wscheck/history when XDG_DATA_HOME is not set)")]);
    roff.control("SH", ["EXAMPLES"]);
    for (command, meaning) in EXAMPLES {
        roff.control("TP", []).text([bold(*command)]).text([roman(*meaning)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman("curl(1), websocat(1), RFC 6455, RFC 7692, RFC 8441")]);
    roff.to_writer(out)?;
    man.render_version_section(out)
}
