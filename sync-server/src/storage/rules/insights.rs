//! Head office's business reports beyond sales: margin by product (with a
//! weak-margin flag), top customers, low stock, stock valuation and returns
//! rate. Costs are the catalog's cost prices.

use pos_shared::money::{Money, RoundingMode, round_to_step};
use pos_shared::stock::milli_to_decimal;
use rust_decimal::Decimal;
use serde::Serialize;

use super::orders::LINE_HOLD;
use super::reorder::REORDER_POINT;
use crate::storage::sql::{Dialect, Tx};
use crate::storage::{StoreError, StoreResult};

/// Margins under this percentage are weak, unless the caller says otherwise.
pub const WEAK_MARGIN_PERCENT: Decimal = Decimal::from_parts(20, 0, 0, false, 0);
/// How many customers the top-customers report lists by default.
pub const TOP_CUSTOMERS: usize = 10;

/// Where a dated report starts and ends: local dates, inclusive.
#[derive(Clone, Copy, Debug, Default)]
pub struct Period<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

impl Period<'_> {
    pub fn check(&self) -> StoreResult<()> {
        for date in [self.from, self.to].into_iter().flatten() {
            if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
                return Err(StoreError::BadRequest(format!("date `{date}` must look like 2026-11-27")));
            }
        }
        Ok(())
    }
}

