//! Entry options and the expiry maths of the .NET provider.
//!
//! Every entry carries three expiry attributes: the TTL (when DynamoDB may delete it), the
//! sliding window (how far a read pushes the TTL) and the deadline (how far the TTL may ever
//! be pushed). All are whole seconds since the epoch, rounded down, because DynamoDB's TTL
//! is in whole seconds and the .NET provider writes `ToUnixTimeSeconds()`.

use std::time::{Duration, SystemTime};

use crate::clock::{unix_nanos, unix_seconds};
use crate::error::CacheError;
use crate::timespan::TimeSpan;

/// How long an entry lives: `DistributedCacheEntryOptions` of .NET.
///
/// No option at all means the entry never expires.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryOptions {
    /// A fixed point in time; it must not have passed when the entry is written.
    pub absolute_expiration: Option<SystemTime>,
    /// A fixed lifetime from the time of writing; wins over `absolute_expiration`.
    pub absolute_expiration_relative_to_now: Option<Duration>,
    /// Each read or refresh extends the entry by this much (never beyond the absolute
    /// expiration, if any).
    pub sliding_expiration: Option<Duration>,
}

impl EntryOptions {
    pub fn new() -> EntryOptions {
        EntryOptions::default()
    }

    pub fn absolute(mut self, at: SystemTime) -> EntryOptions {
        self.absolute_expiration = Some(at);
        self
    }

    pub fn relative(mut self, lifetime: Duration) -> EntryOptions {
        self.absolute_expiration_relative_to_now = Some(lifetime);
        self
    }

    pub fn sliding(mut self, window: Duration) -> EntryOptions {
        self.sliding_expiration = Some(window);
        self
    }
}

/// The three expiry attributes of one stored entry; `None` is stored as `NULL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Expiry {
    pub ttl: Option<i64>,
    pub window: Option<TimeSpan>,
    pub deadline: Option<i64>,
}

impl Expiry {
    /// The attributes `Set` writes, computed at `now`.
    pub fn for_new_entry(options: &EntryOptions, now: SystemTime) -> Result<Expiry, CacheError> {
        // .NET refuses non-positive spans when the options are built; Rust's `Duration`
        // cannot be negative, so only zero is left to refuse.
        if options.sliding_expiration == Some(Duration::ZERO) {
            return Err(CacheError::InvalidEntryOptions(
                "The sliding expiration value must be positive.",
            ));
        }
        if options.absolute_expiration_relative_to_now == Some(Duration::ZERO) {
            return Err(CacheError::InvalidEntryOptions(
                "The relative expiration value must be positive.",
            ));
        }
        let now = unix_nanos(now);
        let deadline = match (
            options.absolute_expiration_relative_to_now,
            options.absolute_expiration,
        ) {
            (Some(lifetime), _) => Some(unix_seconds(now + lifetime.as_nanos() as i128)),
            (None, Some(at)) => {
                let at = unix_nanos(at);
                if now > at {
                    return Err(CacheError::AbsoluteExpirationInPast);
                }
                Some(unix_seconds(at))
            }
            (None, None) => None,
        };
        let window = options.sliding_expiration.map(TimeSpan::from_duration);
        Ok(Expiry {
            ttl: ttl(now, window, deadline),
            window,
            deadline,
        })
    }
}

/// The TTL for a window and deadline at `now` (nanoseconds since the epoch): the end of the
/// window capped by the deadline, or the deadline alone without a window.
pub(crate) fn ttl(now: i128, window: Option<TimeSpan>, deadline: Option<i64>) -> Option<i64> {
    match window {
        Some(window) => {
            let slid = unix_seconds(now + window.nanos());
            Some(deadline.map_or(slid, |deadline| deadline.min(slid)))
        }
        None => deadline,
    }
}

