//! The engine's stored form of an item: one immutable, reference-counted byte buffer.
//!
//! A decoded [`Item`] is a tree of maps, strings and vectors: a 1 KB item costs several
//! allocations and B-tree nodes, three to four times its payload. The engine keeps every
//! item as one [`EncodedItem`] instead, a compact buffer behind an `Arc`, so:
//! - memory is close to the payload (one allocation per item, no per-attribute overhead);
//! - a read shares the buffer (an `Arc` clone) and never copies the item; answers are
//!   serialised straight from the bytes ([`Serialize`]);
//! - the TTL index and the change feed look up single attributes ([`EncodedItem::get`])
//!   without decoding the rest.
//!
//! Conditions, updates, projections and filters work on decoded items ([`EncodedItem::decode`]).
//!
//! Layout (all varints are LEB128; buffers are only ever produced by [`EncodedItem::encode`]
//! from validated items, but decoding still checks every bound and never panics):
//! `[u32 LE item size][varint count]` then per attribute, ordered by name,
//! `[varint name length][name][value]`, where a value is a tag byte and its payload:
//! S/B: length + bytes; N: sign byte, varint mantissa, zig-zag varint exponent; SS/BS/NS:
//! count + members; M: count + (name, value) pairs; L: count + values; NULL, false, true:
//! the tag alone.

use std::collections::BTreeMap;
use std::fmt;

use triomphe::ThinArc;

use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::attribute_value::AttributeValue;
use super::item::{item_size, Item};
use super::number::Number;
use crate::common::json::{Base64Text, Text};
use crate::common::scratch;

const S: u8 = 0;
const N: u8 = 1;
const B: u8 = 2;
const SS: u8 = 3;
const NS: u8 = 4;
const BS: u8 = 5;
const M: u8 = 6;
const L: u8 = 7;
const NULL: u8 = 8;
const FALSE: u8 = 9;
const TRUE: u8 = 10;

/// An item in the engine's compact form; cloning shares the bytes.
///
/// A thin pointer (the length lives in the allocation, beside the count, in the 16 bytes
/// a std `Arc<[u8]>` spends on its two counts): every B-tree entry holding an item is 8
/// bytes smaller, about 12 bytes less per stored item once node slack is counted.
#[derive(Clone, PartialEq, Eq)]
pub struct EncodedItem(ThinArc<(), u8>);

impl fmt::Debug for EncodedItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.decode() {
            Some(item) => item.fmt(f),
            None => write!(f, "<corrupt item of {} bytes>", self.encoded_len()),
        }
    }
}

impl EncodedItem {
    /// Encodes `item`, whose DynamoDB size is `size` (every writer has measured it already
    /// for the 400 KB limit).
    ///
    /// The bytes are written into the thread's scratch buffer ([`scratch`]) and copied once into an
    /// allocation of exactly their size. A fresh buffer per item, freed right after the
    /// copy, left a hole a little smaller than the next item between stored items, whose
    /// crumbs nothing reused: 4 % of the heap after a million batch-written items.
    pub fn encode_sized(item: &Item, size: usize) -> EncodedItem {
        scratch::with(|out| {
            out.extend_from_slice(&(size.min(u32::MAX as usize) as u32).to_le_bytes());
            write_map(out, item);
            EncodedItem::from_bytes(out)
        })
    }

    pub fn encode(item: &Item) -> EncodedItem {
        Self::encode_sized(item, item_size(item))
    }

    fn from_bytes(bytes: &[u8]) -> EncodedItem {
        EncodedItem(ThinArc::from_header_and_slice((), bytes))
    }

    fn bytes(&self) -> &[u8] {
        &self.0.slice
    }

    /// DynamoDB's size of the item (names plus values), as measured when it was written.
    pub fn size(&self) -> usize {
        self.bytes()
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .unwrap_or(0)
    }

    /// Where the buffer lives, to free many items in address order.
    pub fn address(&self) -> usize {
        self.bytes().as_ptr() as usize
    }

    /// Bytes the encoded form occupies (without the `Arc` header).
    pub fn encoded_len(&self) -> usize {
        self.bytes().len()
    }

    /// The whole item. `None` only for a buffer this module did not write.
    pub fn decode(&self) -> Option<Item> {
        let mut r = Reader::new(self.bytes().get(4..)?);
        let item = r.map()?;
        r.rest.is_empty().then_some(item)
    }

