//! Where the cache reads "now".
//!
//! Expiry is decided on both sides of the wire: DynamoDB's TTL sweeper deletes items whose
//! TTL has passed, and the cache hides items that have expired but are not yet swept. A test
//! that moves the emulator's clock must move the cache's clock with it, so the cache never
//! calls `SystemTime::now()` directly.

use std::fmt;
use std::time::SystemTime;

/// A source of the current time.
///
/// Any `Fn() -> SystemTime` closure is a clock, so a test can write
/// `move || UNIX_EPOCH + Duration::from_millis(emulator.clock().now_millis() as u64)`.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> SystemTime;
}

impl<F> Clock for F
where
    F: Fn() -> SystemTime + Send + Sync + 'static,
{
    fn now(&self) -> SystemTime {
        self()
    }
}

/// The operating system's clock, the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Nanoseconds since the Unix epoch, negative before it.
pub(crate) fn unix_nanos(time: SystemTime) -> i128 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

/// Whole seconds since the epoch, rounded down, as .NET's `ToUnixTimeSeconds` does.
pub(crate) fn unix_seconds(nanos: i128) -> i64 {
    let seconds = nanos.div_euclid(1_000_000_000);
    i64::try_from(seconds).unwrap_or(if seconds < 0 { i64::MIN } else { i64::MAX })
}

pub(crate) struct DebugClock;

impl fmt::Debug for DebugClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<clock>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn seconds_round_down_on_both_sides_of_the_epoch() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_999);
        assert_eq!(unix_seconds(unix_nanos(t)), 1_700_000_000);
        let before = UNIX_EPOCH - Duration::from_millis(1_500);
        assert_eq!(unix_seconds(unix_nanos(before)), -2);
    }

    #[test]
    fn closures_are_clocks() {
        let fixed = UNIX_EPOCH + Duration::from_secs(42);
        let clock = move || fixed;
        assert_eq!(Clock::now(&clock), fixed);
    }
}
