//! Where key-ring elements live: the `IXmlRepository` contract of ASP.NET Core.
//!
//! Every repository returns each stored element exactly once, never overwrites an element
//! (two instances creating keys at the same moment must both keep theirs), and deletes in
//! the order the chooser gives, stopping at the first failure (the .NET 9 contract).

mod dynamodb;
mod file;
mod retry;
mod ssm;

use std::path::PathBuf;

use async_trait::async_trait;

pub use dynamodb::{DynamoDbXmlRepository, DynamoDbXmlRepositoryBuilder};
pub use file::FileSystemXmlRepository;
pub use retry::RetryPolicy;
pub use ssm::{SsmOptions, SsmXmlRepository, TierStorageMode};

use super::xml::XmlElement;

/// A store of top-level XML elements shared by every instance of an application.
#[async_trait]
pub trait XmlRepository: Send + Sync + 'static {
    /// Every element, each once, in no particular order.
    async fn get_all_elements(&self) -> Result<Vec<XmlElement>, RepositoryError>;

    /// Stores a new element. `friendly_name` names it where the repository names things
    /// (key elements are `key-{id}`); an element of that name already stored is an error,
    /// never overwritten.
    async fn store_element(
        &self,
        element: &XmlElement,
        friendly_name: Option<&str>,
    ) -> Result<(), RepositoryError>;

    /// .NET 9's `RemoveElements`: `chooser` sees every element and sets a deletion order on
    /// those to delete; they are deleted in increasing order, and the first failure stops the
    /// deletion. `Ok(true)` only if every chosen element was deleted.
    async fn remove_elements(&self, chooser: &mut Chooser<'_>) -> Result<bool, RepositoryError>;
}

/// Picks the elements to delete by setting their [`DeletableElement::deletion_order`].
pub type Chooser<'a> = dyn FnMut(&mut [DeletableElement]) + Send + 'a;

/// An element offered to a deletion chooser.
#[derive(Debug)]
pub struct DeletableElement {
    element: XmlElement,
    /// The repository's handle on the element (parameter name, sort key, file path).
    name: String,
    /// `Some(order)` to delete; lower orders go first.
    pub deletion_order: Option<i32>,
}

impl DeletableElement {
    pub(crate) fn new(name: String, element: XmlElement) -> DeletableElement {
        DeletableElement {
            element,
            name,
            deletion_order: None,
        }
    }

    pub fn element(&self) -> &XmlElement {
        &self.element
    }

    /// The name the repository stores the element under.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// What a repository needs to provide for the shared deletion procedure.
#[async_trait]
pub(crate) trait NamedElements: Send + Sync {
    async fn list(&self) -> Result<Vec<DeletableElement>, RepositoryError>;
    async fn delete(&self, name: &str) -> Result<(), RepositoryError>;
}

/// The .NET 9 deletion procedure, once for every repository.
pub(crate) async fn remove_in_order(
    store: &dyn NamedElements,
    chooser: &mut Chooser<'_>,
) -> Result<bool, RepositoryError> {
    let mut elements = store.list().await?;
    chooser(&mut elements);
    let mut chosen: Vec<(i32, String)> = elements
        .into_iter()
        .filter_map(|e| e.deletion_order.map(|order| (order, e.name)))
        .collect();
    // Stable: equal orders keep the listing's order.
    chosen.sort_by_key(|(order, _)| *order);
    for (_, name) in chosen {
        if let Err(error) = store.delete(&name).await {
            tracing::error!(element = %name, %error, "deleting a key-ring element failed; stopping");
            return Ok(false);
        }
    }
    Ok(true)
}

/// The name of a new element in SSM and DynamoDB, as the SSM provider names parameters:
/// the friendly name, else the element's `id` attribute, else a new UUID.
pub(crate) fn element_name(element: &XmlElement, friendly_name: Option<&str>) -> String {
    friendly_name
        .filter(|n| !n.is_empty())
        .or_else(|| element.attribute("id"))
        .map(str::to_owned)
        .unwrap_or_else(|| super::KeyId::new_random().to_string())
}

/// Why a repository call failed.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// The credentials lack a permission; the message names it.
    #[error(
        "access denied: {operation} needs the IAM permission {permission} on {resource} \
         ({message})"
    )]
    AccessDenied {
        operation: &'static str,
        permission: &'static str,
        resource: String,
        message: String,
    },

    /// An element with this name is already stored; it was left as it was.
    #[error("the key repository already holds an element named {name}; it was not overwritten")]
    AlreadyExists { name: String },

    /// The element cannot be stored at this size with these options.
    #[error("{0}")]
    TooLarge(String),

    /// The service kept throttling through every retry.
    #[error("{operation} on {resource} was still throttled after {attempts} attempts: {message}")]
    Throttled {
        operation: &'static str,
        resource: String,
        attempts: u32,
        message: String,
    },

    /// Any other service failure.
    #[error("{operation} on {resource} failed: {message}")]
    Service {
        operation: &'static str,
        resource: String,
        code: Option<String>,
        message: String,
    },

    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A file of the file-system repository is not an XML element. Fatal, as in .NET:
    /// skipping it could hide a revocation.
    #[error("{}: {reason}", .path.display())]
    Unreadable { path: PathBuf, reason: String },
}
