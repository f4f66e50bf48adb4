//! Stores, terminals, enrollment and tokens.

use pos_shared::ids::TerminalId;
use pos_shared::journal::Hash32;
use pos_shared::protocol::{
    EnrollResponse, PROTOCOL_VERSION, RECOGNIZE_WINDOW_MS, RecognizeRequest, StoreInfo, recognition_hash,
};
use serde::Serialize;

use crate::storage::sql::Tx;
use crate::storage::{StoreError, StoreResult, TerminalAuth, now_ms, random_secret, secret_hash};

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

/// Turns a one-time enrollment code into a terminal's token (in a write).
/// The same code with the same till key again (the till never got the first
/// answer) issues a new token in place of the first, until the code expires
/// or the till first pushes; anything else is a spent code. A till that
/// enrolls again with its journal names itself (`own_id`): a code for
/// another terminal is refused unspent. A terminal whose entries head
/// office holds keeps the key they are signed with: another device cannot
/// enroll in its place and number its receipts again.
pub fn enroll(
    tx: &impl Tx,
    code: &str,
    public_key: Option<&[u8]>,
    own_id: Option<&str>,
) -> StoreResult<EnrollResponse> {
    let code_hash = secret_hash(code.trim());
    let found = tx.row(
        "SELECT t.id, t.name, s.code, s.name, s.currency, s.tax_mode, t.enroll_expires_ms, t.enroll_code_hash,
           t.last_seq, t.public_key
         FROM terminals t JOIN stores s ON s.id = t.store_id
         WHERE (t.enroll_code_hash = ?1
             OR (t.spent_code_hash = ?1 AND t.last_seq = 0 AND t.public_key = ?2 AND t.token_hash IS NOT NULL))
           AND t.revoked = 0",
        &[&code_hash, &public_key],
    )?;
    let spent_code = || StoreError::NotFound("unknown or already used enrollment code".into());
    let row = found.ok_or_else(spent_code)?;
    let terminal_id: String = row.get(0)?;
    let store = StoreInfo { code: row.get(2)?, name: row.get(3)?, currency: row.get(4)?, tax_mode: row.get(5)? };
    if row.get::<Option<i64>>(6)?.is_some_and(|expires| expires <= now_ms()) {
        return Err(StoreError::Forbidden(format!(
            "this enrollment code for {terminal_id} has expired: ask head office for a new one \
             (`pos-sync-server terminal code {terminal_id}`)"
        )));
    }
    if let Some(own) = own_id.filter(|own| *own != terminal_id) {
        return Err(StoreError::Forbidden(format!(
            "this code is for {terminal_id}, and this till is {own}: ask head office for a code for {own} \
             (`pos-sync-server terminal code {own}`, or `terminal add --id {own}` if head office lost it)"
        )));
    }
    let (held, known_key): (i64, Option<Vec<u8>>) = (row.get(8)?, row.get(9)?);
    if held > 0 && known_key.as_deref() != public_key {
        return Err(StoreError::Conflict(format!(
            "head office holds {held} entries of {terminal_id} signed by another key: enroll the till's own \
             data directory (restored from its backup), never a new one in its place"
        )));
    }
    let unspent: Option<String> = row.get(7)?;
    let token = random_secret(32);
    // The code is spent in the same statement that checks it is still
    // unspent (or spent by this very key): of two servers enrolling with it
    // at once, one wins.
    let spent = tx.run(
        "UPDATE terminals SET enroll_code_hash = NULL, spent_code_hash = ?3, token_hash = ?1, public_key = ?4,
           next_token_hash = NULL
         WHERE id = ?2 AND (enroll_code_hash = ?3
           OR (?5 = 0 AND enroll_code_hash IS NULL AND spent_code_hash = ?3 AND public_key = ?4 AND last_seq = 0))",
        &[&secret_hash(&token), &terminal_id, &code_hash, &public_key, &i64::from(unspent.is_some())],
    )?;
    if spent == 0 {
        return Err(spent_code());
    }
    Ok(EnrollResponse { protocol_version: PROTOCOL_VERSION, terminal_id, terminal_name: row.get(1)?, token, store })
}

