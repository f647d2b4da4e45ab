//! The distributed cache (`session_store::DynamoDbCache`) against a model of .NET's
//! `IDistributedCache` semantics, and its stored item layout.
//!
//! Every case gets its own key prefix in the run's cache table, a virtual clock, and two
//! cache instances (A and B) sharing the table as two servers would. After every step the
//! model and the store must agree: on what the operation returned, and on every key's
//! stored item, attribute by attribute (an expired item may linger, as on DynamoDB, but
//! only as it was last written; after a sweep it must be gone).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use proptest::prelude::*;
use session_store::{CacheError, DistributedCache, DynamoDbCache, EntryOptions};

use super::clock::VirtualClock;
use super::{instance, raw_item, Instance};
use crate::check::{self, steps, CaseResult, Ctx, Outcome, Steps};
use crate::ensure;
use crate::gate::Gate;
use crate::registry::Property;
use crate::resources::{CACHE_KEY, CACHE_TTL};

pub fn properties() -> Vec<Property> {
    vec![
        Property {
            suite: "cache",
            name: "model",
            about: "set/get/refresh/remove/clock/sweep sequences on two instances agree with \
                    an in-memory IDistributedCache model",
            known_failure: None,
            run: |ctx| run_steps(ctx, steps(op(), 24)),
        },
        Property {
            suite: "cache",
            name: "layout",
            about: "the item Set writes, for every option combination, attribute for \
                    attribute as the .NET provider writes it",
            known_failure: None,
            run: layout,
        },
        Property {
            suite: "cache",
            name: "refresh-vs-remove",
            about: "a refresh whose TTL write lands after another instance's remove leaves \
                    no ghost item",
            known_failure: None,
            run: |ctx| run_steps(ctx, steps(race_op(RaceKind::Remove), 12)),
        },
        Property {
            suite: "cache",
            name: "refresh-vs-set",
            about: "a refresh whose TTL write lands after another instance's set leaves the \
                    new entry's expiry alone",
            known_failure: None,
            run: |ctx| run_steps(ctx, steps(race_op(RaceKind::Set), 12)),
        },
    ]
}

const KEYS: [&str; 3] = ["a", "b", ""];

/// Entry options relative to the time of the write (so a sequence replays at any time).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Opts {
    /// `AbsoluteExpiration` = now + this many ms (negative: in the past, refused).
    absolute_ms: Option<i64>,
    relative_ms: Option<i64>,
    sliding_ms: Option<i64>,
}

#[derive(Clone, Debug)]
enum Op {
    Set {
        on: Instance,
        key: usize,
        value: Vec<u8>,
        opts: Opts,
    },
    Get {
        on: Instance,
        key: usize,
    },
    Refresh {
        on: Instance,
        key: usize,
    },
    Remove {
        on: Instance,
        key: usize,
    },
    Advance {
        secs: u32,
    },
    /// Brings the server's clock near the virtual one and runs a TTL sweep (targets with
    /// the emulator's clock only; elsewhere a no-op).
    Sweep,
    /// A gets; B's set lands between A's read and A's TTL write.
    GetWhileSet {
        key: usize,
        value: Vec<u8>,
        opts: Opts,
    },
    /// A refreshes; B's remove lands between A's read and A's TTL write.
    RefreshWhileRemove {
        key: usize,
    },
}

