//! Receiving goods against head office's purchase orders: the orders for
//! this store (pulled by sync, replaced whole), what is still to come, and
//! a receipt in full or in part (more or less than ordered is recorded as
//! it came) that is one journaled delivery.

use pos_shared::ids::Seq;
use pos_shared::journal::Event;
use pos_shared::money::Money;
use pos_shared::protocol::{PurchaseOrdersPage, WirePurchaseOrder};
use pos_shared::quantity::{Quantity, Unit};
use pos_shared::stock::{MovementReason, StockMovement, milli_to_decimal};
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{CoreError, CoreResult};
use crate::records::insert_movements;
use crate::{Operator, Terminal};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PoLine {
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    pub ordered: Decimal,
    pub cost: Money,
    /// Received so far at any till of the store.
    pub received: Decimal,
    /// Still to come (never below zero: more than ordered may arrive).
    pub outstanding: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PurchaseOrder {
    pub number: String,
    pub supplier: String,
    pub status: String,
    pub lines: Vec<PoLine>,
}

fn bad(number: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Invalid(format!("purchase order {number} from head office: {e}"))
}

impl Terminal {
    pub fn purchase_orders_cursor(&self) -> CoreResult<u64> {
        self.sync_number("po_cursor")
    }

    /// Applies one page of purchase orders and moves the cursor.
    pub fn apply_purchase_orders_page(&mut self, page: &PurchaseOrdersPage) -> CoreResult<usize> {
        let tx = self.conn.transaction()?;
        for po in &page.orders {
            store_po(&tx, po, page.through_seq)?;
        }
        Terminal::set_sync_value(&tx, "po_cursor", &page.next_cursor.to_string())?;
        tx.commit()?;
        Ok(page.orders.len())
    }

    /// One purchase order as it stands here.
    pub fn purchase_order(&self, number: &str) -> CoreResult<PurchaseOrder> {
        let head: Option<(String, String, String, u64)> = self
            .conn
            .prepare_cached(
                "SELECT number, supplier, status, through_seq FROM purchase_orders WHERE number = ?1 COLLATE NOCASE",
            )?
            .query_row([number.trim()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        let (number, supplier, status, through_seq) = head.ok_or_else(|| {
            CoreError::Invalid(format!("no purchase order {} here: sync to get new ones", number.trim()))
        })?;
        let rows: Vec<(String, String, String, i64, i64, i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT l.sku, l.name, l.unit, l.qty_milli, l.cost_minor, l.received_milli,
                   (SELECT COALESCE(SUM(r.qty_milli), 0) FROM po_receipts r
                    WHERE r.number = l.number AND r.sku = l.sku AND r.seq > ?2)
                 FROM po_lines l WHERE l.number = ?1 ORDER BY l.line_no",
            )?
            .query_map(params![number, through_seq], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut lines = Vec::with_capacity(rows.len());
        for (sku, name, unit, ordered, cost, received, since) in rows {
            let received = received + since;
            lines.push(PoLine {
                unit: unit.parse().map_err(|e| bad(&number, e))?,
                ordered: milli_to_decimal(ordered),
                cost: Money::from_minor(cost),
                received: milli_to_decimal(received),
                outstanding: milli_to_decimal((ordered - received).max(0)),
                sku,
                name,
            });
        }
        Ok(PurchaseOrder { number, supplier, status, lines })
    }

    /// Purchase orders still expecting goods (all of them with `all`).
    pub fn purchase_orders(&self, all: bool) -> CoreResult<Vec<PurchaseOrder>> {
        let numbers: Vec<String> = self
            .conn
            .prepare_cached("SELECT number FROM purchase_orders WHERE status <> 'cancelled' ORDER BY created_ms DESC")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for number in numbers {
            let po = self.purchase_order(&number)?;
            if all || po.lines.iter().any(|l| l.outstanding > Decimal::ZERO) {
                out.push(po);
            }
        }
        Ok(out)
    }

    /// Receives goods against a purchase order: `picks` as they came (more
    /// or less than ordered), or everything outstanding when empty. Only
    /// products on the order; anything else is an ordinary delivery.
    pub fn receive_purchase_order(
        &mut self,
        actor: &Operator,
        number: &str,
        picks: &[(String, Decimal)],
    ) -> CoreResult<Seq> {
        let po = self.purchase_order(number)?;
        if po.status == "cancelled" {
            return Err(CoreError::Invalid(format!("purchase order {} was cancelled", po.number)));
        }
        let mut movements = Vec::new();
        if picks.is_empty() {
            for line in po.lines.iter().filter(|l| l.outstanding > Decimal::ZERO) {
                movements.push(StockMovement::incoming(
                    &line.sku,
                    Quantity::new(line.outstanding, line.unit)?,
                    MovementReason::Delivery,
                ));
            }
        }
        for (code, qty) in picks {
            let sku = self.find_code(code).map(|f| f.product.sku).unwrap_or_else(|_| code.trim().to_string());
            let line = po.lines.iter().find(|l| l.sku == sku).ok_or_else(|| {
                CoreError::Invalid(format!(
                    "{} is not on purchase order {}: receive it as a plain delivery",
                    code.trim(),
                    po.number
                ))
            })?;
            movements.push(StockMovement::incoming(
                &line.sku,
                Quantity::new(*qty, line.unit)?,
                MovementReason::Delivery,
            ));
        }
        if movements.is_empty() {
            return Err(CoreError::Invalid(format!("nothing is outstanding on purchase order {}", po.number)));
        }
        let tx = self.begin_journaled(&[])?;
        let event = Event::StockReceived {
            by: actor.name.clone(),
            reference: po.number.clone(),
            movements,
            purchase_order: Some(po.number.clone()),
        };
        let appended = tx.append(&event)?;
        let movements = event.stock_movements().unwrap_or_default();
        insert_movements(&tx, appended.seq, movements)?;
        let mut receipt =
            tx.prepare_cached("INSERT INTO po_receipts (seq, number, sku, qty_milli) VALUES (?1, ?2, ?3, ?4)")?;
        for m in movements {
            receipt.execute(params![appended.seq.0, po.number, m.sku, m.qty_milli])?;
        }
        drop(receipt);
        tx.commit()?;
        Ok(appended.seq)
    }
}

/// Replaces one purchase order with head office's version of it.
fn store_po(tx: &rusqlite::Transaction<'_>, po: &WirePurchaseOrder, through_seq: u64) -> CoreResult<()> {
    let number = &po.number;
    tx.prepare_cached("DELETE FROM po_lines WHERE number = ?1")?.execute([number])?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO purchase_orders (number, supplier, status, created_ms, through_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![number, po.supplier, po.status, po.created_ms, through_seq])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO po_lines (number, line_no, sku, name, unit, qty_milli, cost_minor, received_milli)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for line in &po.lines {
        let unit: Unit = line.unit.parse().map_err(|e| bad(number, e))?;
        let milli = |text: &str| -> CoreResult<i64> {
            let value = Decimal::from_str_exact(text).map_err(|e| bad(number, e))?;
            Ok(if value.is_zero() { 0 } else { Quantity::new(value, unit).map_err(|e| bad(number, e))?.milli() })
        };
        let cost: Money = line.cost.parse().map_err(|e| bad(number, e))?;
        insert.execute(params![
            number,
            line.line_no,
            line.sku,
            line.name,
            unit.as_str(),
            milli(&line.qty)?,
            cost.minor(),
            milli(&line.received)?,
        ])?;
    }
    Ok(())
}
