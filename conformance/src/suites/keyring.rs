//! The key ring (`KeyRingManager` + `DataProtector`): two instances sharing one repository
//! on the target, through clock advances (minutes to months), new keys (automatic rotation
//! and `create_new_key`), refreshes and revocations (one key, or every key created before
//! now).
//!
//! After every step each instance unprotects every payload either of them ever protected.
//! The model knows only what the instances did: a payload opens, on both instances, unless
//! its key is revoked, also after the key expired; once an instance must know of the
//! revocation it fails with `RevokedKey`, as .NET's "The key ... has been revoked". An
//! instance must know when it made the revocation itself, has refreshed since, or a whole
//! refresh period (24 hours, the most a cached ring lives) has passed; before that the
//! other instance may still open the payload from its cached ring, as .NET's does.
//! A protecting instance never uses a key it knows to be revoked.
//!
//! Time is the case's virtual clock, so months pass without sleeping. Unknown-key reloads
//! are not rate-limited here (their interval is zero): a key made by the other instance a
//! moment ago must be found in the shared repository, which is what this suite checks;
//! the rate limit itself has its own tests in session-store.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use proptest::prelude::*;
use session_store::keyring::{
    DataProtector, KeyId, KeyRingError, KeyRingManager, RepositoryError, TierStorageMode,
    UnprotectError,
};

use super::clock::VirtualClock;
use super::key_repository::{Kind, Namespace};
use super::{instance, Instance};
use crate::check::{self, run_steps, Ctx, Outcome};
use crate::registry::Property;

pub fn properties() -> Vec<Property> {
    let about = "two key-ring instances share a repository through clock advances, new keys \
                 and revocations: every payload either protects, both unprotect until its key \
                 is revoked, expired or not";
    vec![
        Property {
            suite: "keyring",
            name: "dynamodb",
            about,
            known_failure: None,
            run: |ctx| run(ctx, Kind::DynamoDb),
        },
        Property {
            suite: "keyring",
            name: "ssm",
            about,
            known_failure: None,
            run: |ctx| run(ctx, Kind::Ssm),
        },
    ]
}

const MINUTE: u32 = 60;
const HOUR: u32 = 60 * MINUTE;
const DAY: u32 = 24 * HOUR;
/// The longest a cached ring is used before a reload (the refresh period, before jitter).
const REFRESH_PERIOD_MS: i64 = DAY as i64 * 1000;

#[derive(Clone, Debug)]
enum Op {
    Advance {
        secs: u32,
    },
    Protect {
        on: Instance,
    },
    /// Revokes the key of the payload at this position (modulo the number protected).
    RevokePayloadKey {
        on: Instance,
        payload: usize,
    },
    /// Revokes the instance's current default key.
    RevokeDefault {
        on: Instance,
    },
    /// `revoke_all_keys(now)`: every key created before now.
    RevokeAll {
        on: Instance,
    },
    /// `create_new_key(now + days, now + 90 days)`.
    CreateKey {
        on: Instance,
        activation_days: u32,
    },
    Refresh {
        on: Instance,
    },
}

fn span(secs: u32) -> String {
    let (days, hours, minutes) = (secs / DAY, secs % DAY / HOUR, secs % HOUR / MINUTE);
    let mut parts = Vec::new();
    for (n, unit) in [(days, "d"), (hours, "h"), (minutes, "min")] {
        if n > 0 {
            parts.push(format!("{n}{unit}"));
        }
    }
    if secs % MINUTE > 0 || parts.is_empty() {
        parts.push(format!("{}s", secs % MINUTE));
    }
    parts.join(" ")
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Advance { secs } => write!(f, "clock +{}", span(*secs)),
            Op::Protect { on } => write!(f, "{on:?} protects a new payload"),
            Op::RevokePayloadKey { on, payload } => {
                write!(f, "{on:?} revokes the key of payload[{payload} mod count]")
            }
            Op::RevokeDefault { on } => write!(f, "{on:?} revokes its default key"),
            Op::RevokeAll { on } => write!(f, "{on:?} revokes every key created before now"),
            Op::CreateKey {
                on,
                activation_days,
            } => write!(
                f,
                "{on:?} creates a key active from now+{activation_days}d to now+90d"
            ),
            Op::Refresh { on } => write!(f, "{on:?} refreshes its ring"),
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    let advance = prop_oneof![
        1 => (1..=120u32).prop_map(|m| m * MINUTE),
        2 => (1..=48u32).prop_map(|h| h * HOUR),
        2 => (1..=100u32).prop_map(|d| d * DAY),
    ];
    prop_oneof![
        5 => advance.prop_map(|secs| Op::Advance { secs }),
        5 => instance().prop_map(|on| Op::Protect { on }),
        1 => (instance(), 0..16usize)
            .prop_map(|(on, payload)| Op::RevokePayloadKey { on, payload }),
        1 => instance().prop_map(|on| Op::RevokeDefault { on }),
        1 => instance().prop_map(|on| Op::RevokeAll { on }),
        1 => (instance(), prop_oneof![Just(0u32), Just(1), Just(3)])
            .prop_map(|(on, activation_days)| Op::CreateKey { on, activation_days }),
        1 => instance().prop_map(|on| Op::Refresh { on }),
    ]
}

