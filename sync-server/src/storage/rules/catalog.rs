//! Head office's catalog: products, barcodes, prices, users and customers,
//! each change stamped with a new catalog version so terminals pull only
//! what changed since their cursor.
//!
//! Versions come from one counter row that each change updates in its own
//! transaction: the row stays locked until that transaction ends, so
//! versions commit in the order they were taken (a till can never see
//! version N+1 and later find N appear behind its cursor), on every
//! database.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use pos_shared::barcode::Barcode;
use pos_shared::catalog::{CatalogItem, parse_catalog_csv};
use pos_shared::entry_rules::excerpt;
use pos_shared::money::Money;
use pos_shared::pins;
use pos_shared::protocol::{CatalogPage, PROTOCOL_VERSION, WireCustomer, WireProduct, WireUser};
use pos_shared::quantity::Quantity;
use pos_shared::roles::Role;

use super::admin::store_id;
use crate::storage::sql::{Row, Tx};
use crate::storage::{StoreError, StoreResult, TerminalAuth};

/// The next value of a named counter (versions, document numbers).
pub fn next_version(tx: &impl Tx, name: &str) -> StoreResult<u64> {
    tx.one("UPDATE counters SET value = value + 1 WHERE name = ?1 RETURNING value", &[&name])
}

/// The columns [`wire_product`] reads, of `products p`.
pub const PRODUCT_COLUMNS: &str = "sku, name, price_minor, unit, tax_rate, cost_minor, category, reorder_point_milli,
    archived, version, (SELECT string_agg(code, '|') FROM barcodes b WHERE b.sku = p.sku)";

/// A product as tills receive it, from a row of [`PRODUCT_COLUMNS`].
pub fn wire_product(row: &Row) -> StoreResult<WireProduct> {
    let barcodes: Option<String> = row.get(10)?;
    Ok(WireProduct {
        sku: row.get(0)?,
        name: row.get(1)?,
        price: Money::from_minor(row.get(2)?).to_string(),
        unit: row.get(3)?,
        tax_rate: row.get(4)?,
        cost: row.get::<Option<i64>>(5)?.map(|c| Money::from_minor(c).to_string()),
        category: row.get(6)?,
        reorder_point: row.get::<Option<i64>>(7)?.map(|m| Quantity::from_milli(m).display()),
        archived: row.get(8)?,
        barcodes: barcodes.map(|b| b.split('|').map(str::to_string).collect()).unwrap_or_default(),
    })
}

