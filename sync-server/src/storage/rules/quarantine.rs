//! Entries head office will not apply as they are (a rule they break, a
//! signature that does not verify, a row the database refuses), held with
//! their exact bytes and the reason for a person to decide: accepted, an
//! entry is applied as it is; rejected, it stays held, applied to nothing.
//! Meanwhile the till's later entries are applied and its pulls go on.
//! A held entry the till never wrote (pushed with its token by someone
//! without its key) cannot stop it either: an entry the till's own key
//! signed takes the place of held ones at the head of its chain, which are
//! kept here as superseded.

use pos_shared::entry_rules::check_time;
use pos_shared::journal::{CanonicalEntry, Event, Hash32};
use pos_shared::protocol::WireHeld;
use serde::Serialize;

use crate::storage::sql::Tx;
use crate::storage::{StoreError, StoreResult, TerminalAuth, check_name, now_ms};

/// Every entry head office holds of a terminal's journal, applied or
/// held (for its archive and to tell a replay): `journal` holds what was
/// applied, this table what is held or was rejected.
pub const WHOLE_JOURNAL: &str = "(SELECT terminal_id, seq, payload, hash, signature FROM journal
    UNION ALL SELECT terminal_id, seq, payload, hash, signature FROM quarantine
    WHERE decision IS NULL OR decision = 'rejected')";

/// An entry head office holds, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeldEntry {
    pub terminal_id: String,
    pub seq: u64,
    /// What it records, as a person recognises it: a sale's kind, receipt
    /// number and total, else the kind of entry.
    pub what: String,
    pub reason: String,
    pub held_at_ms: i64,
    /// `accepted`, `rejected`, or `superseded` (an entry the till signed
    /// took its place); none while it waits.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_reason: Option<String>,
    pub decided_at_ms: Option<i64>,
}

/// Holds the entry at `seq` (its bytes, hash and signature as pushed) for
/// `reason`, in the push's transaction: it keeps its place in the chain
/// (the terminal's head moves past it), applied to nothing.
pub(super) fn hold(
    tx: &impl Tx,
    auth: &TerminalAuth,
    seq: u64,
    bytes: &[u8],
    hash: &Hash32,
    signature: Option<Vec<u8>>,
    reason: &str,
) -> StoreResult<()> {
    let now = now_ms();
    tx.run(
        "INSERT INTO quarantine (terminal_id, seq, payload, hash, signature, reason, held_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[&auth.terminal_id, &seq, &bytes, &&hash.0[..], &signature.as_deref(), &reason, &now],
    )?;
    Ok(())
}

fn held_entry(row: &crate::storage::sql::Row) -> StoreResult<HeldEntry> {
    Ok(HeldEntry {
        terminal_id: row.get(0)?,
        seq: row.get(1)?,
        reason: row.get(2)?,
        held_at_ms: row.get(3)?,
        decision: row.get(4)?,
        decided_by: row.get(5)?,
        decided_reason: row.get(6)?,
        decided_at_ms: row.get(7)?,
        what: describe(&row.get::<Vec<u8>>(8)?),
    })
}

/// What held bytes record, for the person deciding.
fn describe(bytes: &[u8]) -> String {
    match CanonicalEntry::from_bytes(bytes) {
        Ok(CanonicalEntry { event: Event::Sale(sale), .. }) => {
            format!("{} {} {}", sale.kind.as_str(), sale.receipt_no, sale.total)
        }
        Ok(entry) => entry.event.kind_name().replace('_', " "),
        Err(_) => "bytes that are not a journal entry".to_string(),
    }
}

const COLUMNS: &str = "terminal_id, seq, reason, held_at_ms, decision, decided_by, decided_reason, decided_at_ms, \
    payload FROM quarantine";
/// The row of entry `?2` of terminal `?1` that is not superseded.
const CURRENT: &str = "terminal_id = ?1 AND seq = ?2 AND (decision IS NULL OR decision <> 'superseded')";

/// The entries waiting for a decision (all of them, superseded too, with `decided`), of one
/// terminal or of every one, oldest first.
pub fn list(tx: &impl Tx, terminal: Option<&str>, decided: bool) -> StoreResult<Vec<HeldEntry>> {
    let rows = tx.rows(
        &format!(
            "SELECT {COLUMNS} WHERE (CAST(?1 AS TEXT) IS NULL OR terminal_id = ?1) AND (?2 = 1 OR decision IS NULL)
             ORDER BY held_at_ms, terminal_id, seq"
        ),
        &[&terminal, &i64::from(decided)],
    )?;
    rows.iter().map(held_entry).collect()
}

/// Whether `entry`, signed by the till's own key and sent at `seq`, may
/// take the place of what head office holds from `seq` on: only entries
/// held and not accepted (nothing applied after them), and the entry
/// chained to what precedes them.
pub(super) fn may_supersede(tx: &impl Tx, auth: &TerminalAuth, seq: u64, prev_hash: &Hash32) -> StoreResult<bool> {
    let applied: u64 =
        tx.one("SELECT COUNT(*) FROM journal WHERE terminal_id = ?1 AND seq >= ?2", &[&auth.terminal_id, &seq])?;
    if applied > 0 {
        return Ok(false);
    }
    let before = match seq {
        1 => Some(Hash32::GENESIS),
        _ => tx
            .row(
                &format!("SELECT hash FROM {WHOLE_JOURNAL} j WHERE terminal_id = ?1 AND seq = ?2"),
                &[&auth.terminal_id, &(seq - 1)],
            )?
            .map(|r| r.get::<Vec<u8>>(0))
            .transpose()?
            .and_then(|bytes| Hash32::from_slice(&bytes)),
    };
    Ok(before.as_ref() == Some(prev_hash))
}

