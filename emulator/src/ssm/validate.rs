//! The rules every operation shares: names and selectors, values and tiers, page sizes and
//! the opaque paging token.

use base64::Engine;

use super::error::{Constraints, Result, SsmError};
use super::model::Tier;
use super::store::key_of;
use super::Ctx;

/// Longest value each tier holds, in characters.
pub const STANDARD_MAX_VALUE: usize = 4096;
pub const ADVANCED_MAX_VALUE: usize = 8192;
/// Deepest hierarchy: `/1/2/.../15`.
pub const MAX_HIERARCHY_LEVELS: usize = 15;
/// Longest name including the ARN prefix before it.
pub const MAX_NAME_WITH_ARN: usize = 1011;
/// The model's length bound on `Name`, checked before anything else.
pub const MAX_NAME_LENGTH: usize = 2048;

pub const STANDARD_TOO_LONG: &str = "Standard tier parameters support a maximum parameter value of \
     4096 characters. To create a larger parameter value, upgrade the parameter to use the \
     advanced-parameter tier. For more information, see \
     https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html";
pub const ADVANCED_TOO_LONG: &str = "The specified parameter value is too large. Advanced-tier \
     parameters support a maximum parameter value of 8192 characters.";
pub const NO_DOWNGRADE: &str = "This parameter uses the advanced-parameter tier. You can't \
     downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If \
     necessary, you can delete the advanced parameter and recreate it as a standard parameter.";
pub const POLICIES_NEED_ADVANCED: &str =
    "Parameter policies are supported only for advanced-tier parameters.";

/// What real SSM answers for a name with characters outside `a-zA-Z0-9_.-/` (spaces, `@`),
/// an empty path segment, or a path under `ssm`: one message for all of them.
pub const INVALID_NAME: &str = "Parameter name: can't be prefixed with \"ssm\" \
     (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash \
     symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 \
     symbols .-_";
pub const RESERVED_PREFIX: &str =
    "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).";
pub const NOT_FULLY_QUALIFIED: &str = "Parameter name must be a fully qualified name.";
pub const HIERARCHY_TOO_DEEP: &str = "A hierarchy can have a maximum of 15 levels. For more \
     information, see Requirements and constraints for parameter names in the Amazon Web \
     Services Systems Manager User Guide.";
/// Real SSM's message for a bad path (GetParametersByPath, the `Path` filter). The quotes
/// around aws and ssm really do carry backslashes on the wire.
pub const INVALID_PATH: &str = "The parameter doesn't meet the parameter name requirements. \
     The parameter name must begin with a forward slash \"/\". It can't be prefixed with \
     \\\"aws\\\" or \\\"ssm\\\" (case-insensitive). It must use only letters, numbers, or the \
     following symbols: . (period), - (hyphen), _ (underscore). Special characters are not \
     allowed. All sub-paths, if specified, must use the forward slash symbol \"/\". Valid \
     example: /get/parameters2-/by1./path0_.";

fn allowed_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')
}

/// Checks the character set; reads use only this, so public `/aws/...` names stay readable.
pub fn name_characters(name: &str) -> Result<()> {
    if name.is_empty() || !name.chars().all(allowed_name_char) {
        return Err(SsmError::Validation(INVALID_NAME.to_owned()));
    }
    Ok(())
}

/// The full rule set for a name being created (PutParameter).
pub fn name_for_write(ctx: &Ctx, name: &str) -> Result<()> {
    name_characters(name)?;
    let key = key_of(name);
    let is_path = name.starts_with('/') && key.contains('/');
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("aws") || lower.starts_with("ssm") {
        if is_path && lower.starts_with("aws") {
            return Err(SsmError::AccessDenied(format!(
                "No access to reserved parameter name: {name}."
            )));
        }
        let message = if is_path {
            INVALID_NAME
        } else {
            RESERVED_PREFIX
        };
        return Err(SsmError::Validation(message.to_owned()));
    }
    if !name.starts_with('/') && name.contains('/') {
        return Err(SsmError::Validation(NOT_FULLY_QUALIFIED.to_owned()));
    }
    if key.is_empty() || key.split('/').any(str::is_empty) {
        return Err(SsmError::Validation(INVALID_NAME.to_owned()));
    }
    if key.split('/').count() > MAX_HIERARCHY_LEVELS {
        return Err(SsmError::HierarchyLevelLimitExceeded(
            HIERARCHY_TOO_DEEP.to_owned(),
        ));
    }
    let with_arn = ctx.arn_prefix().len() + key.len();
    if with_arn > MAX_NAME_WITH_ARN {
        let mut c = Constraints::new();
        c.fail(
            name,
            "name",
            &format!(
                "Member must have length less than or equal to {}",
                MAX_NAME_WITH_ARN - ctx.arn_prefix().len()
            ),
        );
        c.finish()?;
    }
    Ok(())
}