/// A till head office no longer knows by its token (restored from before
/// the till enrolled or renewed it) proves with the key it enrolled with
/// that it is the terminal it names: head office takes the token it holds.
/// A till head office lost whole, or knows without a key, needs a person.
pub fn recognize(tx: &impl Tx, request: &RecognizeRequest) -> StoreResult<()> {
    let id = request.terminal_id.trim();
    if request.signed_at_ms.abs_diff(now_ms()) > RECOGNIZE_WINDOW_MS.unsigned_abs() {
        return Err(StoreError::Forbidden(format!(
            "{id} signed at a time more than {} minutes from head office's clock: set the till's clock right",
            RECOGNIZE_WINDOW_MS / 60_000
        )));
    }
    let row = tx.row("SELECT public_key, revoked FROM terminals WHERE id = ?1", &[&id])?.ok_or_else(|| {
        StoreError::NotFound(format!(
            "head office does not know {id} (its database is older than the till): create it again with \
             `pos-sync-server terminal add --id {id} --name NAME`, then run `pos-terminal enroll --code CODE` \
             on this till; its sales are kept and sent"
        ))
    })?;
    let (key, revoked): (Option<Vec<u8>>, bool) = (row.get(0)?, row.get(1)?);
    if revoked {
        return Err(StoreError::Forbidden(format!("{id} is revoked")));
    }
    let key = key.ok_or_else(|| {
        StoreError::Forbidden(format!(
            "head office has no key for {id} (its database is older than the till's enrollment): \
             `pos-sync-server terminal code {id}`, then `pos-terminal enroll --code CODE` on this till"
        ))
    })?;
    let signature = hex::decode(request.signature.trim()).unwrap_or_default();
    let hash = recognition_hash(id, &request.token, request.signed_at_ms);
    if !pos_shared::signing::verify(&key, &hash, &signature) {
        return Err(StoreError::Forbidden(format!("that is not the signature of the key {id} enrolled with")));
    }
    tx.run(
        "UPDATE terminals SET token_hash = ?1, next_token_hash = NULL WHERE id = ?2",
        &[&secret_hash(&request.token), &id],
    )?;
    Ok(())
}

/// Who holds this bearer token, and whether it is their renewed token,
/// used for the first time (see [`promote_token`]).
pub fn authenticate(tx: &impl Tx, token: &str) -> StoreResult<(TerminalAuth, bool)> {
    let row = tx.row(
        "SELECT id, store_id, CASE WHEN token_hash = ?1 THEN 0 ELSE 1 END FROM terminals
         WHERE (token_hash = ?1 OR next_token_hash = ?1) AND revoked = 0",
        &[&secret_hash(token)],
    )?;
    let row = row.ok_or(StoreError::Unauthorized)?;
    Ok((TerminalAuth { terminal_id: row.get(0)?, store_id: row.get(1)? }, row.get(2)?))
}

/// A till asks for a new token while its current one works: the new one
/// is kept beside it, and the old one ends once the new one is used. A lost
/// answer costs nothing: the old token still works, and asking again
/// replaces the one never received.
pub fn renew_token(tx: &impl Tx, auth: &TerminalAuth) -> StoreResult<String> {
    let token = random_secret(32);
    tx.run(
        "UPDATE terminals SET next_token_hash = ?1 WHERE id = ?2 AND revoked = 0",
        &[&secret_hash(&token), &auth.terminal_id],
    )?;
    Ok(token)
}

/// The renewed `token` was used: it takes the old one's place.
pub fn promote_token(tx: &impl Tx, token: &str) -> StoreResult<()> {
    tx.run(
        "UPDATE terminals SET token_hash = next_token_hash, next_token_hash = NULL WHERE next_token_hash = ?1",
        &[&secret_hash(token)],
    )?;
    Ok(())
}

/// Records a till's push: when, and the entries it still holds. Its own
/// small write after the push, so a push's transaction (and a replay that
/// changes nothing, which SQLite then commits without a sync) stays as it was.
pub fn note_push(tx: &impl Tx, auth: &TerminalAuth, still_pending: u64) -> StoreResult<()> {
    tx.run(
        "UPDATE terminals SET last_push_ms = ?2, pending_entries = ?3 WHERE id = ?1",
        &[&auth.terminal_id, &now_ms(), &still_pending],
    )?;
    Ok(())
}

