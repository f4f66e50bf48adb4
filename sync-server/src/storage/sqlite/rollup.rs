//! Sales rolled up for reports: per day, store and product; per day, store
//! and category; per day, hour, store, cashier and channel. A report first
//! rolls up what was applied since the last one (in the same transaction),
//! so reading a year of sales costs the size of the rollups, not of every
//! line, and ingest pays nothing.

use rusqlite::{Transaction, params};

use crate::storage::StoreResult;

/// The sales of entries `(?1, ?2]` joined with their lines: `s`, `l`.
const NEW_LINES: &str = "FROM journal j JOIN sales s ON s.terminal_id = j.terminal_id AND s.seq = j.seq
    JOIN sale_lines l ON l.receipt_no = s.receipt_no
    WHERE j.id > ?1 AND j.id <= ?2 AND j.kind IN ('sale', 'return')";

const DAY: &str = "date(s.at_ms / 1000, 'unixepoch', 'localtime')";

const SUMS: &str = "COUNT(DISTINCT s.receipt_no), SUM(l.qty_milli), SUM(l.net_minor), SUM(l.gross_minor)";

const ADD_UP: &str = "receipts = receipts + excluded.receipts, qty_milli = qty_milli + excluded.qty_milli,
    net_minor = net_minor + excluded.net_minor, gross_minor = gross_minor + excluded.gross_minor";

/// Rolls up every sale and return applied since the last call.
pub(super) fn catch_up(tx: &Transaction<'_>) -> StoreResult<()> {
    let mark: i64 = tx.query_row("SELECT value FROM counters WHERE name = 'rollup_mark'", [], |r| r.get(0))?;
    let last: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) FROM journal", [], |r| r.get(0))?;
    if last <= mark {
        return Ok(());
    }
    tx.execute(
        &format!(
            "INSERT INTO sales_by_day_sku (day, store_id, sku, receipts, qty_milli, net_minor, gross_minor)
             SELECT {DAY}, s.store_id, l.sku, {SUMS} {NEW_LINES} GROUP BY 1, 2, 3
             ON CONFLICT (day, store_id, sku) DO UPDATE SET {ADD_UP}"
        ),
        params![mark, last],
    )?;
    tx.execute(
        &format!(
            "INSERT INTO sales_by_day_category (day, store_id, category, receipts, qty_milli, net_minor, gross_minor)
             SELECT {DAY}, s.store_id, COALESCE((SELECT p.category FROM products p WHERE p.sku = l.sku), ''), {SUMS}
             {NEW_LINES} GROUP BY 1, 2, 3
             ON CONFLICT (day, store_id, category) DO UPDATE SET {ADD_UP}"
        ),
        params![mark, last],
    )?;
    tx.execute(
        &format!(
            "INSERT INTO sales_by_receipt_group (day, hour, store_id, cashier, channel, receipts, qty_milli, net_minor, gross_minor)
             SELECT {DAY}, strftime('%H:00', s.at_ms / 1000, 'unixepoch', 'localtime'), s.store_id, s.cashier,
               COALESCE((SELECT c.name FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.number = s.order_no), 'counter'),
               {SUMS} {NEW_LINES} GROUP BY 1, 2, 3, 4, 5
             ON CONFLICT (day, hour, store_id, cashier, channel) DO UPDATE SET {ADD_UP}"
        ),
        params![mark, last],
    )?;
    tx.execute("UPDATE counters SET value = ?1 WHERE name = 'rollup_mark'", [last])?;
    Ok(())
}
