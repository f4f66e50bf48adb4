//! Sales rolled up for reports: per day (and per month), store and
//! product; per day, store and category; per day, hour, store, cashier and
//! channel. Ingest queues each sale and return in `rollup_pending`; a
//! report first rolls up what is queued, in batches that are each a short
//! write transaction (pushes commit between them), so reading a year of
//! sales costs the size of the rollups, not of every line, and a first
//! roll-up over millions of lines never holds up a till.
//!
//! A queue rather than a high-water mark: journal ids are handed out when
//! a push inserts, not when it commits, so on PostgreSQL a push holding id
//! 100 can commit after one holding 101 has been rolled up; a mark would
//! skip it for good, the queue cannot. One server rolls up at a time: each
//! batch first locks the `rollup_mark` counter row.

use chrono::{Datelike, Months, NaiveDate};

use crate::storage::sql::Tx;
use crate::storage::{StoreResult, zones};

/// Each rollup: its table, its key columns, and what fills them from a
/// batch row. Every rollup also sums receipts, quantity, net and gross.
const ROLLUPS: [(&str, &str, &str); 4] = [
    ("sales_by_day_sku", "day, store_id, sku", "day, store_id, sku"),
    ("sales_by_month_sku", "month, store_id, sku", "substr(day, 1, 7), store_id, sku"),
    ("sales_by_day_category", "day, store_id, category", "day, store_id, category"),
    ("sales_by_receipt_group", "day, hour, store_id, cashier, channel", "day, hour, store_id, cashier, channel"),
];

/// Journal entries rolled up per write transaction.
pub const BATCH_ENTRIES: i64 = 1_000;

/// Rolls up the sales and returns of at most `batch` queued journal
/// entries (their lines are read once into a batch, then each rollup adds
/// its grouping of it); `true` once nothing is left.
pub fn catch_up(tx: &impl Tx, batch: i64) -> StoreResult<bool> {
    tx.run("UPDATE counters SET value = value + 1 WHERE name = 'rollup_mark'", &[])?;
    tx.run("CREATE TEMP TABLE IF NOT EXISTS rollup_ids (journal_id BIGINT PRIMARY KEY)", &[])?;
    tx.run(
        "CREATE TEMP TABLE IF NOT EXISTS rollup_batch (day TEXT, hour TEXT, store_id BIGINT, cashier TEXT,
           channel TEXT, receipt TEXT, sku TEXT, category TEXT, qty_milli BIGINT, net_minor BIGINT, gross_minor BIGINT)",
        &[],
    )?;
    tx.run("DELETE FROM rollup_ids", &[])?;
    tx.run("DELETE FROM rollup_batch", &[])?;
    let taken = tx.run(
        "INSERT INTO rollup_ids (journal_id) SELECT journal_id FROM rollup_pending ORDER BY journal_id LIMIT ?1",
        &[&batch],
    )?;
    if taken == 0 {
        return Ok(true);
    }
    let row = tx.row("SELECT MIN(journal_id), MAX(journal_id) FROM rollup_ids", &[])?;
    let (lowest, highest): (i64, i64) = match row {
        Some(row) => (row.get(0)?, row.get(1)?),
        None => return Ok(true),
    };
    let dialect = tx.dialect();
    tx.run(
        &format!(
            "INSERT INTO rollup_batch
             SELECT {}, {}, s.store_id, s.cashier,
               COALESCE((SELECT c.name FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.number = s.order_no),
                 'counter'),
               s.receipt_no, l.sku, COALESCE((SELECT p.category FROM products p WHERE p.sku = l.sku), ''),
               l.qty_milli, l.net_minor, l.gross_minor
             FROM journal j JOIN sales s ON s.terminal_id = j.terminal_id AND s.seq = j.seq
               JOIN sale_lines l ON l.receipt_no = s.receipt_no
             WHERE j.id >= ?1 AND j.id <= ?2 AND j.id IN (SELECT journal_id FROM rollup_ids)",
            dialect.local_date("s.at_ms", zones::SALE_ZONE),
            dialect.local_hour("s.at_ms", zones::SALE_ZONE),
        ),
        // The range lets both planners start from the journal's key, not
        // from every sale line.
        &[&lowest, &highest],
    )?;
    for (table, keys, values) in ROLLUPS {
        tx.run(
            &format!(
                "INSERT INTO {table} ({keys}, receipts, qty_milli, net_minor, gross_minor)
                 SELECT {values}, COUNT(DISTINCT receipt), SUM(qty_milli), SUM(net_minor), SUM(gross_minor)
                 FROM rollup_batch WHERE true GROUP BY {values}
                 ON CONFLICT ({keys}) DO UPDATE SET receipts = {table}.receipts + excluded.receipts,
                   qty_milli = {table}.qty_milli + excluded.qty_milli,
                   net_minor = {table}.net_minor + excluded.net_minor,
                   gross_minor = {table}.gross_minor + excluded.gross_minor"
            ),
            &[],
        )?;
    }
    tx.run("DELETE FROM rollup_pending WHERE journal_id IN (SELECT journal_id FROM rollup_ids)", &[])?;
    tx.run("DELETE FROM rollup_batch", &[])?;
    Ok(taken < batch as u64)
}

