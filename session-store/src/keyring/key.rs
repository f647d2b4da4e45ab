//! Keys and revocations in ASP.NET Core's XML format.
//!
//! ```xml
//! <key id="{guid}" version="1">
//!   <creationDate>..</creationDate> <activationDate>..</activationDate> <expirationDate>..</expirationDate>
//!   <descriptor deserializerType="...AuthenticatedEncryptorDescriptorDeserializer, ...">
//!     <descriptor>
//!       <encryption algorithm="AES_256_CBC" /> <validation algorithm="HMACSHA256" />
//!       <masterKey p4:requiresEncryption="true" xmlns:p4="..."><value>base64</value></masterKey>
//!     </descriptor>
//!   </descriptor>
//! </key>
//! <revocation version="1"><revocationDate>..</revocationDate><key id="{guid}|*" /><reason>..</reason></revocation>
//! ```
//!
//! Reading follows `XmlKeyManager`: a key element whose id or dates cannot be read is logged
//! and left out; a key whose descriptor cannot be used stays in the ring (it can never be the
//! default key, and its payloads get a clear error); a duplicate key id is an error; a
//! revocation that cannot be read is an error, because ignoring it could keep a revoked key
//! in use; unknown elements are skipped.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;
use zeroize::Zeroize;

use super::crypto::{CbcHmacEncryptor, EncryptionAlgorithm, ValidationAlgorithm};
use super::xml::XmlElement;
use super::KeyRingError;

/// The `deserializerType` ASP.NET Core writes for its default descriptor. .NET matches the
/// type name and forwards any assembly version, so the version written here does not matter.
pub const DESERIALIZER_TYPE: &str = "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=8.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60";
const DESERIALIZER_TYPE_NAME: &str =
    "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer";
const DATA_PROTECTION_NAMESPACE: &str = "http://schemas.asp.net/2015/03/dataProtection";
/// Bytes of a new master key (ASP.NET Core's 512-bit key-derivation key).
const MASTER_KEY_SIZE: usize = 64;

/// A key id: a .NET `Guid`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(Uuid);

impl KeyId {
    pub fn new_random() -> KeyId {
        let mut bytes = [0u8; 16];
        super::random_bytes(&mut bytes);
        KeyId(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    /// The id as .NET lays a `Guid` out in memory (and so in a payload header): the first
    /// three fields little-endian.
    pub fn to_dotnet_bytes(self) -> [u8; 16] {
        self.0.to_bytes_le()
    }

    pub fn from_dotnet_bytes(bytes: [u8; 16]) -> KeyId {
        KeyId(Uuid::from_bytes_le(bytes))
    }

    /// Sort order of .NET's `Guid.CompareTo` (the tie-break of default-key selection): by
    /// the first field as an unsigned integer, then the second, the third, then byte by byte.
    fn dotnet_order(&self) -> (u32, u16, u16, [u8; 8]) {
        let (a, b, c, d) = self.0.as_fields();
        (a, b, c, *d)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0.hyphenated())
    }
}

impl FromStr for KeyId {
    type Err = uuid::Error;

    /// Accepts the forms `XmlConvert.ToGuid` accepts in practice: `D`, `N`, `B` (braces).
    fn from_str(s: &str) -> Result<KeyId, uuid::Error> {
        Uuid::parse_str(s.trim()).map(KeyId)
    }
}

/// Secret bytes: wiped when dropped, never shown by `Debug`.
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    pub fn random(length: usize) -> Secret {
        let mut bytes = vec![0u8; length];
        super::random_bytes(&mut bytes);
        Secret(bytes)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// A key of the ring: its dates, whether it is revoked, and its encryptor (or why it has
/// none).
pub struct Key {
    pub(crate) id: KeyId,
    pub(crate) creation: SystemTime,
    pub(crate) activation: SystemTime,
    pub(crate) expiration: SystemTime,
    pub(crate) revoked: bool,
    pub(crate) encryptor: Result<Arc<CbcHmacEncryptor>, String>,
}

impl Key {
    pub fn id(&self) -> KeyId {
        self.id
    }
    pub fn creation_date(&self) -> SystemTime {
        self.creation
    }
    pub fn activation_date(&self) -> SystemTime {
        self.activation
    }
    pub fn expiration_date(&self) -> SystemTime {
        self.expiration
    }
    pub fn is_revoked(&self) -> bool {
        self.revoked
    }
    /// Expired at `now` (expiration is exclusive, as `IKey.IsExpired`).
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expiration <= now
    }
    /// Why this key cannot protect or unprotect anything, if it cannot.
    pub fn unusable_reason(&self) -> Option<&str> {
        self.encryptor.as_ref().err().map(String::as_str)
    }

    pub(crate) fn dotnet_order(&self) -> (u32, u16, u16, [u8; 8]) {
        self.id.dotnet_order()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("creation", &format_date(self.creation))
            .field("activation", &format_date(self.activation))
            .field("expiration", &format_date(self.expiration))
            .field("revoked", &self.revoked)
            .field("usable", &self.encryptor.is_ok())
            .finish()
    }
}

/// The algorithms of new keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Algorithms {
    pub encryption: EncryptionAlgorithm,
    pub validation: ValidationAlgorithm,
}

