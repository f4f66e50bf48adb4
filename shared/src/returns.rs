//! Returns against a receipt: never more than was sold minus what was already
//! returned, refunded at the price actually paid (discounts included).

use serde::{Deserialize, Serialize};

use rust_decimal::Decimal;

use crate::money::{Money, RoundingMode};
use crate::quantity::Quantity;
use crate::tender::{Tender, TenderKind};

/// What a receipt line sold, and what has come back of it so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnableLine {
    pub sold_qty: Quantity,
    pub sold_net: Money,
    pub sold_tax: Money,
    pub returned_milli: i64,
    pub refunded_net: Money,
    pub refunded_tax: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnError {
    #[error("only {remaining} left to return on this line (sold {sold}, returned {returned})")]
    ExceedsSold { sold: String, returned: String, remaining: String },
}

/// Amounts refunded for one returned line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub net: Money,
    pub tax: Money,
}

impl ReturnableLine {
    pub fn remaining_milli(&self) -> i64 {
        self.sold_qty.milli() - self.returned_milli
    }

    /// Refund for returning `qty` more. The running total is what is
    /// rounded: after a return the line has refunded exactly
    /// `round(paid * returned / sold)`, so many small returns add up to
    /// what one return of them all would refund, never more than the line
    /// paid and never a negative amount, and the last unit back takes
    /// exactly the rest.
    pub fn refund(&self, qty: Quantity, rounding: RoundingMode) -> Result<Refund, ReturnError> {
        let remaining = self.remaining_milli();
        if qty.milli() > remaining {
            return Err(ReturnError::ExceedsSold {
                sold: self.sold_qty.display(),
                returned: display_milli(self.returned_milli),
                remaining: display_milli(remaining),
            });
        }
        let returned_after = self.returned_milli + qty.milli();
        let due = |paid: Money, refunded: Money| -> Money {
            let left = paid - refunded;
            if returned_after >= self.sold_qty.milli() {
                return left.max(Money::ZERO);
            }
            let share = Decimal::from(returned_after) / Decimal::from(self.sold_qty.milli());
            let running = Money::round(paid.amount() * share, rounding);
            (running - refunded).clamp(Money::ZERO, left.max(Money::ZERO))
        };
        Ok(Refund { net: due(self.sold_net, self.refunded_net), tax: due(self.sold_tax, self.refunded_tax) })
    }

    /// This line after `qty` more came back for `refund`.
    pub fn after(&self, qty: Quantity, refund: Refund) -> ReturnableLine {
        ReturnableLine {
            returned_milli: self.returned_milli + qty.milli(),
            refunded_net: self.refunded_net + refund.net,
            refunded_tax: self.refunded_tax + refund.tax,
            ..self.clone()
        }
    }
}

/// Where a refund of `amount` goes by default: back to the tenders the
/// receipt was paid with, less what earlier returns already gave back to
/// each. Card, prepaid and other tenders are refunded first, in the order
/// they were paid, cash takes the rest (so cash from the drawer never
/// replaces money that went to a card or to head office).
pub fn refund_to_original(amount: Money, paid: &[Tender], refunded: &[Tender]) -> Vec<Tender> {
    let given_back = |kind: TenderKind| -> Money { refunded.iter().filter(|t| t.kind == kind).map(|t| t.amount).sum() };
    let mut left = amount;
    let mut out: Vec<Tender> = Vec::new();
    let mut kinds: Vec<TenderKind> = Vec::new();
    for tender in paid {
        if !kinds.contains(&tender.kind) {
            kinds.push(tender.kind);
        }
    }
    for kind in kinds.into_iter().filter(|k| *k != TenderKind::Cash) {
        let took: Money = paid.iter().filter(|t| t.kind == kind).map(|t| t.amount).sum();
        let room = (took - given_back(kind)).max(Money::ZERO);
        let part = left.min(room);
        if !part.is_zero() {
            out.push(Tender { kind, amount: part });
            left -= part;
        }
    }
    if !left.is_zero() || out.is_empty() {
        out.push(Tender { kind: TenderKind::Cash, amount: left });
    }
    out
}

