//! Customer orders at head office: placing, confirming, changing and
//! cancelling them. Each runs in one write transaction that checks
//! available-to-promise and writes the reservation, so two channels racing
//! for the last unit never both get it (on PostgreSQL the loser's
//! transaction fails to serialise, runs again and sees the unit gone).

use pos_shared::entry_rules::excerpt;
use pos_shared::money::Money;
use pos_shared::orders::{OrderStatus, ShortPolicy, order_number};
use pos_shared::protocol::{CustomerRef, LineRequest, LinesChange, OrderAction, OrderRequest, WireOrder};
use pos_shared::quantity::{Quantity, Unit};
use pos_shared::stock::milli_to_decimal;
use sha2::{Digest, Sha256};

use super::admin::store_id;
use super::catalog::{next_version, product_sku};
use super::order_views::{load_order, store_code};
use crate::storage::sql::Tx;
use crate::storage::{ChannelAuth, Scope, StoreError, StoreResult, now_ms};

/// A product as an order line needs it.
struct Product {
    sku: String,
    unit: Unit,
    price_minor: i64,
    tax_rate: String,
}

/// The actor written into an order's history.
fn actor(by: Option<&str>, channel: &str) -> String {
    match by.map(str::trim).filter(|b| !b.is_empty()) {
        Some(by) => format!("{by} ({channel})"),
        None => channel.to_string(),
    }
}

fn product(tx: &impl Tx, code: &str) -> StoreResult<Product> {
    let sku = product_sku(tx, code)?;
    let found = tx.one_row("SELECT unit, price_minor, tax_rate, archived FROM products WHERE sku = ?1", &[&sku])?;
    if found.get::<bool>(3)? {
        return Err(StoreError::BadRequest(format!("{sku} is no longer sold")));
    }
    let unit = found.get::<String>(0)?.parse().map_err(|e| StoreError::Internal(format!("product {sku}: {e}")))?;
    Ok(Product { unit, price_minor: found.get(1)?, tax_rate: found.get(2)?, sku })
}

/// Products and quantities asked for, each product once. `0` is allowed
/// only when changing an order (it removes the line).
fn requested(tx: &impl Tx, lines: &[LineRequest], zero_removes: bool) -> StoreResult<Vec<(Product, i64)>> {
    if lines.is_empty() {
        return Err(StoreError::BadRequest("an order needs at least one line".into()));
    }
    let mut out: Vec<(Product, i64)> = Vec::with_capacity(lines.len());
    for line in lines {
        let product = product(tx, &line.sku)?;
        let milli = match zero_removes {
            true => Quantity::milli_or_zero(&line.qty, product.unit),
            false => Quantity::parse(&line.qty, product.unit).map(Quantity::milli),
        }
        .map_err(|e| StoreError::BadRequest(format!("{}: {e}", product.sku)))?;
        if out.iter().any(|(p, _)| p.sku.eq_ignore_ascii_case(&product.sku)) {
            return Err(StoreError::BadRequest(format!("{} is on the order twice: give it once", product.sku)));
        }
        out.push((product, milli));
    }
    Ok(out)
}

/// SQL: whether customer `c` is visible to channel ?2 (NULL: head office).
const VISIBLE: &str = "(CAST(?2 AS BIGINT) IS NULL OR c.channel_id = ?2
    OR EXISTS (SELECT 1 FROM customer_channels cc WHERE cc.customer = c.code AND cc.channel_id = ?2))";

/// The customer an order names: an existing customer's code, or one found
/// by e-mail, or a new customer. A channel reaches only customers it
/// created or head office linked to it, so its key cannot read or attach
/// orders to anyone else's (an unknown e-mail makes a new customer of its
/// own); head office reaches all.
fn customer_code(tx: &impl Tx, customer: &CustomerRef, channel: &ChannelAuth) -> StoreResult<String> {
    for (what, text) in
        [("code", &customer.code), ("name", &customer.name), ("e-mail", &customer.email), ("phone", &customer.phone)]
    {
        crate::storage::check_name(&format!("the customer's {what}"), text.as_deref().unwrap_or_default())?;
    }
    let scope = (!channel.head_office).then_some(channel.id);
    if let Some(code) = customer.code.as_deref().map(str::trim) {
        let found = tx.row(&format!("SELECT code FROM customers c WHERE code = ?1 AND {VISIBLE}"), &[&code, &scope])?;
        return found.ok_or_else(|| StoreError::NotFound(format!("unknown customer `{}`", excerpt(code))))?.get(0);
    }
    let email = customer.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    if let Some(email) = email {
        let known = tx.row(
            &format!("SELECT code FROM customers c WHERE lower(email) = lower(?1) AND {VISIBLE} ORDER BY code"),
            &[&email, &scope],
        )?;
        if let Some(known) = known {
            return known.get(0);
        }
    }
    let name = customer.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let name =
        name.ok_or_else(|| StoreError::BadRequest("an order needs a customer code or a customer name".into()))?;
    let code = format!("C{:06}", next_version(tx, "customer")?);
    let version = next_version(tx, "catalog_version")?;
    tx.run(
        "INSERT INTO customers (code, name, email, phone, version, channel_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[&code, &name, &email, &customer.phone, &version, &scope],
    )?;
    Ok(code)
}

