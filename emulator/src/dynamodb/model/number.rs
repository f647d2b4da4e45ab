//! DynamoDB's Number: up to 38 significant decimal digits, magnitude 1E-130 to
//! 9.99...E+125, compared numerically and read back in a normalised form.
//!
//! A value is `sign × mantissa × 10^exponent` with the mantissa's trailing zeros folded into
//! the exponent, so every number has exactly one representation: equality and hashing are
//! structural and `1`, `1.0` and `10E-1` are the same key. 38 digits fit in a `u128`
//! (10^38 < 2^127); floats would lose digits and decimal crates stop at 28.

use std::cmp::Ordering;
use std::fmt;

pub const MAX_DIGITS: u32 = 38;
/// No number counts for more than 21 bytes.
const MAX_SIZE: usize = 21;
/// Largest decimal exponent of the leading digit (9.99...E+125).
const MAX_ADJUSTED_EXPONENT: i64 = 125;
/// Smallest decimal exponent of the leading digit (1E-130).
const MIN_ADJUSTED_EXPONENT: i64 = -130;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    /// No trailing zeros; 0 only for zero itself.
    mantissa: u128,
    exponent: i32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberError {
    NotNumeric(String),
    TooManyDigits,
    Overflow,
    Underflow,
}

impl NumberError {
    /// DynamoDB's message for the problem (all are ValidationExceptions).
    pub fn message(&self) -> String {
        match self {
            // An empty string gets the message without the colon.
            NumberError::NotNumeric(text) if text.is_empty() => {
                "The parameter cannot be converted to a numeric value".to_owned()
            }
            NumberError::NotNumeric(text) => {
                format!("The parameter cannot be converted to a numeric value: {text}")
            }
            NumberError::TooManyDigits => {
                "Attempting to store more than 38 significant digits in a Number".to_owned()
            }
            NumberError::Overflow => {
                "Number overflow. Attempting to store a number with magnitude larger than supported range".to_owned()
            }
            NumberError::Underflow => {
                "Number underflow. Attempting to store a number with magnitude smaller than supported range".to_owned()
            }
        }
    }
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

fn digit_count(mut m: u128) -> u32 {
    let mut n = 1;
    while m >= 10 {
        m /= 10;
        n += 1;
    }
    n
}

impl Number {
    pub const ZERO: Number = Number {
        negative: false,
        mantissa: 0,
        exponent: 0,
    };

    /// Parses the text form DynamoDB accepts (Java `BigDecimal` syntax: optional sign,
    /// digits with an optional point, optional exponent) and applies the precision and
    /// range limits.
    pub fn parse(text: &str) -> Result<Number, NumberError> {
        let not_numeric = || NumberError::NotNumeric(text.to_owned());
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if let Some(&c) = bytes.first() {
            if c == b'+' || c == b'-' {
                negative = c == b'-';
                i = 1;
            }
        }
        // Significant digits, without leading zeros; trailing zeros are counted so they
        // can be folded into the exponent.
        let mut digits: Vec<u8> = Vec::new();
        let mut seen_digit = false;
        let mut frac_digits: i64 = 0;
        let mut in_fraction = false;
        while i < bytes.len() {
            let c = bytes[i];
            match c {
                b'0'..=b'9' => {
                    seen_digit = true;
                    if in_fraction {
                        frac_digits += 1;
                    }
                    if !(digits.is_empty() && c == b'0') {
                        digits.push(c - b'0');
                    }
                }
                b'.' if !in_fraction => in_fraction = true,
                b'e' | b'E' => break,
                _ => return Err(not_numeric()),
            }
            i += 1;
        }
        if !seen_digit {
            return Err(not_numeric());
        }
        let mut exponent: i64 = 0;
        if i < bytes.len() {
            // bytes[i] is 'e' or 'E'
            i += 1;
            let mut exp_negative = false;
            if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
                exp_negative = bytes[i] == b'-';
                i += 1;
            }
            if i == bytes.len() {
                return Err(not_numeric());
            }
            for &c in &bytes[i..] {
                if !c.is_ascii_digit() {
                    return Err(not_numeric());
                }
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add((c - b'0') as i64);
            }
            if exp_negative {
                exponent = -exponent;
            }
        }
        exponent = exponent.saturating_sub(frac_digits);
        while digits.last() == Some(&0) {
            digits.pop();
            exponent = exponent.saturating_add(1);
        }
        if digits.is_empty() {
            return Ok(Number::ZERO);
        }
        if digits.len() > MAX_DIGITS as usize {
            return Err(NumberError::TooManyDigits);
        }
        let adjusted = exponent.saturating_add(digits.len() as i64 - 1);
        if adjusted > MAX_ADJUSTED_EXPONENT {
            return Err(NumberError::Overflow);
        }
        if adjusted < MIN_ADJUSTED_EXPONENT {
            return Err(NumberError::Underflow);
        }
        let mantissa = digits.iter().fold(0u128, |acc, &d| acc * 10 + d as u128);
        Ok(Number {
            negative,
            mantissa,
            exponent: exponent as i32,
        })
    }

