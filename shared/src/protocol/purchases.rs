//! Wire types of purchase orders: head office orders goods from a supplier
//! for a store; the store's terminals pull them to receive against.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePoLine {
    pub line_no: u32,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub qty: String,
    /// Cost price per unit agreed with the supplier.
    pub cost: String,
    /// Received so far, at every till of the store.
    pub received: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePurchaseOrder {
    pub number: String,
    pub supplier: String,
    pub store: String,
    /// `open`, `partial`, `received` or `cancelled`.
    pub status: String,
    pub lines: Vec<WirePoLine>,
    pub created_ms: i64,
}

/// Purchase orders of a terminal's store changed after a cursor; received
/// quantities include this terminal's receipts up to `through_seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrdersPage {
    pub protocol_version: u32,
    pub orders: Vec<WirePurchaseOrder>,
    pub next_cursor: u64,
    pub more: bool,
    pub through_seq: u64,
}
