//! Stock on hand: the sum of the append-only movement ledger, per product,
//! and goods coming in.

use pos_shared::ids::Seq;
use pos_shared::journal::Event;
use pos_shared::quantity::Quantity;
use pos_shared::stock::{MovementReason, StockMovement, milli_to_decimal};
use rusqlite::{Transaction, params};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{CoreError, CoreResult};
use crate::records::insert_movements;
use crate::sync::KNOWN_STOCK;
use crate::{Operator, Terminal};

/// One product's stock as this terminal knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StockLevel {
    pub sku: String,
    pub name: String,
    pub unit: String,
    /// Central on-hand at the last sync plus this terminal's movements since.
    pub on_hand: Decimal,
    /// Held for customer orders, not handed over yet.
    pub reserved: Decimal,
    /// What can still be promised: on-hand minus reserved.
    pub available: Decimal,
    pub reorder_point: Option<Decimal>,
}

impl Terminal {
    /// Thousandths of `sku` on hand: the sum of its movements.
    pub fn on_hand_milli(&self, sku: &str) -> CoreResult<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movements WHERE sku = ?1")?
            .query_row([sku], |r| r.get(0))?)
    }

    /// Stock of one product (by any code), or of every product.
    pub fn stock_levels(&self, code: Option<&str>) -> CoreResult<Vec<StockLevel>> {
        let sku = code.map(|c| self.find_code(c).map(|f| f.product.sku)).transpose()?;
        self.levels(sku.as_deref(), false)
    }

    /// Stock of one product or all, or only of those with a reorder point.
    fn levels(&self, sku: Option<&str>, with_reorder_point: bool) -> CoreResult<Vec<StockLevel>> {
        let held = self.reservations(sku)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT p.sku, p.name, p.unit, {KNOWN_STOCK}, p.reorder_point_milli
             FROM products p WHERE (?1 IS NULL OR p.sku = ?1) AND p.archived = 0
               AND (?3 = 0 OR p.reorder_point_milli IS NOT NULL)
             ORDER BY p.sku"
        ))?;
        let through = self.sync_number("central_through_seq")?;
        let rows = stmt.query_map(params![sku, through, with_reorder_point], |r| {
            let sku: String = r.get(0)?;
            let on_hand: i64 = r.get(3)?;
            let reserved = held.get(&sku).copied().unwrap_or(0);
            Ok(StockLevel {
                name: r.get(1)?,
                unit: r.get(2)?,
                on_hand: milli_to_decimal(on_hand),
                reserved: milli_to_decimal(reserved),
                available: milli_to_decimal(on_hand - reserved),
                reorder_point: r.get::<_, Option<i64>>(4)?.map(milli_to_decimal),
                sku,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Products whose available stock is at or below their reorder point,
    /// lowest first: what the store should ask head office for.
    pub fn low_stock(&self) -> CoreResult<Vec<StockLevel>> {
        let mut low: Vec<StockLevel> = self
            .levels(None, true)?
            .into_iter()
            .filter(|l| l.reorder_point.is_some_and(|point| l.available <= point))
            .collect();
        low.sort_by(|a, b| a.available.cmp(&b.available).then_with(|| a.sku.cmp(&b.sku)));
        Ok(low)
    }

    /// Records goods that came in: one delivery movement per line.
    pub fn receive_stock(
        &mut self,
        actor: &Operator,
        reference: &str,
        lines: &[(String, Quantity)],
    ) -> CoreResult<Seq> {
        if lines.is_empty() {
            return Err(CoreError::Invalid("nothing to receive".into()));
        }
        let mut movements = Vec::with_capacity(lines.len());
        for (code, qty) in lines {
            let sku = self.find_code(code)?.product.sku;
            movements.push(StockMovement::incoming(&sku, *qty, MovementReason::Delivery));
        }
        let event = Event::StockReceived {
            by: actor.name.clone(),
            reference: reference.to_string(),
            movements,
            purchase_order: None,
        };
        self.record_stock_event(&[], &event, |_, _| Ok(()))
    }

    /// Journals an event that moves stock (after `before`, its approvals)
    /// with its movements in one transaction; `also` writes what else
    /// belongs to it in the same transaction.
    pub(crate) fn record_stock_event(
        &mut self,
        before: &[Event],
        event: &Event,
        also: impl FnOnce(&Transaction<'_>, Seq) -> CoreResult<()>,
    ) -> CoreResult<Seq> {
        let tx = self.begin_journaled(before)?;
        let appended = tx.append(event)?;
        insert_movements(&tx, appended.seq, event.stock_movements().unwrap_or_default())?;
        also(&tx, appended.seq)?;
        tx.commit()?;
        Ok(appended.seq)
    }
}
