//! ASP.NET Core Data Protection's authenticated encryption, on RustCrypto primitives.
//!
//! The layout and the key derivation are those of .NET's `CbcAuthenticatedEncryptor` /
//! `ManagedAuthenticatedEncryptor` (the default, `AES_256_CBC` + `HMACSHA256`), so payloads
//! cross between .NET and Rust in both directions:
//!
//! ```text
//! keyModifier (16) | IV (block size) | AES-CBC-PKCS7 ciphertext | HMAC(IV | ciphertext)
//! ```
//!
//! Each payload has its own pair of subkeys, derived from the key's master key with
//! SP800-108 in counter mode over HMAC-SHA512: label = the additional authenticated data
//! (which binds the key id and the purposes), context = the algorithm's context header
//! followed by the payload's random key modifier. The MAC key is as long as the digest.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha512};
use zeroize::Zeroizing;

use super::key::Secret;

/// Bytes of the random key modifier at the front of every payload.
pub(crate) const KEY_MODIFIER_SIZE: usize = 16;
const AES_BLOCK_SIZE: usize = 16;

/// The symmetric algorithms of ASP.NET Core's `EncryptionAlgorithm` enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncryptionAlgorithm {
    Aes128Cbc,
    Aes192Cbc,
    Aes256Cbc,
    Aes128Gcm,
    Aes192Gcm,
    Aes256Gcm,
}

/// The MAC algorithms of ASP.NET Core's `ValidationAlgorithm` enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationAlgorithm {
    HmacSha256,
    HmacSha512,
}

impl EncryptionAlgorithm {
    /// The name in a key's `<encryption algorithm="...">`.
    pub fn xml_name(self) -> &'static str {
        match self {
            Self::Aes128Cbc => "AES_128_CBC",
            Self::Aes192Cbc => "AES_192_CBC",
            Self::Aes256Cbc => "AES_256_CBC",
            Self::Aes128Gcm => "AES_128_GCM",
            Self::Aes192Gcm => "AES_192_GCM",
            Self::Aes256Gcm => "AES_256_GCM",
        }
    }

    pub fn from_xml_name(name: &str) -> Option<Self> {
        [
            Self::Aes128Cbc,
            Self::Aes192Cbc,
            Self::Aes256Cbc,
            Self::Aes128Gcm,
            Self::Aes192Gcm,
            Self::Aes256Gcm,
        ]
        .into_iter()
        .find(|a| a.xml_name() == name)
    }

    fn key_size(self) -> usize {
        match self {
            Self::Aes128Cbc | Self::Aes128Gcm => 16,
            Self::Aes192Cbc | Self::Aes192Gcm => 24,
            Self::Aes256Cbc | Self::Aes256Gcm => 32,
        }
    }

    pub fn is_cbc(self) -> bool {
        matches!(self, Self::Aes128Cbc | Self::Aes192Cbc | Self::Aes256Cbc)
    }
}

impl ValidationAlgorithm {
    pub fn xml_name(self) -> &'static str {
        match self {
            Self::HmacSha256 => "HMACSHA256",
            Self::HmacSha512 => "HMACSHA512",
        }
    }

    pub fn from_xml_name(name: &str) -> Option<Self> {
        [Self::HmacSha256, Self::HmacSha512]
            .into_iter()
            .find(|a| a.xml_name() == name)
    }

    fn digest_size(self) -> usize {
        match self {
            Self::HmacSha256 => 32,
            Self::HmacSha512 => 64,
        }
    }

    fn mac(self, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        match self {
            Self::HmacSha256 => hmac_parts::<Hmac<Sha256>>(key, parts),
            Self::HmacSha512 => hmac_parts::<Hmac<Sha512>>(key, parts),
        }
    }
}

fn hmac_parts<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// SP800-108 key derivation in counter mode with HMAC-SHA512 as the PRF, as ASP.NET Core
/// derives it: block i = HMAC(kdk, BE32(i) | label | 0x00 | contextHeader | context |
/// BE32(output bits)), for i = 1, 2, ...; the output is the blocks' concatenation.
pub(crate) fn sp800_108_ctr_hmac_sha512(
    kdk: &[u8],
    label: &[u8],
    context_header: &[u8],
    context: &[u8],
    output: &mut [u8],
) {
    let output_bits = u32::try_from(output.len() * 8).expect("derived keys are small");
    for (i, chunk) in output.chunks_mut(64).enumerate() {
        let counter = u32::try_from(i + 1).expect("derived keys are small");
        let block = hmac_parts::<Hmac<Sha512>>(
            kdk,
            &[
                &counter.to_be_bytes(),
                label,
                &[0],
                context_header,
                context,
                &output_bits.to_be_bytes(),
            ],
        );
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
}

/// Why an encryptor refused a payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecryptError {
    /// Too short, or the ciphertext is not whole blocks: not a payload of this algorithm.
    Malformed,
    /// The MAC does not match: altered, or protected under other purposes / another key.
    Authentication,
}

