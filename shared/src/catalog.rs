//! The catalog as head office defines it, and the catalog CSV format, read
//! the same way by the terminal and the sync server.

use crate::entry_rules::check_text;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::barcode::Barcode;
use crate::money::Money;
use crate::pricing::TaxRate;
use crate::quantity::{Quantity, QuantityError, Unit};

/// A product as head office defines it: what a catalog CSV row or a
/// catalog pull carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogItem {
    pub sku: String,
    pub name: String,
    pub price: Money,
    /// Lookup keys of the product's barcodes (see `Barcode::lookup_key`).
    pub barcodes: Vec<String>,
    pub unit: Unit,
    pub tax_rate: TaxRate,
    pub cost: Option<Money>,
    pub category: String,
    pub reorder_point: Option<Quantity>,
    /// No longer sold; kept for old receipts and returns.
    pub archived: bool,
}

/// A CSV row that is not valid, by its line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("catalog line {line}: {message}")]
pub struct CatalogError {
    pub line: u64,
    pub message: String,
}

/// One checked row and the line it came from.
pub type CatalogRow = (u64, CatalogItem);

fn parse_row(record: &csv::StringRecord, columns: &HashMap<String, usize>) -> Result<CatalogItem, String> {
    item_from_fields(|name| columns.get(name).and_then(|&i| record.get(i)).map(str::trim).unwrap_or(""))
}

/// A product from its fields by CSV column name (`sku`, `name`, `price`,
/// `barcode`, `unit`, `tax_rate`, `cost`, `category`, `reorder_point`),
/// checked as a CSV row is: a form and an import read products alike.
pub fn item_from_fields<'a>(field: impl Fn(&str) -> &'a str) -> Result<CatalogItem, String> {
    let field = |name: &str| field(name).trim();
    let sku = field("sku");
    if sku.is_empty() || sku.len() > 32 || sku.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("sku must be 1 to 32 characters without spaces".into());
    }
    let name = field("name");
    if name.is_empty() {
        return Err(format!("product {sku} has no name"));
    }
    check_text("name", name)?;
    check_text("category", field("category"))?;
    check_text("sku", sku)?;
    let price = Money::parse_non_negative(field("price")).map_err(|e| format!("price: {e}"))?;
    let unit: Unit = field("unit").parse().map_err(|e: QuantityError| e.0)?;
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
    for code in field("barcode").split('|').map(str::trim).filter(|c| !c.is_empty()) {
        let barcode = Barcode::parse(code).map_err(|e| format!("barcode: {e}"))?;
        barcodes.push(barcode.lookup_key());
    }
    Ok(CatalogItem {
        sku: sku.to_string(),
        name: name.to_string(),
        price,
        barcodes,
        unit,
        tax_rate,
        cost,
        category: field("category").to_string(),
        reorder_point,
        archived: false,
    })
}

/// Reads a catalog CSV: header `sku,name,price` and optional `barcode`
/// (several joined by `|`), `unit`, `tax_rate`, `cost`, `category`,
/// `reorder_point`. Every row is checked; SKUs and barcodes must be unique.
/// Stops at the first bad line.
pub fn parse_catalog_csv(input: &[u8]) -> Result<Vec<CatalogRow>, CatalogError> {
    let (rows, mut errors) = read_catalog_csv(input);
    if errors.is_empty() { Ok(rows) } else { Err(errors.swap_remove(0)) }
}

/// Reads a catalog CSV as [`parse_catalog_csv`] does, but on to the end:
/// the good rows, and every bad line (a bad header is the only error).
pub fn read_catalog_csv(input: &[u8]) -> (Vec<CatalogRow>, Vec<CatalogError>) {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(input);
    let row_error = |line: u64, message: String| CatalogError { line, message };
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => return (Vec::new(), vec![row_error(1, e.to_string())]),
    };
    let columns: HashMap<String, usize> =
        headers.iter().enumerate().map(|(i, h)| (h.trim().to_ascii_lowercase(), i)).collect();
    for required in ["sku", "name", "price"] {
        if !columns.contains_key(required) {
            return (Vec::new(), vec![row_error(1, format!("the header has no “{required}” column"))]);
        }
    }
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let mut skus = HashSet::new();
    let mut barcodes = HashMap::new();
    for record in reader.records() {
        let checked =
            record.map_err(|e| row_error(e.position().map_or(0, |p| p.line()), e.to_string())).and_then(|record| {
                let line = record.position().map_or(0, |p| p.line());
                let row = parse_row(&record, &columns).map_err(|m| row_error(line, m))?;
                if !skus.insert(row.sku.to_ascii_uppercase()) {
                    return Err(row_error(line, format!("sku {} appears twice", row.sku)));
                }
                for code in &row.barcodes {
                    if let Some(other) = barcodes.insert(code.clone(), row.sku.clone()) {
                        return Err(row_error(line, format!("barcode {code} is also on {other}")));
                    }
                }
                Ok((line, row))
            });
        match checked {
            Ok(row) => rows.push(row),
            Err(error) => errors.push(error),
        }
    }
    (rows, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_lists_every_bad_line_and_keeps_the_good_ones() {
        let csv = "sku,name,price,barcode\nA1,Good,1.00,\nB2,Bad digit,1.00,4006381333932\nC3,,2.00,\nA1,Twice,1.00,\nD4,Fine,3.00,4006381333931\n";
        let (rows, errors) = read_catalog_csv(csv.as_bytes());
        let good: Vec<(u64, &str)> = rows.iter().map(|(line, item)| (*line, item.sku.as_str())).collect();
        assert_eq!(good, [(2, "A1"), (6, "D4")]);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4, 5]);
        assert!(errors[0].message.contains("check digit"), "{}", errors[0].message);
        assert_eq!(parse_catalog_csv(csv.as_bytes()).unwrap_err().line, 3, "the strict read stops at the first");
    }

    #[test]
    fn a_form_reads_like_a_csv_line() {
        let fields = HashMap::from([("sku", "X1"), ("name", "Pain"), ("price", "1.20"), ("barcode", "4006381333932")]);
        let error = item_from_fields(|k| fields.get(k).copied().unwrap_or("")).unwrap_err();
        assert!(error.contains("check digit"), "{error}");
        let fields = HashMap::from([("sku", "X1"), ("name", "Pain"), ("price", "1.20"), ("tax_rate", "5.5")]);
        let item = item_from_fields(|k| fields.get(k).copied().unwrap_or("")).unwrap();
        assert_eq!((item.price.to_string(), item.tax_rate.percent().to_string()), ("1.20".into(), "5.5".into()));
    }
}
