//! Reading orders back: one order whole (with its history), a store's
//! orders for head office, the pages a terminal pulls, and
//! available-to-promise per store and product.

use pos_shared::money::{Money, RoundingMode};
use pos_shared::orders::{OrderStatus, open_reservation};
use pos_shared::pricing::{PricingRules, TaxMode, TicketLine, price_ticket};
use pos_shared::protocol::{Availability, OrderEvent, OrdersPage, PROTOCOL_VERSION, WireOrder, WireOrderLine};
use pos_shared::quantity::{Quantity, Unit};
use pos_shared::stock::milli_to_decimal;

use super::catalog::product_sku;
use super::orders::available_milli;
use crate::storage::sql::Tx;
use crate::storage::{Scope, StoreError, StoreResult, TerminalAuth};

pub(super) fn store_code(tx: &impl Tx, store_id: i64) -> StoreResult<String> {
    tx.one("SELECT code FROM stores WHERE id = ?1", &[&store_id])
}

fn text(milli: i64) -> String {
    milli_to_decimal(milli).to_string()
}

fn internal(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("{what}: {error}"))
}

/// One order as channels, head office and terminals see it.
pub(super) fn load_order(tx: &impl Tx, number: &str, with_history: bool) -> StoreResult<WireOrder> {
    let head = tx.row(
        "SELECT o.id, o.number, c.name, o.customer, cu.name, s.code, s.tax_mode, o.status, o.fulfilment, o.prepaid,
           o.created_ms, o.paid_minor,
           (SELECT CAST(COALESCE(SUM(sa.prepaid_minor), 0) AS BIGINT) FROM sales sa
             WHERE sa.order_no = o.number AND sa.kind = 'sale')
         FROM orders o JOIN channels c ON c.id = o.channel_id JOIN customers cu ON cu.code = o.customer
           JOIN stores s ON s.id = o.store_id
         WHERE o.number = ?1 COLLATE NOCASE",
        &[&number],
    )?;
    let head = head.ok_or_else(|| StoreError::NotFound(format!("no order `{number}`")))?;
    let id: i64 = head.get(0)?;
    let status: OrderStatus = head.get::<String>(7)?.parse().map_err(|e| internal("order status", e))?;
    let mut order = WireOrder {
        number: head.get(1)?,
        channel: head.get(2)?,
        customer: head.get(3)?,
        customer_name: head.get(4)?,
        store: head.get(5)?,
        status,
        fulfilment: head.get::<String>(8)?.parse().map_err(|e| internal("fulfilment", e))?,
        prepaid: head.get(9)?,
        paid: None,
        prepaid_used: Some(Money::from_minor(head.get(12)?).to_string()),
        lines: Vec::new(),
        total: String::new(),
        created_ms: head.get(10)?,
        history: Vec::new(),
    };
    let (tax_mode, paid): (String, Option<i64>) = (head.get(6)?, head.get(11)?);
    let mut ticket = Vec::new();
    let lines = tx.rows(
        "SELECT l.line_no, l.sku, COALESCE(p.name, l.sku), COALESCE(p.unit, 'each'), l.qty_milli, l.unit_price_minor,
           l.tax_rate, l.reserved_milli, l.collected_milli
         FROM order_lines l LEFT JOIN products p ON p.sku = l.sku WHERE l.order_id = ?1 ORDER BY l.line_no",
        &[&id],
    )?;
    for row in lines {
        let (sku, name, qty, price, tax_rate): (String, String, i64, i64, String) =
            (row.get(1)?, row.get(2)?, row.get(4)?, row.get(5)?, row.get(6)?);
        let (reserved, collected): (i64, i64) = (row.get(7)?, row.get(8)?);
        let unit: Unit = row.get::<String>(3)?.parse().map_err(|e| internal("unit", e))?;
        let rate = tax_rate.parse().map_err(|e| internal("tax rate", e))?;
        ticket.push(TicketLine::new(&sku, &name, unit, Quantity::from_milli(qty), Money::from_minor(price), rate));
        order.lines.push(WireOrderLine {
            line_no: row.get(0)?,
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
        let events =
            tx.rows("SELECT at_ms, action, actor, detail FROM order_events WHERE order_id = ?1 ORDER BY id", &[&id])?;
        order.history = events
            .iter()
            .map(|r| Ok(OrderEvent { at_ms: r.get(0)?, action: r.get(1)?, actor: r.get(2)?, detail: r.get(3)? }))
            .collect::<StoreResult<_>>()?;
    }
    Ok(order)
}

/// One order with its history; a channel sees only its own orders.
pub fn order(tx: &impl Tx, scope: Scope, number: &str) -> StoreResult<WireOrder> {
    let channel = tx.row("SELECT channel_id FROM orders WHERE number = ?1 COLLATE NOCASE", &[&number.trim()])?;
    match channel.map(|r| r.get::<i64>(0)).transpose()? {
        Some(channel_id) if scope.sees(channel_id) => load_order(tx, number.trim(), true),
        _ => Err(StoreError::NotFound(format!("no order `{}`", number.trim()))),
    }
}

/// Orders, newest first, optionally of one store and status.
pub fn orders(tx: &impl Tx, store_id: Option<i64>, status: Option<OrderStatus>) -> StoreResult<Vec<WireOrder>> {
    let numbers = tx.rows(
        "SELECT number FROM orders WHERE (CAST(?1 AS BIGINT) IS NULL OR store_id = ?1)
           AND (CAST(?2 AS TEXT) IS NULL OR status = ?2) ORDER BY id DESC",
        &[&store_id, &status.map(OrderStatus::as_str)],
    )?;
    numbers.iter().map(|n| load_order(tx, &n.get::<String>(0)?, false)).collect()
}

/// Available-to-promise of products (any code) at a store, or at every
/// store when none is named.
pub fn availability(tx: &impl Tx, codes: &[String], store: Option<&str>) -> StoreResult<Vec<Availability>> {
    let stores = tx.rows(
        "SELECT id, code FROM stores WHERE CAST(?1 AS TEXT) IS NULL OR code = ?1 OR lower(name) = lower(?1)
         ORDER BY code",
        &[&store.map(str::trim)],
    )?;
    if stores.is_empty() {
        return Err(StoreError::NotFound(match store {
            Some(s) => format!("no store `{}`", s.trim()),
            None => "no stores yet".into(),
        }));
    }
    let mut out = Vec::new();
    for code in codes {
        let sku = product_sku(tx, code)?;
        for store in &stores {
            let (store_id, store): (i64, String) = (store.get(0)?, store.get(1)?);
            let (on_hand, reserved) = available_milli(tx, store_id, &sku)?;
            out.push(Availability {
                store,
                sku: sku.clone(),
                on_hand: text(on_hand),
                reserved: text(reserved),
                available: text(on_hand - reserved),
            });
        }
    }
    Ok(out)
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
    tx: &impl Tx,
    auth: &TerminalAuth,
    select: &str,
    counter: &str,
    since: u64,
    limit: usize,
) -> StoreResult<DocPage> {
    let head: u64 = tx.one("SELECT value FROM counters WHERE name = ?1", &[&counter])?;
    if since > head {
        return Err(StoreError::CursorAhead { cursor: since, head });
    }
    let through_seq: u64 = tx.one("SELECT last_seq FROM terminals WHERE id = ?1", &[&auth.terminal_id])?;
    let rows = tx.rows(select, &[&auth.store_id, &since, &(limit as u64 + 1)])?;
    let more = rows.len() > limit;
    let mut numbers = Vec::with_capacity(rows.len().min(limit));
    let mut last_version = head;
    for row in rows.iter().take(limit) {
        last_version = row.get(0)?;
        numbers.push(row.get(1)?);
    }
    let next_cursor = if more { last_version } else { head };
    Ok(DocPage { through_seq, numbers, next_cursor, more })
}

/// Orders of a terminal's store changed after `since` (quotes stay at head office).
pub fn orders_page(tx: &impl Tx, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<OrdersPage> {
    let page = doc_page(
        tx,
        auth,
        "SELECT version, number FROM orders WHERE store_id = ?1 AND version > ?2 AND status <> 'quote'
         ORDER BY version LIMIT ?3",
        "order_version",
        since,
        limit,
    )?;
    let orders = page.numbers.iter().map(|number| load_order(tx, number, false)).collect::<StoreResult<_>>()?;
    Ok(OrdersPage {
        protocol_version: PROTOCOL_VERSION,
        orders,
        next_cursor: page.next_cursor,
        more: page.more,
        through_seq: page.through_seq,
    })
}
