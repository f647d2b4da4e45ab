//! The emulator's clock: wall time plus an offset that tests may move forward.
//!
//! Only the emulated services read it (TTL expiry, creation and modification dates).
//! The HTTP `Date` header always carries real time, because the AWS SDKs correct their
//! own clock skew from it and would otherwise sign requests in the "future".

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The most one advance may move the clock: 100 years (in seconds). Larger values are
/// refused with a clear message rather than saturated silently.
pub const MAX_ADVANCE_SECONDS: f64 = 100.0 * 365.25 * 86_400.0;

/// The emulated time never goes past the end of year 9999 (milliseconds since the epoch):
/// DynamoDB numbers, SSM dates and the SDKs' date parsers all handle that range.
pub const MAX_NOW_MILLIS: i64 = 253_402_300_799_999;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_millis: Arc<AtomicI64>,
}

impl Clock {
    /// Milliseconds since the Unix epoch, as the emulated services see it.
    pub fn now_millis(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(MAX_NOW_MILLIS))
            .unwrap_or(0);
        real.saturating_add(self.offset_millis.load(Ordering::Relaxed))
            .min(MAX_NOW_MILLIS)
    }

    /// Seconds since the epoch with a fractional part, the form the AWS JSON protocols use.
    pub fn now_epoch_seconds(&self) -> f64 {
        self.now_millis() as f64 / 1000.0
    }

    /// Moves the emulated time forward, saturating: the offset never overflows and the
    /// clock stops at [`MAX_NOW_MILLIS`], however often it is advanced. Only
    /// [`Clock::reset`] moves it back (TTL sweeps that already deleted items cannot be
    /// undone, so small backwards jumps would only confuse tests).
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ = self
            .offset_millis
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                Some(offset.saturating_add(by).min(MAX_NOW_MILLIS))
            });
    }

    pub fn offset_millis(&self) -> i64 {
        self.offset_millis.load(Ordering::Relaxed)
    }

    /// Back to real time.
    pub fn reset(&self) {
        self.offset_millis.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_saturates_instead_of_wrapping() {
        let clock = Clock::default();
        for _ in 0..10 {
            clock.advance(Duration::MAX);
            clock.advance(Duration::from_secs_f64(MAX_ADVANCE_SECONDS));
        }
        assert_eq!(clock.now_millis(), MAX_NOW_MILLIS);
        assert!(clock.offset_millis() > 0);
        assert!(clock.now_epoch_seconds() > 0.0);
        clock.reset();
        assert_eq!(clock.offset_millis(), 0);
        assert!(clock.now_millis() < MAX_NOW_MILLIS);
    }
}
