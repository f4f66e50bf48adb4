//! A hand-over at the counter applied to its order: collected quantities go
//! up (so the reservation shrinks as the sale's movements lower on-hand:
//! stock goes down once), the order closes when everything is collected,
//! and its history says who handed what over where.

use pos_shared::journal::SaleRecord;
use pos_shared::money::Money;
use pos_shared::orders::OrderStatus;
use pos_shared::stock::milli_to_decimal;

use super::orders::{add_event, touch};
use crate::storage::sql::Tx;
use crate::storage::{StoreResult, TerminalAuth};

/// Records that `sale` collected its order. A sale is a fact from the
/// counter and is never refused; what does not match (an unknown order, a
/// hand-over of a finished or cancelled order, more handed over than was
/// ordered, as when two tills hand the same order over offline, or more
/// taken as prepaid than the customer paid) is returned for head office's
/// flags, and written in the order's history.
pub(super) fn record_collection(
    tx: &impl Tx,
    auth: &TerminalAuth,
    sale: &SaleRecord,
    number: &str,
) -> StoreResult<Option<String>> {
    let found =
        tx.row("SELECT id, status FROM orders WHERE number = ?1 AND store_id = ?2", &[&number, &auth.store_id])?;
    let Some(found) = found else {
        return Ok(Some(format!("sale {} collects order {number}, unknown at this store", sale.receipt_no)));
    };
    let (order_id, status): (i64, String) = (found.get(0)?, found.get(1)?);
    let mut handed = Vec::new();
    for line in &sale.lines {
        let updated = tx.run(
            "UPDATE order_lines SET collected_milli = collected_milli + ?1 WHERE order_id = ?2 AND sku = ?3",
            &[&line.qty.milli(), &order_id, &line.sku],
        )?;
        let note = if updated == 0 { " (not on the order)" } else { "" };
        handed.push(format!("{} x{}{note}", line.sku, line.qty.display()));
    }
    let detail = format!("receipt {} at {}: {}", sale.receipt_no, auth.terminal_id, handed.join(", "));
    let mut problems = Vec::new();
    if status == OrderStatus::Cancelled.as_str() || status == OrderStatus::Collected.as_str() {
        add_event(tx, order_id, &format!("collected while {status}"), &sale.cashier, &detail)?;
        problems.push(format!("handed over while {status}"));
    } else {
        add_event(tx, order_id, "collected", &sale.cashier, &detail)?;
        let open: i64 = tx.one(
            "SELECT COUNT(*) FROM order_lines WHERE order_id = ?1 AND collected_milli < qty_milli",
            &[&order_id],
        )?;
        if open == 0 {
            tx.run("UPDATE orders SET status = 'collected' WHERE id = ?1", &[&order_id])?;
        }
    }
    let over = tx.rows(
        "SELECT sku, collected_milli, qty_milli FROM order_lines
         WHERE order_id = ?1 AND collected_milli > qty_milli ORDER BY line_no",
        &[&order_id],
    )?;
    let over = over
        .iter()
        .map(|r| {
            let (sku, collected, qty): (String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            Ok(format!("{sku}: {} handed over of {} ordered", milli_to_decimal(collected), milli_to_decimal(qty)))
        })
        .collect::<StoreResult<Vec<String>>>()?;
    if !over.is_empty() {
        problems.push(format!("handed over more than ordered ({})", over.join(", ")));
    }
    let row = tx.one_row(
        "SELECT paid_minor, (SELECT CAST(COALESCE(SUM(prepaid_minor), 0) AS BIGINT) FROM sales
               WHERE order_no = ?2 AND kind = 'sale')
             FROM orders WHERE id = ?1",
        &[&order_id, &number],
    )?;
    let (paid, used): (Option<i64>, i64) = (row.get(0)?, row.get(1)?);
    if let Some(paid) = paid.filter(|paid| used > *paid) {
        problems.push(format!(
            "{} taken as prepaid, {} was paid ahead",
            Money::from_minor(used),
            Money::from_minor(paid)
        ));
    }
    touch(tx, order_id)?;
    Ok((!problems.is_empty()).then(|| {
        format!("order {number}, receipt {} at {}: {}", sale.receipt_no, auth.terminal_id, problems.join("; "))
    }))
}
