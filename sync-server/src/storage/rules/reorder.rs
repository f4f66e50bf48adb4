//! Reordering: per store and product a reorder point and an order-up-to
//! level, set by hand or suggested from sales velocity over a window and
//! the supplier's lead time; what to order now (when what the store has,
//! less what orders hold, plus what is on order, is at or below the point),
//! and draft purchase orders made of it, one per store and supplier.

use std::collections::BTreeMap;

use pos_shared::money::Money;
use pos_shared::protocol::WirePurchaseOrder;
use pos_shared::stock::milli_to_decimal;
use rust_decimal::Decimal;
use serde::Serialize;

use super::catalog::product_sku;
use super::orders::reserved_milli;
use super::purchasing::{NewPoLine, Source, insert_po, load, supplier_id};
use crate::storage::sql::{Row, Tx};
use crate::storage::{StoreError, StoreResult, now_ms};

const DAY_MS: i64 = 86_400_000;
/// Lead time assumed for a product with no supplier.
const DEFAULT_LEAD_DAYS: i64 = 2;

/// How suggestions are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReorderPolicy {
    /// Days of sales the velocity is measured over.
    pub window_days: u32,
    /// Days of sales kept in reserve beyond the lead time.
    pub safety_days: u32,
    /// Days of sales an order should cover.
    pub cover_days: u32,
}

impl Default for ReorderPolicy {
    fn default() -> ReorderPolicy {
        ReorderPolicy { window_days: 28, safety_days: 2, cover_days: 14 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReorderRow {
    pub store: String,
    pub sku: String,
    pub name: String,
    pub supplier: Option<String>,
    pub on_hand: Decimal,
    pub reserved: Decimal,
    pub on_order: Decimal,
    /// Sold per day over the window.
    pub daily_sales: Decimal,
    pub reorder_point: Decimal,
    pub order_up_to: Decimal,
    /// `set` by hand, or `velocity`.
    pub basis: &'static str,
    /// Whole units to order now (whole packs of the supplier's).
    pub suggested: Decimal,
    /// The supplier's pack, when it sells in packs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<Decimal>,
}

/// The pack a supplier sells a product in (thousandths), and what a pack
/// costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupplierPack {
    pub milli: i64,
    pub cost_minor: Option<i64>,
}

impl SupplierPack {
    /// `milli` rounded up to whole packs.
    pub fn round_up(self, milli: i64) -> i64 {
        if self.milli <= 0 { milli } else { (milli + self.milli - 1).div_euclid(self.milli) * self.milli }
    }

    /// The pack in columns `at` (its thousandths) and `at + 1` (its cost)
    /// of a row of `product_suppliers`; none when it is not sold in packs.
    fn from_row(row: &Row, at: usize) -> StoreResult<Option<SupplierPack>> {
        Ok(match row.get::<Option<i64>>(at)? {
            Some(milli) => Some(SupplierPack { milli, cost_minor: row.get(at + 1)? }),
            None => None,
        })
    }

    /// A unit's cost from the pack's, to the cent (half up).
    pub fn unit_cost(self) -> Option<i64> {
        self.cost_minor.filter(|_| self.milli > 0).map(|cost| (cost * 1000 * 2 + self.milli).div_euclid(self.milli * 2))
    }
}

/// The pack the supplier sells `sku` in, if it sells it in packs.
pub fn supplier_pack(tx: &impl Tx, sku: &str, supplier_id: i64) -> StoreResult<Option<SupplierPack>> {
    let found = tx.row(
        "SELECT pack_milli, pack_cost_minor FROM product_suppliers WHERE sku = ?1 AND supplier_id = ?2",
        &[&sku, &supplier_id],
    )?;
    Ok(match found {
        Some(row) => SupplierPack::from_row(&row, 0)?,
        None => None,
    })
}

/// SQL for the reorder point someone set for product `p` at a store, given
/// its row `rl` of `reorder_levels`: the store's own level (`reorder set`),
/// else the catalog's. Low stock lists what is at or below it; reorder
/// suggestions use the store's own level first too, and without one
/// derive a point from sales velocity.
pub(super) const REORDER_POINT: &str = "COALESCE(rl.point_milli, p.reorder_point_milli)";

/// Thousandths rounded up to whole units.
fn whole_units_up(milli: Decimal) -> i64 {
    (milli / Decimal::from(1000)).ceil().try_into().unwrap_or(i64::MAX / 1000) * 1000
}

struct Carried {
    store_id: i64,
    store: String,
    sku: String,
    name: String,
    cost_minor: i64,
    on_hand: i64,
    sold: i64,
    set: Option<(i64, i64)>,
    supplier: Option<(i64, String, i64)>,
    pack: Option<SupplierPack>,
}

fn carried(tx: &impl Tx, store_id: Option<i64>, since_ms: i64) -> StoreResult<Vec<Carried>> {
    let rows = tx.rows(
        "WITH moved AS (
           SELECT m.store_id, m.sku, CAST(SUM(m.qty_milli) AS BIGINT) AS on_hand,
             CAST(-SUM(CASE WHEN m.reason = 'sale' AND j.at_ms >= ?2 THEN m.qty_milli ELSE 0 END) AS BIGINT) AS sold
           FROM stock_movements m JOIN journal j ON j.terminal_id = m.terminal_id AND j.seq = m.seq
           WHERE CAST(?1 AS BIGINT) IS NULL OR m.store_id = ?1 GROUP BY m.store_id, m.sku),
         keys AS (SELECT store_id, sku FROM moved
           UNION SELECT store_id, sku FROM reorder_levels WHERE CAST(?1 AS BIGINT) IS NULL OR store_id = ?1)
         SELECT k.store_id, st.code, p.sku, p.name, COALESCE(p.cost_minor, 0), COALESCE(mv.on_hand, 0),
           COALESCE(mv.sold, 0), rl.point_milli, rl.up_to_milli, su.id, su.name, su.lead_time_days,
           ps.pack_milli, ps.pack_cost_minor
         FROM keys k JOIN stores st ON st.id = k.store_id JOIN products p ON p.sku = k.sku
           LEFT JOIN moved mv ON mv.store_id = k.store_id AND mv.sku = k.sku
           LEFT JOIN reorder_levels rl ON rl.store_id = k.store_id AND rl.sku = k.sku
           LEFT JOIN product_suppliers ps ON ps.sku = p.sku LEFT JOIN suppliers su ON su.id = ps.supplier_id
         WHERE p.archived = 0 ORDER BY st.code, p.sku",
        &[&store_id, &since_ms],
    )?;
    rows.iter()
        .map(|r| {
            let set = match (r.get::<Option<i64>>(7)?, r.get::<Option<i64>>(8)?) {
                (Some(point), Some(up_to)) => Some((point, up_to)),
                _ => None,
            };
            let supplier = match r.get::<Option<i64>>(9)? {
                Some(id) => Some((id, r.get(10)?, r.get(11)?)),
                None => None,
            };
            Ok(Carried {
                store_id: r.get(0)?,
                store: r.get(1)?,
                sku: r.get(2)?,
                name: r.get(3)?,
                cost_minor: r.get(4)?,
                on_hand: r.get(5)?,
                sold: r.get(6)?,
                set,
                supplier,
                pack: SupplierPack::from_row(r, 12)?,
            })
        })
        .collect()
}

/// Thousandths held for customer orders and still to come on purchase
/// orders (drafts included, so drafting twice orders nothing twice).
fn held_and_on_order(tx: &impl Tx, store_id: i64, sku: &str) -> StoreResult<(i64, i64)> {
    let reserved = reserved_milli(tx, store_id, sku)?;
    let on_order: i64 = tx.one(
        "SELECT CAST(COALESCE(SUM(CASE WHEN l.qty_milli > l.received_milli THEN l.qty_milli - l.received_milli
           ELSE 0 END), 0) AS BIGINT)
         FROM po_lines l JOIN purchase_orders po ON po.id = l.po_id
         WHERE po.store_id = ?1 AND l.sku = ?2 AND po.status IN ('draft', 'open', 'in-transit', 'partial')",
        &[&store_id, &sku],
    )?;
    Ok((reserved, on_order))
}

