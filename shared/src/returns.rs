//! Returns against a receipt: never more than was sold minus what was already
//! returned, refunded at the price actually paid (discounts included).

use serde::{Deserialize, Serialize};

use crate::money::{Money, RoundingMode};
use crate::quantity::Quantity;

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

    /// Refund for returning `qty` more: proportional to the price paid, and
    /// exactly the rest when the last of the line comes back, so a line is
    /// never refunded a cent more or less than was paid in total.
    pub fn refund(&self, qty: Quantity, rounding: RoundingMode) -> Result<Refund, ReturnError> {
        let remaining = self.remaining_milli();
        if qty.milli() > remaining {
            return Err(ReturnError::ExceedsSold {
                sold: self.sold_qty.display(),
                returned: display_milli(self.returned_milli),
                remaining: display_milli(remaining),
            });
        }
        if qty.milli() == remaining {
            return Ok(Refund { net: self.sold_net - self.refunded_net, tax: self.sold_tax - self.refunded_tax });
        }
        let share = qty.value() / self.sold_qty.value();
        Ok(Refund {
            net: Money::round(self.sold_net.amount() * share, rounding),
            tax: Money::round(self.sold_tax.amount() * share, rounding),
        })
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
                    Ok(refund) => line = line.after(qty, refund),
                    Err(_) => prop_assert!(units * 1000 > line.remaining_milli()),
                }
                prop_assert!(line.returned_milli <= line.sold_qty.milli());
                prop_assert!(line.refunded_net <= line.sold_net);
                prop_assert!(line.refunded_tax <= line.sold_tax);
            }
            if line.remaining_milli() == 0 {
                prop_assert_eq!(line.refunded_net, line.sold_net);
            }
        }
    }
}
