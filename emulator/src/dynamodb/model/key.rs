use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::attribute_value::AttributeValue;
use super::item::Item;
use super::number::Number;
use crate::dynamodb::error::{DynamoError, Result};

pub const MAX_HASH_KEY_BYTES: usize = 2048;
pub const MAX_RANGE_KEY_BYTES: usize = 1024;

/// The scalar types a key attribute may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyType {
    S,
    N,
    B,
}

impl KeyType {
    pub fn name(self) -> &'static str {
        match self {
            KeyType::S => "S",
            KeyType::N => "N",
            KeyType::B => "B",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAttribute {
    pub name: String,
    pub kind: KeyType,
}

/// A table's (or index's) primary key: a hash key and an optional range key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySchema {
    pub hash: KeyAttribute,
    pub range: Option<KeyAttribute>,
}

/// A key attribute's value. Ordered as DynamoDB orders range keys: strings and binaries
/// bytewise, numbers numerically.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyValue {
    S(String),
    N(Number),
    B(Vec<u8>),
}

impl KeyValue {
    fn size(&self) -> usize {
        match self {
            KeyValue::S(s) => s.len(),
            KeyValue::N(n) => n.size(),
            KeyValue::B(b) => b.len(),
        }
    }

    pub fn to_attribute(&self) -> AttributeValue {
        match self {
            KeyValue::S(s) => AttributeValue::S(s.clone()),
            KeyValue::N(n) => AttributeValue::N(n.clone()),
            KeyValue::B(b) => AttributeValue::B(b.clone()),
        }
    }
}

/// The identity of an item within its table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrimaryKey {
    pub hash: KeyValue,
    pub range: Option<KeyValue>,
}

impl Ord for PrimaryKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.hash
            .cmp(&other.hash)
            .then_with(|| self.range.cmp(&other.range))
    }
}

impl PartialOrd for PrimaryKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn key_value(attr: &KeyAttribute, value: &AttributeValue) -> Option<KeyValue> {
    match (attr.kind, value) {
        (KeyType::S, AttributeValue::S(s)) => Some(KeyValue::S(s.clone())),
        (KeyType::N, AttributeValue::N(n)) => Some(KeyValue::N(n.clone())),
        (KeyType::B, AttributeValue::B(b)) => Some(KeyValue::B(b.clone())),
        _ => None,
    }
}

fn key_mismatch() -> DynamoError {
    DynamoError::validation("The provided key element does not match the schema")
}

fn check_not_empty(attr: &KeyAttribute, value: &KeyValue) -> Result<()> {
    let kind = match value {
        KeyValue::S(s) if s.is_empty() => "string",
        KeyValue::B(b) if b.is_empty() => "binary",
        _ => return Ok(()),
    };
    Err(DynamoError::validation(format!(
        "One or more parameter values are not valid. The AttributeValue for a key attribute \
         cannot contain an empty {kind} value. Key: {}",
        attr.name
    )))
}

