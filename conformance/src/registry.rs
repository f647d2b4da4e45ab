//! The suites a run can select. A suite is a module under `suites/` that lists its
//! properties; adding one is one more module and one more line in [`all`].

use crate::check::{Ctx, Outcome};
use crate::suites;

/// One named property of a suite.
pub struct Property {
    pub suite: &'static str,
    pub name: &'static str,
    /// One line for `--list` and the report.
    pub about: &'static str,
    /// A defect known and tracked elsewhere: a failure is reported as such and does not
    /// fail the run; a pass is reported too, so the marker gets removed.
    pub known_failure: Option<&'static str>,
    /// Runs on a blocking thread; set-up plus `ctx.check(...)`.
    pub run: fn(&Ctx) -> Outcome,
}

impl Property {
    /// `suite.name`, what `--filter` matches against.
    pub fn id(&self) -> String {
        format!("{}.{}", self.suite, self.name)
    }
}

/// Every property of every suite, in run order.
pub fn all() -> Vec<Property> {
    let mut all = Vec::new();
    all.extend(suites::dynamodb_api::properties());
    all.extend(suites::ssm_api::properties());
    all.extend(suites::cache::properties());
    all.extend(suites::sessions::properties());
    all.extend(suites::key_repository::properties());
    all.extend(suites::keyring::properties());
    all
}

/// The properties whose id contains any of the filters (all of them without a filter).
pub fn select(filters: &[String]) -> Vec<Property> {
    all()
        .into_iter()
        .filter(|p| filters.is_empty() || filters.iter().any(|f| p.id().contains(f.as_str())))
        .collect()
}
