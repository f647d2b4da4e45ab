//! The time a case runs at: a virtual clock the case moves by hand, shared by the caches
//! under test and the model, and brought to the emulator's clock for TTL sweeps.
//!
//! The store decides expiry on the client side ("expired means absent" whatever the
//! server still holds), so a virtual clock works on every target; only the sweep, which
//! really deletes items, needs the target's own clock.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::admin::AdminClock;

/// How far the server's clock stays behind the virtual one between sweeps. A live entry's
/// TTL is never before virtual now, so a server sweeping on its own (an emulator with
/// automatic sweeps) can never delete a live entry while a case runs for less than this.
const SERVER_LAG_MS: i64 = 5_000;

/// Milliseconds since the epoch; always half past a whole second, so that "expired"
/// (strictly after the TTL second) never sits on a boundary.
#[derive(Clone, Debug)]
pub struct VirtualClock(Arc<AtomicI64>);

/// What a sweep is known to have covered: every item with a TTL at or before
/// `covered_secs` is gone afterwards.
#[derive(Clone, Copy, Debug)]
pub struct Swept {
    pub covered_secs: i64,
    pub deleted: u64,
}

impl VirtualClock {
    /// An hour ahead of both real time and the server's clock: no TTL a case writes can
    /// come due on a real server (AWS deletes lazily, but may) while the case runs.
    pub async fn start(admin: Option<&AdminClock>) -> Result<VirtualClock, String> {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as i64;
        let server = match admin {
            Some(admin) => admin.now_millis().await?,
            None => real,
        };
        let base = real.max(server) + 3_600_000;
        Ok(VirtualClock(Arc::new(AtomicI64::new(
            base.div_euclid(1000) * 1000 + 500,
        ))))
    }

    pub fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.now_millis() as u64)
    }

    pub fn advance_secs(&self, secs: u32) {
        self.0.fetch_add(i64::from(secs) * 1000, Ordering::SeqCst);
    }

    /// The clock the caches under test read.
    pub fn cache_clock(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let clock = self.clone();
        move || clock.now()
    }

    /// Brings the server's clock to `SERVER_LAG_MS` behind virtual now and runs one TTL
    /// sweep. The server's clock never goes back: if it is already ahead, virtual time
    /// first moves forward by whole seconds (the model reads the same clock).
    pub async fn sweep(&self, admin: &AdminClock) -> Result<Swept, String> {
        let server = admin.now_millis().await?;
        let behind = self.now_millis() - SERVER_LAG_MS - server;
        if behind < 0 {
            let secs = (-behind + 999) / 1000;
            self.advance_secs(u32::try_from(secs).unwrap_or(u32::MAX));
        }
        admin
            .advance_millis(self.now_millis() - SERVER_LAG_MS - server)
            .await?;
        let before = admin.now_millis().await?;
        let deleted = admin.sweep().await?;
        Ok(Swept {
            covered_secs: before.div_euclid(1000),
            deleted,
        })
    }
}