/// Catalog changes after `since` (at most `limit` products), with the
/// users and customers changed up to the same cursor. Run in one snapshot.
pub fn page(tx: &impl Tx, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<CatalogPage> {
    let head: u64 = tx.one("SELECT value FROM counters WHERE name = 'catalog_version'", &[])?;
    if since > head {
        return Err(StoreError::CursorAhead { cursor: since, head });
    }
    let rows = tx.rows(
        &format!("SELECT {PRODUCT_COLUMNS} FROM products p WHERE version > ?1 ORDER BY version LIMIT ?2"),
        &[&since, &(limit as u64 + 1)],
    )?;
    let more = rows.len() > limit;
    let mut products = Vec::with_capacity(rows.len().min(limit));
    let mut last_version = since;
    for row in rows.iter().take(limit) {
        products.push(wire_product(row)?);
        last_version = row.get(9)?;
    }
    // The cursor after this page: the last product's version when more
    // follow, else everything up to now.
    let upper = if more { last_version } else { head };
    let users = tx
        .rows(
            // Another store's staff come as inactive, without their PIN hash.
            "SELECT name, role, CASE WHEN store_id IS NULL OR store_id = ?3 THEN pin_hash ELSE '' END,
               CASE WHEN active = 1 AND (store_id IS NULL OR store_id = ?3) THEN 1 ELSE 0 END
             FROM users WHERE version > ?1 AND version <= ?2 ORDER BY version",
            &[&since, &upper, &auth.store_id],
        )?
        .iter()
        .map(|r| Ok(WireUser { name: r.get(0)?, role: r.get(1)?, pin_hash: r.get(2)?, active: r.get(3)? }))
        .collect::<StoreResult<_>>()?;
    let customers = tx
        .rows(
            "SELECT code, name, email, phone, customer_group, credit_limit_minor, terms_days, vat_number, address
             FROM customers WHERE version > ?1 AND version <= ?2 ORDER BY version",
            &[&since, &upper],
        )?
        .iter()
        .map(|r| {
            Ok(WireCustomer {
                code: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                phone: r.get(3)?,
                group: r.get(4)?,
                credit_limit: r.get::<Option<i64>>(5)?.map(Money::from_minor),
                terms_days: r.get(6)?,
                vat_number: r.get(7)?,
                address: r.get(8)?,
            })
        })
        .collect::<StoreResult<_>>()?;
    let rules = super::prices::changed(tx, since, upper)?;
    Ok(CatalogPage {
        protocol_version: PROTOCOL_VERSION,
        products,
        users,
        customers,
        price_lists: rules.lists,
        list_prices: rules.prices,
        promotions: rules.promotions,
        packs: rules.packs,
        next_cursor: upper,
        more,
    })
}

/// Writes a product (new or changed) and its barcodes as a new catalog
/// version; `line` names it in an error.
pub(crate) fn upsert_product(tx: &impl Tx, item: &CatalogItem, line: u64) -> StoreResult<()> {
    let version = next_version(tx, "catalog_version")?;
    tx.run(
        "INSERT INTO products (sku, name, price_minor, unit, tax_rate, cost_minor, category, reorder_point_milli, archived, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor, unit = excluded.unit,
           tax_rate = excluded.tax_rate, cost_minor = excluded.cost_minor, category = excluded.category,
           reorder_point_milli = excluded.reorder_point_milli, archived = excluded.archived, version = excluded.version",
        &[
            &item.sku,
            &item.name,
            &item.price.minor(),
            &item.unit.as_str(),
            &item.tax_rate.percent().to_string(),
            &item.cost.map(Money::minor),
            &item.category,
            &item.reorder_point.map(Quantity::milli),
            &item.archived,
            &version,
        ],
    )?;
    super::product_words::index(tx, &item.sku, &item.name, &item.category)?;
    tx.run("DELETE FROM barcodes WHERE sku = ?1", &[&item.sku])?;
    for code in &item.barcodes {
        if let Some(owner) = tx.row("SELECT sku FROM barcodes WHERE code = ?1", &[code])? {
            return Err(StoreError::BadRequest(format!(
                "catalog line {line}: barcode {code} already belongs to {}",
                owner.get::<String>(0)?
            )));
        }
        tx.run("INSERT INTO barcodes (code, sku) VALUES (?1, ?2)", &[code, &item.sku])?;
    }
    Ok(())
}

/// Imports a catalog CSV (the terminal's format): all rows or none.
pub fn import_catalog(tx: &impl Tx, csv: &[u8]) -> StoreResult<usize> {
    let rows = parse_catalog_csv(csv).map_err(|e| StoreError::BadRequest(e.to_string()))?;
    for (line, item) in &rows {
        upsert_product(tx, item, *line)?;
    }
    Ok(rows.len())
}

/// Sets the price of the product a SKU or barcode names.
pub fn set_price(tx: &impl Tx, code: &str, price: Money) -> StoreResult<String> {
    if price.is_negative() {
        return Err(StoreError::BadRequest("a price cannot be negative".into()));
    }
    change_product(tx, code, "price_minor", price.minor())
}

/// Stops selling a product; terminals keep it for old receipts and returns.
pub fn archive_product(tx: &impl Tx, code: &str) -> StoreResult<String> {
    change_product(tx, code, "archived", 1)
}

/// The SKU of the product a SKU or a barcode (as scanned: its lookup
/// form) names.
pub fn product_sku(tx: &impl Tx, code: &str) -> StoreResult<String> {
    let code = code.trim();
    let key = Barcode::parse(code).map(|b| b.lookup_key()).unwrap_or_else(|_| code.to_string());
    let found = tx.row(
        "SELECT sku FROM products WHERE sku = ?1 UNION SELECT sku FROM barcodes WHERE code = ?2",
        &[&code, &key],
    )?;
    found.ok_or_else(|| StoreError::NotFound(format!("unknown product `{}`", excerpt(code))))?.get(0)
}

/// Sets one column of the product a SKU or barcode names, as a new
/// catalog version.
fn change_product(tx: &impl Tx, code: &str, column: &'static str, value: i64) -> StoreResult<String> {
    let sku = product_sku(tx, code)?;
    let version = next_version(tx, "catalog_version")?;
    let sql = format!("UPDATE products SET {column} = ?1, version = ?2 WHERE sku = ?3");
    tx.run(&sql, &[&value, &version, &sku])?;
    Ok(sku)
}

/// Adds a user who can log in, after its next sync, on every terminal of
/// `store`, or of every store when none is given. A name that exists is
/// refused: changing a person is [`change_user`]'s.
pub fn add_user(tx: &impl Tx, name: &str, role: Role, pin: &str, store: Option<&str>) -> StoreResult<()> {
    if tx.row("SELECT 1 FROM users WHERE name = ?1", &[&name.trim()])?.is_some() {
        return Err(StoreError::Conflict(format!(
            "a till user named `{}` exists already: `pos-sync-server user change` changes their role, store or PIN",
            excerpt(name.trim())
        )));
    }
    save_user(tx, name, role, pin, store)
}

/// What `user change` changes; what is not given stays as it was.
#[derive(Clone, Copy, Debug, Default)]
pub struct UserChange<'a> {
    pub role: Option<Role>,
    pub pin: Option<&'a str>,
    /// `Some(None)`: every store.
    pub store: Option<Option<&'a str>>,
}

