//! Whose data a request sees, and why a request may not see any.
//!
//! Both services and the storage engines key their data by [`Namespace`]; the wire layer
//! derives it from the `Authorization` header and reports an [`AuthError`] otherwise, which
//! each service renders in its own error shape.

use std::cell::RefCell;
use std::sync::Arc;

/// Whose data a request sees: one set of tables and parameters per (access key, region),
/// or a single set for everyone with `--shared-db`. Equality, hashing and order follow
/// that identity only; `region` is the request's own and still goes into ARNs.
#[derive(Clone, Debug)]
pub struct Namespace {
    id: Arc<str>,
    pub access_key: Arc<str>,
    pub region: Arc<str>,
}

impl Namespace {
    pub fn new(access_key: &str, region: &str) -> Self {
        Namespace {
            id: Arc::from(format!("{access_key}/{region}")),
            access_key: Arc::from(access_key),
            region: Arc::from(region),
        }
    }

    /// The single namespace of `--shared-db` (DynamoDB Local's `-sharedDb`): every access
    /// key and region share it.
    pub fn shared(access_key: &str, region: &str) -> Self {
        Namespace {
            id: Arc::from(""),
            access_key: Arc::from(access_key),
            region: Arc::from(region),
        }
    }

    /// [`Namespace::new`] or, with `shared_db`, [`Namespace::shared`], reusing the
    /// thread's last one when it is the same.
    pub fn cached(access_key: &str, region: &str, shared_db: bool) -> Self {
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            if let Some((shared, ns)) = last.as_ref() {
                if *shared == shared_db && *ns.access_key == *access_key && *ns.region == *region {
                    return ns.clone();
                }
            }
            let ns = if shared_db {
                Namespace::shared(access_key, region)
            } else {
                Namespace::new(access_key, region)
            };
            *last = Some((shared_db, ns.clone()));
            ns
        })
    }
}

thread_local! {
    /// The namespace this thread's last request named: nearly every request names the
    /// same one as the last, and sharing it saves three allocations on each.
    static LAST: RefCell<Option<(bool, Namespace)>> = const { RefCell::new(None) };
}

impl PartialEq for Namespace {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Namespace {}

impl std::hash::Hash for Namespace {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl PartialOrd for Namespace {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Namespace {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id.cmp(&other.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header at all.
    Missing,
    /// A header that is there but lacks parts; the message is DynamoDB's.
    Incomplete(String),
    /// An access key id or region no AWS account could have (longer than IAM allows):
    /// refused before it can name, and allocate, a namespace.
    InvalidAccessKey,
}

pub const MISSING_TOKEN_MESSAGE: &str = "Request is missing Authentication Token";

/// What AWS answers for credentials it does not know.
pub const UNRECOGNIZED_CLIENT_MESSAGE: &str =
    "The security token included in the request is invalid.";
