//! Whatever bytes arrive, the parsers at the edges answer with a value or
//! an error and never panic: a pushed journal entry and the rules head
//! office checks it with, a catalog CSV, a scanned barcode, a device
//! address. These are the short, always-run versions of the fuzz targets
//! in `fuzz/` (run with `cargo fuzz`, see the README).

use pos_shared::barcode::{Barcode, EmbeddedConfig, Scan};
use pos_shared::catalog::parse_catalog_csv;
use pos_shared::device_address::{PrinterAddress, ScannerAddress};
use pos_shared::entry_rules::{MAX_TEXT, check_entry};
use pos_shared::journal::CanonicalEntry;
use pos_shared::pricing::TaxMode;
use proptest::prelude::*;

/// A sale entry as a till writes it, to mutate.
const SALE: &str = r#"{"terminal_id":"S01-T01","seq":2,"at_ms":1794830400000,"event":{"type":"sale","receipt_no":"S01-T01-000001","kind":"sale","session_id":1,"cashier":"Camille","lines":[{"line_no":1,"sku":"BAK0004","name":"Pain de campagne","unit":"each","qty":"2","unit_price":"0.91","tax_rate":"5.5","gross":"1.82","line_discount":"0.00","sale_discount":"0.00","net":"1.82","tax":"0.09","original_line":null}],"subtotal":"1.82","discount":"0.00","taxes":[{"rate":"5.5","base":"1.73","tax":"0.09"}],"tax":"0.09","total":"1.82","payments":[{"kind":"cash","amount":"1.82"}],"cash_tendered":"2.00","change":"0.18","cash_rounding":"0.00","original_receipt":null,"movements":[{"sku":"BAK0004","qty_milli":-2000,"reason":"sale"}]}}"#;

fn checked(bytes: &[u8]) {
    if let Ok(entry) = CanonicalEntry::from_bytes(bytes) {
        let _ = check_entry(&entry, &entry.terminal_id, TaxMode::Inclusive);
        let _ = check_entry(&entry, &entry.terminal_id, TaxMode::Exclusive);
    }
}

#[test]
fn the_sample_sale_is_accepted() {
    let entry = CanonicalEntry::from_bytes(SALE.as_bytes()).unwrap();
    assert_eq!(check_entry(&entry, &entry.terminal_id, TaxMode::Inclusive), Ok(()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_as_an_entry_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        checked(&bytes);
    }

    #[test]
    fn a_sale_with_any_value_replaced_never_panics(
        at in 0usize..SALE.len(),
        value in prop_oneof![
            Just("\"\"".to_string()),
            Just("-1".to_string()),
            Just("18446744073709551616".to_string()),
            Just("\"99999999999999999999\"".to_string()),
            Just("null".to_string()),
            Just("[]".to_string()),
            "\"[0-9.eE+-]{1,30}\"",
            "-?[0-9]{1,25}",
        ],
    ) {
        // Replace the JSON value that starts after the `:` nearest `at`.
        let Some(colon) = SALE[..at].rfind(':') else { return Ok(()) };
        let rest = &SALE[colon + 1..];
        let end = rest.find([',', '}', ']']).unwrap_or(rest.len());
        let mutated = format!("{}{}{}", &SALE[..=colon], value, &rest[end..]);
        checked(mutated.as_bytes());
    }

    #[test]
    fn any_catalog_file_is_read_or_refused(body in "[a-zA-Z0-9,.|;\"=@+\\- \u{0}\u{7f}é€\n]{0,300}") {
        for header in ["", "sku,name,price\n", "sku,name,price,barcode,unit,tax_rate,cost,category,reorder_point\n"] {
            if let Ok(rows) = parse_catalog_csv(format!("{header}{body}").as_bytes()) {
                for (_, item) in rows {
                    prop_assert!(item.name.chars().count() <= MAX_TEXT);
                    prop_assert!(!item.name.chars().any(char::is_control));
                }
            }
        }
    }

    #[test]
    fn any_scan_is_a_product_code_or_an_error(text in "[0-9]{0,16}|.{0,20}") {
        let config = EmbeddedConfig::default();
        if let Ok(barcode) = Barcode::parse(&text) {
            prop_assert!(Barcode::parse(&barcode.lookup_key()).is_ok(), "{text}");
        }
        let _ = Scan::parse(&text, &config);
    }

    #[test]
    fn any_device_address_parses_back_to_itself(
        text in "(tcp|usb|serial|file|keyboard|http)?(://)?[a-zA-Z0-9/:.?=&_ \t-]{0,40}",
    ) {
        if let Ok(printer) = text.parse::<PrinterAddress>() {
            prop_assert_eq!(printer.to_string().parse::<PrinterAddress>().ok(), Some(printer));
        }
        if let Ok(scanner) = text.parse::<ScannerAddress>() {
            prop_assert_eq!(scanner.to_string().parse::<ScannerAddress>().ok(), Some(scanner));
        }
    }
}