/// Thousandths as a person reads them, zero included.
fn display_milli(milli: i64) -> String {
    if milli <= 0 { "0".into() } else { Quantity::from_milli(milli).display() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sold(qty_milli: i64, net_minor: i64, tax_minor: i64) -> ReturnableLine {
        ReturnableLine {
            sold_qty: Quantity::from_milli(qty_milli),
            sold_net: Money::from_minor(net_minor),
            sold_tax: Money::from_minor(tax_minor),
            returned_milli: 0,
            refunded_net: Money::ZERO,
            refunded_tax: Money::ZERO,
        }
    }

    #[test]
    fn refund_is_proportional_then_exact() {
        let line = sold(3000, 1000, 167);
        let one = Quantity::ONE;
        let r1 = line.refund(one, RoundingMode::HalfUp).unwrap();
        assert_eq!((r1.net, r1.tax), (Money::from_minor(333), Money::from_minor(56)));
        let line = line.after(one, r1);
        let rest = line.refund(Quantity::from_milli(2000), RoundingMode::HalfUp).unwrap();
        assert_eq!((rest.net, rest.tax), (Money::from_minor(667), Money::from_minor(111)));
        let line = line.after(Quantity::from_milli(2000), rest);
        let err = line.refund(one, RoundingMode::HalfUp).unwrap_err();
        assert_eq!(err.to_string(), "only 0 left to return on this line (sold 3, returned 3)");
    }

    #[test]
    fn returning_one_unit_at_a_time_refunds_what_the_line_paid() {
        // Ten units at 0.05 with 30 % off the sale: the line paid 0.35.
        let mut line = sold(10_000, 35, 6);
        let mut refunds = Vec::new();
        for _ in 0..10 {
            let refund = line.refund(Quantity::ONE, RoundingMode::HalfUp).unwrap();
            line = line.after(Quantity::ONE, refund);
            refunds.push(refund.net.minor());
        }
        assert_eq!(refunds.iter().sum::<i64>(), 35, "{refunds:?}");
        assert!(refunds.iter().all(|r| *r >= 0), "{refunds:?}");
        assert_eq!(line.refunded_tax, Money::from_minor(6));
    }

    #[test]
    fn refunds_go_back_to_the_tenders_that_paid() {
        let t = |kind, minor| Tender { kind, amount: Money::from_minor(minor) };
        let card_and_cash = [t(TenderKind::Card, 1000), t(TenderKind::Cash, 500)];
        assert_eq!(refund_to_original(Money::from_minor(300), &card_and_cash, &[]), vec![t(TenderKind::Card, 300)]);
        assert_eq!(
            refund_to_original(Money::from_minor(1200), &card_and_cash, &[]),
            vec![t(TenderKind::Card, 1000), t(TenderKind::Cash, 200)]
        );
        let earlier = [t(TenderKind::Card, 900)];
        assert_eq!(
            refund_to_original(Money::from_minor(300), &card_and_cash, &earlier),
            vec![t(TenderKind::Card, 100), t(TenderKind::Cash, 200)],
            "what went back to the card before is not given twice"
        );
        let prepaid = [t(TenderKind::Prepaid, 364)];
        assert_eq!(refund_to_original(Money::from_minor(364), &prepaid, &[]), vec![t(TenderKind::Prepaid, 364)]);
        assert_eq!(
            refund_to_original(Money::from_minor(100), &[t(TenderKind::Cash, 100)], &[]),
            vec![t(TenderKind::Cash, 100)]
        );
    }

    proptest! {
        #[test]
        fn a_return_never_exceeds_what_was_sold(
            sold_units in 1i64..50,
            net_minor in 0i64..100_000,
            attempts in prop::collection::vec(1i64..20, 1..30),
        ) {
            let mut line = sold(sold_units * 1000, net_minor, net_minor / 6);
            for units in attempts {
                let qty = Quantity::from_milli(units * 1000);
                match line.refund(qty, RoundingMode::HalfUp) {
                    Ok(refund) => {
                        prop_assert!(!refund.net.is_negative() && !refund.tax.is_negative());
                        line = line.after(qty, refund);
                    }
                    Err(_) => prop_assert!(units * 1000 > line.remaining_milli()),
                }
                prop_assert!(line.returned_milli <= line.sold_qty.milli());
                prop_assert!(line.refunded_net <= line.sold_net);
                prop_assert!(line.refunded_tax <= line.sold_tax);
            }
            if line.remaining_milli() == 0 {
                prop_assert_eq!(line.refunded_net, line.sold_net);
                prop_assert_eq!(line.refunded_tax, line.sold_tax);
            }
        }
    }
}
