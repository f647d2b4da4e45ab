//! Key-ring elements as SecureString parameters, exactly as the AWS SSM data-protection
//! provider (`Amazon.AspNetCore.DataProtection.SSM`) keeps them, so .NET and Rust services
//! can share one prefix.
//!
//! - The prefix is normalised to `/{prefix without surrounding slashes}/`.
//! - A parameter is named prefix + the friendly name, else the element's `id`, else a UUID;
//!   its value is the element's XML, type SecureString (with the configured KMS key, if any),
//!   description "ASP.NET Core DataProtection Key", the configured tags, and a tier chosen
//!   by [`TierStorageMode`]. An existing name is never overwritten.
//! - Reading is GetParametersByPath (not recursive) with decryption, following `NextToken`
//!   through empty pages; a value that is not XML is logged (by name) and skipped.
//!
//! On top of the provider: throttled calls are retried with backoff and jitter, and a denied
//! call names the IAM permission it needs.
//!
//! Permissions: `ssm:GetParametersByPath` and `ssm:PutParameter` on
//! `arn:aws:ssm:{region}:{account}:parameter/{prefix}/*`, `ssm:AddTagsToResource` with tags,
//! `ssm:DeleteParameter` for deletion, and `kms:Encrypt` / `kms:Decrypt` on a customer
//! managed KMS key when one is configured.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ssm::types::{ParameterTier, ParameterType, Tag};
use aws_sdk_ssm::Client;

use super::retry::{repository_error, with_retries, Call};
use super::{
    element_name, remove_in_order, Chooser, DeletableElement, NamedElements, RepositoryError,
    RetryPolicy, XmlRepository,
};
use crate::keyring::xml::XmlElement;

const DESCRIPTION: &str = "ASP.NET Core DataProtection Key";
const STANDARD_TIER_MAX: usize = 4096;
const ADVANCED_TIER_MAX: usize = 8192;

/// Which parameter tier new elements use (the provider's `TierStorageMode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TierStorageMode {
    /// Standard; an element longer than 4096 characters is an error.
    #[default]
    StandardOnly,
    /// Standard, or Advanced for elements longer than 4096 characters.
    AdvancedUpgradeable,
    /// Always Advanced.
    AdvancedOnly,
    /// Always Intelligent-Tiering (SSM picks the tier).
    IntelligentTiering,
}

/// The provider's `PersistOptions`, plus the retry policy.
#[derive(Clone, Debug, Default)]
pub struct SsmOptions {
    /// The KMS key that encrypts the SecureStrings; the account's default key if `None`.
    pub kms_key_id: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub tier_storage_mode: TierStorageMode,
    pub retry: RetryPolicy,
}

#[derive(Clone, Debug)]
pub struct SsmXmlRepository {
    client: Client,
    prefix: String,
    options: SsmOptions,
}

impl SsmXmlRepository {
    pub fn new(client: Client, prefix: &str) -> SsmXmlRepository {
        Self::with_options(client, prefix, SsmOptions::default())
    }

    pub fn with_options(client: Client, prefix: &str, options: SsmOptions) -> SsmXmlRepository {
        SsmXmlRepository {
            client,
            prefix: normalize_prefix(prefix),
            options,
        }
    }

    /// The normalised prefix, `/.../`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn resource(&self, name: &str) -> String {
        let region = self
            .client
            .config()
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "*".into());
        format!("arn:aws:ssm:{region}:*:parameter{name}")
    }
}

pub(crate) fn normalize_prefix(prefix: &str) -> String {
    format!("/{}/", prefix.trim_matches('/'))
}

/// The tier for a value of `length` characters (UTF-16 units, as .NET's `string.Length`).
pub(crate) fn parameter_tier(
    mode: TierStorageMode,
    length: usize,
) -> Result<ParameterTier, RepositoryError> {
    if length > ADVANCED_TIER_MAX {
        return Err(RepositoryError::TooLarge(format!(
            "Could not save DataProtection element to SSM parameter. DataProtection element has \
             a length of {length} which exceeds the maximum SSM parameter size of \
             {ADVANCED_TIER_MAX}. Please consider using another key provider or key store."
        )));
    }
    match mode {
        TierStorageMode::AdvancedOnly => return Ok(ParameterTier::Advanced),
        TierStorageMode::IntelligentTiering => return Ok(ParameterTier::IntelligentTiering),
        _ => {}
    }
    if length > STANDARD_TIER_MAX {
        if mode == TierStorageMode::StandardOnly {
            return Err(RepositoryError::TooLarge(format!(
                "Could not save DataProtection element to SSM parameter. Element has {length} \
                 characters which exceeds the limit of {STANDARD_TIER_MAX} characters of the \
                 standard parameter tier and usage of advanced tier is not configured. You can \
                 resolve this issue by changing the TierStorageMode to AdvancedUpgradeable or \
                 AdvancedOnly in the configuration."
            )));
        }
        return Ok(ParameterTier::Advanced);
    }
    Ok(ParameterTier::Standard)
}