/// SQL condition on sale `s` for `?1` (from) and `?2` (to).
fn in_period(dialect: Dialect) -> String {
    let day = dialect.local_date("s.at_ms", crate::storage::zones::SALE_ZONE);
    format!("(CAST(?1 AS TEXT) IS NULL OR {day} >= ?1) AND (CAST(?2 AS TEXT) IS NULL OR {day} <= ?2)")
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MarginRow {
    pub sku: String,
    pub name: String,
    pub quantity: Decimal,
    /// Sales before tax, net of returns.
    pub net: Money,
    /// Quantity at the catalog's cost price.
    pub cost: Money,
    pub margin: Money,
    /// Margin as a percentage of net sales, one decimal.
    pub margin_percent: Decimal,
    /// Below the threshold asked for (or losing money).
    pub weak: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CustomerRow {
    pub code: String,
    pub name: String,
    pub receipts: u64,
    /// Tax included, net of returns.
    pub gross: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LowStockRow {
    pub store: String,
    pub sku: String,
    pub name: String,
    pub on_hand: Decimal,
    pub reserved: Decimal,
    pub available: Decimal,
    pub reorder_point: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValuationRow {
    pub store: String,
    pub sku: String,
    pub name: String,
    pub on_hand: Decimal,
    pub unit_cost: Money,
    pub value: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReturnsRow {
    pub sku: String,
    pub name: String,
    pub sold: Decimal,
    pub returned: Decimal,
    /// Returned as a percentage of sold, one decimal.
    pub rate_percent: Decimal,
}

/// `part` as a percentage of `whole`, half-up to one decimal, always shown.
fn percent(part: i64, whole: i64) -> Decimal {
    let mut value = match whole {
        0 => Decimal::ZERO,
        _ => round_to_step(
            Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole),
            Decimal::new(1, 1),
            RoundingMode::HalfUp,
        ),
    };
    value.rescale(1);
    value
}

/// Cost of `milli` thousandths at `unit_cost` minor units, rounded half-up.
fn cost_of(milli: i64, unit_cost: i64) -> Money {
    Money::round(Decimal::new(milli, 3) * Decimal::new(unit_cost, 2), Default::default())
}

/// Margin per product over a period; `weak_below` flags margins under
/// that percentage. Products without a cost price are left out.
pub fn margin_report(tx: &impl Tx, period: Period<'_>, weak_below: Decimal) -> StoreResult<Vec<MarginRow>> {
    period.check()?;
    let rows = tx.rows(
        &format!(
            "SELECT l.sku, p.name, CAST(SUM(l.qty_milli) AS BIGINT), CAST(SUM(l.net_minor) AS BIGINT), p.cost_minor
             FROM sale_lines l JOIN sales s ON s.receipt_no = l.receipt_no JOIN products p ON p.sku = l.sku
             WHERE p.cost_minor IS NOT NULL AND {}
             GROUP BY l.sku, p.name, p.cost_minor ORDER BY l.sku",
            in_period(tx.dialect())
        ),
        &[&period.from, &period.to],
    )?;
    rows.iter()
        .map(|r| {
            let (milli, net, unit_cost): (i64, i64, i64) = (r.get(2)?, r.get(3)?, r.get(4)?);
            let cost = cost_of(milli, unit_cost);
            let margin = Money::from_minor(net) - cost;
            let margin_percent = percent(margin.minor(), net);
            Ok(MarginRow {
                sku: r.get(0)?,
                name: r.get(1)?,
                quantity: milli_to_decimal(milli),
                net: Money::from_minor(net),
                cost,
                margin,
                margin_percent,
                weak: margin.is_negative() || margin_percent < weak_below,
            })
        })
        .collect()
}

/// Customers by what they spent over a period, most first.
pub fn top_customers(tx: &impl Tx, period: Period<'_>, top: usize) -> StoreResult<Vec<CustomerRow>> {
    period.check()?;
    let rows = tx.rows(
        &format!(
            "SELECT c.code, c.name, COUNT(DISTINCT s.receipt_no), CAST(SUM(l.gross_minor) AS BIGINT) AS spent
             FROM sales s JOIN sale_lines l ON l.receipt_no = s.receipt_no JOIN customers c ON c.code = s.customer
             WHERE {}
             GROUP BY c.code, c.name ORDER BY spent DESC, c.code LIMIT ?3",
            in_period(tx.dialect())
        ),
        &[&period.from, &period.to, &(top as u64)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(CustomerRow {
                code: r.get(0)?,
                name: r.get(1)?,
                receipts: r.get(2)?,
                gross: Money::from_minor(r.get(3)?),
            })
        })
        .collect()
}

/// Products a store carries (it has moved them) at or below their
/// reorder point, counting what customer orders hold as gone.
pub fn low_stock(tx: &impl Tx, store_id: Option<i64>) -> StoreResult<Vec<LowStockRow>> {
    let rows = tx.rows(
        &format!(
            "WITH held AS (
               SELECT o.store_id, l.sku, CAST(SUM({LINE_HOLD}) AS BIGINT) AS milli
               FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status = 'confirmed'
               GROUP BY o.store_id, l.sku),
             stock AS (
               SELECT st.id AS store_id, st.code, p.sku, p.name, {REORDER_POINT} AS point,
                 (SELECT CAST(COALESCE(SUM(m.qty_milli), 0) AS BIGINT) FROM stock_movements m
                   WHERE m.store_id = st.id AND m.sku = p.sku) AS on_hand
               FROM stores st CROSS JOIN products p
                 LEFT JOIN reorder_levels rl ON rl.store_id = st.id AND rl.sku = p.sku
               WHERE {REORDER_POINT} IS NOT NULL AND p.archived = 0 AND (CAST(?1 AS BIGINT) IS NULL OR st.id = ?1)
                 AND EXISTS (SELECT 1 FROM stock_movements e WHERE e.store_id = st.id AND e.sku = p.sku))
             SELECT k.code, k.sku, k.name, k.on_hand, COALESCE(h.milli, 0), k.point
             FROM stock k LEFT JOIN held h ON h.store_id = k.store_id AND h.sku = k.sku
             WHERE k.on_hand - COALESCE(h.milli, 0) <= k.point
             ORDER BY k.code, k.sku"
        ),
        &[&store_id],
    )?;
    rows.iter()
        .map(|r| {
            let (on_hand, held): (i64, i64) = (r.get(3)?, r.get(4)?);
            Ok(LowStockRow {
                store: r.get(0)?,
                sku: r.get(1)?,
                name: r.get(2)?,
                on_hand: milli_to_decimal(on_hand),
                reserved: milli_to_decimal(held),
                available: milli_to_decimal(on_hand - held),
                reorder_point: milli_to_decimal(r.get(5)?),
            })
        })
        .collect()
}

/// What the stock on hand is worth at cost, per store and product
/// (products with stock and a cost price).
pub fn stock_valuation(tx: &impl Tx, store_id: Option<i64>) -> StoreResult<Vec<ValuationRow>> {
    let rows = tx.rows(
        "SELECT st.code, m.sku, p.name, CAST(SUM(m.qty_milli) AS BIGINT), p.cost_minor
         FROM stock_movements m JOIN stores st ON st.id = m.store_id JOIN products p ON p.sku = m.sku
         WHERE p.cost_minor IS NOT NULL AND (CAST(?1 AS BIGINT) IS NULL OR m.store_id = ?1)
         GROUP BY st.code, m.store_id, m.sku, p.name, p.cost_minor HAVING SUM(m.qty_milli) > 0
         ORDER BY st.code, m.sku",
        &[&store_id],
    )?;
    rows.iter()
        .map(|r| {
            let (milli, unit_cost): (i64, i64) = (r.get(3)?, r.get(4)?);
            Ok(ValuationRow {
                store: r.get(0)?,
                sku: r.get(1)?,
                name: r.get(2)?,
                on_hand: milli_to_decimal(milli),
                unit_cost: Money::from_minor(unit_cost),
                value: cost_of(milli, unit_cost),
            })
        })
        .collect()
}

/// Returned against sold per product over a period, highest rate first.
pub fn returns_rate(tx: &impl Tx, period: Period<'_>) -> StoreResult<Vec<ReturnsRow>> {
    period.check()?;
    let sold = "SUM(CASE WHEN l.qty_milli > 0 THEN l.qty_milli ELSE 0 END)";
    let returned = "-SUM(CASE WHEN l.qty_milli < 0 THEN l.qty_milli ELSE 0 END)";
    let rows = tx.rows(
        &format!(
            "SELECT l.sku, COALESCE(p.name, ''), CAST({sold} AS BIGINT), CAST({returned} AS BIGINT)
             FROM sale_lines l JOIN sales s ON s.receipt_no = l.receipt_no LEFT JOIN products p ON p.sku = l.sku
             WHERE {}
             GROUP BY l.sku, p.name HAVING {returned} > 0",
            in_period(tx.dialect())
        ),
        &[&period.from, &period.to],
    )?;
    let mut rows = rows
        .iter()
        .map(|r| {
            let (sold, returned): (i64, i64) = (r.get(2)?, r.get(3)?);
            Ok(ReturnsRow {
                sku: r.get(0)?,
                name: r.get(1)?,
                sold: milli_to_decimal(sold),
                returned: milli_to_decimal(returned),
                rate_percent: percent(returned, sold),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    rows.sort_by(|a, b| b.rate_percent.cmp(&a.rate_percent).then_with(|| a.sku.cmp(&b.sku)));
    Ok(rows)
}