/// Changes an existing till user's role, store or PIN. A new role, or a
/// cashier's new store, needs a new PIN too: PIN rules are per role, and a
/// cashier's PIN must differ from those of the cashiers at their store.
pub fn change_user(tx: &impl Tx, name: &str, change: UserChange<'_>) -> StoreResult<()> {
    let name = name.trim();
    let found = tx.row(
        "SELECT u.role, s.code FROM users u LEFT JOIN stores s ON s.id = u.store_id WHERE u.name = ?1",
        &[&name],
    )?;
    let row = found.ok_or_else(|| StoreError::NotFound(format!("no till user named `{}`", excerpt(name))))?;
    let role: Role = row.get::<String>(0)?.parse().map_err(StoreError::Internal)?;
    let store: Option<String> = row.get(1)?;
    if change.role.is_none() && change.pin.is_none() && change.store.is_none() {
        return Err(StoreError::BadRequest("say what changes: --role, --store, --every-store or --pin".into()));
    }
    let new_role = change.role.unwrap_or(role);
    let new_store = change.store.map_or(store.as_deref(), |s| s);
    match change.pin {
        Some(pin) => save_user(tx, name, new_role, pin, new_store),
        None if new_role != role || (new_role == Role::Cashier && new_store != store.as_deref()) => {
            Err(StoreError::BadRequest("a new role, or a cashier's new store, needs a new PIN too (--pin)".into()))
        }
        None => {
            let store_id = new_store.map(|s| store_id(tx, s)).transpose()?;
            let version = next_version(tx, "catalog_version")?;
            tx.run("UPDATE users SET store_id = ?2, version = ?3 WHERE name = ?1", &[&name, &store_id, &version])?;
            Ok(())
        }
    }
}

/// Adds or changes a user who can log in, after its next sync, on every
/// terminal of `store`, or of every store when none is given (the back
/// office's form, which shows what it changed). A manager's PIN has at
/// least six digits (a store may ask for more at its tills); a cashier's
/// differs from those of the cashiers who share a till with them, since a
/// PIN alone may name a cashier.
pub fn save_user(tx: &impl Tx, name: &str, role: Role, pin: &str, store: Option<&str>) -> StoreResult<()> {
    let store_id = store.map(|s| store_id(tx, s)).transpose()?;
    crate::storage::check_name("a user's name", name)?;
    if name.trim().is_empty() {
        return Err(StoreError::BadRequest("a user needs a name".into()));
    }
    pins::check_pin(pin, role, pins::MANAGER_DIGITS).map_err(StoreError::BadRequest)?;
    if role == Role::Cashier {
        // Another cashier's PIN at a till this one works at; changing a
        // user keeps their own.
        let others = tx.rows(
            "SELECT pin_hash FROM users WHERE name <> ?1 AND role = 'cashier' AND active = 1
               AND (store_id IS NULL OR CAST(?2 AS BIGINT) IS NULL OR store_id = ?2)",
            &[&name.trim(), &store_id],
        )?;
        for row in &others {
            let hash: String = row.get(0)?;
            if PasswordHash::new(&hash)
                .is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
            {
                return Err(StoreError::Conflict("that PIN is taken: choose another".into()));
            }
        }
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash =
        Argon2::default().hash_password(pin.as_bytes(), &salt).map_err(|e| StoreError::Internal(e.to_string()))?;
    let version = next_version(tx, "catalog_version")?;
    tx.run(
        "INSERT INTO users (name, role, pin_hash, active, version, store_id) VALUES (?1, ?2, ?3, 1, ?4, ?5)
         ON CONFLICT (name) DO UPDATE SET role = excluded.role, pin_hash = excluded.pin_hash, active = 1,
           version = excluded.version, store_id = excluded.store_id",
        &[&name.trim(), &role.as_str(), &hash.to_string(), &version, &store_id],
    )?;
    Ok(())
}

/// A customer as `customer add` describes them.
#[derive(Clone, Copy, Debug, Default)]
pub struct NewCustomer<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// The customer group whose price lists apply (trade, staff...).
    pub group: Option<&'a str>,
    pub account: super::credit::AccountTerms<'a>,
}

/// Adds a customer; returns their code (`C000001`, ...).
pub fn add_customer(tx: &impl Tx, customer: &NewCustomer<'_>) -> StoreResult<String> {
    let NewCustomer { name, email, phone, group, account } = *customer;
    if name.trim().is_empty() {
        return Err(StoreError::BadRequest("a customer needs a name".into()));
    }
    for (what, text) in [("name", Some(name)), ("e-mail", email), ("phone", phone), ("group", group)] {
        crate::storage::check_name(&format!("the customer's {what}"), text.unwrap_or_default())?;
    }
    let group = group.map(str::trim).filter(|g| !g.is_empty()).map(str::to_lowercase);
    let code = format!("C{:06}", next_version(tx, "customer")?);
    let version = next_version(tx, "catalog_version")?;
    tx.run(
        "INSERT INTO customers (code, name, email, phone, version, customer_group) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[&code, &name.trim(), &email, &phone, &version, &group],
    )?;
    super::credit::set_account(tx, &code, &account)?;
    Ok(code)
}
