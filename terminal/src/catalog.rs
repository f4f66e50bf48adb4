//! The local catalog: CSV import (all rows or none), lookup by barcode or SKU
//! on the scan path, and name search as you type (SQLite FTS5).

use std::collections::{HashMap, HashSet};
use std::io::Read;

use pos_shared::barcode::{Barcode, BarcodeError, EmbeddedValue, Scan};
use pos_shared::money::Money;
use pos_shared::pricing::TaxRate;
use pos_shared::quantity::{Quantity, Unit};
use rusqlite::{OptionalExtension, Row, params};
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

/// A product found by a code, with what an in-store barcode carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub product: Product,
    pub embedded: Option<EmbeddedValue>,
}

const PRODUCT_COLUMNS: &str =
    "p.id, p.sku, p.name, p.price_minor, p.unit, p.tax_rate, p.cost_minor, p.category, p.archived";

fn product_from_row(row: &Row<'_>) -> rusqlite::Result<Product> {
    let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
    let invalid = |i: usize, e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    Ok(Product {
        id: row.get(0)?,
        sku: text(1)?,
        name: text(2)?,
        price: Money::from_minor(row.get(3)?),
        unit: text(4)?
            .parse()
            .map_err(|e: pos_shared::quantity::QuantityError| invalid(4, e.0))?,
        tax_rate: text(5)?
            .parse()
            .map_err(|e: pos_shared::pricing::PricingError| invalid(5, e.to_string()))?,
        cost: row.get::<_, Option<i64>>(6)?.map(Money::from_minor),
        category: text(7)?,
        archived: row.get(8)?,
    })
}

/// One CSV row, checked.
struct CatalogRow {
    line: u64,
    sku: String,
    name: String,
    price: Money,
    barcodes: Vec<String>,
    unit: Unit,
    tax_rate: TaxRate,
    cost: Option<Money>,
    category: String,
    reorder_point: Option<Quantity>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub added: usize,
    pub updated: usize,
    pub barcodes: usize,
}

fn parse_row(
    line: u64,
    record: &csv::StringRecord,
    columns: &HashMap<String, usize>,
) -> Result<CatalogRow, String> {
    let field = |name: &str| {
        columns
            .get(name)
            .and_then(|&i| record.get(i))
            .map(str::trim)
            .unwrap_or("")
    };
    let sku = field("sku");
    if sku.is_empty() || sku.len() > 32 || sku.chars().any(char::is_whitespace) {
        return Err("sku must be 1 to 32 characters without spaces".into());
    }
    let name = field("name");
    if name.is_empty() {
        return Err(format!("product {sku} has no name"));
    }
    let price = Money::parse_non_negative(field("price")).map_err(|e| format!("price: {e}"))?;
    let unit: Unit = field("unit")
        .parse()
        .map_err(|e: pos_shared::quantity::QuantityError| e.0)?;
    let tax_rate = match field("tax_rate") {
        "" => "0".parse(),
        text => text.parse(),
    }
    .map_err(|e| format!("tax_rate: {e}"))?;
    let cost = match field("cost") {
        "" => None,
        text => Some(Money::parse_non_negative(text).map_err(|e| format!("cost: {e}"))?),
    };
    let reorder_point = match field("reorder_point") {
        "" | "0" => None,
        text => Some(Quantity::parse(text, unit).map_err(|e| format!("reorder_point: {e}"))?),
    };
    let mut barcodes = Vec::new();
    for code in field("barcode")
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let barcode = Barcode::parse(code).map_err(|e| format!("barcode: {e}"))?;
        barcodes.push(barcode.lookup_key());
    }
    Ok(CatalogRow {
        line,
        sku: sku.to_string(),
        name: name.to_string(),
        price,
        barcodes,
        unit,
        tax_rate,
        cost,
        category: field("category").to_string(),
        reorder_point,
    })
}

