//! Receipt printers, the cash drawer, barcode scanners, scales and the
//! customer display: addresses,
//! ESC/POS bytes, transport, the print queue, scanner readers and device
//! discovery. Device I/O never runs inside a sale's transaction.

/// Device address strings are pure parsing, shared (and fuzzed) there.
pub use pos_shared::device_address as address;
pub mod card_terminal;
pub mod config;
pub mod display;
pub mod list;
pub mod printer;
pub mod queue;
pub mod receipt_bytes;
pub mod scale;
pub mod scanner;
pub mod sound;
pub mod tcp;
