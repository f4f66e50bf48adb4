//! Wire types of customer orders: what a channel (a webshop, the sales
//! team's tools) sends and gets back, and the pages of orders a terminal
//! pulls for its store. Quantities and amounts travel as decimal strings.

use serde::{Deserialize, Serialize};

use crate::orders::{Fulfilment, OrderStatus, ShortPolicy};

/// One product and quantity asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRequest {
    /// SKU or barcode.
    pub sku: String,
    /// A decimal like `2` or `0.750`; `0` removes the line when changing an order.
    pub qty: String,
}

/// Who orders: an existing customer's code, or a new customer's details
/// (a known e-mail address finds the existing customer).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A new quote or order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub customer: CustomerRef,
    /// The fulfilment store's code.
    pub store: String,
    #[serde(default)]
    pub fulfilment: Fulfilment,
    pub lines: Vec<LineRequest>,
    /// A quote reserves nothing until it is confirmed.
    #[serde(default)]
    pub quote: bool,
    #[serde(default)]
    pub on_short: ShortPolicy,
    /// Paid already (online); the counter only hands over.
    #[serde(default)]
    pub prepaid: bool,
    /// The person acting, for the order's history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// Confirming a quote, cancelling, or re-allocating a backorder.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAction {
    #[serde(default)]
    pub on_short: ShortPolicy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// New quantities for some lines of an open order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinesChange {
    pub lines: Vec<LineRequest>,
    #[serde(default)]
    pub on_short: ShortPolicy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireOrderLine {
    pub line_no: u32,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub qty: String,
    /// Priced from the catalog when the line was added.
    pub unit_price: String,
    pub tax_rate: String,
    pub reserved: String,
    /// Ordered beyond what could be reserved.
    pub backordered: String,
    pub collected: String,
}

/// Something that happened to an order, and who did it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub at_ms: i64,
    pub action: String,
    pub actor: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireOrder {
    pub number: String,
    pub channel: String,
    pub customer: String,
    pub customer_name: String,
    pub store: String,
    pub status: OrderStatus,
    pub fulfilment: Fulfilment,
    pub prepaid: bool,
    /// What the customer paid before collection (the total when a prepaid
    /// order was placed; raising the order later does not raise it). Absent
    /// from servers before it was kept: a prepaid order then paid its total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<String>,
    /// Of `paid`, what hand-overs have used so far (at a terminal: up to
    /// the page's `through_seq`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepaid_used: Option<String>,
    pub lines: Vec<WireOrderLine>,
    /// What the customer pays for every line, tax included.
    pub total: String,
    pub created_ms: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<OrderEvent>,
}

/// Orders of a terminal's store changed after a cursor. Collected
/// quantities include this terminal's own sales up to `through_seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersPage {
    pub protocol_version: u32,
    pub orders: Vec<WireOrder>,
    pub next_cursor: u64,
    pub more: bool,
    pub through_seq: u64,
}

/// Available-to-promise of one product at one store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub store: String,
    pub sku: String,
    pub on_hand: String,
    pub reserved: String,
    /// On-hand minus open reservations.
    pub available: String,
}