impl Default for Algorithms {
    /// ASP.NET Core's default: AES-256-CBC with HMACSHA256.
    fn default() -> Self {
        Algorithms {
            encryption: EncryptionAlgorithm::Aes256Cbc,
            validation: ValidationAlgorithm::HmacSha256,
        }
    }
}

/// A new key element with a fresh master key, as `XmlKeyManager.CreateNewKey` writes it.
pub(crate) fn new_key_element(
    id: KeyId,
    creation: SystemTime,
    activation: SystemTime,
    expiration: SystemTime,
    algorithms: Algorithms,
) -> XmlElement {
    let master_key = Secret::random(MASTER_KEY_SIZE);
    let mut descriptor = XmlElement::new("descriptor").with_child(
        XmlElement::new("encryption").with_attribute("algorithm", algorithms.encryption.xml_name()),
    );
    if algorithms.encryption.is_cbc() {
        descriptor = descriptor.with_child(
            XmlElement::new("validation")
                .with_attribute("algorithm", algorithms.validation.xml_name()),
        );
    }
    let descriptor = descriptor.with_child(
        XmlElement::new("masterKey")
            .with_attribute("p4:requiresEncryption", "true")
            .with_attribute("xmlns:p4", DATA_PROTECTION_NAMESPACE)
            .with_comment(" Warning: the key below is in an unencrypted form. ")
            .with_child(XmlElement::new("value").with_text(STANDARD.encode(master_key.bytes()))),
    );
    XmlElement::new("key")
        .with_attribute("id", id.to_string())
        .with_attribute("version", "1")
        .with_child(XmlElement::new("creationDate").with_text(format_date(creation)))
        .with_child(XmlElement::new("activationDate").with_text(format_date(activation)))
        .with_child(XmlElement::new("expirationDate").with_text(format_date(expiration)))
        .with_child(
            XmlElement::new("descriptor")
                .with_attribute("deserializerType", DESERIALIZER_TYPE)
                .with_child(descriptor),
        )
}

/// A revocation element for one key, or (`None`) for every key created before `date`.
pub(crate) fn revocation_element(key: Option<KeyId>, date: SystemTime, reason: &str) -> XmlElement {
    let mut element = XmlElement::new("revocation")
        .with_attribute("version", "1")
        .with_child(XmlElement::new("revocationDate").with_text(format_date(date)));
    if key.is_none() {
        element =
            element.with_comment(" All keys created before the revocation date are revoked. ");
    }
    element
        .with_child(XmlElement::new("key").with_attribute(
            "id",
            key.map(|k| k.to_string()).unwrap_or_else(|| "*".into()),
        ))
        .with_child(XmlElement::new("reason").with_text(reason))
}

/// The friendly name ASP.NET Core gives a mass revocation: `revocation-` and the date with
/// punctuation removed (`yyyyMMddTHHmmssFFFFFFFZ`).
pub(crate) fn mass_revocation_name(date: SystemTime) -> String {
    let text = format_date(date);
    format!(
        "revocation-{}",
        text.chars()
            .filter(|c| !matches!(c, '-' | ':' | '.'))
            .collect::<String>()
    )
}

enum Processed {
    Key(Key),
    Revoked(KeyId),
    RevokedBefore(SystemTime),
    Skipped,
}

