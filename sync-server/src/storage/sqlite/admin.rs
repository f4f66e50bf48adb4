//! Stores, terminals, enrollment and tokens on SQLite: the rules in
//! [`crate::storage::rules::admin`], each in its transaction.

use crate::storage::StoreResult;
use crate::storage::rules::admin::{self, TerminalCreated};
use crate::storage::sql::Database;

use super::SqliteStore;

impl SqliteStore {
    /// The fingerprint of the certificate `serve` presents, as the last
    /// `serve --tls-cert` or `tls self-signed` recorded it.
    pub fn tls_fingerprint(&self) -> StoreResult<Option<String>> {
        self.snapshot(admin::tls_fingerprint)
    }

    pub fn set_tls_fingerprint(&self, fingerprint: &pos_shared::fingerprint::Fingerprint) -> StoreResult<()> {
        self.write(|tx| admin::set_tls_fingerprint(tx, fingerprint))
    }

    /// Adds a store; its code is `S01`, `S02`, ... in order of creation.
    pub fn add_store(&self, name: &str, currency: &str, prices_include_tax: bool) -> StoreResult<String> {
        self.write(|tx| admin::add_store(tx, name, currency, prices_include_tax))
    }

    /// The id of a store named by code (`S01`) or name.
    pub fn store_id(&self, store: &str) -> StoreResult<i64> {
        self.snapshot(|tx| admin::store_id(tx, store))
    }

    /// Adds a terminal to a store and returns its one-time enrollment code.
    pub fn add_terminal(&self, store: &str, name: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
        self.write(|tx| admin::add_terminal(tx, store, name, valid_hours))
    }

    /// A new one-time enrollment code for a terminal that is not revoked.
    pub fn new_enrollment_code(&self, terminal_id: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
        self.write(|tx| admin::new_enrollment_code(tx, terminal_id, valid_hours))
    }

    /// Revokes a terminal's token: its next call gets 401.
    pub fn revoke_terminal(&self, terminal_id: &str) -> StoreResult<()> {
        self.write(|tx| admin::revoke_terminal(tx, terminal_id))
    }
}