impl KeySchema {
    pub fn key_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.hash.name.as_str()).chain(self.range.as_ref().map(|r| r.name.as_str()))
    }

    pub fn is_key_attribute(&self, name: &str) -> bool {
        self.key_names().any(|k| k == name)
    }

    fn check_sizes(&self, key: &PrimaryKey) -> Result<()> {
        if key.hash.size() > MAX_HASH_KEY_BYTES {
            return Err(DynamoError::invalid_parameter(
                "Size of hashkey has exceeded the maximum size limit of2048 bytes",
            ));
        }
        if key
            .range
            .as_ref()
            .is_some_and(|r| r.size() > MAX_RANGE_KEY_BYTES)
        {
            return Err(DynamoError::invalid_parameter(
                "Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
            ));
        }
        Ok(())
    }

    /// Refuses an empty string or binary value of a key attribute that has the schema's
    /// type. Transactions check this before anything else about their keys: it is a
    /// request-level error there, while a missing or mistyped key cancels the action.
    pub fn check_no_empty_key_values(&self, item: &Item) -> Result<()> {
        for attr in std::iter::once(&self.hash).chain(self.range.as_ref()) {
            if let Some(kv) = item.get(&attr.name).and_then(|v| key_value(attr, v)) {
                check_not_empty(attr, &kv)?;
            }
        }
        Ok(())
    }

    /// The key of a whole item (PutItem): each key attribute must be present and typed.
    pub fn key_of_item(&self, item: &Item) -> Result<PrimaryKey> {
        let extract = |attr: &KeyAttribute| -> Result<KeyValue> {
            let value = item.get(&attr.name).ok_or_else(|| {
                DynamoError::invalid_parameter(format!("Missing the key {} in the item", attr.name))
            })?;
            let kv = key_value(attr, value).ok_or_else(|| {
                DynamoError::invalid_parameter(format!(
                    "Type mismatch for key {} expected: {} actual: {}",
                    attr.name,
                    attr.kind.name(),
                    value.type_name()
                ))
            })?;
            check_not_empty(attr, &kv)?;
            Ok(kv)
        };
        let key = PrimaryKey {
            hash: extract(&self.hash)?,
            range: self.range.as_ref().map(extract).transpose()?,
        };
        self.check_sizes(&key)?;
        Ok(key)
    }

    /// A `Key` parameter (GetItem, UpdateItem, DeleteItem): exactly the key attributes.
    pub fn key_from_map(&self, key: &Item) -> Result<PrimaryKey> {
        let expected = 1 + usize::from(self.range.is_some());
        if key.len() != expected {
            return Err(key_mismatch());
        }
        self.key_in_item(key)
    }

    /// The key of a whole item, worded as a `Key` parameter is: a missing or mistyped key
    /// attribute is "The provided key element does not match the schema". BatchWriteItem's
    /// `PutRequest` answers so, where PutItem names the attribute ([`Self::key_of_item`]).
    pub fn key_in_item(&self, item: &Item) -> Result<PrimaryKey> {
        let extract = |attr: &KeyAttribute| -> Result<KeyValue> {
            let kv = item
                .get(&attr.name)
                .and_then(|v| key_value(attr, v))
                .ok_or_else(key_mismatch)?;
            check_not_empty(attr, &kv)?;
            Ok(kv)
        };
        let pk = PrimaryKey {
            hash: extract(&self.hash)?,
            range: self.range.as_ref().map(extract).transpose()?,
        };
        self.check_sizes(&pk)?;
        Ok(pk)
    }

    /// The key attributes of `key` as an item (what UpdateItem creates a new item from).
    pub fn key_item(&self, key: &PrimaryKey) -> Item {
        let mut item = Item::new();
        item.insert(self.hash.name.clone(), key.hash.to_attribute());
        if let (Some(attr), Some(v)) = (&self.range, &key.range) {
            item.insert(attr.name.clone(), v.to_attribute());
        }
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::model::{parse_item, RawItem};

    fn schema() -> KeySchema {
        KeySchema {
            hash: KeyAttribute {
                name: "pk".into(),
                kind: KeyType::S,
            },
            range: Some(KeyAttribute {
                name: "sk".into(),
                kind: KeyType::N,
            }),
        }
    }

    fn item(json: &str) -> Item {
        parse_item(serde_json::from_str::<RawItem>(json).unwrap()).unwrap()
    }

    fn msg(r: Result<PrimaryKey>) -> String {
        match r.unwrap_err() {
            DynamoError::Validation(m) => m,
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn put_item_key_errors() {
        let s = schema();
        assert_eq!(
            msg(s.key_of_item(&item(r#"{"sk":{"N":"1"}}"#))),
            "One or more parameter values were invalid: Missing the key pk in the item"
        );
        assert_eq!(
            msg(s.key_of_item(&item(r#"{"pk":{"N":"1"},"sk":{"N":"1"}}"#))),
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
        );
        assert_eq!(
            msg(s.key_of_item(&item(r#"{"pk":{"S":""},"sk":{"N":"1"}}"#))),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
        );
        let big = "x".repeat(2049);
        assert_eq!(
            msg(s.key_of_item(&item(&format!(r#"{{"pk":{{"S":"{big}"}},"sk":{{"N":"1"}}}}"#)))),
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
        );
        assert!(s
            .key_of_item(&item(r#"{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":""}}"#))
            .is_ok());
    }

    #[test]
    fn key_parameter_must_match_exactly() {
        let s = schema();
        let m = "The provided key element does not match the schema";
        assert_eq!(msg(s.key_from_map(&item(r#"{"pk":{"S":"a"}}"#))), m);
        assert_eq!(
            msg(s.key_from_map(&item(r#"{"pk":{"S":"a"},"sk":{"S":"1"}}"#))),
            m
        );
        assert_eq!(
            msg(s.key_from_map(&item(r#"{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"N":"1"}}"#))),
            m
        );
        let k = s
            .key_from_map(&item(r#"{"pk":{"S":"a"},"sk":{"N":"1.0"}}"#))
            .unwrap();
        assert_eq!(k.range, Some(KeyValue::N(Number::parse("1").unwrap())));
    }

    #[test]
    fn range_keys_order_like_dynamodb() {
        let n = |s: &str| KeyValue::N(Number::parse(s).unwrap());
        assert!(n("9") < n("10"));
        assert!(KeyValue::S("B".into()) < KeyValue::S("a".into()));
        assert!(KeyValue::B(vec![1]) < KeyValue::B(vec![1, 0]));
    }
}
