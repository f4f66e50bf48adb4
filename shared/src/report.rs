//! The X and Z reports of a till session: sales, returns, tax per rate,
//! expected cash against counted, and the variance.

use serde::{Deserialize, Serialize};

use crate::ids::Seq;
use crate::journal::Hash32;
use crate::money::Money;
use crate::pricing::TaxBand;
use crate::tender::{Tender, TenderKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportKind {
    /// Read-only figures so far.
    X,
    /// Closes the session; immutable.
    Z,
}

/// One tender's figures: what should be there, what was counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderLine {
    pub kind: TenderKind,
    pub sales: Money,
    pub refunds: Money,
    pub expected: Money,
    pub counted: Option<Money>,
    /// counted - expected: negative when money is missing.
    pub variance: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionReport {
    pub kind: ReportKind,
    /// Gapless number of the Z report on this terminal.
    pub z_no: Option<u64>,
    pub session_id: i64,
    pub opened_by: String,
    pub opened_at_ms: i64,
    pub at_ms: i64,
    pub float: Money,
    pub sales_count: u64,
    pub returns_count: u64,
    pub voids_count: u64,
    pub no_sales_count: u64,
    /// What customers paid on sales (tax included).
    pub sales_total: Money,
    pub discounts: Money,
    /// What was refunded on returns (tax included).
    pub returns_total: Money,
    pub net_total: Money,
    /// Tax per rate, net of returns.
    pub taxes: Vec<TaxBand>,
    pub cash_in: Money,
    pub cash_out: Money,
    /// Gift cards sold and payments on account taken: money in, not sales
    /// (each tender's `sales` includes it).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub credit_sold: Money,
    pub tenders: Vec<TenderLine>,
    pub first_seq: Option<Seq>,
    pub last_seq: Option<Seq>,
    pub last_hash: Option<Hash32>,
    /// Net sales of this terminal since it was installed, never reset.
    pub grand_total: Money,
    /// Why a Z was closed with the drawer not counted (none when counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_counted: Option<String>,
    /// What the card terminal said when its day was closed with this Z.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_terminal: Option<String>,
}

fn is_zero(amount: &Money) -> bool {
    amount.is_zero()
}

/// Money movements of a session, per tender, that decide what the drawer holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrawerFlows {
    pub float: Money,
    pub sales: Vec<Tender>,
    pub refunds: Vec<Tender>,
    pub cash_in: Money,
    pub cash_out: Money,
}

fn sum_of(tenders: &[Tender], kind: TenderKind) -> Money {
    tenders.iter().filter(|t| t.kind == kind).map(|t| t.amount).sum()
}

/// Expected per tender (cash: float + sales - refunds + in - out), and the
/// variance against what was counted, for every tender used or counted.
pub fn tender_lines(flows: &DrawerFlows, counted: &[Tender]) -> Vec<TenderLine> {
    TenderKind::ALL
        .iter()
        .map(|&kind| {
            let sales = sum_of(&flows.sales, kind);
            let refunds = sum_of(&flows.refunds, kind);
            let mut expected = sales - refunds;
            if kind == TenderKind::Cash {
                expected += flows.float + flows.cash_in - flows.cash_out;
            }
            let counted = counted.iter().any(|t| t.kind == kind).then(|| sum_of(counted, kind));
            TenderLine { kind, sales, refunds, expected, counted, variance: counted.map(|c| c - expected) }
        })
        .filter(|l| l.kind == TenderKind::Cash || !l.sales.is_zero() || !l.refunds.is_zero() || l.counted.is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Tender {
        text.parse().unwrap()
    }

    #[test]
    fn expected_cash_and_variance() {
        let flows = DrawerFlows {
            float: Money::from_minor(10000),
            sales: vec![t("cash:25.50"), t("card:40"), t("cash:4.50")],
            refunds: vec![t("cash:3")],
            cash_in: Money::from_minor(2000),
            cash_out: Money::from_minor(500),
        };
        let lines = tender_lines(&flows, &[t("cash:141.50")]);
        assert_eq!(lines.len(), 2);
        let cash = &lines[0];
        assert_eq!(cash.expected, Money::from_minor(14200));
        assert_eq!(cash.variance, Some(Money::from_minor(-50)));
        let card = &lines[1];
        assert_eq!((card.kind, card.expected, card.counted), (TenderKind::Card, Money::from_minor(4000), None));
    }
}
