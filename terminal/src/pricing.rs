//! The cart priced by head office's rules: the price book (price lists and
//! promotions pulled with the catalog) loaded once per change of the rules,
//! each cart re-priced by it as it changes, coupons, and the rules a
//! catalog page brings, stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, TimeZone, Timelike};
use pos_shared::money::Money;
use pos_shared::pricing::rules::{Day, ListPrice, Moment, PriceList};
use pos_shared::pricing::{Occasion, PriceBook, ProductFacts};
use pos_shared::protocol::{CatalogPage, WirePromotion};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::{CoreError, CoreResult};
use crate::session::next_counter;
use crate::{Cart, Terminal};

/// The price book last loaded, with the rules' stamp it was loaded at.
#[derive(Default)]
pub struct BookCache(Mutex<Option<(u64, Arc<PriceBook>)>>);

/// The local moment of a timestamp, as promotions' windows read it.
pub fn local_moment(at_ms: i64) -> Moment {
    let local = chrono::Local.timestamp_millis_opt(at_ms).single().unwrap_or_else(chrono::Local::now);
    Moment {
        day: Day::new(local.year() as u32, local.month(), local.day())
            .unwrap_or_else(|_| "2000-01-01".parse().unwrap()),
        weekday: local.weekday().number_from_monday() as u8,
        minute: (local.hour() * 60 + local.minute()) as u16,
    }
}

