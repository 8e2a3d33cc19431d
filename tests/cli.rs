//! The command line's own edges (SPEC §15): output that cannot be written, completions into a
//! closed pipe, `serve` on a busy port, sizes with units, `TERM=dumb`, `-u USER` prompting, and
//! proxy variables wscheck cannot use or that exempt a CIDR range.
mod common;
use common::*;

use std::net::TcpListener;
use std::process::{Command, Stdio};

use rexpect::process::WaitStatus;
use rexpect::session::{Options, spawn_with_options};

/// Run the binary with stdout going to `stdout`; (exit code, stderr).
fn run_into(args: &[&str], stdout: Stdio) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wscheck"));
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    let child = cmd
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wscheck");
    let out = wait_bounded(child);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Wait for `child`, killing it if it outlives [`LIMIT`].
fn wait_bounded(child: std::process::Child) -> std::process::Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    rx.recv_timeout(LIMIT)
        .unwrap_or_else(|_| {
            // SAFETY: kill(2) on a child that has not been reaped yet.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            panic!("wscheck did not finish within {LIMIT:?}")
        })
        .expect("wait for wscheck")
}

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

fn dev_full() -> Stdio {
    Stdio::from(std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full"))
}

#[test]
fn completions_and_the_man_page_into_a_closed_pipe_end_quietly() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell", "man"] {
        let args: &[&str] = if shell == "man" { &["man"] } else { &["completions", shell] };
        let (code, stderr) = run_into(args, closed_pipe());
        assert!(!stderr.contains("panicked"), "{shell}: wscheck panicked:\n{stderr}");
        assert_eq!((code, stderr.as_str()), (0, ""), "{shell}");
    }
    let (code, stderr) = run_into(&["completions", "zsh"], dev_full());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        ["error: cannot write to stdout: No space left on device (os error 28)"]
    );
}

#[test]
fn a_stdout_that_cannot_be_written_is_exit_1_with_one_line() {
    let server = Serve::start(&[]);
    for json in [false, true] {
        let mut args = vec!["-x", "hello", "--expect", "hello", server.url.as_str()];
        if json {
            args.insert(0, "--json");
        }
        let (code, stderr) = run_into(&args, dev_full());
        assert_eq!(code, 1, "--json {json}\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("error:")).collect::<Vec<_>>(),
            ["error: cannot write to stdout: No space left on device (os error 28)"],
            "--json {json}\n{stderr}"
        );
    }
}

#[test]
fn a_closed_stdout_is_a_quiet_clean_end_with_close_1000() {
    let server = RawServer::start(|mut s| {
        ws_accept(&mut s);
        let (op, data) = read_client_frame(&mut s).expect("the message");
        s.write_all(&ws_frame(op, &data)).unwrap();
        let (_, code) = read_until_client_close(&mut s);
        let _ = s.write_all(&ws_close(1000, ""));
        code
    });
    let (code, stderr) = run_into(&["-x", "hello", &server.url("/")], closed_pipe());
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("error:") && !stderr.contains("panicked"), "{stderr}");
    assert_eq!(server.join(), Some(1000));
}

use std::io::Write;

#[test]
fn serve_on_a_busy_port_names_it_and_is_a_usage_error() {
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let r = wscheck(&["serve", "--port", &port], b"");
    r.code(2);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "error: wscheck serve: 127.0.0.1:{port} is already in use (another server?); --port 0 picks a free port"
        )
    );
    let r = wscheck(&["serve", "--port", "0", "--bind", "192.0.2.1"], b"");
    r.code(2).err_has("192.0.2.1 is not an address of this machine (--bind)");
}

#[test]
fn max_size_takes_binary_units() {
    let big = "x".repeat(2000);
    let server = RawServer::start(move |mut s| {
        ws_accept(&mut s);
        s.write_all(&ws_text(&big)).unwrap();
        client_close_code(&mut s)
    });
    let r = wscheck(&["--max-size", "1k", &server.url("/")], b"");
    r.code(9).err_has("over --max-size 1024");
    assert_eq!(server.join(), Some(1009));

    let serve = Serve::start(&[]);
    for size in ["1MB", "1MiB", "1M", "64k", "1048576"] {
        wscheck(&["--max-size", size, "-x", "hi", "--expect", "hi", &serve.url], b"").code(0);
    }
    for bad in ["0", "1.5M", "2G", "lots"] {
        wscheck(&["--max-size", bad, &serve.url], b"").code(2).err_has("--max-size");
    }
}

/// wscheck on a pseudo-terminal with `env`; (exit code, everything it printed).
fn on_pty(args: &[&str], env: &[(&str, &str)], answer: Option<(&str, &str)>) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wscheck"));
    cmd.args(args).env_remove("NO_COLOR");
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let mut p = spawn_with_options(cmd, Options::new().timeout_ms(Some(10_000))).expect("spawn on a pty");
    let mut seen = String::new();
    if let Some((prompt, reply)) = answer {
        seen.push_str(&p.exp_string(prompt).unwrap_or_else(|e| panic!("waiting for {prompt:?}: {e}")));
        seen.push_str(prompt);
        p.send(reply).unwrap();
        p.flush().unwrap();
    }
    seen.push_str(&p.exp_eof().expect("wscheck ends"));
    match p.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => (code, seen),
        other => panic!("wscheck did not exit normally: {other:?}\n{seen}"),
    }
}

