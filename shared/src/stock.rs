//! Stock movements: the append-only, signed ledger that on-hand is the sum of.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::quantity::{QTY_DIGITS, Quantity};

/// Why stock moved. Corrections are new movements with a reason, never edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MovementReason {
    Sale,
    Return,
    /// Written off as damaged (returned goods, or found damaged on the shelf).
    Damaged,
    /// Goods delivered to the store.
    Delivery,
    /// Past their date, written off.
    Expired,
    /// Stolen or missing.
    Theft,
    /// Taken for the store's own use.
    OwnUse,
    /// A correction either way (a miscount, a mis-scan).
    Correction,
    /// The variance a stock count found.
    Count,
    /// Shipped to another store.
    TransferOut,
    /// Received from another store.
    TransferIn,
}

impl MovementReason {
    const ALL: [MovementReason; 11] = [
        MovementReason::Sale,
        MovementReason::Return,
        MovementReason::Damaged,
        MovementReason::Delivery,
        MovementReason::Expired,
        MovementReason::Theft,
        MovementReason::OwnUse,
        MovementReason::Correction,
        MovementReason::Count,
        MovementReason::TransferOut,
        MovementReason::TransferIn,
    ];

    /// The reasons a manager gives for an adjustment by hand.
    pub const ADJUSTMENTS: [MovementReason; 5] = [
        MovementReason::Damaged,
        MovementReason::Expired,
        MovementReason::Theft,
        MovementReason::OwnUse,
        MovementReason::Correction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MovementReason::Sale => "sale",
            MovementReason::Return => "return",
            MovementReason::Damaged => "damaged",
            MovementReason::Delivery => "delivery",
            MovementReason::Expired => "expired",
            MovementReason::Theft => "theft",
            MovementReason::OwnUse => "own-use",
            MovementReason::Correction => "correction",
            MovementReason::Count => "count",
            MovementReason::TransferOut => "transfer-out",
            MovementReason::TransferIn => "transfer-in",
        }
    }

    pub fn parse(text: &str) -> Option<MovementReason> {
        MovementReason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether an adjustment for this reason takes stock out (all but a
    /// correction, which goes either way).
    pub fn removes_stock(self) -> bool {
        self != MovementReason::Correction
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
