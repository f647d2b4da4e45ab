//! The Coral-style constraint-violation message both services use:
//! `N validation error(s) detected: Value '<v>' at '<path>' failed to satisfy constraint: <c>`.
//!
//! Both DynamoDB and SSM check every member's declared constraints first and report all
//! failures at once, before any semantic check; operations collect them here and each
//! service turns the result into its own ValidationException.

/// A finished, non-empty list of constraint failures, ready to become a ValidationException.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstraintViolation(pub String);

#[derive(Default, Debug)]
pub struct Constraints {
    failures: Vec<String>,
}

impl Constraints {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `Value '<value>' at '<path>' failed to satisfy constraint: <constraint>`.
    pub fn fail(&mut self, value: impl std::fmt::Display, path: &str, constraint: &str) {
        self.failures.push(format!(
            "Value '{value}' at '{path}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// The `null` form used when a required member is missing.
    pub fn missing(&mut self, path: &str) {
        self.failures.push(format!(
            "Value null at '{path}' failed to satisfy constraint: Member must not be null"
        ));
    }

    pub fn is_empty(&self) -> bool {
        self.failures.is_empty()
    }

    pub fn finish(self) -> Result<(), ConstraintViolation> {
        if self.failures.is_empty() {
            return Ok(());
        }
        let n = self.failures.len();
        let noun = if n == 1 { "error" } else { "errors" };
        Err(ConstraintViolation(format!(
            "{n} validation {noun} detected: {}",
            self.failures.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_count_and_join() {
        let mut c = Constraints::new();
        c.fail(
            "ab",
            "tableName",
            "Member must have length greater than or equal to 3",
        );
        c.missing("key");
        assert_eq!(
            c.finish().unwrap_err().0,
            "2 validation errors detected: Value 'ab' at 'tableName' failed to satisfy constraint: \
             Member must have length greater than or equal to 3; Value null at 'key' failed to \
             satisfy constraint: Member must not be null"
        );
        assert!(Constraints::new().finish().is_ok());
    }
}
