//! X.509 certificates: the PEM of `certs/*.crt` files and the base64 body of a connected app's
//! `certificate` element. We keep subject, issuer, validity and serial — never the body.

use base64::Engine;
use serde::Serialize;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::time::Day;

/// What we keep of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// First valid day (UTC, `YYYY-MM-DD`).
    pub not_before: String,
    /// Last valid day (UTC, `YYYY-MM-DD`).
    pub not_after: String,
    /// Serial number in hex.
    pub serial: String,
    /// Issuer equals subject.
    pub self_signed: bool,
}

/// Parse a certificate given as PEM (with `-----BEGIN CERTIFICATE-----`) or bare base64 DER.
pub fn parse_certificate(text: &str) -> Result<CertInfo, String> {
    let der = decode_body(text)?;
    let (_, cert) =
        X509Certificate::from_der(&der).map_err(|e| format!("not an X.509 certificate: {e}"))?;
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    Ok(CertInfo {
        self_signed: subject == issuer,
        subject,
        issuer,
        not_before: Day::of_unix_seconds(cert.validity().not_before.timestamp()).to_string(),
        not_after: Day::of_unix_seconds(cert.validity().not_after.timestamp()).to_string(),
        serial: cert.raw_serial_as_string(),
    })
}

fn decode_body(text: &str) -> Result<Vec<u8>, String> {
    let body: String = match text.find("-----BEGIN CERTIFICATE-----") {
        Some(start) => {
            let rest = &text[start + "-----BEGIN CERTIFICATE-----".len()..];
            let end = rest
                .find("-----END CERTIFICATE-----")
                .ok_or("PEM has no END line")?;
            rest[..end].chars().filter(|c| !c.is_whitespace()).collect()
        }
        None => text.chars().filter(|c| !c.is_whitespace()).collect(),
    };
    if body.is_empty() {
        return Err("empty certificate".into());
    }
    base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|e| format!("certificate is not valid base64: {e}"))
}

/// Whether a text holds a private key in PEM form.
pub fn contains_private_key(text: &str) -> bool {
    text.contains("PRIVATE KEY-----")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_garbage() {
        assert!(parse_certificate("not base64 !!").is_err());
        assert!(parse_certificate("").is_err());
        assert!(parse_certificate("QUJD").is_err());
    }

    #[test]
    fn private_key_detection() {
        assert!(contains_private_key("-----BEGIN RSA PRIVATE KEY-----\nabc"));
        assert!(!contains_private_key("-----BEGIN CERTIFICATE-----"));
    }
}