/// A period split for the product rollups: the whole months it covers and
/// the days outside them (`[from, before)` and `(after, to]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthSplit {
    pub first_month: String,
    pub last_month: String,
    pub from: String,
    pub before: String,
    pub after: String,
    pub to: String,
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Splits `from ..= to` (local dates, open ends allowed) into whole months and loose days.
pub fn split_months(from: Option<&str>, to: Option<&str>) -> MonthSplit {
    let parse = |d: Option<&str>, default: NaiveDate| {
        d.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).unwrap_or(default)
    };
    let from = parse(from, NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default());
    let to = parse(to, NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default());
    let first =
        if from.day() == 1 { from } else { first_of_month(from).checked_add_months(Months::new(1)).unwrap_or(from) };
    let after_to = to.succ_opt().unwrap_or(to);
    let end = if after_to.day() == 1 { after_to } else { first_of_month(to) };
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    if first >= end {
        // No whole month: every day is loose.
        return MonthSplit {
            first_month: "9999-99".into(),
            last_month: "0000-00".into(),
            from: day(from),
            before: day(after_to),
            after: day(to),
            to: day(to),
        };
    }
    let last_month = end.pred_opt().unwrap_or(end);
    MonthSplit {
        first_month: month(first),
        last_month: month(last_month),
        from: day(from),
        before: day(first),
        after: day(last_month),
        to: day(to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_split_into_whole_months_and_loose_days() {
        let split = split_months(Some("2026-01-15"), Some("2026-04-10"));
        assert_eq!((split.first_month.as_str(), split.last_month.as_str()), ("2026-02", "2026-03"));
        assert_eq!((split.from.as_str(), split.before.as_str()), ("2026-01-15", "2026-02-01"));
        assert_eq!((split.after.as_str(), split.to.as_str()), ("2026-03-31", "2026-04-10"));
        let whole = split_months(Some("2026-02-01"), Some("2026-02-28"));
        assert_eq!((whole.first_month.as_str(), whole.last_month.as_str()), ("2026-02", "2026-02"));
        assert_eq!((whole.before.as_str(), whole.after.as_str()), ("2026-02-01", "2026-02-28"), "no loose days");
        let days = split_months(Some("2026-02-03"), Some("2026-02-05"));
        assert!(days.first_month > days.last_month, "no whole month");
        assert_eq!((days.from.as_str(), days.before.as_str()), ("2026-02-03", "2026-02-06"));
        let open = split_months(None, None);
        assert_eq!((open.first_month.as_str(), open.last_month.as_str()), ("0001-01", "9999-12"));
    }
}
