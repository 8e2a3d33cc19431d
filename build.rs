//! Link settings for the `wscheck` binaries' start-up (issue 16; figures in bench/README.md).
//!
//! Linked with OpenSSL statically (README, "Install"), the position-independent executable
//! carries ~29,000 relative relocations of OpenSSL's tables, which the loader applies at every
//! start. As RELA entries (24 bytes each) their table is 0.7 MB that every run reads; packed as
//! RELR (`-z pack-relative-relocs`) it is 9 kB. A binary linked so needs glibc 2.36 or later
//! where it runs ("GLIBC_ABI_DT_RELR not found" on an older one), so RELR is used only when
//! it pays and the binary is for this machine anyway: OpenSSL static (`OPENSSL_STATIC` set,
//! not `0`), a native build, and glibc 2.36 or later here. The default build (OpenSSL dynamic,
//! where RELR measured no faster) keeps the plain link and runs on older glibc. `WSCHECK_RELR=1`
//! or `0` decides instead.
//!
//! The executable stays position-independent: linked with `-no-pie` it would start ~0.3 ms
//! sooner with 0.4 MiB less RSS (no relocated pages at all), but with its code, and OpenSSL's, at
//! a fixed address: a trade a network tool should not make (bench/README.md).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=WSCHECK_RELR");
    println!("cargo:rerun-if-env-changed=OPENSSL_STATIC");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    let linux_gnu = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    let relr = match var("WSCHECK_RELR").as_str() {
        "1" => linux_gnu,
        "0" => false,
        _ => {
            let openssl_static = std::env::var_os("OPENSSL_STATIC").is_some_and(|v| v != "0");
            openssl_static && native && linux_gnu && glibc_at_least(2, 36)
        }
    };
    if relr {
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
