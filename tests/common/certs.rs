//! TLS fixtures: a test CA made with rcgen and the certificates it signs, and servers on
//! 127.0.0.1:0 that serve every connection (each on its own thread) and report each one
//! through a channel read with a timeout.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tempfile::NamedTempFile;
use time::{Duration as Span, OffsetDateTime};

use super::{LIMIT, ok_101, read_head};

/// A test CA: its certificate (PEM, and written to a file for --cacert) and its signing key.
pub struct Ca {
    pub pem: String,
    pub file: NamedTempFile,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate signed by the test CA and its PKCS#8 key, both PEM.
pub struct Leaf {
    pub cert: String,
    pub key: String,
}

fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}

pub fn new_ca() -> Ca {
    let mut params = CertificateParams::new(Vec::new()).unwrap();
    params.distinguished_name = name("wscheck test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Span::days(30);
    params.not_after = now + Span::days(3650);
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    let file = pem_file(&pem);
    Ca { pem, file, issuer: Issuer::new(params, key) }
}

impl Ca {
    pub fn path(&self) -> &str {
        self.file.path().to_str().unwrap()
    }

    /// A certificate for `names` (DNS names or IP addresses) valid from 30 days ago until `not_after`.
    pub fn leaf(&self, cn: &str, names: &[&str], not_after: OffsetDateTime, usage: ExtendedKeyUsagePurpose) -> Leaf {
        let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name = name(cn);
        params.not_before = OffsetDateTime::now_utc() - Span::days(30);
        params.not_after = not_after;
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap().pem();
        Leaf { cert, key: key.serialize_pem() }
    }

    /// A server certificate for localhost and 127.0.0.1 that expires in `days` days (and 1 hour,
    /// so that the whole days left are exactly `days`).
    pub fn server(&self, days: i64) -> Leaf {
        let not_after = OffsetDateTime::now_utc() + Span::days(days) + Span::hours(1);
        self.leaf("wscheck test server", &["localhost", "127.0.0.1"], not_after, ExtendedKeyUsagePurpose::ServerAuth)
    }
}

pub fn pem_file(pem: &str) -> NamedTempFile {
    let mut f = NamedTempFile::new().unwrap();
    f.write_all(pem.as_bytes()).unwrap();
    f.flush().unwrap();
    f
}

/// Bind 127.0.0.1:0 and hand each accepted connection (with a read timeout) to `handle`
/// on its own thread; what a handler returns is sent on the channel.
pub fn listen<T: Send + 'static>(handle: impl Fn(usize, TcpStream) -> T + Send + Sync + 'static) -> (u16, Receiver<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    let handle = Arc::new(handle);
    thread::spawn(move || {
        for (i, conn) in listener.incoming().enumerate() {
            let Ok(s) = conn else { continue };
            s.set_read_timeout(Some(LIMIT)).unwrap();
            let (tx, handle): (Sender<T>, _) = (tx.clone(), handle.clone());
            thread::spawn(move || {
                let _ = tx.send(handle(i, s));
            });
        }
    });
    (port, rx)
}

/// What a server reported for one connection, waited for at most [`LIMIT`].
pub fn next<T>(rx: &Receiver<T>, what: &str) -> T {
    rx.recv_timeout(LIMIT).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// An HTTP head as text.
pub fn head_of(s: &mut impl Read) -> String {
    String::from_utf8_lossy(&read_head(s)).into_owned()
}

/// The server side of a clean handshake on any stream: read the request, answer a valid
/// 101 (with `extra` header lines), read the client's Close and answer Close 1000.
pub fn accept_ws(s: &mut (impl Read + Write), extra: &str) -> String {
    let head = head_of(s);
    if head.is_empty() {
        return head;
    }
    s.write_all(&ok_101(head.as_bytes(), "Switching Protocols", extra)).unwrap();
    s.flush().unwrap();
    let mut frame = [0u8; 2];
    if s.read_exact(&mut frame).is_ok() {
        let mut rest = vec![0u8; 4 + (frame[1] & 0x7f) as usize];
        let _ = s.read_exact(&mut rest);
        let _ = s.write_all(&[0x88, 0x02, 0x03, 0xe8]);
        let _ = s.flush();
    }
    head
}

/// A wss server with `leaf` (and the CA in its chain). Each connection reports the request
/// head, or the TLS error the server saw.
pub fn tls_server(ca: &Ca, leaf: &Leaf) -> (u16, Receiver<Result<String, String>>) {
    let chain = format!("{}{}", leaf.cert, ca.pem);
    let identity = native_tls::Identity::from_pkcs8(chain.as_bytes(), leaf.key.as_bytes()).unwrap();
    let acceptor = native_tls::TlsAcceptor::new(identity).unwrap();
    listen(move |_, s| match acceptor.accept(s) {
        Ok(mut tls) => Ok(accept_ws(&mut tls, "")),
        Err(e) => Err(e.to_string()),
    })
}

/// What a [`tls_server`] reports when wscheck refuses its certificate: the refused
/// handshake (a TLS error on the server's side), and the second connection wscheck makes
/// to describe the certificate, which completes TLS unverified and sends no request.
pub fn assert_refused_then_looked_at(seen: &Receiver<Result<String, String>>) {
    let mut reports = [next(seen, "the refused handshake"), next(seen, "the look at the certificate")];
    reports.sort_by_key(|r| r.is_ok());
    assert!(reports[0].is_err(), "the first handshake was refused: {reports:?}");
    assert_eq!(reports[1], Ok(String::new()), "no request over the unverified connection: {reports:?}");
}

/// An OpenSSL acceptor builder that serves `cert_pem` with `key_pem` (both PEM); the caller
/// adds what its server needs (a chain, client verification, ALPN) and builds it.
pub fn acceptor_builder(key_pem: &str, cert_pem: &str) -> openssl::ssl::SslAcceptorBuilder {
    use openssl::ssl::{SslAcceptor, SslMethod};
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    b.set_private_key(&openssl::pkey::PKey::private_key_from_pem(key_pem.as_bytes()).unwrap()).unwrap();
    b.set_certificate(&openssl::x509::X509::from_pem(cert_pem.as_bytes()).unwrap()).unwrap();
    b
}

/// A TLS acceptor for `leaf` (its chain including `ca`) that demands a client certificate
/// issued by `ca` (mutual TLS).
pub fn mtls_acceptor(ca: &Ca, leaf: &Leaf) -> openssl::ssl::SslAcceptor {
    use openssl::ssl::SslVerifyMode;
    use openssl::x509::X509;
    let mut b = acceptor_builder(&leaf.key, &leaf.cert);
    let ca_cert = X509::from_pem(ca.pem.as_bytes()).unwrap();
    b.add_extra_chain_cert(ca_cert.clone()).unwrap();
    b.cert_store_mut().add_cert(ca_cert).unwrap();
    b.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    b.build()
}
