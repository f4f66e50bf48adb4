//! The local catalog: CSV import (all rows or none), lookup by barcode or SKU
//! on the scan path, and name search as you type (SQLite FTS5).

use pos_shared::barcode::{BarcodeError, EmbeddedValue, Scan};
use pos_shared::catalog::{CatalogError, CatalogRow, parse_catalog_csv};
use pos_shared::money::Money;
use pos_shared::pricing::TaxRate;
use pos_shared::quantity::{Quantity, Unit};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::Terminal;
use crate::error::{CoreError, CoreResult};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub price: Money,
    pub unit: Unit,
    pub tax_rate: TaxRate,
    pub cost: Option<Money>,
    pub category: String,
    pub archived: bool,
}

/// A pack of a product, found by the pack's own barcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pack {
    /// Units in the pack.
    pub size: Quantity,
    /// The pack's own price, when it has one (else its units' prices).
    pub price: Option<Money>,
}

/// A product found by a code, with what an in-store barcode carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub product: Product,
    pub embedded: Option<EmbeddedValue>,
    /// Set when the code was a pack's barcode.
    pub pack: Option<Pack>,
}

impl Found {
    /// The units `qty` scans of this code stand for (a case of 12: 12 each).
    pub fn units(&self, qty: Decimal) -> Decimal {
        self.pack.map_or(qty, |p| qty * p.size.value())
    }
}

pub(crate) const PRODUCT_COLUMNS: &str =
    "p.id, p.sku, p.name, p.price_minor, p.unit, p.tax_rate, p.cost_minor, p.category, p.archived";

pub(crate) fn product_from_row(row: &Row<'_>) -> rusqlite::Result<Product> {
    let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
    let invalid =
        |i: usize, e: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
    Ok(Product {
        id: row.get(0)?,
        sku: text(1)?,
        name: text(2)?,
        price: Money::from_minor(row.get(3)?),
        unit: text(4)?.parse().map_err(|e: pos_shared::quantity::QuantityError| invalid(4, e.0))?,
        tax_rate: text(5)?.parse().map_err(|e: pos_shared::pricing::PricingError| invalid(5, e.to_string()))?,
        cost: row.get::<_, Option<i64>>(6)?.map(Money::from_minor),
        category: text(7)?,
        archived: row.get(8)?,
    })
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub added: usize,
    pub updated: usize,
    pub barcodes: usize,
}

/// What happens to a barcode that another product holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BarcodeClash {
    /// A file that gives one barcode to two products is refused.
    Refuse,
    /// Head office moved the barcode; it follows.
    Reassign,
}

/// How the name search index follows a catalog change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SearchIndex {
    /// Row by row: cheap for a few products.
    PerRow,
    /// Rebuilt once at the end: cheaper for thousands.
    Rebuild,
    /// Left stale and flagged; `refresh_search_index` rebuilds it once after
    /// a multi-page catalog pull.
    Deferred,
}

/// Catalogs larger than this are indexed by one rebuild, not row by row.
const REBUILD_ABOVE: usize = 2_000;

/// Inserts or updates products by SKU inside `tx`; each row's barcodes
/// replace that product's barcodes.
pub(crate) fn upsert_catalog(
    tx: &Transaction<'_>,
    rows: &[CatalogRow],
    clash: BarcodeClash,
    index: SearchIndex,
) -> CoreResult<ImportSummary> {
    let mut summary = ImportSummary::default();
    let mut find = tx.prepare_cached("SELECT id, name, sku FROM products WHERE sku = ?1")?;
    let mut unindex = tx.prepare_cached(
        "INSERT INTO product_search (product_search, rowid, name, sku) VALUES ('delete', ?1, ?2, ?3)",
    )?;
    let mut reindex = tx.prepare_cached("INSERT INTO product_search (rowid, name, sku) VALUES (?1, ?2, ?3)")?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO products (sku, name, price_minor, unit, tax_rate, cost_minor, category, reorder_point_milli, archived)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
           unit = excluded.unit, tax_rate = excluded.tax_rate, cost_minor = excluded.cost_minor,
           category = excluded.category, reorder_point_milli = excluded.reorder_point_milli,
           archived = excluded.archived
         RETURNING id",
    )?;
    let mut clear = tx.prepare_cached("DELETE FROM barcodes WHERE product_id = ?1")?;
    let mut owner = tx.prepare_cached("SELECT product_id FROM barcodes WHERE code = ?1")?;
    let mut release = tx.prepare_cached("DELETE FROM barcodes WHERE code = ?1")?;
    let mut add = tx.prepare_cached("INSERT INTO barcodes (code, product_id) VALUES (?1, ?2)")?;
    for (line, item) in rows {
        let old: Option<(i64, String, String)> =
            find.query_row([&item.sku], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?;
        let id: i64 = upsert.query_row(
            params![
                item.sku,
                item.name,
                item.price.minor(),
                item.unit.as_str(),
                item.tax_rate.percent().to_string(),
                item.cost.map(Money::minor),
                item.category,
                item.reorder_point.map(Quantity::milli),
                item.archived,
            ],
            |r| r.get(0),
        )?;
        match &old {
            Some((old_id, old_name, old_sku)) => {
                summary.updated += 1;
                clear.execute([id])?;
                if index == SearchIndex::PerRow {
                    unindex.execute(params![old_id, old_name, old_sku])?;
                }
            }
            None => summary.added += 1,
        }
        if index == SearchIndex::PerRow {
            reindex.execute(params![id, item.name, item.sku])?;
        }
        for code in &item.barcodes {
            let taken: Option<i64> = owner.query_row([code], |r| r.get(0)).optional()?;
            match (taken, clash) {
                (Some(other), BarcodeClash::Refuse) if other != id => {
                    let message = format!("barcode {code} already belongs to another product");
                    return Err(CatalogError { line: *line, message }.into());
                }
                (Some(_), _) => {
                    release.execute([code])?;
                }
                (None, _) => {}
            }
            add.execute(params![code, id])?;
            summary.barcodes += 1;
        }
    }
    match index {
        SearchIndex::PerRow => {}
        SearchIndex::Rebuild => rebuild_search_index(tx)?,
        SearchIndex::Deferred => {
            tx.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('search_stale', '1')", [])?;
        }
    }
    Ok(summary)
}

