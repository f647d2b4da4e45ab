//! `ParameterFilters` (GetParametersByPath, DescribeParameters) and DescribeParameters' older
//! `Filters`: validated once into typed filters, then matched against parameters.

use serde::Deserialize;

use super::error::{Constraints, Result, SsmError};
use super::model::{ParameterType, Tier};
use super::store::{key_of, Parameter, Version};
use super::validate::INVALID_PATH;

/// A filter as the caller sent it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawParameterFilter {
    pub key: Option<String>,
    pub option: Option<String>,
    pub values: Option<Vec<String>>,
}

/// DescribeParameters' original filter shape: `Name`, `Type` or `KeyId` with values.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawLegacyFilter {
    pub key: Option<String>,
    pub values: Option<Vec<String>>,
}

/// Which operation the filters are for: each allows different keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    ByPath,
    Describe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equals,
    BeginsWith,
    Contains,
    OneLevel,
    Recursive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Name,
    Path,
    Type,
    KeyId,
    Label,
    Tier,
    DataType,
    Tag(String),
}

#[derive(Debug, Clone)]
struct Filter {
    field: Field,
    op: Op,
    values: Vec<String>,
}

/// Validated filters, ready to match.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    filters: Vec<Filter>,
}

const KEY_PATTERN: &str = "tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType";

fn key_matches_pattern(key: &str) -> bool {
    matches!(
        key,
        "Name" | "Type" | "KeyId" | "Path" | "Label" | "Tier" | "DataType"
    ) || key.strip_prefix("tag:").is_some_and(|t| !t.is_empty())
}

impl Filters {
    pub fn parse(raw: &[RawParameterFilter], context: Context) -> Result<Filters> {
        let mut c = Constraints::new();
        for (i, f) in raw.iter().enumerate() {
            let at = |member: &str| format!("parameterFilters.{}.member.{member}", i + 1);
            match f.key.as_deref() {
                None => c.missing(&at("key")),
                Some(k) => {
                    if k.is_empty() || k.chars().count() > 132 {
                        c.fail(
                            k,
                            &at("key"),
                            "Member must have length less than or equal to 132",
                        );
                    }
                    if !key_matches_pattern(k) {
                        c.fail(
                            k,
                            &at("key"),
                            &format!(
                                "Member must satisfy regular expression pattern: {KEY_PATTERN}"
                            ),
                        );
                    }
                }
            }
            if let Some(o) = f.option.as_deref() {
                let n = o.chars().count();
                if n == 0 || n > 10 {
                    c.fail(
                        o,
                        &at("option"),
                        "Member must have length less than or equal to 10",
                    );
                }
            }
            if let Some(values) = &f.values {
                if values.len() > 50 {
                    c.fail(
                        format!("[{}]", values.join(", ")),
                        &at("values"),
                        "Member must have length less than or equal to 50",
                    );
                }
                if values
                    .iter()
                    .any(|v| v.is_empty() || v.chars().count() > 1024)
                {
                    c.fail(
                        format!("[{}]", values.join(", ")),
                        &at("values"),
                        "Member must satisfy constraint: [Member must have length less than \
                         or equal to 1024, Member must have length greater than or equal to 1]",
                    );
                }
            }
        }
        c.finish()?;

        let mut filters: Vec<Filter> = Vec::with_capacity(raw.len());
        for f in raw {
            let key = f.key.as_deref().unwrap_or_default();
            let field = field_for(key, context)?;
            let values = match &f.values {
                Some(v) if !v.is_empty() => v.clone(),
                _ => {
                    return Err(SsmError::InvalidFilterValue(format!(
                        "The following filter values are missing : null for filter key {key}."
                    )))
                }
            };
            if filters.iter().any(|g| g.field == field) {
                return Err(SsmError::InvalidFilterKey(format!(
                    "The following filter is duplicated in the request: {key}. A request can \
                     contain only one occurrence of a specific filter."
                )));
            }
            let op = option_for(&field, f.option.as_deref())?;
            check_values(&field, &values)?;
            filters.push(Filter { field, op, values });
        }
        Ok(Filters { filters })
    }

