//! ASP.NET Core's key management over an [`XmlRepository`]: which key protects new payloads,
//! when the next key is made, and how long a loaded ring is trusted.
//!
//! The rules (from `DefaultKeyResolver` and `KeyRingProvider`):
//! - New keys live 90 days by default (at least 7). A key is expected to have reached every
//!   instance 2 days after its creation (the propagation window); instances' clocks may
//!   differ by 5 minutes.
//! - Default key: the most recently activated key among those activated by now + 5 minutes
//!   (ties by id). If that key is revoked, expired or unusable there is no default key.
//!   (ASP.NET Core 9 previews preferred keys old enough to have propagated; that was
//!   reverted before release, dotnet/aspnetcore#57186, so released versions use this rule.)
//! - A new key is made when there is no default key (active at once), or when the default key
//!   expires within one refresh period plus the propagation window and no key will take over
//!   then (the new key activates when the default key expires). Its lifetime counts from now.
//! - The ring is cached until the default key expires or a refresh period (24 hours less up
//!   to 20% jitter, so a fleet does not refresh at once) has passed. A refresh that fails
//!   keeps the old ring for 2 more minutes and reports the error.
//!
//! Several instances may create keys at the same moment: every repository keeps all of
//! them, every instance can unprotect with every one of them (an unknown key id triggers a
//! rate-limited reload), and all instances resolve the same default key once they see the
//! same ring.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::key::{self, Algorithms, Key, KeyId};
use super::protector::DataProtector;
use super::repository::XmlRepository;
use super::KeyRingError;
use crate::clock::{Clock, SystemClock};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// ASP.NET Core's `NewKeyLifetime` default.
pub const DEFAULT_KEY_LIFETIME: Duration = Duration::from_secs(90 * 24 * 60 * 60);
/// The shortest lifetime ASP.NET Core accepts.
pub const MIN_KEY_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);
pub const KEY_PROPAGATION_WINDOW: Duration = Duration::from_secs(2 * 24 * 60 * 60);
pub const MAX_SERVER_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);
pub const KEY_RING_REFRESH_PERIOD: Duration = DAY;
/// How long a ring whose refresh failed is still used before the next attempt.
const FAILED_REFRESH_GRACE: Duration = Duration::from_secs(2 * 60);

/// The keys of the repository at one moment, and the key that protects new payloads.
pub struct KeyRing {
    default_key: Arc<Key>,
    keys: HashMap<KeyId, Arc<Key>>,
}

impl KeyRing {
    pub fn default_key(&self) -> &Arc<Key> {
        &self.default_key
    }

    pub fn key(&self, id: KeyId) -> Option<&Arc<Key>> {
        self.keys.get(&id)
    }

    pub fn keys(&self) -> impl Iterator<Item = &Arc<Key>> {
        self.keys.values()
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("default_key", &self.default_key.id())
            .field("keys", &self.keys.len())
            .finish()
    }
}

struct Cached {
    ring: Arc<KeyRing>,
    expires: SystemTime,
}

struct Inner {
    repository: Arc<dyn XmlRepository>,
    clock: Arc<dyn Clock>,
    new_key_lifetime: Duration,
    auto_generate_keys: bool,
    algorithms: Algorithms,
    unknown_key_refresh_interval: Duration,
    /// The ring in use. Held only to copy the `Arc` in or out, never across an await.
    cache: Mutex<Option<Cached>>,
    /// One reload at a time per instance; the others keep using the cached ring.
    reload: tokio::sync::Mutex<()>,
    /// When an unknown key id last caused a reload (on the manager's clock).
    last_unknown_key_reload: Mutex<Option<SystemTime>>,
}

/// The key ring of one application instance. Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct KeyRingManager {
    inner: Arc<Inner>,
}

impl fmt::Debug for KeyRingManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRingManager")
            .field("new_key_lifetime", &self.inner.new_key_lifetime)
            .field("auto_generate_keys", &self.inner.auto_generate_keys)
            .field("algorithms", &self.inner.algorithms)
            .finish_non_exhaustive()
    }
}

