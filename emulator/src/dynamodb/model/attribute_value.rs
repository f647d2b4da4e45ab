use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::number::Number;
use crate::common::json::{self, Base64Text, Blob, Text};
use crate::dynamodb::error::{DynamoError, Result};

/// DynamoDB documents may nest 32 levels deep.
pub const MAX_NESTING_DEPTH: usize = 32;

/// A validated attribute value. Sets keep their members' order as sent, without
/// duplicates; maps are ordered by name so output is deterministic.
#[derive(Clone, Debug, PartialEq)]
pub enum AttributeValue {
    S(String),
    N(Number),
    B(Vec<u8>),
    Ss(Vec<String>),
    Ns(Vec<Number>),
    Bs(Vec<Vec<u8>>),
    M(BTreeMap<String, AttributeValue>),
    L(Vec<AttributeValue>),
    Null,
    Bool(bool),
}

impl AttributeValue {
    /// The type descriptor DynamoDB uses in messages and in `attribute_type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Ss(_) => "SS",
            AttributeValue::Ns(_) => "NS",
            AttributeValue::Bs(_) => "BS",
            AttributeValue::M(_) => "M",
            AttributeValue::L(_) => "L",
            AttributeValue::Null => "NULL",
            AttributeValue::Bool(_) => "BOOL",
        }
    }

    /// Bytes this value counts for in DynamoDB's item size arithmetic.
    pub fn size(&self) -> usize {
        match self {
            AttributeValue::S(s) => s.len(),
            AttributeValue::N(n) => n.size(),
            AttributeValue::B(b) => b.len(),
            AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
            AttributeValue::Ns(v) => v.iter().map(Number::size).sum(),
            AttributeValue::Bs(v) => v.iter().map(Vec::len).sum(),
            AttributeValue::M(m) => {
                3 + m.iter().map(|(k, v)| k.len() + 1 + v.size()).sum::<usize>()
            }
            AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + v.size()).sum::<usize>(),
            AttributeValue::Null | AttributeValue::Bool(_) => 1,
        }
    }
}

impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            AttributeValue::S(s) => map.serialize_entry("S", &Text(s))?,
            AttributeValue::N(n) => map.serialize_entry("N", n)?,
            AttributeValue::B(b) => map.serialize_entry("B", &Base64Text(b))?,
            AttributeValue::Ss(v) => {
                let members: Vec<Text<'_>> = v.iter().map(|m| Text(m)).collect();
                map.serialize_entry("SS", &members)?
            }
            AttributeValue::Ns(v) => map.serialize_entry("NS", v)?,
            AttributeValue::Bs(v) => {
                let members: Vec<Base64Text<'_>> = v.iter().map(|b| Base64Text(b)).collect();
                map.serialize_entry("BS", &members)?
            }
            AttributeValue::M(m) => map.serialize_entry("M", m)?,
            AttributeValue::L(l) => map.serialize_entry("L", l)?,
            AttributeValue::Null => map.serialize_entry("NULL", &true)?,
            AttributeValue::Bool(b) => map.serialize_entry("BOOL", b)?,
        }
        map.end()
    }
}

/// An attribute value as the client sent it: any combination of members, unchecked.
#[derive(Deserialize, Debug, Default, Clone)]
pub struct RawAttributeValue {
    #[serde(rename = "S")]
    s: Option<String>,
    #[serde(rename = "N")]
    n: Option<String>,
    #[serde(rename = "B")]
    b: Option<Blob>,
    #[serde(rename = "SS")]
    ss: Option<Vec<String>>,
    #[serde(rename = "NS")]
    ns: Option<Vec<String>>,
    #[serde(rename = "BS")]
    bs: Option<Vec<Blob>>,
    #[serde(rename = "M", default, deserialize_with = "json::map")]
    m: Option<BTreeMap<String, RawAttributeValue>>,
    #[serde(rename = "L")]
    l: Option<Vec<RawAttributeValue>>,
    #[serde(rename = "NULL", default, deserialize_with = "json::boolean")]
    null: Option<bool>,
    #[serde(rename = "BOOL", default, deserialize_with = "json::boolean")]
    bool: Option<bool>,
}