    /// DescribeParameters' `Filters`: names match by prefix, the rest exactly.
    pub fn from_legacy(raw: &[RawLegacyFilter]) -> Result<Filters> {
        let mut c = Constraints::new();
        for (i, f) in raw.iter().enumerate() {
            let at = format!("filters.{}.member.key", i + 1);
            match f.key.as_deref() {
                None => c.missing(&at),
                Some(k) if !matches!(k, "Name" | "Type" | "KeyId") => c.fail(
                    k,
                    &at,
                    "Member must satisfy enum value set: [Type, KeyId, Name]",
                ),
                Some(_) => {}
            }
            if f.values.as_ref().is_none_or(Vec::is_empty) {
                c.missing(&format!("filters.{}.member.values", i + 1));
            }
        }
        c.finish()?;
        let filters = raw
            .iter()
            .map(|f| {
                let (field, op) = match f.key.as_deref() {
                    Some("Type") => (Field::Type, Op::Equals),
                    Some("KeyId") => (Field::KeyId, Op::Equals),
                    _ => (Field::Name, Op::BeginsWith),
                };
                Filter {
                    field,
                    op,
                    values: f.values.clone().unwrap_or_default(),
                }
            })
            .collect();
        Ok(Filters { filters })
    }

    /// The version of `p` these filters select, if `p` passes them all: the latest version,
    /// or with a `Label` filter the version carrying one of the labels.
    pub fn select<'p>(&self, p: &'p Parameter) -> Option<&'p Version> {
        let version = match self.filters.iter().find(|f| f.field == Field::Label) {
            Some(f) => f.values.iter().find_map(|l| p.labelled(l))?,
            None => p.latest()?,
        };
        self.filters
            .iter()
            .all(|f| f.matches(p, version))
            .then_some(version)
    }
}

fn field_for(key: &str, context: Context) -> Result<Field> {
    let field = match key {
        "Name" => Field::Name,
        "Path" => Field::Path,
        "Type" => Field::Type,
        "KeyId" => Field::KeyId,
        "Label" => Field::Label,
        "Tier" => Field::Tier,
        "DataType" => Field::DataType,
        tag => Field::Tag(tag.strip_prefix("tag:").unwrap_or(tag).to_owned()),
    };
    let allowed = match context {
        Context::ByPath => matches!(
            field,
            Field::Type | Field::KeyId | Field::Label | Field::Tag(_)
        ),
        Context::Describe => field != Field::Label,
    };
    if allowed {
        return Ok(field);
    }
    let valid = match context {
        Context::ByPath => "[Type, KeyId]",
        Context::Describe => "[Path, Name, Type, KeyId, Tier]",
    };
    Err(SsmError::InvalidFilterKey(format!(
        "The following filter key is not valid: {key}. Valid filter keys include: {valid}."
    )))
}

fn option_for(field: &Field, option: Option<&str>) -> Result<Op> {
    let (allowed, listed): (&[(&str, Op)], &str) = match field {
        Field::Path => (
            &[("OneLevel", Op::OneLevel), ("Recursive", Op::Recursive)],
            "[Recursive, OneLevel]",
        ),
        Field::Name => (
            &[
                ("Equals", Op::Equals),
                ("BeginsWith", Op::BeginsWith),
                ("Contains", Op::Contains),
            ],
            "[BeginsWith, Equals, Contains]",
        ),
        Field::Label => (&[("Equals", Op::Equals)], "[Equals]"),
        _ => (
            &[("Equals", Op::Equals), ("BeginsWith", Op::BeginsWith)],
            "[BeginsWith, Equals]",
        ),
    };
    let Some(option) = option else {
        return Ok(allowed.first().map(|(_, op)| *op).unwrap_or(Op::Equals));
    };
    allowed
        .iter()
        .find(|(name, _)| *name == option)
        .map(|(_, op)| *op)
        .ok_or_else(|| {
            SsmError::InvalidFilterOption(format!(
                "The following filter option is not valid: {option}. Valid options include: \
                 {listed}."
            ))
        })
}

