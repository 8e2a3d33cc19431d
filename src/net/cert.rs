//! What the server's certificate says, for the transcript and the checks: subject,
//! issuer, SANs and validity ([`cert_info`]), and whether it names the host
//! ([`names_host`]). The findings about it are `checks::cert`'s.

use crate::event::CertInfo;

/// The server's certificate as read, and whether it is valid for the host name (None where
/// the platform cannot say).
#[derive(Debug, Clone)]
pub struct PeerCert {
    pub info: CertInfo,
    pub names_host: Option<bool>,
}

/// Read a DER certificate presented for `host` (None where the platform cannot).
pub fn peer_cert(der: &[u8], host: &str) -> Option<PeerCert> {
    Some(PeerCert { info: cert_info(der)?, names_host: names_host(der, host) })
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
