//! The typed data model: attribute values, items, keys and their size arithmetic.
//!
//! Requests arrive as [`RawAttributeValue`] (whatever JSON shape the client sent) and are
//! validated once, at the edge, into [`AttributeValue`]; nothing past that point ever sees
//! an invalid value or a `serde_json::Value`.

mod attribute_value;
mod encoded;
mod item;
mod key;
mod number;

pub use attribute_value::{AttributeValue, RawAttributeValue, MAX_NESTING_DEPTH};
pub use encoded::{EncodedItem, ItemOut};
pub use item::{item_size, parse_item, Item, RawItem, MAX_ITEM_SIZE};
pub use key::{KeyAttribute, KeySchema, KeyType, KeyValue, PrimaryKey};
pub use number::{Number, NumberError};