/// Which version a read names: `name`, `name:3` or `name:label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Latest,
    Version(i64),
    Label(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameRef {
    pub name: String,
    pub selector: Selector,
}

impl NameRef {
    /// The `Selector` member of the answer: `:3` or `:label`, as the caller wrote it.
    pub fn selector_text(&self) -> Option<String> {
        match &self.selector {
            Selector::Latest => None,
            Selector::Version(v) => Some(format!(":{v}")),
            Selector::Label(l) => Some(format!(":{l}")),
        }
    }
}

pub fn name_ref(raw: &str) -> Result<NameRef> {
    let (name, selector) = match raw.split_once(':') {
        None => (raw, Selector::Latest),
        Some((name, sel)) => {
            let selector = if !sel.is_empty() && sel.bytes().all(|b| b.is_ascii_digit()) {
                Selector::Version(
                    sel.parse()
                        .map_err(|_| SsmError::Validation(INVALID_NAME.to_owned()))?,
                )
            } else if !sel.is_empty() && sel.chars().all(|c| allowed_name_char(c) && c != '/') {
                Selector::Label(sel.to_owned())
            } else {
                return Err(SsmError::Validation(INVALID_NAME.to_owned()));
            };
            (name, selector)
        }
    };
    name_characters(name)?;
    Ok(NameRef {
        name: name.to_owned(),
        selector,
    })
}

/// Length bounds on a string member, in characters.
/// A required string member: `null`, or its length constraint.
pub fn required_length(
    c: &mut Constraints,
    path: &str,
    value: Option<&str>,
    min: usize,
    max: usize,
) {
    match value {
        None => c.missing(path),
        Some(_) => length(c, path, value, min, max),
    }
}

/// The member constraints of a `Tags` list (PutParameter, AddTagsToResource).
pub fn tags(c: &mut Constraints, tags: &[crate::ssm::model::Tag]) {
    for (i, tag) in tags.iter().enumerate() {
        let at = |m: &str| format!("tags.{}.member.{m}", i + 1);
        required_length(c, &at("key"), tag.key.as_deref(), 1, 128);
        required_length(c, &at("value"), tag.value.as_deref(), 0, 256);
    }
}

pub fn length(c: &mut Constraints, path: &str, value: Option<&str>, min: usize, max: usize) {
    if let Some(v) = value {
        let n = v.chars().count();
        if n < min {
            c.fail(
                v,
                path,
                &format!("Member must have length greater than or equal to {min}"),
            );
        } else if n > max {
            c.fail(
                v,
                path,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
    }
}

/// `MaxResults` bounds; returns the page size to use.
pub fn max_results(c: &mut Constraints, value: Option<i64>, max: i64, default: i64) -> usize {
    match value {
        Some(n) if n < 1 => c.fail(
            n,
            "maxResults",
            "Member must have value greater than or equal to 1",
        ),
        Some(n) if n > max => c.fail(
            n,
            "maxResults",
            &format!("Member must have value less than or equal to {max}"),
        ),
        _ => {}
    }
    usize::try_from(value.unwrap_or(default).clamp(1, max)).unwrap_or(1)
}

/// A list member's item count bounds (`names`, `labels`, ...), rendered as SSM does:
/// `Value '[a, b]' at 'names' failed to satisfy constraint: ...`.
pub fn list_length(c: &mut Constraints, path: &str, items: &[String], min: usize, max: usize) {
    let shown = format!("[{}]", items.join(", "));
    if items.len() < min {
        c.fail(
            shown,
            path,
            &format!("Member must have length greater than or equal to {min}"),
        );
    } else if items.len() > max {
        c.fail(
            shown,
            path,
            &format!("Member must have length less than or equal to {max}"),
        );
    }
}

/// The tier a write lands in, given what was asked, what the parameter was, and its value.
pub fn resolve_tier(
    requested: Option<Tier>,
    existing: Option<Tier>,
    value_chars: usize,
    has_policies: bool,
) -> Result<Tier> {
    let tier = match requested {
        None => existing.unwrap_or(Tier::Standard),
        Some(Tier::IntelligentTiering) => {
            if value_chars > STANDARD_MAX_VALUE || has_policies || existing == Some(Tier::Advanced)
            {
                Tier::Advanced
            } else {
                Tier::Standard
            }
        }
        Some(t) => t,
    };
    if tier == Tier::Standard && existing == Some(Tier::Advanced) {
        return Err(SsmError::Validation(NO_DOWNGRADE.to_owned()));
    }
    if tier == Tier::Standard && value_chars > STANDARD_MAX_VALUE {
        return Err(SsmError::Validation(STANDARD_TOO_LONG.to_owned()));
    }
    if value_chars > ADVANCED_MAX_VALUE {
        return Err(SsmError::Validation(ADVANCED_TOO_LONG.to_owned()));
    }
    if tier == Tier::Standard && has_policies {
        return Err(SsmError::Validation(POLICIES_NEED_ADVANCED.to_owned()));
    }
    Ok(tier)
}

/// Paging tokens are opaque to clients but only name the last key returned, so a token
/// stays valid however many other parameters are written or deleted meanwhile.
pub fn encode_token(last_key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("ssm1:{last_key}"))
}

pub fn decode_token(token: &str) -> Result<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| SsmError::InvalidNextToken)?;
    let text = String::from_utf8(bytes).map_err(|_| SsmError::InvalidNextToken)?;
    text.strip_prefix("ssm1:")
        .map(str::to_owned)
        .ok_or(SsmError::InvalidNextToken)
}