/// Every key of a repository's elements, with revocations applied.
pub(crate) fn process_elements(elements: &[XmlElement]) -> Result<Vec<Key>, KeyRingError> {
    let mut keys: HashMap<KeyId, Key> = HashMap::new();
    let mut order = Vec::new();
    let mut revoked = Vec::new();
    let mut revoked_before: Option<SystemTime> = None;
    for element in elements {
        match process_element(element)? {
            Processed::Key(key) => {
                if keys.contains_key(&key.id) {
                    return Err(KeyRingError::DuplicateKey(key.id));
                }
                order.push(key.id);
                keys.insert(key.id, key);
            }
            Processed::Revoked(id) => revoked.push(id),
            Processed::RevokedBefore(date) => {
                revoked_before = Some(revoked_before.map_or(date, |d| d.max(date)));
            }
            Processed::Skipped => {}
        }
    }
    for id in revoked {
        match keys.get_mut(&id) {
            Some(key) => key.revoked = true,
            None => tracing::debug!(key = %id, "revocation of a key that is not in the ring"),
        }
    }
    if let Some(date) = revoked_before {
        // Strictly before: a key created right after a mass revocation stays valid.
        for key in keys.values_mut() {
            if key.creation < date {
                key.revoked = true;
            }
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|id| keys.remove(&id))
        .collect())
}

fn process_element(element: &XmlElement) -> Result<Processed, KeyRingError> {
    match element.name() {
        "key" => Ok(match read_key(element) {
            Ok(key) => Processed::Key(key),
            Err(reason) => {
                tracing::error!(
                    id = element.attribute("id").unwrap_or(""),
                    %reason,
                    "key element cannot be read; it is left out of the key ring"
                );
                Processed::Skipped
            }
        }),
        "revocation" => read_revocation(element).map_err(KeyRingError::InvalidRevocation),
        other => {
            tracing::debug!(
                element = other,
                "unknown element in the key repository, skipped"
            );
            Ok(Processed::Skipped)
        }
    }
}

fn read_key(element: &XmlElement) -> Result<Key, String> {
    let id: KeyId = element
        .attribute("id")
        .ok_or("no id attribute")?
        .parse()
        .map_err(|e| format!("id is not a GUID: {e}"))?;
    let date = |name: &str| -> Result<SystemTime, String> {
        let text = element.element(name).ok_or(format!("no <{name}>"))?.text();
        parse_date(&text).map_err(|e| format!("<{name}> {text:?}: {e}"))
    };
    Ok(Key {
        id,
        creation: date("creationDate")?,
        activation: date("activationDate")?,
        expiration: date("expirationDate")?,
        revoked: false,
        encryptor: read_descriptor(element).map(Arc::new),
    })
}

/// The encryptor of a key's `<descriptor>`, or why there is none.
fn read_descriptor(key: &XmlElement) -> Result<CbcHmacEncryptor, String> {
    let outer = key.element("descriptor").ok_or("no <descriptor>")?;
    let deserializer = outer.attribute("deserializerType").unwrap_or("");
    let type_name = deserializer.split(',').next().unwrap_or("").trim();
    if type_name != DESERIALIZER_TYPE_NAME {
        return Err(format!(
            "descriptor deserializer {type_name:?} is not supported (only \
             AuthenticatedEncryptorDescriptorDeserializer is)"
        ));
    }
    let descriptor = outer.element("descriptor").ok_or("no inner <descriptor>")?;
    let algorithm = |element: &str| {
        descriptor
            .element(element)
            .and_then(|e| e.attribute("algorithm"))
    };
    let encryption = match algorithm("encryption") {
        Some(name) => EncryptionAlgorithm::from_xml_name(name)
            .ok_or(format!("unknown encryption algorithm {name:?}"))?,
        None => EncryptionAlgorithm::Aes256Cbc,
    };
    let validation = match algorithm("validation") {
        Some(name) => ValidationAlgorithm::from_xml_name(name)
            .ok_or(format!("unknown validation algorithm {name:?}"))?,
        None => ValidationAlgorithm::HmacSha256,
    };
    let master_key = descriptor.element("masterKey").ok_or("no <masterKey>")?;
    if let Some(encrypted) = master_key.element("encryptedSecret") {
        return Err(format!(
            "the master key is encrypted at rest by {}, which this crate cannot decrypt",
            encrypted
                .attribute("decryptorType")
                .unwrap_or("an unknown decryptor")
        ));
    }
    let value = master_key.element("value").ok_or("no <masterKey><value>")?;
    let mut text = value.text();
    let bytes = STANDARD.decode(text.trim());
    text.zeroize();
    let bytes = bytes.map_err(|_| "master key is not base64".to_owned())?;
    CbcHmacEncryptor::new(Secret::new(bytes), encryption, validation).ok_or(format!(
        "{} is not implemented (only the CBC algorithms are)",
        encryption.xml_name()
    ))
}

