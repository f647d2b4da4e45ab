//! The item layout shared with the .NET provider, and DynamoDB's size arithmetic for it.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::entry::Expiry;
use crate::timespan::TimeSpan;

/// The cached bytes (B).
pub const VALUE: &str = "value";
/// The sliding window as a .NET TimeSpan string (S), or NULL.
pub const TTL_WINDOW: &str = "ttl_window";
/// The latest the TTL may be pushed to, epoch seconds (N), or NULL.
pub const TTL_DEADLINE: &str = "ttl_deadline";
/// Present only on compressed values (never written by .NET): how `value` is encoded.
pub const VALUE_ENCODING: &str = "value_encoding";
/// The one encoding this crate writes: raw DEFLATE (RFC 1951).
pub const DEFLATE: &str = "deflate";

pub const DEFAULT_PARTITION_KEY: &str = "id";
pub const DEFAULT_TTL_ATTRIBUTE: &str = "ttl_date";

/// DynamoDB's item size limit, 400 KB.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// The partition key value for a cache key: `dc:` namespaces the cache's items so the
/// table can hold other data too, and a configured prefix goes in front of that.
pub(crate) fn partition_key_value(key: &str, prefix: Option<&str>) -> String {
    match prefix {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}:dc:{key}"),
        _ => format!("dc:{key}"),
    }
}

/// One entry as written by `Set`.
pub(crate) struct NewItem<'a> {
    pub partition_key: (&'a str, String),
    pub ttl_attribute: &'a str,
    pub value: Vec<u8>,
    pub compressed: bool,
    pub expiry: Expiry,
}

impl NewItem<'_> {
    /// DynamoDB's size of the item: every attribute name's UTF-8 length plus its value's size.
    pub fn size(&self) -> usize {
        let (pk_name, pk_value) = &self.partition_key;
        let number = |n: Option<i64>| n.map_or(NULL_SIZE, number_size);
        let window = self
            .expiry
            .window
            .map_or(NULL_SIZE, |w| w.to_string().len());
        let encoding = if self.compressed {
            VALUE_ENCODING.len() + DEFLATE.len()
        } else {
            0
        };
        pk_name.len()
            + pk_value.len()
            + VALUE.len()
            + self.value.len()
            + self.ttl_attribute.len()
            + number(self.expiry.ttl)
            + TTL_WINDOW.len()
            + window
            + TTL_DEADLINE.len()
            + number(self.expiry.deadline)
            + encoding
    }

    pub fn into_attributes(self) -> HashMap<String, AttributeValue> {
        let number = |n: Option<i64>| {
            n.map_or(AttributeValue::Null(true), |n| {
                AttributeValue::N(n.to_string())
            })
        };
        let mut item = HashMap::with_capacity(6);
        item.insert(
            self.partition_key.0.to_owned(),
            AttributeValue::S(self.partition_key.1),
        );
        item.insert(VALUE.to_owned(), AttributeValue::B(Blob::new(self.value)));
        item.insert(self.ttl_attribute.to_owned(), number(self.expiry.ttl));
        item.insert(
            TTL_WINDOW.to_owned(),
            self.expiry.window.map_or(AttributeValue::Null(true), |w| {
                AttributeValue::S(w.to_string())
            }),
        );
        item.insert(TTL_DEADLINE.to_owned(), number(self.expiry.deadline));
        if self.compressed {
            item.insert(
                VALUE_ENCODING.to_owned(),
                AttributeValue::S(DEFLATE.to_owned()),
            );
        }
        item
    }
}

const NULL_SIZE: usize = 1;

/// Bytes a number counts for: one for the exponent, one per pair of significant digits
/// (pairs aligned on the decimal point), one more if negative.
pub(crate) fn number_size(n: i64) -> usize {
    if n == 0 {
        return 1;
    }
    let mut mantissa = n.unsigned_abs();
    let mut exponent = 0i64;
    while mantissa % 10 == 0 {
        mantissa /= 10;
        exponent += 1;
    }
    let digits = mantissa.ilog10() as i64 + 1;
    let high = exponent + digits - 1;
    let pairs = high.div_euclid(2) - exponent.div_euclid(2) + 1;
    1 + pairs as usize + usize::from(n < 0)
}

/// An entry as read back, from a Rust or a .NET writer (or a hand-made item).
#[derive(Debug)]
pub(crate) struct StoredItem {
    pub value: Vec<u8>,
    pub encoding: Option<String>,
    pub ttl: Option<i64>,
    pub window: Option<TimeSpan>,
    pub deadline: Option<i64>,
    /// The expiry attributes exactly as stored (`None`: absent), so that a refresh can
    /// require the item to still hold these very values.
    pub raw: RawExpiry,
}

#[derive(Debug, Default)]
pub(crate) struct RawExpiry {
    pub ttl: Option<AttributeValue>,
    pub window: Option<AttributeValue>,
    pub deadline: Option<AttributeValue>,
}

impl StoredItem {
    /// `None` when the item has no binary `value`: such an item is not a cache entry.
    /// Attributes of other types count as absent, as they do for the .NET reader.
    pub fn parse(
        mut item: HashMap<String, AttributeValue>,
        ttl_attribute: &str,
    ) -> Option<StoredItem> {
        let value = match item.remove(VALUE)? {
            AttributeValue::B(blob) => blob.into_inner(),
            _ => return None,
        };
        let number = |v: Option<&AttributeValue>| match v {
            Some(AttributeValue::N(n)) => parse_epoch(n),
            _ => None,
        };
        let string = |v: Option<&AttributeValue>| match v {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        Some(StoredItem {
            value,
            encoding: string(item.get(VALUE_ENCODING)),
            ttl: number(item.get(ttl_attribute)),
            window: string(item.get(TTL_WINDOW)).and_then(|w| w.parse().ok()),
            deadline: number(item.get(TTL_DEADLINE)),
            raw: RawExpiry {
                ttl: item.remove(ttl_attribute),
                window: item.remove(TTL_WINDOW),
                deadline: item.remove(TTL_DEADLINE),
            },
        })
    }
}

/// Epoch seconds as .NET reads them: `(long)double.Parse(n)`, fractions dropped.
fn parse_epoch(n: &str) -> Option<i64> {
    if let Ok(whole) = n.parse::<i64>() {
        return Some(whole);
    }
    let float: f64 = n.parse().ok()?;
    float.is_finite().then_some(float.trunc() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_keys_follow_the_dotnet_rules() {
        assert_eq!(partition_key_value("foo", None), "dc:foo");
        assert_eq!(partition_key_value("foo", Some("bar")), "bar:dc:foo");
        assert_eq!(partition_key_value("", None), "dc:");
        assert_eq!(partition_key_value("foo", Some("")), "dc:foo");
    }

    #[test]
    fn number_sizes_count_base_100_digits() {
        assert_eq!(number_size(0), 1);
        assert_eq!(number_size(7), 2);
        assert_eq!(number_size(12), 2);
        assert_eq!(number_size(123), 3);
        assert_eq!(number_size(100), 2);
        assert_eq!(number_size(-7), 3);
        assert_eq!(number_size(1_700_000_000), 2);
        assert_eq!(number_size(1_700_000_123), 6);
    }

    #[test]
    fn epochs_parse_like_double_parse() {
        assert_eq!(parse_epoch("1700000000"), Some(1_700_000_000));
        assert_eq!(parse_epoch("1700000000.9"), Some(1_700_000_000));
        assert_eq!(parse_epoch("1.7E9"), Some(1_700_000_000));
        assert_eq!(parse_epoch("x"), None);
    }
}
