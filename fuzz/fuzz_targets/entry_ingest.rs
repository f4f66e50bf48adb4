//! A pushed journal entry, as head office decodes and checks it: any bytes
//! give an entry or an error, and the entry rules never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_shared::entry_rules::check_entry;
use pos_shared::journal::CanonicalEntry;
use pos_shared::pricing::TaxMode;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(entry) = CanonicalEntry::from_bytes(bytes) {
        let _ = check_entry(&entry, &entry.terminal_id, TaxMode::Inclusive);
        let _ = check_entry(&entry, &entry.terminal_id, TaxMode::Exclusive);
    }
});
