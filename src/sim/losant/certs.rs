//! Derives Losant's `certificateInfo` / `caInfo` objects from PEM text with a
//! real X.509 parse.
//!
//! Choices where Losant's docs are silent:
//! - `fingerprint` is the SHA-256 of the DER, lowercase hex without
//!   separators (what `openssl x509 -fingerprint -sha256` prints, minus
//!   the colons, lowercased).
//! - `serialNumber` is the serial's big-endian bytes in uppercase hex
//!   without separators or sign padding, as `openssl x509 -serial` prints.
//! - `commonName` is the subject's first CN (empty when there is none);
//!   `issuerName` is the issuer's first CN, or the whole issuer DN when the
//!   issuer has no CN.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use x509_parser::pem::Pem;
use x509_parser::x509::X509Name;

use super::format::{hex, iso, truncate_ms};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub serial_number: String,
    pub fingerprint: String,
    pub common_name: String,
    pub issuer_name: String,
    pub not_valid_before: String,
    pub not_valid_after: String,
}

impl CertInfo {
    pub fn to_json(&self) -> Value {
        json!({
            "serialNumber": self.serial_number,
            "fingerprint": self.fingerprint,
            "commonName": self.common_name,
            "issuerName": self.issuer_name,
            "notValidBefore": self.not_valid_before,
            "notValidAfter": self.not_valid_after,
        })
    }
}

/// Every `CERTIFICATE` block in `pem`, parsed. Fails with a message fit for
/// a validation error when there is none or one does not parse.
pub fn parse_bundle(pem: &str) -> Result<Vec<CertInfo>, String> {
    let mut out = Vec::new();
    for block in Pem::iter_from_buffer(pem.as_bytes()) {
        let block = block.map_err(|err| format!("invalid PEM block: {err}"))?;
        if block.label != "CERTIFICATE" {
            continue;
        }
        out.push(info_from_der(&block.contents)?);
    }
    if out.is_empty() {
        return Err("no PEM encoded certificate found".to_string());
    }
    Ok(out)
}

/// The first certificate in `pem`, the one a device presents.
pub fn parse_single(pem: &str) -> Result<CertInfo, String> {
    parse_bundle(pem)?
        .into_iter()
        .next()
        .ok_or_else(|| "no PEM encoded certificate found".to_string())
}

fn info_from_der(der: &[u8]) -> Result<CertInfo, String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|err| format!("certificate does not parse as X.509: {err}"))?;
    let serial = cert.raw_serial();
    let first = serial
        .iter()
        .position(|b| *b != 0)
        .unwrap_or_else(|| serial.len().saturating_sub(1));
    let serial_number = hex(&serial[first..]).to_uppercase();
    let validity = cert.validity();
    Ok(CertInfo {
        serial_number: if serial_number.is_empty() {
            "00".to_string()
        } else {
            serial_number
        },
        fingerprint: hex(&Sha256::digest(der)),
        common_name: first_cn(cert.subject()).unwrap_or_default(),
        issuer_name: first_cn(cert.issuer()).unwrap_or_else(|| cert.issuer().to_string()),
        not_valid_before: iso(truncate_ms(validity.not_before.to_datetime())),
        not_valid_after: iso(truncate_ms(validity.not_after.to_datetime())),
    })
}

fn first_cn(name: &X509Name<'_>) -> Option<String> {
    name.iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_rejected() {
        assert!(parse_single("not a certificate at all, just some words").is_err());
        let fake = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(parse_single(fake).is_err());
    }

    #[test]
    fn generated_certificate_is_read_back() {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(vec![]).expect("params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "unit.example");
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x00, 0xab, 0x01]));
        let cert = params.self_signed(&key).expect("cert");
        let info = parse_single(&cert.pem()).expect("parse");
        assert_eq!(info.common_name, "unit.example");
        assert_eq!(info.issuer_name, "unit.example");
        assert_eq!(info.serial_number, "AB01");
        assert_eq!(info.fingerprint, hex(&Sha256::digest(cert.der())));
    }
}
