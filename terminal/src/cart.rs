//! The open cart: lines scanned or typed, discounts, price overrides and the
//! approvals they needed. It lives in memory until it is paid, parked or
//! voided; approvals are journaled with whatever ends it.

use pos_shared::barcode::EmbeddedValue;
use pos_shared::money::Money;
use pos_shared::pricing::{Discount, TicketLine, Totals, price_ticket};
use pos_shared::quantity::Quantity;
use pos_shared::roles::Permission;
use pos_shared::stock::milli_to_decimal;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::authorize::Approval;
use crate::catalog::{Pack, Product};
use crate::error::{CoreError, CoreResult};
use crate::users::Credentials;
use crate::{Operator, Terminal};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<TicketLine>,
    pub discount: Option<Discount>,
    pub approvals: Vec<Approval>,
    /// The customer's code, when one is attached.
    #[serde(default)]
    pub customer: Option<String>,
    /// The customer order this cart hands over (its lines come from it).
    #[serde(default)]
    pub order: Option<String>,
    /// Coupons the customer gave (upper case).
    #[serde(default)]
    pub coupons: Vec<String>,
}

/// Where a scan landed, and a warning when it sells beyond known stock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    pub line: usize,
    pub warning: Option<String>,
}

impl Cart {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    fn line_mut(&mut self, index: usize) -> CoreResult<&mut TicketLine> {
        self.lines.get_mut(index).ok_or_else(|| CoreError::Invalid(format!("there is no line {}", index + 1)))
    }

    /// Thousandths of `sku` already in the cart.
    fn milli_of(&self, sku: &str) -> i64 {
        self.lines.iter().filter(|l| l.sku == sku).map(|l| l.qty.milli()).sum()
    }
}

impl Terminal {
    pub fn cart_totals(&self, cart: &Cart) -> CoreResult<Totals> {
        Ok(price_ticket(&cart.lines, cart.discount, self.settings.pricing())?)
    }

    /// Adds what `code` names (barcode, in-store weight/price barcode or
    /// SKU). `qty` defaults to one piece; weighed items need a weight,
    /// from the barcode or typed. A repeated piece adds to its line.
    pub fn add_item(&self, cart: &mut Cart, code: &str, qty: Option<Decimal>) -> CoreResult<Added> {
        if let Some(order) = &cart.order {
            return Err(CoreError::Invalid(format!(
                "this cart hands over order {order}: finish it first, then sell other items"
            )));
        }
        let found = self.find_code(code)?;
        let product = &found.product;
        if product.archived {
            return Err(CoreError::Invalid(format!("{} is no longer sold", product.name)));
        }
        let scanned = match found.pack {
            Some(pack) => pack_line(product, pack, qty)?,
            None => item_line(product, found.embedded, qty)?,
        };
        // A repeated piece (or pack) adds to its line; weighed items, lines
        // with a discount and prices set by hand or by a barcode stay apart.
        let same = |l: &TicketLine| {
            l.sku == scanned.sku
                && l.pack_size == scanned.pack_size
                && !l.unit.is_measured()
                && l.discount.is_none()
                && l.fixed_amount.is_none()
                && !l.price_by_hand
        };
        let line = match cart.lines.iter().position(|l| scanned.fixed_amount.is_none() && same(l)) {
            Some(index) => {
                let merged = cart.lines[index].qty.value() + scanned.qty.value();
                cart.lines[index].qty = Quantity::new(merged, product.unit)?;
                index
            }
            None => {
                cart.lines.push(scanned);
                cart.lines.len() - 1
            }
        };
        self.reprice(cart)?;
        let warning = self.oversell_warning(cart, &product.sku)?;
        Ok(Added { line, warning })
    }

