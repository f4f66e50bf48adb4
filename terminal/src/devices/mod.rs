//! Receipt printers, the cash drawer and barcode scanners: addresses,
//! ESC/POS bytes, transport, the print queue, scanner readers and device
//! discovery. Device I/O never runs inside a sale's transaction.

pub mod address;
pub mod config;
pub mod list;
pub mod printer;
pub mod queue;
pub mod receipt_bytes;
pub mod scanner;