    /// The normalised parts (sign, mantissa without trailing zeros, exponent): what the
    /// engine's compact item encoding stores instead of the decimal text.
    pub fn to_parts(&self) -> (bool, u128, i32) {
        (self.negative, self.mantissa, self.exponent)
    }

    /// Rebuilds a number from [`Number::to_parts`] output. The parts come from the
    /// engine's own encoding of a validated number, so they are normalised and in range;
    /// anything else is refused rather than trusted.
    pub fn from_parts(negative: bool, mantissa: u128, exponent: i32) -> Option<Number> {
        let normalised = if mantissa == 0 {
            !negative && exponent == 0
        } else {
            mantissa % 10 != 0 && digit_count(mantissa) <= MAX_DIGITS
        };
        normalised.then_some(Number {
            negative,
            mantissa,
            exponent,
        })
    }

    /// Appends a byte string whose bytewise order is this number's numeric order, and
    /// which no other number's byte string extends (prefix-free), so numbers can be
    /// components of the engine's ordered keys.
    ///
    /// Zero is `0x80`. A positive number is `0x81`, its leading digit's exponent biased to
    /// a big-endian `u16`, then its digits as bytes 1..=10 and a `0` terminator: the
    /// exponent orders magnitudes, and the normalised digit string (no trailing zeros)
    /// orders within one exponent, a shorter string first. A negative number is `0x7F`
    /// followed by the complement of every byte of its magnitude's form, which reverses
    /// the order.
    pub fn write_order_key(&self, out: &mut Vec<u8>) {
        if self.is_zero() {
            out.push(0x80);
            return;
        }
        let flip = if self.negative { 0xFF } else { 0x00 };
        out.push(if self.negative { 0x7F } else { 0x81 });
        // Adjusted exponents lie in -130..=125 for valid numbers; the bias keeps any i32
        // exponent in range for u16 after clamping, so ordering holds everywhere.
        let biased = (self.adjusted_exponent() + 0x8000).clamp(0, 0xFFFF) as u16;
        for b in biased.to_be_bytes() {
            out.push(b ^ flip);
        }
        // Digits most significant first, without formatting a string: keys of N tables
        // are encoded on every request that names one.
        let mut digits = [0u8; MAX_DIGITS as usize + 1];
        let mut len = 0;
        let mut m = self.mantissa;
        while m > 0 && len < digits.len() {
            digits[len] = (m % 10) as u8;
            m /= 10;
            len += 1;
        }
        for &d in digits[..len].iter().rev() {
            out.push((d + 1) ^ flip);
        }
        out.push(flip);
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Significant digits (1 for zero).
    pub fn significant_digits(&self) -> u32 {
        digit_count(self.mantissa)
    }

    /// Decimal exponent of the leading digit.
    fn adjusted_exponent(&self) -> i64 {
        self.exponent as i64 + self.significant_digits() as i64 - 1
    }

    /// Bytes the number occupies in DynamoDB's item size arithmetic: one byte of exponent,
    /// one per base-100 digit (pairs aligned on the decimal point), one more if negative,
    /// never more than 21 (measured against the real service by the dynamodb-calculator
    /// project, whose rules this reproduces).
    pub fn size(&self) -> usize {
        if self.is_zero() {
            return 1;
        }
        let low = self.exponent as i64;
        let high = self.adjusted_exponent();
        let pairs = high.div_euclid(2) - low.div_euclid(2) + 1;
        (1 + pairs as usize + usize::from(self.negative)).min(MAX_SIZE)
    }

    /// The value as a float, for callers that only need an approximation (TTL epochs).
    pub fn to_f64(&self) -> f64 {
        let v: f64 = self.to_string().parse().unwrap_or(f64::NAN);
        v
    }

    /// Integer part if the value is integral and fits in an `i128`.
    pub fn to_i128(&self) -> Option<i128> {
        if self.exponent < 0 {
            return None;
        }
        let scale = 10i128.checked_pow(self.exponent as u32)?;
        let magnitude = i128::try_from(self.mantissa).ok()?.checked_mul(scale)?;
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// `self + other`, exactly, under DynamoDB's limits. DynamoDB never rounds: a result
    /// that needs more than 38 significant digits fails, and (as observed against the real
    /// service) with the *overflow* message, the same as a result beyond 9.99...E+125.
    pub fn checked_add(&self, other: &Number) -> Result<Number, NumberError> {
        if other.is_zero() {
            return Ok(self.clone());
        }
        if self.is_zero() {
            return Ok(other.clone());
        }
        // Align both mantissas on the smaller exponent as little-endian decimal digits.
        // The sum's lowest significant digit sits at or above that exponent and its highest
        // one at most one above the larger operand's, so a span beyond 38 + 1 digits
        // cannot fit whatever the digits are.
        let low = self.exponent.min(other.exponent) as i64;
        let high = self.adjusted_exponent().max(other.adjusted_exponent());
        if high - low + 1 > 2 * MAX_DIGITS as i64 + 2 {
            return Err(NumberError::Overflow);
        }
        let digits_of = |n: &Number| -> Vec<u8> {
            let mut out = vec![0u8; (n.exponent as i64 - low) as usize];
            let mut m = n.mantissa;
            while m > 0 {
                out.push((m % 10) as u8);
                m /= 10;
            }
            out
        };
        let (a, b) = (digits_of(self), digits_of(other));
        let (negative, magnitude) = if self.negative == other.negative {
            (self.negative, add_digits(&a, &b))
        } else {
            match self.cmp_magnitude(other) {
                Ordering::Equal => return Ok(Number::ZERO),
                Ordering::Greater => (self.negative, sub_digits(&a, &b)),
                Ordering::Less => (other.negative, sub_digits(&b, &a)),
            }
        };
        Number::from_digits(negative, &magnitude, low)
    }

    /// `self - other` under the same rules as [`Number::checked_add`].
    pub fn checked_sub(&self, other: &Number) -> Result<Number, NumberError> {
        let negated = Number {
            negative: !other.negative && !other.is_zero(),
            ..other.clone()
        };
        self.checked_add(&negated)
    }

    /// Builds a number from little-endian decimal digits scaled by `10^exponent`,
    /// normalising and applying the precision and range limits.
    fn from_digits(negative: bool, digits: &[u8], exponent: i64) -> Result<Number, NumberError> {
        let first = digits.iter().position(|&d| d != 0);
        let last = digits.iter().rposition(|&d| d != 0);
        let (Some(first), Some(last)) = (first, last) else {
            return Ok(Number::ZERO);
        };
        let significant = &digits[first..=last];
        if significant.len() > MAX_DIGITS as usize {
            return Err(NumberError::Overflow);
        }
        let exponent = exponent + first as i64;
        let adjusted = exponent + significant.len() as i64 - 1;
        if adjusted > MAX_ADJUSTED_EXPONENT {
            return Err(NumberError::Overflow);
        }
        if adjusted < MIN_ADJUSTED_EXPONENT {
            return Err(NumberError::Underflow);
        }
        let mantissa = significant
            .iter()
            .rev()
            .fold(0u128, |acc, &d| acc * 10 + d as u128);
        Ok(Number {
            negative,
            mantissa,
            exponent: exponent as i32,
        })
    }

    fn cmp_magnitude(&self, other: &Number) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let by_exponent = self.adjusted_exponent().cmp(&other.adjusted_exponent());
        if by_exponent != Ordering::Equal {
            return by_exponent;
        }
        // Same leading position: compare the digit strings left-aligned.
        let (da, db) = (self.significant_digits(), other.significant_digits());
        let width = da.max(db);
        let a = self.mantissa * 10u128.pow(width - da);
        let b = other.mantissa * 10u128.pow(width - db);
        a.cmp(&b)
    }
}

/// Sum of two little-endian digit strings.
fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u8;
    for i in 0..a.len().max(b.len()) {
        let d = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        out.push(d % 10);
        carry = d / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    out
}

/// `a - b` for little-endian digit strings with `a >= b`.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &digit) in a.iter().enumerate() {
        let mut d = digit as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out.push(d as u8);
    }
    out
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Plain notation, never scientific: DynamoDB answers `1.5E2` with `150`.
///
/// Written piece by piece from a stack buffer: every number in every answer passes here.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        let mut buf = [0u8; 39]; // u128::MAX has 39 digits
        let digits = decimal_digits(self.mantissa, &mut buf);
        if self.negative {
            f.write_str("-")?;
        }
        if self.exponent >= 0 {
            f.write_str(digits)?;
            write_zeros(f, self.exponent as usize)
        } else {
            let frac = (-self.exponent) as usize;
            if digits.len() > frac {
                let (int, dec) = digits.split_at(digits.len() - frac);
                f.write_str(int)?;
                f.write_str(".")?;
                f.write_str(dec)
            } else {
                f.write_str("0.")?;
                write_zeros(f, frac - digits.len())?;
                f.write_str(digits)
            }
        }
    }
}

