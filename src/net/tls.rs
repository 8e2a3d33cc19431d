//! TLS for wss://: the connector built from `-k`, `--cacert`, `--cert`/`--key`, the files
//! checked before any connection (an encrypted key, a key that is not the certificate's are
//! usage errors), where the system's CA certificates are looked up, and the handshake. What
//! the server's certificate says is in `cert`, failures in words in `tls_failure`.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Deadline;
use super::socket::{Raw, Socket, TAP};
use super::tls_failure;
use crate::exit::{Code, Failure, Phase};
use crate::target::Target;

/// TLS settings from the command line, files already read and checked.
#[derive(Clone, Default)]
pub struct TlsOptions {
    pub insecure: bool,
    pub roots: Vec<native_tls::Certificate>,
    pub identity: Option<native_tls::Identity>,
    pub cert_warn_days: i64,
    /// Offer `h2, http/1.1` by ALPN, as browsers do (`--http2`), instead of `http/1.1` alone.
    pub alpn_h2: bool,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("insecure", &self.insecure)
            .field("roots", &self.roots.len())
            .field("identity", &self.identity.is_some())
            .field("alpn_h2", &self.alpn_h2)
            .finish()
    }
}

impl TlsOptions {
    /// Read `--cacert` and `--cert`/`--key`; a file that cannot be used is a usage error.
    pub fn load(
        insecure: bool,
        cacert: Option<&Path>,
        cert: Option<&Path>,
        key: Option<&Path>,
        cert_warn_days: i64,
    ) -> Result<TlsOptions, Failure> {
        let usage = |m: String| Failure::new(Code::Usage, m);
        let read = |p: &Path, what: &str| {
            std::fs::read(p).map_err(|e| usage(format!("cannot read {what} {}: {e}", p.display())))
        };
        let mut roots = Vec::new();
        if let Some(path) = cacert {
            let pem = read(path, "--cacert")?;
            for block in pem_blocks(&pem, "CERTIFICATE") {
                let c = native_tls::Certificate::from_pem(&block)
                    .map_err(|e| usage(format!("--cacert {}: not a PEM certificate: {e}", path.display())))?;
                roots.push(c);
            }
            if roots.is_empty() {
                return Err(usage(format!("--cacert {}: no PEM certificate in it", path.display())));
            }
        }
        let identity = match (cert, key) {
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => return Err(usage("--cert and --key go together".into())),
            (Some(c), Some(k)) => {
                let cert_pem = read(c, "--cert")?;
                let key_pem = read(k, "--key")?;
                if is_encrypted(&key_pem) {
                    let key = shell_word(&k.display().to_string());
                    return Err(usage(format!(
                        "--key {}: the key is encrypted (a passphrase protects it), and wscheck reads only \
                         unencrypted keys: decrypt a copy with `openssl pkey -in {key} -out {key}.dec` \
                         (it asks for the passphrase; keep the copy private) and give --key {key}.dec",
                        k.display()
                    )));
                }
                let hint = if key_pem.windows(11).any(|w| w == b"RSA PRIVATE" || w == b"EC PRIVATE ") {
                    " (the key must be PKCS#8: convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8`)"
                } else {
                    ""
                };
                let identity = native_tls::Identity::from_pkcs8(&cert_pem, &key_pem)
                    .map_err(|e| usage(format!("--cert/--key: cannot use them as a client identity: {e}{hint}")))?;
                key_matches(&cert_pem, &key_pem).map_err(|why| {
                    usage(format!("--cert {} and --key {} do not belong together: {why}", c.display(), k.display()))
                })?;
                Some(identity)
            }
        };
        Ok(TlsOptions { insecure, roots, identity, cert_warn_days, alpn_h2: false })
    }

    pub fn connector(&self) -> Result<native_tls::TlsConnector, Failure> {
        let mut b = native_tls::TlsConnector::builder();
        b.danger_accept_invalid_certs(self.insecure).danger_accept_invalid_hostnames(self.insecure);
        b.request_alpns(if self.alpn_h2 { &["h2", "http/1.1"] } else { &["http/1.1"] });
        for root in &self.roots {
            b.add_root_certificate(root.clone());
        }
        if let Some(id) = &self.identity {
            b.identity(id.clone());
        }
        b.build().map_err(|e| Failure::new(Code::Tls, format!("could not set up TLS: {e}")))
    }
}