fn run(ctx: &Ctx, kind: Kind) -> Outcome {
    if kind == Kind::DynamoDb {
        if let Err(message) = ctx.block_on(ctx.resources.keyring_table()) {
            return Outcome::Error { message };
        }
    }
    ctx.check(check::steps(op(), 20), |steps| async move {
        let namespace = Namespace::new(ctx, kind, "ring").await?;
        let clock = VirtualClock::start(None).await?;
        let manager = || {
            KeyRingManager::builder_shared(namespace.repository(ctx, TierStorageMode::default()))
                .clock(clock.cache_clock())
                .unknown_key_refresh_interval(Duration::ZERO)
                .build()
        };
        let managers = [manager(), manager()];
        let mut world = Rings {
            protectors: managers.clone().map(|m| m.create_protector("conformance")),
            managers,
            clock,
            step: 0,
            fresh: [0, 0],
            payloads: Vec::new(),
            revocations: Vec::new(),
            created: HashMap::new(),
        };
        run_steps(ctx, &mut world, &steps).await
    })
}

struct Payload {
    plaintext: String,
    bytes: Vec<u8>,
    key: KeyId,
}

enum Revoked {
    Key(KeyId),
    CreatedBefore(SystemTime),
}

struct Revocation {
    step: usize,
    at_ms: i64,
    what: Revoked,
}

/// Both instances and what the model knows.
struct Rings {
    clock: VirtualClock,
    managers: [KeyRingManager; 2],
    protectors: [DataProtector; 2],
    /// The number of the step running (from 1).
    step: usize,
    /// Per instance, the last step after which it is known to (re)load its ring: it knows
    /// every revocation made at or before that step.
    fresh: [usize; 2],
    payloads: Vec<Payload>,
    revocations: Vec<Revocation>,
    /// The creation date of each key a payload names, as its protecting ring showed it.
    created: HashMap<KeyId, SystemTime>,
}

fn index(on: Instance) -> usize {
    match on {
        Instance::A => 0,
        Instance::B => 1,
    }
}

fn payload_key(payload: &[u8]) -> Option<KeyId> {
    let id: [u8; 16] = payload.get(4..20)?.try_into().ok()?;
    Some(KeyId::from_dotnet_bytes(id))
}

