//! Parsing request bodies into typed inputs, with the failure classified so each service
//! can word it as its real counterpart does; and what answers need beyond serde_json:
//! binaries and long text written as finished string tokens ([`Base64Text`], [`Text`])
//! and answers rendered into exactly sized buffers ([`render`]).

use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};

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
        /// The misplaced structure is a member of its parent structure, not an element of
        /// a list or a value of a map (Coral words the two differently).
        field: bool,
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
    let body = prune_deep(body);
    let mut de = serde_json::Deserializer::from_slice(&body);
    T::deserialize(strict::Strict {
        de: &mut de,
        field: false,
    })
    .and_then(|value| de.end().map(|()| value))
    .map_err(|e| classify(&e))
}

/// Containers nested deeper than this are cut off before parsing. No valid request comes
/// near it (32 levels of attribute values, two JSON levels each, inside a few levels of
/// request structure, stay under 75), and it keeps the parser, the typed inputs' drop
/// glue and every validation pass well inside their stacks: serde_json's own limit (128)
/// is never reached, so how deep a request goes never changes the kind of answer.
pub const MAX_DEPTH: usize = 100;

/// The body with every container that starts deeper than [`MAX_DEPTH`] replaced by an
/// empty one of the same kind (`[]` or `{}`), found by one loop over the bytes.
///
/// Whatever was nested that deep is invalid anyway, and what the services answer depends
/// only on the shallower levels: an attribute value 50 levels down gets DynamoDB's
/// "Nesting Levels have exceeded supported limits" at level 33 exactly as one 40 levels
/// down does, and a body that is broken higher up is refused there. A container left open
/// at the end of the body stays unterminated, so truncated bodies are still syntax errors.
fn prune_deep(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    // Depth never exceeds the number of opening brackets, and counting them is one
    // vectorised pass, which stops at the first one too many: nearly every request (a
    // 1 KB binary value has none) stops here.
    if memchr::memchr2_iter(b'[', b'{', body)
        .take(MAX_DEPTH + 1)
        .count()
        <= MAX_DEPTH
    {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut depth = 0usize;
    let mut out: Option<Vec<u8>> = None;
    // While skipping a pruned container: the depth at which it opened.
    let mut skipping: Option<usize> = None;
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        // The end of what this step consumes: one byte, or a whole string.
        let mut end = i + 1;
        match b {
            b'"' => end = string_end(body, end),
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH && skipping.is_none() {
                    skipping = Some(depth);
                    out.get_or_insert_with(|| body[..i].to_vec()).push(b);
                }
            }
            b']' | b'}' => {
                if skipping == Some(depth) {
                    skipping = None;
                    if let Some(out) = out.as_mut() {
                        out.push(b);
                    }
                    depth = depth.saturating_sub(1);
                    i = end;
                    continue;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        if skipping.is_none() {
            if let Some(out) = out.as_mut() {
                out.extend_from_slice(&body[i..end]);
            }
        }
        i = end;
    }
    match out {
        Some(pruned) => std::borrow::Cow::Owned(pruned),
        None => std::borrow::Cow::Borrowed(body),
    }
}

/// Where the string whose contents start at `from` ends (just after its closing quote), or
/// the body's end if it is unterminated. Strings are most of a write's bytes (base64 binary
/// values), so they are skipped a vectorised search at a time, not byte by byte: that loop
/// was the top cost of a BatchWriteItem of 25 items of 1 KB.
fn string_end(body: &[u8], mut from: usize) -> usize {
    while let Some(k) = memchr::memchr2(b'"', b'\\', &body[from..]) {
        if body[from + k] == b'"' {
            return from + k + 1;
        }
        // A backslash escapes the byte after it, whatever it is.
        from = (from + k + 2).min(body.len());
    }
    body.len()
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
                    let (field, expected_text) = match expected_text.strip_prefix(FIELD_MARK) {
                        Some(rest) => (true, rest),
                        None => (false, expected_text),
                    };
                    let expected = expected_type(expected_text);
                    let scalar_expected = !matches!(expected, "Structure" | "List" | "Map");
                    // Coral names a container where a scalar belongs by where it starts; an
                    // object is out of place anywhere but where a structure or map belongs.
                    match found {
                        "START_OBJECT" if expected != "Structure" => JsonProblem::Other(
                            "Start of structure or map found where not expected".to_owned(),
                        ),
                        "START_ARRAY" if scalar_expected => JsonProblem::ListForScalar {
                            expected: expected.to_owned(),
                        },
                        _ => JsonProblem::WrongType {
                            found: found.to_owned(),
                            expected: expected.to_owned(),
                            target: struct_name(expected_text),
                            field,
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

/// `Foo` from serde's "struct Foo" (or from [`map`]'s "map of Foo").
fn struct_name(expected: &str) -> Option<String> {
    expected
        .strip_prefix("struct ")
        .or_else(|| expected.strip_prefix(MAP_OF))
        .map(str::to_owned)
}

/// How [`strict`] marks a structure that is a member of its parent structure.
const FIELD_MARK: &str = "field ";
/// How [`map`] names the value type of a map that met an array.
const MAP_OF: &str = "map of ";

/// Maps with string keys, so [`map`] can name their value type.
pub trait StringMap {
    type Value;
}

impl<V, S> StringMap for std::collections::HashMap<String, V, S> {
    type Value = V;
}

impl<V> StringMap for std::collections::BTreeMap<String, V> {
    type Value = V;
}

/// `deserialize_with` for an optional map member: Coral names the map's value type when an
/// array stands where the map belongs, which serde's own message ("a map") does not.
pub fn map<'de, D, M>(d: D) -> Result<Option<M>, D::Error>
where
    D: Deserializer<'de>,
    M: Deserialize<'de> + StringMap,
{
    Option::<M>::deserialize(d).map_err(|e| {
        if e.to_string()
            .starts_with("invalid type: sequence, expected a map")
        {
            let value = std::any::type_name::<M::Value>();
            let value = value.rsplit("::").next().unwrap_or(value);
            de::Error::custom(format!("invalid type: sequence, expected {MAP_OF}{value}"))
        } else {
            e
        }
    })
}

/// `deserialize_with` for an optional Boolean member. Coral also reads the strings `true`,
/// `yes`, `1`, `false`, `no` and `0` (any case) as Booleans, and rejects other strings with
/// a message of its own.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct BoolVisitor;

    impl<'de> Visitor<'de> for BoolVisitor {
        type Value = Option<bool>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean")
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Ok(Some(true)),
                "false" | "no" | "0" => Ok(Some(false)),
                _ => Err(E::custom("Unexpected token received from parser")),
            }
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    d.deserialize_any(BoolVisitor)
}

/// A Coral blob: base64 text, checked as Coral checks it when it reads the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob(pub Vec<u8>);

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct BlobVisitor;

        const NOT_TEXT: &str = "only base-64-encoded strings are convertible to bytes";

        impl<'de> Visitor<'de> for BlobVisitor {
            type Value = Blob;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("base64 text")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Blob, E> {
                decode_base64(v).map(Blob).map_err(E::custom)
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Blob, E> {
                Err(E::custom(NOT_TEXT))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Blob, E> {
                Err(E::custom(NOT_TEXT))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Blob, E> {
                Err(E::custom(NOT_TEXT))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Blob, E> {
                Err(E::custom(NOT_TEXT))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Blob, A::Error> {
                Err(de::Error::custom(
                    "Unrecognized collection type class java.nio.ByteBuffer",
                ))
            }

            fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Blob, A::Error> {
                Err(de::Error::custom(
                    "Start of structure or map found where not expected",
                ))
            }
        }

        d.deserialize_any(BlobVisitor)
    }
}

/// Decodes base64 with Coral's checks and messages: the length first, then the bits the
/// last character carries beyond the data (they must be zero), then the alphabet.
fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    if text.len() % 4 != 0 {
        return Err(format!(
            "Base64 encoded length is expected a multiple of 4 bytes but found: {}",
            text.len()
        ));
    }
    let data = text.trim_end_matches('=');
    let sextet = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        // Coral reads a stray pad as zero bits when it checks the last character.
        b'=' => Some(0),
        _ => None,
    };
    // 2 or 3 characters in the last quantum carry 4 or 2 bits too many.
    let spare_bits = match data.len() % 4 {
        2 => 0b1111,
        3 => 0b11,
        _ => 0,
    };
    if let Some(last) = data.bytes().last().and_then(sextet) {
        if last & spare_bits != 0 || text.len() - data.len() > 2 {
            return Err("Invalid last non-pad Base64 character dectected".to_owned());
        }
    }
    // The SIMD decoder for the common case; it only says *that* text is bad, so the
    // scalar one runs again on a failure to say what is wrong. (A property test checks
    // that the SIMD decoder never accepts what the scalar one refuses.)
    if let Ok(bytes) = base64_simd::STANDARD.decode_to_vec(text) {
        return Ok(bytes);
    }
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| match e {
            base64::DecodeError::InvalidByte(_, b) => {
                format!("Invalid Base64 character: '{}'", char::from(b))
            }
            _ => "Invalid last non-pad Base64 character dectected".to_owned(),
        })
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
    if expected.starts_with(MAP_OF) || expected == "a map" {
        "Map"
    } else if expected.contains("string") {
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

/// A deserializer wrapper that refuses arrays wherever a struct is expected, at any depth,
/// and marks in its "expected" text whether a misplaced structure is a member of its parent
/// structure ([`FIELD_MARK`]) or an element of a list or map.
mod strict {
    use std::fmt;

    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

    use super::FIELD_MARK;

    pub struct Strict<D> {
        pub de: D,
        /// The value being read is a member of a structure.
        pub field: bool,
    }

    struct StrictVisitor<V> {
        inner: V,
        is_struct: bool,
        field: bool,
    }

    macro_rules! forward_deserialize {
        ($($method:ident)*) => {$(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                let visitor = self.wrap(visitor);
                self.de.$method(visitor)
            }
        )*};
    }

    impl<D> Strict<D> {
        fn wrap<V>(&self, inner: V) -> StrictVisitor<V> {
            StrictVisitor {
                inner,
                is_struct: false,
                field: self.field,
            }
        }
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
            let visitor = self.wrap(visitor);
            self.de.deserialize_unit_struct(name, visitor)
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            let visitor = self.wrap(visitor);
            self.de.deserialize_newtype_struct(name, visitor)
        }

        fn deserialize_tuple<V: Visitor<'de>>(
            self,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            let visitor = self.wrap(visitor);
            self.de.deserialize_tuple(len, visitor)
        }

        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            let visitor = self.wrap(visitor);
            self.de.deserialize_tuple_struct(name, len, visitor)
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
                field: self.field,
            };
            self.de.deserialize_struct(name, fields, visitor)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.de.deserialize_enum(name, variants, visitor)
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
            if self.is_struct && self.field {
                f.write_str(FIELD_MARK)?;
            }
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
            self.inner.visit_some(Strict {
                de: d,
                field: self.field,
            })
        }

        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
            self.inner.visit_newtype_struct(Strict {
                de: d,
                field: self.field,
            })
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
            if self.is_struct {
                return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
            }
            self.inner.visit_seq(StrictAccess {
                access: seq,
                fields: false,
            })
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
            self.inner.visit_map(StrictAccess {
                access: map,
                fields: self.is_struct,
            })
        }

        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
            self.inner.visit_enum(data)
        }
    }

    /// Hands every element, key and value to its seed through [`Strict`]; the values of a
    /// structure's map are its members.
    struct StrictAccess<A> {
        access: A,
        fields: bool,
    }

    struct StrictSeed<S> {
        seed: S,
        field: bool,
    }

    impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for StrictSeed<S> {
        type Value = S::Value;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
            self.seed.deserialize(Strict {
                de: d,
                field: self.field,
            })
        }
    }

    impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictAccess<A> {
        type Error = A::Error;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, A::Error> {
            self.access
                .next_element_seed(StrictSeed { seed, field: false })
        }

        fn size_hint(&self) -> Option<usize> {
            self.access.size_hint()
        }
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictAccess<A> {
        type Error = A::Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, A::Error> {
            self.access.next_key_seed(StrictSeed { seed, field: false })
        }

        fn next_value_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<T::Value, A::Error> {
            self.access.next_value_seed(StrictSeed {
                seed,
                field: self.fields,
            })
        }

        fn size_hint(&self) -> Option<usize> {
            self.access.size_hint()
        }
    }
}

