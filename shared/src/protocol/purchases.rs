//! Wire types of purchase orders and transfers: head office orders goods
//! from a supplier (or from another store) for a store; the stores' tills
//! pull them to ship and receive against.

use serde::{Deserialize, Serialize};

fn none() -> String {
    "0".into()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePoLine {
    pub line_no: u32,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub qty: String,
    /// Cost price per unit agreed with the supplier.
    pub cost: String,
    /// Shipped so far by the sending store (transfers only).
    #[serde(default = "none")]
    pub shipped: String,
    /// Received so far, at every till of the store.
    pub received: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePurchaseOrder {
    pub number: String,
    /// The supplier, or for a transfer the sending store.
    pub supplier: String,
    /// The store the goods go to.
    pub store: String,
    /// For a transfer between stores, the store that sends the goods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_store: Option<String>,
    /// `draft`, `open`, `in-transit`, `partial`, `received` or `cancelled`.
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