#[test]
fn term_dumb_disables_colour_like_no_color() {
    let server = Serve::start(&[]);
    let args = ["--handshake-only", server.url.as_str()];
    let (code, coloured) = on_pty(&args, &[("TERM", "xterm")], None);
    assert_eq!(code, 0, "{coloured}");
    assert!(coloured.contains("\x1b["), "a terminal gets colour:\n{coloured}");
    let (code, plain) = on_pty(&args, &[("TERM", "dumb")], None);
    assert_eq!(code, 0, "{plain}");
    assert!(!plain.contains("\x1b["), "TERM=dumb still got colour:\n{plain:?}");
}

#[test]
fn user_without_a_password_is_asked_for_one_on_a_terminal() {
    let server = upgrade_then_close(|head| ok_101(head, "Switching Protocols", ""));
    let url = server.url("/");
    let (code, seen) = on_pty(
        &["-u", "alice", "--handshake-only", &url],
        &[("TERM", "dumb")],
        Some(("Enter host password for user 'alice': ", "s3cret\r")),
    );
    assert_eq!(code, 0, "{seen}");
    assert!(!seen.contains("s3cret"), "the password was echoed or shown:\n{seen}");
    let head = String::from_utf8(server.join()).unwrap();
    // base64("alice:s3cret")
    assert!(head.contains("Authorization: Basic YWxpY2U6czNjcmV0\r\n"), "{head}");

    // No terminal to ask on: a usage error before connecting.
    let (listener, port) = untouched_listener();
    let r = wscheck(&["-u", "alice", &format!("ws://127.0.0.1:{port}/")], b"");
    r.code(2).err_has("-u alice has no password and there is no terminal to ask for it");
    assert_never_connected(&listener);
    // `-u alice:` is an explicit empty password: nothing to ask.
    let server = upgrade_then_close(|head| ok_101(head, "Switching Protocols", ""));
    wscheck(&["-u", "alice:", "--handshake-only", &server.url("/")], b"").code(0);
    let head = String::from_utf8(server.join()).unwrap();
    assert!(head.contains("Authorization: Basic YWxpY2U6\r\n"), "{head}"); // base64("alice:")
}

#[test]
fn a_proxy_variable_wscheck_cannot_use_is_a_warning_not_an_error() {
    let server = Serve::start(&[]);
    for var in ["all_proxy", "ALL_PROXY", "http_proxy"] {
        let r = wscheck_env(&["--handshake-only", &server.url], b"", &[(var, "socks4://bob:pw@127.0.0.1:1")]);
        r.code(0).err_has(&format!(
            "* warning: {var}=socks4://bob:*****@127.0.0.1:1 is a socks4:// proxy, which wscheck cannot use \
             (only http:// (CONNECT), socks5:// and socks5h://): ignored"
        ));
        r.err_lacks(":pw@");
    }
}

#[test]
fn no_proxy_honours_cidr_ranges() {
    let server = Serve::start(&[]);
    let (listener, pport) = untouched_listener();
    let proxy = format!("http://127.0.0.1:{pport}");
    for range in ["127.0.0.0/8", "127.0.0.1/32", "10.0.0.0/8,127.0.0.0/24"] {
        let r = wscheck_env(&["--handshake-only", &server.url], b"", &[("http_proxy", &proxy), ("no_proxy", range)]);
        r.code(0).err_lacks("proxy>");
    }
    assert_never_connected(&listener);
    // Outside the range the proxy is used (and here refuses: nothing serves it).
    drop(listener);
    let r = wscheck_env(&["--handshake-only", &server.url], b"", &[("http_proxy", &proxy), ("no_proxy", "10.0.0.0/8")]);
    r.code(3).err_has("the proxy");
}

#[test]
fn output_flags_that_cannot_act_are_usage_errors() {
    let (listener, port) = untouched_listener();
    let url = format!("ws://127.0.0.1:{port}/");
    for flag in [&["-0"][..], &["--timestamps"], &["--binary-output", "raw"]] {
        let mut args = vec!["--json"];
        args.extend_from_slice(flag);
        args.push(&url);
        let r = wscheck(&args, b"");
        r.code(2).err_has(&format!("--json writes messages as JSON events, so {} cannot act", flag[0]));
    }
    for flag in ["--har", "--trace", "--trace-ascii"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out");
        let r = wscheck(&["probe", "--list", flag, file.to_str().unwrap()], b"");
        r.code(2).err_has("probe --list connects to nothing, so --har and --trace cannot act");
        assert!(!file.exists(), "{flag}: the file was created");
    }
    assert_never_connected(&listener);
}