/// Whether an entry whose TTL is `ttl` has expired at `now`: strictly after the TTL second
/// began, the comparison .NET makes between `UtcNow` and the TTL as a date.
pub(crate) fn is_expired(ttl: i64, now: SystemTime) -> bool {
    unix_nanos(now) > i128::from(ttl) * 1_000_000_000
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    const HOUR: Duration = Duration::from_secs(3600);
    /// A "now" with a fractional second, so truncation is visible.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(1_700_000_000_750)
    }
    const NOW_S: i64 = 1_700_000_000;

    fn expiry(options: EntryOptions) -> Expiry {
        Expiry::for_new_entry(&options, now()).unwrap()
    }

    #[test]
    fn no_options_never_expire() {
        assert_eq!(
            expiry(EntryOptions::new()),
            Expiry {
                ttl: None,
                window: None,
                deadline: None
            }
        );
    }

    #[test]
    fn sliding_only_sets_the_ttl_and_window() {
        let e = expiry(EntryOptions::new().sliding(12 * HOUR));
        assert_eq!(e.ttl, Some(NOW_S + 12 * 3600));
        assert_eq!(e.window.map(|w| w.to_string()).as_deref(), Some("12:00:00"));
        assert_eq!(e.deadline, None);
    }

    #[test]
    fn relative_only_sets_ttl_equal_to_the_deadline() {
        let e = expiry(EntryOptions::new().relative(12 * HOUR));
        assert_eq!(e.deadline, Some(NOW_S + 12 * 3600));
        assert_eq!(e.ttl, e.deadline);
        assert_eq!(e.window, None);
    }

    #[test]
    fn absolute_only_truncates_to_whole_seconds() {
        let at = now() + 12 * HOUR + Duration::from_millis(900);
        let e = expiry(EntryOptions::new().absolute(at));
        assert_eq!(e.deadline, Some(NOW_S + 12 * 3600 + 1));
        assert_eq!(e.ttl, e.deadline);
    }

    #[test]
    fn relative_wins_over_absolute() {
        let e = expiry(
            EntryOptions::new()
                .absolute(now() + 24 * HOUR)
                .relative(12 * HOUR),
        );
        assert_eq!(e.deadline, Some(NOW_S + 12 * 3600));
        assert_eq!(e.ttl, e.deadline);
    }

    #[test]
    fn sliding_is_capped_by_the_deadline() {
        let within = expiry(EntryOptions::new().relative(24 * HOUR).sliding(12 * HOUR));
        assert_eq!(within.ttl, Some(NOW_S + 12 * 3600));
        assert_eq!(within.deadline, Some(NOW_S + 24 * 3600));
        let capped = expiry(EntryOptions::new().relative(6 * HOUR).sliding(12 * HOUR));
        assert_eq!(capped.ttl, Some(NOW_S + 6 * 3600));
        let all = expiry(
            EntryOptions::new()
                .absolute(now() + 48 * HOUR)
                .relative(24 * HOUR)
                .sliding(12 * HOUR),
        );
        assert_eq!(
            (all.ttl, all.deadline),
            (Some(NOW_S + 12 * 3600), Some(NOW_S + 24 * 3600))
        );
    }

    #[test]
    fn absolute_in_the_past_is_refused() {
        let err = Expiry::for_new_entry(
            &EntryOptions::new().absolute(now() - Duration::from_millis(1)),
            now(),
        )
        .unwrap_err();
        assert!(matches!(err, CacheError::AbsoluteExpirationInPast));
        assert_eq!(err.to_string(), "AbsoluteExpiration must be in the future.");
        // "Now" itself is not in the past.
        assert!(Expiry::for_new_entry(&EntryOptions::new().absolute(now()), now()).is_ok());
    }

    #[test]
    fn zero_spans_are_refused() {
        let err =
            Expiry::for_new_entry(&EntryOptions::new().sliding(Duration::ZERO), now()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The sliding expiration value must be positive."
        );
        let err = Expiry::for_new_entry(&EntryOptions::new().relative(Duration::ZERO), now())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "The relative expiration value must be positive."
        );
    }

    #[test]
    fn expired_strictly_after_the_ttl_second() {
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        assert!(!is_expired(100, at(100_000)));
        assert!(is_expired(100, at(100_001)));
        assert!(!is_expired(100, at(99_999)));
    }
}
