//! Central figures: on-hand per store and product (the sum of every
//! terminal's movements), oversold stock, sales by a dimension (read from
//! the rollups, once a caller brought them up to date) and the flags.

use pos_shared::money::Money;
use pos_shared::protocol::{PROTOCOL_VERSION, StockSnapshot, WireStock};
use pos_shared::stock::milli_to_decimal;
use rust_decimal::Decimal;
use serde::Serialize;

use super::insights::Period;
use super::rollup::split_months;
use crate::storage::sql::Tx;
use crate::storage::{StoreError, StoreResult, TerminalAuth};

/// Central on-hand of a terminal's store, with the last entry it reflects.
pub fn snapshot(tx: &impl Tx, auth: &TerminalAuth) -> StoreResult<StockSnapshot> {
    let row = tx
        .row(
            "SELECT s.code, t.last_seq FROM terminals t JOIN stores s ON s.id = t.store_id WHERE t.id = ?1",
            &[&auth.terminal_id],
        )?
        .ok_or(StoreError::Unauthorized)?;
    let items = tx.rows(
        "SELECT sku, CAST(SUM(qty_milli) AS BIGINT) FROM stock_movements WHERE store_id = ?1 GROUP BY sku",
        &[&auth.store_id],
    )?;
    let items =
        items.iter().map(|r| Ok(WireStock { sku: r.get(0)?, on_hand_milli: r.get(1)? })).collect::<StoreResult<_>>()?;
    let (accounts, gift_cards) = super::credit::balances(tx)?;
    Ok(StockSnapshot {
        protocol_version: PROTOCOL_VERSION,
        store: row.get(0)?,
        through_seq: row.get(1)?,
        items,
        accounts,
        gift_cards,
        held: super::quarantine::held_of(tx, &auth.terminal_id)?,
        certificates: super::admin::tls_certificates(tx)?,
    })
}

/// On-hand of one product at one store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StockRow {
    pub store: String,
    pub sku: String,
    pub name: String,
    pub on_hand: Decimal,
    /// More was sold than the store had: flagged for head office.
    pub oversold: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SalesBy {
    Product,
    Category,
    Store,
    Day,
    Hour,
    Cashier,
    /// The channel of the order a sale collected; `counter` for the rest.
    Channel,
}

impl SalesBy {
    const NAMES: [(&'static str, SalesBy); 7] = [
        ("product", SalesBy::Product),
        ("category", SalesBy::Category),
        ("store", SalesBy::Store),
        ("day", SalesBy::Day),
        ("hour", SalesBy::Hour),
        ("cashier", SalesBy::Cashier),
        ("channel", SalesBy::Channel),
    ];
}

impl std::str::FromStr for SalesBy {
    type Err = String;
    /// `product`, `category`, `store`, `day`, `hour`, `cashier` or `channel`.
    fn from_str(s: &str) -> Result<SalesBy, String> {
        SalesBy::NAMES.iter().find(|(name, _)| *name == s.trim()).map(|(_, by)| *by).ok_or_else(|| {
            let names: Vec<&str> = SalesBy::NAMES.iter().map(|(name, _)| *name).collect();
            format!("sales by `{}`: choose {}", s.trim(), names.join(", "))
        })
    }
}

/// Sales (net of returns) for one value of the dimension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SalesRow {
    pub key: String,
    pub receipts: u64,
    pub quantity: Decimal,
    /// Before tax.
    pub net: Money,
    /// Tax included.
    pub gross: Money,
}

