//! Fiscal closings: a month's and a year's totals per tax rate and tender,
//! summed from the Z reports journaled in it, with the perpetual grand total
//! (never reset). A till journals them itself, at the first action of a new
//! period; `audit` checks a journal holds every one, and `archive` is the
//! self-contained file an auditor verifies offline.

pub mod archive;
pub mod audit;
pub mod fec;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::pricing::TaxBand;
use crate::report::SessionReport;
use crate::tender::TenderKind;

/// A calendar month or year, in the till's local time: `2026-11`, `2026`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Period {
    Month { year: i32, month: u32 },
    Year(i32),
}

impl Period {
    /// The period right after this one, of the same kind.
    pub fn next(self) -> Period {
        match self {
            Period::Month { year, month: 12 } => Period::Month { year: year + 1, month: 1 },
            Period::Month { year, month } => Period::Month { year, month: month + 1 },
            Period::Year(year) => Period::Year(year + 1),
        }
    }

    /// The period right before this one, of the same kind.
    pub fn previous(self) -> Period {
        match self {
            Period::Month { year, month: 1 } => Period::Month { year: year - 1, month: 12 },
            Period::Month { year, month } => Period::Month { year, month: month - 1 },
            Period::Year(year) => Period::Year(year - 1),
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Month { year, .. } | Period::Year(year) => year,
        }
    }

    pub fn is_month(self) -> bool {
        matches!(self, Period::Month { .. })
    }

    /// December: its closing is followed by the year's.
    pub fn ends_year(self) -> bool {
        matches!(self, Period::Month { month: 12, .. })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Year(year) => write!(f, "{year:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(text: &str) -> Result<Period, String> {
        let bad = || format!("“{text}” is not a period: give a month (2026-11) or a year (2026)");
        let year = |t: &str| t.parse::<i32>().ok().filter(|y| (1970..=9999).contains(y) && t.len() == 4);
        match text.trim().split_once('-') {
            None => year(text.trim()).map(Period::Year).ok_or_else(bad),
            Some((y, m)) => {
                let month = m.parse::<u32>().ok().filter(|m| (1..=12).contains(m) && m.to_string().len() <= 2);
                match (year(y), month, m.len()) {
                    (Some(year), Some(month), 2) => Ok(Period::Month { year, month }),
                    _ => Err(bad()),
                }
            }
        }
    }
}

impl From<Period> for String {
    fn from(period: Period) -> String {
        period.to_string()
    }
}

impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(text: String) -> Result<Period, String> {
        text.parse()
    }
}

/// The first and last Z report numbers a period covers (none: no Z).
pub type ZRange = (Option<u64>, Option<u64>);

/// One tender's money over a period: taken on sales, given back on returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderTotal {
    pub kind: TenderKind,
    pub sales: Money,
    pub refunds: Money,
}

/// A period's figures: the sum of its Z reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodTotals {
    pub z_count: u64,
    pub sales_count: u64,
    pub returns_count: u64,
    pub sales_total: Money,
    pub returns_total: Money,
    pub net_total: Money,
    pub discounts: Money,
    pub credit_sold: Money,
    /// Tax per rate, net of returns, by rate.
    pub taxes: Vec<TaxBand>,
    /// By tender, in the order tenders are listed.
    pub tenders: Vec<TenderTotal>,
}

impl PeriodTotals {
    /// Adds one Z report's figures.
    pub fn add_z(&mut self, z: &SessionReport) {
        let tenders: Vec<TenderTotal> =
            z.tenders.iter().map(|t| TenderTotal { kind: t.kind, sales: t.sales, refunds: t.refunds }).collect();
        self.add(&PeriodTotals {
            z_count: 1,
            sales_count: z.sales_count,
            returns_count: z.returns_count,
            sales_total: z.sales_total,
            returns_total: z.returns_total,
            net_total: z.net_total,
            discounts: z.discounts,
            credit_sold: z.credit_sold,
            taxes: z.taxes.clone(),
            tenders,
        });
    }

    /// Adds another period's figures (the months of a year).
    pub fn add(&mut self, other: &PeriodTotals) {
        self.z_count += other.z_count;
        self.sales_count += other.sales_count;
        self.returns_count += other.returns_count;
        self.sales_total += other.sales_total;
        self.returns_total += other.returns_total;
        self.net_total += other.net_total;
        self.discounts += other.discounts;
        self.credit_sold += other.credit_sold;
        for band in &other.taxes {
            match self.taxes.iter_mut().find(|b| b.rate == band.rate) {
                Some(mine) => {
                    mine.base += band.base;
                    mine.tax += band.tax;
                }
                None => self.taxes.push(band.clone()),
            }
        }
        self.taxes.sort_by_key(|b| b.rate);
        for tender in &other.tenders {
            match self.tenders.iter_mut().find(|t| t.kind == tender.kind) {
                Some(mine) => {
                    mine.sales += tender.sales;
                    mine.refunds += tender.refunds;
                }
                None => self.tenders.push(tender.clone()),
            }
        }
        self.tenders.sort_by_key(|t| TenderKind::ALL.iter().position(|k| *k == t.kind));
    }
}

/// A month's or a year's closing as journaled: its bounds in time, the
/// Z reports it covers, their totals and the perpetual grand total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodClosing {
    pub period: Period,
    /// The period's first instant (local midnight), in ms since the epoch.
    pub from_ms: i64,
    /// The instant right after it: the next period's first.
    pub to_ms: i64,
    /// When the next period ends: an entry dated at or after it, with no
    /// closing of the next period before it, means a period was skipped.
    pub next_to_ms: i64,
    /// The Z numbers it covers, when it covers any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_z: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_z: Option<u64>,
    pub totals: PeriodTotals,
    /// Net sales of the terminal since it was installed, never reset: the
    /// previous closing's plus this period's.
    pub grand_total: Money,
}

impl PeriodClosing {
    /// Its name on paper: "month 2026-11", "year 2026".
    pub fn title(&self) -> String {
        match self.period {
            Period::Month { .. } => format!("month {}", self.period),
            Period::Year(_) => format!("year {}", self.period),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_write_and_follow_each_other() {
        let november: Period = "2026-11".parse().unwrap();
        assert_eq!(november, Period::Month { year: 2026, month: 11 });
        assert_eq!(november.next().to_string(), "2026-12");
        assert_eq!(november.next().next().to_string(), "2027-01");
        assert_eq!("2027-01".parse::<Period>().unwrap().previous().to_string(), "2026-12");
        assert_eq!("2026".parse::<Period>().unwrap(), Period::Year(2026));
        assert!(Period::Month { year: 2026, month: 12 }.ends_year());
        for bad in ["2026-13", "2026-1", "26-11", "2026-00", "november", "", "2026-11-01"] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }
}
