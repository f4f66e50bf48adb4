//! A hand-over at the counter applied to its order: collected quantities go
//! up (so the reservation shrinks as the sale's movements lower on-hand:
//! stock goes down once), the order closes when everything is collected,
//! and its history says who handed what over where.

use pos_shared::journal::SaleRecord;
use pos_shared::orders::OrderStatus;
use rusqlite::{OptionalExtension, Transaction, params};

use super::orders::{add_event, touch};
use crate::storage::{StoreResult, TerminalAuth};

/// Records that `sale` collected its order. A sale is a fact from the
/// counter and is never refused; an order it cannot match is reported in
/// the order's history (or, unknown, returned for head office's flags).
pub(super) fn record_collection(
    tx: &Transaction<'_>,
    auth: &TerminalAuth,
    sale: &SaleRecord,
    number: &str,
) -> StoreResult<Option<String>> {
    let found: Option<(i64, String)> = tx
        .prepare_cached("SELECT id, status FROM orders WHERE number = ?1 AND store_id = ?2")?
        .query_row(params![number, auth.store_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((order_id, status)) = found else {
        return Ok(Some(format!("sale {} collects order {number}, unknown at this store", sale.receipt_no)));
    };
    let mut handed = Vec::new();
    for line in &sale.lines {
        let updated = tx
            .prepare_cached(
                "UPDATE order_lines SET collected_milli = collected_milli + ?1 WHERE order_id = ?2 AND sku = ?3",
            )?
            .execute(params![line.qty.milli(), order_id, line.sku])?;
        let note = if updated == 0 { " (not on the order)" } else { "" };
        handed.push(format!("{} x{}{note}", line.sku, line.qty.display()));
    }
    let detail = format!("receipt {} at {}: {}", sale.receipt_no, auth.terminal_id, handed.join(", "));
    if status == OrderStatus::Cancelled.as_str() || status == OrderStatus::Collected.as_str() {
        add_event(tx, order_id, &format!("collected while {status}"), &sale.cashier, &detail)?;
    } else {
        add_event(tx, order_id, "collected", &sale.cashier, &detail)?;
        let open: i64 = tx.query_row(
            "SELECT COUNT(*) FROM order_lines WHERE order_id = ?1 AND collected_milli < qty_milli",
            [order_id],
            |r| r.get(0),
        )?;
        if open == 0 {
            tx.execute("UPDATE orders SET status = 'collected' WHERE id = ?1", [order_id])?;
        }
    }
    touch(tx, order_id)?;
    Ok(None)
}
