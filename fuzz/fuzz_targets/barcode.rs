//! A scan, as the till decodes it: a barcode (whose lookup key is itself a
//! barcode), an in-store weight or price code, or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_shared::barcode::{Barcode, EmbeddedConfig, Scan};

fuzz_target!(|text: &str| {
    if let Ok(barcode) = Barcode::parse(text) {
        assert!(Barcode::parse(&barcode.lookup_key()).is_ok());
    }
    let _ = Scan::parse(text, &EmbeddedConfig::default());
});