/// When a code issued now for `valid_hours` stops working.
fn code_expiry(valid_hours: u32) -> StoreResult<i64> {
    if valid_hours == 0 || valid_hours > 24 * 30 {
        return Err(StoreError::BadRequest("a code is valid for 1 hour to 30 days (720 hours)".into()));
    }
    Ok(now_ms() + i64::from(valid_hours) * 3_600_000)
}

/// The fingerprint of the certificate `serve` presents, as the last
/// `serve --tls-cert` or `tls self-signed` recorded it.
pub fn tls_fingerprint(tx: &impl Tx) -> StoreResult<Option<String>> {
    tx.row("SELECT value FROM meta WHERE key = 'tls_fingerprint'", &[])?.map(|r| r.get(0)).transpose()
}

/// Records the certificate head office presents now; the one it presented
/// before is kept as the previous one (servers of a chain switch one by one).
pub fn set_tls_fingerprint(tx: &impl Tx, fingerprint: &pos_shared::fingerprint::Fingerprint) -> StoreResult<()> {
    let now = fingerprint.to_string();
    if let Some(before) = tls_fingerprint(tx)?.filter(|before| *before != now) {
        set_meta(tx, "tls_previous_fingerprint", &before)?;
    }
    set_meta(tx, "tls_fingerprint", &now)
}

/// Announces the certificate head office will present next: every pinned
/// till learns it at its next sync, over the channel it already trusts.
pub fn set_next_tls_fingerprint(tx: &impl Tx, fingerprint: &pos_shared::fingerprint::Fingerprint) -> StoreResult<()> {
    set_meta(tx, "tls_next_fingerprint", &fingerprint.to_string())
}

/// The certificates a pinned till accepts from head office, the one it
/// presents now first: now, next (announced) and previous (still on
/// servers not yet switched); none before head office serves over TLS.
pub fn tls_certificates(tx: &impl Tx) -> StoreResult<Vec<String>> {
    let mut certificates: Vec<String> = Vec::new();
    for key in ["tls_fingerprint", "tls_next_fingerprint", "tls_previous_fingerprint"] {
        let value: Option<String> =
            tx.row("SELECT value FROM meta WHERE key = ?1", &[&key])?.map(|r| r.get(0)).transpose()?;
        match value {
            Some(value) if !certificates.contains(&value) => certificates.push(value),
            None if key == "tls_fingerprint" => return Ok(Vec::new()),
            _ => {}
        }
    }
    Ok(certificates)
}

fn set_meta(tx: &impl Tx, key: &str, value: &str) -> StoreResult<()> {
    tx.run(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&key, &value],
    )?;
    Ok(())
}

/// Adds a store; its code is `S01`, `S02`, ... in order of creation. Its
/// days and hours are counted in `time_zone` (head office's if none).
pub fn add_store(
    tx: &impl Tx,
    name: &str,
    currency: &str,
    prices_include_tax: bool,
    time_zone: Option<&str>,
) -> StoreResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::BadRequest("a store needs a name".into()));
    }
    crate::storage::check_name("a store's name", name)?;
    let currency = currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(StoreError::BadRequest(format!("currency `{currency}` must be a 3-letter code like EUR")));
    }
    if tx.row("SELECT 1 FROM stores WHERE lower(name) = lower(?1)", &[&name])?.is_some() {
        return Err(StoreError::Conflict(format!("a store named {name} exists")));
    }
    let zone = match time_zone.filter(|zone| !zone.trim().is_empty()) {
        Some(zone) => crate::storage::zones::check_zone(zone)?,
        None => crate::storage::zones::process_zone(),
    };
    let next: i64 = tx.one("SELECT COALESCE(MAX(id), 0) + 1 FROM stores", &[])?;
    let code = format!("S{next:02}");
    let mode = if prices_include_tax { "inclusive" } else { "exclusive" };
    tx.run(
        "INSERT INTO stores (id, code, name, currency, tax_mode, time_zone) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[&next, &code, &name, &currency, &mode, &zone],
    )?;
    Ok(code)
}

/// The id of a store named by code (`S01`) or name.
pub fn store_id(tx: &impl Tx, store: &str) -> StoreResult<i64> {
    let found = tx.row("SELECT id FROM stores WHERE code = ?1 OR lower(name) = lower(?1)", &[&store.trim()])?;
    found.ok_or_else(|| StoreError::NotFound(format!("no store `{store}`")))?.get(0)
}