fn read_revocation(element: &XmlElement) -> Result<Processed, String> {
    let id = element
        .element("key")
        .and_then(|k| k.attribute("id"))
        .ok_or("no <key id=...>")?;
    if id == "*" {
        let text = element
            .element("revocationDate")
            .ok_or("no <revocationDate>")?
            .text();
        let date = parse_date(&text).map_err(|e| format!("<revocationDate> {text:?}: {e}"))?;
        Ok(Processed::RevokedBefore(date))
    } else {
        id.parse()
            .map(Processed::Revoked)
            .map_err(|e| format!("revoked key id {id:?}: {e}"))
    }
}

/// A date as `XmlConvert.ToString(DateTimeOffset)` writes a UTC one: seconds fraction to
/// 100 ns without trailing zeros, `Z`.
pub(crate) fn format_date(date: SystemTime) -> String {
    let date = OffsetDateTime::from(date);
    let truncated = date
        .replace_nanosecond(date.nanosecond() / 100 * 100)
        .unwrap_or(date);
    truncated
        .format(&Rfc3339)
        .unwrap_or_else(|_| "0001-01-01T00:00:00Z".into())
}

/// An `xs:dateTime` with an offset, as `XmlConvert.ToDateTimeOffset` reads key dates.
pub(crate) fn parse_date(text: &str) -> Result<SystemTime, String> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map(SystemTime::from)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_in_dotnet_form() {
        let date = parse_date("2019-12-23T19:22:56.6421802Z").unwrap();
        assert_eq!(format_date(date), "2019-12-23T19:22:56.6421802Z");
        let whole = parse_date("2026-07-24T00:13:16Z").unwrap();
        assert_eq!(format_date(whole), "2026-07-24T00:13:16Z");
        // Offsets are read; written back as UTC.
        let offset = parse_date("2021-07-04T06:01:13.083377+02:00").unwrap();
        assert_eq!(format_date(offset), "2021-07-04T04:01:13.083377Z");
        assert!(parse_date("9999-12-31T23:59:59.9999999Z").is_ok());
        assert!(parse_date("yesterday").is_err());
    }

    #[test]
    fn key_ids_use_the_dotnet_byte_layout() {
        let id: KeyId = "76a45126-4f5f-4f5f-8dbd-a243fa6a8cd5".parse().unwrap();
        assert_eq!(
            id.to_dotnet_bytes(),
            [
                0x26, 0x51, 0xa4, 0x76, 0x5f, 0x4f, 0x5f, 0x4f, 0x8d, 0xbd, 0xa2, 0x43, 0xfa, 0x6a,
                0x8c, 0xd5
            ]
        );
        assert_eq!(KeyId::from_dotnet_bytes(id.to_dotnet_bytes()), id);
        assert_eq!(
            "{76A45126-4F5F-4F5F-8DBD-A243FA6A8CD5}"
                .parse::<KeyId>()
                .unwrap(),
            id
        );
    }

    #[test]
    fn mass_revocation_names_strip_punctuation() {
        let date = parse_date("2015-03-20T22:45:30.2616742Z").unwrap();
        assert_eq!(
            mass_revocation_name(date),
            "revocation-20150320T224530.2616742Z".replace('.', "")
        );
    }

    #[test]
    fn secrets_and_keys_never_show_key_material() {
        let element = new_key_element(
            KeyId::new_random(),
            SystemTime::now(),
            SystemTime::now(),
            SystemTime::now(),
            Algorithms::default(),
        );
        let keys = process_elements(std::slice::from_ref(&element)).unwrap();
        let master = element
            .element("descriptor")
            .and_then(|d| d.element("descriptor"))
            .and_then(|d| d.element("masterKey"))
            .and_then(|m| m.element("value"))
            .unwrap()
            .text();
        assert_eq!(STANDARD.decode(&master).unwrap().len(), 64);
        for shown in [format!("{:?}", keys[0]), format!("{element:?}")] {
            assert!(!shown.contains(&master), "{shown}");
        }
        assert_eq!(
            format!("{:?}", Secret::new(vec![1, 2, 3])),
            "Secret(3 bytes)"
        );
    }
}
