use std::collections::BTreeMap;

use super::attribute_value::{AttributeValue, RawAttributeValue};
use crate::dynamodb::error::Result;

/// A stored item: attribute name to value, ordered by name.
pub type Item = BTreeMap<String, AttributeValue>;

/// An item as sent by the client, before validation.
pub type RawItem = BTreeMap<String, RawAttributeValue>;

/// 400 KB, DynamoDB's item size limit.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// DynamoDB's size of an item: the UTF-8 length of every name plus its value's size.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value.size())
        .sum()
}

pub fn parse_item(raw: RawItem) -> Result<Item> {
    raw.into_iter()
        .map(|(name, value)| Ok((name, value.validate()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_counts_names_and_values() {
        let raw: RawItem =
            serde_json::from_str(r#"{"pk":{"S":"abc"},"n":{"N":"12"},"flag":{"BOOL":true}}"#)
                .unwrap();
        let item = parse_item(raw).unwrap();
        assert_eq!(item_size(&item), (2 + 3) + (1 + 2) + (4 + 1));
    }
}
