//! X.509 certificates: the PEM of `certs/*.crt` files and the base64 body of a connected app's
//! `certificate` element. We keep subject, issuer, validity and serial — never the body.

use base64::Engine;
use serde::Serialize;
use x509_parser::prelude::{FromDer, X509Certificate};

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
        not_before: date_of(cert.validity().not_before.timestamp()),
        not_after: date_of(cert.validity().not_after.timestamp()),
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

/// Unix seconds → `YYYY-MM-DD` (UTC), by the civil-from-days algorithm.
pub fn date_of(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 → (year, month, day). Howard Hinnant's algorithm.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) → days since 1970-01-01. Inverse of [`civil_from_days`].
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` (anything after the date is ignored) → days since 1970-01-01.
pub fn parse_day(text: &str) -> Option<i64> {
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let y = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| days_from_civil(y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_round_trip() {
        for days in [-1000, 0, 11_016, 20_000, 25_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(parse_day("2025-02-05T00:00:00Z"), Some(20_124));
        assert_eq!(parse_day("2025-13-05"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(951_782_400), "2000-02-29");
        assert_eq!(date_of(1_738_713_600), "2025-02-05");
    }

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
