//! PutParameter: create a parameter, or with `Overwrite` add a version to it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use regex_lite::Regex;
use serde::{Deserialize, Serialize};

use crate::ssm::crypto::StoredValue;
use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::model::{DataType, ParameterType, Tag, Tier};
use crate::ssm::store::{key_of, Parameter, Version, MAX_VERSIONS};
use crate::ssm::{validate, Ctx, Operation};

pub const DEFAULT_KEY_ID: &str = "alias/aws/ssm";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub name: Option<String>,
    pub description: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub key_id: Option<String>,
    pub overwrite: Option<bool>,
    pub allowed_pattern: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub tier: Option<String>,
    pub policies: Option<String>,
    pub data_type: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub version: i64,
    pub tier: Tier,
}

pub struct PutParameter;

/// The request's members once they are known to be well formed.
struct Checked {
    name: String,
    value: String,
    kind: Option<ParameterType>,
    tier: Option<Tier>,
    data_type: DataType,
    pattern: Option<String>,
    tags: BTreeMap<String, String>,
}

impl Operation for PutParameter {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let overwrite = input.overwrite.unwrap_or(false);
        let checked = check(ctx, &input, overwrite)?;
        let now = ctx.now_millis();
        ctx.store.write(ctx.ns, |catalog| {
            let existing = catalog.parameters.get(key_of(&checked.name));
            if existing.is_some() && !overwrite {
                return Err(SsmError::ParameterAlreadyExists);
            }
            let previous = existing.and_then(Parameter::latest);
            let kind = checked.kind.or(previous.map(|v| v.kind)).ok_or_else(|| {
                SsmError::Validation(
                    "A parameter type is required when you create a parameter.".to_owned(),
                )
            })?;
            // An overwrite that leaves a member out keeps what the parameter had.
            let description = input
                .description
                .clone()
                .or_else(|| previous.and_then(|v| v.description.clone()));
            let pattern_text = checked
                .pattern
                .clone()
                .or_else(|| previous.and_then(|v| v.allowed_pattern.clone()));
            if checked.pattern.is_none() {
                if let Some(text) = &pattern_text {
                    check_pattern(text, &checked.value)?;
                }
            }
            let key_id = (kind == ParameterType::SecureString).then(|| {
                input
                    .key_id
                    .clone()
                    .or_else(|| previous.and_then(|v| v.key_id.clone()))
                    .unwrap_or_else(|| DEFAULT_KEY_ID.to_owned())
            });
            let tier = validate::resolve_tier(
                checked.tier,
                previous.map(|v| v.tier),
                checked.value.chars().count(),
                input.policies.is_some(),
            )?;
            let value = match kind {
                ParameterType::SecureString => {
                    StoredValue::Sealed(ctx.sealer.seal(&checked.value)?)
                }
                _ => StoredValue::Plain(checked.value.clone()),
            };
            let version_number = previous.map_or(1, |v| v.version + 1);
            let version = Version {
                version: version_number,
                value,
                kind,
                description,
                key_id,
                allowed_pattern: pattern_text,
                data_type: checked.data_type,
                tier,
                policies: input.policies.clone(),
                labels: BTreeSet::new(),
                last_modified_millis: now,
            };
            match catalog.parameters.get_mut(key_of(&checked.name)) {
                Some(p) => {
                    if p.versions.len() >= MAX_VERSIONS {
                        drop_oldest(p)?;
                    }
                    p.versions.push_back(version);
                }
                None => {
                    if catalog.parameters.len() >= ctx.limits.max_parameters {
                        return Err(SsmError::parameter_limit());
                    }
                    catalog.parameters.insert(
                        key_of(&checked.name).to_owned(),
                        Parameter {
                            name: checked.name.clone(),
                            versions: VecDeque::from([version]),
                            tags: checked.tags.clone(),
                        },
                    );
                }
            }
            Ok(Output {
                version: version_number,
                tier,
            })
        })
    }
}