/// AES-CBC + HMAC authenticated encryption under one master key.
pub(crate) struct CbcHmacEncryptor {
    master_key: Secret,
    encryption: EncryptionAlgorithm,
    validation: ValidationAlgorithm,
    context_header: Vec<u8>,
}

impl CbcHmacEncryptor {
    /// `None` for the GCM algorithms, which this crate does not implement.
    pub(crate) fn new(
        master_key: Secret,
        encryption: EncryptionAlgorithm,
        validation: ValidationAlgorithm,
    ) -> Option<CbcHmacEncryptor> {
        if !encryption.is_cbc() {
            return None;
        }
        let context_header = context_header(encryption, validation);
        Some(CbcHmacEncryptor {
            master_key,
            encryption,
            validation,
            context_header,
        })
    }

    fn subkeys(&self, aad: &[u8], key_modifier: &[u8]) -> Zeroizing<Vec<u8>> {
        let mut keys = Zeroizing::new(vec![
            0u8;
            self.encryption.key_size()
                + self.validation.digest_size()
        ]);
        sp800_108_ctr_hmac_sha512(
            self.master_key.bytes(),
            aad,
            &self.context_header,
            key_modifier,
            &mut keys,
        );
        keys
    }

    /// Encrypts with fresh random key modifier and IV.
    pub(crate) fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut random = [0u8; KEY_MODIFIER_SIZE + AES_BLOCK_SIZE];
        super::random_bytes(&mut random);
        let (key_modifier, iv) = random.split_at(KEY_MODIFIER_SIZE);
        self.encrypt_with(plaintext, aad, key_modifier, iv)
    }

    /// Encrypts with the given key modifier and IV (known-answer tests fix them).
    pub(crate) fn encrypt_with(
        &self,
        plaintext: &[u8],
        aad: &[u8],
        key_modifier: &[u8],
        iv: &[u8],
    ) -> Vec<u8> {
        let keys = self.subkeys(aad, key_modifier);
        let (encryption_key, validation_key) = keys.split_at(self.encryption.key_size());
        let ciphertext = cbc_encrypt(self.encryption, encryption_key, iv, plaintext);
        let mac = self.validation.mac(validation_key, &[iv, &ciphertext]);
        [key_modifier, iv, &ciphertext, &mac].concat()
    }

    pub(crate) fn decrypt(&self, payload: &[u8], aad: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let digest_size = self.validation.digest_size();
        // At least one block of ciphertext (PKCS#7 always pads).
        if payload.len() < KEY_MODIFIER_SIZE + 2 * AES_BLOCK_SIZE + digest_size {
            return Err(DecryptError::Malformed);
        }
        let (key_modifier, rest) = payload.split_at(KEY_MODIFIER_SIZE);
        let (iv_and_ciphertext, tag) = rest.split_at(rest.len() - digest_size);
        let (iv, ciphertext) = iv_and_ciphertext.split_at(AES_BLOCK_SIZE);
        if ciphertext.len() % AES_BLOCK_SIZE != 0 {
            return Err(DecryptError::Malformed);
        }
        let keys = self.subkeys(aad, key_modifier);
        let (encryption_key, validation_key) = keys.split_at(self.encryption.key_size());
        if !self
            .validation
            .verify(validation_key, iv_and_ciphertext, tag)
        {
            return Err(DecryptError::Authentication);
        }
        // The MAC was right, so bad padding means the protecting side was broken.
        cbc_decrypt(self.encryption, encryption_key, iv, ciphertext)
            .ok_or(DecryptError::Authentication)
    }
}

/// Labels the subkeys of signatures so they never equal an encryption subkey.
const SIGNATURE_CONTEXT: &[u8] = b"session-store signed value v1";
/// Bytes of a signature tag (HMAC-SHA256).
pub(crate) const SIGNATURE_SIZE: usize = 32;

