//! Stores, terminals, enrollment and tokens.

use pos_shared::ids::TerminalId;
use pos_shared::journal::Hash32;
use pos_shared::protocol::{EnrollResponse, PROTOCOL_VERSION, StoreInfo};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::{SqliteStore, now_ms, random_secret, secret_hash};
use crate::storage::{StoreError, StoreResult, TerminalAuth};

/// A terminal created at head office, with its one-time enrollment code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TerminalCreated {
    pub terminal_id: String,
    pub name: String,
    pub enrollment_code: String,
    /// When the code stops working (milliseconds since the epoch).
    pub expires_ms: i64,
    /// The SHA-256 fingerprint of the certificate the server presents, for
    /// the till to pin (once head office has one).
    pub tls_fingerprint: Option<String>,
}

/// How long an enrollment code works unless head office says otherwise.
pub const CODE_VALID_HOURS: u32 = 24;

pub(super) fn enroll(conn: &mut Connection, code: &str) -> StoreResult<EnrollResponse> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = tx
        .query_row(
            "SELECT t.id, t.name, s.code, s.name, s.currency, s.tax_mode, t.enroll_expires_ms
             FROM terminals t JOIN stores s ON s.id = t.store_id
             WHERE t.enroll_code_hash = ?1 AND t.revoked = 0",
            [secret_hash(code.trim())],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    StoreInfo { code: r.get(2)?, name: r.get(3)?, currency: r.get(4)?, tax_mode: r.get(5)? },
                    r.get::<_, Option<i64>>(6)?,
                ))
            },
        )
        .optional()?;
    let (terminal_id, terminal_name, store, expires_ms) =
        found.ok_or_else(|| StoreError::NotFound("unknown or already used enrollment code".into()))?;
    if expires_ms.is_some_and(|expires| expires <= now_ms()) {
        return Err(StoreError::Forbidden(format!(
            "this enrollment code for {terminal_id} has expired: ask head office for a new one \
             (`pos-sync-server terminal code {terminal_id}`)"
        )));
    }
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

/// When a code issued now for `valid_hours` stops working.
fn code_expiry(valid_hours: u32) -> StoreResult<i64> {
    if valid_hours == 0 || valid_hours > 24 * 30 {
        return Err(StoreError::BadRequest("a code is valid for 1 hour to 30 days (720 hours)".into()));
    }
    Ok(now_ms() + i64::from(valid_hours) * 3_600_000)
}

impl SqliteStore {
    /// The fingerprint of the certificate `serve` presents, as the last
    /// `serve --tls-cert` or `tls self-signed` recorded it.
    pub fn tls_fingerprint(&self) -> StoreResult<Option<String>> {
        Ok(self
            .read()?
            .query_row("SELECT value FROM meta WHERE key = 'tls_fingerprint'", [], |r| r.get(0))
            .optional()?)
    }

    pub fn set_tls_fingerprint(&self, fingerprint: &pos_shared::fingerprint::Fingerprint) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES ('tls_fingerprint', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [fingerprint.to_string()],
        )?;
        Ok(())
    }

    /// Adds a store; its code is `S01`, `S02`, ... in order of creation.
    pub fn add_store(&self, name: &str, currency: &str, prices_include_tax: bool) -> StoreResult<String> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::BadRequest("a store needs a name".into()));
        }
        crate::storage::check_name("a store's name", name)?;
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
        self.read()?
            .query_row("SELECT id FROM stores WHERE code = ?1 OR name = ?1", [store.trim()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("no store `{store}`")))
    }

    /// Adds a terminal to a store and returns its one-time enrollment code.
    pub fn add_terminal(&self, store: &str, name: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
        crate::storage::check_name("a terminal's name", name)?;
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
        let expires_ms = code_expiry(valid_hours)?;
        conn.execute(
            "INSERT INTO terminals (id, store_id, name, enroll_code_hash, enroll_expires_ms, last_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![terminal_id, store_id, name.trim(), secret_hash(&code), expires_ms, Hash32::GENESIS.0],
        )?;
        let tls_fingerprint = self.tls_fingerprint()?;
        Ok(TerminalCreated {
            terminal_id,
            name: name.trim().to_string(),
            enrollment_code: code,
            expires_ms,
            tls_fingerprint,
        })
    }

    /// A new one-time enrollment code for a terminal that is not revoked:
    /// for a till whose code expired, or to move a till to new hardware
    /// (enrolling with it replaces the old token, which stops working).
    pub fn new_enrollment_code(&self, terminal_id: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
        let code = random_secret(6);
        let expires_ms = code_expiry(valid_hours)?;
        let conn = self.conn();
        let name: Option<String> = conn
            .query_row(
                "UPDATE terminals SET enroll_code_hash = ?1, enroll_expires_ms = ?2 WHERE id = ?3 AND revoked = 0
                 RETURNING name",
                params![secret_hash(&code), expires_ms, terminal_id.trim()],
                |r| r.get(0),
            )
            .optional()?;
        let name = name
            .ok_or_else(|| StoreError::NotFound(format!("no terminal {} that is not revoked", terminal_id.trim())))?;
        let tls_fingerprint = self.tls_fingerprint()?;
        Ok(TerminalCreated {
            terminal_id: terminal_id.trim().to_string(),
            name,
            enrollment_code: code,
            expires_ms,
            tls_fingerprint,
        })
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
