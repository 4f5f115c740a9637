//! The fallback when no keyring answers: each secret is sealed with
//! XChaCha20-Poly1305 under a random 256-bit key kept in its own owner-only
//! file next to the store. The record's id is bound in as associated data,
//! so a sealed value cannot be moved to another record.
//!
//! What this protects against, and what it does not, is set out in the
//! README: it keeps the values out of the record files themselves (a copied
//! or attached record, a search of the data dir, a backup of the store
//! alone), not from anyone who can read the key file too.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use zeroize::Zeroizing;

use super::{files, perms};

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// The key file's place: a sibling of the store directory.
#[derive(Debug, Clone)]
pub struct Sealer {
    key_path: PathBuf,
}

/// A sealed value as a record holds it.
pub struct Sealed {
    pub nonce: String,
    pub ciphertext: String,
}

impl Sealer {
    pub fn new(key_path: impl Into<PathBuf>) -> Self {
        Self {
            key_path: key_path.into(),
        }
    }

    pub fn key_path(&self) -> &Path {
        &self.key_path
    }

    pub fn seal(&self, id: &str, secret: &str) -> std::io::Result<Sealed> {
        let cipher = self.cipher(true)?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| std::io::Error::other("the secret could not be sealed"))?;
        Ok(Sealed {
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ciphertext),
        })
    }

    pub fn open(&self, id: &str, sealed: &Sealed) -> std::io::Result<Zeroizing<String>> {
        let bad = |what: &str| {
            std::io::Error::other(format!(
                "the sealed secret {what} (was {} replaced or the record edited?)",
                self.key_path.display()
            ))
        };
        let nonce = B64
            .decode(&sealed.nonce)
            .ok()
            .and_then(|n| XNonce::try_from(n.as_slice()).ok())
            .ok_or_else(|| bad("has a malformed nonce"))?;
        let ciphertext = B64
            .decode(&sealed.ciphertext)
            .map_err(|_| bad("is not base64"))?;
        let cipher = self.cipher(false)?;
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    &nonce,
                    Payload {
                        msg: &ciphertext,
                        aad: id.as_bytes(),
                    },
                )
                .map_err(|_| bad("does not open with the store key"))?,
        );
        String::from_utf8(plain.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| bad("is not text"))
    }

    /// The store key, made on first use when `create` allows.
    fn cipher(&self, create: bool) -> std::io::Result<XChaCha20Poly1305> {
        perms::private_file(&self.key_path).map_err(std::io::Error::other)?;
        let key = match std::fs::read(&self.key_path) {
            Ok(key) => Zeroizing::new(key),
            Err(err) if create && err.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = self.key_path.parent() {
                    files::create_private_dir(dir)?;
                }
                let mut fresh = Zeroizing::new(vec![0u8; KEY_LEN]);
                rand::rng().fill_bytes(&mut fresh);
                match files::write_atomic(&self.key_path, &fresh, false) {
                    Ok(()) => fresh,
                    // Another Portico made it first: use that one.
                    Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                        Zeroizing::new(std::fs::read(&self.key_path)?)
                    }
                    Err(err) => return Err(err),
                }
            }
            Err(err) => {
                return Err(std::io::Error::new(
                    err.kind(),
                    format!("the store key {}: {err}", self.key_path.display()),
                ));
            }
        };
        XChaCha20Poly1305::new_from_slice(&key).map_err(|_| {
            std::io::Error::other(format!(
                "the store key {} is not {KEY_LEN} bytes",
                self.key_path.display()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_under_an_owner_only_key_and_binds_the_record_id() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sealer = Sealer::new(dir.path().join("store.key"));
        let sealed = sealer.seal("rec-1", "s3cr3t-value").expect("sealed");
        assert!(!sealed.ciphertext.contains("s3cr3t"));
        assert_eq!(
            sealer.open("rec-1", &sealed).expect("opened").as_str(),
            "s3cr3t-value"
        );
        assert!(sealer.open("rec-2", &sealed).is_err(), "bound to its id");
        let again = sealer.seal("rec-1", "s3cr3t-value").expect("sealed");
        assert_ne!(again.nonce, sealed.nonce, "a fresh nonce each time");
        let key = std::fs::read(sealer.key_path()).expect("key");
        assert_eq!(key.len(), KEY_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(sealer.key_path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(sealer.key_path(), std::fs::Permissions::from_mode(0o644))
                .expect("chmod");
            let err = sealer.open("rec-1", &sealed).expect_err("refused");
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
        let other = Sealer::new(dir.path().join("other.key"));
        let err = other.open("rec-1", &sealed).expect_err("no key, no secret");
        assert!(!err.to_string().contains("s3cr3t"));
    }
}
