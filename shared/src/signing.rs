//! Entry signatures: each journal entry's hash is signed with its
//! terminal's Ed25519 key, so only that till could have made it. The till
//! holds a [`Signer`] (a key file today; a hardware security module, such as
//! Germany's TSE, can take its place); anyone with the public key checks a
//! signature, head office on every push.

use crate::journal::Hash32;

/// What signs a terminal's journal entries.
pub trait Signer {
    /// The Ed25519 public key its signatures verify with.
    fn public_key(&self) -> [u8; 32];
    /// The signature of an entry's hash.
    fn sign(&self, hash: &Hash32) -> [u8; 64];
}

/// Whether `signature` is `public_key`'s signature of `hash`.
pub fn verify(public_key: &[u8], hash: &Hash32, signature: &[u8]) -> bool {
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key).verify(&hash.0, signature).is_ok()
}

/// A public key as sent at enrollment: 64 hex characters.
pub fn public_key_from_hex(text: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(text.trim()).map_err(|e| format!("public key “{text}”: {e}"))?;
    bytes.try_into().map_err(|_| format!("public key “{text}” must be 32 bytes (64 hex characters)"))
}

/// A signature as a receipt prints it: its first 8 hex characters.
pub fn short(signature: &[u8]) -> String {
    hex::encode(signature.get(..4).unwrap_or(signature))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    #[test]
    fn a_signature_verifies_with_its_key_only() {
        let rng = ring::rand::SystemRandom::new();
        let pair = |rng| Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(rng).unwrap().as_ref()).unwrap();
        let (mine, other) = (pair(&rng), pair(&rng));
        let hash = Hash32([7; 32]);
        let signature = mine.sign(&hash.0);
        assert!(verify(mine.public_key().as_ref(), &hash, signature.as_ref()));
        assert!(!verify(other.public_key().as_ref(), &hash, signature.as_ref()), "another key");
        assert!(!verify(mine.public_key().as_ref(), &Hash32([8; 32]), signature.as_ref()), "another hash");
        assert!(!verify(mine.public_key().as_ref(), &hash, &signature.as_ref()[..63]), "cut short");
        let hex_key = hex::encode(mine.public_key().as_ref());
        assert_eq!(public_key_from_hex(&hex_key).unwrap()[..], *mine.public_key().as_ref());
        assert!(public_key_from_hex("abcd").unwrap_err().contains("32 bytes"));
        assert_eq!(short(signature.as_ref()).len(), 8);
    }
}