impl Rings {
    /// The revocations that apply to `key`.
    fn revocations_of(&self, key: KeyId) -> impl Iterator<Item = &Revocation> + '_ {
        let created = self.created.get(&key).copied();
        self.revocations.iter().filter(move |r| match r.what {
            Revoked::Key(id) => id == key,
            Revoked::CreatedBefore(date) => created.is_some_and(|c| c < date),
        })
    }

    /// Whether instance `i` must know of `revocation` by now.
    fn knows(&self, i: usize, revocation: &Revocation) -> bool {
        revocation.step <= self.fresh[i]
            || self.clock.now_millis() >= revocation.at_ms + REFRESH_PERIOD_MS
    }

    fn record(&mut self, on: Instance, what: Revoked) {
        self.revocations.push(Revocation {
            step: self.step,
            at_ms: self.clock.now_millis(),
            what,
        });
        // The revoking instance drops its cached ring: its next use reloads.
        self.fresh[index(on)] = self.step;
    }

    async fn protect(&mut self, on: Instance) -> Result<(), String> {
        let i = index(on);
        let plaintext = format!("payload {} by {on:?}", self.payloads.len());
        let bytes = self.protectors[i]
            .protect(plaintext.as_bytes())
            .await
            .map_err(|e| format!("protect failed: {e}"))?;
        let key = payload_key(&bytes).ok_or("the payload has no key id")?;
        let ring = self.managers[i]
            .key_ring()
            .await
            .map_err(|e| format!("key_ring failed: {e}"))?;
        if ring.default_key().id() != key {
            return Err(format!(
                "protected with {key}, but the ring's default key is {}",
                ring.default_key().id()
            ));
        }
        let used = ring
            .key(key)
            .ok_or_else(|| format!("protected with {key}, which its ring lacks"))?;
        self.created.insert(key, used.creation_date());
        if used.is_revoked() || self.revocations_of(key).any(|r| self.knows(i, r)) {
            return Err(format!("protected with {key}, which it knows is revoked"));
        }
        self.payloads.push(Payload {
            plaintext,
            bytes,
            key,
        });
        Ok(())
    }

    /// Revokes one key; a second revocation of a key is refused (its element's name is
    /// taken, and repositories never overwrite).
    async fn revoke(&mut self, on: Instance, key: KeyId) -> Result<(), String> {
        let again = self
            .revocations
            .iter()
            .any(|r| matches!(r.what, Revoked::Key(id) if id == key));
        let result = self.managers[index(on)]
            .revoke_key(key, "conformance")
            .await;
        match (result, again) {
            (Ok(()), false) => {
                self.record(on, Revoked::Key(key));
                Ok(())
            }
            (Err(KeyRingError::Repository(RepositoryError::AlreadyExists { .. })), true) => Ok(()),
            (result, _) => Err(format!(
                "revoke_key({key}) returned {result:?}; the model expects {}",
                if again {
                    "AlreadyExists (revoked before)"
                } else {
                    "Ok"
                }
            )),
        }
    }

    async fn revoke_all(&mut self, on: Instance) -> Result<(), String> {
        let now = self.clock.now();
        let again = self
            .revocations
            .iter()
            .any(|r| matches!(r.what, Revoked::CreatedBefore(date) if date == now));
        let result = self.managers[index(on)]
            .revoke_all_keys(now, "conformance")
            .await;
        match (result, again) {
            (Ok(()), false) => {
                self.record(on, Revoked::CreatedBefore(now));
                Ok(())
            }
            (Err(KeyRingError::Repository(RepositoryError::AlreadyExists { .. })), true) => Ok(()),
            (result, _) => Err(format!(
                "revoke_all_keys(now) returned {result:?}; the model expects {}",
                if again {
                    "AlreadyExists (same date)"
                } else {
                    "Ok"
                }
            )),
        }
    }

    /// Every payload on both instances, against the model.
    async fn check_payloads(&self) -> Result<(), String> {
        for (n, payload) in self.payloads.iter().enumerate() {
            for (i, protector) in self.protectors.iter().enumerate() {
                let on = if i == 0 { "A" } else { "B" };
                let revoked = self.revocations_of(payload.key).count() > 0;
                let known = self.revocations_of(payload.key).any(|r| self.knows(i, r));
                match protector.unprotect(&payload.bytes).await {
                    Ok(plain) if plain != payload.plaintext.as_bytes() => {
                        return Err(format!("{on} unprotected payload {n} to other bytes"))
                    }
                    Ok(_) if known => {
                        return Err(format!(
                            "{on} unprotected payload {n} although it must know its key {} is \
                             revoked",
                            payload.key
                        ))
                    }
                    Ok(_) => {}
                    Err(UnprotectError::RevokedKey(id)) if id == payload.key && revoked => {}
                    Err(e) => {
                        return Err(format!(
                            "{on} cannot unprotect payload {n} (key {}, {}): {e}",
                            payload.key,
                            if revoked { "revoked" } else { "not revoked" }
                        ))
                    }
                }
            }
        }
        Ok(())
    }
}

impl check::World<Op> for Rings {
    async fn step(&mut self, op: &Op) -> Result<(), String> {
        self.step += 1;
        match op {
            Op::Advance { secs } => self.clock.advance_secs(*secs),
            Op::Protect { on } => self.protect(*on).await?,
            Op::RevokePayloadKey { on, payload } => {
                if !self.payloads.is_empty() {
                    let key = self.payloads[payload % self.payloads.len()].key;
                    self.revoke(*on, key).await?;
                }
            }
            Op::RevokeDefault { on } => {
                let ring = self.managers[index(*on)]
                    .key_ring()
                    .await
                    .map_err(|e| format!("key_ring failed: {e}"))?;
                let key = ring.default_key().id();
                self.created.insert(key, ring.default_key().creation_date());
                self.revoke(*on, key).await?;
            }
            Op::RevokeAll { on } => self.revoke_all(*on).await?,
            Op::CreateKey {
                on,
                activation_days,
            } => {
                let now = self.clock.now();
                let day = Duration::from_secs(u64::from(DAY));
                self.managers[index(*on)]
                    .create_new_key(now + day * *activation_days, now + day * 90)
                    .await
                    .map_err(|e| format!("create_new_key failed: {e}"))?;
                self.fresh[index(*on)] = self.step;
            }
            Op::Refresh { on } => {
                self.managers[index(*on)]
                    .refresh()
                    .await
                    .map_err(|e| format!("refresh failed: {e}"))?;
                self.fresh[index(*on)] = self.step;
            }
        }
        self.check_payloads().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_days_hours_minutes() {
        assert_eq!(span(3 * DAY + 2 * HOUR), "3d 2h");
        assert_eq!(span(90 * MINUTE), "1h 30min");
        assert_eq!(span(1), "1s");
    }
}
