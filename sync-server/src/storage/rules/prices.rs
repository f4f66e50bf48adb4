//! Head office's price rules: price lists with their prices and quantity
//! breaks, promotions imported from the promotion file, and what each
//! promotion cost and sold. Every change is a new catalog version, pulled
//! by tills with the catalog.

use pos_shared::barcode::Barcode;
use pos_shared::entry_rules::excerpt;
use pos_shared::journal::{SaleKind, SaleRecord};
use pos_shared::money::Money;
use pos_shared::pricing::rules::{Day, read_promotions};
use pos_shared::protocol::{WireListPrice, WirePack, WirePriceList, WirePromotion};
use pos_shared::quantity::{Quantity, Unit};
use serde::Serialize;

use super::admin::store_id;
use super::catalog::{next_version, product_sku};
use crate::storage::sql::{Param, Tx};
use crate::storage::{StoreError, StoreResult};

/// A price list as `pricelist add` defines it.
pub struct NewPriceList<'a> {
    pub name: &'a str,
    pub store: Option<&'a str>,
    pub group: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

fn day(text: Option<&str>) -> StoreResult<Option<String>> {
    text.map(|t| t.parse::<Day>().map(|d| d.to_string()).map_err(|e| StoreError::BadRequest(e.to_string()))).transpose()
}

/// Adds a price list, or changes the one of that name.
pub fn add_price_list(tx: &impl Tx, list: &NewPriceList<'_>) -> StoreResult<()> {
    let name = list.name.trim();
    crate::storage::check_name("a price list's name", name)?;
    if name.is_empty() || name.len() > 40 {
        return Err(StoreError::BadRequest("a price list needs a name of at most 40 characters".into()));
    }
    let store = match list.store {
        Some(s) => {
            let id = store_id(tx, s)?;
            Some(tx.one::<String>("SELECT code FROM stores WHERE id = ?1", &[&id])?)
        }
        None => None,
    };
    let group = list.group.map(str::trim).filter(|g| !g.is_empty()).map(str::to_lowercase);
    if let Some(g) = &group {
        crate::storage::check_name("a customer group", g)?;
    }
    let (from, to) = (day(list.from)?, day(list.to)?);
    if let (Some(f), Some(t)) = (&from, &to)
        && t < f
    {
        return Err(StoreError::BadRequest(format!("price list {name} ends ({t}) before it starts ({f})")));
    }
    let version = next_version(tx, "catalog_version")?;
    tx.run(
        "INSERT INTO price_lists (name, store_code, customer_group, from_day, to_day, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (name) DO UPDATE SET store_code = excluded.store_code, customer_group = excluded.customer_group,
           from_day = excluded.from_day, to_day = excluded.to_day, version = excluded.version",
        &[&name, &store, &group, &from, &to, &version],
    )?;
    Ok(())
}

/// The SKU of the product a SKU or barcode names, and its unit.
fn sku_and_unit(tx: &impl Tx, code: &str) -> StoreResult<(String, Unit)> {
    let sku = product_sku(tx, code)?;
    let unit = tx.one::<String>("SELECT unit FROM products WHERE sku = ?1", &[&sku])?;
    let unit = unit.parse().map_err(|e| StoreError::Internal(format!("{sku}: {e}")))?;
    Ok((sku, unit))
}

/// Sets a product's price on a list from `min_qty` on (one piece, or any
/// weight, when none is given); returns the product's SKU.
pub fn set_list_price(
    tx: &impl Tx,
    list: &str,
    code: &str,
    price: Money,
    min_qty: Option<&str>,
) -> StoreResult<String> {
    if price.is_negative() {
        return Err(StoreError::BadRequest("a price cannot be negative".into()));
    }
    let list_name: String = tx
        .row("SELECT name FROM price_lists WHERE name = ?1", &[&list.trim()])?
        .ok_or_else(|| StoreError::NotFound(format!("no price list `{}`", excerpt(list))))?
        .get(0)?;
    let (sku, unit) = sku_and_unit(tx, code)?;
    let min_milli = match min_qty {
        Some(q) => {
            let qty = Quantity::parse(q, unit).map_err(|e| StoreError::BadRequest(e.to_string()))?;
            if qty.milli() <= 0 {
                return Err(StoreError::BadRequest("the least quantity must be above 0".into()));
            }
            qty.milli()
        }
        None if unit.is_measured() => 1,
        None => 1000,
    };
    let version = next_version(tx, "catalog_version")?;
    tx.run(
        "INSERT INTO list_prices (list_name, sku, min_milli, price_minor, version) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (list_name, sku, min_milli) DO UPDATE SET price_minor = excluded.price_minor, version = excluded.version",
        &[&list_name, &sku, &min_milli, &price.minor(), &version],
    )?;
    Ok(sku)
}