/// What one order line still holds (`l`, of an order `o`): reserved minus
/// collected, never below zero, and only while the order is confirmed. The
/// one SQL form of `pos_shared::orders::open_reservation`; sum it over lines.
pub(super) const LINE_HOLD: &str = "CASE WHEN o.status = 'confirmed' AND l.reserved_milli > l.collected_milli
    THEN l.reserved_milli - l.collected_milli ELSE 0 END";

/// Thousandths of `sku` held for confirmed orders at a store.
pub(super) fn reserved_milli(tx: &impl Tx, store_id: i64, sku: &str) -> StoreResult<i64> {
    tx.one(
        &format!(
            "SELECT CAST(COALESCE(SUM({LINE_HOLD}), 0) AS BIGINT) FROM order_lines l JOIN orders o ON o.id = l.order_id
             WHERE l.sku = ?2 AND o.store_id = ?1 AND o.status = 'confirmed'"
        ),
        &[&store_id, &sku],
    )
}

/// Thousandths of `sku` at a store on hand and held for orders; what can
/// still be promised is the difference.
pub(super) fn available_milli(tx: &impl Tx, store_id: i64, sku: &str) -> StoreResult<(i64, i64)> {
    let on_hand: i64 = tx.one(
        "SELECT CAST(COALESCE(SUM(qty_milli), 0) AS BIGINT) FROM stock_movements WHERE store_id = ?1 AND sku = ?2",
        &[&store_id, &sku],
    )?;
    Ok((on_hand, reserved_milli(tx, store_id, sku)?))
}

/// Brings every line's reservation to what is still to hand over, within
/// what the store can promise; short lines are refused or backordered.
fn reserve(tx: &impl Tx, order_id: i64, store_id: i64, policy: ShortPolicy) -> StoreResult<Vec<String>> {
    let lines = tx.rows(
        "SELECT line_no, sku, qty_milli, reserved_milli, collected_milli FROM order_lines WHERE order_id = ?1
         ORDER BY line_no",
        &[&order_id],
    )?;
    let mut short = Vec::new();
    for line in lines {
        let (line_no, sku, qty, reserved, collected): (i64, String, i64, i64, i64) =
            (line.get(0)?, line.get(1)?, line.get(2)?, line.get(3)?, line.get(4)?);
        let to_hand_over = (qty - collected).max(0);
        let held = (reserved - collected).max(0);
        let (on_hand, all_reserved) = available_milli(tx, store_id, &sku)?;
        // What is free besides this line's own hold.
        let free = (on_hand - all_reserved).max(0);
        let hold = to_hand_over.min(held + free);
        if hold < to_hand_over {
            let missing = to_hand_over - hold;
            let text = format!(
                "{sku}: {} wanted, {} available ({} on hand, {} reserved)",
                milli_to_decimal(to_hand_over),
                milli_to_decimal(held + free),
                milli_to_decimal(on_hand),
                milli_to_decimal(all_reserved - held),
            );
            if policy == ShortPolicy::Refuse {
                return Err(StoreError::Conflict(format!("not enough stock: {text}")));
            }
            short.push(format!("{text}; {} backordered", milli_to_decimal(missing)));
        }
        tx.run(
            "UPDATE order_lines SET reserved_milli = ?1 WHERE order_id = ?2 AND line_no = ?3",
            &[&(collected + hold), &order_id, &line_no],
        )?;
    }
    Ok(short)
}

pub(super) fn add_event(tx: &impl Tx, order_id: i64, action: &str, actor: &str, detail: &str) -> StoreResult<()> {
    tx.run(
        "INSERT INTO order_events (order_id, at_ms, action, actor, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[&order_id, &now_ms(), &action, &actor, &detail],
    )?;
    Ok(())
}

/// Marks an order changed, so its store's terminals pull it again.
pub(super) fn touch(tx: &impl Tx, order_id: i64) -> StoreResult<()> {
    let version = next_version(tx, "order_version")?;
    tx.run("UPDATE orders SET version = ?1 WHERE id = ?2", &[&version, &order_id])?;
    Ok(())
}

