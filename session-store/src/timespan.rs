//! .NET `TimeSpan` strings, the format of the `ttl_window` attribute.
//!
//! The .NET provider stores the sliding window with `TimeSpan.ToString()` (the constant "c"
//! format, `[-][d.]hh:mm:ss[.fffffff]`) and reads it back with `TimeSpan.Parse`. A Rust
//! cache sharing the table must write the same text and read whatever .NET writes.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;

/// A signed duration in 100 ns ticks, like `System.TimeSpan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeSpan {
    ticks: i64,
}

impl TimeSpan {
    pub const fn from_ticks(ticks: i64) -> TimeSpan {
        TimeSpan { ticks }
    }

    /// Sub-tick precision is dropped (as .NET does); durations beyond `TimeSpan.MaxValue`
    /// (about 29 000 years) saturate.
    pub fn from_duration(duration: Duration) -> TimeSpan {
        let ticks = duration.as_nanos() / 100;
        TimeSpan {
            ticks: i64::try_from(ticks).unwrap_or(i64::MAX),
        }
    }

    pub const fn ticks(self) -> i64 {
        self.ticks
    }

    pub(crate) fn nanos(self) -> i128 {
        i128::from(self.ticks) * 100
    }
}

impl fmt::Display for TimeSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // unsigned_abs: i64::MIN ticks (TimeSpan.MinValue) has no positive counterpart.
        let magnitude = self.ticks.unsigned_abs();
        if self.ticks < 0 {
            f.write_str("-")?;
        }
        let per = |unit: i64| unit as u64;
        let days = magnitude / per(TICKS_PER_DAY);
        let hours = magnitude % per(TICKS_PER_DAY) / per(TICKS_PER_HOUR);
        let minutes = magnitude % per(TICKS_PER_HOUR) / per(TICKS_PER_MINUTE);
        let seconds = magnitude % per(TICKS_PER_MINUTE) / per(TICKS_PER_SECOND);
        let fraction = magnitude % per(TICKS_PER_SECOND);
        if days > 0 {
            write!(f, "{days}.")?;
        }
        write!(f, "{hours:02}:{minutes:02}:{seconds:02}")?;
        if fraction > 0 {
            write!(f, ".{fraction:07}")?;
        }
        Ok(())
    }
}

/// Text that `TimeSpan.Parse` would not accept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid .NET TimeSpan")]
pub struct ParseTimeSpanError(String);

impl FromStr for TimeSpan {
    type Err = ParseTimeSpanError;

    /// The invariant-culture forms of `TimeSpan.Parse`: `[-]d` or
    /// `[-][d.]hh:mm[:ss[.fffffff]]`, surrounding white space allowed.
    fn from_str(text: &str) -> Result<TimeSpan, ParseTimeSpanError> {
        let error = || ParseTimeSpanError(text.to_owned());
        let trimmed = text.trim();
        let (negative, body) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let ticks = parse_unsigned(body).ok_or_else(error)?;
        Ok(TimeSpan {
            ticks: if negative { -ticks } else { ticks },
        })
    }
}

fn parse_unsigned(body: &str) -> Option<i64> {
    let number = |s: &str| -> Option<i64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    if !body.contains(':') {
        return number(body)?.checked_mul(TICKS_PER_DAY);
    }
    let (days, clock) = match body.split_once('.') {
        Some((d, rest)) if d.find(':').is_none() => (number(d)?, rest),
        _ => (0, body),
    };
    let mut parts = clock.split(':');
    let hours = number(parts.next()?)?;
    let minutes = number(parts.next()?)?;
    let (seconds, fraction) = match parts.next() {
        None => (0, 0),
        Some(s) => match s.split_once('.') {
            None => (number(s)?, 0),
            Some((whole, digits)) => (number(whole)?, fraction_ticks(digits)?),
        },
    };
    if parts.next().is_some() || hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    days.checked_mul(TICKS_PER_DAY)?
        .checked_add(hours * TICKS_PER_HOUR + minutes * TICKS_PER_MINUTE)?
        .checked_add(seconds * TICKS_PER_SECOND + fraction)
}

/// Up to seven digits of a second, as ticks.
fn fraction_ticks(digits: &str) -> Option<i64> {
    if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i64 = digits.parse().ok()?;
    Some(value * 10i64.pow(7 - digits.len() as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(h: u64) -> TimeSpan {
        TimeSpan::from_duration(Duration::from_secs(h * 3600))
    }

    #[test]
    fn formats_like_the_constant_format() {
        assert_eq!(hours(12).to_string(), "12:00:00");
        assert_eq!(hours(24).to_string(), "1.00:00:00");
        assert_eq!(hours(48 + 5).to_string(), "2.05:00:00");
        assert_eq!(
            TimeSpan::from_duration(Duration::from_millis(1500)).to_string(),
            "00:00:01.5000000"
        );
        assert_eq!(
            TimeSpan::from_duration(Duration::from_nanos(100)).to_string(),
            "00:00:00.0000001"
        );
        assert_eq!(
            TimeSpan::from_ticks(-TICKS_PER_HOUR).to_string(),
            "-01:00:00"
        );
        assert_eq!(TimeSpan::from_ticks(0).to_string(), "00:00:00");
    }

    #[test]
    fn parses_what_dotnet_writes_and_round_trips() {
        for text in [
            "12:00:00",
            "1.00:00:00",
            "00:20:00",
            "00:00:01.5000000",
            "-01:00:00",
            "10675199.02:48:05.4775807",
        ] {
            let parsed: TimeSpan = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
        assert_eq!("12:00:00".parse::<TimeSpan>().unwrap(), hours(12));
    }

    #[test]
    fn parses_the_short_forms_timespan_parse_accepts() {
        assert_eq!("3".parse::<TimeSpan>().unwrap(), hours(72));
        assert_eq!(
            "01:30".parse::<TimeSpan>().unwrap().ticks(),
            90 * TICKS_PER_MINUTE
        );
        assert_eq!(
            " 1.02:03:04.5 ".parse::<TimeSpan>().unwrap().to_string(),
            "1.02:03:04.5000000"
        );
    }

    #[test]
    fn rejects_what_timespan_parse_rejects() {
        for bad in [
            "",
            "abc",
            "24:00:00",
            "00:60:00",
            "00:00:60",
            "1:2:3:4",
            "00:00:00.12345678",
            "1.",
            "-",
        ] {
            assert_eq!(
                bad.parse::<TimeSpan>(),
                Err(ParseTimeSpanError(bad.to_owned())),
                "{bad:?}"
            );
        }
    }
}
