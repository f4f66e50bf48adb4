//! Customer orders at the counter: head office's orders for this store
//! (pulled by sync and replaced whole), found by number or customer, handed
//! over in full or in part as a sale, and the stock they hold
//! (available-to-promise = known stock minus open reservations). All of it
//! works offline once an order has synced.

use std::collections::HashMap;

use pos_shared::money::Money;
use pos_shared::orders::{OrderStatus, remaining_to_collect};
use pos_shared::pricing::{TaxRate, TicketLine};
use pos_shared::protocol::{OrdersPage, WireOrder};
use pos_shared::quantity::{Quantity, Unit};
use pos_shared::stock::milli_to_decimal;
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{CoreError, CoreResult};
use crate::{Cart, Terminal};

/// One line of an order as the counter sees it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderLine {
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    pub qty: Decimal,
    pub unit_price: Money,
    pub tax_rate: TaxRate,
    /// Handed over so far, here or at another till of the store.
    pub collected: Decimal,
    /// Still to hand over.
    pub remaining: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Order {
    pub number: String,
    pub channel: String,
    pub customer: String,
    pub customer_name: String,
    pub status: OrderStatus,
    pub fulfilment: String,
    pub prepaid: bool,
    pub total: Money,
    /// Paid ahead (online) and not yet used by a hand-over, here or at
    /// another till: what a hand-over takes as `prepaid` before asking for
    /// payment.
    pub prepaid_left: Money,
    pub lines: Vec<OrderLine>,
}

impl Order {
    /// Whether anything is left to hand over.
    pub fn is_open(&self) -> bool {
        self.lines.iter().any(|l| l.remaining > Decimal::ZERO)
    }
}

/// SQL for what order line `l` (of order `o`) has been collected: head
/// office's count, which includes this terminal's sales up to the order's
/// `through_seq`, plus this terminal's hand-overs after it.
/// SQL for what order `o`'s prepaid amount is still worth here: head
/// office's count of what hand-overs used, plus this terminal's prepaid
/// hand-overs after `through_seq`.
const PREPAID_LEFT: &str = "o.paid_minor - o.prepaid_used_minor - (SELECT COALESCE(SUM(p.amount_minor), 0) FROM sales s
    JOIN payments p ON p.sale_id = s.id
    WHERE s.order_no = o.number AND s.kind = 'sale' AND s.seq > o.through_seq AND p.tender = 'prepaid')";

const COLLECTED: &str = "l.collected_milli + (SELECT COALESCE(SUM(sl.qty_milli), 0) FROM sales s
    JOIN sale_lines sl ON sl.sale_id = s.id
    WHERE s.order_no = l.number AND s.kind = 'sale' AND s.seq > o.through_seq AND sl.sku = l.sku)";

fn bad(number: &str, what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Invalid(format!("order {number} from head office: {what}: {e}"))
}

impl Terminal {
    pub fn orders_cursor(&self) -> CoreResult<u64> {
        self.sync_number("orders_cursor")
    }

    /// Applies one page of orders and moves the cursor, in one transaction.
    pub fn apply_orders_page(&mut self, page: &OrdersPage) -> CoreResult<usize> {
        self.apply_doc_page(&page.orders, page.through_seq, "orders_cursor", page.next_cursor, store_order)
    }