#[async_trait]
impl NamedElements for SsmXmlRepository {
    async fn list(&self) -> Result<Vec<DeletableElement>, RepositoryError> {
        let call = || Call {
            operation: "GetParametersByPath",
            permission: "ssm:GetParametersByPath",
            resource: self.resource(&format!("{}*", self.prefix)),
        };
        let mut elements = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = with_retries(&self.options.retry, &call(), || {
                self.client
                    .get_parameters_by_path()
                    .path(&self.prefix)
                    .with_decryption(true)
                    .set_next_token(next_token.clone())
                    .send()
            })
            .await
            .map_err(|(e, attempts)| repository_error(call(), e, attempts))?;
            for parameter in page.parameters() {
                let name = parameter.name().unwrap_or_default();
                match XmlElement::parse(parameter.value().unwrap_or_default()) {
                    Ok(element) => elements.push(DeletableElement::new(name.to_owned(), element)),
                    // The value may hold key material: only the name is logged.
                    Err(e) => tracing::warn!(
                        parameter = name,
                        error = %e,
                        "key-ring parameter is not XML; skipped"
                    ),
                }
            }
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => break,
            }
        }
        tracing::debug!(count = elements.len(), prefix = %self.prefix, "loaded key-ring elements");
        Ok(elements)
    }

    async fn delete(&self, name: &str) -> Result<(), RepositoryError> {
        let call = || Call {
            operation: "DeleteParameter",
            permission: "ssm:DeleteParameter",
            resource: self.resource(name),
        };
        with_retries(&self.options.retry, &call(), || {
            self.client.delete_parameter().name(name).send()
        })
        .await
        .map(|_| ())
        .map_err(|(e, attempts)| repository_error(call(), e, attempts))
    }
}

#[async_trait]
impl XmlRepository for SsmXmlRepository {
    async fn get_all_elements(&self) -> Result<Vec<XmlElement>, RepositoryError> {
        Ok(self.list().await?.into_iter().map(|e| e.element).collect())
    }

    async fn store_element(
        &self,
        element: &XmlElement,
        friendly_name: Option<&str>,
    ) -> Result<(), RepositoryError> {
        let name = format!("{}{}", self.prefix, element_name(element, friendly_name));
        let value = element.to_xml_string();
        let tier = parameter_tier(self.options.tier_storage_mode, value.encode_utf16().count())?;
        let tags: Vec<Tag> = self
            .options
            .tags
            .iter()
            .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
            .collect();
        let call = || Call {
            operation: "PutParameter",
            permission: if tags.is_empty() {
                "ssm:PutParameter"
            } else {
                "ssm:PutParameter and ssm:AddTagsToResource"
            },
            resource: self.resource(&name),
        };
        let result = with_retries(&self.options.retry, &call(), || {
            self.client
                .put_parameter()
                .name(&name)
                .value(&value)
                .r#type(ParameterType::SecureString)
                .description(DESCRIPTION)
                .tier(tier.clone())
                .overwrite(false)
                .set_tags((!tags.is_empty()).then(|| tags.clone()))
                .set_key_id(self.options.kms_key_id.clone())
                .send()
        })
        .await;
        match result {
            Ok(_) => {
                tracing::info!(parameter = %name, tier = tier.as_str(), "stored key-ring element");
                Ok(())
            }
            Err((e, _))
                if e.as_service_error()
                    .is_some_and(|s| s.is_parameter_already_exists()) =>
            {
                Err(RepositoryError::AlreadyExists { name })
            }
            Err((e, attempts)) => Err(repository_error(call(), e, attempts)),
        }
    }

    async fn remove_elements(&self, chooser: &mut Chooser<'_>) -> Result<bool, RepositoryError> {
        remove_in_order(self, chooser).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_bookended_with_slashes() {
        for prefix in [
            "MockKeyHome",
            "/MockKeyHome",
            "MockKeyHome/",
            "/MockKeyHome/",
            "//MockKeyHome//",
        ] {
            assert_eq!(normalize_prefix(prefix), "/MockKeyHome/");
        }
        assert_eq!(normalize_prefix("a/b"), "/a/b/");
    }

    #[test]
    fn tiers_follow_the_provider_at_the_boundaries() {
        use TierStorageMode::*;
        let tier = |mode, len| parameter_tier(mode, len).ok();
        assert_eq!(tier(StandardOnly, 4096), Some(ParameterTier::Standard));
        assert_eq!(tier(StandardOnly, 4097), None);
        assert_eq!(
            tier(AdvancedUpgradeable, 4096),
            Some(ParameterTier::Standard)
        );
        assert_eq!(
            tier(AdvancedUpgradeable, 4097),
            Some(ParameterTier::Advanced)
        );
        assert_eq!(
            tier(AdvancedUpgradeable, 8192),
            Some(ParameterTier::Advanced)
        );
        assert_eq!(tier(AdvancedUpgradeable, 8193), None);
        assert_eq!(tier(AdvancedOnly, 10), Some(ParameterTier::Advanced));
        assert_eq!(tier(AdvancedOnly, 8193), None);
        assert_eq!(
            tier(IntelligentTiering, 8192),
            Some(ParameterTier::IntelligentTiering)
        );
        assert_eq!(tier(IntelligentTiering, 8193), None);
    }
}