/// The decimal digits of `m`, written at the end of `buf`.
fn decimal_digits(mut m: u128, buf: &mut [u8; 39]) -> &str {
    let mut i = buf.len();
    // Most numbers fit a u64, whose division is far cheaper than a u128's.
    while m > u128::from(u64::MAX) {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
    }
    let mut small = m as u64;
    loop {
        i -= 1;
        buf[i] = b'0' + (small % 10) as u8;
        small /= 10;
        if small == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[i..]).unwrap_or_default()
}

fn write_zeros(f: &mut fmt::Formatter<'_>, mut n: usize) -> fmt::Result {
    const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
    while n > 0 {
        let run = n.min(ZEROS.len());
        f.write_str(&ZEROS[..run])?;
        n -= run;
    }
    Ok(())
}

/// DynamoDB's wire form of a number: its text in a JSON string (written straight into the
/// answer, with no intermediate `String`).
impl serde::Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for Number {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Number::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_keys_sort_numerically() {
        let texts = [
            "-1E+125", "-99", "-10", "-9.99", "-1.5", "-1", "-0.5", "-1E-130", "0", "1E-130",
            "0.5", "1", "1.5", "9.99", "10", "99", "100", "1E+125",
        ];
        let keys: Vec<Vec<u8>> = texts
            .iter()
            .map(|t| {
                let mut out = Vec::new();
                n(t).write_order_key(&mut out);
                out
            })
            .collect();
        for pair in keys.windows(2) {
            assert!(pair[0] < pair[1], "{pair:?}");
            assert!(!pair[1].starts_with(&pair[0]));
        }
        for t in texts {
            let (neg, m, e) = n(t).to_parts();
            assert_eq!(Number::from_parts(neg, m, e), Some(n(t)));
        }
        assert_eq!(Number::from_parts(false, 10, 0), None);
    }

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn read_back_is_normalised() {
        for (input, out) in [
            ("00042", "42"),
            ("1.0", "1"),
            ("3.1400", "3.14"),
            ("1.5E2", "150"),
            ("-0", "0"),
            ("-0.000", "0"),
            (".5", "0.5"),
            ("5.", "5"),
            ("+7", "7"),
            ("1e-3", "0.001"),
            ("-12.5e1", "-125"),
        ] {
            assert_eq!(n(input).to_string(), out, "{input}");
        }
    }

