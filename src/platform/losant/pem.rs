//! Certificates given to a form, checked here before anything is sent: a
//! file that is not a certificate is reported by name, with no request.
use std::fmt::Write as _;

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::pem::Pem;

use crate::platform::PlatformError;

/// Losant's Post and Patch schemas cap `certificate` and `caBundle` here.
const MAX_PEM: usize = 32767;

/// One parsed certificate, as far as the summary of an upload needs it.
#[derive(Debug, Clone)]
pub struct Summary {
    pub common_name: String,
    /// The whole subject and issuer names, as `openssl x509 -subject` prints them.
    pub subject: String,
    pub issuer: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER, lower-case hex: what Losant's `fingerprint` holds.
    pub sha256: String,
}

/// Certificates ready to upload: the PEM holds only CERTIFICATE blocks.
#[derive(Debug, Clone)]
pub struct Checked {
    pub pem: String,
    pub certs: Vec<Summary>,
}

/// Reads a form value that is either pasted PEM text or a file path, and
/// names where it came from for error messages.
pub async fn read(value: &str) -> Result<(String, Vec<u8>), PlatformError> {
    let value = value.trim();
    if value.starts_with("-----BEGIN") {
        return Ok(("pasted PEM".to_string(), value.as_bytes().to_vec()));
    }
    if value.is_empty() {
        return Err(PlatformError::Invalid(
            "a certificate is required: a PEM file path or pasted PEM text".into(),
        ));
    }
    let path = expand_home(value);
    match tokio::fs::read(&path).await {
        Ok(bytes) => Ok((value.to_string(), bytes)),
        Err(err) => Err(PlatformError::Invalid(format!(
            "cannot read {value}: {err}"
        ))),
    }
}

/// `~/` as the path completion understands it.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// Parses every CERTIFICATE block of `bytes` as X.509. Other blocks are
/// left out of the upload: a private key kept in the same file must
/// never reach the server.
pub fn check(origin: &str, bytes: &[u8]) -> Result<Checked, PlatformError> {
    let invalid = |what: String| PlatformError::Invalid(format!("{origin}: {what}"));
    // 0x30 opens a DER SEQUENCE: a binary certificate, not PEM text.
    if bytes.first() == Some(&0x30) {
        return Err(invalid(
            "binary DER, not PEM; convert it with `openssl x509 -inform der -outform pem`".into(),
        ));
    }
    let text = unix_line_endings(bytes);
    let mut pem = String::new();
    let mut certs = Vec::new();
    for block in Pem::iter_from_buffer(&text) {
        let block = block.map_err(|err| invalid(format!("broken PEM block ({err})")))?;
        if block.label != "CERTIFICATE" {
            continue;
        }
        let n = certs.len() + 1;
        let (_, cert) = x509_parser::parse_x509_certificate(&block.contents).map_err(|err| {
            invalid(format!(
                "certificate {n} is not a valid X.509 certificate ({err})"
            ))
        })?;
        let common_name = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .unwrap_or_default()
            .to_string();
        certs.push(Summary {
            common_name,
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            sha256: Sha256::digest(&block.contents)
                .iter()
                .fold(String::new(), |mut out, b| {
                    let _ = write!(out, "{b:02x}");
                    out
                }),
        });
        pem.push_str(&encode(&block.contents));
    }
    if certs.is_empty() {
        return Err(invalid(
            "no certificate in it (no -----BEGIN CERTIFICATE----- block)".into(),
        ));
    }
    if pem.len() > MAX_PEM {
        return Err(invalid(format!(
            "{} bytes of PEM; Losant takes at most {MAX_PEM}",
            pem.len()
        )));
    }
    Ok(Checked { pem, certs })
}

/// CRLF and lone CR become LF. The PEM reader splits on LF only, and a
/// paste from Windows or from a classic-Mac-style terminal brings CRLF or
/// CR; both are ordinary line endings everywhere else.
fn unix_line_endings(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter().copied().peekable();
    while let Some(b) = iter.next() {
        if b == b'\r' {
            if iter.peek() == Some(&b'\n') {
                iter.next();
            }
            out.push(b'\n');
        } else {
            out.push(b);
        }
    }
    out
}

fn encode(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(cn: &str) -> String {
        let params = rcgen::CertificateParams::new(vec![cn.to_string()]).expect("params");
        let key = rcgen::KeyPair::generate().expect("key");
        params.self_signed(&key).expect("cert").pem()
    }

    #[test]
    fn a_certificate_is_read_and_re_encoded_alone() {
        let key = rcgen::KeyPair::generate().expect("key");
        let text = format!("{}{}", pem("dev-1.example"), key.serialize_pem());
        let checked = check("x.pem", text.as_bytes()).expect("valid");
        assert_eq!(checked.certs.len(), 1);
        assert!(!checked.pem.contains("PRIVATE KEY"));
        let again = check("again", checked.pem.as_bytes()).expect("round trip");
        assert_eq!(again.certs.len(), 1);
    }

    #[test]
    fn crlf_and_cr_line_endings_are_accepted() {
        let key = rcgen::KeyPair::generate().expect("key");
        let lf = format!(
            "{}{}{}",
            pem("a.example"),
            key.serialize_pem(),
            pem("b.example")
        );
        let want = check("lf", lf.as_bytes()).expect("LF");
        assert_eq!(want.certs.len(), 2);
        for (name, ending) in [("crlf", "\r\n"), ("cr", "\r")] {
            let text = lf.replace('\n', ending);
            let got = check(name, text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.pem, want.pem, "{name}");
            assert!(!got.pem.contains('\r'), "{name}");
            assert!(!got.pem.contains("PRIVATE KEY"), "{name}");
            let ends = |c: &Checked| c.certs.iter().map(|s| s.not_after).collect::<Vec<_>>();
            assert_eq!(ends(&got), ends(&want), "{name}");
        }
        // Mixed endings in one paste, as a terminal can produce.
        let mixed = format!(
            "{}{}",
            pem("a.example").replace('\n', "\r"),
            pem("b.example")
        );
        assert_eq!(
            check("mixed", mixed.as_bytes()).expect("mixed").certs.len(),
            2
        );
    }

    #[test]
    fn broken_input_names_the_file() {
        let err = check("notes.txt", b"hello").expect_err("not PEM");
        assert!(
            err.to_string().starts_with("notes.txt: no certificate"),
            "{err}"
        );
        let garbage = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let err = check("bad.pem", garbage).expect_err("not X.509");
        assert!(err.to_string().starts_with("bad.pem: "), "{err}");
        let err = check("c.der", &[0x30, 0x82, 0x01]).expect_err("DER");
        assert!(err.to_string().contains("DER"), "{err}");
    }
}
