//! The TLS settings every client shares, and the system's roots read only
//! when a certificate first needs them.
//!
//! Reading and decoding every root the system trusts costs about five
//! milliseconds of CPU. Done when the clients were built, it sat between
//! the first frame and the first list even for tenants served over plain
//! HTTP, such as the demo's, which never shake hands at all.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// reqwest's own choices (TLS 1.2 and 1.3, HTTP/1.1) with the platform
/// verifier, built once for every client.
pub fn shared() -> Result<rustls::ClientConfig, String> {
    static TLS: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    TLS.get_or_init(|| {
        // reqwest is built without a default crypto provider; ring builds
        // twice as fast as aws-lc. A second install is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot set up TLS: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(SystemRoots::new(provider)))
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(tls)
    })
    .clone()
}

/// The platform verifier, made on the first certificate it is asked
/// about. Until then it knows only the provider's signature schemes,
/// which are all a client hello needs.
#[derive(Debug)]
struct SystemRoots {
    provider: Arc<CryptoProvider>,
    verifier: OnceLock<Result<rustls_platform_verifier::Verifier, String>>,
}

impl SystemRoots {
    const fn new(provider: Arc<CryptoProvider>) -> Self {
        Self {
            provider,
            verifier: OnceLock::new(),
        }
    }

    fn verifier(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        self.verifier
            .get_or_init(|| {
                rustls_platform_verifier::Verifier::new(self.provider.clone())
                    .map_err(|e| format!("cannot read the system's TLS roots: {e}"))
            })
            .as_ref()
            .map_err(|e| rustls::Error::General(e.clone()))
    }
}

impl ServerCertVerifier for SystemRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // What the platform verifier answers too: the provider's schemes.
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roots_wait_for_a_certificate() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = SystemRoots::new(provider.clone());
        assert_eq!(
            roots.supported_verify_schemes(),
            provider
                .signature_verification_algorithms
                .supported_schemes()
        );
        assert!(roots.verifier.get().is_none(), "not read for a hello");
        // A certificate that is not one is refused, by the real verifier.
        let refused = roots.verify_server_cert(
            &CertificateDer::from(vec![0u8; 8]),
            &[],
            &ServerName::try_from("example.com").expect("name"),
            &[],
            UnixTime::now(),
        );
        assert!(refused.is_err());
        assert!(roots.verifier.get().is_some(), "read for a certificate");
    }
}