/// Takes the held entries from `seq` on out of the chain (kept here as
/// superseded, with their bytes): the till's own entry goes in their place.
pub(super) fn supersede(tx: &impl Tx, auth: &TerminalAuth, seq: u64) -> StoreResult<()> {
    tx.run(
        "UPDATE quarantine SET decision = 'superseded', decided_by = ?1, decided_at_ms = ?3,
           decided_reason = 'an entry signed by the till took its place'
         WHERE terminal_id = ?1 AND seq >= ?2 AND (decision IS NULL OR decision = 'rejected')",
        &[&auth.terminal_id, &seq, &now_ms()],
    )?;
    Ok(())
}

/// What a terminal's stock snapshot says head office holds of it.
pub fn held_of(tx: &impl Tx, terminal: &str) -> StoreResult<Vec<WireHeld>> {
    let rows = tx.rows(
        "SELECT seq, reason FROM quarantine WHERE terminal_id = ?1 AND decision IS NULL ORDER BY seq",
        &[&terminal],
    )?;
    rows.iter().map(|r| Ok(WireHeld { seq: r.get(0)?, reason: r.get(1)? })).collect()
}

/// A person's decision on a held entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Apply it as it is.
    Accept,
    /// Keep it held, applied to nothing.
    Reject,
}

/// Records `by`'s decision on the entry `seq` of `terminal`, with an
/// optional reason; accepting applies the entry in the same transaction,
/// or changes nothing when it cannot be applied.
pub fn decide(
    tx: &impl Tx,
    terminal: &str,
    seq: u64,
    decision: Decision,
    by: &str,
    reason: Option<&str>,
) -> StoreResult<HeldEntry> {
    check_name("who decides (--by)", by)?;
    if by.trim().is_empty() {
        return Err(StoreError::BadRequest("say who decides (--by NAME)".into()));
    }
    if let Some(reason) = reason {
        check_name("a reason", reason)?;
    }
    // Rejecting takes a sale out of head office's figures: say why.
    if decision == Decision::Reject && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(StoreError::BadRequest("say why it is rejected (--reason TEXT)".into()));
    }
    let found = tx.row(&format!("SELECT {COLUMNS} WHERE {CURRENT}"), &[&terminal, &seq])?;
    let Some(held) = found.as_ref().map(held_entry).transpose()? else {
        let named = pos_shared::entry_rules::excerpt(terminal);
        if tx.row("SELECT 1 FROM terminals WHERE id = ?1", &[&terminal])?.is_none() {
            return Err(StoreError::NotFound(format!("no terminal {named}")));
        }
        return Err(StoreError::NotFound(format!("entry {seq} of {named} is not waiting for a decision")));
    };
    if let (Some(decision), Some(by)) = (&held.decision, &held.decided_by) {
        return Err(StoreError::Conflict(format!("entry {seq} of {terminal} was {decision} by {by} already")));
    }
    if decision == Decision::Accept {
        apply_held(tx, terminal, seq)?;
    }
    let word = match decision {
        Decision::Accept => "accepted",
        Decision::Reject => "rejected",
    };
    let now = now_ms();
    tx.run(
        &format!(
            "UPDATE quarantine SET decision = ?3, decided_by = ?4, decided_reason = ?5, decided_at_ms = ?6 WHERE {CURRENT}"
        ),
        &[&terminal, &seq, &word, &by.trim(), &reason, &now],
    )?;
    Ok(HeldEntry {
        decision: Some(word.to_string()),
        decided_by: Some(by.trim().to_string()),
        decided_reason: reason.map(str::to_string),
        decided_at_ms: Some(now),
        ..held
    })
}

/// Applies a held entry as a push would have: its journal row, its rows,
/// its effects and its movements.
fn apply_held(tx: &impl Tx, terminal: &str, seq: u64) -> StoreResult<()> {
    let row = tx
        .row(
            "SELECT q.payload, q.hash, q.signature, t.store_id, s.tax_mode FROM quarantine q
             JOIN terminals t ON t.id = q.terminal_id JOIN stores s ON s.id = t.store_id
             WHERE q.terminal_id = ?1 AND q.seq = ?2 AND q.decision IS NULL",
            &[&terminal, &seq],
        )?
        .ok_or_else(|| StoreError::Internal(format!("held entry {seq} of {terminal} is gone")))?;
    let bytes: Vec<u8> = row.get(0)?;
    let hash = Hash32::from_slice(&row.get::<Vec<u8>>(1)?).ok_or_else(|| StoreError::Internal("a bad hash".into()))?;
    let signature: Option<Vec<u8>> = row.get(2)?;
    let auth = TerminalAuth { terminal_id: terminal.to_string(), store_id: row.get(3)? };
    let inclusive = row.get::<String>(4)? == "inclusive";
    let cannot =
        |why: String| StoreError::Conflict(format!("entry {seq} cannot be applied ({why}): reject it instead"));
    let entry = CanonicalEntry::from_bytes(&bytes).map_err(|e| cannot(format!("it is not a journal entry: {e}")))?;
    if entry.seq.0 != seq || entry.terminal_id.to_string() != terminal {
        return Err(cannot(format!("it says it is entry {} of {}", entry.seq, entry.terminal_id)));
    }
    check_time(entry.at_ms).map_err(cannot)?;
    super::ingest::apply_accepted(tx, &auth, inclusive, &entry, &bytes, &hash, signature).map_err(|e| match e {
        StoreError::Internal(detail) if detail.contains("constraint") => cannot(detail),
        other => other,
    })
}