/// Central on-hand per store and product, optionally for one store.
pub fn stock(tx: &impl Tx, store_id: Option<i64>, oversold_only: bool) -> StoreResult<Vec<StockRow>> {
    let rows = tx.rows(
        "SELECT st.code, m.sku, COALESCE(p.name, ''), CAST(SUM(m.qty_milli) AS BIGINT)
         FROM stock_movements m JOIN stores st ON st.id = m.store_id LEFT JOIN products p ON p.sku = m.sku
         WHERE (CAST(?1 AS BIGINT) IS NULL OR m.store_id = ?1)
         GROUP BY st.code, m.store_id, m.sku, p.name HAVING (?2 = 0 OR SUM(m.qty_milli) < 0)
         ORDER BY st.code, m.sku",
        &[&store_id, &oversold_only],
    )?;
    rows.iter()
        .map(|r| {
            let milli: i64 = r.get(3)?;
            Ok(StockRow {
                store: r.get(0)?,
                sku: r.get(1)?,
                name: r.get(2)?,
                on_hand: milli_to_decimal(milli),
                oversold: milli < 0,
            })
        })
        .collect()
}

/// Sales by a dimension over a period, from the rollups as they stand.
pub fn sales_report(tx: &impl Tx, by: SalesBy, period: Period<'_>) -> StoreResult<Vec<SalesRow>> {
    period.check()?;
    let split = split_months(period.from, period.to);
    let in_days = "(CAST(?1 AS TEXT) IS NULL OR r.day >= ?1) AND (CAST(?2 AS TEXT) IS NULL OR r.day <= ?2)";
    let (key, from, filter) = match by {
        // Whole months from the monthly rollup, loose days from the daily one.
        SalesBy::Product => (
            "r.sku || ' ' || COALESCE(p.name, '')",
            "(SELECT sku, receipts, qty_milli, net_minor, gross_minor FROM sales_by_month_sku WHERE month >= ?1 AND month <= ?2
              UNION ALL SELECT sku, receipts, qty_milli, net_minor, gross_minor FROM sales_by_day_sku WHERE day >= ?3 AND day < ?4
              UNION ALL SELECT sku, receipts, qty_milli, net_minor, gross_minor FROM sales_by_day_sku WHERE day > ?5 AND day <= ?6)
             r LEFT JOIN products p ON p.sku = r.sku",
            "1 = 1",
        ),
        SalesBy::Category => ("r.category", "sales_by_day_category r", in_days),
        SalesBy::Store => {
            ("st.code || ' ' || st.name", "sales_by_receipt_group r JOIN stores st ON st.id = r.store_id", in_days)
        }
        SalesBy::Day => ("r.day", "sales_by_receipt_group r", in_days),
        SalesBy::Hour => ("r.hour", "sales_by_receipt_group r", in_days),
        SalesBy::Cashier => ("r.cashier", "sales_by_receipt_group r", in_days),
        SalesBy::Channel => ("r.channel", "sales_by_receipt_group r", in_days),
    };
    let sql = format!(
        "SELECT {key} AS k, CAST(SUM(r.receipts) AS BIGINT), CAST(SUM(r.qty_milli) AS BIGINT),
           CAST(SUM(r.net_minor) AS BIGINT), CAST(SUM(r.gross_minor) AS BIGINT)
         FROM {from} WHERE {filter} GROUP BY {key} ORDER BY k"
    );
    let bounds: Vec<Option<&str>> = match by {
        SalesBy::Product => {
            [&split.first_month, &split.last_month, &split.from, &split.before, &split.after, &split.to]
                .into_iter()
                .map(|s| Some(s.as_str()))
                .collect()
        }
        _ => vec![period.from, period.to],
    };
    let params: Vec<&dyn crate::storage::sql::Param> =
        bounds.iter().map(|b| b as &dyn crate::storage::sql::Param).collect();
    let rows = tx.rows(&sql, &params)?;
    rows.iter()
        .map(|r| {
            Ok(SalesRow {
                key: r.get(0)?,
                receipts: r.get(1)?,
                quantity: milli_to_decimal(r.get(2)?),
                net: Money::from_minor(r.get(3)?),
                gross: Money::from_minor(r.get(4)?),
            })
        })
        .collect()
}

/// Entries refused for a broken chain or a rewritten entry.
pub fn chain_flags(tx: &impl Tx) -> StoreResult<Vec<(String, u64, String)>> {
    let rows = tx.rows("SELECT terminal_id, seq, reason FROM chain_flags ORDER BY id", &[])?;
    rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).collect()
}