/// A row and, when something should be ordered, the store, supplier and cost.
fn suggest(tx: &impl Tx, item: &Carried, policy: ReorderPolicy) -> StoreResult<Option<ReorderRow>> {
    let daily = Decimal::from(item.sold.max(0)) / Decimal::from(policy.window_days.max(1));
    let lead = item.supplier.as_ref().map_or(DEFAULT_LEAD_DAYS, |s| s.2);
    let (point, up_to, basis) = match item.set {
        Some((point, up_to)) => (point, up_to, "set"),
        None if daily > Decimal::ZERO => {
            let point = whole_units_up(daily * Decimal::from(lead + i64::from(policy.safety_days)));
            (point, point + whole_units_up(daily * Decimal::from(policy.cover_days)), "velocity")
        }
        None => return Ok(None),
    };
    let (reserved, on_order) = held_and_on_order(tx, item.store_id, &item.sku)?;
    let position = item.on_hand - reserved + on_order;
    if position > point {
        return Ok(None);
    }
    let short = whole_units_up(Decimal::from(up_to - position));
    Ok(Some(ReorderRow {
        store: item.store.clone(),
        sku: item.sku.clone(),
        name: item.name.clone(),
        supplier: item.supplier.as_ref().map(|s| s.1.clone()),
        on_hand: milli_to_decimal(item.on_hand),
        reserved: milli_to_decimal(reserved),
        on_order: milli_to_decimal(on_order),
        daily_sales: (daily / Decimal::from(1000)).round_dp(3).normalize(),
        reorder_point: milli_to_decimal(point),
        order_up_to: milli_to_decimal(up_to),
        basis,
        suggested: milli_to_decimal(item.pack.map_or(short, |pack| pack.round_up(short))),
        pack: item.pack.map(|p| milli_to_decimal(p.milli)),
    }))
}