    /// A warning when the cart holds more of `sku` than the stock this
    /// terminal knows. Selling goes on regardless.
    /// Stock held for customer orders counts as gone, except for the order
    /// the cart hands over.
    pub fn oversell_warning(&self, cart: &Cart, sku: &str) -> CoreResult<Option<String>> {
        let known = self.known_stock_milli(sku)?;
        let held = if cart.order.is_some() { 0 } else { self.reserved_milli(sku)? };
        let wanted = cart.milli_of(sku);
        Ok((wanted > known - held).then(|| {
            let (free, text) = (milli_to_decimal(known - held), |milli| milli_to_decimal(milli));
            match held {
                0 => format!("only {free} of {sku} in stock here; selling {}", text(wanted)),
                _ => format!(
                    "only {free} of {sku} free here ({} in stock, {} held for orders); selling {}",
                    text(known),
                    text(held),
                    text(wanted)
                ),
            }
        }))
    }

    /// Changes a line's quantity; lowering it is a partial void.
    pub fn set_quantity(
        &mut self,
        actor: &Operator,
        cart: &mut Cart,
        index: usize,
        qty: Decimal,
        approver: Option<&Credentials>,
    ) -> CoreResult<Option<String>> {
        let line = cart.line_mut(index)?.clone();
        if line.fixed_amount.is_some() {
            return Err(CoreError::Invalid("the quantity of a priced barcode cannot change".into()));
        }
        let qty = Quantity::new(qty, line.unit)?;
        if let Some(pack) = line.pack_size.filter(|p| qty.milli() % p.milli().max(1) != 0) {
            return Err(CoreError::Invalid(format!("{} is sold here by packs of {}", line.name, pack.display())));
        }
        if qty < line.qty {
            let detail = format!("{}: {} -> {}", line.sku, line.qty.display(), qty.display());
            cart.approvals.push(self.audited(actor, Permission::VoidLine, approver, detail)?);
        }
        cart.line_mut(index)?.qty = qty;
        self.reprice(cart)?;
        self.oversell_warning(cart, &line.sku)
    }

    pub fn remove_line(
        &mut self,
        actor: &Operator,
        cart: &mut Cart,
        index: usize,
        approver: Option<&Credentials>,
    ) -> CoreResult<()> {
        let line = cart.line_mut(index)?.clone();
        let detail = format!("void {} x{} {}", line.sku, line.qty.display(), line.name);
        cart.approvals.push(self.audited(actor, Permission::VoidLine, approver, detail)?);
        cart.lines.remove(index);
        self.reprice(cart)
    }

    fn check_discount_limit(
        &mut self,
        actor: &Operator,
        discount: Discount,
        on: Money,
        approver: Option<&Credentials>,
        what: String,
    ) -> CoreResult<Option<Approval>> {
        discount.on(on, self.settings.rounding)?;
        if discount.percent_of(on) <= self.settings.discount_limit_percent {
            return Ok(None);
        }
        self.authorize(actor, Permission::DiscountAboveLimit, approver, format!("{what}: {discount}"))
    }

    pub fn set_line_discount(
        &mut self,
        actor: &Operator,
        cart: &mut Cart,
        index: usize,
        discount: Option<Discount>,
        approver: Option<&Credentials>,
    ) -> CoreResult<()> {
        let line = cart.line_mut(index)?.clone();
        if let Some(d) = discount {
            let amount = line.amount(self.settings.rounding);
            let approval = self.check_discount_limit(actor, d, amount, approver, format!("line {}", line.sku))?;
            cart.approvals.extend(approval);
        }
        cart.line_mut(index)?.discount = discount;
        Ok(())
    }

    pub fn set_sale_discount(
        &mut self,
        actor: &Operator,
        cart: &mut Cart,
        discount: Option<Discount>,
        approver: Option<&Credentials>,
    ) -> CoreResult<()> {
        if let Some(d) = discount {
            let before = price_ticket(&cart.lines, None, self.settings.pricing())?.total;
            let approval = self.check_discount_limit(actor, d, before, approver, "sale".into())?;
            cart.approvals.extend(approval);
        }
        cart.discount = discount;
        Ok(())
    }

