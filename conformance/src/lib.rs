//! Conformance suite (work in progress: see the issues).
