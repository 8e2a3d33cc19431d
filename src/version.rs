//! What `wscheck -V` and `--version` say: the version, and the libraries a bug report needs
//! (the TLS library above all, since its words appear in TLS errors).

/// `wscheck 0.1.0 (OpenSSL 3.0.17 1 Jul 2025)`, without the leading name (clap adds it).
pub fn short() -> &'static str {
    leak(format!("{} ({})", env!("CARGO_PKG_VERSION"), tls_library()))
}

/// The version and every library that shapes what wscheck sends and how it reads the answer.
pub fn long() -> &'static str {
    leak(format!("{}\nTLS: {} (through native-tls)", env!("CARGO_PKG_VERSION"), tls_library()))
}

/// clap keeps a `&'static str`; this is said once per run.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
fn tls_library() -> &'static str {
    openssl::version::version()
}

#[cfg(target_os = "windows")]
fn tls_library() -> &'static str {
    "SChannel"
}

#[cfg(target_vendor = "apple")]
fn tls_library() -> &'static str {
    "Secure Transport"
}
