//! Quantities with a unit of measure: whole pieces, or weights and lengths to
//! three decimals. Held as thousandths so stock sums are exact integers.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Decimals a quantity keeps (grams of a kilogram, millilitres of a litre).
pub const QTY_DIGITS: u32 = 3;

/// Largest quantity on one line: more is a typo or a scanner burst.
const MAX_LINE_QTY: i64 = 9_999;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Each,
    Kg,
    G,
    L,
    M,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Each => "each",
            Unit::Kg => "kg",
            Unit::G => "g",
            Unit::L => "l",
            Unit::M => "m",
        }
    }

    /// Pieces are counted; everything else is measured.
    pub fn is_measured(self) -> bool {
        self != Unit::Each
    }
}

impl FromStr for Unit {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "each" | "ea" | "pc" | "pcs" => Ok(Unit::Each),
            "kg" => Ok(Unit::Kg),
            "g" => Ok(Unit::G),
            "l" => Ok(Unit::L),
            "m" => Ok(Unit::M),
            other => Err(QuantityError(format!("unit “{other}” is not one of each, kg, g, l, m"))),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QuantityError(pub String);

/// A positive quantity sold or returned on one line, valid for its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "Decimal", try_from = "Decimal")]
pub struct Quantity(Decimal);

impl Quantity {
    pub const ONE: Quantity = Quantity(Decimal::from_parts(1000, 0, 0, false, QTY_DIGITS));

    /// Checks a quantity for a unit: positive, at most three decimals, whole
    /// for pieces, and not absurdly large.
    pub fn new(value: Decimal, unit: Unit) -> Result<Quantity, QuantityError> {
        if value <= Decimal::ZERO {
            return Err(QuantityError(format!("quantity {value} must be more than zero")));
        }
        if value.normalize().scale() > QTY_DIGITS {
            return Err(QuantityError(format!("quantity {value} has more than {QTY_DIGITS} decimals")));
        }
        if !unit.is_measured() && !value.fract().is_zero() {
            return Err(QuantityError(format!("quantity {value} must be a whole number of pieces")));
        }
        if value > Decimal::from(MAX_LINE_QTY) {
            return Err(QuantityError(format!("quantity {value} is more than {MAX_LINE_QTY} on one line")));
        }
        Ok(Quantity::from_decimal_unchecked(value))
    }

    /// Parses a quantity typed by a person or a script, for `unit`.
    pub fn parse(text: &str, unit: Unit) -> Result<Quantity, QuantityError> {
        let value = Decimal::from_str_exact(text.trim())
            .map_err(|_| QuantityError(format!("“{text}” is not a quantity like 2 or 0.350")))?;
        Quantity::new(value, unit)
    }

    /// Thousandths of a quantity that may be none (held, collected or
    /// shipped so far, or a line set to nothing), checked for `unit`.
    pub fn milli_or_zero(text: &str, unit: Unit) -> Result<i64, QuantityError> {
        match Decimal::from_str_exact(text.trim()) {
            Ok(value) if value.is_zero() => Ok(0),
            _ => Quantity::parse(text, unit).map(Quantity::milli),
        }
    }

    /// From thousandths, as stored; the caller vouches it was valid.
    pub fn from_milli(milli: i64) -> Quantity {
        Quantity(Decimal::new(milli, QTY_DIGITS))
    }

    fn from_decimal_unchecked(mut value: Decimal) -> Quantity {
        value.rescale(QTY_DIGITS);
        Quantity(value)
    }

    pub fn milli(self) -> i64 {
        i64::try_from(self.0.mantissa()).expect("quantity is bounded")
    }

    pub fn value(self) -> Decimal {
        self.0
    }

    /// The same quantity with no trailing zeros, for people: 2, 0.35.
    pub fn display(self) -> String {
        self.0.normalize().to_string()
    }
}

impl From<Quantity> for Decimal {
    fn from(q: Quantity) -> Decimal {
        q.0
    }
}

impl TryFrom<Decimal> for Quantity {
    type Error = QuantityError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        if value <= Decimal::ZERO || value.normalize().scale() > QTY_DIGITS || value > Decimal::from(MAX_LINE_QTY) {
            return Err(QuantityError(format!(
                "quantity {value} is not valid (more than zero, at most {MAX_LINE_QTY})"
            )));
        }
        Ok(Quantity::from_decimal_unchecked(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_table() {
        let ok = [
            ("2", Unit::Each, 2000),
            ("0.350", Unit::Kg, 350),
            ("1.5", Unit::L, 1500),
            ("9999", Unit::Each, 9_999_000),
        ];
        for (text, unit, milli) in ok {
            assert_eq!(Quantity::parse(text, unit).unwrap().milli(), milli, "{text} {unit}");
        }
        let bad = [
            ("0", Unit::Each),
            ("-1", Unit::Each),
            ("1.5", Unit::Each),
            ("0.0005", Unit::Kg),
            ("10000", Unit::Each),
            ("abc", Unit::Kg),
            ("", Unit::Each),
        ];
        for (text, unit) in bad {
            assert!(Quantity::parse(text, unit).is_err(), "{text} {unit} should be refused");
        }
    }

    #[test]
    fn none_is_allowed_only_where_asked_for() {
        assert_eq!(Quantity::milli_or_zero("0", Unit::Each), Ok(0));
        assert_eq!(Quantity::milli_or_zero(" 0.000 ", Unit::Kg), Ok(0));
        assert_eq!(Quantity::milli_or_zero("2", Unit::Each), Ok(2000));
        assert!(Quantity::milli_or_zero("-1", Unit::Each).is_err());
        assert!(Quantity::milli_or_zero("0.5", Unit::Each).is_err(), "still whole pieces");
        assert!(Quantity::parse("0", Unit::Each).is_err(), "a line's quantity is never none");
    }

    #[test]
    fn display_drops_trailing_zeros() {
        assert_eq!(Quantity::from_milli(350).display(), "0.35");
        assert_eq!(Quantity::ONE.display(), "1");
    }

    #[test]
    fn units_parse() {
        assert_eq!("KG".parse::<Unit>().unwrap(), Unit::Kg);
        assert_eq!("".parse::<Unit>().unwrap(), Unit::Each);
        assert!("stone".parse::<Unit>().is_err());
    }
}
