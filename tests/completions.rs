//! The committed scripts in `completions/` and the man page `man/wscheck.1` must be exactly
//! what `wscheck completions SHELL` and `wscheck man` print now: a flag added to the CLI without
//! regenerating them fails here.

use std::path::Path;
use std::time::Duration;

const REGENERATE: &str = "regenerate with `bash completions/generate.sh` and commit the result";

fn matches_the_binary(shell: &str, file: &str) {
    matches_the_output(&["completions", shell], &Path::new("completions").join(file));
}

fn matches_the_output(args: &[&str], file: &Path) {
    let shell = args.join(" ");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let file = file.display();
    let committed =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}; {REGENERATE}", path.display()));
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_wscheck"))
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run wscheck completions");
    assert!(out.status.success(), "wscheck {shell} failed: {}", String::from_utf8_lossy(&out.stderr));
    if out.stdout == committed {
        return;
    }
    let generated = String::from_utf8_lossy(&out.stdout);
    let on_disk = String::from_utf8_lossy(&committed);
    let first = generated
        .lines()
        .zip(on_disk.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| generated.lines().count().min(on_disk.lines().count()));
    panic!(
        "{file} is stale: it differs from `wscheck {shell}` \
         ({} bytes generated, {} committed), first at line {}:\n  generated: {:?}\n  committed: {:?}\n{REGENERATE}",
        out.stdout.len(),
        committed.len(),
        first + 1,
        generated.lines().nth(first).unwrap_or("<end of output>"),
        on_disk.lines().nth(first).unwrap_or("<end of file>"),
    );
}

#[test]
fn bash() {
    matches_the_binary("bash", "wscheck.bash");
}

#[test]
fn zsh() {
    matches_the_binary("zsh", "_wscheck");
}

#[test]
fn fish() {
    matches_the_binary("fish", "wscheck.fish");
}

#[test]
fn elvish() {
    matches_the_binary("elvish", "wscheck.elv");
}

#[test]
fn powershell() {
    matches_the_binary("powershell", "_wscheck.ps1");
}

#[test]
fn man_page() {
    matches_the_output(&["man"], Path::new("man/wscheck.1"));
}

#[test]
fn version_names_the_tls_library() {
    for flag in ["-V", "--version"] {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_wscheck"))
            .arg(flag)
            .timeout(Duration::from_secs(20))
            .output()
            .expect("run wscheck");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.starts_with(concat!("wscheck ", env!("CARGO_PKG_VERSION"))), "{text}");
        assert!(text.contains("OpenSSL 3") || text.contains("OpenSSL 1"), "{flag}: {text}");
    }
}