fn request_hash(request: &OrderRequest) -> StoreResult<String> {
    let bytes = serde_json::to_vec(request).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

/// An order the caller may see: head office sees all, a channel its own.
struct Found {
    id: i64,
    store_id: i64,
    status: OrderStatus,
    channel: String,
}

fn find(tx: &impl Tx, scope: Scope, number: &str) -> StoreResult<Found> {
    let found = tx.row(
        "SELECT o.id, o.store_id, o.status, c.name, o.channel_id FROM orders o JOIN channels c ON c.id = o.channel_id
         WHERE o.number = ?1 COLLATE NOCASE",
        &[&number.trim()],
    )?;
    match found {
        Some(row) if scope.sees(row.get(4)?) => Ok(Found {
            id: row.get(0)?,
            store_id: row.get(1)?,
            status: row.get::<String>(2)?.parse().map_err(StoreError::Internal)?,
            channel: row.get(3)?,
        }),
        _ => Err(StoreError::NotFound(format!("no order `{}`", number.trim()))),
    }
}

fn refuse_closed(number: &str, status: OrderStatus) -> StoreResult<()> {
    match status {
        OrderStatus::Collected | OrderStatus::Cancelled => {
            Err(StoreError::Conflict(format!("order {} is {status}: it cannot change", number.trim())))
        }
        _ => Ok(()),
    }
}

/// Lets channel `channel_id` see and order for customer `code`.
pub fn link_customer(tx: &impl Tx, code: &str, channel_id: i64) -> StoreResult<()> {
    tx.run(
        "INSERT INTO customer_channels (customer, channel_id) SELECT code, ?2 FROM customers WHERE code = ?1
         ON CONFLICT DO NOTHING",
        &[&code.trim(), &channel_id],
    )?;
    match tx.row("SELECT 1 FROM customers WHERE code = ?1", &[&code.trim()])? {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound(format!("no customer `{}`", excerpt(code.trim())))),
    }
}

/// Places a quote or an order. With an idempotency key, a retry returns
/// the order the first request made (`false`: nothing new was made).
pub fn place_order(
    tx: &impl Tx,
    channel: &ChannelAuth,
    request: &OrderRequest,
    idempotency_key: Option<&str>,
) -> StoreResult<(WireOrder, bool)> {
    let hash = request_hash(request)?;
    if let Some(key) = idempotency_key {
        let earlier = tx.row(
            "SELECT number, request_hash FROM orders WHERE channel_id = ?1 AND idempotency_key = ?2",
            &[&channel.id, &key],
        )?;
        if let Some(earlier) = earlier {
            let (number, earlier_hash): (String, Option<String>) = (earlier.get(0)?, earlier.get(1)?);
            if earlier_hash.as_deref() != Some(hash.as_str()) {
                return Err(StoreError::Conflict(format!(
                    "idempotency key `{key}` already placed {number} with a different request"
                )));
            }
            return Ok((load_order(tx, &number, false)?, false));
        }
    }
    let store_id = store_id(tx, &request.store)?;
    let lines = requested(tx, &request.lines, false)?;
    let customer = customer_code(tx, &request.customer, channel)?;
    let number = order_number(next_version(tx, "order")?);
    let status = if request.quote { OrderStatus::Quote } else { OrderStatus::Confirmed };
    let order_id: i64 = tx.one(
        "INSERT INTO orders (number, channel_id, customer, store_id, fulfilment, status, prepaid, idempotency_key,
           request_hash, created_ms, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0) RETURNING id",
        &[
            &number,
            &channel.id,
            &customer,
            &store_id,
            &request.fulfilment.as_str(),
            &status.as_str(),
            &request.prepaid,
            &idempotency_key,
            &idempotency_key.map(|_| hash.as_str()),
            &now_ms(),
        ],
    )?;
    for (index, (product, milli)) in lines.iter().enumerate() {
        tx.run(
            "INSERT INTO order_lines (order_id, line_no, sku, qty_milli, unit_price_minor, tax_rate)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[&order_id, &(index as i64 + 1), &product.sku, milli, &product.price_minor, &product.tax_rate],
        )?;
    }
    let who = actor(request.by.as_deref(), &channel.name);
    let action = if request.quote { "quoted" } else { "ordered" };
    add_event(tx, order_id, action, &who, &format!("{} line(s) for {}", lines.len(), store_code(tx, store_id)?))?;
    if !request.quote {
        for short in reserve(tx, order_id, store_id, request.on_short)? {
            add_event(tx, order_id, "backordered", &who, &short)?;
        }
    }
    if request.prepaid {
        // Paid now: what the order costs as placed, whatever it becomes.
        let total: Money = load_order(tx, &number, false)?
            .total
            .parse()
            .map_err(|e| StoreError::Internal(format!("order total: {e}")))?;
        tx.run("UPDATE orders SET paid_minor = ?1 WHERE id = ?2", &[&total.minor(), &order_id])?;
    }
    touch(tx, order_id)?;
    Ok((load_order(tx, &number, false)?, true))
}

