//! SecureString values at rest: AES-256-GCM under a key drawn when the emulator starts.
//!
//! The emulator never keeps a SecureString's plaintext: it stores `nonce || ciphertext`,
//! and a read without `WithDecryption` returns that blob base64-encoded, as real SSM returns
//! KMS ciphertext. A fresh nonce per write makes every version's blob different, as KMS does.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;

use super::error::{Result, SsmError};

const NONCE_LEN: usize = 12;

/// A value as it is stored: plain for String/StringList, sealed for SecureString.
#[derive(Clone, PartialEq, Eq)]
pub enum StoredValue {
    Plain(String),
    Sealed(Vec<u8>),
}

/// Never prints a sealed value's bytes, nor (by construction) any plaintext of it.
impl std::fmt::Debug for StoredValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoredValue::Plain(v) => f.debug_tuple("Plain").field(v).finish(),
            StoredValue::Sealed(b) => write!(f, "Sealed({} bytes)", b.len()),
        }
    }
}

pub struct Sealer {
    cipher: Aes256Gcm,
}

impl Sealer {
    /// A sealer with a random key. Without an OS random source the emulator cannot keep
    /// SecureStrings safe, so that is an error rather than a weak fallback.
    pub fn new() -> Result<Self> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| SsmError::Internal(e.to_string()))?;
        Ok(Sealer {
            cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(key)),
        })
    }

    pub fn seal(&self, plaintext: &str) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| SsmError::Internal(e.to_string()))?;
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), plaintext.as_bytes())
            .map_err(|_| SsmError::Internal("encryption failed".to_owned()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn open(&self, blob: &[u8]) -> Result<String> {
        let broken = || SsmError::Internal("stored ciphertext cannot be decrypted".to_owned());
        if blob.len() < NONCE_LEN {
            return Err(broken());
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| broken())?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), sealed)
            .map_err(|_| broken())?;
        String::from_utf8(plain).map_err(|_| broken())
    }

    /// The value a reader sees: plaintext when decrypting, else the opaque base64 blob.
    pub fn reveal(&self, value: &StoredValue, decrypt: bool) -> Result<String> {
        match value {
            StoredValue::Plain(v) => Ok(v.clone()),
            StoredValue::Sealed(blob) if decrypt => self.open(blob),
            StoredValue::Sealed(blob) => Ok(base64::engine::general_purpose::STANDARD.encode(blob)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_differently_each_time_and_opens() {
        let s = Sealer::new().unwrap();
        let a = s.seal("cookie-key").unwrap();
        let b = s.seal("cookie-key").unwrap();
        assert_ne!(a, b);
        assert_eq!(s.open(&a).unwrap(), "cookie-key");
        assert!(!String::from_utf8_lossy(&a).contains("cookie-key"));
        assert!(s.open(&a[..5]).is_err());
        let hidden = s.reveal(&StoredValue::Sealed(a), false).unwrap();
        assert!(!hidden.contains("cookie-key"));
        assert_eq!(format!("{:?}", StoredValue::Sealed(b)), "Sealed(38 bytes)");
    }
}