impl CbcHmacEncryptor {
    /// An HMAC-SHA256 tag over `data` with a subkey derived like a payload's (label = the
    /// additional authenticated data), for values that must stay readable but unforgeable.
    /// Not an ASP.NET Core format: .NET has no sign-only protector.
    pub(crate) fn sign(&self, aad: &[u8], data: &[u8]) -> Vec<u8> {
        let mut key = Zeroizing::new(vec![0u8; SIGNATURE_SIZE]);
        sp800_108_ctr_hmac_sha512(
            self.master_key.bytes(),
            aad,
            SIGNATURE_CONTEXT,
            &[],
            &mut key,
        );
        ValidationAlgorithm::HmacSha256.mac(&key, &[data])
    }

    pub(crate) fn verify_signature(&self, aad: &[u8], data: &[u8], tag: &[u8]) -> bool {
        let mut key = Zeroizing::new(vec![0u8; SIGNATURE_SIZE]);
        sp800_108_ctr_hmac_sha512(
            self.master_key.bytes(),
            aad,
            SIGNATURE_CONTEXT,
            &[],
            &mut key,
        );
        ValidationAlgorithm::HmacSha256.verify(&key, data, tag)
    }
}

impl ValidationAlgorithm {
    /// Constant-time comparison (the `Mac::verify_slice` of the hmac crate).
    fn verify(self, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
        fn check<M: Mac + KeyInit>(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
            let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
            mac.update(data);
            mac.verify_slice(tag).is_ok()
        }
        match self {
            Self::HmacSha256 => check::<Hmac<Sha256>>(key, data, tag),
            Self::HmacSha512 => check::<Hmac<Sha512>>(key, data, tag),
        }
    }
}

/// Identifies the algorithm pair, mixed into every key derivation so a key can never be
/// used with two algorithms: two zero bytes (SP800-108 CTR HMAC-SHA512; CBC + HMAC), the
/// encryption key size, block size, MAC key size and digest size (BE32 each), then AES-CBC
/// of the empty string under an all-zero IV and the HMAC of the empty string, both with
/// subkeys derived from an empty master key.
fn context_header(encryption: EncryptionAlgorithm, validation: ValidationAlgorithm) -> Vec<u8> {
    let key_size = encryption.key_size();
    let digest_size = validation.digest_size();
    let mut keys = vec![0u8; key_size + digest_size];
    sp800_108_ctr_hmac_sha512(&[], &[], &[], &[], &mut keys);
    let (encryption_key, validation_key) = keys.split_at(key_size);
    let mut header = vec![0u8, 0u8];
    for size in [key_size, AES_BLOCK_SIZE, digest_size, digest_size] {
        header.extend_from_slice(&(size as u32).to_be_bytes());
    }
    header.extend(cbc_encrypt(
        encryption,
        encryption_key,
        &[0; AES_BLOCK_SIZE],
        &[],
    ));
    header.extend(validation.mac(validation_key, &[]));
    header
}

fn cbc_encrypt(algorithm: EncryptionAlgorithm, key: &[u8], iv: &[u8], plaintext: &[u8]) -> Vec<u8> {
    fn run<M: KeyIvInit + BlockModeEncrypt>(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut buffer = vec![0u8; (plaintext.len() / AES_BLOCK_SIZE + 1) * AES_BLOCK_SIZE];
        buffer[..plaintext.len()].copy_from_slice(plaintext);
        let mode = M::new_from_slices(key, iv).expect("subkey and IV sizes match the cipher");
        let length = mode
            .encrypt_padded::<Pkcs7>(&mut buffer, plaintext.len())
            .expect("the buffer has room for the padding")
            .len();
        buffer.truncate(length);
        buffer
    }
    match algorithm.key_size() {
        16 => run::<cbc::Encryptor<aes::Aes128>>(key, iv, plaintext),
        24 => run::<cbc::Encryptor<aes::Aes192>>(key, iv, plaintext),
        _ => run::<cbc::Encryptor<aes::Aes256>>(key, iv, plaintext),
    }
}