/// DynamoDB words a duplicate differently for each set type: SS lists the members, BS lists
/// them and names the type (with no space before "of"), NS says neither.
fn no_duplicates<T: PartialEq>(items: &[T], shown: &[String], set_type: &str) -> Result<()> {
    let duplicated = items
        .iter()
        .enumerate()
        .any(|(i, a)| items[..i].contains(a));
    if !duplicated {
        return Ok(());
    }
    let shown = shown.join(", ");
    Err(match set_type {
        "NS" => DynamoError::validation("Input collection contains duplicates"),
        "BS" => DynamoError::invalid_parameter(format!(
            "Input collection [{shown}]of type BS contains duplicates."
        )),
        _ => DynamoError::invalid_parameter(format!(
            "Input collection [{shown}] contains duplicates."
        )),
    })
}

impl RawAttributeValue {
    /// Validates into a typed value with DynamoDB's messages for every malformation.
    pub fn validate(self) -> Result<AttributeValue> {
        self.validate_at(1)
    }

    fn count_members(&self) -> usize {
        [
            self.s.is_some(),
            self.n.is_some(),
            self.b.is_some(),
            self.ss.is_some(),
            self.ns.is_some(),
            self.bs.is_some(),
            self.m.is_some(),
            self.l.is_some(),
            self.null.is_some(),
            self.bool.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count()
    }

    fn validate_at(self, depth: usize) -> Result<AttributeValue> {
        if depth > MAX_NESTING_DEPTH {
            return Err(DynamoError::validation(
                "Nesting Levels have exceeded supported limits",
            ));
        }
        let number =
            |text: &str| Number::parse(text).map_err(|e| DynamoError::validation(e.message()));
        // DynamoDB converts numbers as it reads the value, so a bad number is reported even
        // before the count of datatypes set ({"S":"a","N":"b"} is a numeric error).
        let n = self.n.as_deref().map(number).transpose()?;
        let ns = match &self.ns {
            Some(texts) => Some(
                texts
                    .iter()
                    .map(|t| number(t))
                    .collect::<Result<Vec<_>>>()?,
            ),
            None => None,
        };
        match self.count_members() {
            0 => {
                return Err(DynamoError::validation(
                    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
                ))
            }
            1 => {}
            _ => {
                return Err(DynamoError::validation(
                    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
                ))
            }
        }
        Ok(if let Some(s) = self.s {
            AttributeValue::S(s)
        } else if let Some(n) = n {
            AttributeValue::N(n)
        } else if let Some(b) = self.b {
            AttributeValue::B(b.0)
        } else if let Some(ss) = self.ss {
            if ss.is_empty() {
                return Err(DynamoError::invalid_parameter(
                    "An string set  may not be empty",
                ));
            }
            no_duplicates(&ss, &ss, "SS")?;
            AttributeValue::Ss(ss)
        } else if let (Some(parsed), Some(texts)) = (ns, &self.ns) {
            if parsed.is_empty() {
                return Err(DynamoError::invalid_parameter(
                    "An number set  may not be empty",
                ));
            }
            no_duplicates(&parsed, texts, "NS")?;
            AttributeValue::Ns(parsed)
        } else if let Some(bs) = self.bs {
            if bs.is_empty() {
                return Err(DynamoError::invalid_parameter(
                    "Binary sets should not be empty",
                ));
            }
            let decoded: Vec<Vec<u8>> = bs.into_iter().map(|b| b.0).collect();
            let shown: Vec<String> = decoded.iter().map(|b| BASE64.encode(b)).collect();
            no_duplicates(&decoded, &shown, "BS")?;
            AttributeValue::Bs(decoded)
        } else if let Some(m) = self.m {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                out.insert(k, v.validate_at(depth + 1)?);
            }
            AttributeValue::M(out)
        } else if let Some(l) = self.l {
            AttributeValue::L(
                l.into_iter()
                    .map(|v| v.validate_at(depth + 1))
                    .collect::<Result<Vec<_>>>()?,
            )
        } else if let Some(null) = self.null {
            if !null {
                return Err(DynamoError::invalid_parameter(
                    "Null attribute value types must have the value of true",
                ));
            }
            AttributeValue::Null
        } else {
            AttributeValue::Bool(self.bool.unwrap_or_default())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> RawAttributeValue {
        serde_json::from_str(json).unwrap()
    }

    fn err(json: &str) -> String {
        match raw(json).validate().unwrap_err() {
            DynamoError::Validation(m) | DynamoError::Serialization(m) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn round_trips_every_type() {
        for json in [
            r#"{"S":"x"}"#,
            r#"{"N":"1.5"}"#,
            r#"{"B":"AAE="}"#,
            r#"{"SS":["a","b"]}"#,
            r#"{"NS":["1","2"]}"#,
            r#"{"BS":["AA=="]}"#,
            r#"{"M":{"a":{"S":"b"}}}"#,
            r#"{"L":[{"N":"1"},{"NULL":true}]}"#,
            r#"{"NULL":true}"#,
            r#"{"BOOL":false}"#,
        ] {
            let v = raw(json).validate().unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), json);
        }
    }

    #[test]
    fn rejects_malformed_values_with_dynamodb_messages() {
        // Numbers are converted before the datatypes are counted.
        assert_eq!(
            err(r#"{"S":"a","N":"b"}"#),
            "The parameter cannot be converted to a numeric value: b"
        );
        assert_eq!(
            err(r#"{"S":"","N":""}"#),
            "The parameter cannot be converted to a numeric value"
        );
        assert_eq!(
            err(r#"{"BOOL":true,"NS":["1","x"]}"#),
            "The parameter cannot be converted to a numeric value: x"
        );
        assert_eq!(
            err("{}"),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        );
        assert_eq!(
            err(r#"{"S":"a","N":"1"}"#),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
        );
        assert_eq!(
            err(r#"{"SS":[]}"#),
            "One or more parameter values were invalid: An string set  may not be empty"
        );
        assert_eq!(
            err(r#"{"NS":[]}"#),
            "One or more parameter values were invalid: An number set  may not be empty"
        );
        assert_eq!(
            err(r#"{"BS":[]}"#),
            "One or more parameter values were invalid: Binary sets should not be empty"
        );
        assert_eq!(
            err(r#"{"SS":["a","a"]}"#),
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates."
        );
        assert_eq!(
            err(r#"{"NS":["1","1.0"]}"#),
            "Input collection contains duplicates"
        );
        assert_eq!(
            err(r#"{"BS":["Yg==","Yg=="]}"#),
            "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."
        );
        assert_eq!(
            err(r#"{"N":""}"#),
            "The parameter cannot be converted to a numeric value"
        );
        assert_eq!(
            err(r#"{"NS":["1",""]}"#),
            "The parameter cannot be converted to a numeric value"
        );
        assert_eq!(
            err(r#"{"NULL":false}"#),
            "One or more parameter values were invalid: Null attribute value types must have the value of true"
        );
        assert_eq!(
            err(r#"{"N":"x"}"#),
            "The parameter cannot be converted to a numeric value: x"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let mut json = r#"{"S":"x"}"#.to_owned();
        for _ in 0..32 {
            json = format!(r#"{{"L":[{json}]}}"#);
        }
        assert_eq!(err(&json), "Nesting Levels have exceeded supported limits");
    }

    #[test]
    fn sizes() {
        assert_eq!(raw(r#"{"S":"héllo"}"#).validate().unwrap().size(), 6);
        assert_eq!(
            raw(r#"{"L":[{"S":"ab"}]}"#).validate().unwrap().size(),
            3 + 1 + 2
        );
        assert_eq!(
            raw(r#"{"M":{"k":{"BOOL":true}}}"#)
                .validate()
                .unwrap()
                .size(),
            3 + 1 + 1 + 1
        );
    }
}
