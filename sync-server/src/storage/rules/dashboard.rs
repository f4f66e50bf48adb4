//! What head office's dashboard adds to the sales reports: the margin of
//! each store's sales over a few days (at today's cost prices, as the
//! margin report values them), each till's last push and what it still
//! held then, and the newest flags.

use std::collections::HashMap;

use pos_shared::money::Money;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::storage::StoreResult;
use crate::storage::sql::Tx;

/// Net sales of products with a cost price, and that cost, per store code,
/// over the local days `from..=to`.
pub fn store_margins(tx: &impl Tx, from: &str, to: &str) -> StoreResult<HashMap<String, (Money, Money)>> {
    let rows = tx.rows(
        "SELECT st.code, CAST(SUM(r.net_minor) AS BIGINT), CAST(SUM(r.qty_milli * p.cost_minor) AS BIGINT)
         FROM sales_by_day_sku r JOIN products p ON p.sku = r.sku JOIN stores st ON st.id = r.store_id
         WHERE r.day >= ?1 AND r.day <= ?2 AND p.cost_minor IS NOT NULL
         GROUP BY st.code",
        &[&from, &to],
    )?;
    rows.iter()
        .map(|r| {
            let cost_milli: i64 = r.get(2)?;
            let cost = Money::round(Decimal::new(cost_milli, 5), Default::default());
            Ok((r.get(0)?, (Money::from_minor(r.get(1)?), cost)))
        })
        .collect()
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
}

/// Every till, by store and name.
pub fn tills(tx: &impl Tx) -> StoreResult<Vec<TillRow>> {
    let rows = tx.rows(
        "SELECT t.id, t.name, s.code, CASE WHEN t.token_hash IS NULL THEN 0 ELSE 1 END, t.revoked, t.last_seq,
           t.last_push_ms, t.pending_entries
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
