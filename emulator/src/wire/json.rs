//! Parsing request bodies into typed inputs, with the failure classified so each service
//! can word it as its real counterpart does.

use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonProblem {
    /// Not JSON at all (or cut short).
    Syntax,
    /// JSON, but a member has the wrong type; `found` and `expected` are in the Java/Coral
    /// vocabulary DynamoDB uses (`NUMBER_VALUE`, `String`, ...); `target` names the Rust
    /// type that was expected (`RawAttributeValue`) when it is a struct, so a service can
    /// name its own class for it.
    WrongType {
        found: String,
        expected: String,
        target: Option<String>,
    },
    /// A JSON array where a scalar of Coral type `expected` belongs.
    ListForScalar { expected: String },
    /// Some other data problem (unknown enum value, recursion limit, ...).
    Other(String),
}

/// Parses a request body; an empty body is read as `{}` (operations without input).
///
/// Structures are read from JSON objects only: serde would also fill a struct from an
/// array, member by member in declaration order, which the services reject.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, JsonProblem> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    T::deserialize(strict::Strict(&mut de))
        .and_then(|value| de.end().map(|()| value))
        .map_err(|e| classify(&e))
}

fn classify(e: &serde_json::Error) -> JsonProblem {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => JsonProblem::Syntax,
        Category::Data => {
            let text = e.to_string();
            // An integer out of the member's range is reported like any other number in a
            // non-number place (Coral's wording for this case is not on record).
            match text
                .strip_prefix("invalid type: ")
                .or_else(|| text.strip_prefix("invalid value: "))
                .and_then(|rest| rest.split_once(", expected "))
            {
                Some((found, expected)) => {
                    let found = found_token(found);
                    let expected_text = expected.split(" at line").next().unwrap_or(expected);
                    let expected = expected_type(expected_text);
                    let scalar_expected = !matches!(expected, "Structure" | "List");
                    // Coral names a container where a scalar belongs by where it starts.
                    match found {
                        "START_OBJECT" if scalar_expected => JsonProblem::Other(
                            "Start of structure or map found where not expected".to_owned(),
                        ),
                        "START_ARRAY" if scalar_expected => JsonProblem::ListForScalar {
                            expected: expected.to_owned(),
                        },
                        _ => JsonProblem::WrongType {
                            found: found.to_owned(),
                            expected: expected.to_owned(),
                            target: struct_name(expected_text),
                        },
                    }
                }
                None => {
                    JsonProblem::Other(text.split(" at line").next().unwrap_or(&text).to_owned())
                }
            }
        }
    }
}

/// `Foo` from serde's "struct Foo".
fn struct_name(expected: &str) -> Option<String> {
    expected.strip_prefix("struct ").map(str::to_owned)
}

fn found_token(found: &str) -> &'static str {
    if found.starts_with("integer") {
        "NUMBER_VALUE"
    } else if found.starts_with("floating point") {
        "DECIMAL_VALUE"
    } else if found.starts_with("string") {
        "STRING_VALUE"
    } else if found == "boolean `true`" {
        "TRUE_VALUE"
    } else if found.starts_with("boolean") {
        "FALSE_VALUE"
    } else if found.starts_with("map") {
        "START_OBJECT"
    } else if found.starts_with("sequence") {
        "START_ARRAY"
    } else {
        "VALUE_NULL"
    }
}

fn expected_type(expected: &str) -> &'static str {
    if expected.contains("string") {
        "String"
    } else if expected.contains("bool") {
        "Boolean"
    } else if expected.contains("i64") || expected.contains("u64") {
        "Long"
    } else if expected.contains("i32") || expected.contains("u32") || expected.contains("integer") {
        "Integer"
    } else if expected.contains("f64") || expected.contains("f32") {
        "Double"
    } else if expected.contains("sequence") {
        "List"
    } else {
        "Structure"
    }
}

/// A deserializer wrapper that refuses arrays wherever a struct is expected, at any depth.
mod strict {
    use std::fmt;

    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

    pub struct Strict<D>(pub D);

    struct StrictVisitor<V> {
        inner: V,
        is_struct: bool,
    }

    fn wrap<V>(inner: V) -> StrictVisitor<V> {
        StrictVisitor {
            inner,
            is_struct: false,
        }
    }

