//! What head office says about its database: its epoch (new after a
//! restore from a backup, so every till pulls everything again) and the
//! flags waiting for a person.

use crate::storage::sql::Tx;
use crate::storage::{StoreResult, random_secret};

pub fn epoch(tx: &impl Tx) -> StoreResult<String> {
    tx.one("SELECT value FROM meta WHERE key = 'epoch'", &[])
}

/// Gives the database a new epoch: after restoring it from a backup. What
/// each till said it still held is forgotten (the backup's figures are not
/// today's): no till is "complete" until it says so again.
pub fn new_epoch(tx: &impl Tx) -> StoreResult<String> {
    let epoch = random_secret(16);
    tx.run("UPDATE meta SET value = ?1 WHERE key = 'epoch'", &[&epoch])?;
    tx.run("UPDATE terminals SET pending_entries = NULL", &[])?;
    Ok(epoch)
}

/// Entries refused or flagged, waiting for a person at head office.
pub fn open_flags(tx: &impl Tx) -> StoreResult<u64> {
    tx.one("SELECT COUNT(*) FROM chain_flags", &[])
}
