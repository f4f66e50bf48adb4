//! Suppliers and purchase orders at head office, the pages a store's
//! terminals pull, and a receipt against an order applied at sync: received
//! quantities go up, the order closes when everything came, and each
//! product's cost price becomes the weighted average of the stock held and
//! the goods received.

use std::collections::{BTreeMap, HashMap};

use pos_shared::money::{Money, RoundingMode};
use pos_shared::protocol::{PROTOCOL_VERSION, PurchaseOrdersPage, WirePoLine, WirePurchaseOrder};
use pos_shared::quantity::{Quantity, Unit};
use pos_shared::stock::{StockMovement, milli_to_decimal};
use rust_decimal::Decimal;

use super::admin::store_id;
use super::catalog::{next_version, product_sku};
use super::order_views::doc_page;
use crate::storage::sql::Tx;
use crate::storage::{StoreError, StoreResult, TerminalAuth, now_ms};

/// One line asked of a supplier or a store: a product (any code), how
/// many, at what cost (a transfer: the product's cost price).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoLineRequest {
    pub code: String,
    pub qty: String,
    pub cost: Option<Money>,
}

fn touch(tx: &impl Tx, po_id: i64) -> StoreResult<()> {
    let version = next_version(tx, "po_version")?;
    tx.run("UPDATE purchase_orders SET version = ?1 WHERE id = ?2", &[&version, &po_id])?;
    Ok(())
}