/// Adds (or changes) a pack of a product: `qty` units sold or received by
/// the pack's own barcode, at its own price when given. Returns the SKU.
pub fn add_pack(
    tx: &impl Tx,
    code: &str,
    qty: &str,
    barcode: Option<&str>,
    price: Option<Money>,
) -> StoreResult<String> {
    let (sku, unit) = sku_and_unit(tx, code)?;
    let qty = Quantity::parse(qty, unit).map_err(|e| StoreError::BadRequest(e.to_string()))?;
    if qty.milli() <= 1000 && !unit.is_measured() {
        return Err(StoreError::BadRequest("a pack holds more than one unit".into()));
    }
    if price.is_some_and(Money::is_negative) {
        return Err(StoreError::BadRequest("a price cannot be negative".into()));
    }
    let barcode = match barcode {
        Some(code) => {
            let parsed = Barcode::parse(code).map_err(|e| StoreError::BadRequest(e.to_string()))?;
            let key = parsed.lookup_key();
            let taken = tx.row(
                "SELECT sku FROM barcodes WHERE code = ?1 UNION ALL
                 SELECT sku FROM packs WHERE barcode = ?1 AND NOT (sku = ?2 AND qty_milli = ?3)",
                &[&key, &sku, &qty.milli()],
            )?;
            if let Some(owner) = taken {
                let owner: String = owner.get(0)?;
                return Err(StoreError::Conflict(format!("barcode {key} already belongs to {owner}")));
            }
            Some(key)
        }
        None => None,
    };
    let version = next_version(tx, "catalog_version")?;
    tx.run(
        "INSERT INTO packs (sku, qty_milli, barcode, price_minor, version) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sku, qty_milli) DO UPDATE SET barcode = excluded.barcode, price_minor = excluded.price_minor,
           version = excluded.version",
        &[&sku, &qty.milli(), &barcode, &price.map(Money::minor), &version],
    )?;
    Ok(sku)
}

/// Imports a promotion file: all its promotions (new or changed, by code)
/// or none, every bad line named.
pub fn import_promotions(tx: &impl Tx, csv: &[u8]) -> StoreResult<usize> {
    let promotions = read_promotions(csv).map_err(|errors| StoreError::BadRequest(errors.join("\n")))?;
    let mut unknown = Vec::new();
    for (promotion, _) in &promotions {
        for sku in &promotion.skus {
            if tx.row("SELECT 1 FROM products WHERE sku = ?1", &[sku])?.is_none() {
                unknown.push(format!("{}: no product {}", promotion.code, excerpt(sku)));
            }
        }
    }
    if !unknown.is_empty() {
        return Err(StoreError::BadRequest(unknown.join("\n")));
    }
    let count = promotions.len();
    for (promotion, fields) in promotions {
        let version = next_version(tx, "catalog_version")?;
        let stored = WirePromotion { fields }.stored();
        if let Some(coupon) = &promotion.coupon
            && let Some(other) =
                tx.row("SELECT code FROM promotions WHERE coupon = ?1 AND code <> ?2", &[coupon, &promotion.code])?
        {
            let other: String = other.get(0)?;
            return Err(StoreError::Conflict(format!("coupon {coupon} already opens promotion {other}")));
        }
        tx.run(
            "INSERT INTO promotions (code, fields, coupon, uses_allowed, version) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (code) DO UPDATE SET fields = excluded.fields, coupon = excluded.coupon,
               uses_allowed = excluded.uses_allowed, version = excluded.version",
            &[&promotion.code, &stored, &promotion.coupon, &promotion.uses, &version],
        )?;
    }
    Ok(count)
}