    /// One top-level attribute, decoding nothing else.
    pub fn get(&self, name: &str) -> Option<AttributeValue> {
        let mut r = Reader::new(self.bytes().get(4..)?);
        let count = r.varint()?;
        for _ in 0..count {
            let attr = r.str()?;
            if attr == name {
                return r.value();
            }
            if attr > name {
                return None;
            }
            r.skip_value()?;
        }
        None
    }

    /// The top-level attributes as lazily serialisable values, in name order.
    fn attributes(&self) -> Option<Vec<(&str, ValueRef<'_>)>> {
        let mut r = Reader::new(self.bytes().get(4..)?);
        let count = r.varint()?;
        let mut out = Vec::with_capacity(count.min(64) as usize);
        for _ in 0..count {
            let name = r.str()?;
            let start = r.rest;
            r.skip_value()?;
            let len = start.len() - r.rest.len();
            out.push((name, ValueRef(&start[..len])));
        }
        Some(out)
    }
}

impl From<&Item> for EncodedItem {
    fn from(item: &Item) -> Self {
        EncodedItem::encode(item)
    }
}

/// An item in an answer: the stored buffer itself (no copy), or an item built for this
/// answer (a projection).
#[derive(Debug)]
pub enum ItemOut {
    Stored(EncodedItem),
    Owned(Item),
}

impl ItemOut {
    /// DynamoDB's size of the item as answered (BatchGetItem's 16 MB response limit).
    pub fn size(&self) -> usize {
        match self {
            ItemOut::Stored(item) => item.size(),
            ItemOut::Owned(item) => super::item_size(item),
        }
    }
}

impl Serialize for ItemOut {
    fn serialize<Ser: Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        match self {
            ItemOut::Stored(item) => item.serialize(s),
            ItemOut::Owned(item) => item.serialize(s),
        }
    }
}

// ---- encoding ----

fn write_varint(out: &mut Vec<u8>, mut v: u128) {
    loop {
        let byte = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_varint(out, bytes.len() as u128);
    out.extend_from_slice(bytes);
}

fn write_number(out: &mut Vec<u8>, n: &Number) {
    let (negative, mantissa, exponent) = n.to_parts();
    out.push(u8::from(negative));
    write_varint(out, mantissa);
    // Zig-zag keeps small negative exponents (fractions) to one byte.
    let zigzag = ((exponent << 1) ^ (exponent >> 31)) as u32;
    write_varint(out, u128::from(zigzag));
}

fn write_map(out: &mut Vec<u8>, map: &BTreeMap<String, AttributeValue>) {
    write_varint(out, map.len() as u128);
    for (name, value) in map {
        write_bytes(out, name.as_bytes());
        write_value(out, value);
    }
}

fn write_value(out: &mut Vec<u8>, value: &AttributeValue) {
    match value {
        AttributeValue::S(s) => {
            out.push(S);
            write_bytes(out, s.as_bytes());
        }
        AttributeValue::N(n) => {
            out.push(N);
            write_number(out, n);
        }
        AttributeValue::B(b) => {
            out.push(B);
            write_bytes(out, b);
        }
        AttributeValue::Ss(v) => {
            out.push(SS);
            write_varint(out, v.len() as u128);
            v.iter().for_each(|s| write_bytes(out, s.as_bytes()));
        }
        AttributeValue::Ns(v) => {
            out.push(NS);
            write_varint(out, v.len() as u128);
            v.iter().for_each(|n| write_number(out, n));
        }
        AttributeValue::Bs(v) => {
            out.push(BS);
            write_varint(out, v.len() as u128);
            v.iter().for_each(|b| write_bytes(out, b));
        }
        AttributeValue::M(m) => {
            out.push(M);
            write_map(out, m);
        }
        AttributeValue::L(l) => {
            out.push(L);
            write_varint(out, l.len() as u128);
            l.iter().for_each(|v| write_value(out, v));
        }
        AttributeValue::Null => out.push(NULL),
        AttributeValue::Bool(false) => out.push(FALSE),
        AttributeValue::Bool(true) => out.push(TRUE),
    }
}

// ---- decoding ----

/// A bounds-checked cursor over encoded bytes. Nesting is bounded by the 32 levels
/// validation allows, so the recursion here cannot be driven deeper by a request.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(rest: &'a [u8]) -> Self {
        Reader { rest }
    }

    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(b)
    }

    fn varint(&mut self) -> Option<u128> {
        let mut v: u128 = 0;
        for shift in (0..128).step_by(7) {
            let b = self.byte()?;
            v |= u128::from(b & 0x7F).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.varint()?).ok()?;
        if len > self.rest.len() {
            return None;
        }
        let (bytes, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(bytes)
    }

    fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    fn number(&mut self) -> Option<Number> {
        let negative = self.byte()? != 0;
        let mantissa = self.varint()?;
        let zigzag = u32::try_from(self.varint()?).ok()?;
        let exponent = ((zigzag >> 1) as i32) ^ -((zigzag & 1) as i32);
        Number::from_parts(negative, mantissa, exponent)
    }

    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        // Every member takes at least one byte: a larger count is corrupt, and refusing it
        // keeps a bad buffer from reserving huge vectors.
        (n <= self.rest.len()).then_some(n)
    }

    fn map(&mut self) -> Option<BTreeMap<String, AttributeValue>> {
        let n = self.count()?;
        let mut map = BTreeMap::new();
        for _ in 0..n {
            let name = self.str()?.to_owned();
            map.insert(name, self.value()?);
        }
        Some(map)
    }

    fn value(&mut self) -> Option<AttributeValue> {
        Some(match self.byte()? {
            S => AttributeValue::S(self.str()?.to_owned()),
            N => AttributeValue::N(self.number()?),
            B => AttributeValue::B(self.bytes()?.to_vec()),
            SS => {
                let n = self.count()?;
                AttributeValue::Ss(
                    (0..n)
                        .map(|_| Some(self.str()?.to_owned()))
                        .collect::<Option<_>>()?,
                )
            }
            NS => {
                let n = self.count()?;
                AttributeValue::Ns((0..n).map(|_| self.number()).collect::<Option<_>>()?)
            }
            BS => {
                let n = self.count()?;
                AttributeValue::Bs(
                    (0..n)
                        .map(|_| Some(self.bytes()?.to_vec()))
                        .collect::<Option<_>>()?,
                )
            }
            M => AttributeValue::M(self.map()?),
            L => {
                let n = self.count()?;
                AttributeValue::L((0..n).map(|_| self.value()).collect::<Option<_>>()?)
            }
            NULL => AttributeValue::Null,
            FALSE => AttributeValue::Bool(false),
            TRUE => AttributeValue::Bool(true),
            _ => return None,
        })
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.byte()? {
            S | B => {
                self.bytes()?;
            }
            N => {
                self.number()?;
            }
            SS | BS => {
                for _ in 0..self.count()? {
                    self.bytes()?;
                }
            }
            NS => {
                for _ in 0..self.count()? {
                    self.number()?;
                }
            }
            M => {
                for _ in 0..self.count()? {
                    self.bytes()?;
                    self.skip_value()?;
                }
            }
            L => {
                for _ in 0..self.count()? {
                    self.skip_value()?;
                }
            }
            NULL | FALSE | TRUE => {}
            _ => return None,
        }
        Some(())
    }
}

