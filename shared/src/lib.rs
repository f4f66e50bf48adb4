//! Pure domain of the point of sale: money, quantities, barcodes, pricing and
//! tax, tenders, returns, stock movements, the hash-chained journal and the
//! receipt layout. No I/O, no clock, no UI, no database: every function here
//! is a calculation, so the terminal, the sync server and the tests agree.

pub mod accounting;
pub mod barcode;
pub mod catalog;
pub mod device_address;
pub mod entry_rules;
pub mod fingerprint;
pub mod fiscal;
pub mod ids;
pub mod journal;
pub mod money;
pub mod orders;
pub mod pins;
pub mod pricing;
pub mod protocol;
pub mod quantity;
pub mod receipt;
pub mod report;
pub mod returns;
pub mod roles;
pub mod scale;
pub mod signing;
pub mod stock;
pub mod tender;
pub mod zvt;

pub use money::{Money, RoundingMode};
pub use quantity::{Quantity, Unit};
