//! Money as a decimal in minor units (two decimals), and the one rounding rule.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Digits after the decimal point of every supported currency (EUR, USD, GBP, CHF ...).
pub const MINOR_DIGITS: u32 = 2;

/// The largest amount any single figure may reach; anything above is a typo.
const MAX_ABS_MAJOR: i64 = 1_000_000_000;

/// How a half minor unit is rounded. Both rules are symmetric around zero, so
/// a refund rounds exactly like the sale it reverses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundingMode {
    /// 0.005 -> 0.01 and -0.005 -> -0.01 (commercial rounding).
    #[default]
    HalfUp,
    /// 0.005 -> 0.00, 0.015 -> 0.02 (banker's rounding).
    HalfEven,
}

impl FromStr for RoundingMode {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "half-up" => Ok(Self::HalfUp),
            "half-even" => Ok(Self::HalfEven),
            other => Err(MoneyError::Invalid(format!("rounding “{other}”: expected half-up or half-even"))),
        }
    }
}

/// The one rounding function: `value` to the nearest multiple of `step`
/// (0.01 for minor units, 0.05 for cash rounding), halves by `mode`.
pub fn round_to_step(value: Decimal, step: Decimal, mode: RoundingMode) -> Decimal {
    let strategy = match mode {
        RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
    };
    let steps = (value / step).round_dp_with_strategy(0, strategy);
    let mut rounded = steps * step;
    rounded.rescale(MINOR_DIGITS.max(step.scale()));
    rounded
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0}")]
    Invalid(String),
}

/// An amount of money, always held at exactly two decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::from_parts(0, 0, 0, false, MINOR_DIGITS));

    /// Amount from integer minor units (cents).
    pub fn from_minor(minor: i64) -> Money {
        Money(Decimal::new(minor, MINOR_DIGITS))
    }

    /// Rounds any decimal to minor units with `mode`.
    pub fn round(value: Decimal, mode: RoundingMode) -> Money {
        Money(round_to_step(value, Decimal::new(1, MINOR_DIGITS), mode))
    }

    /// Integer minor units (cents), as stored in the database.
    pub fn minor(self) -> i64 {
        i64::try_from(self.0.mantissa()).expect("money is bounded far below i64")
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// Parses a positive-or-zero amount typed by a person: "20", "19.9", "19.90".
    pub fn parse_non_negative(text: &str) -> Result<Money, MoneyError> {
        let money = text.parse::<Money>()?;
        if money.is_negative() {
            return Err(MoneyError::Invalid(format!("amount “{text}” must not be negative")));
        }
        Ok(money)
    }
}

impl TryFrom<Decimal> for Money {
    type Error = MoneyError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        if value.normalize().scale() > MINOR_DIGITS {
            return Err(MoneyError::Invalid(format!("amount “{value}” has more than {MINOR_DIGITS} decimals")));
        }
        if value.abs() > Decimal::from(MAX_ABS_MAJOR) {
            return Err(MoneyError::Invalid(format!("amount “{value}” is out of range")));
        }
        let mut value = value;
        value.rescale(MINOR_DIGITS);
        Ok(Money(value))
    }
}

impl From<Money> for Decimal {
    fn from(value: Money) -> Self {
        value.0
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let valid_chars = !trimmed.is_empty()
            && trimmed.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'));
        let decimal = valid_chars
            .then(|| Decimal::from_str_exact(trimmed).ok())
            .flatten()
            .ok_or_else(|| MoneyError::Invalid(format!("“{text}” is not an amount like 12.50")))?;
        Money::try_from(decimal)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Default for Money {
    /// `0.00`, at two decimals like every amount.
    fn default() -> Money {
        Money::ZERO
    }
}

impl Neg for Money {
    type Output = Money;
    /// Minus the amount; zero stays `0.00`, never `-0.00`.
    fn neg(self) -> Money {
        if self.is_zero() { Money::ZERO } else { Money(-self.0) }
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounding_table() {
        let cases = [
            (dec!(0.005), dec!(0.01), RoundingMode::HalfUp, "0.01"),
            (dec!(-0.005), dec!(0.01), RoundingMode::HalfUp, "-0.01"),
            (dec!(0.005), dec!(0.01), RoundingMode::HalfEven, "0.00"),
            (dec!(0.015), dec!(0.01), RoundingMode::HalfEven, "0.02"),
            (dec!(1.2349), dec!(0.01), RoundingMode::HalfUp, "1.23"),
            (dec!(9.97), dec!(0.05), RoundingMode::HalfUp, "9.95"),
            (dec!(9.98), dec!(0.05), RoundingMode::HalfUp, "10.00"),
            (dec!(9.975), dec!(0.05), RoundingMode::HalfUp, "10.00"),
            (dec!(9.925), dec!(0.05), RoundingMode::HalfEven, "9.90"),
            (dec!(12.31), dec!(0.10), RoundingMode::HalfUp, "12.30"),
        ];
        for (value, step, mode, want) in cases {
            assert_eq!(round_to_step(value, step, mode).to_string(), want, "{value} to {step} {mode:?}");
        }
    }

    #[test]
    fn parse_table() {
        let ok = [("20", "20.00"), ("19.9", "19.90"), ("0.01", "0.01"), (" 7.5 ", "7.50"), ("-3", "-3.00")];
        for (text, want) in ok {
            assert_eq!(text.parse::<Money>().unwrap().to_string(), want, "{text}");
        }
        for bad in ["", "abc", "1.005", "1e3", "+5", "1,50", "2000000000", "--1", "1.2.3"] {
            assert!(bad.parse::<Money>().is_err(), "{bad} should be refused");
        }
        assert!(Money::parse_non_negative("-1").is_err());
    }

    #[test]
    fn zero_is_always_written_0_00() {
        assert_eq!(Money::default().to_string(), "0.00");
        assert_eq!((-Money::ZERO).to_string(), "0.00");
        assert_eq!((-Money::from_minor(5)).to_string(), "-0.05");
    }

    #[test]
    fn minor_units_round_trip() {
        for minor in [0, 1, -1, 1999, 123_456_789] {
            assert_eq!(Money::from_minor(minor).minor(), minor);
        }
        assert_eq!("19.9".parse::<Money>().unwrap().minor(), 1990);
    }

    #[test]
    fn serde_is_a_string_with_two_decimals() {
        let json = serde_json::to_string(&Money::from_minor(250)).unwrap();
        assert_eq!(json, "\"2.50\"");
        assert_eq!(serde_json::from_str::<Money>("\"2.5\"").unwrap(), Money::from_minor(250));
        assert!(serde_json::from_str::<Money>("\"2.555\"").is_err());
    }
}