fn cbc_decrypt(
    algorithm: EncryptionAlgorithm,
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Option<Vec<u8>> {
    fn run<M: KeyIvInit + BlockModeDecrypt>(
        key: &[u8],
        iv: &[u8],
        ciphertext: &[u8],
    ) -> Option<Vec<u8>> {
        let mut buffer = ciphertext.to_vec();
        let mode = M::new_from_slices(key, iv).ok()?;
        let length = mode.decrypt_padded::<Pkcs7>(&mut buffer).ok()?.len();
        buffer.truncate(length);
        Some(buffer)
    }
    match algorithm.key_size() {
        16 => run::<cbc::Decryptor<aes::Aes128>>(key, iv, ciphertext),
        24 => run::<cbc::Decryptor<aes::Aes192>>(key, iv, ciphertext),
        _ => run::<cbc::Decryptor<aes::Aes256>>(key, iv, ciphertext),
    }
}

/// The additional authenticated data of a payload, as `KeyRingBasedDataProtector` builds it:
/// magic header (BE32), the key id (the GUID's .NET byte layout), the purpose count (BE32),
/// then each purpose as .NET's `BinaryWriter.Write(string)`: 7-bit-encoded UTF-8 length,
/// UTF-8 bytes.
pub(crate) fn additional_authenticated_data(key_id: &[u8; 16], purposes: &[String]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(24 + purposes.iter().map(|p| p.len() + 2).sum::<usize>());
    aad.extend_from_slice(&MAGIC_HEADER_V0.to_be_bytes());
    aad.extend_from_slice(key_id);
    aad.extend_from_slice(&(purposes.len() as u32).to_be_bytes());
    for purpose in purposes {
        let mut length = purpose.len();
        while length >= 0x80 {
            aad.push((length as u8) | 0x80);
            length >>= 7;
        }
        aad.push(length as u8);
        aad.extend_from_slice(purpose.as_bytes());
    }
    aad
}

/// The first four bytes of every protected payload ("CfDJ8" in base64).
pub(crate) const MAGIC_HEADER_V0: u32 = 0x09F0_C9F0;

#[cfg(test)]
mod tests {
    //! Known answers from ASP.NET Core's own tests (dotnet/aspnetcore,
    //! src/DataProtection/DataProtection/test): SP800_108Tests, ManagedAuthenticatedEncryptorTests
    //! (Encrypt_KnownKey) and AdditionalAuthenticatedDataTemplateTests.
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    fn derive(kdk: &[u8], length: usize) -> String {
        let mut out = vec![0u8; length];
        sp800_108_ctr_hmac_sha512(kdk, b"label", b"contextHeader", b"context", &mut out);
        STANDARD.encode(out)
    }

    #[test]
    fn sp800_108_matches_aspnetcore_vectors() {
        assert_eq!(
            derive(b"kdk", 63),
            "V47WmHzPSkdC2vkLAomIjCzZlDOAetll3yJLcSvon7LJFjJpEN+KnSNp+gIpeydKMsENkflbrIZ/3s6GkEaH"
        );
        assert_eq!(derive(b"kdk", 64), "mVaFM4deXLl610CmnCteNzxgbM/VkmKznAlPauHcDBn0le06uOjAKLHx0LfoU2/Ttq9nd78Y6Nk6wArmdwJgJg==");
        assert_eq!(derive(b"kdk", 65), "GaHPeqdUxriFpjRtkYQYWr5/iqneD/+hPhVJQt4rXblxSpB1UUqGqL00DMU/FJkX0iMCfqUjQXtXyfks+p++Ev4=");
        let long: Vec<u8> = (0..50_000).map(|i| i as u8).collect();
        assert_eq!(
            derive(&long, 63),
            "rt2hM6kkQ8hAXmkHx0TU4o3Q+S7fie6b3S1LAq107k++P9v8uSYA2G+WX3pJf9ZkpYrTKD7WUIoLkgA1R9lk"
        );
        assert_eq!(derive(&long, 64), "RKiXmHSrWq5gkiRSyNZWNJrMR0jDyYHJMt9odOayRAE5wLSX2caINpQmfzTH7voJQi3tbn5MmD//dcspghfBiw==");
        assert_eq!(derive(&long, 65), "KedXO0zAIZ3AfnPqY1NnXxpC3HDHIxefG4bwD3g6nWYEc5+q7pjbam71Yqj0zgHMNC9Z7BX3wS1/tajFocRWZUk=");
    }

    #[test]
    fn sp800_108_with_an_empty_key_matches_the_context_header_vectors() {
        for (length, expected) in [
            (64, "fHGMWaDLmoncLsEKuKbZo8T+73paNohDeb5O7BSxbC8Gus8d/mUpa/9w2ss65OHlmFw1VZhIXzr5swMYVRndRw=="),
            (96, "iXd0KuWopclbxtWf9dO8fnerBqLJvndOUs74pTcj7Ck8Ctsvz4QttXkCY1DPd4aDbOE/CCU8/bIQtzoU1Xu3ZQ1pV0qEZmzFll+Vpf+q7av7AGEqwh56a+NPt6gxC5CP"),
        ] {
            let mut out = vec![0u8; length];
            sp800_108_ctr_hmac_sha512(&[], &[], &[], &[], &mut out);
            assert_eq!(STANDARD.encode(out), expected);
        }
    }

    #[test]
    fn encryptor_matches_the_managed_known_key_vector() {
        // Master key "master key", AES-256-CBC + HMACSHA256, key modifier 00..0F, IV 10..1F,
        // plaintext {2,3,4}, AAD {6,5,4,3}.
        let encryptor = CbcHmacEncryptor::new(
            Secret::new(b"master key".to_vec()),
            EncryptionAlgorithm::Aes256Cbc,
            ValidationAlgorithm::HmacSha256,
        )
        .unwrap();
        let key_modifier: Vec<u8> = (0..16).collect();
        let iv: Vec<u8> = (16..32).collect();
        let aad = [6, 5, 4, 3];
        let payload = encryptor.encrypt_with(&[2, 3, 4], &aad, &key_modifier, &iv);
        assert_eq!(
            STANDARD.encode(&payload),
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+36j4yWJOjBgOJxmYDYwhLnYqFxw+9mNh/cudyPrWmJmw4d/dmGaLJLLut2udiAAA="
        );
        assert_eq!(encryptor.decrypt(&payload, &aad).unwrap(), vec![2, 3, 4]);
    }

    #[test]
    fn every_cbc_pair_round_trips_and_detects_tampering() {
        for encryption in [
            EncryptionAlgorithm::Aes128Cbc,
            EncryptionAlgorithm::Aes192Cbc,
            EncryptionAlgorithm::Aes256Cbc,
        ] {
            for validation in [
                ValidationAlgorithm::HmacSha256,
                ValidationAlgorithm::HmacSha512,
            ] {
                let encryptor =
                    CbcHmacEncryptor::new(Secret::new(vec![0; 64]), encryption, validation)
                        .unwrap();
                let payload = encryptor.encrypt(b"plaintext", b"aad");
                assert_eq!(encryptor.decrypt(&payload, b"aad").unwrap(), b"plaintext");
                // The managed tests' tampering cases: too short, flipped bit, extra byte, other AAD.
                assert_eq!(
                    encryptor.decrypt(&[0; 10], b"aad"),
                    Err(DecryptError::Malformed)
                );
                let mut flipped = payload.clone();
                flipped[0] ^= 1;
                assert_eq!(
                    encryptor.decrypt(&flipped, b"aad"),
                    Err(DecryptError::Authentication)
                );
                let longer = [payload.as_slice(), &[0]].concat();
                assert!(encryptor.decrypt(&longer, b"aad").is_err());
                assert_eq!(
                    encryptor.decrypt(&payload, b"different aad"),
                    Err(DecryptError::Authentication)
                );
            }
        }
    }

    #[test]
    fn gcm_is_not_implemented() {
        assert!(CbcHmacEncryptor::new(
            Secret::new(vec![0; 64]),
            EncryptionAlgorithm::Aes256Gcm,
            ValidationAlgorithm::HmacSha256
        )
        .is_none());
    }

    #[test]
    fn aad_matches_the_aspnetcore_template_vector() {
        let purposes = [
            "my sample string",
            "©®±µ¶",
            "my other sample string",
            "CfDJ8H5oH_fp1QNBmvs-OWXxsVoV30hrXeI4-PI4p1VZytjsgd0DTstMdtTZbFtm2dKHvsBlDCv7TiEWKztZf8fb48pUgBgUE2SeYV3eOUXvSfNWU0D8SmHLy5KEnwKKkZKqudDhCnjQSIU7mhDliJJN1e4",
            ".",
        ]
        .map(String::from);
        assert_eq!(
            STANDARD.encode(additional_authenticated_data(&[0; 16], &purposes)),
            "CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAFEG15IHNhbXBsZSBzdHJpbmcKwqnCrsKxwrXCthZteSBvdGhlciBzYW1wbGUgc3RyaW5nmwFDZkRKOEg1b0hfZnAxUU5CbXZzLU9XWHhzVm9WMzBoclhlSTQtUEk0cDFWWnl0anNnZDBEVHN0TWR0VFpiRnRtMmRLSHZzQmxEQ3Y3VGlFV0t6dFpmOGZiNDhwVWdCZ1VFMlNlWVYzZU9VWHZTZk5XVTBEOFNtSEx5NUtFbndLS2taS3F1ZERoQ25qUVNJVTdtaERsaUpKTjFlNAEu"
        );
    }
}
