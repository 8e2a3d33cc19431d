//! TLS for wss://: the connector built from `-k`, `--cacert`, `--cert`/`--key`, and what
//! the server's certificate says (subject, issuer, SANs, expiry) for the transcript.

use std::path::Path;

use crate::exit::{Code, Failure};

/// TLS settings from the command line, files already read and checked.
#[derive(Clone, Default)]
pub struct TlsOptions {
    pub insecure: bool,
    pub roots: Vec<native_tls::Certificate>,
    pub identity: Option<native_tls::Identity>,
    pub cert_warn_days: i64,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("insecure", &self.insecure)
            .field("roots", &self.roots.len())
            .field("identity", &self.identity.is_some())
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
                let hint = if key_pem.windows(11).any(|w| w == b"RSA PRIVATE" || w == b"EC PRIVATE ") {
                    " (the key must be PKCS#8: convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8`)"
                } else {
                    ""
                };
                Some(
                    native_tls::Identity::from_pkcs8(&cert_pem, &key_pem)
                        .map_err(|e| usage(format!("--cert/--key: cannot use them as a client identity: {e}{hint}")))?,
                )
            }
        };
        Ok(TlsOptions { insecure, roots, identity, cert_warn_days })
    }

    pub fn connector(&self) -> Result<native_tls::TlsConnector, Failure> {
        let mut b = native_tls::TlsConnector::builder();
        b.danger_accept_invalid_certs(self.insecure).danger_accept_invalid_hostnames(self.insecure);
        b.request_alpns(&["http/1.1"]);
        for root in &self.roots {
            b.add_root_certificate(root.clone());
        }
        if let Some(id) = &self.identity {
            b.identity(id.clone());
        }
        b.build().map_err(|e| Failure::new(Code::Tls, format!("could not set up TLS: {e}")))
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

/// Under TLS 1.3 the server checks a client certificate after the client's side of the
/// handshake is done, so its refusal (a TLS alert) only shows when the request is written
/// or the answer read: as an alert, or as a reset with the alert still unread behind it.
/// Turn such a failure of the HTTP exchange into the TLS failure (exit 4) it is.
pub fn alert_after_handshake<S: std::io::Read + std::io::Write>(
    stream: &mut native_tls::TlsStream<S>,
    failure: Failure,
    authority: &str,
) -> Failure {
    use std::io::Read;
    if failure.code != Code::NoSwitch {
        return failure;
    }
    // OpenSSL's words from `error:` on, without what the exchange wrapped them in.
    let from_error =
        |t: &str| t.find("error:").map_or(t, |i| &t[i..]).trim_end_matches(" before the server answered").to_string();
    let mut text = from_error(&failure.message);
    if !text.contains("alert") {
        if !(text.contains("connection reset") || text.contains("Broken pipe")) {
            return failure;
        }
        match stream.read(&mut [0u8; 1]) {
            Err(e) if e.to_string().contains("alert") => text = from_error(&e.to_string()),
            _ => return failure,
        }
    }
    let hint = if text.contains("certificate required") {
        " — the server requires a client certificate (--cert and --key)"
    } else if ["unknown ca", "bad certificate", "certificate unknown", "unsupported certificate"]
        .iter()
        .any(|a| text.contains(a))
    {
        " — the server did not accept the client certificate (--cert)"
    } else {
        ""
    };
    Failure::new(Code::Tls, format!("the TLS session with {authority} was refused after the handshake: {text}{hint}"))
}

/// What the transcript shows of the server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    pub not_after: String,
    /// Whole days until it expires; negative when it has.
    pub days_left: i64,
}

/// Read the details of a DER certificate (where the platform's TLS library can).
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
pub fn cert_info(der: &[u8]) -> Option<CertInfo> {
    use openssl::asn1::Asn1Time;
    use openssl::x509::{X509, X509NameRef};
    let cert = X509::from_der(der).ok()?;
    let name = |n: &X509NameRef| -> String {
        n.entries()
            .map(|e| {
                let key = e.object().nid().short_name().unwrap_or("?");
                let value = String::from_utf8_lossy(e.data().as_slice()).into_owned();
                format!("{key}={value}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let sans = cert
        .subject_alt_names()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| {
                    n.dnsname().map(|d| format!("DNS:{d}")).or_else(|| {
                        n.ipaddress().and_then(|ip| match ip.len() {
                            4 => Some(format!("IP:{}", std::net::Ipv4Addr::from(<[u8; 4]>::try_from(ip).ok()?))),
                            16 => Some(format!("IP:{}", std::net::Ipv6Addr::from(<[u8; 16]>::try_from(ip).ok()?))),
                            _ => None,
                        })
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let now = Asn1Time::days_from_now(0).ok()?;
    let diff = now.diff(cert.not_after()).ok()?;
    let days_left = if diff.days == 0 && diff.secs < 0 { -1 } else { i64::from(diff.days) };
    Some(CertInfo {
        subject: name(cert.subject_name()),
        issuer: name(cert.issuer_name()),
        sans,
        not_after: cert.not_after().to_string(),
        days_left,
    })
}

#[cfg(any(target_os = "windows", target_vendor = "apple"))]
pub fn cert_info(_der: &[u8]) -> Option<CertInfo> {
    None
}

/// The `certificate` finding: expired, expiring within `warn_days`, or fine.
pub fn expiry_finding(info: &CertInfo, warn_days: i64) -> crate::event::Finding {
    use crate::event::{Finding, Level};
    let rfc = "RFC 5280 §4.1.2.5";
    if info.days_left < 0 {
        Finding::fail("certificate", Level::Warning, rfc, format!("the certificate expired on {}", info.not_after))
    } else if info.days_left < warn_days {
        Finding::fail(
            "certificate",
            Level::Warning,
            rfc,
            format!(
                "the certificate expires in {} days ({}), within --cert-warn-days {warn_days}",
                info.days_left, info.not_after
            ),
        )
    } else {
        Finding::pass(
            "certificate",
            Level::Warning,
            rfc,
            format!("the certificate is valid for {} more days ({})", info.days_left, info.not_after),
        )
    }
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

    #[test]
    fn expiry_levels() {
        let info = |days| CertInfo {
            subject: String::new(),
            issuer: String::new(),
            sans: vec![],
            not_after: "x".into(),
            days_left: days,
        };
        assert!(!expiry_finding(&info(-1), 14).ok);
        assert!(!expiry_finding(&info(3), 14).ok);
        assert!(expiry_finding(&info(30), 14).ok);
    }
}
