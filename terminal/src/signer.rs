//! The till's signing key: an Ed25519 key pair made when the store is
//! created (or when a store made before signatures is first opened), kept
//! as PKCS#8 in `signing.key` in the data directory, readable and writable
//! only by the user who runs the till. It signs every journal entry's hash.

use std::io::Write;
use std::path::Path;

use pos_shared::journal::Hash32;
use pos_shared::signing::Signer;
use ring::signature::{Ed25519KeyPair, KeyPair};

use crate::error::{CoreError, CoreResult};

/// The key file in a data directory.
pub const KEY_FILE: &str = "signing.key";

/// An Ed25519 key held in a file.
pub struct KeyFile {
    pair: Ed25519KeyPair,
}

impl KeyFile {
    /// The key in `dir`, made (and written, owner-only) when there is none.
    pub fn load_or_create(dir: &Path) -> CoreResult<KeyFile> {
        let path = dir.join(KEY_FILE);
        let bad =
            |e: ring::error::KeyRejected| CoreError::Invalid(format!("{}: not a signing key ({e})", path.display()));
        if path.exists() {
            let bytes = std::fs::read(&path)?;
            return Ok(KeyFile { pair: Ed25519KeyPair::from_pkcs8(&bytes).map_err(bad)? });
        }
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .map_err(|_| CoreError::Invalid("no randomness to make a signing key".into()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let temporary = path.with_extension("key.new");
        let mut file = options.open(&temporary)?;
        file.write_all(pkcs8.as_ref())?;
        file.sync_all()?;
        std::fs::rename(&temporary, &path)?;
        Ok(KeyFile { pair: Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(bad)? })
    }
}

impl Signer for KeyFile {
    fn public_key(&self) -> [u8; 32] {
        self.pair.public_key().as_ref().try_into().expect("an Ed25519 public key is 32 bytes")
    }

    fn sign(&self, hash: &Hash32) -> [u8; 64] {
        self.pair.sign(&hash.0).as_ref().try_into().expect("an Ed25519 signature is 64 bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_and_kept_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let made = KeyFile::load_or_create(dir.path()).unwrap();
        let again = KeyFile::load_or_create(dir.path()).unwrap();
        assert_eq!(made.public_key(), again.public_key());
        let hash = Hash32([1; 32]);
        assert!(pos_shared::signing::verify(&made.public_key(), &hash, &again.sign(&hash)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join(KEY_FILE), b"not a key").unwrap();
        assert!(KeyFile::load_or_create(dir.path()).is_err());
    }
}
