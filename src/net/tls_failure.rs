//! TLS failures in words. A failed handshake is described by what is known, in this order:
//! the certificate the server presented (when verification refused it), what the server
//! sent instead of TLS (a plain HTTP answer, nothing at all), the alert it sent; OpenSSL's
//! own text comes last, in parentheses, for the record and for searching.

use std::io::{self, Read};

use super::Stream;
use super::cert::PeerCert;
use super::wording::{alert_words, named_alert_words, tls_alert};
use crate::exit::{Cause, Code, Failure};

/// True when OpenSSL refused the server's certificate (as opposed to the handshake failing).
pub fn is_verify_failure(openssl: &str) -> bool {
    openssl.contains("certificate verify failed")
}

/// The exit-4 failure for a TLS handshake with `authority` (for `host`) that OpenSSL ended
/// with `openssl`; `sent` is what the server sent during the handshake (its first bytes),
/// `presented` the certificate when verification refused one.
pub fn handshake_failed(
    authority: &str,
    host: &str,
    openssl: &str,
    sent: &[u8],
    presented: Option<&PeerCert>,
) -> Failure {
    let words = if is_verify_failure(openssl) {
        Some(refused_certificate(host, openssl, presented))
    } else {
        not_tls(sent, openssl).or_else(|| alert_words(openssl))
    };
    let message = match words {
        Some(w) => format!("TLS handshake with {authority} failed: {w} (OpenSSL: {openssl})"),
        None => format!("TLS handshake with {authority} failed: {openssl}"),
    };
    Failure::new(Code::Tls, message)
}

/// Why the certificate was refused, from OpenSSL's verify result (in parentheses at the end
/// of its text) and from the certificate itself, then what the certificate says.
fn refused_certificate(host: &str, openssl: &str, presented: Option<&PeerCert>) -> String {
    let verdict = openssl.rsplit_once('(').map_or("", |(_, v)| v.trim_end_matches(')'));
    let info = presented.map(|p| &p.info);
    let mismatch = verdict.contains("mismatch") || presented.is_some_and(|p| p.names_host == Some(false));
    let expired = verdict.contains("has expired") || info.is_some_and(|i| i.days_left < 0);
    let mut why = Vec::new();
    if mismatch {
        why.push(match info {
            Some(i) => format!("the certificate is not valid for {host}: it is for {}", i.names()),
            None => format!("the certificate is not valid for {host}"),
        });
    }
    if expired {
        why.push(match info {
            Some(i) => format!("the certificate expired on {}", i.not_after),
            None => "the certificate has expired".into(),
        });
    }
    if verdict.contains("not yet valid") {
        why.push(match info {
            Some(i) => format!("the certificate is not valid before {}", i.not_before),
            None => "the certificate is not valid yet".into(),
        });
    }
    let untrusted = ["self-signed", "self signed", "issuer", "unable to get", "untrusted"];
    if untrusted.iter().any(|u| verdict.contains(u)) {
        let whose = if verdict.contains("self") && !verdict.contains("chain") {
            "the certificate is self-signed and not trusted".to_string()
        } else {
            match info {
                Some(i) => format!("the certificate's issuer ({}) is not trusted", i.issuer),
                None => "the certificate's issuer is not trusted".into(),
            }
        };
        why.push(format!("{whose} — --cacert FILE to trust it, -k to skip the check"));
    }
    if why.is_empty() {
        why.push(format!("the server's certificate was refused ({verdict})"));
    }
    let mut out = why.join("; and ");
    if let Some(i) = info {
        out.push_str(&format!("; the server's certificate: subject {}, issuer {}, ", i.subject, i.issuer));
        if !i.sans.is_empty() {
            out.push_str(&format!("SANs {}, ", i.sans.join(", ")));
        }
        out.push_str(&format!("valid from {} until {}", i.not_before, i.not_after));
    }
    out
}

/// When the server answered the ClientHello with something that is not TLS, or with
/// nothing: this port does not speak TLS.
fn not_tls(sent: &[u8], openssl: &str) -> Option<String> {
    const TRY: &str = "this port does not speak TLS — try ws:// instead of wss://";
    // A TLS record starts with its content type: change_cipher_spec, alert, handshake, data.
    match sent.first() {
        Some(0x14..=0x17) => None,
        Some(_) if sent.starts_with(b"HTTP/") => {
            let line = sent.split(|&b| b == b'\r' || b == b'\n').next().unwrap_or_default();
            Some(format!("the server answered in plain HTTP (\"{}\"): {TRY}", crate::escape::net(line)))
        }
        Some(_) => Some(format!(
            "the server answered with bytes that are not TLS (\"{}\"): {TRY}",
            crate::http1::preview(sent)
        )),
        None if openssl.contains("unexpected eof") || openssl.contains("unexpected EOF") => Some(
            "the server closed the connection during the TLS handshake without answering — if this port speaks \
             plain HTTP, try ws:// instead of wss://"
                .into(),
        ),
        // Not seen (another platform): OpenSSL's words for a record that is not TLS.
        None if ["wrong version number", "packet length too long", "record layer failure"]
            .iter()
            .any(|t| openssl.contains(t)) =>
        {
            Some(format!("the server's answer is not TLS: {TRY}"))
        }
        None => None,
    }
}