/// Price lists, list prices, promotions and packs changed in `(since, upto]`.
pub fn changed(tx: &impl Tx, since: u64, upto: u64) -> StoreResult<Changed> {
    let range = [&since as &dyn Param, &upto];
    let lists = tx
        .rows(
            "SELECT name, store_code, customer_group, from_day, to_day FROM price_lists
             WHERE version > ?1 AND version <= ?2 ORDER BY version",
            &range,
        )?
        .iter()
        .map(|r| {
            Ok(WirePriceList { name: r.get(0)?, store: r.get(1)?, group: r.get(2)?, from: r.get(3)?, to: r.get(4)? })
        })
        .collect::<StoreResult<_>>()?;
    let prices = tx
        .rows(
            "SELECT list_name, sku, min_milli, price_minor FROM list_prices WHERE version > ?1 AND version <= ?2
             ORDER BY version",
            &range,
        )?
        .iter()
        .map(|r| {
            Ok(WireListPrice {
                list: r.get(0)?,
                sku: r.get(1)?,
                min_qty: Quantity::from_milli(r.get(2)?).display(),
                price: Money::from_minor(r.get(3)?).to_string(),
            })
        })
        .collect::<StoreResult<_>>()?;
    let promotions = tx
        .rows("SELECT fields FROM promotions WHERE version > ?1 AND version <= ?2 ORDER BY version", &range)?
        .iter()
        .map(|r| stored_promotion(&r.get::<String>(0)?))
        .collect::<StoreResult<_>>()?;
    let packs = tx
        .rows(
            "SELECT sku, qty_milli, barcode, price_minor FROM packs WHERE version > ?1 AND version <= ?2 ORDER BY version",
            &range,
        )?
        .iter()
        .map(|r| {
            Ok(WirePack {
                sku: r.get(0)?,
                qty: Quantity::from_milli(r.get(1)?).display(),
                barcode: r.get(2)?,
                price: r.get::<Option<i64>>(3)?.map(|p| Money::from_minor(p).to_string()),
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(Changed { lists, prices, promotions, packs })
}

/// A promotion as the `promotions` table keeps it.
fn stored_promotion(text: &str) -> StoreResult<WirePromotion> {
    WirePromotion::from_stored(text).map_err(|e| StoreError::Internal(e.to_string()))
}

/// The price rules and packs a catalog page carries.
pub struct Changed {
    pub lists: Vec<WirePriceList>,
    pub prices: Vec<WireListPrice>,
    pub promotions: Vec<WirePromotion>,
    pub packs: Vec<WirePack>,
}

/// Counts the coupons a sale used; returns what head office must look at:
/// a coupon used more often than allowed (two tills offline took the same
/// single-use coupon), or one head office does not know.
pub fn record_coupons(tx: &impl Tx, sale: &SaleRecord, at_ms: i64) -> StoreResult<Vec<String>> {
    let mut problems = Vec::new();
    if sale.kind != SaleKind::Sale {
        return Ok(problems);
    }
    for coupon in &sale.coupons {
        let receipt = sale.receipt_no.to_string();
        tx.run(
            "INSERT INTO coupon_uses (code, receipt_no, at_ms) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            &[coupon, &receipt, &at_ms],
        )?;
        let Some(found) = tx.row("SELECT code, uses_allowed FROM promotions WHERE coupon = ?1", &[coupon])? else {
            problems.push(format!("receipt {receipt} used coupon {} head office does not know", excerpt(coupon)));
            continue;
        };
        let (promotion, allowed): (String, Option<u64>) = (found.get(0)?, found.get(1)?);
        let Some(allowed) = allowed else { continue };
        let used: u64 = tx.one("SELECT COUNT(*) FROM coupon_uses WHERE code = ?1", &[coupon])?;
        if used > allowed {
            problems.push(format!(
                "coupon {coupon} of promotion {promotion} used {used} times, {allowed} allowed: receipt {receipt} went beyond"
            ));
        }
    }
    Ok(problems)
}

/// A price list with how many prices it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriceListRow {
    pub name: String,
    pub store: Option<String>,
    pub group: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub prices: u64,
}

/// Every price list, by name.
pub fn price_lists(tx: &impl Tx) -> StoreResult<Vec<PriceListRow>> {
    tx.rows(
        "SELECT l.name, l.store_code, l.customer_group, l.from_day, l.to_day,
           (SELECT COUNT(*) FROM list_prices p WHERE p.list_name = l.name)
         FROM price_lists l ORDER BY l.name",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(PriceListRow {
            name: r.get(0)?,
            store: r.get(1)?,
            group: r.get(2)?,
            from: r.get(3)?,
            to: r.get(4)?,
            prices: r.get(5)?,
        })
    })
    .collect()
}

/// A promotion with what it cost and sold so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PromotionFigures {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub coupon: Option<String>,
    pub uses_allowed: Option<u32>,
    pub coupon_uses: u64,
    pub lines: u64,
    pub discount: Money,
    /// What the lines it discounted sold for, after every discount.
    pub net: Money,
}

/// Every promotion, with its cost and sales, by code.
pub fn promotion_figures(tx: &impl Tx) -> StoreResult<Vec<PromotionFigures>> {
    let rows = tx.rows(
        "SELECT p.code, p.fields,
           (SELECT COUNT(*) FROM coupon_uses u WHERE u.code = p.coupon),
           (SELECT COUNT(*) FROM promotion_lines l WHERE l.code = p.code),
           (SELECT CAST(COALESCE(SUM(l.discount_minor), 0) AS BIGINT) FROM promotion_lines l WHERE l.code = p.code),
           (SELECT CAST(COALESCE(SUM(s.net_minor), 0) AS BIGINT) FROM promotion_lines l
              JOIN sale_lines s ON s.receipt_no = l.receipt_no AND s.line_no = l.line_no WHERE l.code = p.code)
         FROM promotions p ORDER BY p.code",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            let promotion = stored_promotion(&r.get::<String>(1)?)?
                .to_promotion()
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            Ok(PromotionFigures {
                code: r.get(0)?,
                name: promotion.name,
                kind: promotion.kind.name().to_string(),
                coupon: promotion.coupon,
                uses_allowed: promotion.uses,
                coupon_uses: r.get(2)?,
                lines: r.get(3)?,
                discount: Money::from_minor(r.get(4)?),
                net: Money::from_minor(r.get(5)?),
            })
        })
        .collect()
}
