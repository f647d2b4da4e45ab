//! The property driver: proptest generates and shrinks, each case runs async against the
//! target on the caller's (blocking) thread.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use crate::resources::Resources;
use crate::target::Target;

/// How one property ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed {
        cases: u32,
    },
    /// The first failing case, shrunk to a minimal one.
    Failed {
        passed: u32,
        message: String,
        minimal: String,
    },
    /// The target lacks something the property needs (an operation, the emulator's clock):
    /// the property did not run. Never counted as a pass.
    Unsupported {
        reason: String,
    },
    /// The run was cut short (Ctrl-C).
    Interrupted {
        passed: u32,
    },
    /// The property's set-up (its table, say) failed before any case ran.
    Error {
        message: String,
    },
}

/// Why a case did not pass.
#[derive(Debug)]
pub enum CaseError {
    Fail(String),
    /// The target does not support what this case needs; the property is skipped.
    Unsupported(String),
}

impl From<String> for CaseError {
    fn from(message: String) -> CaseError {
        CaseError::Fail(message)
    }
}

pub type CaseResult = Result<(), CaseError>;

/// Returns a failed case with a formatted message unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::check::CaseError::Fail(format!($($fmt)+)));
        }
    };
}

/// What a property gets to run with.
pub struct Ctx {
    pub target: Arc<Target>,
    pub resources: Arc<Resources>,
    pub handle: tokio::runtime::Handle,
    pub cases: u32,
    pub seed: u64,
    pub max_shrink_iters: u32,
    /// `suite.property`: seeds the property's generator, so filtering keeps sequences.
    pub property: String,
}

impl Ctx {
    /// Runs set-up code (creating a table) to completion.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Runs `test` on `cases` generated values; a failure is shrunk to a minimal value,
    /// printed with `Debug` (sequences print one operation a line, see [`Steps`]).
    pub fn check<S, F, Fut>(&self, strategy: S, test: F) -> Outcome
    where
        S: Strategy,
        S::Value: fmt::Debug,
        F: Fn(S::Value) -> Fut,
        Fut: Future<Output = CaseResult>,
    {
        let config = Config {
            cases: self.cases,
            max_shrink_iters: self.max_shrink_iters,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(self.seed, &self.property));
        let mut runner = TestRunner::new_with_rng(config, rng);
        let unsupported: Mutex<Option<String>> = Mutex::new(None);
        let interrupted = AtomicBool::new(false);
        let failed = AtomicBool::new(false);
        let passed = AtomicU32::new(0);
        let result = runner.run(&strategy, |value| {
            if unsupported
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_some()
            {
                return Ok(());
            }
            if self.resources.cancelled() {
                interrupted.store(true, Ordering::Relaxed);
                return Ok(());
            }
            match self.handle.block_on(test(value)) {
                Ok(()) => {
                    if !failed.load(Ordering::Relaxed) {
                        passed.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(())
                }
                Err(CaseError::Unsupported(reason)) => {
                    *unsupported.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason);
                    Ok(())
                }
                Err(CaseError::Fail(message)) => {
                    failed.store(true, Ordering::Relaxed);
                    Err(TestCaseError::fail(message))
                }
            }
        });
        let passed = passed.load(Ordering::Relaxed);
        if interrupted.load(Ordering::Relaxed) || self.resources.cancelled() {
            return Outcome::Interrupted { passed };
        }
        if let Some(reason) = unsupported.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Outcome::Unsupported { reason };
        }
        match result {
            Ok(()) => Outcome::Passed { cases: passed },
            Err(TestError::Fail(reason, minimal)) => Outcome::Failed {
                passed,
                message: reason.to_string(),
                minimal: format!("{minimal:#?}"),
            },
            Err(TestError::Abort(reason)) => Outcome::Error {
                message: format!("proptest aborted: {reason}"),
            },
        }
    }
}

/// 32 ChaCha seed bytes from the run's seed and the property's name (SplitMix64 over an
/// FNV-1a hash), so a property replays the same cases whatever else the run selected.
fn seed_bytes(seed: u64, property: &str) -> [u8; 32] {
    let mut state = property.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) ^ seed;
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    bytes
}

/// A generated sequence of operations; a failure prints it one numbered line each.
#[derive(Clone)]
pub struct Steps<T>(pub Vec<T>);

impl<T: fmt::Display> fmt::Debug for Steps<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            writeln!(f, "{:>3}. {step}", i + 1)?;
        }
        Ok(())
    }
}

/// A sequence strategy of 1..=`max` operations.
pub fn steps<S>(op: S, max: usize) -> impl Strategy<Value = Steps<S::Value>>
where
    S: Strategy,
    S::Value: fmt::Display,
{
    proptest::collection::vec(op, 1..=max).prop_map(Steps)
}

/// A case's world: the code under test on the target, and the model it must agree with.
// Cases run on one thread through `block_on`, so no `Send` bound is wanted on the future.
#[allow(async_fn_in_trait)]
pub trait World<Op> {
    /// Applies `op` to the target and the model, then checks that they agree.
    async fn step(&mut self, op: &Op) -> Result<(), String>;
}

/// Runs `steps` in order; a failure names the step and its operation. Stops early when
/// the run is interrupted.
pub async fn run_steps<Op: fmt::Display>(
    ctx: &Ctx,
    world: &mut impl World<Op>,
    steps: &Steps<Op>,
) -> CaseResult {
    for (i, op) in steps.0.iter().enumerate() {
        if ctx.resources.cancelled() {
            return Err(CaseError::Fail("interrupted".into()));
        }
        world
            .step(op)
            .await
            .map_err(|why| CaseError::Fail(format!("step {} ({op}): {why}", i + 1)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ_by_property_and_run() {
        assert_ne!(seed_bytes(1, "a.b"), seed_bytes(1, "a.c"));
        assert_ne!(seed_bytes(1, "a.b"), seed_bytes(2, "a.b"));
        assert_eq!(seed_bytes(7, "a.b"), seed_bytes(7, "a.b"));
    }

    #[test]
    fn steps_print_one_numbered_line_each() {
        let steps = Steps(vec!["get a", "remove a"]);
        assert_eq!(format!("{steps:?}"), "  1. get a\n  2. remove a\n");
    }
}
