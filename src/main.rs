//! The `wscheck` binary: everything lives in the library; this only sets the exit code.

fn main() -> std::process::ExitCode {
    one_malloc_arena();
    wscheck::main()
}

/// glibc gives each new thread a malloc arena of its own (a 64 MB reservation, trimmed, and the
/// page faults of a fresh heap), which a short run pays for its signal thread alone (issue 16,
/// bench/README.md). wscheck's threads allocate little: they share the main arena.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena() {
    // SAFETY: mallopt only sets a malloc parameter; called before any other thread exists.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}