/// Why the TLS handshake failed: verification refused the certificate (OpenSSL's text),
/// or any other failure, already in words.
pub(super) enum Refused {
    Verify(String),
    Other(Failure),
}

/// The TLS handshake with `target` over `tcp`, before `deadline`.
pub(super) fn handshake(
    target: &Target,
    opts: &TlsOptions,
    mut tcp: Socket,
    deadline: Deadline,
) -> Result<native_tls::TlsStream<Socket>, Refused> {
    let connector = opts.connector().map_err(Refused::Other)?;
    let sent = Arc::new(Mutex::new(Vec::new()));
    tcp.tap = Some(sent.clone());
    // The socket outlives a failed handshake through this handle, to read the rest of a
    // plain answer (OpenSSL stops at the first five bytes).
    let spare = tcp.stream.try_clone().ok();
    match connector.connect(&target.host, tcp) {
        Ok(mut s) => {
            s.get_mut().tap = None;
            Ok(s)
        }
        Err(native_tls::HandshakeError::Failure(e)) => {
            if Instant::now() >= deadline.at {
                return Err(Refused::Other(deadline.timed_out(Phase::Tls, "during the TLS handshake")));
            }
            let openssl = e.to_string();
            if tls_failure::is_verify_failure(&openssl) {
                return Err(Refused::Verify(openssl));
            }
            let mut sent = sent.lock().map(|s| s.clone()).unwrap_or_default();
            if let Some(spare) = spare
                && sent.first().is_some_and(|b| !(0x14..=0x17).contains(b))
            {
                read_more(spare, &mut sent, deadline.at);
            }
            Err(Refused::Other(tls_failure::handshake_failed(&target.authority(), &target.host, &openssl, &sent, None)))
        }
        Err(native_tls::HandshakeError::WouldBlock(_)) => {
            Err(Refused::Other(deadline.timed_out(Phase::Tls, "during the TLS handshake")))
        }
    }
}

/// Read on (briefly, within `deadline`) what a server that does not speak TLS answered, up
/// to its first line end or [`TAP`] bytes.
fn read_more(mut stream: Raw, sent: &mut Vec<u8>, deadline: Instant) {
    let until = deadline.min(Instant::now() + Duration::from_millis(500));
    while sent.len() < TAP && !sent.contains(&b'\n') {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        let mut buf = [0u8; TAP];
        match stream.read(&mut buf[..TAP - sent.len()]) {
            Ok(0) | Err(_) => return,
            Ok(n) => sent.extend_from_slice(&buf[..n]),
        }
    }
}

/// Directories where distributions keep CA certificates under OpenSSL's hashed names.
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
const HASHED_ROOT_DIRS: [&str; 4] =
    ["/etc/ssl/certs", "/etc/pki/tls/certs", "/etc/openssl/certs", "/usr/local/share/certs"];

/// The distributions' own CA bundles: each sits beside a hashed directory of the same certificates.
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
const SYSTEM_BUNDLES: [&str; 5] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/lib/ssl/cert.pem",
];

/// Spare OpenSSL from parsing the whole system CA bundle, which native-tls otherwise does
/// (twice) for every connector: with OpenSSL 3 that alone costs tens of milliseconds.
/// With `-k` no root is needed at all. Otherwise, where a directory of hashed certificates
/// exists, OpenSSL looks up just the issuer it needs there — unless `SSL_CERT_FILE` names a
/// bundle of the user's own (then nothing changes) or `SSL_CERT_DIR` names an unhashed one.
///
/// # Safety
/// Sets environment variables: call it while the process has a single thread.
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
pub unsafe fn lazy_roots(insecure: bool) {
    use std::env;
    let dir = if insecure {
        "/dev/null".to_string()
    } else {
        let own_file = env::var("SSL_CERT_FILE").is_ok_and(|f| !SYSTEM_BUNDLES.contains(&f.as_str()));
        if own_file {
            return;
        }
        let dir = match env::var("SSL_CERT_DIR") {
            Ok(d) => Some(d).filter(|d| is_hashed(Path::new(d))),
            Err(_) => HASHED_ROOT_DIRS.into_iter().find(|d| is_hashed(Path::new(d))).map(str::to_string),
        };
        match dir {
            Some(d) => d,
            None => return,
        }
    };
    // SAFETY: the caller guarantees no other thread reads or writes the environment.
    unsafe {
        env::set_var("SSL_CERT_FILE", "/dev/null");
        env::set_var("SSL_CERT_DIR", dir);
    }
}