fn check_values(field: &Field, values: &[String]) -> Result<()> {
    let bad_value = |v: &str, valid: &str| {
        SsmError::InvalidFilterValue(format!(
            "The following filter value is not valid: {v}. Valid values include: {valid}."
        ))
    };
    for v in values {
        match field {
            Field::Type if ParameterType::parse(v).is_none() => {
                return Err(bad_value(v, "[String, StringList, SecureString]"))
            }
            Field::Tier if Tier::parse(v).is_none() => {
                return Err(bad_value(v, "[Standard, Advanced, Intelligent-Tiering]"))
            }
            Field::Path => {
                let lower = v.to_ascii_lowercase();
                if lower.starts_with("/aws") || lower.starts_with("/ssm") {
                    return Err(SsmError::Validation(
                        "Filters for common parameters can't be prefixed with \"aws\" or \
                         \"ssm\" (case-insensitive). When using global parameters, please \
                         specify within a global namespace."
                            .to_owned(),
                    ));
                }
                if !is_valid_path(v) {
                    return Err(SsmError::Validation(INVALID_PATH.to_owned()));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `/`, or `/a/b` with non-empty segments of name characters (a trailing slash allowed).
pub fn is_valid_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    !rest.is_empty()
        && rest.split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        })
}

/// Whether the parameter keyed `key` sits under `path` (`/a/b`): directly, or anywhere
/// below when `recursive`. The path itself is not under itself.
pub fn under_path(key: &str, path: &str, recursive: bool) -> bool {
    let prefix = key_of(path).trim_end_matches('/');
    let rest = if prefix.is_empty() {
        Some(key)
    } else {
        key.strip_prefix(prefix).and_then(|r| r.strip_prefix('/'))
    };
    match rest {
        Some(r) if !r.is_empty() => recursive || !r.contains('/'),
        _ => false,
    }
}

impl Filter {
    fn matches(&self, p: &Parameter, v: &Version) -> bool {
        let text_matches = |actual: &str| {
            self.values.iter().any(|want| match self.op {
                Op::BeginsWith => actual.starts_with(want.as_str()),
                Op::Contains => actual.contains(want.as_str()),
                _ => actual == want,
            })
        };
        match &self.field {
            Field::Name => {
                let actual = format!("/{}", key_of(&p.name));
                if self.op == Op::Contains {
                    text_matches(&actual)
                } else {
                    self.values.iter().any(|want| {
                        let want = format!("/{}", key_of(want));
                        match self.op {
                            Op::BeginsWith => actual.starts_with(&want),
                            _ => actual == want,
                        }
                    })
                }
            }
            Field::Path => self
                .values
                .iter()
                .any(|path| under_path(key_of(&p.name), path, self.op == Op::Recursive)),
            Field::Type => text_matches(v.kind.as_str()),
            Field::KeyId => v.key_id.as_deref().is_some_and(text_matches),
            Field::Tier => text_matches(v.tier.as_str()),
            Field::DataType => text_matches(v.data_type.as_str()),
            Field::Label => self.values.iter().any(|l| v.labels.contains(l)),
            Field::Tag(tag) => p.tags.get(tag).is_some_and(|value| text_matches(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert!(under_path("a/b", "/a", false));
        assert!(!under_path("a/b/c", "/a", false));
        assert!(under_path("a/b/c", "/a", true));
        assert!(!under_path("a", "/a", true));
        assert!(!under_path("ab/c", "/a", true));
        assert!(under_path("foo", "/", false));
        assert!(!under_path("a/b", "/", false));
        assert!(under_path("a/b", "/a/", false));
        assert!(is_valid_path("/"));
        assert!(is_valid_path("/a/b/"));
        assert!(!is_valid_path("//"));
        assert!(!is_valid_path("a"));
        assert!(!is_valid_path("/###"));
    }
}