/// Configures a [`KeyRingManager`].
pub struct KeyRingManagerBuilder {
    repository: Arc<dyn XmlRepository>,
    clock: Arc<dyn Clock>,
    new_key_lifetime: Duration,
    auto_generate_keys: bool,
    algorithms: Algorithms,
    unknown_key_refresh_interval: Duration,
}

impl KeyRingManagerBuilder {
    /// The clock that decides activation, expiry and refreshes; tests pass the emulator's.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Lifetime of new keys; at least 7 days (shorter values are raised to 7 days, with a
    /// warning, where .NET throws).
    pub fn new_key_lifetime(mut self, lifetime: Duration) -> Self {
        if lifetime < MIN_KEY_LIFETIME {
            tracing::warn!(?lifetime, "key lifetime below 7 days; using 7 days");
        }
        self.new_key_lifetime = lifetime.max(MIN_KEY_LIFETIME);
        self
    }

    /// With `false`, keys must be made by someone else (another instance, an operator).
    pub fn auto_generate_keys(mut self, generate: bool) -> Self {
        self.auto_generate_keys = generate;
        self
    }

    pub fn algorithms(mut self, algorithms: Algorithms) -> Self {
        self.algorithms = algorithms;
        self
    }

    /// The least time between two reloads caused by payloads naming an unknown key (default
    /// one minute). Keys made by other instances in the last moments appear through these
    /// reloads; the bound keeps forged key ids from turning into repository traffic.
    pub fn unknown_key_refresh_interval(mut self, interval: Duration) -> Self {
        self.unknown_key_refresh_interval = interval;
        self
    }

    pub fn build(self) -> KeyRingManager {
        KeyRingManager {
            inner: Arc::new(Inner {
                repository: self.repository,
                clock: self.clock,
                new_key_lifetime: self.new_key_lifetime,
                auto_generate_keys: self.auto_generate_keys,
                algorithms: self.algorithms,
                unknown_key_refresh_interval: self.unknown_key_refresh_interval,
                cache: Mutex::new(None),
                reload: tokio::sync::Mutex::new(()),
                last_unknown_key_reload: Mutex::new(None),
            }),
        }
    }
}

/// The outcome of default-key resolution.
struct Resolution {
    default_key: Option<Arc<Key>>,
    fallback_key: Option<Arc<Key>>,
}

/// `DefaultKeyResolver.FindDefaultKey`.
fn resolve_default_key(now: SystemTime, keys: &[Arc<Key>]) -> Resolution {
    let cutoff = now.checked_sub(KEY_PROPAGATION_WINDOW).unwrap_or(now);
    let preferred = keys
        .iter()
        .filter(|k| k.activation <= now + MAX_SERVER_CLOCK_SKEW)
        .min_by_key(|k| (std::cmp::Reverse(k.activation), k.dotnet_order()));
    if let Some(key) = preferred {
        if !key.revoked && !key.is_expired(now) && key.encryptor.is_ok() {
            return Resolution {
                default_key: Some(key.clone()),
                fallback_key: None,
            };
        }
        tracing::debug!(key = %key.id, "preferred default key is revoked, expired or unusable");
    }
    let unrevoked = || keys.iter().filter(|k| !k.revoked && k.encryptor.is_ok());
    let mut old: Vec<&Arc<Key>> = unrevoked()
        .filter(|k| k.creation <= cutoff)
        .filter(|k| !preferred.is_some_and(|p| Arc::ptr_eq(p, k)))
        .collect();
    old.sort_by_key(|k| std::cmp::Reverse(k.creation));
    let mut young: Vec<&Arc<Key>> = unrevoked().filter(|k| k.creation > cutoff).collect();
    young.sort_by_key(|k| k.creation);
    Resolution {
        default_key: None,
        fallback_key: old.into_iter().chain(young).next().cloned(),
    }
}

impl KeyRingManager {
    pub fn builder(repository: impl XmlRepository) -> KeyRingManagerBuilder {
        Self::builder_shared(Arc::new(repository))
    }

    pub fn builder_shared(repository: Arc<dyn XmlRepository>) -> KeyRingManagerBuilder {
        KeyRingManagerBuilder {
            repository,
            clock: Arc::new(SystemClock),
            new_key_lifetime: DEFAULT_KEY_LIFETIME,
            auto_generate_keys: true,
            algorithms: Algorithms::default(),
            unknown_key_refresh_interval: Duration::from_secs(60),
        }
    }