    pub fn override_price(
        &mut self,
        actor: &Operator,
        cart: &mut Cart,
        index: usize,
        price: Money,
        approver: Option<&Credentials>,
    ) -> CoreResult<()> {
        if price.is_negative() {
            return Err(CoreError::Invalid("a price cannot be negative".into()));
        }
        let line = cart.line_mut(index)?.clone();
        let detail = format!("{} price {} -> {price}", line.sku, line.unit_price);
        cart.approvals.push(self.audited(actor, Permission::PriceOverride, approver, detail)?);
        let line = cart.line_mut(index)?;
        line.unit_price = price;
        line.fixed_amount = None;
        line.price_by_hand = true;
        line.price_list = None;
        self.reprice(cart)
    }
}

/// The line a scan of a product makes: one piece, a typed quantity, or the
/// weight or price its in-store barcode carries.
fn item_line(product: &Product, embedded: Option<EmbeddedValue>, qty: Option<Decimal>) -> CoreResult<TicketLine> {
    let (qty, fixed_amount) = match (embedded, qty) {
        (Some(EmbeddedValue::Weight(_)), _) if !product.unit.is_measured() => {
            return Err(CoreError::Invalid(format!("{} is sold per piece, not by weight", product.name)));
        }
        (Some(EmbeddedValue::Weight(kg)), None) => (Quantity::new(kg, product.unit)?, None),
        (Some(EmbeddedValue::Price(price)), None) => (Quantity::ONE, Some(price)),
        (Some(_), Some(_)) => {
            return Err(CoreError::Invalid("this barcode carries its own weight or price; scan it alone".into()));
        }
        (None, None) if product.unit.is_measured() => {
            return Err(CoreError::NeedsWeight(product.name.clone(), product.sku.clone()));
        }
        (None, None) => (Quantity::ONE, None),
        (None, Some(q)) => (Quantity::new(q, product.unit)?, None),
    };
    let price = fixed_amount.unwrap_or(product.price);
    let mut line = TicketLine::new(&product.sku, &product.name, product.unit, qty, price, product.tax_rate);
    line.fixed_amount = fixed_amount;
    Ok(line)
}

/// The line a scan of a pack's barcode makes: `packs` packs (one when not
/// given) as their units, at the pack's own price when it has one, else at
/// the unit price like any units of the product.
fn pack_line(product: &Product, pack: Pack, packs: Option<Decimal>) -> CoreResult<TicketLine> {
    let packs = packs.unwrap_or(Decimal::ONE);
    if packs <= Decimal::ZERO || packs.fract() != Decimal::ZERO {
        return Err(CoreError::Invalid(format!("packs of {} are sold whole", product.name)));
    }
    let units = Quantity::new(packs * pack.size.value(), product.unit)?;
    let price = pack.price.unwrap_or(product.price);
    let mut line = TicketLine::new(&product.sku, &product.name, product.unit, units, price, product.tax_rate);
    line.pack_size = pack.price.map(|_| pack.size);
    Ok(line)
}

/// A customer as the terminal knows them (pulled from head office).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub code: String,
    pub name: String,
}

impl Terminal {
    /// Customers whose code is `typed` or whose name contains it.
    pub fn find_customers(&self, typed: &str, limit: usize) -> CoreResult<Vec<Customer>> {
        let typed = typed.trim();
        let mut stmt = self.conn.prepare_cached(
            "SELECT code, name FROM customers WHERE code = ?1 OR name LIKE '%' || ?1 || '%' ORDER BY code = ?1 DESC, name LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(rusqlite::params![typed, limit as i64], |r| Ok(Customer { code: r.get(0)?, name: r.get(1)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Attaches the customer `typed` names (by code, or the one name match).
    pub fn attach_customer(&self, cart: &mut Cart, typed: &str) -> CoreResult<Customer> {
        let found = self.find_customers(typed, 2)?;
        let customer = match found.as_slice() {
            [one] => one.clone(),
            [first, ..] if first.code == typed.trim() => first.clone(),
            [] => return Err(CoreError::Invalid(format!("no customer “{}”", typed.trim()))),
            _ => return Err(CoreError::Invalid(format!("several customers match “{}”: type more", typed.trim()))),
        };
        cart.customer = Some(customer.code.clone());
        self.reprice(cart)?;
        Ok(customer)
    }
}
