//! Link settings for the `wscheck` binaries' start-up (issue 16; figures in bench/README.md).
//!
//! A position-independent executable carries relative relocations that the loader applies at
//! every start: ~9,900 of wscheck's own (vtables, string tables), and ~29,000 more when OpenSSL is
//! linked statically (README, "Install"). As RELA entries (24 bytes each) their table is 0.24 MB
//! (0.7 MB) that every run reads; packed as RELR (`-z pack-relative-relocs`, glibc 2.36 and
//! later) it is a few kB. A binary linked so needs glibc 2.36 or later where it runs, so the flag
//! is given only when the glibc of the machine that builds is at least that (a native build; a
//! cross build gets the plain link).
//!
//! The executable stays position-independent: linked with `-no-pie` it would start ~0.25 ms
//! sooner with 0.4 MiB less RSS (no relocated pages at all), but with its code, and OpenSSL's, at
//! a fixed address: a trade a network tool should not make (bench/README.md).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    if native && var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" && glibc_at_least(2, 36)
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether this machine's glibc (`getconf GNU_LIBC_VERSION`: "glibc 2.36") is at least
/// `major.minor`; false when it cannot tell.
fn glibc_at_least(major: u32, minor: u32) -> bool {
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else { return false };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text.trim().strip_prefix("glibc ") else { return false };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(a), Some(b)) => (a, b) >= (major, minor),
        _ => false,
    }
}
