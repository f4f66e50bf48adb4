//! Stock on hand: the sum of the append-only movement ledger, per product,
//! and goods coming in.

use pos_shared::ids::Seq;
use pos_shared::journal::Event;
use pos_shared::quantity::Quantity;
use pos_shared::stock::{MovementReason, StockMovement, milli_to_decimal};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{CoreError, CoreResult};
use crate::records::insert_movements;
use crate::{Operator, Terminal};

/// One product's stock as this terminal knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StockLevel {
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub on_hand: Decimal,
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
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.sku, p.name, p.unit, COALESCE(SUM(m.qty_milli), 0), p.reorder_point_milli
             FROM products p LEFT JOIN stock_movements m ON m.sku = p.sku
             WHERE (?1 IS NULL OR p.sku = ?1) AND p.archived = 0
             GROUP BY p.id ORDER BY p.sku",
        )?;
        let rows = stmt.query_map([sku], |r| {
            Ok(StockLevel {
                sku: r.get(0)?,
                name: r.get(1)?,
                unit: r.get(2)?,
                on_hand: milli_to_decimal(r.get(3)?),
                reorder_point: r.get::<_, Option<i64>>(4)?.map(milli_to_decimal),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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
        let tx = self.begin_journaled(&[])?;
        let event = Event::StockReceived { by: actor.name.clone(), reference: reference.to_string(), movements };
        let appended = tx.append(&event)?;
        let Event::StockReceived { movements, .. } = &event else { unreachable!("built above") };
        insert_movements(&tx, appended.seq, movements)?;
        tx.commit()?;
        Ok(appended.seq)
    }
}
