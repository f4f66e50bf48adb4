//! Stores, terminals, enrollment and tokens.

use pos_shared::ids::TerminalId;
use pos_shared::journal::Hash32;
use pos_shared::protocol::{EnrollResponse, PROTOCOL_VERSION, StoreInfo};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::{SqliteStore, random_secret, secret_hash};
use crate::storage::{StoreError, StoreResult, TerminalAuth};

/// A terminal created at head office, with its one-time enrollment code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TerminalCreated {
    pub terminal_id: String,
    pub name: String,
    pub enrollment_code: String,
}

pub(super) fn enroll(conn: &mut Connection, code: &str) -> StoreResult<EnrollResponse> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = tx
        .query_row(
            "SELECT t.id, t.name, s.code, s.name, s.currency, s.tax_mode
             FROM terminals t JOIN stores s ON s.id = t.store_id
             WHERE t.enroll_code_hash = ?1 AND t.revoked = 0",
            [secret_hash(code.trim())],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    StoreInfo { code: r.get(2)?, name: r.get(3)?, currency: r.get(4)?, tax_mode: r.get(5)? },
                ))
            },
        )
        .optional()?;
    let (terminal_id, terminal_name, store) =
        found.ok_or_else(|| StoreError::NotFound("unknown or already used enrollment code".into()))?;
    let token = random_secret(32);
    tx.execute(
        "UPDATE terminals SET enroll_code_hash = NULL, token_hash = ?1 WHERE id = ?2",
        params![secret_hash(&token), terminal_id],
    )?;
    tx.commit()?;
    Ok(EnrollResponse { protocol_version: PROTOCOL_VERSION, terminal_id, terminal_name, token, store })
}

pub(super) fn authenticate(conn: &Connection, token: &str) -> StoreResult<TerminalAuth> {
    conn.prepare_cached("SELECT id, store_id FROM terminals WHERE token_hash = ?1 AND revoked = 0")?
        .query_row([secret_hash(token)], |r| Ok(TerminalAuth { terminal_id: r.get(0)?, store_id: r.get(1)? }))
        .optional()?
        .ok_or(StoreError::Unauthorized)
}

impl SqliteStore {
    /// Adds a store; its code is `S01`, `S02`, ... in order of creation.
    pub fn add_store(&self, name: &str, currency: &str, prices_include_tax: bool) -> StoreResult<String> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::BadRequest("a store needs a name".into()));
        }
        let currency = currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(StoreError::BadRequest(format!("currency `{currency}` must be a 3-letter code like EUR")));
        }
        let conn = self.conn();
        let next: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM stores", [], |r| r.get(0))?;
        let code = format!("S{next:02}");
        let mode = if prices_include_tax { "inclusive" } else { "exclusive" };
        conn.execute(
            "INSERT INTO stores (id, code, name, currency, tax_mode) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![next, code, name, currency, mode],
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                StoreError::Conflict(format!("a store named {name} exists"))
            }
            other => other.into(),
        })?;
        Ok(code)
    }

    /// The id of a store named by code (`S01`) or name.
    pub fn store_id(&self, store: &str) -> StoreResult<i64> {
        self.conn()
            .query_row("SELECT id FROM stores WHERE code = ?1 OR name = ?1", [store.trim()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("no store `{store}`")))
    }

    /// Adds a terminal to a store and returns its one-time enrollment code.
    pub fn add_terminal(&self, store: &str, name: &str) -> StoreResult<TerminalCreated> {
        let store_id = self.store_id(store)?;
        let conn = self.conn();
        let (store_code, count): (String, i64) = conn.query_row(
            "SELECT s.code, (SELECT COUNT(*) FROM terminals WHERE store_id = s.id) FROM stores s WHERE s.id = ?1",
            [store_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let terminal_id = TerminalId::new(&store_code, &format!("T{:02}", count + 1))
            .map_err(|e| StoreError::BadRequest(e.to_string()))?
            .to_string();
        let code = random_secret(6);
        conn.execute(
            "INSERT INTO terminals (id, store_id, name, enroll_code_hash, last_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![terminal_id, store_id, name.trim(), secret_hash(&code), Hash32::GENESIS.0],
        )?;
        Ok(TerminalCreated { terminal_id, name: name.trim().to_string(), enrollment_code: code })
    }

    /// Revokes a terminal's token: its next call gets 401.
    pub fn revoke_terminal(&self, terminal_id: &str) -> StoreResult<()> {
        let changed = self.conn().execute("UPDATE terminals SET revoked = 1 WHERE id = ?1", [terminal_id])?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("no terminal {terminal_id}")));
        }
        Ok(())
    }
}