/// One page of `items` (sorted by key) after the key the token names.
pub fn page<K: AsRef<str>, T>(
    items: impl IntoIterator<Item = (K, T)>,
    next_token: Option<&str>,
    size: usize,
) -> Result<(Vec<T>, Option<String>)> {
    let after = next_token.map(decode_token).transpose()?;
    let mut rest = items
        .into_iter()
        .filter(|(k, _)| after.as_deref().is_none_or(|a| k.as_ref() > a))
        .peekable();
    let mut out = Vec::with_capacity(size);
    let mut last = None;
    while out.len() < size {
        match rest.next() {
            Some((k, item)) => {
                last = Some(k.as_ref().to_owned());
                out.push(item);
            }
            None => break,
        }
    }
    let token = match (rest.peek(), last) {
        (Some(_), Some(last)) => Some(encode_token(&last)),
        _ => None,
    };
    Ok((out, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        assert_eq!(name_ref("/a/b:3").unwrap().selector, Selector::Version(3));
        assert_eq!(
            name_ref("foo:prod").unwrap().selector,
            Selector::Label("prod".into())
        );
        assert_eq!(name_ref("foo").unwrap().selector, Selector::Latest);
        assert!(name_ref("foo:a:b").is_err());
        assert!(name_ref("Dev MySQL DB").is_err());
        assert!(name_ref("foo:99999999999999999999999").is_err());
    }

    #[test]
    fn tiers() {
        assert_eq!(resolve_tier(None, None, 4096, false), Ok(Tier::Standard));
        assert!(resolve_tier(None, None, 4097, false).is_err());
        assert_eq!(
            resolve_tier(Some(Tier::IntelligentTiering), None, 4097, false),
            Ok(Tier::Advanced)
        );
        assert_eq!(
            resolve_tier(Some(Tier::Advanced), None, 8192, false),
            Ok(Tier::Advanced)
        );
        assert!(resolve_tier(Some(Tier::Advanced), None, 8193, false).is_err());
        assert!(resolve_tier(Some(Tier::Standard), Some(Tier::Advanced), 1, false).is_err());
    }

    #[test]
    fn pages_by_key() {
        let items = vec![("a", 1), ("b", 2), ("c", 3)];
        let (p1, t1) = page(items.clone(), None, 2).unwrap();
        assert_eq!(p1, vec![1, 2]);
        let (p2, t2) = page(items, t1.as_deref(), 2).unwrap();
        assert_eq!(p2, vec![3]);
        assert_eq!(t2, None);
        assert_eq!(
            page(Vec::<(&str, i32)>::new(), Some("!!"), 2).unwrap_err(),
            SsmError::InvalidNextToken
        );
    }
}
