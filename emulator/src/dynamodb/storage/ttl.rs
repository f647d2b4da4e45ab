//! When an item is due for TTL deletion, and the index that finds due items.
//!
//! DynamoDB deletes an item once its TTL attribute, a Number of epoch seconds, is at or
//! before now, unless it is more than five years in the past. Any numeric form counts
//! (`1.7e9`, fractions); other types never expire.
//!
//! The [`TtlIndex`] is a change-feed consumer: it keeps `(due millis, key)` for every item
//! with a usable TTL value while TTL is enabled, one ordered set per tree shard, so the
//! sweeper takes due keys from the front of a set instead of scanning tables.
//!
//! Entries are exact: one per item, at its current due time. A shard's entries are added,
//! moved and taken only under that shard's lock (writers announce their changes holding
//! it, the backfill reads under it, the sweeper takes entries holding it), so a sweeper
//! holding a shard's write lock deletes the items whose entries it takes without reading
//! them again: for a million cold items, reading each one's TTL back was a quarter of the
//! sweep. The one exception, [`TtlIndex::reset`] emptying every set when TTL is turned on
//! or off, only removes entries; the backfill then adds each stored item's under its lock,
//! and a write racing it adds the same entry (sets hold it once).

use std::collections::BTreeSet;

use parking_lot::{Mutex, RwLock};

use super::feed::{Cause, Change, Consumer};
use super::tree::{KeyBytes, SHARDS};
use crate::dynamodb::model::{AttributeValue, EncodedItem, Number};

/// Items whose TTL lies more than five years in the past are never deleted.
pub const TTL_MAX_AGE_MILLIS: i64 = 5 * 365 * 24 * 60 * 60 * 1000;

/// The instant (epoch milliseconds, rounded up) at which `item` becomes due, if it has a
/// usable TTL attribute.
pub fn due_millis(item: &EncodedItem, attribute: &str) -> Option<i64> {
    let AttributeValue::N(n) = item.get(attribute)? else {
        return None;
    };
    millis_of(&n)
}

/// Epoch seconds to milliseconds, rounded up, computed exactly from the decimal parts
/// (the sweeper asks this for every due item, so no float formatting). Values beyond
/// ~292 million years never come due and give `None`.
fn millis_of(n: &Number) -> Option<i64> {
    const LIMIT: u128 = 9_000_000_000_000_000_000;
    let (negative, mantissa, exponent) = n.to_parts();
    let scale = exponent + 3;
    let magnitude = if scale >= 0 {
        mantissa.checked_mul(10u128.checked_pow(scale.unsigned_abs())?)?
    } else {
        let divisor = 10u128
            .checked_pow(scale.unsigned_abs())
            .unwrap_or(u128::MAX);
        let (quotient, remainder) = (mantissa / divisor, mantissa % divisor);
        // Rounding up means away from zero for positive values, towards it for negative.
        quotient + u128::from(remainder != 0 && !negative)
    };
    if magnitude > LIMIT {
        return None;
    }
    let magnitude = magnitude as i64;
    Some(if negative { -magnitude } else { magnitude })
}

/// Whether an item due at `due` may be deleted at `now`.
pub fn is_expired(due: i64, now: i64) -> bool {
    due <= now && due >= now.saturating_sub(TTL_MAX_AGE_MILLIS)
}

/// Due items of one table, per shard, ordered by due time. Lock order: a shard's set is
/// locked only under that shard's lock, and no other lock is taken while holding it.
pub struct TtlIndex {
    attribute: RwLock<Option<String>>,
    due: [Mutex<BTreeSet<(i64, KeyBytes)>>; SHARDS],
}

impl Default for TtlIndex {
    fn default() -> Self {
        TtlIndex {
            attribute: RwLock::default(),
            due: std::array::from_fn(|_| Mutex::default()),
        }
    }
}

impl TtlIndex {
    /// Switches the attribute and empties the index; the caller backfills it.
    pub fn reset(&self, attribute: Option<String>) {
        *self.attribute.write() = attribute;
        for due in &self.due {
            due.lock().clear();
        }
    }