fn rebuild_search_index(conn: &rusqlite::Connection) -> CoreResult<()> {
    conn.execute("INSERT INTO product_search (product_search) VALUES ('rebuild')", [])?;
    Ok(())
}

impl Terminal {
    /// Imports a catalog CSV: every row valid or nothing changes. Products
    /// are matched by SKU; a row's barcodes replace that product's barcodes.
    pub fn import_catalog(&mut self, csv: &[u8]) -> CoreResult<ImportSummary> {
        let rows = parse_catalog_csv(csv)?;
        let index = if rows.len() > REBUILD_ABOVE { SearchIndex::Rebuild } else { SearchIndex::PerRow };
        let tx = self.conn.transaction()?;
        let summary = upsert_catalog(&tx, &rows, BarcodeClash::Refuse, index)?;
        tx.commit()?;
        Ok(summary)
    }

    /// Rebuilds the name search index if a catalog pull left it stale.
    pub fn refresh_search_index(&mut self) -> CoreResult<()> {
        let tx = self.conn.transaction()?;
        let stale = tx.query_row("SELECT 1 FROM sync_state WHERE key = 'search_stale'", [], |_| Ok(())).optional()?;
        if stale.is_some() {
            rebuild_search_index(&tx)?;
            tx.execute("DELETE FROM sync_state WHERE key = 'search_stale'", [])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn product_by_sku(&self, sku: &str) -> CoreResult<Option<Product>> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.sku = ?1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([sku], product_from_row).optional()?)
    }

    fn product_by_barcode(&self, key: &str) -> CoreResult<Option<Product>> {
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = ?1"
        );
        Ok(self.conn.prepare_cached(&sql)?.query_row([key], product_from_row).optional()?)
    }

    /// The pack whose own barcode is `key`, with its product.
    fn pack_by_barcode(&self, key: &str) -> CoreResult<Option<Found>> {
        let found: Option<(String, i64, Option<i64>)> = self
            .conn
            .prepare_cached("SELECT sku, qty_milli, price_minor FROM packs WHERE barcode = ?1")?
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((sku, milli, price)) = found else { return Ok(None) };
        let Some(product) = self.product_by_sku(&sku)? else { return Ok(None) };
        let pack = Pack { size: Quantity::from_milli(milli), price: price.map(Money::from_minor) };
        Ok(Some(Found { product, embedded: None, pack: Some(pack) }))
    }

    /// Finds what a scanned or typed code names: a barcode (plain or with an
    /// embedded weight or price) or a SKU. A misread barcode says so.
    pub fn find_code(&self, code: &str) -> CoreResult<Found> {
        let code = code.trim();
        let unknown = || CoreError::UnknownCode(pos_shared::entry_rules::excerpt(code));
        match Scan::parse(code, &self.settings.embedded) {
            Ok(Scan::Plain(barcode)) => {
                let key = barcode.lookup_key();
                if let Some(product) = self.product_by_barcode(&key)? {
                    return Ok(Found { product, embedded: None, pack: None });
                }
                if let Some(found) = self.pack_by_barcode(&key)? {
                    return Ok(found);
                }
                let product = self.product_by_sku(code)?.ok_or_else(unknown)?;
                Ok(Found { product, embedded: None, pack: None })
            }
            Ok(Scan::Embedded { product, value }) => {
                let product = self.product_by_barcode(product.digits())?.ok_or_else(unknown)?;
                Ok(Found { product, embedded: Some(value), pack: None })
            }
            Err(BarcodeError::CheckDigit(_)) if code.bytes().all(|b| b.is_ascii_digit()) => {
                let product = self.product_by_sku(code)?;
                product
                    .map(|product| Found { product, embedded: None, pack: None })
                    .ok_or_else(|| CoreError::Barcode(BarcodeError::CheckDigit(code.to_string())))
            }
            Err(_) => {
                let product = self.product_by_sku(code)?.ok_or_else(unknown)?;
                Ok(Found { product, embedded: None, pack: None })
            }
        }
    }

    /// Products whose name or SKU has words starting with each typed word.
    /// Words of one letter are skipped: the index keeps prefixes from two
    /// letters, and one letter narrows nothing in a large catalog.
    pub fn search_products(&self, typed: &str, limit: usize) -> CoreResult<Vec<Product>> {
        let terms: Vec<String> = typed
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .map(|w| format!("\"{w}\"*"))
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM product_search s JOIN products p ON p.id = s.rowid
             WHERE product_search MATCH ?1 AND p.archived = 0 LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![terms.join(" "), limit as i64], product_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn product_count(&self) -> CoreResult<u64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM products WHERE archived = 0", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests;
