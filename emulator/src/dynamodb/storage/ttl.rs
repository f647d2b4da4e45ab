//! When an item is due for TTL deletion.
//!
//! DynamoDB deletes an item once its TTL attribute, a Number of epoch seconds, is at or
//! before now, unless it is more than five years in the past. Any numeric form counts
//! (`1.7e9`, fractions); other types never expire.

use super::super::model::{AttributeValue, Item};

/// Items whose TTL lies more than five years in the past are never deleted.
pub const TTL_MAX_AGE_MILLIS: i64 = 5 * 365 * 24 * 60 * 60 * 1000;

/// The instant (epoch milliseconds, rounded up) at which `item` becomes due, if it has a
/// usable TTL attribute.
pub fn due_millis(item: &Item, attribute: &str) -> Option<i64> {
    let AttributeValue::N(n) = item.get(attribute)? else {
        return None;
    };
    let millis = (n.to_f64() * 1000.0).ceil();
    // Values beyond ~292 million years never come due; leave them out of the index.
    if !millis.is_finite() || millis.abs() > 9.0e18 {
        return None;
    }
    Some(millis as i64)
}

/// Whether an item due at `due` may be deleted at `now`.
pub fn is_expired(due: i64, now: i64) -> bool {
    due <= now && due >= now.saturating_sub(TTL_MAX_AGE_MILLIS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::model::{parse_item, RawItem};

    fn item(json: &str) -> Item {
        parse_item(serde_json::from_str::<RawItem>(json).unwrap()).unwrap()
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