impl fmt::Display for Opts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(ms) = self.absolute_ms {
            parts.push(format!("absolute now{:+}ms", ms));
        }
        if let Some(ms) = self.relative_ms {
            parts.push(format!("relative {ms}ms"));
        }
        if let Some(ms) = self.sliding_ms {
            parts.push(format!("sliding {ms}ms"));
        }
        if parts.is_empty() {
            f.write_str("no expiry")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = |key: &usize| format!("{:?}", KEYS[*key]);
        match self {
            Op::Set {
                on,
                key,
                value,
                opts,
            } => write!(f, "{on:?}.set({}, {value:?}, {opts})", k(key)),
            Op::Get { on, key } => write!(f, "{on:?}.get({})", k(key)),
            Op::Refresh { on, key } => write!(f, "{on:?}.refresh({})", k(key)),
            Op::Remove { on, key } => write!(f, "{on:?}.remove({})", k(key)),
            Op::Advance { secs } => write!(f, "clock +{secs}s"),
            Op::Sweep => f.write_str("TTL sweep"),
            Op::GetWhileSet { key, value, opts } => write!(
                f,
                "A.get({}) with B.set({}, {value:?}, {opts}) between its read and its TTL write",
                k(key),
                k(key)
            ),
            Op::RefreshWhileRemove { key } => write!(
                f,
                "A.refresh({}) with B.remove({}) between its read and its TTL write",
                k(key),
                k(key)
            ),
        }
    }
}

fn opts() -> impl Strategy<Value = Opts> {
    (
        proptest::option::of(prop_oneof![1 => -5_000i64..0, 6 => 0i64..=180_000]),
        proptest::option::of(1i64..=180_000),
        proptest::option::of(prop_oneof![
            4 => (1i64..=90).prop_map(|s| s * 1000),
            1 => 1i64..=90_000,
        ]),
    )
        .prop_map(|(absolute_ms, relative_ms, sliding_ms)| Opts {
            absolute_ms,
            relative_ms,
            sliding_ms,
        })
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..6)
}

fn op() -> BoxedStrategy<Op> {
    let key = 0..KEYS.len();
    let base = prop_oneof![
        4 => (instance(), key.clone(), value(), opts())
            .prop_map(|(on, key, value, opts)| Op::Set { on, key, value, opts }),
        4 => (instance(), key.clone()).prop_map(|(on, key)| Op::Get { on, key }),
        2 => (instance(), key.clone()).prop_map(|(on, key)| Op::Refresh { on, key }),
        1 => (instance(), key.clone()).prop_map(|(on, key)| Op::Remove { on, key }),
        3 => (1u32..=120).prop_map(|secs| Op::Advance { secs }),
        1 => Just(Op::Sweep),
    ];
    base.boxed()
}

#[derive(Clone, Copy)]
enum RaceKind {
    Set,
    Remove,
}

/// Set-up steps, plus the race under test (half the steps, so shrinking keeps one).
fn race_op(kind: RaceKind) -> BoxedStrategy<Op> {
    let race = match kind {
        RaceKind::Set => (0..KEYS.len(), value(), opts())
            .prop_map(|(key, value, opts)| Op::GetWhileSet { key, value, opts })
            .boxed(),
        RaceKind::Remove => (0..KEYS.len())
            .prop_map(|key| Op::RefreshWhileRemove { key })
            .boxed(),
    };
    prop_oneof![1 => op(), 1 => race].boxed()
}

/// One stored entry as the model knows it: the attributes Set wrote (and refreshes moved).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    value: Vec<u8>,
    ttl: Option<i64>,
    window_ms: Option<i64>,
    deadline: Option<i64>,
}

/// Whole seconds, rounded down (the provider writes `ToUnixTimeSeconds()`).
fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

