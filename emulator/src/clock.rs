//! The emulator's clock: wall time plus an offset that tests may move forward.
//!
//! Only the emulated services read it (TTL expiry, creation and modification dates).
//! The HTTP `Date` header always carries real time, because the AWS SDKs correct their
//! own clock skew from it and would otherwise sign requests in the "future".

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_millis: Arc<AtomicI64>,
}

impl Clock {
    /// Milliseconds since the Unix epoch, as the emulated services see it.
    pub fn now_millis(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        real + self.offset_millis.load(Ordering::Relaxed)
    }

    /// Seconds since the epoch with a fractional part, the form the AWS JSON protocols use.
    pub fn now_epoch_seconds(&self) -> f64 {
        self.now_millis() as f64 / 1000.0
    }

    /// Moves the emulated time forward. Time never goes backwards: TTL sweeps that already
    /// deleted items cannot be undone, so a backwards jump would only confuse tests.
    pub fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        self.offset_millis.fetch_add(millis, Ordering::Relaxed);
    }

    pub fn offset_millis(&self) -> i64 {
        self.offset_millis.load(Ordering::Relaxed)
    }

    pub fn reset(&self) {
        self.offset_millis.store(0, Ordering::Relaxed);
    }
}
