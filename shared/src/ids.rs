//! Identifiers that must never be confused: terminal ids, journal sequence
//! numbers and receipt numbers such as `S01-T02-000123`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IdError(pub String);

fn is_code(text: &str, letter: char) -> bool {
    let mut chars = text.chars();
    chars.next() == Some(letter) && (2..=4).contains(&(text.len() - 1)) && chars.all(|c| c.is_ascii_digit())
}

/// `S01-T02`: a store code and a terminal code, unique across the business.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TerminalId(String);

impl TerminalId {
    pub fn new(store_code: &str, terminal_code: &str) -> Result<TerminalId, IdError> {
        format!("{store_code}-{terminal_code}").parse()
    }

    /// The store part: `S01` of `S01-T02`.
    pub fn store_code(&self) -> &str {
        self.0.split_once('-').map_or(self.0.as_str(), |(store, _)| store)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TerminalId {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once('-') {
            Some((store, terminal)) if is_code(store, 'S') && is_code(terminal, 'T') => {
                Ok(TerminalId(text.to_string()))
            }
            _ => Err(IdError(format!("terminal id “{text}” must look like S01-T02 (store code, terminal code)"))),
        }
    }
}

impl TryFrom<String> for TerminalId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<TerminalId> for String {
    fn from(value: TerminalId) -> String {
        value.0
    }
}

impl fmt::Display for TerminalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Position of an entry in one terminal's journal; gapless from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Seq(pub u64);

impl Seq {
    pub const FIRST: Seq = Seq(1);

    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A receipt number: the terminal id and a gapless counter, `S01-T02-000123`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReceiptNo {
    terminal: TerminalId,
    number: u64,
}

impl ReceiptNo {
    pub fn new(terminal: TerminalId, number: u64) -> ReceiptNo {
        ReceiptNo { terminal, number }
    }

    pub fn terminal(&self) -> &TerminalId {
        &self.terminal
    }

    pub fn number(&self) -> u64 {
        self.number
    }
}

impl fmt::Display for ReceiptNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:06}", self.terminal, self.number)
    }
}

impl FromStr for ReceiptNo {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || IdError(format!("receipt number “{text}” must look like S01-T02-000123"));
        let (terminal, number) = text.trim().rsplit_once('-').ok_or_else(bad)?;
        let terminal = terminal.parse().map_err(|_| bad())?;
        if number.len() < 6 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let number = number.parse().map_err(|_| bad())?;
        Ok(ReceiptNo { terminal, number })
    }
}

impl TryFrom<String> for ReceiptNo {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ReceiptNo> for String {
    fn from(value: ReceiptNo) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_numbers_round_trip() {
        let no = ReceiptNo::new(TerminalId::new("S01", "T02").unwrap(), 123);
        assert_eq!(no.to_string(), "S01-T02-000123");
        assert_eq!("S01-T02-000123".parse::<ReceiptNo>().unwrap(), no);
        assert_eq!("S01-T02-1234567".parse::<ReceiptNo>().unwrap().number(), 1_234_567);
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in ["", "S01", "S01-T02", "S01-T02-12", "X01-T02-000001", "S01-T02-00001a", "S1-T02-000001"] {
            assert!(bad.parse::<ReceiptNo>().is_err(), "{bad}");
        }
        for bad in ["S01", "s01-t01", "S01-X01", "S01-T", "S01234-T01"] {
            assert!(bad.parse::<TerminalId>().is_err(), "{bad}");
        }
    }
}