impl Entry {
    /// What Set stores at `now_ms`, or the refusal of an absolute expiration in the past.
    fn new(value: &[u8], opts: &Opts, now_ms: i64) -> Result<Entry, &'static str> {
        let deadline = match (opts.relative_ms, opts.absolute_ms) {
            (Some(relative), _) => Some(secs(now_ms + relative)),
            (None, Some(absolute)) if absolute < 0 => {
                return Err("AbsoluteExpiration must be in the future.")
            }
            (None, Some(absolute)) => Some(secs(now_ms + absolute)),
            (None, None) => None,
        };
        let ttl = match opts.sliding_ms {
            Some(window) => {
                Some(deadline.map_or(secs(now_ms + window), |d| d.min(secs(now_ms + window))))
            }
            None => deadline,
        };
        Ok(Entry {
            value: value.to_vec(),
            ttl,
            window_ms: opts.sliding_ms,
            deadline,
        })
    }

    /// Expired strictly after the TTL second began.
    fn expired(&self, now_ms: i64) -> bool {
        self.ttl.is_some_and(|ttl| now_ms > ttl * 1000)
    }

    /// A read of a live sliding entry pushes its TTL, capped by the deadline.
    fn slide(&mut self, now_ms: i64) {
        if let (Some(window), Some(_)) = (self.window_ms, self.ttl) {
            let slid = secs(now_ms + window);
            self.ttl = Some(self.deadline.map_or(slid, |d| d.min(slid)));
        }
    }

    /// The item exactly as the .NET provider writes it.
    fn item(&self, pk: &str) -> HashMap<String, AttributeValue> {
        let number = |n: Option<i64>| {
            n.map_or(AttributeValue::Null(true), |n| {
                AttributeValue::N(n.to_string())
            })
        };
        HashMap::from([
            (CACHE_KEY.to_owned(), AttributeValue::S(pk.to_owned())),
            (
                "value".to_owned(),
                AttributeValue::B(Blob::new(self.value.clone())),
            ),
            (CACHE_TTL.to_owned(), number(self.ttl)),
            (
                "ttl_window".to_owned(),
                self.window_ms.map_or(AttributeValue::Null(true), |w| {
                    AttributeValue::S(timespan(w))
                }),
            ),
            ("ttl_deadline".to_owned(), number(self.deadline)),
        ])
    }
}

/// .NET's constant ("c") TimeSpan format of a whole number of milliseconds:
/// `[d.]hh:mm:ss[.fffffff]`.
fn timespan(ms: i64) -> String {
    let (days, hours) = (ms / 86_400_000, ms / 3_600_000 % 24);
    let (minutes, seconds, fraction) = (ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let mut text = if days > 0 {
        format!("{days}.")
    } else {
        String::new()
    };
    text.push_str(&format!("{hours:02}:{minutes:02}:{seconds:02}"));
    if fraction > 0 {
        text.push_str(&format!(".{:07}", fraction * 10_000));
    }
    text
}

/// One case's world: two caches on one prefix, the virtual clock, the model.
struct World<'a> {
    ctx: &'a Ctx,
    table: &'a str,
    prefix: String,
    clock: VirtualClock,
    /// Holds A's TTL write back while B's racing write runs.
    gate: Gate,
    a: DynamoDbCache,
    b: DynamoDbCache,
    /// Last written entry per key; absent means no item can exist.
    model: HashMap<usize, Entry>,
}

fn cache(
    client: aws_sdk_dynamodb::Client,
    table: &str,
    prefix: &str,
    clock: &VirtualClock,
) -> Result<DynamoDbCache, String> {
    DynamoDbCache::builder(client)
        .table_name(table)
        // Both names given: no control-plane call per case.
        .partition_key_name(CACHE_KEY)
        .ttl_attribute_name(CACHE_TTL)
        .partition_key_prefix(prefix)
        .clock(clock.cache_clock())
        .build()
        .map_err(|e| e.to_string())
}

