//! `IDataProtector`: ASP.NET Core's payload format over the key ring.
//!
//! ```text
//! magic header 09 F0 C9 F0 | key id (16, .NET Guid layout) | encryptor output
//! ```
//!
//! The payload names its key, so any instance unprotects with any key of the shared ring.
//! The purposes are not in the payload: they are bound into the key derivation through the
//! additional authenticated data, so a payload only opens under the same purpose chain.

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::crypto::{
    additional_authenticated_data, CbcHmacEncryptor, DecryptError, MAGIC_HEADER_V0, SIGNATURE_SIZE,
};
use super::key::KeyId;
use super::manager::KeyRingManager;
use super::KeyRingError;

const HEADER_SIZE: usize = 4 + 16;

/// Protects and unprotects under one chain of purposes.
#[derive(Clone)]
pub struct DataProtector {
    manager: KeyRingManager,
    purposes: Arc<[String]>,
}

impl fmt::Debug for DataProtector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataProtector")
            .field("purposes", &self.purposes)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProtectError {
    #[error("cannot protect: {0}")]
    KeyRing(#[from] KeyRingError),
}

/// Why a payload did not unprotect. Each cause has its own variant and message.
#[derive(Debug, thiserror::Error)]
pub enum UnprotectError {
    /// Not a data-protection payload at all (too short, wrong magic header, bad encoding).
    #[error("the payload is not a data-protection payload: {0}")]
    Malformed(&'static str),

    /// The payload names a key this ring does not have (even after a reload).
    #[error("the key {0} was not found in the key ring")]
    UnknownKey(KeyId),

    /// The key exists but has been revoked.
    #[error("the key {0} has been revoked")]
    RevokedKey(KeyId),

    /// The key exists but this crate cannot use it (e.g. an algorithm it does not implement).
    #[error("the key {id} cannot be used: {reason}")]
    UnusableKey { id: KeyId, reason: String },

    /// The authentication tag does not match. In ASP.NET Core's format the purposes are bound
    /// into the subkeys, not written into the payload, so an altered payload and a payload
    /// protected under other purposes fail the same check and cannot be told apart.
    #[error(
        "the payload was altered, or was protected for other purposes (its authentication tag \
         does not match under the purposes {purposes:?})"
    )]
    Invalid { purposes: Vec<String> },

    #[error("cannot unprotect: {0}")]
    KeyRing(#[from] KeyRingError),
}

impl DataProtector {
    pub(crate) fn new(manager: KeyRingManager, purposes: Vec<String>) -> DataProtector {
        DataProtector {
            manager,
            purposes: purposes.into(),
        }
    }

    pub fn purposes(&self) -> &[String] {
        &self.purposes
    }

    pub fn manager(&self) -> &KeyRingManager {
        &self.manager
    }

    /// A child protector: this chain plus `purpose`, as `CreateProtector` on a protector.
    pub fn create_protector(&self, purpose: impl Into<String>) -> DataProtector {
        let mut purposes = self.purposes.to_vec();
        purposes.push(purpose.into());
        DataProtector::new(self.manager.clone(), purposes)
    }

    /// The default key's id (in payload layout) and encryptor.
    async fn default_key(&self) -> Result<([u8; 16], Arc<CbcHmacEncryptor>), ProtectError> {
        let ring = self.manager.key_ring().await?;
        let key = ring.default_key();
        // The manager only makes usable keys the default.
        let encryptor = key
            .encryptor
            .clone()
            .map_err(|reason| KeyRingError::UnusableNewKey(key.id(), reason))?;
        Ok((key.id().to_dotnet_bytes(), encryptor))
    }

    /// The encryptor of the key a payload or tag names, if it may be used.
    async fn key_named(&self, id_bytes: [u8; 16]) -> Result<Arc<CbcHmacEncryptor>, UnprotectError> {
        let id = KeyId::from_dotnet_bytes(id_bytes);
        let mut ring = self.manager.key_ring().await?;
        if ring.key(id).is_none() {
            // Possibly a key another instance made moments ago.
            ring = self.manager.refresh_for_unknown_key().await?;
        }
        let key = ring.key(id).ok_or(UnprotectError::UnknownKey(id))?;
        if key.is_revoked() {
            return Err(UnprotectError::RevokedKey(id));
        }
        key.encryptor
            .clone()
            .map_err(|reason| UnprotectError::UnusableKey { id, reason })
    }

    fn invalid(&self) -> UnprotectError {
        UnprotectError::Invalid {
            purposes: self.purposes.to_vec(),
        }
    }

    /// Encrypts and authenticates `plaintext` under the ring's default key.
    pub async fn protect(&self, plaintext: &[u8]) -> Result<Vec<u8>, ProtectError> {
        let (key_id, encryptor) = self.default_key().await?;
        let aad = additional_authenticated_data(&key_id, &self.purposes);
        let body = encryptor.encrypt(plaintext, &aad);
        let mut payload = Vec::with_capacity(HEADER_SIZE + body.len());
        payload.extend_from_slice(&MAGIC_HEADER_V0.to_be_bytes());
        payload.extend_from_slice(&key_id);
        payload.extend_from_slice(&body);
        Ok(payload)
    }

    /// Checks and decrypts a payload protected (by any instance, .NET or Rust) with any
    /// non-revoked key of the ring under the same purposes.
    pub async fn unprotect(&self, payload: &[u8]) -> Result<Vec<u8>, UnprotectError> {
        if payload.len() < HEADER_SIZE {
            return Err(UnprotectError::Malformed(
                "it is shorter than the 20-byte header",
            ));
        }
        if payload[..4] != MAGIC_HEADER_V0.to_be_bytes() {
            return Err(UnprotectError::Malformed(
                "its magic header is not 09F0C9F0 (not an ASP.NET Core Data Protection payload)",
            ));
        }
        let id_bytes = key_id_at(payload, 4);
        let encryptor = self.key_named(id_bytes).await?;
        let aad = additional_authenticated_data(&id_bytes, &self.purposes);
        encryptor
            .decrypt(&payload[HEADER_SIZE..], &aad)
            .map_err(|e| match e {
                DecryptError::Malformed => {
                    UnprotectError::Malformed("its body is too short or not whole cipher blocks")
                }
                DecryptError::Authentication => self.invalid(),
            })
    }

    /// A tag for `data` that keeps it readable but unforgeable: the default key's id
    /// (16 bytes) and an HMAC-SHA256 with a subkey bound to this protector's purposes.
    pub async fn sign(&self, data: &[u8]) -> Result<Vec<u8>, ProtectError> {
        let (key_id, encryptor) = self.default_key().await?;
        let aad = additional_authenticated_data(&key_id, &self.purposes);
        Ok([&key_id[..], &encryptor.sign(&aad, data)].concat())
    }

    /// Checks a tag from [`DataProtector::sign`], made by any non-revoked key of the ring.
    pub async fn verify(&self, data: &[u8], tag: &[u8]) -> Result<(), UnprotectError> {
        if tag.len() != 16 + SIGNATURE_SIZE {
            return Err(UnprotectError::Malformed(
                "the signature has the wrong length",
            ));
        }
        let id_bytes = key_id_at(tag, 0);
        let encryptor = self.key_named(id_bytes).await?;
        let aad = additional_authenticated_data(&id_bytes, &self.purposes);
        if encryptor.verify_signature(&aad, data, &tag[16..]) {
            Ok(())
        } else {
            Err(self.invalid())
        }
    }

    /// `Protect(string)` of .NET's `DataProtectionCommonExtensions`: UTF-8 in, base64url
    /// without padding out.
    pub async fn protect_str(&self, plaintext: &str) -> Result<String, ProtectError> {
        Ok(URL_SAFE_NO_PAD.encode(self.protect(plaintext.as_bytes()).await?))
    }

    /// `Unprotect(string)`: the inverse of [`DataProtector::protect_str`].
    pub async fn unprotect_str(&self, protected: &str) -> Result<String, UnprotectError> {
        let payload = URL_SAFE_NO_PAD
            .decode(protected.trim_end_matches('='))
            .map_err(|_| UnprotectError::Malformed("it is not base64url"))?;
        String::from_utf8(self.unprotect(&payload).await?)
            .map_err(|_| UnprotectError::Malformed("its plaintext is not UTF-8"))
    }
}

fn key_id_at(bytes: &[u8], offset: usize) -> [u8; 16] {
    let mut id = [0u8; 16];
    id.copy_from_slice(&bytes[offset..offset + 16]);
    id
}