    #[test]
    fn extremes_print_in_full() {
        // 38 digits: a mantissa past u64, written through the wide path.
        let wide = "12345678901234567890123456789012345678";
        assert_eq!(n(wide).to_string(), wide);
        assert_eq!(n(&format!("-{wide}")).to_string(), format!("-{wide}"));
        // Runs of zeros longer than the 64 written at a time, both sides of the point.
        assert_eq!(n("1E+125").to_string(), format!("1{}", "0".repeat(125)));
        assert_eq!(n("1E-130").to_string(), format!("0.{}1", "0".repeat(129)));
        assert_eq!(
            n("-9.5E-100").to_string(),
            format!("-0.{}95", "0".repeat(99))
        );
        // In JSON, a number is its text in a string.
        assert_eq!(serde_json::to_string(&n("-1.5E2")).unwrap(), r#""-150""#);
    }

    #[test]
    fn limits_and_errors() {
        assert_eq!(
            Number::parse("abc"),
            Err(NumberError::NotNumeric("abc".into()))
        );
        assert_eq!(Number::parse(""), Err(NumberError::NotNumeric("".into())));
        assert_eq!(
            Number::parse("1e"),
            Err(NumberError::NotNumeric("1e".into()))
        );
        assert_eq!(
            Number::parse(" 1"),
            Err(NumberError::NotNumeric(" 1".into()))
        );
        assert_eq!(
            Number::parse(&"1".repeat(39)),
            Err(NumberError::TooManyDigits)
        );
        assert!(Number::parse(&format!("{}000", "1".repeat(38))).is_ok());
        assert!(Number::parse("9.9999999999999999999999999999999999999E+125").is_ok());
        assert_eq!(Number::parse("1E+126"), Err(NumberError::Overflow));
        assert!(Number::parse("1E-130").is_ok());
        assert_eq!(Number::parse("1E-131"), Err(NumberError::Underflow));
        assert_eq!(Number::parse("0E+999999999999"), Ok(Number::ZERO));
    }

    #[test]
    fn compares_numerically() {
        assert!(n("10") > n("9"));
        assert!(n("-10") < n("-9"));
        assert!(n("0.001") < n("0.01"));
        assert!(n("-0.001") > n("-1"));
        assert_eq!(n("1.0"), n("10E-1"));
        assert!(n("0") > n("-1E-130"));
        assert!(n("123.45") < n("123.456"));
    }

    #[test]
    fn sizes_follow_base_100_digits() {
        assert_eq!(n("0").size(), 1);
        assert_eq!(n("1").size(), 2);
        assert_eq!(n("12").size(), 2);
        assert_eq!(n("123").size(), 3);
        assert_eq!(n("-1").size(), 3);
        assert_eq!(n("1.5").size(), 3);
        assert_eq!(n("12000").size(), 3);
        assert_eq!(n("0.005").size(), 2);
        // 38 digits straddling the decimal point: 20 base-100 digits, capped.
        let long = format!("-1.{}", "1".repeat(37));
        assert_eq!(n(&long).size(), 21);
    }

    #[test]
    fn arithmetic_is_exact_and_bounded() {
        let add = |a: &str, b: &str| n(a).checked_add(&n(b));
        assert_eq!(
            add("1", "10000000000000000000000").unwrap(),
            n("10000000000000000000001")
        );
        assert_eq!(
            n("10000000000000000000000").checked_sub(&n("1")).unwrap(),
            n("9999999999999999999999")
        );
        assert_eq!(add("5.3", "0.05").unwrap(), n("5.35"));
        assert_eq!(add("-1.5", "1.5").unwrap(), Number::ZERO);
        assert_eq!(add("9e125", "9e124").unwrap(), n("9.9e125"));
        assert_eq!(add("9e125", "9e125"), Err(NumberError::Overflow));
        assert_eq!(
            n("9e125").checked_sub(&n("-9e125")),
            Err(NumberError::Overflow)
        );
        // DynamoDB words a result needing more than 38 digits as an overflow too.
        assert_eq!(add("1e50", "1"), Err(NumberError::Overflow));
        assert_eq!(n("1e50").checked_sub(&n("1")), Err(NumberError::Overflow));
        assert_eq!(add(&"9".repeat(38), "1").unwrap(), n("1e38"));
        assert_eq!(n("1e-130").checked_sub(&n("2e-130")).unwrap(), n("-1e-130"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn number() -> impl Strategy<Value = Number> {
            (any::<bool>(), "[1-9][0-9]{0,37}", -140i64..100).prop_filter_map(
                "in range",
                |(neg, digits, exp)| {
                    Number::parse(&format!("{}{digits}E{exp}", if neg { "-" } else { "" })).ok()
                },
            )
        }

        /// Exact comparison on the decimal strings, independent of `Ord for Number`:
        /// both values written with the same number of fraction digits.
        fn exact_cmp(a: &Number, b: &Number) -> Ordering {
            fn parts(n: &Number) -> (bool, String, String) {
                let s = n.to_string();
                let (neg, s) = match s.strip_prefix('-') {
                    Some(rest) => (true, rest.to_owned()),
                    None => (false, s),
                };
                let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
                (neg, int.to_owned(), frac.to_owned())
            }
            let (na, ia, fa) = parts(a);
            let (nb, ib, fb) = parts(b);
            let width = ia.len().max(ib.len());
            let fwidth = fa.len().max(fb.len());
            let pad = |i: &str, f: &str| format!("{i:0>width$}{f:0<fwidth$}");
            let (ma, mb) = (pad(&ia, &fa), pad(&ib, &fb));
            let zero_a = ma.bytes().all(|c| c == b'0');
            let zero_b = mb.bytes().all(|c| c == b'0');
            let sa = if zero_a {
                0
            } else if na {
                -1
            } else {
                1
            };
            let sb = if zero_b {
                0
            } else if nb {
                -1
            } else {
                1
            };
            if sa != sb {
                return sa.cmp(&sb);
            }
            let mag = ma.cmp(&mb);
            if sa < 0 {
                mag.reverse()
            } else {
                mag
            }
        }

        proptest! {
            #[test]
            fn display_then_parse_is_identity(a in number()) {
                prop_assert_eq!(Number::parse(&a.to_string()).unwrap(), a);
            }

            #[test]
            fn ordering_agrees_with_exact_decimal_comparison(a in number(), b in number()) {
                prop_assert_eq!(a.cmp(&b), exact_cmp(&a, &b));
            }

            #[test]
            fn size_is_positive_and_bounded(a in number()) {
                prop_assert!(a.size() >= 2 && a.size() <= MAX_SIZE);
            }

            #[test]
            fn addition_commutes_and_subtraction_undoes_it(a in number(), b in number()) {
                let ab = a.checked_add(&b);
                prop_assert_eq!(&ab, &b.checked_add(&a));
                if let Ok(sum) = ab {
                    if let Ok(back) = sum.checked_sub(&b) {
                        prop_assert_eq!(back, a.clone());
                    }
                    let expected = if b.is_zero() { Ordering::Equal } else if b.is_negative() { Ordering::Less } else { Ordering::Greater };
                    prop_assert_eq!(sum.cmp(&a), expected);
                }
            }
        }
    }
}
