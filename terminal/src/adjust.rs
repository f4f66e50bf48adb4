//! Stock corrected by hand and stock counts. An adjustment is a journaled
//! movement with a reason (damaged, expired, theft, own use, correction)
//! and needs a manager. A count is blind: the counter only adds what they
//! see; each product's expected on-hand is taken when it is first counted,
//! so sales going on during the count do not become variance, and closing
//! it (a manager) books the variances as `count` movements.

use pos_shared::ids::Seq;
use pos_shared::journal::{CountLine, CountRecord, Event};
use pos_shared::quantity::Quantity;
use pos_shared::roles::Permission;
use pos_shared::stock::{MovementReason, StockMovement, milli_to_decimal};
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{CoreError, CoreResult};
use crate::users::Credentials;
use crate::{Operator, Terminal};

/// One product of a count as the manager sees it when closing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountVariance {
    pub sku: String,
    pub counted: Decimal,
    pub expected: Decimal,
    pub variance: Decimal,
}

/// A closed count: its journal entry and every product's variance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClosedCount {
    pub count_id: i64,
    pub seq: Seq,
    pub lines: Vec<CountVariance>,
}

impl Terminal {
    /// Books a correction of stock: `lines` are codes and quantities (taken
    /// out for every reason but `correction`, whose sign says which way).
    pub fn adjust_stock(
        &mut self,
        actor: &Operator,
        reason: MovementReason,
        note: &str,
        lines: &[(String, Decimal)],
        approver: Option<&Credentials>,
    ) -> CoreResult<Seq> {
        if !MovementReason::ADJUSTMENTS.contains(&reason) {
            let allowed: Vec<&str> = MovementReason::ADJUSTMENTS.iter().map(|r| r.as_str()).collect();
            return Err(CoreError::Invalid(format!("an adjustment's reason is one of: {}", allowed.join(", "))));
        }
        if lines.is_empty() {
            return Err(CoreError::Invalid("nothing to adjust".into()));
        }
        let mut movements = Vec::with_capacity(lines.len());
        for (code, qty) in lines {
            let product = self.find_code(code)?.product;
            let size = Quantity::new(qty.abs(), product.unit)?;
            let out = reason.removes_stock() || qty.is_sign_negative();
            if reason.removes_stock() && qty.is_sign_negative() {
                return Err(CoreError::Invalid(format!(
                    "{reason} takes stock out: give {} as a positive quantity",
                    product.sku
                )));
            }
            movements.push(match out {
                true => StockMovement::outgoing(&product.sku, size, reason),
                false => StockMovement::incoming(&product.sku, size, reason),
            });
        }
        let detail = format!("{reason}: {} line(s) {}", movements.len(), note.trim());
        let approval = self.authorize(actor, Permission::AdjustStock, approver, detail)?;
        let event = Event::StockAdjusted { by: actor.name.clone(), reason, note: note.trim().to_string(), movements };
        self.record_stock_event(approval.map(|a| a.event()).as_slice(), &event, |_, _| Ok(()))
    }

