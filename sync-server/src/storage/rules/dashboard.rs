//! What head office's dashboard adds to the sales reports: a few days'
//! sales per store and product read in one pass (the best sellers, and
//! each store's margin at today's cost prices, as the margin report values
//! them), each till's last push and what it still held then, and the
//! newest flags.

use std::collections::HashMap;

use pos_shared::money::Money;
use rust_decimal::Decimal;
use serde::Serialize;

use super::sales::SalesRow;
use crate::storage::sql::Tx;
use crate::storage::{StoreResult, zones};
use pos_shared::stock::milli_to_decimal;

/// Sales per store and product over the local days `from..=to`, read
/// from the daily rollup in one pass (the sales report by product reads
/// the same rows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductSales {
    pub store: String,
    pub sku: String,
    pub name: Option<String>,
    pub receipts: u64,
    pub qty_milli: i64,
    pub net: Money,
    /// Today's cost price, if the product has one.
    pub unit_cost_minor: Option<i64>,
    pub gross: Money,
}

/// The dashboard's today: the stores' own date when they share one time
/// zone (most chains do), else head office's.
pub fn today(tx: &impl Tx) -> StoreResult<chrono::NaiveDate> {
    let zones = tx.rows("SELECT DISTINCT time_zone FROM stores", &[])?;
    let zone = match zones.as_slice() {
        [one] => one.get::<Option<String>>(0)?.unwrap_or_else(zones::process_zone),
        _ => zones::process_zone(),
    };
    Ok(zones::today_in(&zone))
}

pub fn product_sales(tx: &impl Tx, from: &str, to: &str) -> StoreResult<Vec<ProductSales>> {
    let rows = tx.rows(
        "SELECT st.code, g.sku, p.name, g.receipts, g.qty, g.net, p.cost_minor, g.gross
         FROM (SELECT store_id, sku, CAST(SUM(receipts) AS BIGINT) AS receipts, CAST(SUM(qty_milli) AS BIGINT) AS qty,
                 CAST(SUM(net_minor) AS BIGINT) AS net, CAST(SUM(gross_minor) AS BIGINT) AS gross
               FROM sales_by_day_sku WHERE day >= ?1 AND day <= ?2 GROUP BY store_id, sku) g
           JOIN stores st ON st.id = g.store_id LEFT JOIN products p ON p.sku = g.sku",
        &[&from, &to],
    )?;
    rows.iter()
        .map(|r| {
            Ok(ProductSales {
                store: r.get(0)?,
                sku: r.get(1)?,
                name: r.get(2)?,
                receipts: r.get(3)?,
                qty_milli: r.get(4)?,
                net: Money::from_minor(r.get(5)?),
                unit_cost_minor: r.get(6)?,
                gross: Money::from_minor(r.get(7)?),
            })
        })
        .collect()
}

/// Net sales of products with a cost price, and that cost, per store code.
pub fn store_margins(sales: &[ProductSales]) -> HashMap<String, (Money, Money)> {
    let mut margins: HashMap<String, (Money, i64)> = HashMap::new();
    for row in sales {
        if let Some(cost) = row.unit_cost_minor {
            let entry = margins.entry(row.store.clone()).or_insert((Money::ZERO, 0));
            entry.0 += row.net;
            entry.1 += row.qty_milli * cost;
        }
    }
    margins
        .into_iter()
        .map(|(store, (net, cost_milli))| (store, (net, Money::round(Decimal::new(cost_milli, 5), Default::default()))))
        .collect()
}

/// The best sellers by net sales, every store together, keyed as the sales
/// report by product keys them.
pub fn top_products(sales: &[ProductSales], top: usize) -> Vec<SalesRow> {
    let mut by_sku: HashMap<String, SalesRow> = HashMap::new();
    for row in sales {
        let key = format!("{} {}", row.sku, row.name.clone().unwrap_or_default());
        let total = by_sku.entry(row.sku.to_uppercase()).or_insert_with(|| SalesRow {
            key,
            receipts: 0,
            quantity: Decimal::ZERO,
            net: Money::ZERO,
            gross: Money::ZERO,
        });
        total.receipts += row.receipts;
        total.quantity += milli_to_decimal(row.qty_milli);
        total.net += row.net;
        total.gross += row.gross;
    }
    let mut rows: Vec<SalesRow> = by_sku.into_values().collect();
    rows.sort_by(|a, b| b.net.cmp(&a.net).then_with(|| a.key.cmp(&b.key)));
    rows.truncate(top);
    rows
}

/// A till as head office sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TillRow {
    pub terminal_id: String,
    pub name: String,
    pub store: String,
    /// Enrolled: it holds a token.
    pub enrolled: bool,
    pub revoked: bool,
    /// The last entry head office holds of it.
    pub last_seq: u64,
    /// When it last pushed (milliseconds since the epoch).
    pub last_push_ms: Option<i64>,
    /// Entries it still held after that push, as it reported them.
    pub pending_entries: Option<u64>,
    /// The public key it signs its entries with (hex), registered at enrollment.
    pub public_key: Option<String>,
    /// Its entries held for a person to decide, applied to nothing yet.
    pub held_entries: u64,
}

/// Every till, by store and name.
pub fn tills(tx: &impl Tx) -> StoreResult<Vec<TillRow>> {
    let rows = tx.rows(
        "SELECT t.id, t.name, s.code, CASE WHEN t.token_hash IS NULL THEN 0 ELSE 1 END, t.revoked, t.last_seq,
           t.last_push_ms, t.pending_entries, t.public_key,
           (SELECT COUNT(*) FROM quarantine q WHERE q.terminal_id = t.id AND q.decision IS NULL)
         FROM terminals t JOIN stores s ON s.id = t.store_id ORDER BY s.code, t.name",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(TillRow {
                terminal_id: r.get(0)?,
                name: r.get(1)?,
                store: r.get(2)?,
                enrolled: r.get(3)?,
                revoked: r.get(4)?,
                last_seq: r.get(5)?,
                last_push_ms: r.get(6)?,
                pending_entries: r.get(7)?,
                public_key: r.get::<Option<Vec<u8>>>(8)?.map(hex::encode),
                held_entries: r.get(9)?,
            })
        })
        .collect()
}

/// A flag waiting for a person at head office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlagRow {
    pub terminal: String,
    pub seq: u64,
    pub reason: String,
    pub at_ms: i64,
}

/// The newest `limit` flags.
pub fn newest_flags(tx: &impl Tx, limit: u32) -> StoreResult<Vec<FlagRow>> {
    let rows =
        tx.rows("SELECT terminal_id, seq, reason, at_ms FROM chain_flags ORDER BY id DESC LIMIT ?1", &[&limit])?;
    rows.iter()
        .map(|r| Ok(FlagRow { terminal: r.get(0)?, seq: r.get(1)?, reason: r.get(2)?, at_ms: r.get(3)? }))
        .collect()
}
