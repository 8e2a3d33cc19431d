//! The `wscheck` binary: everything lives in the library; this sets up malloc and returns the exit code.

fn main() -> std::process::ExitCode {
    one_malloc_arena();
    wscheck::main()
}

/// glibc gives each new thread a malloc arena of its own (a 64 MB reservation, trimmed, and the
/// page faults of a fresh heap), which a short run pays for its signal thread alone (issue 16,
/// bench/README.md). wscheck's threads allocate little: they share the main arena (`serve`
/// too: 6.4 MiB instead of 8.4 MiB with 8 clients, as fast). A user's own choice, through
/// `MALLOC_ARENA_MAX` or `GLIBC_TUNABLES`, is left as it is.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() || std::env::var_os("GLIBC_TUNABLES").is_some() {
        return;
    }
    // SAFETY: mallopt only sets a malloc parameter; called before any other thread exists.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}