    pub fn repository(&self) -> &Arc<dyn XmlRepository> {
        &self.inner.repository
    }

    pub fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }

    /// A protector for `purpose`; chain more purposes with [`DataProtector::create_protector`].
    /// ASP.NET Core's root provider adds the application name as the first purpose
    /// (`SetApplicationName`), so a protector compatible with a .NET app usually starts there.
    pub fn create_protector(&self, purpose: impl Into<String>) -> DataProtector {
        DataProtector::new(self.clone(), vec![purpose.into()])
    }

    /// The current ring: the cached one while it is valid, else a fresh one (which may
    /// create a key).
    pub async fn key_ring(&self) -> Result<Arc<KeyRing>, KeyRingError> {
        if let Some(ring) = self.cached(self.now()) {
            return Ok(ring);
        }
        let _reload = self.inner.reload.lock().await;
        // Someone else may have reloaded while this task waited.
        if let Some(ring) = self.cached(self.now()) {
            return Ok(ring);
        }
        self.reload().await
    }

    /// Reloads the ring now, whatever the cache says.
    pub async fn refresh(&self) -> Result<Arc<KeyRing>, KeyRingError> {
        let _reload = self.inner.reload.lock().await;
        self.reload().await
    }

    /// A reload because a payload named a key this ring lacks; at most one per
    /// `unknown_key_refresh_interval`, otherwise the current ring.
    pub(crate) async fn refresh_for_unknown_key(&self) -> Result<Arc<KeyRing>, KeyRingError> {
        let now = self.now();
        let due = {
            let mut last = lock(&self.inner.last_unknown_key_reload);
            let due = last.is_none_or(|t| {
                now.duration_since(t).unwrap_or_default() >= self.inner.unknown_key_refresh_interval
            });
            if due {
                *last = Some(now);
            }
            due
        };
        if due {
            self.refresh().await
        } else {
            self.key_ring().await
        }
    }

    fn cached(&self, now: SystemTime) -> Option<Arc<KeyRing>> {
        lock(&self.inner.cache)
            .as_ref()
            .filter(|c| now < c.expires)
            .map(|c| c.ring.clone())
    }

    /// Drops the cached ring, as the .NET key manager's cache token does after a change.
    fn invalidate(&self) {
        lock(&self.inner.cache).take();
    }

    /// Called with `reload` held.
    async fn reload(&self) -> Result<Arc<KeyRing>, KeyRingError> {
        let now = self.now();
        match self.build_ring(now).await {
            Ok((ring, expires)) => {
                let ring = Arc::new(ring);
                *lock(&self.inner.cache) = Some(Cached {
                    ring: ring.clone(),
                    expires,
                });
                Ok(ring)
            }
            Err(error) => {
                let mut cache = lock(&self.inner.cache);
                if let Some(cached) = cache.as_mut() {
                    tracing::error!(%error, "refreshing the key ring failed; the previous ring stays in use for 2 minutes");
                    cached.expires = now + FAILED_REFRESH_GRACE;
                } else {
                    tracing::error!(%error, "reading the key ring failed");
                }
                Err(error)
            }
        }
    }

    /// Every key of the repository, revocations applied.
    pub async fn all_keys(&self) -> Result<Vec<Arc<Key>>, KeyRingError> {
        let elements = self.inner.repository.get_all_elements().await?;
        Ok(key::process_elements(&elements)?
            .into_iter()
            .map(Arc::new)
            .collect())
    }

    /// `KeyRingProvider.CreateCacheableKeyRingCore`: the ring and when it stops being valid.
    async fn build_ring(&self, now: SystemTime) -> Result<(KeyRing, SystemTime), KeyRingError> {
        let keys = self.all_keys().await?;
        let resolution = resolve_default_key(now, &keys);
        let generate = match &resolution.default_key {
            None => true,
            Some(default) => {
                let horizon = now + KEY_RING_REFRESH_PERIOD + KEY_PROPAGATION_WINDOW;
                default.expiration < horizon
                    && resolve_default_key(default.expiration, &keys)
                        .default_key
                        .is_none_or(|next| next.expiration < horizon)
            }
        };
        if !generate {
            let default = resolution
                .default_key
                .expect("a default key when none is needed");
            return Ok(finish(now, default, keys));
        }
        if !self.inner.auto_generate_keys {
            let key = resolution
                .default_key
                .or(resolution.fallback_key)
                .ok_or(KeyRingError::NoDefaultKey)?;
            tracing::warn!(key = %key.id, "a new key is due but generation is off; using the best key there is");
            return Ok(finish(now, key, keys));
        }
        let activation = resolution
            .default_key
            .as_ref()
            .map_or(now, |d| d.expiration);
        let added = self
            .store_new_key(now, activation, now + self.inner.new_key_lifetime)
            .await?;
        // Read again: other instances may have added keys at the same moment, and the
        // resolver decides among all of them.
        let keys = self.all_keys().await?;
        let resolution = resolve_default_key(now, &keys);
        let key = resolution
            .default_key
            .or(resolution.fallback_key)
            .or_else(|| keys.iter().find(|k| k.id == added.id).cloned())
            .unwrap_or(added);
        if key.revoked {
            return Err(KeyRingError::UnusableNewKey(key.id, "it is revoked".into()));
        }
        if let Err(reason) = &key.encryptor {
            return Err(KeyRingError::UnusableNewKey(key.id, reason.clone()));
        }
        Ok(finish(now, key, keys))
    }

    async fn store_new_key(
        &self,
        creation: SystemTime,
        activation: SystemTime,
        expiration: SystemTime,
    ) -> Result<Arc<Key>, KeyRingError> {
        let id = KeyId::new_random();
        let element =
            key::new_key_element(id, creation, activation, expiration, self.inner.algorithms);
        self.inner
            .repository
            .store_element(&element, Some(&format!("key-{id}")))
            .await?;
        tracing::info!(key = %id, activation = %key::format_date(activation), expiration = %key::format_date(expiration), "created a new data-protection key");
        let mut created = key::process_elements(std::slice::from_ref(&element))?;
        let key = created
            .pop()
            .ok_or_else(|| KeyRingError::UnusableNewKey(id, "its element cannot be read".into()))?;
        Ok(Arc::new(key))
    }

    /// Creates a key with the given dates (`IKeyManager.CreateNewKey`); creation is now.
    pub async fn create_new_key(
        &self,
        activation: SystemTime,
        expiration: SystemTime,
    ) -> Result<KeyId, KeyRingError> {
        let key = self
            .store_new_key(self.now(), activation, expiration)
            .await?;
        self.invalidate();
        Ok(key.id)
    }

    /// Revokes one key: its payloads no longer unprotect, and it is never the default again.
    pub async fn revoke_key(&self, id: KeyId, reason: &str) -> Result<(), KeyRingError> {
        let element = key::revocation_element(Some(id), self.now(), reason);
        self.inner
            .repository
            .store_element(&element, Some(&format!("revocation-{id}")))
            .await?;
        tracing::warn!(key = %id, reason, "revoked a data-protection key");
        self.invalidate();
        Ok(())
    }

    /// Revokes every key created before `date` (`IKeyManager.RevokeAllKeys`).
    pub async fn revoke_all_keys(
        &self,
        date: SystemTime,
        reason: &str,
    ) -> Result<(), KeyRingError> {
        let element = key::revocation_element(None, date, reason);
        self.inner
            .repository
            .store_element(&element, Some(&key::mass_revocation_name(date)))
            .await?;
        tracing::warn!(before = %key::format_date(date), reason, "revoked all data-protection keys created before a date");
        self.invalidate();
        Ok(())
    }
}

