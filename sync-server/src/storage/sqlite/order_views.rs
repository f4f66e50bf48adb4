//! Reading orders back: one order whole (with its history), a store's
//! orders for head office, the pages a terminal pulls, and
//! available-to-promise per store and product.

use pos_shared::entry_rules::excerpt;
use pos_shared::money::{Money, RoundingMode};
use pos_shared::orders::{OrderStatus, open_reservation};
use pos_shared::pricing::{PricingRules, TaxMode, TicketLine, price_ticket};
use pos_shared::protocol::{Availability, OrderEvent, OrdersPage, PROTOCOL_VERSION, WireOrder, WireOrderLine};
use pos_shared::quantity::{Quantity, Unit};
use pos_shared::stock::milli_to_decimal;
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use super::orders::available_milli;
use crate::storage::{StoreError, StoreResult, TerminalAuth};

pub(super) fn store_code(conn: &Connection, store_id: i64) -> StoreResult<String> {
    Ok(conn.query_row("SELECT code FROM stores WHERE id = ?1", [store_id], |r| r.get(0))?)
}

fn text(milli: i64) -> String {
    milli_to_decimal(milli).to_string()
}

fn internal(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("{what}: {error}"))
}

/// One order as channels, head office and terminals see it.
pub(super) fn load_order(conn: &Connection, number: &str, with_history: bool) -> StoreResult<WireOrder> {
    let head = conn
        .prepare_cached(
            "SELECT o.id, o.number, c.name, o.customer, cu.name, s.code, s.tax_mode, o.status, o.fulfilment, o.prepaid,
               o.created_ms, o.paid_minor,
               (SELECT COALESCE(SUM(sa.prepaid_minor), 0) FROM sales sa WHERE sa.order_no = o.number AND sa.kind = 'sale')
             FROM orders o JOIN channels c ON c.id = o.channel_id JOIN customers cu ON cu.code = o.customer
               JOIN stores s ON s.id = o.store_id
             WHERE o.number = ?1 COLLATE NOCASE",
        )?
        .query_row([number], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                WireOrder {
                    number: r.get(1)?,
                    channel: r.get(2)?,
                    customer: r.get(3)?,
                    customer_name: r.get(4)?,
                    store: r.get(5)?,
                    status: OrderStatus::Quote,
                    fulfilment: Default::default(),
                    prepaid: r.get(9)?,
                    paid: None,
                    prepaid_used: Some(Money::from_minor(r.get(12)?).to_string()),
                    lines: Vec::new(),
                    total: String::new(),
                    created_ms: r.get(10)?,
                    history: Vec::new(),
                },
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, Option<i64>>(11)?,
            ))
        })
        .optional()?;
    let (id, mut order, tax_mode, status, fulfilment, paid) =
        head.ok_or_else(|| StoreError::NotFound(format!("no order `{number}`")))?;
    order.status = status.parse().map_err(|e| internal("order status", e))?;
    order.fulfilment = fulfilment.parse().map_err(|e| internal("fulfilment", e))?;
    let mut ticket = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT l.line_no, l.sku, COALESCE(p.name, l.sku), COALESCE(p.unit, 'each'), l.qty_milli, l.unit_price_minor,
           l.tax_rate, l.reserved_milli, l.collected_milli
         FROM order_lines l LEFT JOIN products p ON p.sku = l.sku WHERE l.order_id = ?1 ORDER BY l.line_no",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, i64>(7)?,
            r.get::<_, i64>(8)?,
        ))
    })?;
    for row in rows {
        let (line_no, sku, name, unit, qty, price, tax_rate, reserved, collected) = row?;
        let unit: Unit = unit.parse().map_err(|e| internal("unit", e))?;
        ticket.push(TicketLine {
            sku: sku.clone(),
            name: name.clone(),
            unit,
            qty: Quantity::from_milli(qty),
            unit_price: Money::from_minor(price),
            tax_rate: tax_rate.parse().map_err(|e| internal("tax rate", e))?,
            discount: None,
            fixed_amount: None,
        });
        order.lines.push(WireOrderLine {
            line_no,
            sku,
            name,
            unit: unit.as_str().to_string(),
            qty: Quantity::from_milli(qty).display(),
            unit_price: Money::from_minor(price).to_string(),
            tax_rate,
            reserved: text(open_reservation(order.status, reserved, collected)),
            backordered: text(if order.status == OrderStatus::Confirmed { (qty - reserved).max(0) } else { 0 }),
            collected: text(collected),
        });
    }
    let tax_mode = if tax_mode == "inclusive" { TaxMode::Inclusive } else { TaxMode::Exclusive };
    let rules = PricingRules { tax_mode, rounding: RoundingMode::HalfUp };
    let total = price_ticket(&ticket, None, rules).map_err(|e| internal("pricing", e))?.total;
    order.total = total.to_string();
    let paid = match (order.prepaid, paid) {
        (false, _) => Money::ZERO,
        (true, Some(minor)) => Money::from_minor(minor),
        // Prepaid before amounts were kept: it paid its total.
        (true, None) => total,
    };
    order.paid = Some(paid.to_string());
    if with_history {
        order.history = conn
            .prepare_cached("SELECT at_ms, action, actor, detail FROM order_events WHERE order_id = ?1 ORDER BY id")?
            .query_map([id], |r| {
                Ok(OrderEvent { at_ms: r.get(0)?, action: r.get(1)?, actor: r.get(2)?, detail: r.get(3)? })
            })?
            .collect::<Result<_, _>>()?;
    }
    Ok(order)
}

