//! The catalog as the back office edits it: one product read and saved
//! through the same field checks as a CSV row, a search as you type (over
//! [`product_words`]), and a
//! CSV import previewed (what is new, what changes, every bad line) before
//! anything is written, and the catalog exported in the format it imports.

use std::collections::HashMap;

use pos_shared::catalog::{CatalogError, item_from_fields, read_catalog_csv};
use pos_shared::protocol::WireProduct;

use super::catalog::{PRODUCT_COLUMNS, product_sku, upsert_product, wire_product};
use super::product_words;
use crate::storage::sql::{Param, Tx};
use crate::storage::{StoreError, StoreResult};

/// Products a search lists at most.
pub const SEARCH_LIMIT: u32 = 50;

/// The catalog CSV's columns, in the order an export writes them.
pub const COLUMNS: [&str; 9] =
    ["sku", "name", "price", "barcode", "unit", "tax_rate", "cost", "category", "reorder_point"];

/// A product's fields by CSV column, as a form shows them and an export
/// writes them.
pub fn fields(product: &WireProduct) -> [(&'static str, String); 9] {
    let values = [
        product.sku.clone(),
        product.name.clone(),
        product.price.clone(),
        product.barcodes.join("|"),
        product.unit.clone(),
        product.tax_rate.clone(),
        product.cost.clone().unwrap_or_default(),
        product.category.clone(),
        product.reorder_point.clone().unwrap_or_default(),
    ];
    let mut columns = COLUMNS.into_iter();
    values.map(|v| (columns.next().unwrap_or_default(), v))
}

/// The product a SKU or barcode names.
pub fn product(tx: &impl Tx, code: &str) -> StoreResult<WireProduct> {
    let sku = product_sku(tx, code)?;
    wire_product(&tx.one_row(&format!("SELECT {PRODUCT_COLUMNS} FROM products p WHERE sku = ?1"), &[&sku])?)
}

/// Saves a product from its fields (a new one when the SKU is new),
/// checked as a CSV row is; archived ones stay archived. Returns it before
/// (if it existed) and after.
pub fn save_product(tx: &impl Tx, form: &HashMap<String, String>) -> StoreResult<(Option<WireProduct>, WireProduct)> {
    let mut item =
        item_from_fields(|name| form.get(name).map_or("", String::as_str)).map_err(StoreError::BadRequest)?;
    let before = match product(tx, &item.sku) {
        Ok(found) if found.sku.eq_ignore_ascii_case(&item.sku) => Some(found),
        Ok(_) | Err(StoreError::NotFound(_)) => None,
        Err(other) => return Err(other),
    };
    if let Some(before) = &before {
        item.sku.clone_from(&before.sku);
        item.archived = before.archived;
    }
    upsert_product(tx, &item, 1).map_err(|e| match e {
        StoreError::BadRequest(message) => StoreError::BadRequest(message.replace("catalog line 1: ", "")),
        other => other,
    })?;
    Ok((before, product(tx, &item.sku)?))
}

/// Products found by what a person typed: the product a SKU or barcode
/// names exactly first, then those with a word starting with each typed
/// word (in any order, accents ignored), by name.
pub fn search(tx: &impl Tx, query: &str, limit: u32) -> StoreResult<Vec<WireProduct>> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let exact = match product_sku(tx, query) {
        Ok(sku) => Some(sku),
        Err(StoreError::NotFound(_)) => None,
        Err(other) => return Err(other),
    };
    let mut skus: Vec<String> = exact.iter().cloned().collect();
    for sku in product_words::matching(tx, query, limit)? {
        if !skus.iter().any(|s| s.eq_ignore_ascii_case(&sku)) {
            skus.push(sku);
        }
    }
    skus.truncate(limit as usize);
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=skus.len()).map(|i| format!("?{i}")).collect();
    let params: Vec<&dyn Param> = skus.iter().map(|s| s as &dyn Param).collect();
    let rows =
        tx.rows(&format!("SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.sku IN ({})", marks.join(", ")), &params)?;
    let mut found = rows.iter().map(wire_product).collect::<StoreResult<Vec<_>>>()?;
    let first = |p: &WireProduct| exact.as_ref().is_some_and(|sku| sku.eq_ignore_ascii_case(&p.sku));
    found.sort_by_cached_key(|p| (!first(p), p.archived, p.name.to_lowercase()));
    Ok(found)
}

/// What importing a CSV would do, before anything is written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportPreview {
    pub added: Vec<WireProduct>,
    /// Each changed product before and after.
    pub changed: Vec<(WireProduct, WireProduct)>,
    pub unchanged: usize,
    /// Every bad line; with any, nothing is imported.
    pub errors: Vec<CatalogError>,
}

/// Reads a CSV against the catalog as it is, writing nothing.
pub fn preview_import(tx: &impl Tx, csv: &[u8]) -> StoreResult<ImportPreview> {
    let (rows, errors) = read_catalog_csv(csv);
    let mut preview = ImportPreview { errors, ..ImportPreview::default() };
    for (_, item) in rows {
        let after = WireProduct::from(&item);
        match product(tx, &item.sku) {
            Ok(before) if before.sku.eq_ignore_ascii_case(&item.sku) => {
                let after = WireProduct { sku: before.sku.clone(), archived: before.archived, ..after };
                if fields(&before) == fields(&after) {
                    preview.unchanged += 1;
                } else {
                    preview.changed.push((before, after));
                }
            }
            Ok(_) | Err(StoreError::NotFound(_)) => preview.added.push(after),
            Err(other) => return Err(other),
        }
    }
    Ok(preview)
}

/// The whole catalog (archived products left out) as a CSV the import reads back.
pub fn export(tx: &impl Tx) -> StoreResult<String> {
    let rows = tx.rows(&format!("SELECT {PRODUCT_COLUMNS} FROM products p WHERE archived = 0 ORDER BY sku"), &[])?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| StoreError::Internal(e.to_string());
    out.write_record(COLUMNS).map_err(internal)?;
    for row in &rows {
        out.write_record(fields(&wire_product(row)?).map(|(_, v)| crate::csv_export::neutralise(&v)))
            .map_err(internal)?;
    }
    String::from_utf8(out.into_inner().map_err(|e| StoreError::Internal(e.to_string()))?)
        .map_err(|e| StoreError::Internal(e.to_string()))
}
