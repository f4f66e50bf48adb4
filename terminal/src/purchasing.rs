//! Goods against head office's purchase orders and transfers: the ones for
//! this store (pulled by sync, replaced whole), what is still to come or to
//! ship, a receipt in full or in part (more or less than ordered is
//! recorded as it came), and shipping a transfer to another store; each is
//! one journaled set of movements.

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
use crate::{Operator, Terminal};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PoLine {
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    pub ordered: Decimal,
    pub cost: Money,
    /// Shipped so far by the sending store (transfers).
    pub shipped: Decimal,
    /// Received so far at any till of the receiving store.
    pub received: Decimal,
    /// Still to do here: to receive (never below zero: more than ordered
    /// may arrive), or, on a transfer this store sends, to ship.
    pub outstanding: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PurchaseOrder {
    pub number: String,
    pub supplier: String,
    /// For a transfer, the store that sends the goods.
    pub from_store: Option<String>,
    /// This store sends these goods (a transfer out) rather than receives them.
    pub outgoing: bool,
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
        self.apply_doc_page(&page.orders, page.through_seq, "po_cursor", page.next_cursor, store_po)
    }

    /// One purchase order or transfer as it stands here.
    pub fn purchase_order(&self, number: &str) -> CoreResult<PurchaseOrder> {
        type Head = (String, String, Option<String>, String, String, u64);
        let head: Option<Head> = self
            .conn
            .prepare_cached(
                "SELECT number, supplier, from_store, to_store, status, through_seq FROM purchase_orders
                 WHERE number = ?1 COLLATE NOCASE",
            )?
            .query_row([number.trim()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .optional()?;
        let (number, supplier, from_store, to_store, status, through_seq) = head.ok_or_else(|| {
            CoreError::Invalid(format!("no purchase order or transfer {} here: sync to get new ones", number.trim()))
        })?;
        let outgoing = to_store != self.settings.terminal_id.store_code();
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.sku, l.name, l.unit, l.qty_milli, l.cost_minor, l.shipped_milli, l.received_milli,
               (SELECT COALESCE(SUM(m.qty_milli), 0) FROM po_movements m
                WHERE m.number = l.number AND m.sku = l.sku AND m.seq > ?2)
             FROM po_lines l WHERE l.number = ?1 ORDER BY l.line_no",
        )?;
        let rows = stmt.query_map(params![number, through_seq], |r| {
            let (ordered, shipped, received, since): (i64, i64, i64, i64) =
                (r.get(3)?, r.get(5)?, r.get(6)?, r.get(7)?);
            // This till's own movements after head office's picture: shipped
            // out (negative) here if it sends, received (positive) if it receives.
            let (shipped, received) = if outgoing { (shipped - since, received) } else { (shipped, received + since) };
            let outstanding = match (outgoing, from_store.is_some() && shipped > 0) {
                (true, _) => ordered - shipped,
                (false, true) => shipped - received,
                (false, false) => ordered - received,
            };
            Ok((
                r.get::<_, String>(2)?,
                PoLine {
                    sku: r.get(0)?,
                    name: r.get(1)?,
                    unit: Unit::Each,
                    ordered: milli_to_decimal(ordered),
                    cost: Money::from_minor(r.get(4)?),
                    shipped: milli_to_decimal(shipped),
                    received: milli_to_decimal(received),
                    outstanding: milli_to_decimal(outstanding.max(0)),
                },
            ))
        })?;
        let mut lines = Vec::new();
        for row in rows {
            let (unit, mut line) = row?;
            line.unit = unit.parse().map_err(|e| bad(&number, e))?;
            lines.push(line);
        }
        drop(stmt);
        Ok(PurchaseOrder { number, supplier, from_store, outgoing, status, lines })
    }

    /// Purchase orders still expecting goods (all of them with `all`).
    pub fn purchase_orders(&self, all: bool) -> CoreResult<Vec<PurchaseOrder>> {
        let numbers: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT number FROM purchase_orders
                 WHERE status <> 'cancelled' AND (?1 OR status IN ('open', 'in-transit', 'partial'))
                 ORDER BY created_ms DESC",
            )?
            .query_map([all], |r| r.get(0))?
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

    /// Receives goods against a purchase order or an incoming transfer:
    /// `picks` as they came (more or less than expected), or everything
    /// outstanding when empty. Only products on the order; anything else is
    /// an ordinary delivery.
    pub fn receive_purchase_order(
        &mut self,
        actor: &Operator,
        number: &str,
        picks: &[(String, Decimal)],
    ) -> CoreResult<Seq> {
        let po = self.purchase_order(number)?;
        if po.outgoing {
            return Err(CoreError::Invalid(format!("{} leaves this store: ship it (“pos-terminal ship”)", po.number)));
        }
        let reason = if po.from_store.is_some() { MovementReason::TransferIn } else { MovementReason::Delivery };
        let movements = self.po_movements(&po, picks, |line, qty| StockMovement::incoming(&line.sku, qty, reason))?;
        let event = Event::StockReceived {
            by: actor.name.clone(),
            reference: po.number.clone(),
            movements,
            purchase_order: Some(po.number.clone()),
        };
        self.record_po_event(&po.number, event)
    }

    /// Ships goods of a transfer to the receiving store: `picks`, or
    /// everything not shipped yet when empty.
    pub fn ship_transfer(&mut self, actor: &Operator, number: &str, picks: &[(String, Decimal)]) -> CoreResult<Seq> {
        let po = self.purchase_order(number)?;
        if !po.outgoing {
            return Err(CoreError::Invalid(format!("{} comes to this store: receive it", po.number)));
        }
        let movements = self.po_movements(&po, picks, |line, qty| {
            StockMovement::outgoing(&line.sku, qty, MovementReason::TransferOut)
        })?;
        let event = Event::TransferShipped { by: actor.name.clone(), transfer: po.number.clone(), movements };
        self.record_po_event(&po.number, event)
    }

    /// The movements `picks` make (everything outstanding when empty).
    fn po_movements(
        &self,
        po: &PurchaseOrder,
        picks: &[(String, Decimal)],
        movement: impl Fn(&PoLine, Quantity) -> StockMovement,
    ) -> CoreResult<Vec<StockMovement>> {
        if po.status == "cancelled" {
            return Err(CoreError::Invalid(format!("{} was cancelled", po.number)));
        }
        let mut movements = Vec::new();
        if picks.is_empty() {
            for line in po.lines.iter().filter(|l| l.outstanding > Decimal::ZERO) {
                movements.push(movement(line, Quantity::new(line.outstanding, line.unit)?));
            }
        }
        for (code, qty) in picks {
            let (sku, qty) = match self.find_code(code) {
                Ok(found) => {
                    let units = found.units(*qty);
                    (found.product.sku, units)
                }
                Err(_) => (code.trim().to_string(), *qty),
            };
            let line = po.lines.iter().find(|l| l.sku == sku).ok_or_else(|| {
                CoreError::Invalid(format!(
                    "{} is not on {}: move it as a plain delivery or adjustment",
                    code.trim(),
                    po.number
                ))
            })?;
            movements.push(movement(line, Quantity::new(qty, line.unit)?));
        }
        if movements.is_empty() {
            return Err(CoreError::Invalid(format!("nothing is outstanding on {}", po.number)));
        }
        Ok(movements)
    }

    /// Journals a receipt or shipment with its movements, and notes them
    /// against the order, in one transaction.
    fn record_po_event(&mut self, number: &str, event: Event) -> CoreResult<Seq> {
        self.record_stock_event(&[], &event, |tx, seq| {
            let mut note =
                tx.prepare_cached("INSERT INTO po_movements (seq, number, sku, qty_milli) VALUES (?1, ?2, ?3, ?4)")?;
            for m in event.stock_movements().unwrap_or_default() {
                note.execute(params![seq.0, number, m.sku, m.qty_milli])?;
            }
            Ok(())
        })
    }
}

/// Replaces one purchase order with head office's version of it.
fn store_po(tx: &rusqlite::Transaction<'_>, po: &WirePurchaseOrder, through_seq: u64) -> CoreResult<()> {
    let number = &po.number;
    tx.prepare_cached("DELETE FROM po_lines WHERE number = ?1")?.execute([number])?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO purchase_orders (number, supplier, to_store, from_store, status, created_ms, through_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![number, po.supplier, po.store, po.from_store, po.status, po.created_ms, through_seq])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO po_lines (number, line_no, sku, name, unit, qty_milli, cost_minor, shipped_milli, received_milli)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for line in &po.lines {
        let unit: Unit = line.unit.parse().map_err(|e| bad(number, e))?;
        let milli = |text: &str| Quantity::milli_or_zero(text, unit).map_err(|e| bad(number, e));
        let cost: Money = line.cost.parse().map_err(|e| bad(number, e))?;
        insert.execute(params![
            number,
            line.line_no,
            line.sku,
            line.name,
            unit.as_str(),
            milli(&line.qty)?,
            cost.minor(),
            milli(&line.shipped)?,
            milli(&line.received)?,
        ])?;
    }
    Ok(())
}