/// Under TLS 1.3 the server checks a client certificate after the client's side of the
/// handshake is done, so its refusal (a TLS alert) only shows when the request is written
/// or the answer read: as an alert, or as a reset with the alert still unread behind it.
/// Turn such a failure of the HTTP exchange into the TLS failure (exit 4) it is, from the
/// TLS library's error that the failure carries (`Cause::Io`).
pub fn alert_after_handshake(stream: &mut Stream, failure: Failure, authority: &str) -> Failure {
    let Some(tls) = stream.tls_mut() else { return failure };
    let Cause::Io(e) = &failure.cause else { return failure };
    if failure.code != Code::NoSwitch {
        return failure;
    }
    let found = match tls_alert(e) {
        Some(alert) => Some((alert, e.to_string())),
        None if matches!(e.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe) => {
            // Whatever is read, only an error says more.
            let later = tls.read(&mut [0u8; 1]).err();
            later.and_then(|later| tls_alert(&later).map(|alert| (alert, later.to_string())))
        }
        None => None,
    };
    let Some((alert, openssl)) = found else { return failure };
    refused_after_handshake(&alert, &openssl, authority)
}

/// The TLS failure (exit 4) an I/O error after the handshake is, when it carries a TLS alert
/// (as the HTTP/2 exchange reports one).
pub fn alert_in(e: &io::Error, authority: &str) -> Option<Failure> {
    tls_alert(e).map(|alert| refused_after_handshake(&alert, &e.to_string(), authority))
}