/// Runs one change of an existing order and returns the order as it now
/// stands; an error changes nothing (the transaction rolls back).
fn change(
    tx: &impl Tx,
    scope: Scope,
    number: &str,
    apply: impl FnOnce(&Found) -> StoreResult<()>,
) -> StoreResult<WireOrder> {
    let found = find(tx, scope, number)?;
    apply(&found)?;
    touch(tx, found.id)?;
    load_order(tx, number.trim(), false)
}

/// Turns a quote into an order, or tops up a backordered order's
/// reservations from what has become available.
pub fn confirm_order(tx: &impl Tx, scope: Scope, number: &str, action: &OrderAction) -> StoreResult<WireOrder> {
    change(tx, scope, number, |found| {
        refuse_closed(number, found.status)?;
        let who = actor(action.by.as_deref(), &found.channel);
        tx.run("UPDATE orders SET status = 'confirmed' WHERE id = ?1", &[&found.id])?;
        let short = reserve(tx, found.id, found.store_id, action.on_short)?;
        let what = if found.status == OrderStatus::Quote { "confirmed" } else { "reallocated" };
        add_event(tx, found.id, what, &who, if short.is_empty() { "all lines reserved" } else { "" })?;
        for line in short {
            add_event(tx, found.id, "backordered", &who, &line)?;
        }
        Ok(())
    })
}

/// Releases an order's reservations; it can no longer be collected.
pub fn cancel_order(tx: &impl Tx, scope: Scope, number: &str, action: &OrderAction) -> StoreResult<WireOrder> {
    change(tx, scope, number, |found| {
        refuse_closed(number, found.status)?;
        tx.run("UPDATE orders SET status = 'cancelled' WHERE id = ?1", &[&found.id])?;
        add_event(tx, found.id, "cancelled", &actor(action.by.as_deref(), &found.channel), "reservations released")
    })
}

/// New quantities for some lines (0 removes a line; new products are
/// priced from the catalog now). A confirmed order re-reserves.
pub fn change_order_lines(
    tx: &impl Tx,
    scope: Scope,
    number: &str,
    lines_change: &LinesChange,
) -> StoreResult<WireOrder> {
    change(tx, scope, number, |found| {
        refuse_closed(number, found.status)?;
        let mut details = Vec::new();
        for (product, milli) in requested(tx, &lines_change.lines, true)? {
            let existing = tx.row(
                "SELECT line_no, collected_milli FROM order_lines WHERE order_id = ?1 AND sku = ?2",
                &[&found.id, &product.sku],
            )?;
            let existing: Option<(i64, i64)> =
                existing.map(|r| Ok::<_, StoreError>((r.get(0)?, r.get(1)?))).transpose()?;
            match existing {
                Some((_, collected)) if milli < collected => {
                    return Err(StoreError::BadRequest(format!(
                        "{}: {} already handed over",
                        product.sku,
                        milli_to_decimal(collected)
                    )));
                }
                Some((line_no, _)) if milli == 0 => {
                    tx.run("DELETE FROM order_lines WHERE order_id = ?1 AND line_no = ?2", &[&found.id, &line_no])?;
                }
                Some((line_no, _)) => {
                    tx.run(
                        "UPDATE order_lines SET qty_milli = ?1,
                           reserved_milli = CASE WHEN reserved_milli < ?1 THEN reserved_milli ELSE ?1 END
                         WHERE order_id = ?2 AND line_no = ?3",
                        &[&milli, &found.id, &line_no],
                    )?;
                }
                None if milli == 0 => {
                    return Err(StoreError::BadRequest(format!("{} is not on order {number}", product.sku)));
                }
                None => {
                    tx.run(
                        "INSERT INTO order_lines (order_id, line_no, sku, qty_milli, unit_price_minor, tax_rate)
                         VALUES (?1, (SELECT COALESCE(MAX(line_no), 0) + 1 FROM order_lines WHERE order_id = ?1),
                           ?2, ?3, ?4, ?5)",
                        &[&found.id, &product.sku, &milli, &product.price_minor, &product.tax_rate],
                    )?;
                }
            }
            details.push(format!("{} -> {}", product.sku, milli_to_decimal(milli)));
        }
        let left: i64 = tx.one("SELECT COUNT(*) FROM order_lines WHERE order_id = ?1", &[&found.id])?;
        if left == 0 {
            return Err(StoreError::BadRequest("that would leave no lines: cancel the order instead".into()));
        }
        let who = actor(lines_change.by.as_deref(), &found.channel);
        add_event(tx, found.id, "changed", &who, &details.join(", "))?;
        if found.status == OrderStatus::Confirmed {
            for short in reserve(tx, found.id, found.store_id, lines_change.on_short)? {
                add_event(tx, found.id, "backordered", &who, &short)?;
            }
        }
        Ok(())
    })
}
