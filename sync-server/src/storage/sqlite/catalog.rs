//! Head office's catalog: products, barcodes, prices, users and customers,
//! each change stamped with a new catalog version so terminals pull only
//! what changed since their cursor.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use pos_shared::barcode::Barcode;
use pos_shared::catalog::{CatalogItem, parse_catalog_csv};
use pos_shared::money::Money;
use pos_shared::pins;
use pos_shared::protocol::{CatalogPage, PROTOCOL_VERSION, WireCustomer, WireProduct, WireUser};
use pos_shared::quantity::Quantity;
use pos_shared::roles::Role;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::SqliteStore;
use crate::storage::{StoreError, StoreResult, TerminalAuth};

pub(super) fn next_version(tx: &Transaction<'_>, name: &str) -> StoreResult<u64> {
    Ok(tx
        .prepare_cached("UPDATE counters SET value = value + 1 WHERE name = ?1 RETURNING value")?
        .query_row([name], |r| r.get(0))?)
}

pub(super) fn page(conn: &mut Connection, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<CatalogPage> {
    // One read transaction: the cursor and the rows come from one snapshot.
    let tx = conn.transaction()?;
    let conn: &Connection = &tx;
    let head: u64 = conn.query_row("SELECT value FROM counters WHERE name = 'catalog_version'", [], |r| r.get(0))?;
    if since > head {
        return Err(StoreError::CursorAhead { cursor: since, head });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT sku, name, price_minor, unit, tax_rate, cost_minor, category, reorder_point_milli, archived, version,
           (SELECT group_concat(code, '|') FROM barcodes b WHERE b.sku = p.sku)
         FROM products p WHERE version > ?1 ORDER BY version LIMIT ?2",
    )?;
    let mut rows: Vec<(u64, WireProduct)> = stmt
        .query_map(params![since, limit as u64 + 1], |r| {
            let barcodes: Option<String> = r.get(10)?;
            let milli: Option<i64> = r.get(7)?;
            Ok((
                r.get(9)?,
                WireProduct {
                    sku: r.get(0)?,
                    name: r.get(1)?,
                    price: Money::from_minor(r.get(2)?).to_string(),
                    unit: r.get(3)?,
                    tax_rate: r.get(4)?,
                    cost: r.get::<_, Option<i64>>(5)?.map(|c| Money::from_minor(c).to_string()),
                    category: r.get(6)?,
                    reorder_point: milli.map(|m| Quantity::from_milli(m).display()),
                    archived: r.get(8)?,
                    barcodes: barcodes.map(|b| b.split('|').map(str::to_string).collect()).unwrap_or_default(),
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    // The cursor after this page: the last product's version when more
    // follow, else everything up to now.
    let upper = match rows.last() {
        Some(&(version, _)) if more => version,
        _ => head,
    };
    let products = rows.into_iter().map(|(_, product)| product).collect();
    let users = conn
        .prepare_cached(
            // Another store's staff come as inactive, without their PIN hash.
            "SELECT name, role, CASE WHEN store_id IS NULL OR store_id = ?3 THEN pin_hash ELSE '' END,
               active AND (store_id IS NULL OR store_id = ?3)
             FROM users WHERE version > ?1 AND version <= ?2 ORDER BY version",
        )?
        .query_map(params![since, upper, auth.store_id], |r| {
            Ok(WireUser { name: r.get(0)?, role: r.get(1)?, pin_hash: r.get(2)?, active: r.get(3)? })
        })?
        .collect::<Result<_, _>>()?;
    let customers = conn
        .prepare_cached(
            "SELECT code, name, email, phone FROM customers WHERE version > ?1 AND version <= ?2 ORDER BY version",
        )?
        .query_map(params![since, upper], |r| {
            Ok(WireCustomer { code: r.get(0)?, name: r.get(1)?, email: r.get(2)?, phone: r.get(3)? })
        })?
        .collect::<Result<_, _>>()?;
    Ok(CatalogPage { protocol_version: PROTOCOL_VERSION, products, users, customers, next_cursor: upper, more })
}

fn upsert_product(tx: &Transaction<'_>, item: &CatalogItem, line: u64) -> StoreResult<()> {
    let version = next_version(tx, "catalog_version")?;
    tx.prepare_cached(
        "INSERT INTO products (sku, name, price_minor, unit, tax_rate, cost_minor, category, reorder_point_milli, archived, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor, unit = excluded.unit,
           tax_rate = excluded.tax_rate, cost_minor = excluded.cost_minor, category = excluded.category,
           reorder_point_milli = excluded.reorder_point_milli, archived = excluded.archived, version = excluded.version",
    )?
    .execute(params![
        item.sku,
        item.name,
        item.price.minor(),
        item.unit.as_str(),
        item.tax_rate.percent().to_string(),
        item.cost.map(Money::minor),
        item.category,
        item.reorder_point.map(Quantity::milli),
        item.archived,
        version,
    ])?;
    tx.prepare_cached("DELETE FROM barcodes WHERE sku = ?1")?.execute([&item.sku])?;
    for code in &item.barcodes {
        let owner: Option<String> = tx
            .prepare_cached("SELECT sku FROM barcodes WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?;
        if let Some(owner) = owner {
            return Err(StoreError::BadRequest(format!(
                "catalog line {line}: barcode {code} already belongs to {owner}"
            )));
        }
        tx.prepare_cached("INSERT INTO barcodes (code, sku) VALUES (?1, ?2)")?.execute(params![code, item.sku])?;
    }
    Ok(())
}

impl SqliteStore {
    /// Imports a catalog CSV (the terminal's format): all rows or none.
    pub fn import_catalog(&self, csv: &[u8]) -> StoreResult<usize> {
        let rows = parse_catalog_csv(csv).map_err(|e| StoreError::BadRequest(e.to_string()))?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (line, item) in &rows {
            upsert_product(&tx, item, *line)?;
        }
        tx.commit()?;
        Ok(rows.len())
    }

    /// Sets the price of the product a SKU or barcode names.
    pub fn set_price(&self, code: &str, price: Money) -> StoreResult<String> {
        if price.is_negative() {
            return Err(StoreError::BadRequest("a price cannot be negative".into()));
        }
        self.change_product(code, "price_minor", price.minor())
    }

    /// Stops selling a product; terminals keep it for old receipts and returns.
    pub fn archive_product(&self, code: &str) -> StoreResult<String> {
        self.change_product(code, "archived", 1)
    }

    /// Sets one column of the product a SKU or barcode names, as a new
    /// catalog version.
    fn change_product(&self, code: &str, column: &'static str, value: i64) -> StoreResult<String> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let key = Barcode::parse(code).map(|b| b.lookup_key()).unwrap_or_else(|_| code.to_string());
        let sku: String = tx
            .query_row(
                "SELECT sku FROM products WHERE sku = ?1 UNION SELECT sku FROM barcodes WHERE code = ?2",
                params![code.trim(), key],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("no product with code `{code}`")))?;
        let version = next_version(&tx, "catalog_version")?;
        let sql = format!("UPDATE products SET {column} = ?1, version = ?2 WHERE sku = ?3");
        tx.execute(&sql, params![value, version, sku])?;
        tx.commit()?;
        Ok(sku)
    }

    /// Adds (or changes) a user who can log in, after its next sync, on
    /// every terminal of `store`, or of every store when none is given. A
    /// manager's PIN has at least six digits (a store may ask for more at
    /// its tills); a cashier's differs from those of the cashiers who share
    /// a till with them, since a PIN alone may name a cashier.
    pub fn add_user(&self, name: &str, role: Role, pin: &str, store: Option<&str>) -> StoreResult<()> {
        let store_id = store.map(|s| self.store_id(s)).transpose()?;
        crate::storage::check_name("a user's name", name)?;
        if name.trim().is_empty() {
            return Err(StoreError::BadRequest("a user needs a name".into()));
        }
        pins::check_pin(pin, role, pins::MANAGER_DIGITS).map_err(StoreError::BadRequest)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let hashes: Vec<String> = match role {
            Role::Manager => Vec::new(),
            // Another cashier's PIN at a till this one works at; changing a
            // user keeps their own.
            Role::Cashier => tx
                .prepare(
                    "SELECT pin_hash FROM users WHERE name <> ?1 AND role = 'cashier' AND active = 1
                       AND (store_id IS NULL OR ?2 IS NULL OR store_id = ?2)",
                )?
                .query_map(params![name.trim(), store_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?,
        };
        let taken = hashes.iter().any(|h| {
            PasswordHash::new(h).is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
        });
        if taken {
            return Err(StoreError::Conflict("that PIN is taken: choose another".into()));
        }
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(pin.as_bytes(), &salt)
            .map_err(|e| StoreError::Internal(e.to_string()))?
            .to_string();
        let version = next_version(&tx, "catalog_version")?;
        tx.execute(
            "INSERT INTO users (name, role, pin_hash, active, version, store_id) VALUES (?1, ?2, ?3, 1, ?4, ?5)
             ON CONFLICT (name) DO UPDATE SET role = excluded.role, pin_hash = excluded.pin_hash, active = 1,
               version = excluded.version, store_id = excluded.store_id",
            params![name.trim(), role.as_str(), hash, version, store_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a customer; returns their code (`C000001`, ...).
    pub fn add_customer(&self, name: &str, email: Option<&str>, phone: Option<&str>) -> StoreResult<String> {
        if name.trim().is_empty() {
            return Err(StoreError::BadRequest("a customer needs a name".into()));
        }
        for (what, text) in [("name", Some(name)), ("e-mail", email), ("phone", phone)] {
            crate::storage::check_name(&format!("the customer's {what}"), text.unwrap_or_default())?;
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let code = format!("C{:06}", next_version(&tx, "customer")?);
        let version = next_version(&tx, "catalog_version")?;
        tx.execute(
            "INSERT INTO customers (code, name, email, phone, version) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![code, name.trim(), email, phone, version],
        )?;
        tx.commit()?;
        Ok(code)
    }
}