// ---- serialising straight from the bytes ----

const CORRUPT: &str = "corrupt stored item";

impl Serialize for EncodedItem {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        let attributes = self
            .attributes()
            .ok_or_else(|| Ser::Error::custom(CORRUPT))?;
        let mut map = serializer.serialize_map(Some(attributes.len()))?;
        for (name, value) in attributes {
            map.serialize_entry(name, &value)?;
        }
        map.end()
    }
}

/// One encoded value (tag and payload), serialised as DynamoDB's `{"S": ...}` form.
struct ValueRef<'a>(&'a [u8]);

/// A run of encoded members of one set or list type, serialised as a JSON array.
struct Members<'a> {
    tag: u8,
    bytes: &'a [u8],
    count: usize,
}

/// The members of an encoded map, serialised as a JSON object.
struct Entries<'a> {
    bytes: &'a [u8],
    count: usize,
}

/// A scalar's JSON string: borrowed for strings, formatted for numbers, base-64 for binaries.
enum Scalar<'a> {
    Borrowed(&'a str),
    Number(Number),
    Binary(&'a [u8]),
}

impl Serialize for Scalar<'_> {
    fn serialize<Ser: Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        match self {
            Scalar::Borrowed(v) => Text(v).serialize(s),
            Scalar::Number(v) => v.serialize(s),
            Scalar::Binary(v) => Base64Text(v).serialize(s),
        }
    }
}

impl<'a> Reader<'a> {
    fn scalar(&mut self, tag: u8) -> Option<Scalar<'a>> {
        Some(match tag {
            S => Scalar::Borrowed(self.str()?),
            N => Scalar::Number(self.number()?),
            B => Scalar::Binary(self.bytes()?),
            _ => return None,
        })
    }
}