/// `CreateCacheableKeyRingCoreStep2`: valid until the default key expires or the jittered
/// refresh period ends, whichever is first (a fallback key already expired does not count).
fn finish(now: SystemTime, default_key: Arc<Key>, keys: Vec<Arc<Key>>) -> (KeyRing, SystemTime) {
    let jitter = KEY_RING_REFRESH_PERIOD.mul_f64(0.2 * super::random_fraction());
    let next_refresh = now + (KEY_RING_REFRESH_PERIOD - jitter);
    let expires = if default_key.expiration <= now {
        next_refresh
    } else {
        next_refresh.min(default_key.expiration)
    };
    tracing::debug!(key = %default_key.id, "default data-protection key");
    let keys = keys.into_iter().map(|k| (k.id, k)).collect();
    (KeyRing { default_key, keys }, expires)
}

/// A poisoned lock only means another task panicked while copying an `Arc`; the data is
/// still whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    //! Default-key selection, on cases from ASP.NET Core's DefaultKeyResolverTests.
    use super::*;
    use crate::keyring::crypto::CbcHmacEncryptor;
    use crate::keyring::key::Secret;
    use std::time::UNIX_EPOCH;

    fn at(days: f64) -> SystemTime {
        let base = UNIX_EPOCH + Duration::from_secs(1_000 * 86_400);
        if days >= 0.0 {
            base + Duration::from_secs_f64(days * 86_400.0)
        } else {
            base - Duration::from_secs_f64(-days * 86_400.0)
        }
    }

    fn key(id: u8, created: f64, activated: f64, expires: f64) -> Arc<Key> {
        let algorithms = Algorithms::default();
        Arc::new(Key {
            id: KeyId::from_dotnet_bytes([id; 16]),
            creation: at(created),
            activation: at(activated),
            expiration: at(expires),
            revoked: false,
            encryptor: Ok(Arc::new(
                CbcHmacEncryptor::new(
                    Secret::new(vec![id; 64]),
                    algorithms.encryption,
                    algorithms.validation,
                )
                .unwrap(),
            )),
        })
    }

    fn default_of(now: f64, keys: &[Arc<Key>]) -> Option<u8> {
        resolve_default_key(at(now), keys)
            .default_key
            .map(|k| k.id.to_dotnet_bytes()[0])
    }

    #[test]
    fn empty_ring_has_no_default() {
        assert_eq!(default_of(0.0, &[]), None);
    }

    #[test]
    fn the_most_recently_activated_key_wins() {
        let keys = [key(1, -30.0, -30.0, 60.0), key(2, -10.0, -5.0, 80.0)];
        assert_eq!(default_of(0.0, &keys), Some(2));
    }

    #[test]
    fn a_key_activating_within_the_clock_skew_counts_as_active() {
        let skew = MAX_SERVER_CLOCK_SKEW.as_secs_f64() / 86_400.0;
        let keys = [key(1, -30.0, -30.0, 60.0), key(2, -10.0, 0.9 * skew, 80.0)];
        assert_eq!(default_of(0.0, &keys), Some(2));
        let later = [key(1, -30.0, -30.0, 60.0), key(2, -10.0, 1.1 * skew, 80.0)];
        assert_eq!(default_of(0.0, &later), Some(1));
    }

    #[test]
    fn keys_activated_together_resolve_by_id_and_age_gives_no_preference() {
        // Two instances created keys at the same moment on an empty ring.
        let keys = [key(7, -0.001, -0.001, 90.0), key(3, -0.001, -0.001, 90.0)];
        // Same activation: the lower id wins on every instance.
        assert_eq!(default_of(0.0, &keys), Some(3));
        // A key too young to have propagated still beats an older one, as in released
        // ASP.NET Core (the 9.0 previews' preference for propagated keys was reverted).
        let mixed = [key(1, -3.0, -3.0, 87.0), key(2, -0.5, -0.5, 90.0)];
        assert_eq!(default_of(0.0, &mixed), Some(2));
    }

    #[test]
    fn a_revoked_or_expired_preferred_key_leaves_no_default_but_a_fallback() {
        let mut revoked = Arc::try_unwrap(key(2, -10.0, -5.0, 80.0)).ok().unwrap();
        revoked.revoked = true;
        let keys = [key(1, -30.0, -30.0, 60.0), Arc::new(revoked)];
        let resolution = resolve_default_key(at(0.0), &keys);
        assert!(resolution.default_key.is_none());
        assert_eq!(resolution.fallback_key.unwrap().id.to_dotnet_bytes()[0], 1);
        let expired = [key(1, -100.0, -100.0, -1.0)];
        assert_eq!(default_of(0.0, &expired), None);
    }
}
