//! Portico's HTTP client over real TLS on 127.0.0.1: a server whose chain
//! reaches a root the system trusts is accepted, any other is refused.
//! The system's roots are read only at the first handshake, so this
//! test process names its own with `SSL_CERT_FILE` before it makes one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::sync::Arc;
use std::time::Duration;

use portico::platform::http::Http;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn authority() -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// Serves one fixed answer over TLS as `localhost`, with a certificate
/// signed by `ca`. Returns the port.
async fn serve(ca: &CertifiedIssuer<'static, KeyPair>) -> u16 {
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .signed_by(&key, ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake ends here, as it should.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = [0u8; 4096];
                let _ = tls.read(&mut request).await;
                let body = "{\"ok\":true}";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

const fn message_of(_: &serde_json::Value) -> Option<String> {
    None
}

#[tokio::test]
async fn a_trusted_chain_is_accepted_and_any_other_refused() {
    let trusted = authority();
    let dir = tempfile::tempdir().unwrap();
    let roots = dir.path().join("roots.pem");
    std::fs::write(&roots, trusted.pem()).unwrap();
    // SAFETY: set before this process's only handshakes, on a test binary
    // that holds this one test.
    unsafe { std::env::set_var("SSL_CERT_FILE", &roots) };

    let good = serve(&trusted).await;
    let base = format!("https://localhost:{good}");
    let http = Http::new(&base, Duration::from_secs(10), message_of).unwrap();
    let answer = http.client().get(http.url("/")).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "{\"ok\":true}");

    let stranger = authority();
    let bad = serve(&stranger).await;
    let base = format!("https://localhost:{bad}");
    let http = Http::new(&base, Duration::from_secs(10), message_of).unwrap();
    let refused = http.client().get(http.url("/")).send().await;
    let err = refused.expect_err("a chain to an unknown root is refused");
    let chain = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    assert!(chain.contains("certificate"), "{chain}");
}