impl Serialize for Members<'_> {
    fn serialize<Ser: Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        let corrupt = || Ser::Error::custom(CORRUPT);
        let mut seq = s.serialize_seq(Some(self.count))?;
        let mut r = Reader::new(self.bytes);
        for _ in 0..self.count {
            if self.tag == L {
                let start = r.rest;
                r.skip_value().ok_or_else(corrupt)?;
                let len = start.len() - r.rest.len();
                seq.serialize_element(&ValueRef(&start[..len]))?;
            } else {
                seq.serialize_element(&r.scalar(self.tag).ok_or_else(corrupt)?)?;
            }
        }
        seq.end()
    }
}

impl Serialize for Entries<'_> {
    fn serialize<Ser: Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        let corrupt = || Ser::Error::custom(CORRUPT);
        let mut map = s.serialize_map(Some(self.count))?;
        let mut r = Reader::new(self.bytes);
        for _ in 0..self.count {
            let name = r.str().ok_or_else(corrupt)?;
            let start = r.rest;
            r.skip_value().ok_or_else(corrupt)?;
            let len = start.len() - r.rest.len();
            map.serialize_entry(name, &ValueRef(&start[..len]))?;
        }
        map.end()
    }
}

impl Serialize for ValueRef<'_> {
    fn serialize<Ser: Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        let corrupt = || Ser::Error::custom(CORRUPT);
        let mut r = Reader::new(self.0);
        let tag = r.byte().ok_or_else(corrupt)?;
        let mut map = s.serialize_map(Some(1))?;
        match tag {
            S | N | B => {
                let name = ["S", "N", "B"][tag as usize];
                map.serialize_entry(name, &r.scalar(tag).ok_or_else(corrupt)?)?;
            }
            SS | NS | BS | L => {
                let count = r.count().ok_or_else(corrupt)?;
                let (name, member) = match tag {
                    SS => ("SS", S),
                    NS => ("NS", N),
                    BS => ("BS", B),
                    _ => ("L", L),
                };
                map.serialize_entry(
                    name,
                    &Members {
                        tag: member,
                        bytes: r.rest,
                        count,
                    },
                )?;
            }
            M => {
                let count = r.count().ok_or_else(corrupt)?;
                map.serialize_entry(
                    "M",
                    &Entries {
                        bytes: r.rest,
                        count,
                    },
                )?;
            }
            NULL => map.serialize_entry("NULL", &true)?,
            FALSE => map.serialize_entry("BOOL", &false)?,
            TRUE => map.serialize_entry("BOOL", &true)?,
            _ => return Err(corrupt()),
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::model::{parse_item, RawItem};

    fn item(json: &str) -> Item {
        parse_item(serde_json::from_str::<RawItem>(json).unwrap()).unwrap()
    }

    const EVERY_TYPE: &str = r#"{
        "pk": {"S": "a\u0000b"}, "n": {"N": "-12.5e-3"}, "z": {"N": "0"},
        "big": {"N": "99999999999999999999999999999999999999"},
        "b": {"B": "AAEC"}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "-1E+100"]},
        "bs": {"BS": ["AA==", "AQ=="]}, "nul": {"NULL": true}, "t": {"BOOL": true},
        "f": {"BOOL": false},
        "m": {"M": {"inner": {"L": [{"S": "v"}, {"M": {}}, {"L": []}, {"N": "3"}]}}}
    }"#;

    #[test]
    fn round_trips_every_type() {
        let original = item(EVERY_TYPE);
        let encoded = EncodedItem::encode(&original);
        assert_eq!(encoded.size(), item_size(&original));
        assert_eq!(encoded.decode().unwrap(), original);
        for (name, value) in &original {
            assert_eq!(encoded.get(name).as_ref(), Some(value), "{name}");
        }
        assert_eq!(encoded.get("missing"), None);
        assert_eq!(encoded.get("zzz"), None);
    }

    #[test]
    fn serialises_like_the_decoded_item() {
        let original = item(EVERY_TYPE);
        let encoded = EncodedItem::encode(&original);
        assert_eq!(
            serde_json::to_string(&encoded).unwrap(),
            serde_json::to_string(&original).unwrap()
        );
    }

    #[test]
    fn corrupt_buffers_fail_cleanly() {
        let encoded = EncodedItem::encode(&item(EVERY_TYPE));
        for cut in 0..encoded.encoded_len() {
            let truncated = EncodedItem::from_bytes(&encoded.bytes()[..cut]);
            assert!(truncated.decode().is_none());
            assert!(serde_json::to_string(&truncated).is_err());
        }
    }
}
