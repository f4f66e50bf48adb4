//! API keys: head office's report keys and each sales channel's key,
//! shown once when issued and kept only as SHA-256 hashes.

use crate::storage::sql::Tx;
use crate::storage::{ChannelAuth, StoreError, StoreResult, random_secret, secret_hash};

/// What a head-office key reads: one job each, never more.
pub const OFFICE_SCOPES: [&str; 2] = ["reports", "metrics"];

/// Issues (or replaces) the key named `name` for head office's reports or
/// metrics (`scope`, one of [`OFFICE_SCOPES`]).
pub fn issue_office_key(tx: &impl Tx, name: &str, scope: &str) -> StoreResult<String> {
    if name.trim().is_empty() {
        return Err(StoreError::BadRequest("name the key (who or what uses it)".into()));
    }
    if !OFFICE_SCOPES.contains(&scope) {
        return Err(StoreError::BadRequest(format!("a key reads reports or metrics, not `{scope}`")));
    }
    let key = format!("pos_ho_{}", random_secret(24));
    tx.run(
        "INSERT INTO office_keys (name, key_hash, scope) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET key_hash = excluded.key_hash, scope = excluded.scope",
        &[&name.trim(), &secret_hash(&key), &scope],
    )?;
    Ok(key)
}

/// What the head-office key `key` reads (its scope); none if it is no key.
pub fn office_key_scope(tx: &impl Tx, key: &str) -> StoreResult<Option<String>> {
    tx.row("SELECT scope FROM office_keys WHERE key_hash = ?1", &[&secret_hash(key)])?.map(|r| r.get(0)).transpose()
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