/// A binary value as its JSON string, written into the answer as it is.
///
/// A 1 KB binary answers as 1,368 base-64 characters. Serialised as a `&str`, serde_json
/// would scan each of them for characters to escape (a fifth of a GetItem's instructions)
/// and the text would be checked as UTF-8 first, yet base 64's alphabet is plain ASCII
/// with nothing to escape. So the token is built whole (quotes included, with a SIMD
/// encoder) and handed over as a raw value ([`string_token`]).
pub struct Base64Text<'a>(pub &'a [u8]);

impl serde::Serialize for Base64Text<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let engine = &base64_simd::STANDARD;
        let mut token = String::with_capacity(engine.encoded_length(self.0.len()) + 2);
        token.push('"');
        engine.encode_append(self.0, &mut token);
        token.push('"');
        string_token(token).serialize(s)
    }
}

/// A string value (an `S`, a member of an `SS`), written into the answer without
/// serde_json's escaping loop when it has nothing to escape.
///
/// serde_json looks up every byte of a string in its escape table one at a time, about
/// nine instructions a byte: half the instructions of a GetItem whose item holds 1,000
/// characters of text. Whether anything needs escaping at all (a control character, a
/// quote, a backslash) is one loop the compiler vectorises; text without any is handed
/// over as a finished token. Short text is not worth the token's allocation and goes the
/// usual way, as does text that needs escaping.
pub struct Text<'a>(pub &'a str);

