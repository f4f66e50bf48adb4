//! Head office's rules, written once over [`super::sql::Tx`] so every
//! database runs the same statements: each function works inside the
//! transaction its caller opened (a read snapshot or a write).

pub mod admin;
pub mod catalog;
pub mod keys;
pub mod meta;