fn refused_after_handshake(alert: &super::wording::Alert, openssl: &str, authority: &str) -> Failure {
    Failure::because(
        Code::Tls,
        Cause::TlsAlert(alert.number),
        format!(
            "the TLS session with {authority} was refused after the handshake: {} (OpenSSL: {openssl})",
            named_alert_words(&alert.name)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::CertInfo;

    const VERIFY: &str = "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:";

    fn info(days_left: i64) -> CertInfo {
        CertInfo {
            subject: "CN=other".into(),
            issuer: "CN=ca".into(),
            sans: vec!["DNS:other.example".into()],
            not_before: "Jan  1 00:00:00 2026 GMT".into(),
            not_after: "Dec 31 00:00:00 2026 GMT".into(),
            days_left,
        }
    }

    #[test]
    fn words_lead_and_openssl_comes_last() {
        let p = PeerCert { info: info(30), names_host: Some(false) };
        let f = handshake_failed("h:1", "h", &format!("{VERIFY} (hostname mismatch)"), &[], Some(&p));
        assert_eq!(f.code, Code::Tls);
        assert_eq!(
            f.message,
            format!(
                "TLS handshake with h:1 failed: the certificate is not valid for h: it is for DNS:other.example; \
                 the server's certificate: subject CN=other, issuer CN=ca, SANs DNS:other.example, valid from Jan  1 00:00:00 \
                 2026 GMT until Dec 31 00:00:00 2026 GMT (OpenSSL: {VERIFY} (hostname mismatch))"
            )
        );
    }

    #[test]
    fn an_expired_and_mismatched_certificate_says_both() {
        let p = PeerCert { info: info(-2), names_host: Some(false) };
        let f = handshake_failed("h:1", "h", &format!("{VERIFY} (certificate has expired)"), &[], Some(&p));
        assert!(
            f.message.contains("not valid for h: it is for DNS:other.example; and the certificate expired on Dec 31")
        );
    }

    #[test]
    fn what_the_server_sent_instead_of_tls() {
        let openssl = "error:0A00010B:SSL routines:ssl3_get_record:wrong version number";
        let http = handshake_failed("h:1", "h", openssl, b"HTTP/1.1 400 Bad Request\r\n\r\n", None);
        assert!(http.message.starts_with(
            "TLS handshake with h:1 failed: the server answered in plain HTTP (\"HTTP/1.1 400 Bad Request\"): \
             this port does not speak TLS — try ws:// instead of wss:// (OpenSSL: error:0A00010B"
        ));
        let eof = handshake_failed("h:1", "h", "unexpected eof while reading", &[], None);
        assert!(eof.message.contains("closed the connection during the TLS handshake without answering"));
        let alert =
            handshake_failed("h:1", "h", "error:0A000410:SSL routines::sslv3 alert handshake failure:x", &[0x15], None);
        assert!(alert.message.contains("the server sent the TLS alert \"handshake failure\""), "{}", alert.message);
    }

    /// A TLS 1.3 server that requires a client certificate, and a client connected to it
    /// without one: the client's handshake is done, the server's refusal (the alert
    /// `certificate required`) waits in the stream. The server holds the connection until
    /// the returned sender is dropped.
    #[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
    fn refused_after_the_handshake() -> (Stream, std::sync::mpsc::Sender<()>) {
        use openssl::ssl::{SslAcceptor, SslMethod, SslVerifyMode};
        use std::net::{TcpListener, TcpStream};
        let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let mut acceptor = SslAcceptor::mozilla_modern_v5(SslMethod::tls()).unwrap();
        let key = openssl::pkey::PKey::private_key_from_pem(ck.signing_key.serialize_pem().as_bytes()).unwrap();
        acceptor.set_private_key(&key).unwrap();
        acceptor.set_certificate(&openssl::x509::X509::from_pem(ck.cert.pem().as_bytes()).unwrap()).unwrap();
        acceptor.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
        let acceptor = acceptor.build();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (hold, held) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            let refused = acceptor.accept(tcp);
            assert!(refused.is_err(), "the server accepted a client without a certificate");
            let _ = held.recv();
        });
        let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut connector = native_tls::TlsConnector::builder();
        connector.danger_accept_invalid_certs(true);
        let tls =
            connector.build().unwrap().connect("localhost", super::super::socket::Socket::new(tcp, deadline)).unwrap();
        (Stream::Tls(Box::new(tls)), hold)
    }

    #[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
    #[test]
    fn an_alert_after_the_handshake_is_told_from_the_tls_librarys_error() {
        use std::io::Write;
        let (mut stream, _hold) = refused_after_the_handshake();
        stream.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        let read = crate::http1::read_head(&mut stream, "--connect-timeout").unwrap_err();
        assert_eq!(read.code, Code::NoSwitch, "{}", read.message);
        let f = alert_after_handshake(&mut stream, read, "localhost:1");
        assert_eq!(f.code, Code::Tls, "{}", f.message);
        assert!(matches!(f.cause, Cause::TlsAlert(116)), "{:?}", f.cause);
        assert!(
            f.message.starts_with(
                "the TLS session with localhost:1 was refused after the handshake: the server sent the TLS alert \
                 \"certificate required\": it requires a client certificate (--cert and --key) (OpenSSL: error:"
            ),
            "{}",
            f.message
        );
        assert!(f.message.ends_with("SSL alert number 116)"), "{}", f.message);
    }

    #[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
    #[test]
    fn a_reset_with_the_alert_behind_it_is_the_alert() {
        let (mut stream, _hold) = refused_after_the_handshake();
        let reset = std::io::Error::from(io::ErrorKind::ConnectionReset);
        let f =
            Failure::because(Code::NoSwitch, Cause::Io(reset), "could not send the request: connection reset by peer");
        let f = alert_after_handshake(&mut stream, f, "localhost:1");
        assert!(matches!(f.cause, Cause::TlsAlert(116)), "{:?}: {}", f.cause, f.message);
        assert!(f.message.contains("the server sent the TLS alert \"certificate required\""), "{}", f.message);
    }

    #[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
    #[test]
    fn words_about_an_alert_are_not_an_alert() {
        // What a server that is not HTTP sent, decrypted: its message names a TLS alert, but
        // no TLS alert ended the session.
        let (mut stream, _hold) = refused_after_the_handshake();
        let message = "the server's answer is not HTTP (a TLS alert: this port speaks TLS, try wss://): \"\\x15\\x03\"";
        let f = alert_after_handshake(&mut stream, Failure::new(Code::NoSwitch, message), "localhost:1");
        assert_eq!((f.code, f.message.as_str()), (Code::NoSwitch, message));
        let reset = || Cause::Io(std::io::Error::from(io::ErrorKind::ConnectionReset));
        let f = Failure::because(Code::Timeout, reset(), "timed out");
        assert_eq!(alert_after_handshake(&mut stream, f, "h:1").code, Code::Timeout, "only a failed exchange");
    }
}
