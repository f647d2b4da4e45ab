//! LabelParameterVersion: attaches labels to one version, moving them off any other.

use serde::{Deserialize, Serialize};

use super::version_not_found;
use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::store::key_of;
use crate::ssm::{validate, Ctx, Operation};

/// Most labels one version may carry.
pub const MAX_LABELS_PER_VERSION: usize = 10;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub name: Option<String>,
    pub parameter_version: Option<i64>,
    pub labels: Option<Vec<String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub invalid_labels: Vec<String>,
    pub parameter_version: i64,
}

pub struct LabelParameterVersion;

/// Labels may not look like versions or reserved names; such labels are reported back in
/// `InvalidLabels` instead of failing the request.
fn valid_label(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    !lower.starts_with("aws")
        && !lower.starts_with("ssm")
        && !label.starts_with(|c: char| c.is_ascii_digit())
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

impl Operation for LabelParameterVersion {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let labels = input.labels.unwrap_or_default();
        let mut c = Constraints::new();
        validate::required_length(
            &mut c,
            "name",
            input.name.as_deref(),
            1,
            validate::MAX_NAME_LENGTH,
        );
        validate::list_length(&mut c, "labels", &labels, 1, MAX_LABELS_PER_VERSION);
        if labels
            .iter()
            .any(|l| l.is_empty() || l.chars().count() > 100)
        {
            c.fail(
                format!("[{}]", labels.join(", ")),
                "labels",
                "Member must satisfy constraint: [Member must have length less than or equal \
                 to 100, Member must have length greater than or equal to 1]",
            );
        }
        c.finish()?;
        let name = input.name.unwrap_or_default();
        validate::name_characters(&name)?;
        ctx.store.write(ctx.ns, |catalog| {
            let p = catalog
                .parameters
                .get_mut(key_of(&name))
                .ok_or(SsmError::ParameterNotFound)?;
            let target = match input.parameter_version {
                Some(n) => n,
                None => p
                    .latest()
                    .map(|v| v.version)
                    .ok_or(SsmError::ParameterNotFound)?,
            };
            let (valid, invalid): (Vec<String>, Vec<String>) =
                labels.into_iter().partition(|l| valid_label(l));
            let current = p
                .version(target)
                .ok_or_else(|| version_not_found(target, &name))?;
            let added = valid
                .iter()
                .filter(|l| !current.labels.contains(*l))
                .count();
            if current.labels.len() + added > MAX_LABELS_PER_VERSION {
                return Err(SsmError::ParameterVersionLabelLimitExceeded(
                    "A parameter version can have maximum 10 labels.Move one or more labels to \
                     another version and try again."
                        .to_owned(),
                ));
            }
            for v in p.versions.iter_mut() {
                if v.version == target {
                    v.labels.extend(valid.iter().cloned());
                } else {
                    v.labels.retain(|l| !valid.contains(l));
                }
            }
            Ok(Output {
                invalid_labels: invalid,
                parameter_version: target,
            })
        })
    }
}