    /// Adds one stored item (backfill after enabling TTL), under its shard's lock.
    pub fn insert(&self, key: &KeyBytes, item: &EncodedItem) {
        let attribute = self.attribute.read();
        if let Some(due) = attribute.as_deref().and_then(|a| due_millis(item, a)) {
            self.due[key.shard()].lock().insert((due, key.clone()));
        }
    }

    /// Takes up to `max` entries of `shard` due at or before `now`, earliest first, and
    /// puts the keys of those [`is_expired`] at `now` into `keys` (cleared first; the
    /// sweeper reuses one buffer). Entries too old to expire are dropped: they never
    /// will. The caller holds the shard's write lock and deletes every key it gets.
    pub fn take_due(&self, shard: usize, now: i64, max: usize, keys: &mut Vec<KeyBytes>) {
        keys.clear();
        let mut due = self.due[shard].lock();
        while keys.len() < max {
            match due.first() {
                Some((at, _)) if *at <= now => {
                    if let Some((at, key)) = due.pop_first() {
                        if is_expired(at, now) {
                            keys.push(key);
                        }
                    }
                }
                _ => break,
            }
        }
    }
}

impl Consumer for TtlIndex {
    fn apply(&self, change: &Change<'_>) {
        // The sweeper took this item's entry out of the index before deleting it (one
        // entry per key, always the current due time), so there is nothing to remove.
        if change.cause == Cause::TimeToLive {
            return;
        }
        let attribute = self.attribute.read();
        let Some(attribute) = attribute.as_deref() else {
            return;
        };
        let old = change.old.and_then(|i| due_millis(i, attribute));
        let new = change.new.and_then(|i| due_millis(i, attribute));
        if old == new {
            return;
        }
        let mut due = self.due[change.key.shard()].lock();
        if let Some(at) = old {
            due.remove(&(at, change.key.clone()));
        }
        if let Some(at) = new {
            due.insert((at, change.key.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::model::{parse_item, RawItem};

    fn item(json: &str) -> EncodedItem {
        EncodedItem::encode(&parse_item(serde_json::from_str::<RawItem>(json).unwrap()).unwrap())
    }

    #[test]
    fn any_numeric_form_counts() {
        assert_eq!(
            due_millis(&item(r#"{"t":{"N":"1.7e9"}}"#), "t"),
            Some(1_700_000_000_000)
        );
        assert_eq!(
            due_millis(&item(r#"{"t":{"N":"1234567e1"}}"#), "t"),
            Some(12_345_670_000)
        );
        assert_eq!(
            due_millis(&item(r#"{"t":{"N":"10.0001"}}"#), "t"),
            Some(10_001)
        );
        assert_eq!(due_millis(&item(r#"{"t":{"S":"100"}}"#), "t"), None);
        assert_eq!(
            due_millis(&item(r#"{"t":{"N":"-1.0005"}}"#), "t"),
            Some(-1000)
        );
        assert_eq!(due_millis(&item(r#"{"t":{"N":"0.0001"}}"#), "t"), Some(1));
        assert_eq!(due_millis(&item(r#"{"t":{"N":"0"}}"#), "t"), Some(0));
        assert_eq!(
            due_millis(&item(r#"{"t":{"N":"9E+15"}}"#), "t"),
            Some(9_000_000_000_000_000_000)
        );
        assert_eq!(due_millis(&item(r#"{"t":{"N":"9.1E+15"}}"#), "t"), None);
        assert_eq!(due_millis(&item(r#"{"t":{"N":"1E+100"}}"#), "t"), None);
        assert_eq!(due_millis(&item(r#"{"x":{"N":"1"}}"#), "t"), None);
    }

    #[test]
    fn ancient_items_are_left_alone() {
        let now = 2_000_000_000_000;
        assert!(is_expired(now, now));
        assert!(!is_expired(now + 1, now));
        assert!(is_expired(now - TTL_MAX_AGE_MILLIS, now));
        assert!(!is_expired(now - TTL_MAX_AGE_MILLIS - 1, now));
    }
}
