//! A TLS certificate's SHA-256 fingerprint, as head office prints it and a
//! terminal pins it: 32 bytes written as colon-separated hex pairs
//! (`AB:12:...`), read back with or without the colons, in either case.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of a certificate in DER form.
    pub fn of_der(der: &[u8]) -> Fingerprint {
        Fingerprint(Sha256::digest(der).into())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&pairs.join(":"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fingerprint “{0}” must be the certificate's SHA-256: 64 hex digits, colons allowed")]
pub struct FingerprintError(pub String);

impl FromStr for Fingerprint {
    type Err = FingerprintError;

    fn from_str(text: &str) -> Result<Fingerprint, FingerprintError> {
        let bad = || FingerprintError(crate::entry_rules::excerpt(text));
        let digits: String = text.trim().chars().filter(|c| *c != ':').collect();
        let bytes = hex::decode(&digits).map_err(|_| bad())?;
        Ok(Fingerprint(bytes.try_into().map_err(|_| bad())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_hex_pairs_and_reads_back_either_way() {
        let print = Fingerprint::of_der(b"certificate");
        let text = print.to_string();
        assert_eq!(text.len(), 32 * 3 - 1);
        assert_eq!(text.parse::<Fingerprint>().unwrap(), print);
        assert_eq!(text.replace(':', "").to_lowercase().parse::<Fingerprint>().unwrap(), print);
        for wrong in ["", "AB:CD", &text[3..], &format!("G{}", &text[1..])] {
            assert!(wrong.parse::<Fingerprint>().is_err(), "{wrong}");
        }
    }
}
