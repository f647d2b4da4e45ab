//! One file per element in a directory, for development on one machine.
//!
//! As ASP.NET Core's `FileSystemXmlRepository`: `{friendly name}.xml` when the name is safe
//! for a file name (letters, digits, `-`, `_`), else `{new guid}.xml`; every `*.xml` file is
//! an element, and a file that is not XML is an error rather than skipped. A new element is
//! written to a temporary file first and then moved into place atomically, so a reader never
//! sees half an element. The move is a hard link plus removal of the temporary name, which,
//! unlike `rename`, refuses to replace an existing file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{
    remove_in_order, Chooser, DeletableElement, NamedElements, RepositoryError, XmlRepository,
};
use crate::keyring::xml::XmlElement;
use crate::keyring::KeyId;

#[derive(Clone, Debug)]
pub struct FileSystemXmlRepository {
    directory: PathBuf,
}

impl FileSystemXmlRepository {
    /// Elements live in `directory`, created at the first store.
    pub fn new(directory: impl Into<PathBuf>) -> FileSystemXmlRepository {
        FileSystemXmlRepository {
            directory: directory.into(),
        }
    }

    pub fn directory(&self) -> &Path {
        &self.directory
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RepositoryError + '_ {
        move |source| RepositoryError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

#[async_trait]
impl NamedElements for FileSystemXmlRepository {
    async fn list(&self) -> Result<Vec<DeletableElement>, RepositoryError> {
        let mut entries = match tokio::fs::read_dir(&self.directory).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Self::io(&self.directory)(e)),
        };
        let mut paths = Vec::new();
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(Self::io(&self.directory))?
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "xml") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut elements = Vec::with_capacity(paths.len());
        for path in paths {
            let text = tokio::fs::read_to_string(&path)
                .await
                .map_err(Self::io(&path))?;
            let element = XmlElement::parse(&text).map_err(|e| RepositoryError::Unreadable {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            elements.push(DeletableElement::new(
                path.to_string_lossy().into_owned(),
                element,
            ));
        }
        Ok(elements)
    }

    async fn delete(&self, name: &str) -> Result<(), RepositoryError> {
        let path = Path::new(name);
        tokio::fs::remove_file(path).await.map_err(Self::io(path))
    }
}

#[async_trait]
impl XmlRepository for FileSystemXmlRepository {
    async fn get_all_elements(&self) -> Result<Vec<XmlElement>, RepositoryError> {
        Ok(self.list().await?.into_iter().map(|e| e.element).collect())
    }

    async fn store_element(
        &self,
        element: &XmlElement,
        friendly_name: Option<&str>,
    ) -> Result<(), RepositoryError> {
        let directory = &self.directory;
        tokio::fs::create_dir_all(directory)
            .await
            .map_err(Self::io(directory))?;
        let name = friendly_name
            .filter(|n| is_safe_file_name(n))
            .map(str::to_owned)
            .unwrap_or_else(|| KeyId::new_random().to_string());
        let final_path = directory.join(format!("{name}.xml"));
        let temp_path = directory.join(format!("{}.tmp", KeyId::new_random()));
        tokio::fs::write(&temp_path, element.to_xml_string())
            .await
            .map_err(Self::io(&temp_path))?;
        let linked = tokio::fs::hard_link(&temp_path, &final_path).await;
        let linked = match linked {
            // File systems without hard links: an atomic rename, after checking the name
            // is free (a race here could replace a file; acceptable for development).
            Err(e) if e.kind() == ErrorKind::Unsupported => {
                if tokio::fs::try_exists(&final_path).await.unwrap_or(false) {
                    Err(std::io::Error::from(ErrorKind::AlreadyExists))
                } else {
                    tokio::fs::rename(&temp_path, &final_path).await
                }
            }
            other => other,
        };
        let _ = tokio::fs::remove_file(&temp_path).await;
        match linked {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                Err(RepositoryError::AlreadyExists { name })
            }
            Err(e) => Err(Self::io(&final_path)(e)),
        }
    }

    async fn remove_elements(&self, chooser: &mut Chooser<'_>) -> Result<bool, RepositoryError> {
        remove_in_order(self, chooser).await
    }
}
