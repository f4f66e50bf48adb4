//! Head office's rules, written once over [`super::sql::Tx`] so every
//! database runs the same statements: each function works inside the
//! transaction its caller opened (a read snapshot or a write).

pub mod accounting;
pub mod admin;
pub mod catalog;
pub mod catalog_edit;
mod collections;
pub mod credit;
pub mod dashboard;
pub mod fiscal;
pub mod ingest;
mod ingest_rows;
pub mod insights;
pub mod keys;
pub mod ledger;
pub mod listings;
pub mod meta;
pub mod office;
pub mod order_views;
pub mod orders;
pub mod prices;
pub mod product_words;
pub mod purchasing;
pub mod quarantine;
pub mod reorder;
pub mod rollup;
pub mod sales;
pub mod throttle;