fn availability_of(conn: &Connection, store_id: i64, store: &str, sku: &str) -> StoreResult<Availability> {
    let (on_hand, reserved) = available_milli(conn, store_id, sku)?;
    Ok(Availability {
        store: store.to_string(),
        sku: sku.to_string(),
        on_hand: text(on_hand),
        reserved: text(reserved),
        available: text(on_hand - reserved),
    })
}

impl SqliteStore {
    /// One order with its history; a channel sees only its own orders.
    pub fn order(&self, scope: crate::storage::Scope, number: &str) -> StoreResult<WireOrder> {
        let conn = self.read()?;
        let channel_id: Option<i64> = conn
            .query_row("SELECT channel_id FROM orders WHERE number = ?1 COLLATE NOCASE", [number.trim()], |r| r.get(0))
            .optional()?;
        match channel_id {
            Some(channel_id) if scope.sees(channel_id) => load_order(&conn, number.trim(), true),
            _ => Err(StoreError::NotFound(format!("no order `{}`", number.trim()))),
        }
    }

    /// Orders, newest first, optionally of one store and status.
    pub fn orders(&self, store: Option<&str>, status: Option<OrderStatus>) -> StoreResult<Vec<WireOrder>> {
        let store_id = store.map(|s| self.store_id(s)).transpose()?;
        let conn = self.read()?;
        let numbers: Vec<String> = conn
            .prepare(
                "SELECT number FROM orders WHERE (?1 IS NULL OR store_id = ?1) AND (?2 IS NULL OR status = ?2) ORDER BY id DESC",
            )?
            .query_map(params![store_id, status.map(OrderStatus::as_str)], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        numbers.iter().map(|n| load_order(&conn, n, false)).collect()
    }

    /// Available-to-promise of products (any code) at a store, or at every
    /// store when none is named.
    pub fn availability(&self, codes: &[String], store: Option<&str>) -> StoreResult<Vec<Availability>> {
        let stores: Vec<(i64, String)> = {
            let conn = self.read()?;
            let mut stmt =
                conn.prepare("SELECT id, code FROM stores WHERE ?1 IS NULL OR code = ?1 OR name = ?1 ORDER BY code")?;
            stmt.query_map([store.map(str::trim)], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
        };
        if stores.is_empty() {
            return Err(StoreError::NotFound(match store {
                Some(s) => format!("no store `{}`", s.trim()),
                None => "no stores yet".into(),
            }));
        }
        let conn = self.read()?;
        let mut out = Vec::new();
        for code in codes {
            let sku: String = conn
                .query_row(
                    "SELECT sku FROM products WHERE sku = ?1 UNION SELECT sku FROM barcodes WHERE code = ?1",
                    [code.trim()],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("unknown product `{}`", excerpt(code.trim()))))?;
            for (store_id, store) in &stores {
                out.push(availability_of(&conn, *store_id, store, &sku)?);
            }
        }
        Ok(out)
    }
}

/// One page of a store's documents (orders, purchase orders) changed after
/// `since`: the terminal's applied seq, read in the same snapshot, the
/// numbers on the page, the cursor after it and whether more follow.
/// `select` yields `(version, number)` for `?1` store, `?2` since, `?3` limit.
pub(super) struct DocPage {
    pub through_seq: u64,
    pub numbers: Vec<String>,
    pub next_cursor: u64,
    pub more: bool,
}

pub(super) fn doc_page(
    tx: &rusqlite::Transaction<'_>,
    auth: &TerminalAuth,
    select: &str,
    counter: &str,
    since: u64,
    limit: usize,
) -> StoreResult<DocPage> {
    let head: u64 = tx.query_row("SELECT value FROM counters WHERE name = ?1", [counter], |r| r.get(0))?;
    if since > head {
        return Err(StoreError::CursorAhead { cursor: since, head });
    }
    let through_seq: u64 =
        tx.query_row("SELECT last_seq FROM terminals WHERE id = ?1", [&auth.terminal_id], |r| r.get(0))?;
    let mut rows: Vec<(u64, String)> = tx
        .prepare_cached(select)?
        .query_map(params![auth.store_id, since, limit as u64 + 1], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = match rows.last() {
        Some(&(version, _)) if more => version,
        _ => head,
    };
    Ok(DocPage { through_seq, numbers: rows.into_iter().map(|(_, n)| n).collect(), next_cursor, more })
}

/// Orders of a terminal's store changed after `since` (quotes stay at head office).
pub(super) fn orders_page(
    conn: &mut Connection,
    auth: &TerminalAuth,
    since: u64,
    limit: usize,
) -> StoreResult<OrdersPage> {
    let tx = conn.transaction()?;
    let page = doc_page(
        &tx,
        auth,
        "SELECT version, number FROM orders WHERE store_id = ?1 AND version > ?2 AND status <> 'quote'
         ORDER BY version LIMIT ?3",
        "order_version",
        since,
        limit,
    )?;
    let orders = page.numbers.iter().map(|number| load_order(&tx, number, false)).collect::<StoreResult<_>>()?;
    Ok(OrdersPage {
        protocol_version: PROTOCOL_VERSION,
        orders,
        next_cursor: page.next_cursor,
        more: page.more,
        through_seq: page.through_seq,
    })
}
