//! A catalog file, as both sides import it: read or refused, and what is
//! read always fits a receipt and a journal entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_shared::catalog::parse_catalog_csv;
use pos_shared::entry_rules::MAX_TEXT;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(rows) = parse_catalog_csv(bytes) {
        for (_, item) in rows {
            assert!(item.name.chars().count() <= MAX_TEXT);
            assert!(!item.name.chars().any(char::is_control));
        }
    }
});