/// Text at least this long is checked and written as a token.
const TOKEN_TEXT_BYTES: usize = 32;

impl serde::Serialize for Text<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.0;
        if text.len() < TOKEN_TEXT_BYTES || needs_escaping(text) {
            return s.serialize_str(text);
        }
        let mut token = String::with_capacity(text.len() + 2);
        token.push('"');
        token.push_str(text);
        token.push('"');
        string_token(token).serialize(s)
    }
}

/// Whether JSON needs any byte of `text` escaped: exactly the bytes serde_json escapes.
/// No early exit, so the loop is vectorised.
fn needs_escaping(text: &str) -> bool {
    text.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// A finished JSON string token (quotes included) as a value serde_json copies as it is.
fn string_token(token: String) -> Box<serde_json::value::RawValue> {
    debug_assert!(token.len() >= 2 && token.starts_with('"') && token.ends_with('"'));
    // SAFETY: the contract is only that the text is one well-formed JSON value. Both
    // callers build a quote, UTF-8 text with no control character, quote or backslash in
    // it (base 64, or text checked by `needs_escaping`), and a quote: a JSON string.
    // Debug builds (every test) re-parse it and panic if it is not.
    unsafe { serde_json::value::RawValue::from_string_unchecked(token) }
}

/// Serialises an answer into an exactly sized buffer.
///
/// `serde_json::to_vec` starts at 128 bytes and doubles its way up (four reallocations
/// for a 1 KB item), and the spare capacity then costs `Bytes` a further allocation.
/// Writing into the thread's scratch buffer and copying out once does neither.
pub fn render<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    super::scratch::with(|buffer| {
        serde_json::to_writer(&mut *buffer, value)?;
        Ok(buffer.to_vec())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The SIMD decoder (fast path) accepts nothing the scalar one refuses, and
        /// decodes alike: texts over the alphabet, stray pads included.
        #[test]
        fn simd_base64_agrees_with_the_scalar_decoder(text in "[A-Za-z0-9+/=]{0,12}([A-Za-z0-9+/]{0,40}[A-Za-z0-9+/=]{0,4})?") {
            use base64::Engine as _;
            let fast = base64_simd::STANDARD.decode_to_vec(&text).ok();
            let slow = base64::engine::general_purpose::STANDARD.decode(&text).ok();
            proptest::prop_assert!(fast.is_none() || fast == slow, "{text:?}: {fast:?} vs {slow:?}");
        }

        /// Near misses of valid texts: one character replaced (non-zero trailing bits,
        /// a pad moved inward, ...).
        #[test]
        fn simd_base64_agrees_on_near_misses(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            at in 0usize..64,
            with in "[A-Za-z0-9+/=]",
        ) {
            use base64::Engine as _;
            let mut text = base64::engine::general_purpose::STANDARD.encode(&bytes).into_bytes();
            if !text.is_empty() {
                let i = at % text.len();
                text[i] = with.as_bytes()[0];
            }
            let fast = base64_simd::STANDARD.decode_to_vec(&text).ok();
            let slow = base64::engine::general_purpose::STANDARD.decode(&text).ok();
            proptest::prop_assert!(fast.is_none() || fast == slow, "{text:?}: {fast:?} vs {slow:?}");
        }
    }

    #[test]
    fn binaries_render_as_their_base64_strings() {
        use base64::Engine as _;
        for len in [0, 1, 2, 3, 31, 32, 33, 1024, 5000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
            assert_eq!(
                render(&[Base64Text(&bytes)]).unwrap(),
                serde_json::to_vec(&[text]).unwrap(),
                "{len} bytes"
            );
        }
    }

    /// Long text goes out as a token only when it needs no escaping, and either way
    /// exactly as serde_json writes it.
    #[test]
    fn text_renders_as_serde_json_writes_it() {
        let long = "x".repeat(TOKEN_TEXT_BYTES);
        let cases = [
            String::new(),
            "short, \"quoted\"".to_owned(),
            long.clone(),
            format!("{long}ünïcödé ✓ \u{7f}"),
            format!("{long}\""),
            format!("{long}\\"),
            format!("{long}\n"),
            format!("\u{1}{long}"),
        ];
        for text in &cases {
            assert_eq!(
                render(&Text(text)).unwrap(),
                serde_json::to_vec(text).unwrap(),
                "{text:?}"
            );
        }
        assert!(!needs_escaping(&cases[3]));
        assert!(cases[4..].iter().all(|t| needs_escaping(t)));
    }

    #[test]
    fn render_sizes_exactly() {
        let small = render(&"x".repeat(100)).unwrap();
        assert_eq!(small.len(), small.capacity());
        let big = render(&"y".repeat(super::super::scratch::KEEP_BYTES * 2)).unwrap();
        assert_eq!(big.len(), super::super::scratch::KEEP_BYTES * 2 + 2);
        assert_eq!(render(&"z").unwrap(), br#""z""#);
    }

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
                target: None,
                field: false,
            }
        );
        assert_eq!(
            parse::<T>(br#"{"Limit": "x"}"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "STRING_VALUE".into(),
                expected: "Integer".into(),
                target: None,
                field: false,
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
                target: None,
                field: false,
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
            field: true,
        };
        assert_eq!(
            parse::<Outer>(br#"{"Inner":[1]}"#).unwrap_err(),
            array_struct
        );
        assert_eq!(
            parse::<Outer>(br#"{"List":[[1]]}"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "START_ARRAY".into(),
                expected: "Structure".into(),
                target: Some("Inner".into()),
                field: false,
            }
        );
        assert_eq!(
            parse::<Outer>(br#"[{"A":1}]"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "START_ARRAY".into(),
                expected: "Structure".into(),
                target: Some("Outer".into()),
                field: false,
            }
        );
        assert_eq!(
            parse::<Outer>(br#"{"Inner":"x"}"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "STRING_VALUE".into(),
                expected: "Structure".into(),
                target: Some("Inner".into()),
                field: true,
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

    #[test]
    fn containers_beyond_the_depth_limit_are_emptied() {
        let nest = |depth: usize, inner: &str| {
            format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
        };
        let shallow = nest(MAX_DEPTH, "1");
        assert!(matches!(
            prune_deep(shallow.as_bytes()),
            std::borrow::Cow::Borrowed(_)
        ));
        // Many brackets but shallow: the full walk, and nothing to prune.
        let wide = format!("[{}[]]", "[],".repeat(500));
        assert!(matches!(
            prune_deep(wide.as_bytes()),
            std::borrow::Cow::Borrowed(_)
        ));
        let deep = format!(r#"{{"a":{},"b":"[{{"}}"#, nest(MAX_DEPTH + 50, r#""]}""#));
        let pruned = String::from_utf8(prune_deep(deep.as_bytes()).into_owned()).unwrap();
        assert_eq!(
            pruned,
            format!(r#"{{"a":{},"b":"[{{"}}"#, nest(MAX_DEPTH - 1, "[]"))
        );
        assert!(serde_json::from_str::<serde_json::Value>(&pruned).is_ok());
        // Unterminated stays unterminated.
        let open = "[".repeat(100_000);
        let pruned = prune_deep(open.as_bytes());
        assert_eq!(pruned.len(), MAX_DEPTH + 1);
        assert!(serde_json::from_slice::<serde_json::Value>(&pruned)
            .unwrap_err()
            .is_eof());
        let objects = format!(r#"{}"x"{}"#, r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
        let pruned = prune_deep(objects.as_bytes());
        assert!(serde_json::from_slice::<serde_json::Value>(&pruned).is_ok());
        // Brackets inside strings never count, escaped quotes and backslashes included.
        let strings = vec![r#""a\"[{\\\\""#; 200].join(",");
        let shallow = format!("[{strings}]");
        assert!(matches!(
            prune_deep(shallow.as_bytes()),
            std::borrow::Cow::Borrowed(_)
        ));
        let deep = format!("[{strings},{}]", nest(MAX_DEPTH + 5, "1"));
        let pruned = String::from_utf8(prune_deep(deep.as_bytes()).into_owned()).unwrap();
        assert_eq!(pruned, format!("[{strings},{}]", nest(MAX_DEPTH - 1, "[]")));
        // An unterminated string, ending in a backslash, runs to the end of the body.
        let open = format!("{}\"{}\\", "[".repeat(50), "{".repeat(200));
        assert_eq!(prune_deep(open.as_bytes()).as_ref(), open.as_bytes());
    }
}