impl Terminal {
    /// The price book of the rules this till holds now.
    pub fn price_book(&self) -> CoreResult<Arc<PriceBook>> {
        let stamp: u64 = self
            .conn
            .prepare_cached("SELECT value FROM counters WHERE name = 'price_rules'")?
            .query_row([], |r| r.get(0))?;
        let mut cache = self.price_book.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, book)) = cache.as_ref()
            && *at == stamp
        {
            return Ok(book.clone());
        }
        let book = Arc::new(self.load_price_book()?);
        *cache = Some((stamp, book.clone()));
        Ok(book)
    }

    fn load_price_book(&self) -> CoreResult<PriceBook> {
        let mut lists: Vec<PriceList> = self
            .conn
            .prepare("SELECT name, store_code, customer_group, from_day, to_day FROM price_lists ORDER BY name")?
            .query_map([], |r| {
                let day = |i: usize| -> rusqlite::Result<Option<Day>> {
                    Ok(r.get::<_, Option<String>>(i)?.and_then(|d| d.parse().ok()))
                };
                Ok(PriceList {
                    name: r.get(0)?,
                    store: r.get(1)?,
                    group: r.get(2)?,
                    from: day(3)?,
                    to: day(4)?,
                    prices: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let by_name: HashMap<String, usize> = lists.iter().enumerate().map(|(i, l)| (l.name.clone(), i)).collect();
        let mut stmt = self.conn.prepare("SELECT list_name, sku, min_milli, price_minor FROM list_prices")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if let Some(&at) = by_name.get(&r.get::<_, String>(0)?) {
                let price = Money::from_minor(r.get(3)?);
                lists[at].prices.push(ListPrice { sku: r.get(1)?, min_milli: r.get(2)?, price });
            }
        }
        let promotions = self
            .conn
            .prepare("SELECT fields FROM promotions ORDER BY code")?
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|stored| {
                let promotion = WirePromotion::from_stored(&stored?).and_then(|wire| wire.to_promotion());
                promotion.map_err(|e| CoreError::Invalid(e.to_string()))
            })
            .collect::<CoreResult<_>>()?;
        Ok(PriceBook::new(lists, promotions))
    }

    /// The group of the customer attached to a cart, if any.
    pub fn customer_group(&self, cart: &Cart) -> CoreResult<Option<String>> {
        let Some(code) = &cart.customer else { return Ok(None) };
        Ok(self
            .conn
            .prepare_cached("SELECT customer_group FROM customers WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// The catalog's price and category of each line's product, read in
    /// one statement.
    fn product_facts(&self, cart: &Cart) -> CoreResult<Vec<ProductFacts>> {
        let skus: Vec<&str> = cart.lines.iter().map(|l| l.sku.as_str()).collect();
        let skus = serde_json::to_string(&skus).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.sku, p.price_minor, p.category FROM products p WHERE p.sku IN (SELECT value FROM json_each(?1))",
        )?;
        let found: HashMap<String, ProductFacts> = stmt
            .query_map([skus], |r| {
                Ok((r.get(0)?, ProductFacts { price: Money::from_minor(r.get(1)?), category: r.get(2)? }))
            })?
            .collect::<Result<_, _>>()?;
        cart.lines
            .iter()
            .map(|l| found.get(&l.sku).cloned().ok_or_else(|| CoreError::UnknownCode(l.sku.clone())))
            .collect()
    }

    /// Prices the cart's lines by the lists and promotions that apply now
    /// to its customer here. A cart that hands over an order keeps the
    /// order's prices.
    pub fn reprice(&self, cart: &mut Cart) -> CoreResult<()> {
        if cart.order.is_some() {
            return Ok(());
        }
        let book = self.price_book()?;
        if book.is_empty() {
            return Ok(());
        }
        let facts = self.product_facts(cart)?;
        let group = self.customer_group(cart)?;
        let occasion = Occasion {
            store: self.settings.terminal_id.store_code(),
            group: group.as_deref(),
            at: local_moment(self.clock.now_ms()),
            coupons: &cart.coupons,
        };
        book.apply(&mut cart.lines, &facts, &occasion, self.settings.rounding);
        Ok(())
    }

    /// Whether `code` is a coupon of a promotion this till knows.
    pub fn is_coupon(&self, code: &str) -> CoreResult<bool> {
        Ok(self.price_book()?.coupon(code).is_some())
    }

    /// Adds a coupon the customer gives, and re-prices the cart. A coupon
    /// for one use that this till already took is refused; one taken at
    /// another till while offline is flagged by head office.
    pub fn add_coupon(&self, cart: &mut Cart, code: &str) -> CoreResult<String> {
        let code = code.trim().to_uppercase();
        let book = self.price_book()?;
        let promotion =
            book.coupon(&code).ok_or_else(|| CoreError::Invalid(format!("no promotion takes coupon “{code}”")))?;
        if cart.coupons.contains(&code) {
            return Err(CoreError::Invalid(format!("coupon {code} is on this sale already")));
        }
        if let Some(allowed) = promotion.uses {
            let used: u64 = self.conn.query_row(
                "SELECT COUNT(*) FROM sales WHERE kind = 'sale' AND ('|' || coupons || '|') LIKE '%|' || ?1 || '|%'",
                [&code],
                |r| r.get(0),
            )?;
            if used >= u64::from(allowed) {
                return Err(CoreError::Invalid(format!("coupon {code} has been used here already")));
            }
        }
        let name = promotion.name.clone();
        cart.coupons.push(code);
        self.reprice(cart)?;
        Ok(name)
    }
}

/// Stores the price rules and packs a catalog page brings, checked first: a rule the
/// till cannot read stops the page.
pub(crate) fn store_price_rules(tx: &Transaction<'_>, page: &CatalogPage) -> CoreResult<()> {
    if page.price_lists.is_empty() && page.list_prices.is_empty() && page.promotions.is_empty() && page.packs.is_empty()
    {
        return Ok(());
    }
    let bad = |e: pos_shared::pricing::PricingError| CoreError::Invalid(e.to_string());
    for list in &page.price_lists {
        let list = list.to_list().map_err(bad)?;
        tx.prepare_cached(
            "INSERT OR REPLACE INTO price_lists (name, store_code, customer_group, from_day, to_day) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![list.name, list.store, list.group, list.from.map(|d| d.to_string()), list.to.map(|d| d.to_string())])?;
    }
    for wire in &page.list_prices {
        let price = wire.to_price().map_err(bad)?;
        tx.prepare_cached(
            "INSERT OR REPLACE INTO list_prices (list_name, sku, min_milli, price_minor) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![wire.list, price.sku, price.min_milli, price.price.minor()])?;
    }
    for wire in &page.promotions {
        let promotion = wire.to_promotion().map_err(bad)?;
        tx.prepare_cached("INSERT OR REPLACE INTO promotions (code, fields) VALUES (?1, ?2)")?
            .execute(params![promotion.code, wire.stored()])?;
    }
    for wire in &page.packs {
        let (size, price) = wire.size_and_price().map_err(bad)?;
        if let Some(barcode) = &wire.barcode {
            tx.prepare_cached("DELETE FROM packs WHERE barcode = ?1")?.execute([barcode])?;
        }
        tx.prepare_cached(
            "INSERT OR REPLACE INTO packs (sku, qty_milli, barcode, price_minor) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![wire.sku, size.milli(), wire.barcode, price.map(Money::minor)])?;
    }
    next_counter(tx, "price_rules")?;
    Ok(())
}