/// A purchase order or transfer, whole.
pub fn load(tx: &impl Tx, number: &str) -> StoreResult<WirePurchaseOrder> {
    let head = tx.row(
        "SELECT po.id, po.number, COALESCE(su.name, 'store ' || fr.code), st.code, po.status, po.created_ms, fr.code
         FROM purchase_orders po JOIN stores st ON st.id = po.store_id
           LEFT JOIN suppliers su ON su.id = po.supplier_id LEFT JOIN stores fr ON fr.id = po.from_store_id
         WHERE po.number = ?1 COLLATE NOCASE",
        &[&number.trim()],
    )?;
    let head = head.ok_or_else(|| StoreError::NotFound(format!("no purchase order `{}`", number.trim())))?;
    let id: i64 = head.get(0)?;
    let text = |milli: i64| milli_to_decimal(milli).to_string();
    let lines = tx.rows(
        "SELECT l.line_no, l.sku, COALESCE(p.name, l.sku), COALESCE(p.unit, 'each'), l.qty_milli, l.cost_minor,
           l.received_milli, l.shipped_milli
         FROM po_lines l LEFT JOIN products p ON p.sku = l.sku WHERE l.po_id = ?1 ORDER BY l.line_no",
        &[&id],
    )?;
    let lines = lines
        .iter()
        .map(|r| {
            Ok(WirePoLine {
                line_no: r.get(0)?,
                sku: r.get(1)?,
                name: r.get(2)?,
                unit: r.get(3)?,
                qty: text(r.get(4)?),
                cost: Money::from_minor(r.get(5)?).to_string(),
                received: text(r.get(6)?),
                shipped: text(r.get(7)?),
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(WirePurchaseOrder {
        number: head.get(1)?,
        supplier: head.get(2)?,
        store: head.get(3)?,
        from_store: head.get(6)?,
        status: head.get(4)?,
        lines,
        created_ms: head.get(5)?,
    })
}

/// Moves a product's cost price to the weighted average of what the
/// company holds (at the old cost) and what came in (at its cost).
fn average_cost(tx: &impl Tx, sku: &str, received_milli: i64, cost_minor: i64) -> StoreResult<()> {
    let row = tx.one_row(
        "SELECT cost_minor,
               (SELECT CAST(COALESCE(SUM(qty_milli), 0) AS BIGINT) FROM stock_movements WHERE sku = ?1)
             FROM products WHERE sku = ?1",
        &[&sku],
    )?;
    let (old, held): (Option<i64>, i64) = (row.get(0)?, row.get(1)?);
    let held = held.max(0);
    let new_cost = match old {
        Some(old) if held > 0 => {
            let total =
                Decimal::from(held) * Decimal::from(old) + Decimal::from(received_milli) * Decimal::from(cost_minor);
            let minor = total / Decimal::from(held + received_milli) / Decimal::ONE_HUNDRED;
            Money::round(minor, RoundingMode::HalfUp).minor()
        }
        _ => cost_minor,
    };
    if old != Some(new_cost) {
        let version = next_version(tx, "catalog_version")?;
        tx.run("UPDATE products SET cost_minor = ?1, version = ?2 WHERE sku = ?3", &[&new_cost, &version, &sku])?;
    }
    Ok(())
}

/// What applying an entry did beyond its movements: a problem for head
/// office's flags, and the unit cost (minor units, by upper-case SKU) its
/// movements are valued at when it is not the product's average cost.
#[derive(Debug, Default)]
pub(super) struct Applied {
    pub problem: Option<String>,
    pub costs: HashMap<String, i64>,
}

impl Applied {
    pub fn problem(problem: Option<String>) -> Applied {
        Applied { problem, costs: HashMap::new() }
    }
}

/// Each line's SKU (upper case) and unit cost on an order or transfer.
fn line_costs(tx: &impl Tx, po_id: i64) -> StoreResult<HashMap<String, i64>> {
    let rows = tx.rows("SELECT sku, cost_minor FROM po_lines WHERE po_id = ?1", &[&po_id])?;
    rows.iter().map(|r| Ok((r.get::<String>(0)?.to_ascii_uppercase(), r.get(1)?))).collect()
}

/// Thousandths per product (upper-case SKU) of the movements going one way.
fn per_product(movements: &[StockMovement], incoming: bool) -> BTreeMap<String, (&str, i64)> {
    let mut sums: BTreeMap<String, (&str, i64)> = BTreeMap::new();
    for m in movements.iter().filter(|m| (m.qty_milli > 0) == incoming && m.qty_milli != 0) {
        sums.entry(m.sku.to_ascii_uppercase()).or_insert((&m.sku, 0)).1 += m.qty_milli.abs();
    }
    sums
}

/// Books what a transfer lost on the way, to the receiving store on the
/// day of entry `seq`: once the store has received against it, each line's
/// shipped minus received, less what was booked before (so a late
/// shipment or a late receipt corrects it, and the in-transit account of
/// the books always comes back to zero).
fn book_transit_losses(tx: &impl Tx, auth: &TerminalAuth, seq: u64, po_id: i64) -> StoreResult<()> {
    let row = tx.one_row("SELECT number, store_id, status FROM purchase_orders WHERE id = ?1", &[&po_id])?;
    let (number, store_id, status): (String, i64, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
    if !matches!(status.as_str(), "partial" | "received") {
        return Ok(());
    }
    let lines = tx.rows(
        "SELECT line_no, sku, shipped_milli - received_milli - lost_milli, cost_minor FROM po_lines
         WHERE po_id = ?1 AND shipped_milli - received_milli <> lost_milli",
        &[&po_id],
    )?;
    for line in lines {
        let (line_no, sku, lost, cost): (i64, String, i64, i64) =
            (line.get(0)?, line.get(1)?, line.get(2)?, line.get(3)?);
        tx.run(
            "INSERT INTO transit_losses (store_id, terminal_id, seq, transfer, sku, qty_milli, cost_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[&store_id, &auth.terminal_id, &seq, &number, &sku, &lost, &cost],
        )?;
        tx.run(
            "UPDATE po_lines SET lost_milli = lost_milli + ?1 WHERE po_id = ?2 AND line_no = ?3",
            &[&lost, &po_id, &line_no],
        )?;
    }
    Ok(())
}

/// Applies goods received against `number` at the terminal's store, before
/// their movements are inserted (so the average uses the stock held
/// before). A product picked twice on one receipt counts once, summed.
/// Unknown orders are a problem for head office's flags.
pub(super) fn record_receipt(
    tx: &impl Tx,
    auth: &TerminalAuth,
    seq: u64,
    number: &str,
    movements: &[StockMovement],
) -> StoreResult<Applied> {
    let found = tx.row(
        "SELECT id, from_store_id FROM purchase_orders WHERE number = ?1 AND store_id = ?2",
        &[&number, &auth.store_id],
    )?;
    let Some(found) = found else {
        return Ok(Applied::problem(Some(format!(
            "goods received against purchase order {number}, unknown at this store"
        ))));
    };
    let (po_id, from_store): (i64, Option<i64>) = (found.get(0)?, found.get(1)?);
    let transfer = from_store.is_some();
    let costs = line_costs(tx, po_id)?;
    for (key, (sku, milli)) in per_product(movements, true) {
        let Some(&cost) = costs.get(&key) else { continue };
        // Moving goods between stores changes no cost price.
        if !transfer {
            average_cost(tx, sku, milli, cost)?;
        }
        tx.run(
            "UPDATE po_lines SET received_milli = received_milli + ?1 WHERE po_id = ?2 AND sku = ?3",
            &[&milli, &po_id, &sku],
        )?;
    }
    let short: i64 =
        tx.one("SELECT COUNT(*) FROM po_lines WHERE po_id = ?1 AND received_milli < qty_milli", &[&po_id])?;
    let status = if short == 0 { "received" } else { "partial" };
    tx.run("UPDATE purchase_orders SET status = ?1 WHERE id = ?2 AND status <> 'cancelled'", &[&status, &po_id])?;
    if transfer {
        book_transit_losses(tx, auth, seq, po_id)?;
    }
    touch(tx, po_id)?;
    Ok(Applied { problem: None, costs })
}

/// Where the goods of an order come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Source {
    Supplier(i64),
    /// Another store: a transfer.
    Store(i64),
}

/// A line to write: SKU, thousandths, cost in minor units.
pub(super) type NewPoLine = (String, i64, i64);

/// Writes a purchase order and its lines; returns its number.
pub(super) fn insert_po(
    tx: &impl Tx,
    source: Source,
    store_id: i64,
    status: &str,
    lines: &[NewPoLine],
) -> StoreResult<String> {
    let (number, supplier_id, from_store_id) = match source {
        Source::Supplier(id) => (format!("PO-{:06}", next_version(tx, "purchase_order")?), Some(id), None),
        Source::Store(id) => (format!("TR-{:06}", next_version(tx, "transfer")?), None, Some(id)),
    };
    let po_id: i64 = tx.one(
        "INSERT INTO purchase_orders (number, supplier_id, from_store_id, store_id, status, created_ms, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0) RETURNING id",
        &[&number, &supplier_id, &from_store_id, &store_id, &status, &now_ms()],
    )?;
    for (index, (sku, milli, cost)) in lines.iter().enumerate() {
        if lines[..index].iter().any(|(earlier, _, _)| earlier.eq_ignore_ascii_case(sku)) {
            return Err(StoreError::BadRequest(format!("{sku} is on the order twice: give it once")));
        }
        tx.run(
            "INSERT INTO po_lines (po_id, line_no, sku, qty_milli, cost_minor) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[&po_id, &(index as i64 + 1), sku, milli, cost],
        )?;
    }
    touch(tx, po_id)?;
    Ok(number)
}

/// Records goods a store shipped against a transfer: shipped quantities go
/// up and the transfer is in transit. Returns a problem for head office's
/// flags when the transfer is unknown at this store.
pub(super) fn record_shipment(
    tx: &impl Tx,
    auth: &TerminalAuth,
    seq: u64,
    number: &str,
    movements: &[StockMovement],
) -> StoreResult<Applied> {
    let found =
        tx.row("SELECT id FROM purchase_orders WHERE number = ?1 AND from_store_id = ?2", &[&number, &auth.store_id])?;
    let Some(found) = found else {
        return Ok(Applied::problem(Some(format!("goods shipped against transfer {number}, unknown from this store"))));
    };
    let po_id: i64 = found.get(0)?;
    for m in movements {
        tx.run(
            "UPDATE po_lines SET shipped_milli = shipped_milli + ?1 WHERE po_id = ?2 AND sku = ?3",
            &[&(-m.qty_milli), &po_id, &m.sku],
        )?;
    }
    tx.run("UPDATE purchase_orders SET status = 'in-transit' WHERE id = ?1 AND status = 'open'", &[&po_id])?;
    book_transit_losses(tx, auth, seq, po_id)?;
    touch(tx, po_id)?;
    Ok(Applied { problem: None, costs: line_costs(tx, po_id)? })
}

/// Purchase orders and transfers of a terminal's store (to it, or from it)
/// changed after `since`; drafts stay at head office.
pub fn po_page(tx: &impl Tx, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<PurchaseOrdersPage> {
    let page = doc_page(
        tx,
        auth,
        "SELECT version, number FROM purchase_orders
         WHERE (store_id = ?1 OR from_store_id = ?1) AND version > ?2 AND status <> 'draft'
         ORDER BY version LIMIT ?3",
        "po_version",
        since,
        limit,
    )?;
    let orders = page.numbers.iter().map(|number| load(tx, number)).collect::<StoreResult<_>>()?;
    Ok(PurchaseOrdersPage {
        protocol_version: PROTOCOL_VERSION,
        orders,
        next_cursor: page.next_cursor,
        more: page.more,
        through_seq: page.through_seq,
    })
}

/// Adds a supplier and how many days its deliveries take.
pub fn add_supplier(tx: &impl Tx, name: &str, lead_time_days: u32) -> StoreResult<()> {
    if name.trim().is_empty() {
        return Err(StoreError::BadRequest("a supplier needs a name".into()));
    }
    crate::storage::check_name("a supplier's name", name)?;
    let added = tx.run(
        "INSERT INTO suppliers (name, lead_time_days) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
        &[&name.trim(), &lead_time_days],
    )?;
    match added {
        0 => Err(StoreError::Conflict(format!("supplier `{}` exists already", name.trim()))),
        _ => Ok(()),
    }
}

/// The id of a supplier named `name`.
pub(super) fn supplier_id(tx: &impl Tx, name: &str) -> StoreResult<i64> {
    let found = tx.row("SELECT id FROM suppliers WHERE name = ?1", &[&name.trim()])?;
    found.ok_or_else(|| StoreError::NotFound(format!("no supplier `{}`", name.trim())))?.get(0)
}

/// Orders goods from a supplier for a store; its terminals pull it at
/// their next sync. All lines or none.
pub fn create_purchase_order(
    tx: &impl Tx,
    supplier: &str,
    store: &str,
    lines: &[PoLineRequest],
) -> StoreResult<WirePurchaseOrder> {
    create_order(tx, store, lines, || Ok(Source::Supplier(supplier_id(tx, supplier)?)))
}

/// Moves goods from one store to another: the sender's tills ship it,
/// the receiver's receive it, differences show on the transfer.
pub fn create_transfer(tx: &impl Tx, from: &str, to: &str, lines: &[PoLineRequest]) -> StoreResult<WirePurchaseOrder> {
    create_order(tx, to, lines, || Ok(Source::Store(store_id(tx, from)?)))
}

fn create_order(
    tx: &impl Tx,
    store: &str,
    lines: &[PoLineRequest],
    source: impl FnOnce() -> StoreResult<Source>,
) -> StoreResult<WirePurchaseOrder> {
    if lines.is_empty() {
        return Err(StoreError::BadRequest("an order needs at least one line".into()));
    }
    let source = source()?;
    let store_id = store_id(tx, store)?;
    if source == Source::Store(store_id) {
        return Err(StoreError::BadRequest("a transfer goes from one store to another".into()));
    }
    let mut parsed = Vec::with_capacity(lines.len());
    for line in lines {
        // An order names what exists: an unknown code is a bad request.
        let sku = product_sku(tx, &line.code).map_err(|e| match e {
            StoreError::NotFound(unknown) => StoreError::BadRequest(unknown),
            other => other,
        })?;
        let found = tx.one_row("SELECT unit, cost_minor FROM products WHERE sku = ?1", &[&sku])?;
        let (unit, cost): (String, Option<i64>) = (found.get(0)?, found.get(1)?);
        let unit: Unit = unit.parse().map_err(|e| StoreError::Internal(format!("{sku}: {e}")))?;
        let qty = Quantity::parse(&line.qty, unit).map_err(|e| StoreError::BadRequest(format!("{sku}: {e}")))?;
        // A supplier that sells in packs is ordered whole packs, at the
        // pack's cost unless the line gives one.
        let pack = match source {
            Source::Supplier(id) => super::reorder::supplier_pack(tx, &sku, id)?,
            Source::Store(_) => None,
        };
        let cost = line.cost.map(Money::minor).or(pack.and_then(|p| p.unit_cost())).unwrap_or(cost.unwrap_or(0));
        if cost < 0 {
            return Err(StoreError::BadRequest(format!("{sku}: a cost cannot be negative")));
        }
        parsed.push((sku, pack.map_or(qty.milli(), |p| p.round_up(qty.milli())), cost));
    }
    let number = insert_po(tx, source, store_id, "open", &parsed)?;
    load(tx, &number)
}

/// Sends a draft to its store: its tills pull it at their next sync.
pub fn send_purchase_order(tx: &impl Tx, number: &str) -> StoreResult<WirePurchaseOrder> {
    let found = tx.row("SELECT id, status FROM purchase_orders WHERE number = ?1 COLLATE NOCASE", &[&number.trim()])?;
    let Some(found) = found else {
        return Err(StoreError::NotFound(format!("no purchase order `{}`", number.trim())));
    };
    let (id, status): (i64, String) = (found.get(0)?, found.get(1)?);
    if status != "draft" {
        return Err(StoreError::Conflict(format!("{} is {status}, not a draft", number.trim())));
    }
    tx.run("UPDATE purchase_orders SET status = 'open' WHERE id = ?1", &[&id])?;
    touch(tx, id)?;
    load(tx, number)
}

/// Purchase orders, newest first, optionally of one store.
pub fn purchase_orders(tx: &impl Tx, store_id: Option<i64>) -> StoreResult<Vec<WirePurchaseOrder>> {
    let numbers = tx.rows(
        "SELECT number FROM purchase_orders WHERE CAST(?1 AS BIGINT) IS NULL OR store_id = ?1 ORDER BY id DESC",
        &[&store_id],
    )?;
    numbers.iter().map(|n| load(tx, &n.get::<String>(0)?)).collect()
}
