//! A data-protection key ring compatible with ASP.NET Core, so that a Rust service and a
//! .NET service (or several instances of either) share keys and read each other's
//! protected payloads and cookies.
//!
//! - [`XmlRepository`]: where the key elements live, shared by every instance
//!   ([`DynamoDbXmlRepository`], [`SsmXmlRepository`], [`FileSystemXmlRepository`]).
//! - [`KeyRingManager`]: ASP.NET Core's key management rules (lifetimes, propagation,
//!   default key, rollover, revocation) over a repository, with a cached ring.
//! - [`DataProtector`]: `Protect` / `Unprotect` in ASP.NET Core's payload format.
//! - [`ProtectedCookieLayer`]: session cookies for tower-sessions protected by the ring.

mod cookies;
mod crypto;
mod key;
mod manager;
mod protector;
mod repository;
mod xml;

pub use cookies::{CookieProtection, ProtectedCookieLayer, ProtectedCookieService};
pub use crypto::{EncryptionAlgorithm, ValidationAlgorithm};
pub use key::{Algorithms, Key, KeyId, DESERIALIZER_TYPE};
pub use manager::{KeyRing, KeyRingManager, KeyRingManagerBuilder};
pub use protector::{DataProtector, ProtectError, UnprotectError};
pub use repository::{
    Chooser, DeletableElement, DynamoDbXmlRepository, DynamoDbXmlRepositoryBuilder,
    FileSystemXmlRepository, RepositoryError, RetryPolicy, SsmOptions, SsmXmlRepository,
    TierStorageMode, XmlRepository,
};
pub use xml::{XmlElement, XmlError, XmlNode};

/// Why the key ring could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum KeyRingError {
    #[error("key repository: {0}")]
    Repository(#[from] RepositoryError),

    /// Two key elements with one id: a repository returned an element twice, or two keys
    /// collided. ASP.NET Core refuses such a ring too.
    #[error("the key ring holds two keys with id {0}")]
    DuplicateKey(KeyId),

    /// A revocation that cannot be read is fatal: ignoring it could keep a revoked key in use.
    #[error("a revocation element cannot be read: {0}")]
    InvalidRevocation(String),

    /// No usable key, and automatic key generation is off.
    #[error("the key ring has no usable default key and automatic key generation is disabled")]
    NoDefaultKey,

    /// The key just created could not be used (its element was refused).
    #[error("the key {0} was created but cannot be used: {1}")]
    UnusableNewKey(KeyId, String),
}

/// Random bytes from the operating system.
///
/// # Panics
/// If the operating system has no random source: no key could ever be made safely.
pub(crate) fn random_bytes(buffer: &mut [u8]) {
    getrandom::fill(buffer).expect("the operating system's random source failed");
}

/// A uniformly random number in [0, 1), for jitter.
pub(crate) fn random_fraction() -> f64 {
    let mut bytes = [0u8; 8];
    random_bytes(&mut bytes);
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}
