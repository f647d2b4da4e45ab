//! The cache API, after .NET's `IDistributedCache`.

use std::future::Future;

use crate::entry::EntryOptions;

/// A byte cache shared by several processes.
///
/// Reads never return an expired entry, even one the backing store has not deleted yet.
/// Reading an entry with a sliding expiration pushes its expiry forward, as `refresh` does.
pub trait DistributedCache: Send + Sync {
    type Error: std::error::Error + Send + Sync + 'static;

    /// The value, or `None` if absent or expired; slides the expiry.
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, Self::Error>> + Send;

    /// Stores the value, replacing any previous entry.
    fn set(
        &self,
        key: &str,
        value: &[u8],
        options: &EntryOptions,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Slides the expiry without reading the value out; never recreates a removed entry.
    fn refresh(&self, key: &str) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Removes the entry; removing an absent entry succeeds.
    fn remove(&self, key: &str) -> impl Future<Output = Result<(), Self::Error>> + Send;
}