impl World<'_> {
    fn instance(&self, on: Instance) -> &DynamoDbCache {
        match on {
            Instance::A => &self.a,
            Instance::B => &self.b,
        }
    }

    fn pk(&self, key: usize) -> String {
        format!("{}:dc:{}", self.prefix, KEYS[key])
    }

    fn entry_options(&self, opts: &Opts) -> EntryOptions {
        let now = self.clock.now_millis();
        EntryOptions {
            absolute_expiration: opts
                .absolute_ms
                .map(|ms| UNIX_EPOCH + Duration::from_millis((now + ms) as u64)),
            absolute_expiration_relative_to_now: opts
                .relative_ms
                .map(|ms| Duration::from_millis(ms as u64)),
            sliding_expiration: opts.sliding_ms.map(|ms| Duration::from_millis(ms as u64)),
        }
    }

    /// The model's answer to a get or refresh (sliding the entry).
    fn model_read(&mut self, key: usize) -> Option<Vec<u8>> {
        let now = self.clock.now_millis();
        let entry = self.model.get_mut(&key)?;
        if entry.expired(now) {
            return None;
        }
        entry.slide(now);
        Some(entry.value.clone())
    }

    /// The model's set; the refusal text if the options are refused.
    fn model_set(&mut self, key: usize, value: &[u8], opts: &Opts) -> Result<(), &'static str> {
        let entry = Entry::new(value, opts, self.clock.now_millis())?;
        self.model.insert(key, entry);
        Ok(())
    }

    async fn apply(&mut self, op: &Op) -> Result<(), String> {
        match op {
            Op::Set {
                on,
                key,
                value,
                opts,
            } => {
                let options = self.entry_options(opts);
                let got = self.instance(*on).set(KEYS[*key], value, &options).await;
                let expected = self.model_set(*key, value, opts);
                compare_set(got, expected)
            }
            Op::Get { on, key } => {
                let got = self
                    .instance(*on)
                    .get(KEYS[*key])
                    .await
                    .map_err(|e| format!("get failed: {e}"))?;
                let expected = self.model_read(*key);
                if got != expected {
                    return Err(format!(
                        "get returned {got:?}, the model expects {expected:?}"
                    ));
                }
                Ok(())
            }
            Op::Refresh { on, key } => {
                self.instance(*on)
                    .refresh(KEYS[*key])
                    .await
                    .map_err(|e| format!("refresh failed: {e}"))?;
                self.model_read(*key);
                Ok(())
            }
            Op::Remove { on, key } => {
                self.instance(*on)
                    .remove(KEYS[*key])
                    .await
                    .map_err(|e| format!("remove failed: {e}"))?;
                self.model.remove(key);
                Ok(())
            }
            Op::Advance { secs } => {
                self.clock.advance_secs(*secs);
                Ok(())
            }
            Op::Sweep => {
                let Some(admin) = &self.ctx.target.admin else {
                    return Ok(());
                };
                let swept = self.clock.sweep(admin).await?;
                // Whatever the sweep covered is gone for good.
                self.model
                    .retain(|_, e| e.ttl.is_none_or(|t| t > swept.covered_secs));
                Ok(())
            }
            Op::GetWhileSet { key, value, opts } => {
                let options = self.entry_options(opts);
                let (b, k, v) = (self.b.clone(), KEYS[*key], value.clone());
                let (tx, rx) = tokio::sync::oneshot::channel();
                self.gate.before_next("UpdateItem", async move {
                    let _ = tx.send(b.set(k, &v, &options).await);
                });
                let got = self.a.get(KEYS[*key]).await;
                if let Some(late) = self.gate.disarm() {
                    late.await;
                }
                let set = rx.await.map_err(|_| "B's set never ran".to_owned())?;
                let expected_get = self.model_read(*key);
                let expected_set = self.model_set(*key, value, opts);
                let got = got.map_err(|e| format!("A's get failed: {e}"))?;
                if got != expected_get {
                    return Err(format!(
                        "A's get returned {got:?}, the model expects {expected_get:?}"
                    ));
                }
                compare_set(set, expected_set)
            }
            Op::RefreshWhileRemove { key } => {
                let (b, k) = (self.b.clone(), KEYS[*key]);
                let (tx, rx) = tokio::sync::oneshot::channel();
                self.gate.before_next("UpdateItem", async move {
                    let _ = tx.send(b.remove(k).await);
                });
                let refreshed = self.a.refresh(KEYS[*key]).await;
                if let Some(late) = self.gate.disarm() {
                    late.await;
                }
                rx.await
                    .map_err(|_| "B's remove never ran".to_owned())?
                    .map_err(|e| format!("B's remove failed: {e}"))?;
                refreshed.map_err(|e| format!("A's refresh failed: {e}"))?;
                self.model.remove(key);
                Ok(())
            }
        }
    }

    /// Every key's stored item against the model.
    async fn check_store(&self) -> Result<(), String> {
        let now = self.clock.now_millis();
        for key in 0..KEYS.len() {
            let pk = self.pk(key);
            let stored = raw_item(&self.ctx.target.dynamodb, self.table, CACHE_KEY, &pk).await?;
            match (self.model.get(&key), stored) {
                (None, None) => {}
                (None, Some(item)) => {
                    return Err(format!(
                        "{pk} should not exist, but the table holds {item:?}"
                    ))
                }
                (Some(entry), None) if entry.expired(now) => {}
                (Some(entry), None) => {
                    return Err(format!(
                        "{pk} is missing; the model holds the live {entry:?}"
                    ))
                }
                (Some(entry), Some(item)) => {
                    let expected = entry.item(&pk);
                    if item != expected {
                        return Err(format!(
                            "{pk} is stored as {}, the model expects {}",
                            show(&item),
                            show(&expected)
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

impl check::World<Op> for World<'_> {
    async fn step(&mut self, op: &Op) -> Result<(), String> {
        self.apply(op).await?;
        self.check_store().await
    }
}

fn compare_set(got: Result<(), CacheError>, expected: Result<(), &str>) -> Result<(), String> {
    match (got, expected) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(e), Err(refusal)) if e.to_string() == refusal => Ok(()),
        (got, expected) => Err(format!(
            "set returned {:?}, the model expects {expected:?}",
            got.map_err(|e| e.to_string())
        )),
    }
}

/// An item with its attributes in name order, for messages.
fn show(item: &HashMap<String, AttributeValue>) -> String {
    let mut names: Vec<_> = item.keys().collect();
    names.sort();
    let parts: Vec<String> = names
        .iter()
        .map(|n| format!("{n}: {:?}", item[*n]))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

fn run_steps(ctx: &Ctx, strategy: impl Strategy<Value = Steps<Op>>) -> Outcome {
    let table = match ctx.block_on(ctx.resources.cache_table()) {
        Ok(table) => table.to_owned(),
        Err(message) => return Outcome::Error { message },
    };
    let table = Arc::new(table);
    ctx.check(strategy, |steps| {
        let table = table.clone();
        async move { case(ctx, &table, steps).await }
    })
}

async fn case(ctx: &Ctx, table: &str, steps: Steps<Op>) -> CaseResult {
    let prefix = format!("c{}", ctx.resources.next_case());
    let clock = VirtualClock::start(ctx.target.admin.as_ref()).await?;
    let gate = Gate::default();
    let gated = ctx
        .target
        .dynamodb_client_over(gate.wrap(ctx.target.http_client.clone()));
    let mut world = World {
        ctx,
        table,
        a: cache(gated, table, &prefix, &clock)?,
        b: cache(ctx.target.dynamodb.clone(), table, &prefix, &clock)?,
        prefix,
        clock,
        gate,
        model: HashMap::new(),
    };
    check::run_steps(ctx, &mut world, &steps).await
}

/// One write per option combination, read back raw.
#[derive(Clone, Debug)]
struct LayoutCase {
    value: Vec<u8>,
    opts: Opts,
    /// The window text the .NET provider writes, where the example fixes it.
    window: Option<&'static str>,
}

fn layout(ctx: &Ctx) -> Outcome {
    const HOUR: i64 = 3_600_000;
    let example = |opts: Opts, window: Option<&'static str>| LayoutCase {
        value: b"example".to_vec(),
        opts,
        window,
    };
    // Fixed examples whose text is known from the provider's own tests and docs.
    let examples = vec![
        example(Opts::default(), None),
        example(
            Opts {
                sliding_ms: Some(12 * HOUR),
                ..Opts::default()
            },
            Some("12:00:00"),
        ),
        example(
            Opts {
                sliding_ms: Some(24 * HOUR),
                ..Opts::default()
            },
            Some("1.00:00:00"),
        ),
        example(
            Opts {
                sliding_ms: Some(1_500),
                ..Opts::default()
            },
            Some("00:00:01.5000000"),
        ),
        example(
            Opts {
                relative_ms: Some(24 * HOUR),
                sliding_ms: Some(12 * HOUR),
                ..Opts::default()
            },
            Some("12:00:00"),
        ),
        example(
            Opts {
                absolute_ms: Some(48 * HOUR),
                relative_ms: Some(24 * HOUR),
                sliding_ms: Some(53 * HOUR),
            },
            Some("2.05:00:00"),
        ),
    ];
    let random =
        (proptest::collection::vec(any::<u8>(), 0..64), opts()).prop_map(|(value, mut opts)| {
            opts.absolute_ms = opts.absolute_ms.map(i64::abs);
            LayoutCase {
                value,
                opts,
                window: None,
            }
        });
    let strategy = prop_oneof![1 => proptest::sample::select(examples), 3 => random];
    let table = match ctx.block_on(ctx.resources.cache_table()) {
        Ok(table) => table.to_owned(),
        Err(message) => return Outcome::Error { message },
    };
    let table = Arc::new(table);
    ctx.check(strategy, |case| {
        let table = table.clone();
        async move {
            let prefix = format!("c{}", ctx.resources.next_case());
            let clock = VirtualClock::start(None).await?;
            let cache = cache(ctx.target.dynamodb.clone(), &table, &prefix, &clock)?;
            let now = clock.now_millis();
            let options = EntryOptions {
                absolute_expiration: case
                    .opts
                    .absolute_ms
                    .map(|ms| UNIX_EPOCH + Duration::from_millis((now + ms) as u64)),
                absolute_expiration_relative_to_now: case
                    .opts
                    .relative_ms
                    .map(|ms| Duration::from_millis(ms as u64)),
                sliding_expiration: case
                    .opts
                    .sliding_ms
                    .map(|ms| Duration::from_millis(ms as u64)),
            };
            cache
                .set("key", &case.value, &options)
                .await
                .map_err(|e| format!("set failed: {e}"))?;
            let pk = format!("{prefix}:dc:key");
            let expected = Entry::new(&case.value, &case.opts, now)
                .map_err(|e| format!("the model refuses the example: {e}"))?
                .item(&pk);
            if let (Some(window), Some(AttributeValue::S(text))) =
                (case.window, expected.get("ttl_window"))
            {
                ensure!(
                    window == text,
                    "the model formats the window as {text}, not {window}"
                );
            }
            let stored = raw_item(&ctx.target.dynamodb, &table, CACHE_KEY, &pk)
                .await?
                .ok_or_else(|| format!("no item for {pk} after set"))?;
            ensure!(
                stored == expected,
                "stored {}, the .NET provider writes {}",
                show(&stored),
                show(&expected)
            );
            Ok(())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_in_the_constant_format() {
        assert_eq!(timespan(12 * 3_600_000), "12:00:00");
        assert_eq!(timespan(24 * 3_600_000), "1.00:00:00");
        assert_eq!(timespan(1_500), "00:00:01.5000000");
        assert_eq!(timespan(53 * 3_600_000 + 61_001), "2.05:01:01.0010000");
    }

    #[test]
    fn model_expiry_maths() {
        let now = 1_000_500;
        let e = Entry::new(
            b"v",
            &Opts {
                relative_ms: Some(6_000),
                sliding_ms: Some(10_000),
                ..Opts::default()
            },
            now,
        )
        .unwrap();
        assert_eq!((e.ttl, e.deadline), (Some(1006), Some(1006)));
        let e = Entry::new(
            b"v",
            &Opts {
                absolute_ms: Some(-1),
                ..Opts::default()
            },
            now,
        );
        assert!(e.is_err());
        let e = Entry::new(
            b"v",
            &Opts {
                absolute_ms: Some(0),
                ..Opts::default()
            },
            now,
        )
        .unwrap();
        assert!(
            e.expired(now),
            "absolute = now is stored, and already expired"
        );
    }
}