/// Adds a terminal to a store and returns its one-time enrollment code. Its
/// id is the store's next free one (`S01-T03`), never one in use.
pub fn add_terminal(tx: &impl Tx, store: &str, name: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
    let store_id = store_id(tx, store)?;
    let store_code: String = tx.one("SELECT code FROM stores WHERE id = ?1", &[&store_id])?;
    let count: i64 = tx.one("SELECT COUNT(*) FROM terminals WHERE store_id = ?1", &[&store_id])?;
    let mut number = count + 1;
    let terminal_id = loop {
        let id = TerminalId::new(&store_code, &format!("T{number:02}"))
            .map_err(|e| StoreError::BadRequest(e.to_string()))?;
        if tx.row("SELECT 1 FROM terminals WHERE id = ?1", &[&id.as_str()])?.is_none() {
            break id;
        }
        number += 1;
    };
    insert_terminal(tx, &terminal_id, store_id, name, valid_hours)
}

/// Adds a terminal under the id a till already has: head office's database
/// was restored from before that till was added, and the till enrolls again
/// with its journal (`pos-terminal enroll --code`). Its store must exist.
pub fn add_terminal_with_id(tx: &impl Tx, id: &str, name: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
    let terminal_id: TerminalId =
        id.trim().parse().map_err(|e: pos_shared::ids::IdError| StoreError::BadRequest(e.to_string()))?;
    if tx.row("SELECT 1 FROM terminals WHERE id = ?1", &[&terminal_id.as_str()])?.is_some() {
        return Err(StoreError::Conflict(format!(
            "{terminal_id} exists: `pos-sync-server terminal code {terminal_id}` gives it a new code"
        )));
    }
    let store_id = store_id(tx, terminal_id.store_code()).map_err(|_| {
        StoreError::NotFound(format!("no store {}: add the store again first (`store add`)", terminal_id.store_code()))
    })?;
    insert_terminal(tx, &terminal_id, store_id, name, valid_hours)
}

fn insert_terminal(
    tx: &impl Tx,
    terminal_id: &TerminalId,
    store_id: i64,
    name: &str,
    valid_hours: u32,
) -> StoreResult<TerminalCreated> {
    crate::storage::check_name("a terminal's name", name)?;
    if name.trim().is_empty() {
        return Err(StoreError::BadRequest("a till needs a name (say, Front counter)".into()));
    }
    let code = random_secret(6);
    let expires_ms = code_expiry(valid_hours)?;
    tx.run(
        "INSERT INTO terminals (id, store_id, name, enroll_code_hash, enroll_expires_ms, last_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[&terminal_id.as_str(), &store_id, &name.trim(), &secret_hash(&code), &expires_ms, &Hash32::GENESIS.0],
    )?;
    Ok(TerminalCreated {
        terminal_id: terminal_id.to_string(),
        name: name.trim().to_string(),
        enrollment_code: code,
        expires_ms,
        tls_fingerprint: tls_fingerprint(tx)?,
    })
}

/// A new one-time enrollment code for a terminal that is not revoked:
/// for a till whose code expired, or to move a till to new hardware
/// (enrolling with it replaces the old token, which stops working).
pub fn new_enrollment_code(tx: &impl Tx, terminal_id: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
    let code = random_secret(6);
    let expires_ms = code_expiry(valid_hours)?;
    let name = tx.row(
        "UPDATE terminals SET enroll_code_hash = ?1, enroll_expires_ms = ?2, spent_code_hash = NULL
         WHERE id = ?3 AND revoked = 0 RETURNING name",
        &[&secret_hash(&code), &expires_ms, &terminal_id.trim()],
    )?;
    let name = name
        .ok_or_else(|| StoreError::NotFound(format!("no terminal {} that is not revoked", terminal_id.trim())))?
        .get(0)?;
    Ok(TerminalCreated {
        terminal_id: terminal_id.trim().to_string(),
        name,
        enrollment_code: code,
        expires_ms,
        tls_fingerprint: tls_fingerprint(tx)?,
    })
}

/// Revokes a terminal's token: its next call gets 401.
pub fn revoke_terminal(tx: &impl Tx, terminal_id: &str) -> StoreResult<()> {
    if tx.run("UPDATE terminals SET revoked = 1 WHERE id = ?1", &[&terminal_id])? == 0 {
        return Err(StoreError::NotFound(format!("no terminal {terminal_id}")));
    }
    Ok(())
}
