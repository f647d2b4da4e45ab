//! One module per SSM operation, routed by the name after `AmazonSSM.`.

pub mod add_tags_to_resource;
pub mod delete_parameter;
pub mod delete_parameters;
pub mod describe_parameters;
pub mod get_parameter;
pub mod get_parameter_history;
pub mod get_parameters;
pub mod get_parameters_by_path;
pub mod label_parameter_version;
pub mod list_tags_for_resource;
pub mod put_parameter;
pub mod remove_tags_from_resource;

use super::error::{Result, SsmError};
use super::store::{key_of, Catalog, Parameter, Version};
use super::validate::{NameRef, Selector};
use super::{run, Ctx};

pub fn dispatch(ctx: &Ctx, op: &str, body: &[u8]) -> Result<Vec<u8>> {
    match op {
        "PutParameter" => run::<put_parameter::PutParameter>(ctx, body),
        "GetParameter" => run::<get_parameter::GetParameter>(ctx, body),
        "GetParameters" => run::<get_parameters::GetParameters>(ctx, body),
        "GetParametersByPath" => run::<get_parameters_by_path::GetParametersByPath>(ctx, body),
        "DeleteParameter" => run::<delete_parameter::DeleteParameter>(ctx, body),
        "DeleteParameters" => run::<delete_parameters::DeleteParameters>(ctx, body),
        "DescribeParameters" => run::<describe_parameters::DescribeParameters>(ctx, body),
        "GetParameterHistory" => run::<get_parameter_history::GetParameterHistory>(ctx, body),
        "LabelParameterVersion" => run::<label_parameter_version::LabelParameterVersion>(ctx, body),
        "AddTagsToResource" => run::<add_tags_to_resource::AddTagsToResource>(ctx, body),
        "RemoveTagsFromResource" => {
            run::<remove_tags_from_resource::RemoveTagsFromResource>(ctx, body)
        }
        "ListTagsForResource" => run::<list_tags_for_resource::ListTagsForResource>(ctx, body),
        _ => Err(SsmError::UnknownOperation),
    }
}

/// The parameter and version a (possibly selected) name refers to.
pub fn resolve<'c>(catalog: &'c Catalog, name: &NameRef) -> Result<(&'c Parameter, &'c Version)> {
    let p = catalog
        .parameters
        .get(key_of(&name.name))
        .ok_or(SsmError::ParameterNotFound)?;
    let v = match &name.selector {
        Selector::Latest => p.latest(),
        Selector::Version(n) => Some(
            p.version(*n)
                .ok_or_else(|| version_not_found(*n, &name.name))?,
        ),
        Selector::Label(l) => p.labelled(l),
    };
    Ok((p, v.ok_or(SsmError::ParameterNotFound)?))
}

pub fn version_not_found(version: i64, name: &str) -> SsmError {
    SsmError::ParameterVersionNotFound(format!(
        "Systems Manager could not find version {version} of {name}. Verify the version and \
         try again."
    ))
}

/// The resource types the tagging operations accept; only parameters live in this emulator.
const RESOURCE_TYPES: [&str; 9] = [
    "Association",
    "Automation",
    "Document",
    "MaintenanceWindow",
    "ManagedInstance",
    "OpsItem",
    "OpsMetadata",
    "Parameter",
    "PatchBaseline",
];

/// Checks a tagging request's `ResourceType` and `ResourceId` members; returns the catalog
/// key of the parameter they name (existence is checked under the lock by the caller).
pub fn tag_target(
    c: &mut super::error::Constraints,
    resource_type: Option<&str>,
    resource_id: Option<&str>,
) -> Option<String> {
    match resource_type {
        None => c.missing("resourceType"),
        Some(t) if !RESOURCE_TYPES.contains(&t) => c.fail(
            t,
            "resourceType",
            &format!(
                "Member must satisfy enum value set: [{}]",
                RESOURCE_TYPES.join(", ")
            ),
        ),
        Some(_) => {}
    }
    if resource_id.is_none() {
        c.missing("resourceId");
    }
    resource_id.map(|id| key_of(id).to_owned())
}

/// After the member checks: anything but a parameter is a type this emulator does not hold.
pub fn require_parameter_type(resource_type: Option<&str>) -> Result<()> {
    match resource_type {
        Some("Parameter") => Ok(()),
        _ => Err(SsmError::InvalidResourceType),
    }
}
