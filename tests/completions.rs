//! The committed scripts in `completions/` must be exactly what `wscheck completions SHELL`
//! prints now: a flag added to the CLI without regenerating them fails here.

use std::path::Path;
use std::time::Duration;

const REGENERATE: &str = "regenerate with `bash completions/generate.sh` and commit the result";

fn matches_the_binary(shell: &str, file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions").join(file);
    let committed =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}; {REGENERATE}", path.display()));
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_wscheck"))
        .args(["completions", shell])
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run wscheck completions");
    assert!(out.status.success(), "wscheck completions {shell} failed: {}", String::from_utf8_lossy(&out.stderr));
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
        "completions/{file} is stale: it differs from `wscheck completions {shell}` \
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
