//! Catalog import, lookup and search against the demo store.

use super::*;
use crate::test_support::demo;
use pos_shared::barcode::gs1_check_digit;

fn first_barcode(terminal: &Terminal, sku: &str) -> String {
    terminal
        .conn
        .query_row(
            "SELECT b.code FROM barcodes b JOIN products p ON p.id = b.product_id WHERE p.sku = ?1 ORDER BY b.code",
            [sku],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn finds_by_barcode_sku_and_embedded_weight() {
    let (_dir, terminal, _) = demo();
    let code = first_barcode(&terminal, "BAK0001");
    assert_eq!(terminal.find_code(&code).unwrap().product.sku, "BAK0001");
    assert_eq!(terminal.find_code("bak0001").unwrap().product.sku, "BAK0001", "SKUs ignore case");

    let body = "210010101250";
    let scanned = format!("{body}{}", gs1_check_digit(body));
    let found = terminal.find_code(&scanned).unwrap();
    assert_eq!(found.product.sku, "FRU0001");
    assert_eq!(found.embedded, Some(EmbeddedValue::Weight(rust_decimal::Decimal::new(1250, 3))));
}

#[test]
fn misread_and_unknown_codes_are_told_apart() {
    let (_dir, terminal, _) = demo();
    let code = first_barcode(&terminal, "BAK0001");
    let last = code.as_bytes()[12] - b'0';
    let misread = format!("{}{}", &code[..12], (last + 1) % 10);
    let err = terminal.find_code(&misread).unwrap_err().to_string();
    assert!(err.starts_with("unknown or misread barcode"), "{err}");
    let err = terminal.find_code("4006381333931").unwrap_err().to_string();
    assert!(err.starts_with("unknown code"), "{err}");
    assert!(matches!(terminal.find_code("NOPE42"), Err(CoreError::UnknownCode(_))));
}

#[test]
fn search_matches_word_prefixes_without_accents() {
    let (_dir, terminal, _) = demo();
    let found = terminal.search_products("creme fra", 10).unwrap();
    assert!(found.iter().any(|p| p.name.starts_with("Crème fraîche")), "{found:?}");
    let found = terminal.search_products("FRU000", 5).unwrap();
    assert_eq!(found.len(), 5);
    assert!(terminal.search_products("  ", 5).unwrap().is_empty());
    assert!(terminal.search_products("\"*()", 5).unwrap().is_empty(), "FTS syntax is escaped");
}

#[test]
fn a_bad_row_names_its_line_and_changes_nothing() {
    let (_dir, mut terminal, _) = demo();
    let before = terminal.product_count().unwrap();
    let price_before = terminal.product_by_sku("BAK0001").unwrap().unwrap().price;
    let cases = [
        ("sku,name,price\nBAK0001,Baguette,9.99\nNEW1,New thing,abc\n", 3, "price"),
        ("sku,name,price,barcode\nNEW1,Thing,1.00,4006381333932\n", 2, "misread"),
        ("sku,name,price\nNEW1,Thing,1.00\nnew1,Other,2.00\n", 3, "twice"),
        ("sku,name,price,unit\nNEW1,Thing,1.00,stone\n", 2, "unit"),
        ("sku,name\nNEW1,Thing\n", 1, "price"),
        ("sku,name,price,unit\nNEW1,Thing,1.00,each\nNEW2,Thing,-1,each\n", 3, "negative"),
    ];
    for (csv, line, words) in cases {
        let err = terminal.import_catalog(csv.as_bytes()).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, CoreError::Catalog(CatalogError { line: l, .. }) if l == line), "{csv}: {message}");
        assert!(message.contains(words), "{message} should mention {words}");
    }
    let taken = first_barcode(&terminal, "BAK0001");
    let err = terminal.import_catalog(format!("sku,name,price,barcode\nNEW1,Thief,1.00,{taken}\n").as_bytes());
    assert!(matches!(err, Err(CoreError::Catalog(CatalogError { line: 2, .. }))), "{err:?}");
    assert_eq!(terminal.product_count().unwrap(), before);
    assert_eq!(terminal.product_by_sku("BAK0001").unwrap().unwrap().price, price_before);
}

#[test]
fn import_updates_by_sku_and_replaces_barcodes() {
    let (_dir, mut terminal, _) = demo();
    let csv = "sku,name,price,barcode,unit,tax_rate\nBAK0001,Baguette XL,1.30,4006381333931|96385074,each,5.5\nNEW1,Crêpe,2.00,,each,10\n";
    let summary = terminal.import_catalog(csv.as_bytes()).unwrap();
    assert_eq!(summary, ImportSummary { added: 1, updated: 1, barcodes: 2 });
    assert_eq!(terminal.find_code("96385074").unwrap().product.name, "Baguette XL");
    assert_eq!(terminal.search_products("xl", 5).unwrap()[0].sku, "BAK0001", "search follows renames");
    assert!(terminal.search_products("tradition", 5).unwrap().iter().all(|p| p.sku != "BAK0001"));
}
