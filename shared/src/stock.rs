//! Stock movements: the append-only, signed ledger that on-hand is the sum of.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::quantity::{QTY_DIGITS, Quantity};

/// Why stock moved. Corrections are new movements with a reason, never edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MovementReason {
    Sale,
    Return,
    /// Returned goods written off as damaged (follows their `Return` movement).
    Damaged,
    /// Goods delivered to the store.
    Delivery,
}

impl MovementReason {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementReason::Sale => "sale",
            MovementReason::Return => "return",
            MovementReason::Damaged => "damaged",
            MovementReason::Delivery => "delivery",
        }
    }

    pub fn parse(text: &str) -> Option<MovementReason> {
        [MovementReason::Sale, MovementReason::Return, MovementReason::Damaged, MovementReason::Delivery]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

impl fmt::Display for MovementReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One signed change of on-hand stock of one product, in thousandths.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockMovement {
    pub sku: String,
    pub qty_milli: i64,
    pub reason: MovementReason,
}

impl StockMovement {
    pub fn outgoing(sku: &str, qty: Quantity, reason: MovementReason) -> StockMovement {
        StockMovement { sku: sku.to_string(), qty_milli: -qty.milli(), reason }
    }

    pub fn incoming(sku: &str, qty: Quantity, reason: MovementReason) -> StockMovement {
        StockMovement { sku: sku.to_string(), qty_milli: qty.milli(), reason }
    }
}

/// Thousandths as a signed decimal quantity, for display.
pub fn milli_to_decimal(milli: i64) -> Decimal {
    Decimal::new(milli, QTY_DIGITS).normalize()
}