fn check(ctx: &Ctx, input: &Input, overwrite: bool) -> Result<Checked> {
    let mut c = Constraints::new();
    validate::required_length(
        &mut c,
        "name",
        input.name.as_deref(),
        1,
        validate::MAX_NAME_LENGTH,
    );
    match input.value.as_deref() {
        None => c.missing("value"),
        // Real SSM ends this one message with a full stop.
        Some("") => c.fail(
            "",
            "value",
            "Member must have length greater than or equal to 1.",
        ),
        Some(_) => {}
    }
    validate::length(&mut c, "description", input.description.as_deref(), 0, 1024);
    validate::length(
        &mut c,
        "allowedPattern",
        input.allowed_pattern.as_deref(),
        0,
        1024,
    );
    validate::length(&mut c, "keyId", input.key_id.as_deref(), 1, 256);
    validate::length(&mut c, "policies", input.policies.as_deref(), 1, 4096);
    let kind = input.kind.as_deref().and_then(|t| {
        let parsed = ParameterType::parse(t);
        if parsed.is_none() {
            c.fail(
                t,
                "type",
                &format!(
                    "Member must satisfy enum value set: {}",
                    ParameterType::ENUM
                ),
            );
        }
        parsed
    });
    let tier = input.tier.as_deref().and_then(|t| {
        let parsed = Tier::parse(t);
        if parsed.is_none() {
            c.fail(
                t,
                "tier",
                &format!("Member must satisfy enum value set: {}", Tier::ENUM),
            );
        }
        parsed
    });
    if let Some(tags) = &input.tags {
        validate::tags(&mut c, tags);
    }
    c.finish()?;

    let tags: BTreeMap<String, String> = input
        .tags
        .iter()
        .flatten()
        .map(|t| {
            (
                t.key.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    if overwrite && !tags.is_empty() {
        return Err(SsmError::Validation(
            "Invalid request: tags and overwrite can't be used together. To create a parameter \
             with tags, please remove overwrite flag. To update tags for an existing parameter, \
             please use AddTagsToResource or RemoveTagsFromResource."
                .to_owned(),
        ));
    }
    let name = input.name.as_deref().unwrap_or_default().trim().to_owned();
    validate::name_for_write(ctx, &name)?;
    let data_type = match input.data_type.as_deref() {
        None => DataType::Text,
        Some(d) => DataType::parse(d).ok_or_else(|| {
            SsmError::Validation(format!(
                "The following data type is not supported: {d} (Data type names are all \
                 lowercase.)"
            ))
        })?,
    };
    let value = input.value.clone().unwrap_or_default();
    let pattern = match input.allowed_pattern.as_deref() {
        Some(text) => {
            compile_pattern(text)?;
            check_pattern(text, &value)?;
            Some(text.to_owned())
        }
        None => None,
    };
    Ok(Checked {
        name,
        value,
        kind,
        tier,
        data_type,
        pattern,
        tags,
    })
}

fn compile_pattern(text: &str) -> Result<Regex> {
    Regex::new(text).map_err(|_| {
        SsmError::InvalidAllowedPattern(
            "The request does not meet the regular expression requirement.".to_owned(),
        )
    })
}

/// The whole value must match, as Java's `String.matches` (SSM's engine) requires; anchoring
/// asks the engine for that directly (leftmost-first `a|ab` alone would stop short on `ab`).
fn check_pattern(text: &str, value: &str) -> Result<()> {
    let anchored = compile_pattern(&format!("^(?:{text})$"))?;
    if anchored.is_match(value) {
        Ok(())
    } else {
        Err(SsmError::ParameterPatternMismatch(format!(
            "Parameter value, cannot be validated against allowedPattern: {text}"
        )))
    }
}

/// Makes room for a new version; a labelled oldest version blocks the write.
fn drop_oldest(p: &mut Parameter) -> Result<()> {
    if let Some(oldest) = p.versions.front() {
        if !oldest.labels.is_empty() {
            return Err(SsmError::ParameterMaxVersionLimitExceeded(format!(
                "You attempted to create a new version of {} by calling the PutParameter API \
                 with the overwrite flag. Version {}, the oldest version, can't be deleted \
                 because it has a label associated with it. Move the label to another version \
                 of the parameter, and try again.",
                p.name, oldest.version
            )));
        }
    }
    p.versions.pop_front();
    Ok(())
}
