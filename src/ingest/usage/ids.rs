//! Salesforce record ids: 15 → 18 character normalisation (reference §18).
//!
//! 15-char ids are case-sensitive; the 18-char form adds a checksum suffix that encodes the
//! case of the first 15, so ids can be compared after normalisation whatever tool lower-cased them.

const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Normalise a 15- or 18-char id into `buf`; `None` when `raw` is not an id.
///
/// Works without allocating (it is on the hot path); see [`normalize_id`] for an owned result.
pub fn normalize_into<'a>(raw: &str, buf: &'a mut [u8; 18]) -> Option<&'a str> {
    let raw = raw.trim().as_bytes();
    if !(raw.len() == 15 || raw.len() == 18) || !raw.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    buf[..raw.len()].copy_from_slice(raw);
    if raw.len() == 18 {
        // The suffix is authoritative for the case of the first 15 characters.
        for block in 0..3 {
            let c = buf[15 + block].to_ascii_uppercase();
            let bits = SUFFIX.iter().position(|&s| s == c)?;
            for i in 0..5 {
                let ch = &mut buf[block * 5 + i];
                if bits & (1 << i) != 0 {
                    *ch = ch.to_ascii_uppercase();
                } else {
                    *ch = ch.to_ascii_lowercase();
                }
            }
            buf[15 + block] = c;
        }
    } else {
        for block in 0..3 {
            let mut bits = 0usize;
            for i in 0..5 {
                if buf[block * 5 + i].is_ascii_uppercase() {
                    bits |= 1 << i;
                }
            }
            buf[15 + block] = SUFFIX[bits];
        }
    }
    std::str::from_utf8(&buf[..]).ok()
}

/// The 18-char form of a 15- or 18-char id, or `None` when `raw` is not an id.
pub fn normalize_id(raw: &str) -> Option<String> {
    let mut buf = [0u8; 18];
    normalize_into(raw, &mut buf).map(str::to_string)
}

/// Does this look like a record id (15 or 18 alphanumerics)?
pub fn is_id(raw: &str) -> bool {
    let mut buf = [0u8; 18];
    normalize_into(raw, &mut buf).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_to_eighteen() {
        assert_eq!(
            normalize_id("0H4RM00000000Kr").as_deref(),
            Some("0H4RM00000000Kr0AI")
        );
        assert_eq!(
            normalize_id("005000000000001").as_deref(),
            Some("005000000000001AAA")
        );
    }

    #[test]
    fn eighteen_is_stable_and_restores_case() {
        assert_eq!(
            normalize_id("0H4RM00000000Kr0AI").as_deref(),
            Some("0H4RM00000000Kr0AI")
        );
        // Lower-cased by some tool: the suffix tells the case back.
        assert_eq!(
            normalize_id("0h4rm00000000kr0ai").as_deref(),
            Some("0H4RM00000000Kr0AI")
        );
    }

    #[test]
    fn rejects_non_ids() {
        assert!(normalize_id("").is_none());
        assert!(normalize_id("N/A").is_none());
        assert!(normalize_id("0H4RM00000000K").is_none());
        assert!(normalize_id("0H4RM00000000Kr0A!").is_none());
    }
}
