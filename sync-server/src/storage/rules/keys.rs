//! API keys: head office's report keys and each sales channel's key,
//! shown once when issued and kept only as SHA-256 hashes.

use crate::storage::sql::Tx;
use crate::storage::{ChannelAuth, StoreError, StoreResult, random_secret, secret_hash};

/// Issues (or replaces) the key named `name` for head office's reports.
pub fn issue_office_key(tx: &impl Tx, name: &str) -> StoreResult<String> {
    if name.trim().is_empty() {
        return Err(StoreError::BadRequest("name the key (who or what uses it)".into()));
    }
    let key = format!("pos_ho_{}", random_secret(24));
    tx.run(
        "INSERT INTO office_keys (name, key_hash) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET key_hash = excluded.key_hash",
        &[&name.trim(), &secret_hash(&key)],
    )?;
    Ok(key)
}

pub fn office_key_valid(tx: &impl Tx, key: &str) -> StoreResult<bool> {
    Ok(tx.row("SELECT 1 FROM office_keys WHERE key_hash = ?1", &[&secret_hash(key)])?.is_some())
}

/// Issues (or replaces) the API key of a channel, creating the channel
/// if it is new.
pub fn issue_channel_key(tx: &impl Tx, name: &str) -> StoreResult<String> {
    let name = name.trim();
    if name.is_empty() || name.eq_ignore_ascii_case("counter") || name.contains(char::is_whitespace) {
        return Err(StoreError::BadRequest(format!("`{name}` cannot name a channel: one word, not `counter`")));
    }
    let key = format!("pos_ch_{}", random_secret(24));
    tx.run(
        "INSERT INTO channels (name, key_hash) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET key_hash = excluded.key_hash",
        &[&name, &secret_hash(&key)],
    )?;
    Ok(key)
}

/// The channel an API key belongs to.
pub fn channel_by_key(tx: &impl Tx, key: &str) -> StoreResult<ChannelAuth> {
    let row = tx.row("SELECT id, name FROM channels WHERE key_hash = ?1", &[&secret_hash(key)])?;
    let row = row.ok_or(StoreError::Unauthorized)?;
    Ok(ChannelAuth { id: row.get(0)?, name: row.get(1)?, head_office: false })
}

/// The channel a name gives, for head office's own orders.
pub fn channel_by_name(tx: &impl Tx, name: &str) -> StoreResult<ChannelAuth> {
    let row = tx.row("SELECT id, name FROM channels WHERE name = ?1", &[&name.trim()])?.ok_or_else(|| {
        StoreError::NotFound(format!("no channel `{}`: issue its key with `channel key NAME`", name.trim()))
    })?;
    Ok(ChannelAuth { id: row.get(0)?, name: row.get(1)?, head_office: true })
}
