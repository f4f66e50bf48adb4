//! A device address as typed in settings, the config file or the CLI: a
//! printer or scanner address that prints back to itself, or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_shared::device_address::{PrinterAddress, ScannerAddress};

fuzz_target!(|text: &str| {
    if let Ok(printer) = text.parse::<PrinterAddress>() {
        assert_eq!(printer.to_string().parse::<PrinterAddress>().ok(), Some(printer));
    }
    if let Ok(scanner) = text.parse::<ScannerAddress>() {
        assert_eq!(scanner.to_string().parse::<ScannerAddress>().ok(), Some(scanner));
    }
});