fn read_rows(input: impl Read) -> CoreResult<Vec<CatalogRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let row_error = |line: u64, message: String| CoreError::CatalogRow { line, message };
    let headers = reader
        .headers()
        .map_err(|e| row_error(1, e.to_string()))?
        .clone();
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
        .collect();
    for required in ["sku", "name", "price"] {
        if !columns.contains_key(required) {
            return Err(row_error(
                1,
                format!("the header has no `{required}` column"),
            ));
        }
    }
    let mut rows = Vec::new();
    let mut skus = HashSet::new();
    let mut barcodes = HashMap::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| row_error(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let row = parse_row(line, &record, &columns).map_err(|m| row_error(line, m))?;
        if !skus.insert(row.sku.to_ascii_uppercase()) {
            return Err(row_error(line, format!("sku {} appears twice", row.sku)));
        }
        for code in &row.barcodes {
            if let Some(other) = barcodes.insert(code.clone(), row.sku.clone()) {
                return Err(row_error(
                    line,
                    format!("barcode {code} is also on {other}"),
                ));
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

impl Terminal {
    /// Imports a catalog CSV: every row valid or nothing changes. Products
    /// are matched by SKU; a row's barcodes replace that product's barcodes.
    pub fn import_catalog(&mut self, input: impl Read) -> CoreResult<ImportSummary> {
        let rows = read_rows(input)?;
        let tx = self.conn.transaction()?;
        let mut summary = ImportSummary::default();
        {
            let mut find = tx.prepare("SELECT id FROM products WHERE sku = ?1")?;
            let mut upsert = tx.prepare(
                "INSERT INTO products (sku, name, price_minor, unit, tax_rate, cost_minor, category, reorder_point_milli)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
                   unit = excluded.unit, tax_rate = excluded.tax_rate, cost_minor = excluded.cost_minor,
                   category = excluded.category, reorder_point_milli = excluded.reorder_point_milli, archived = 0
                 RETURNING id",
            )?;
            let mut clear = tx.prepare("DELETE FROM barcodes WHERE product_id = ?1")?;
            let mut owner = tx.prepare("SELECT product_id FROM barcodes WHERE code = ?1")?;
            let mut add = tx.prepare("INSERT INTO barcodes (code, product_id) VALUES (?1, ?2)")?;
            for row in &rows {
                let existed = find.exists([&row.sku])?;
                let id: i64 = upsert.query_row(
                    params![
                        row.sku,
                        row.name,
                        row.price.minor(),
                        row.unit.as_str(),
                        row.tax_rate.percent().to_string(),
                        row.cost.map(Money::minor),
                        row.category,
                        row.reorder_point.map(Quantity::milli),
                    ],
                    |r| r.get(0),
                )?;
                if existed {
                    summary.updated += 1
                } else {
                    summary.added += 1
                }
                clear.execute([id])?;
                for code in &row.barcodes {
                    let taken: Option<i64> = owner.query_row([code], |r| r.get(0)).optional()?;
                    if taken.is_some_and(|other| other != id) {
                        return Err(CoreError::CatalogRow {
                            line: row.line,
                            message: format!("barcode {code} already belongs to another product"),
                        });
                    }
                    add.execute(params![code, id])?;
                    summary.barcodes += 1;
                }
            }
        }
        tx.commit()?;
        Ok(summary)
    }

    pub fn product_by_sku(&self, sku: &str) -> CoreResult<Option<Product>> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.sku = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([sku], product_from_row)
            .optional()?)
    }

    fn product_by_barcode(&self, key: &str) -> CoreResult<Option<Product>> {
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = ?1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([key], product_from_row)
            .optional()?)
    }

    /// Finds what a scanned or typed code names: a barcode (plain or with an
    /// embedded weight or price) or a SKU. A misread barcode says so.
    pub fn find_code(&self, code: &str) -> CoreResult<Found> {
        let code = code.trim();
        let unknown = || CoreError::UnknownCode(code.to_string());
        match Scan::parse(code, &self.settings.embedded) {
            Ok(Scan::Plain(barcode)) => {
                let product = match self.product_by_barcode(&barcode.lookup_key())? {
                    Some(p) => p,
                    None => self.product_by_sku(code)?.ok_or_else(unknown)?,
                };
                Ok(Found {
                    product,
                    embedded: None,
                })
            }
            Ok(Scan::Embedded { product, value }) => {
                let product = self
                    .product_by_barcode(product.digits())?
                    .ok_or_else(unknown)?;
                Ok(Found {
                    product,
                    embedded: Some(value),
                })
            }
            Err(BarcodeError::CheckDigit(_)) if code.bytes().all(|b| b.is_ascii_digit()) => {
                let product = self.product_by_sku(code)?;
                product
                    .map(|product| Found {
                        product,
                        embedded: None,
                    })
                    .ok_or_else(|| CoreError::Barcode(BarcodeError::CheckDigit(code.to_string())))
            }
            Err(_) => {
                let product = self.product_by_sku(code)?.ok_or_else(unknown)?;
                Ok(Found {
                    product,
                    embedded: None,
                })
            }
        }
    }

    /// Products whose name or SKU has words starting with each typed word.
    pub fn search_products(&self, typed: &str, limit: usize) -> CoreResult<Vec<Product>> {
        let terms: Vec<String> = typed
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
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
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM products WHERE archived = 0",
            [],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests;
