//! What the server's certificate says, for the transcript and the findings: subject,
//! issuer, SANs and validity ([`cert_info`]), whether it names the host ([`names_host`]),
//! and the `certificate` and `certificate-name` findings.

/// What the transcript shows of the server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    pub not_before: String,
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
                let value = crate::escape::net(e.data().as_slice());
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
        not_before: cert.not_before().to_string(),
        not_after: cert.not_after().to_string(),
        days_left,
    })
}

#[cfg(any(target_os = "windows", target_vendor = "apple"))]
pub fn cert_info(_der: &[u8]) -> Option<CertInfo> {
    None
}

/// Whether the DER certificate is valid for `host` (a name, or an IP address), by OpenSSL's
/// own rules (SANs, wildcards, the subject CN only when there is no DNS SAN); None where
/// the platform's TLS library cannot say. Used where verification did not check the name
/// (`-k`) or refused the certificate.
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
pub fn names_host(der: &[u8], host: &str) -> Option<bool> {
    use openssl::stack::Stack;
    use openssl::x509::store::X509StoreBuilder;
    use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
    use openssl::x509::{X509, X509StoreContext};
    /// X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH (OpenSSL's x509_vfy.h).
    const MISMATCH: [i32; 2] = [62, 64];
    let cert = X509::from_der(der).ok()?;
    // Verify the certificate against itself as the only trust anchor, ignoring time: what
    // is left to fail is the name.
    let mut param = X509VerifyParam::new().ok()?;
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => param.set_ip(ip).ok()?,
        Err(_) => param.set_host(host).ok()?,
    }
    param.set_flags(X509VerifyFlags::PARTIAL_CHAIN | X509VerifyFlags::NO_CHECK_TIME).ok()?;
    let mut store = X509StoreBuilder::new().ok()?;
    store.add_cert(cert.clone()).ok()?;
    store.set_param(&param).ok()?;
    let store = store.build();
    let chain = Stack::new().ok()?;
    let mut ctx = X509StoreContext::new().ok()?;
    let result = ctx.init(&store, &cert, &chain, |c| c.verify_cert().map(|_| c.error())).ok()?;
    Some(!MISMATCH.contains(&result.as_raw()))
}

#[cfg(any(target_os = "windows", target_vendor = "apple"))]
pub fn names_host(_der: &[u8], _host: &str) -> Option<bool> {
    None
}

/// What a certificate says it is for, for a message: its SANs, or its subject when it has none.
pub fn names_of(info: &CertInfo) -> String {
    if info.sans.is_empty() { format!("no SANs, subject {}", info.subject) } else { info.sans.join(", ") }
}

/// The `certificate-name` finding: whether the certificate is valid for `host`. Verification
/// refuses a mismatch, so it fails only with `-k`, where it is a warning.
pub fn name_finding(info: &CertInfo, host: &str, matches: bool) -> crate::event::Finding {
    use crate::event::{Finding, Level};
    let rfc = "RFC 9110 §4.3.4";
    if matches {
        Finding::pass("certificate-name", Level::Warning, rfc, format!("the certificate is valid for {host}"))
    } else {
        Finding::fail(
            "certificate-name",
            Level::Warning,
            rfc,
            format!("the certificate is not valid for {host}: it is for {} (accepted because of -k)", names_of(info)),
        )
    }
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
    fn expiry_levels() {
        let info = |days| CertInfo {
            subject: String::new(),
            issuer: String::new(),
            sans: vec![],
            not_before: "x".into(),
            not_after: "x".into(),
            days_left: days,
        };
        assert!(!expiry_finding(&info(-1), 14).ok);
        assert!(!expiry_finding(&info(3), 14).ok);
        assert!(expiry_finding(&info(30), 14).ok);
    }
}
