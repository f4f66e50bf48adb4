//! Head office's catalog on SQLite: the rules in
//! [`crate::storage::rules::catalog`], each in its transaction.

use pos_shared::money::Money;
use pos_shared::roles::Role;

use super::SqliteStore;
use crate::storage::StoreResult;
use crate::storage::rules::catalog;
use crate::storage::sql::Database;

impl SqliteStore {
    /// Imports a catalog CSV (the terminal's format): all rows or none.
    pub fn import_catalog(&self, csv: &[u8]) -> StoreResult<usize> {
        self.write(|tx| catalog::import_catalog(tx, csv))
    }

    /// Sets the price of the product a SKU or barcode names.
    pub fn set_price(&self, code: &str, price: Money) -> StoreResult<String> {
        self.write(|tx| catalog::set_price(tx, code, price))
    }

    /// Stops selling a product; terminals keep it for old receipts and returns.
    pub fn archive_product(&self, code: &str) -> StoreResult<String> {
        self.write(|tx| catalog::archive_product(tx, code))
    }

    /// Adds (or changes) a user who can log in at the tills of `store`, or
    /// of every store (see [`catalog::add_user`]).
    pub fn add_user(&self, name: &str, role: Role, pin: &str, store: Option<&str>) -> StoreResult<()> {
        self.write(|tx| catalog::add_user(tx, name, role, pin, store))
    }

    /// Adds a customer; returns their code (`C000001`, ...).
    pub fn add_customer(&self, name: &str, email: Option<&str>, phone: Option<&str>) -> StoreResult<String> {
        self.write(|tx| catalog::add_customer(tx, name, email, phone))
    }
}