    /// Opens a count of the whole store or of one category.
    pub fn start_count(&mut self, actor: &Operator, category: Option<&str>) -> CoreResult<i64> {
        let category = category.map(str::trim).filter(|c| !c.is_empty());
        if let Some(category) = category {
            let known: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM products WHERE category = ?1 AND archived = 0)",
                [category],
                |r| r.get(0),
            )?;
            if !known {
                return Err(CoreError::Invalid(format!("no products in category “{category}”")));
            }
        }
        let now = self.clock.now_ms();
        Ok(self.conn.query_row(
            "INSERT INTO counts (category, started_by, started_ms, status) VALUES (?1, ?2, ?3, 'open') RETURNING id",
            params![category, actor.name, now],
            |r| r.get(0),
        )?)
    }

    fn open_count(&self, count_id: i64) -> CoreResult<Option<String>> {
        let found: Option<(Option<String>, String)> = self
            .conn
            .query_row("SELECT category, status FROM counts WHERE id = ?1", [count_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match found {
            Some((category, status)) if status == "open" => Ok(category),
            Some(_) => Err(CoreError::Invalid(format!("count {count_id} is closed"))),
            None => Err(CoreError::Invalid(format!("there is no count {count_id}"))),
        }
    }

    /// Adds what was counted of one product (counting it again in another
    /// place adds up). Blind: the answer is only what has been counted.
    pub fn count_item(&mut self, count_id: i64, code: &str, qty: Decimal) -> CoreResult<Decimal> {
        let category = self.open_count(count_id)?;
        let product = self.find_code(code)?.product;
        if category.as_ref().is_some_and(|c| *c != product.category) {
            return Err(CoreError::Invalid(format!(
                "{} is in {}, not in the category being counted",
                product.sku, product.category
            )));
        }
        let qty = if qty.is_zero() { 0 } else { Quantity::new(qty, product.unit)?.milli() };
        let expected = self.known_stock_milli(&product.sku)?;
        let counted: i64 = self.conn.query_row(
            "INSERT INTO count_lines (count_id, sku, counted_milli, expected_milli) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (count_id, sku) DO UPDATE SET counted_milli = counted_milli + excluded.counted_milli
             RETURNING counted_milli",
            params![count_id, product.sku, qty, expected],
            |r| r.get(0),
        )?;
        Ok(milli_to_decimal(counted))
    }

    /// Closes a count: every counted product's variance (counted minus what
    /// was expected when it was counted) becomes a `count` movement; with
    /// `zero_uncounted`, products of the scope nobody counted count as none.
    pub fn close_count(
        &mut self,
        actor: &Operator,
        count_id: i64,
        zero_uncounted: bool,
        approver: Option<&Credentials>,
    ) -> CoreResult<ClosedCount> {
        let category = self.open_count(count_id)?;
        let detail = format!("close stock count {count_id}");
        let approval = self.authorize(actor, Permission::AdjustStock, approver, detail)?;
        if zero_uncounted {
            let skus: Vec<String> = self
                .conn
                .prepare(
                    "SELECT sku FROM products p WHERE archived = 0 AND (?1 IS NULL OR category = ?1)
                       AND NOT EXISTS (SELECT 1 FROM count_lines l WHERE l.count_id = ?2 AND l.sku = p.sku)",
                )?
                .query_map(params![category, count_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for sku in skus {
                if self.known_stock_milli(&sku)? != 0 {
                    self.count_item(count_id, &sku, Decimal::ZERO)?;
                }
            }
        }
        let lines: Vec<CountLine> = self
            .conn
            .prepare("SELECT sku, counted_milli, expected_milli FROM count_lines WHERE count_id = ?1 ORDER BY sku")?
            .query_map([count_id], |r| {
                Ok(CountLine { sku: r.get(0)?, counted_milli: r.get(1)?, expected_milli: r.get(2)? })
            })?
            .collect::<Result<_, _>>()?;
        if lines.is_empty() {
            return Err(CoreError::Invalid(format!("nothing has been counted in count {count_id}")));
        }
        let movements = lines
            .iter()
            .filter(|l| l.counted_milli != l.expected_milli)
            .map(|l| StockMovement {
                sku: l.sku.clone(),
                qty_milli: l.counted_milli - l.expected_milli,
                reason: MovementReason::Count,
            })
            .collect();
        let record = CountRecord {
            count_id,
            by: actor.name.clone(),
            scope: category.unwrap_or_else(|| "all".into()),
            lines,
            movements,
        };
        let event = Event::StockCounted(Box::new(record));
        let seq = self.record_stock_event(approval.map(|a| a.event()).as_slice(), &event, |tx, seq| {
            tx.execute("UPDATE counts SET status = 'closed', closed_seq = ?1 WHERE id = ?2", params![seq.0, count_id])?;
            Ok(())
        })?;
        let Event::StockCounted(record) = event else { unreachable!("built as a count above") };
        let lines = record
            .lines
            .iter()
            .map(|l| CountVariance {
                sku: l.sku.clone(),
                counted: milli_to_decimal(l.counted_milli),
                expected: milli_to_decimal(l.expected_milli),
                variance: milli_to_decimal(l.counted_milli - l.expected_milli),
            })
            .collect();
        Ok(ClosedCount { count_id, seq, lines })
    }
}