    macro_rules! forward_deserialize {
        ($($method:ident)*) => {$(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(wrap(visitor))
            }
        )*};
    }

    impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
        type Error = D::Error;

        forward_deserialize! {
            deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
            deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
            deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
            deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
            deserialize_option deserialize_unit deserialize_seq deserialize_map
            deserialize_identifier deserialize_ignored_any
        }

        fn deserialize_unit_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_unit_struct(name, wrap(visitor))
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_newtype_struct(name, wrap(visitor))
        }

        fn deserialize_tuple<V: Visitor<'de>>(
            self,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_tuple(len, wrap(visitor))
        }

        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_tuple_struct(name, len, wrap(visitor))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            let visitor = StrictVisitor {
                inner: visitor,
                is_struct: true,
            };
            self.0.deserialize_struct(name, fields, visitor)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_enum(name, variants, visitor)
        }
    }

    macro_rules! forward_visit {
        ($($method:ident: $ty:ty)*) => {$(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.inner.$method(v)
            }
        )*};
    }

    impl<'de, V: Visitor<'de>> Visitor<'de> for StrictVisitor<V> {
        type Value = V::Value;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            self.inner.expecting(f)
        }

        forward_visit! {
            visit_bool: bool visit_i8: i8 visit_i16: i16 visit_i32: i32 visit_i64: i64
            visit_i128: i128 visit_u8: u8 visit_u16: u16 visit_u32: u32 visit_u64: u64
            visit_u128: u128 visit_f32: f32 visit_f64: f64 visit_char: char
            visit_str: &str visit_borrowed_str: &'de str visit_string: String
            visit_bytes: &[u8] visit_borrowed_bytes: &'de [u8] visit_byte_buf: Vec<u8>
        }

        fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
            self.inner.visit_none()
        }

        fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
            self.inner.visit_unit()
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
            self.inner.visit_some(Strict(d))
        }

        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
            self.inner.visit_newtype_struct(Strict(d))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
            if self.is_struct {
                return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
            }
            self.inner.visit_seq(StrictAccess(seq))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
            self.inner.visit_map(StrictAccess(map))
        }

        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
            self.inner.visit_enum(data)
        }
    }

    /// Hands every element, key and value to its seed through [`Strict`].
    struct StrictAccess<A>(A);

    struct StrictSeed<S>(S);

    impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for StrictSeed<S> {
        type Value = S::Value;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
            self.0.deserialize(Strict(d))
        }
    }

    impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictAccess<A> {
        type Error = A::Error;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, A::Error> {
            self.0.next_element_seed(StrictSeed(seed))
        }

        fn size_hint(&self) -> Option<usize> {
            self.0.size_hint()
        }
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictAccess<A> {
        type Error = A::Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, A::Error> {
            self.0.next_key_seed(StrictSeed(seed))
        }

        fn next_value_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<T::Value, A::Error> {
            self.0.next_value_seed(StrictSeed(seed))
        }

        fn size_hint(&self) -> Option<usize> {
            self.0.size_hint()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        #[serde(rename = "Name")]
        name: Option<String>,
        #[serde(rename = "Limit")]
        limit: Option<i32>,
    }

    #[test]
    fn classifies_failures() {
        assert_eq!(parse::<T>(b"{").unwrap_err(), JsonProblem::Syntax);
        assert_eq!(
            parse::<T>(br#"{"Name": 5}"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "NUMBER_VALUE".into(),
                expected: "String".into(),
                target: None
            }
        );
        assert_eq!(
            parse::<T>(br#"{"Limit": "x"}"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "STRING_VALUE".into(),
                expected: "Integer".into(),
                target: None
            }
        );
        assert_eq!(
            parse::<T>(br#"{"Name": {}}"#).unwrap_err(),
            JsonProblem::Other("Start of structure or map found where not expected".into())
        );
        assert!(parse::<T>(b"").is_ok());
        assert_eq!(
            parse::<T>(br#"{"Limit": 3000000000}"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "NUMBER_VALUE".into(),
                expected: "Integer".into(),
                target: None
            }
        );
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Outer {
        #[serde(rename = "Inner")]
        inner: Option<Inner>,
        #[serde(rename = "List")]
        list: Option<Vec<Inner>>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        #[serde(rename = "A")]
        a: Option<i64>,
    }

    #[test]
    fn structures_are_read_from_objects_only() {
        let array_struct = JsonProblem::WrongType {
            found: "START_ARRAY".into(),
            expected: "Structure".into(),
            target: Some("Inner".into()),
        };
        assert_eq!(
            parse::<Outer>(br#"{"Inner":[1]}"#).unwrap_err(),
            array_struct
        );
        assert_eq!(
            parse::<Outer>(br#"{"List":[[1]]}"#).unwrap_err(),
            array_struct
        );
        assert_eq!(
            parse::<Outer>(br#"[{"A":1}]"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "START_ARRAY".into(),
                expected: "Structure".into(),
                target: Some("Outer".into()),
            }
        );
        assert_eq!(
            parse::<Outer>(br#"{"Inner":"x"}"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "STRING_VALUE".into(),
                expected: "Structure".into(),
                target: Some("Inner".into()),
            }
        );
        assert_eq!(
            parse::<Outer>(br#"{"Inner":{"A":[]}}"#).unwrap_err(),
            JsonProblem::ListForScalar {
                expected: "Long".into()
            }
        );
        let ok = parse::<Outer>(br#"{"Inner":{"A":1},"List":[{"A":2}]} "#).unwrap();
        assert_eq!(ok.list.map(|l| l.len()), Some(1));
        assert_eq!(parse::<Outer>(br#"{} x"#).unwrap_err(), JsonProblem::Syntax);
    }
}