/// Sets a store's reorder point and order-up-to level for a product.
pub fn set_reorder_level(
    tx: &impl Tx,
    store_id: i64,
    code: &str,
    point: Decimal,
    up_to: Decimal,
) -> StoreResult<String> {
    if point < Decimal::ZERO || up_to <= point {
        return Err(StoreError::BadRequest("the order-up-to level must be above a reorder point of 0 or more".into()));
    }
    let milli = |d: Decimal| -> i64 { (d * Decimal::from(1000)).trunc().try_into().unwrap_or(i64::MAX) };
    let sku = product_sku(tx, code)?;
    tx.run(
        "INSERT INTO reorder_levels (store_id, sku, point_milli, up_to_milli) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (store_id, sku) DO UPDATE SET point_milli = excluded.point_milli, up_to_milli = excluded.up_to_milli",
        &[&store_id, &sku, &milli(point), &milli(up_to)],
    )?;
    Ok(sku)
}

/// Records who products are bought from, and in which pack (a number of
/// units, and what a pack costs) when the supplier sells in packs.
pub fn assign_supplier(
    tx: &impl Tx,
    supplier: &str,
    codes: &[String],
    pack: Option<(Decimal, Option<Money>)>,
) -> StoreResult<Vec<String>> {
    let supplier_id = supplier_id(tx, supplier)?;
    let pack_milli: Option<i64> = match pack {
        Some((qty, _)) if qty <= Decimal::ONE || qty.fract() != Decimal::ZERO => {
            return Err(StoreError::BadRequest(format!("a supplier's pack of {qty} must be a whole number above 1")));
        }
        Some((qty, _)) => Some((qty * Decimal::from(1000)).try_into().unwrap_or(i64::MAX)),
        None => None,
    };
    let pack_cost = pack.and_then(|(_, cost)| cost);
    if pack_cost.is_some_and(Money::is_negative) {
        return Err(StoreError::BadRequest("a cost cannot be negative".into()));
    }
    let mut skus = Vec::with_capacity(codes.len());
    for code in codes {
        let sku = product_sku(tx, code)?;
        tx.run(
            "INSERT INTO product_suppliers (sku, supplier_id, pack_milli, pack_cost_minor) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (sku) DO UPDATE SET supplier_id = excluded.supplier_id, pack_milli = excluded.pack_milli,
               pack_cost_minor = excluded.pack_cost_minor",
            &[&sku, &supplier_id, &pack_milli, &pack_cost.map(Money::minor)],
        )?;
        skus.push(sku);
    }
    Ok(skus)
}

/// What to order now, per store and product.
pub fn reorder_suggestions(tx: &impl Tx, store_id: Option<i64>, policy: ReorderPolicy) -> StoreResult<Vec<ReorderRow>> {
    let since = now_ms() - i64::from(policy.window_days) * DAY_MS;
    let mut rows = Vec::new();
    for item in carried(tx, store_id, since)? {
        rows.extend(suggest(tx, &item, policy)?);
    }
    Ok(rows)
}

/// Turns today's suggestions into draft purchase orders, one per store
/// and supplier, at the products' cost prices; products with no
/// supplier are left out (and stay in the suggestions).
pub fn draft_reorder(
    tx: &impl Tx,
    store_id: Option<i64>,
    policy: ReorderPolicy,
) -> StoreResult<Vec<WirePurchaseOrder>> {
    let since = now_ms() - i64::from(policy.window_days) * DAY_MS;
    let mut drafts: BTreeMap<(i64, i64), Vec<NewPoLine>> = BTreeMap::new();
    for item in carried(tx, store_id, since)? {
        let (Some(row), Some((supplier_id, _, _))) = (suggest(tx, &item, policy)?, &item.supplier) else {
            continue;
        };
        let milli = (row.suggested * Decimal::from(1000)).trunc().try_into().unwrap_or(0);
        let cost = item.pack.and_then(SupplierPack::unit_cost).unwrap_or(item.cost_minor);
        drafts.entry((item.store_id, *supplier_id)).or_default().push((item.sku.clone(), milli, cost));
    }
    let mut made = Vec::with_capacity(drafts.len());
    for ((store_id, supplier_id), lines) in drafts {
        let number = insert_po(tx, Source::Supplier(supplier_id), store_id, "draft", &lines)?;
        made.push(load(tx, &number)?);
    }
    Ok(made)
}