#[cfg(any(target_os = "windows", target_vendor = "apple"))]
pub unsafe fn lazy_roots(_insecure: bool) {}

/// True when `dir` holds certificates under OpenSSL's hashed names (`3513523f.0`).
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
fn is_hashed(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        matches!(name.split_once('.'), Some((hash, n)) if hash.len() == 8
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// True for a PEM key protected by a passphrase: PKCS#8 `ENCRYPTED PRIVATE KEY`, or a
/// traditional RSA/EC key with `Proc-Type: 4,ENCRYPTED`.
fn is_encrypted(pem: &[u8]) -> bool {
    let has = |needle: &[u8]| pem.windows(needle.len()).any(|w| w == needle);
    has(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") || has(b"Proc-Type: 4,ENCRYPTED")
}

/// `path` as one word for a shell command shown to the user: quoted when it needs to be.
fn shell_word(path: &str) -> String {
    if !path.is_empty() && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-/+=:@,".contains(&b)) {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}

/// Whether the key is the private key of the (first) certificate: OpenSSL would only refuse
/// the pair while setting up the connection, and that is the user's files, not the server.
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
fn key_matches(cert_pem: &[u8], key_pem: &[u8]) -> Result<(), String> {
    use openssl::pkey::PKey;
    use openssl::x509::X509;
    // Both parsed already by native-tls; a failure to re-read them leaves the check to OpenSSL.
    let (Ok(cert), Ok(key)) = (X509::from_pem(cert_pem), PKey::private_key_from_pem(key_pem)) else {
        return Ok(());
    };
    match cert.public_key() {
        Ok(public) if !public.public_eq(&key) => {
            let subject =
                super::cert::cert_info(&cert.to_der().unwrap_or_default()).map(|c| c.subject).unwrap_or_default();
            Err(format!(
                "the key is not the private key of the certificate ({}){}",
                if subject.is_empty() { "its public key differs".into() } else { format!("subject {subject}") },
                if pem_blocks(cert_pem, "CERTIFICATE").len() > 1 {
                    "; in a bundle, the client certificate must come first"
                } else {
                    ""
                }
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(any(target_os = "windows", target_vendor = "apple"))]
fn key_matches(_cert_pem: &[u8], _key_pem: &[u8]) -> Result<(), String> {
    Ok(())
}

/// The PEM blocks of one label in `pem`, each with its BEGIN/END lines.
fn pem_blocks(pem: &[u8], label: &str) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(pem);
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(b) = rest.find(&begin) {
        let Some(e) = rest[b..].find(&end) else { break };
        out.push(rest.as_bytes()[b..b + e + end.len()].to_vec());
        rest = &rest[b + e + end.len()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pem_bundles() {
        let pem = b"junk\n-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n";
        let blocks = pem_blocks(pem, "CERTIFICATE");
        assert_eq!(blocks.len(), 2);
        assert!(blocks[1].starts_with(b"-----BEGIN CERTIFICATE-----\nBBB"));
    }

    #[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
    #[test]
    fn hashed_directories_are_recognised() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), "x").unwrap();
        assert!(!is_hashed(dir.path()));
        std::fs::write(dir.path().join("3513523f.0"), "x").unwrap();
        assert!(is_hashed(dir.path()));
        assert!(!is_hashed(Path::new("/nonexistent")));
    }
}