    /// One order as it stands here: head office's picture plus this till's
    /// hand-overs since.
    pub fn order(&self, number: &str) -> CoreResult<Order> {
        let number = number.trim();
        let head = self
            .conn
            .prepare_cached(&format!(
                "SELECT number, channel, customer, customer_name, status, fulfilment, prepaid, total_minor, {PREPAID_LEFT}
                 FROM orders o WHERE number = ?1 COLLATE NOCASE"
            ))?
            .query_row([number], |r| {
                Ok((
                    Order {
                        number: r.get(0)?,
                        channel: r.get(1)?,
                        customer: r.get(2)?,
                        customer_name: r.get(3)?,
                        status: OrderStatus::Quote,
                        fulfilment: r.get(5)?,
                        prepaid: r.get(6)?,
                        total: Money::from_minor(r.get(7)?),
                        prepaid_left: Money::from_minor(r.get::<_, i64>(8)?.max(0)),
                        lines: Vec::new(),
                    },
                    r.get::<_, String>(4)?,
                ))
            })
            .optional()?;
        let (mut order, status) = head.ok_or_else(|| {
            CoreError::Invalid(format!("no order {number} here: check the number, or sync to get new orders"))
        })?;
        order.status = status.parse().map_err(|e| bad(number, "status", e))?;
        let rows: Vec<(String, String, String, i64, i64, String, i64)> = self
            .conn
            .prepare_cached(&format!(
                "SELECT l.sku, l.name, l.unit, l.qty_milli, l.unit_price_minor, l.tax_rate, {COLLECTED}
                 FROM order_lines l JOIN orders o ON o.number = l.number WHERE l.number = ?1 ORDER BY l.line_no"
            ))?
            .query_map([&order.number], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .collect::<Result<_, _>>()?;
        for (sku, name, unit, qty, price, tax_rate, collected) in rows {
            order.lines.push(OrderLine {
                unit: unit.parse().map_err(|e| bad(number, "unit", e))?,
                tax_rate: tax_rate.parse().map_err(|e| bad(number, "tax rate", e))?,
                qty: milli_to_decimal(qty),
                unit_price: Money::from_minor(price),
                collected: milli_to_decimal(collected),
                remaining: milli_to_decimal(remaining_to_collect(order.status, qty, collected)),
                sku,
                name,
            });
        }
        Ok(order)
    }

    /// Orders whose number, customer code or customer name matches
    /// `typed` (all of them when empty); open ones only unless `all`.
    pub fn find_orders(&self, typed: &str, all: bool) -> CoreResult<Vec<Order>> {
        let numbers: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT number FROM orders
                 WHERE (?1 = '' OR number = ?1 COLLATE NOCASE OR customer = ?1 OR customer_name LIKE '%' || ?1 || '%')
                   AND (?2 OR status = 'confirmed')
                 ORDER BY created_ms DESC LIMIT 200",
            )?
            .query_map(params![typed.trim(), all], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut orders = Vec::with_capacity(numbers.len());
        for number in numbers {
            let order = self.order(&number)?;
            if all || order.is_open() {
                orders.push(order);
            }
        }
        Ok(orders)
    }

    /// A cart that hands over `picks` (SKU or barcode, and a quantity or
    /// all that is left of that line) of an order at the order's prices, or
    /// everything still to hand over when `picks` is empty. Refused for a
    /// cancelled or finished order.
    pub fn order_cart(&self, number: &str, picks: &[(String, Option<Decimal>)]) -> CoreResult<Cart> {
        let order = self.order(number)?;
        check_collectable(&order)?;
        let wanted: Vec<(&OrderLine, Decimal)> = if picks.is_empty() {
            order.lines.iter().filter(|l| l.remaining > Decimal::ZERO).map(|l| (l, l.remaining)).collect()
        } else {
            let mut out = Vec::with_capacity(picks.len());
            for (code, qty) in picks {
                let sku = self.find_code(code).map(|f| f.product.sku).unwrap_or_else(|_| code.trim().to_string());
                let line =
                    order.lines.iter().find(|l| l.sku == sku).ok_or_else(|| {
                        CoreError::Invalid(format!("{} is not on order {}", code.trim(), order.number))
                    })?;
                out.push((line, qty.unwrap_or(line.remaining)));
            }
            out
        };
        let mut cart =
            Cart { customer: Some(order.customer.clone()), order: Some(order.number.clone()), ..Cart::default() };
        for (line, qty) in wanted {
            let qty = Quantity::new(qty, line.unit)?;
            cart.lines.push(TicketLine::new(&line.sku, &line.name, line.unit, qty, line.unit_price, line.tax_rate));
        }
        check_cart_against(&order, &cart)?;
        Ok(cart)
    }

    /// The order a cart collects, checked again just before it is paid.
    pub(crate) fn order_of_cart(&self, cart: &Cart) -> CoreResult<Option<Order>> {
        let Some(number) = &cart.order else {
            return Ok(None);
        };
        let order = self.order(number)?;
        check_collectable(&order)?;
        check_cart_against(&order, cart)?;
        Ok(Some(order))
    }

    /// Thousandths of `sku` held for confirmed orders and not handed over yet.
    pub fn reserved_milli(&self, sku: &str) -> CoreResult<i64> {
        Ok(self.reservations(Some(sku))?.remove(sku).unwrap_or(0))
    }

    /// Open reservations per SKU (of one SKU, or all).
    pub(crate) fn reservations(&self, sku: Option<&str>) -> CoreResult<HashMap<String, i64>> {
        let rows = self
            .conn
            .prepare_cached(&format!(
                "SELECT l.sku, SUM(MAX(0, l.reserved_milli - ({COLLECTED}))) FROM order_lines l JOIN orders o ON o.number = l.number
                 WHERE o.status = 'confirmed' AND l.reserved_milli > 0 AND (?1 IS NULL OR l.sku = ?1) GROUP BY l.sku"
            ))?
            .query_map([sku], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

fn check_collectable(order: &Order) -> CoreResult<()> {
    match order.status {
        OrderStatus::Cancelled => {
            Err(CoreError::Invalid(format!("order {} was cancelled at head office: do not hand it over", order.number)))
        }
        OrderStatus::Quote => Err(CoreError::Invalid(format!("order {} is only a quote", order.number))),
        _ if !order.is_open() => {
            Err(CoreError::Invalid(format!("order {} has been collected: nothing is left to hand over", order.number)))
        }
        _ => Ok(()),
    }
}

/// Every cart line is on the order, at its price, within what is left.
fn check_cart_against(order: &Order, cart: &Cart) -> CoreResult<()> {
    if cart.is_empty() {
        return Err(CoreError::Invalid(format!("choose what to hand over from order {}", order.number)));
    }
    for line in &order.lines {
        let taking: Decimal = cart.lines.iter().filter(|l| l.sku == line.sku).map(|l| l.qty.value()).sum();
        if taking > line.remaining {
            return Err(CoreError::Invalid(format!(
                "order {}: only {} of {} left to hand over, not {taking}",
                order.number, line.remaining, line.sku
            )));
        }
    }
    for line in &cart.lines {
        let ordered = order.lines.iter().find(|l| l.sku == line.sku);
        match ordered {
            None => {
                return Err(CoreError::Invalid(format!(
                    "{} is not on order {}: sell it separately",
                    line.sku, order.number
                )));
            }
            Some(o) if o.unit_price != line.unit_price || line.discount.is_some() || line.fixed_amount.is_some() => {
                return Err(CoreError::Invalid(format!(
                    "order {} fixes the price of {}: change the order at head office",
                    order.number, line.sku
                )));
            }
            Some(_) => {}
        }
    }
    if cart.discount.is_some() {
        return Err(CoreError::Invalid(format!("order {} is priced at head office: no discount here", order.number)));
    }
    Ok(())
}

/// Replaces one order with head office's version of it.
fn store_order(tx: &rusqlite::Transaction<'_>, order: &WireOrder, through_seq: u64) -> CoreResult<()> {
    let number = &order.number;
    let total: Money = order.total.parse().map_err(|e| bad(number, "total", e))?;
    let amount = |text: &Option<String>, what: &str, otherwise: Money| -> CoreResult<Money> {
        text.as_deref().map_or(Ok(otherwise), |t| t.parse().map_err(|e| bad(number, what, e)))
    };
    // A server that does not say what was paid: a prepaid order paid its total.
    let paid = amount(&order.paid, "paid", if order.prepaid { total } else { Money::ZERO })?;
    let prepaid_used = amount(&order.prepaid_used, "prepaid used", Money::ZERO)?;
    tx.prepare_cached("DELETE FROM order_lines WHERE number = ?1")?.execute([number])?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO orders (number, channel, customer, customer_name, status, fulfilment, prepaid, total_minor,
           created_ms, through_seq, paid_minor, prepaid_used_minor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        number,
        order.channel,
        order.customer,
        order.customer_name,
        order.status.as_str(),
        order.fulfilment.as_str(),
        order.prepaid,
        total.minor(),
        order.created_ms,
        through_seq,
        paid.minor(),
        prepaid_used.minor(),
    ])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO order_lines (number, line_no, sku, name, unit, qty_milli, unit_price_minor, tax_rate, reserved_milli,
           collected_milli)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for line in &order.lines {
        let unit: Unit = line.unit.parse().map_err(|e| bad(number, "unit", e))?;
        let milli = |text: &str, what: &str| Quantity::milli_or_zero(text, unit).map_err(|e| bad(number, what, e));
        let price: Money = line.unit_price.parse().map_err(|e| bad(number, "price", e))?;
        let rate: TaxRate = line.tax_rate.parse().map_err(|e| bad(number, "tax rate", e))?;
        insert.execute(params![
            number,
            line.line_no,
            line.sku,
            line.name,
            unit.as_str(),
            milli(&line.qty, "quantity")?,
            price.minor(),
            rate.percent().to_string(),
            milli(&line.reserved, "reserved")?,
            milli(&line.collected, "collected")?,
        ])?;
    }
    Ok(())
}
