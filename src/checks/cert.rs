//! The server certificate's findings: `certificate` (its expiry) and `certificate-name`
//! (whether it is valid for the host; only `-k` lets a mismatch get this far).

use crate::event::{CertInfo, Check, Finding};

/// The certificate's findings, in the order the transcript shows them: its expiry, then
/// its name where the platform can say whether it is valid for `host`.
pub fn findings(info: &CertInfo, names_host: Option<bool>, host: &str, warn_days: i64) -> Vec<Finding> {
    let mut found = vec![expiry_finding(info, warn_days)];
    if let Some(matches) = names_host {
        found.push(name_finding(info, host, matches));
    }
    found
}

/// The `certificate-name` finding: whether the certificate is valid for `host`. Verification
/// refuses a mismatch, so it fails only with `-k`, where it is a warning.
pub fn name_finding(info: &CertInfo, host: &str, matches: bool) -> Finding {
    if matches {
        Finding::pass(Check::CertificateName, format!("the certificate is valid for {host}"))
    } else {
        Finding::fail(
            Check::CertificateName,
            format!("the certificate is not valid for {host}: it is for {} (accepted because of -k)", info.names()),
        )
    }
}

/// The `certificate` finding: expired, expiring within `warn_days`, or fine.
pub fn expiry_finding(info: &CertInfo, warn_days: i64) -> Finding {
    if info.days_left < 0 {
        Finding::fail(Check::Certificate, format!("the certificate expired on {}", info.not_after))
    } else if info.days_left < warn_days {
        Finding::fail(
            Check::Certificate,
            format!(
                "the certificate expires in {} days ({}), within --cert-warn-days {warn_days}",
                info.days_left, info.not_after
            ),
        )
    } else {
        Finding::pass(
            Check::Certificate,
            format!("the certificate is valid for {} more days ({})", info.days_left, info.not_after),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Level;

    fn info(days_left: i64) -> CertInfo {
        CertInfo {
            subject: "CN=x".into(),
            issuer: String::new(),
            sans: vec![],
            not_before: "x".into(),
            not_after: "Dec 31 00:00:00 2026 GMT".into(),
            days_left,
        }
    }

    #[test]
    fn expiry_levels() {
        assert!(!expiry_finding(&info(-1), 14).ok);
        assert!(!expiry_finding(&info(3), 14).ok);
        assert!(expiry_finding(&info(14), 14).ok, "the limit itself is not within it");
        assert!(expiry_finding(&info(30), 14).ok);
        assert_eq!(expiry_finding(&info(-1), 14).message, "the certificate expired on Dec 31 00:00:00 2026 GMT");
        assert_eq!(
            expiry_finding(&info(3), 14).message,
            "the certificate expires in 3 days (Dec 31 00:00:00 2026 GMT), within --cert-warn-days 14"
        );
    }

    #[test]
    fn the_name_check_is_a_warning_that_names_what_the_certificate_is_for() {
        let ok = name_finding(&info(30), "h", true);
        assert!(ok.ok && ok.level == Level::Ok);
        let bad = name_finding(&info(30), "h", false);
        assert!(!bad.ok && bad.level == Level::Warning);
        assert_eq!(
            bad.message,
            "the certificate is not valid for h: it is for no SANs, subject CN=x (accepted because of -k)"
        );
    }

    #[test]
    fn no_name_finding_where_the_platform_cannot_say() {
        let ids = |n| findings(&info(30), n, "h", 14).iter().map(|f| f.id()).collect::<Vec<_>>();
        assert_eq!(ids(Some(true)), ["certificate", "certificate-name"]);
        assert_eq!(ids(None), ["certificate"]);
    }
}
