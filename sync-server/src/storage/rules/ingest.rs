//! Applying pushed journal entries: each at most once, keyed by
//! `(terminal_id, seq)`, checked against the hash chain, in the same
//! transaction as its effects (sales, stock movements, order collections,
//! Z reports).
//!
//! Every entry's rows go through one writer ([`super::ingest_rows`]). Plain
//! entries (most of a push: sales that collect no order) wait and are
//! written together, a few statements per push; an entry with effects
//! beyond its rows (a collection, a receipt against a purchase order)
//! first writes what waits and its own rows, then its effects, then its
//! movements. A row the database refuses sends the push through again one
//! entry at a time, to name the entry.
//!
//! The first statement of a push locks its terminal's row, so two servers
//! receiving the same push at once take turns: the second sees what the
//! first applied (on PostgreSQL its transaction fails to serialise and is
//! run again) and acknowledges it as a replay.
//!
//! A push is recorded with [`Database::append`]: on PostgreSQL REPEATABLE
//! READ, without the predicate locks that made pushes of different tills
//! abort each other. What that allows is what late posting allows anyway:
//! a receipt's new average cost may leave out a sale another server
//! records at the same moment, exactly as if that sale had synced a second
//! later.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use pos_shared::entry_rules::{EntryProblem, check_entry, excerpt};
use pos_shared::ids::TerminalId;
use pos_shared::journal::{CanonicalEntry, Event, Hash32, SaleKind, chain_hash};
use pos_shared::pricing::TaxMode;
use pos_shared::protocol::{PROTOCOL_VERSION, PushResponse, WireEntry};
use pos_shared::tender::TenderKind;

use super::collections::record_collection;
use super::ingest_rows::EntryRows;
use super::purchasing::{Applied, record_receipt, record_shipment};
use crate::storage::sql::{Database, Tx};
use crate::storage::{StoreError, StoreResult, TerminalAuth, now_ms};

/// Applies what it can of `entries`: replays are acknowledged again, new
/// entries are checked and applied in order, and the first gap, broken link
/// or rewritten entry stops the batch (what came before it stays applied).
/// An entry of another terminal refuses the whole batch. An entry that
/// breaks a rule, is not signed by the till's key or cannot be recorded is
/// held for a person ([`super::quarantine`]) and the entries after it go on.
pub fn push(db: &impl Database, auth: &TerminalAuth, entries: &[WireEntry]) -> StoreResult<PushResponse> {
    if entries.windows(2).any(|w| w[1].seq != w[0].seq + 1) {
        return Err(StoreError::BadRequest("entries must be consecutive, in seq order".into()));
    }
    let outcome = match apply_batch(db, auth, entries, true) {
        // A row written with others was refused: find its entry, one by one.
        Err(Unrecordable { seq: None, .. }) => apply_batch(db, auth, entries, false),
        other => other,
    };
    match outcome {
        // An entry that cannot be recorded rolled the batch back: apply
        // what came before it again, hold it for a person, then apply what
        // comes after it. Never a 500 the till would retry forever, and
        // never another till's problem.
        Err(Unrecordable { seq: Some(seq), detail }) => {
            let before: Vec<WireEntry> = entries.iter().filter(|e| e.seq < seq).cloned().collect();
            if !before.is_empty() {
                apply_batch(db, auth, &before, false).map_err(Unrecordable::into_store_error)??;
            }
            let reason = format!("it cannot be recorded ({detail})");
            let entry = entries.iter().find(|e| e.seq == seq).ok_or_else(|| StoreError::Internal(reason.clone()))?;
            db.append(|tx| hold_unrecordable(tx, auth, entry, &reason))?;
            let after: Vec<WireEntry> = entries.iter().filter(|e| e.seq > seq).cloned().collect();
            match after.is_empty() {
                true => Ok(PushResponse { protocol_version: PROTOCOL_VERSION, acked_through: seq }),
                false => push(db, auth, &after),
            }
        }
        Err(unknown) => Err(unknown.into_store_error()),
        Ok(answer) => answer,
    }
}

/// Why `entry`, sent at a seq head office holds, is another terminal's (if it is).
fn anothers(entry: &WireEntry, pusher: &TerminalId) -> Option<String> {
    let parsed = CanonicalEntry::from_bytes(entry.payload.get().as_bytes()).ok()?;
    match pos_shared::entry_rules::check_owner(&parsed, pusher) {
        Err(EntryProblem::NotThePushers(reason)) => Some(reason),
        _ => None,
    }
}

/// An entry whose effects the database refused (a constraint), which
/// rolled its whole batch back; `None` when the refused row was written
/// with other entries' rows.
struct Unrecordable {
    seq: Option<u64>,
    detail: String,
}

impl Unrecordable {
    fn into_store_error(self) -> StoreError {
        let entry = self.seq.map_or_else(|| "an entry".to_string(), |seq| format!("entry {seq}"));
        StoreError::Internal(format!("{entry} could not be recorded twice: {}", self.detail))
    }
}

/// A constraint the database refused is an unrecordable entry (`seq`, or
/// one of several written together); anything else is a failure.
fn refused(error: StoreError, seq: Option<u64>) -> Stop {
    match error {
        StoreError::Internal(detail) if detail.contains("constraint") => {
            Stop::Unrecordable(Unrecordable { seq, detail })
        }
        other => Stop::Store(other),
    }
}

/// Applies `entries` in one transaction (plain entries' rows written
/// together when `together`), or rolls all of it back and names the entry
/// the database refused.
fn apply_batch(
    db: &impl Database,
    auth: &TerminalAuth,
    entries: &[WireEntry],
    together: bool,
) -> Result<StoreResult<PushResponse>, Unrecordable> {
    let refused = RefCell::new(None);
    let outcome = db.append(|tx| {
        apply_in(tx, auth, entries, together).map_err(|stop| match stop {
            Stop::Store(e) => e,
            Stop::Unrecordable(unrecordable) => {
                let error = StoreError::Internal(unrecordable.detail.clone());
                *refused.borrow_mut() = Some(unrecordable);
                error
            }
        })
    });
    match (outcome, refused.into_inner()) {
        (Err(_), Some(unrecordable)) => Err(unrecordable),
        (Err(e), None) => Ok(Err(e)),
        (Ok(answer), _) => Ok(answer),
    }
}

/// Why a batch stopped before its commit.
enum Stop {
    Store(StoreError),
    Unrecordable(Unrecordable),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Stop {
        Stop::Store(e)
    }
}

/// The batch inside `tx`: what it answers once committed.
fn apply_in(
    tx: &impl Tx,
    auth: &TerminalAuth,
    entries: &[WireEntry],
    together: bool,
) -> Result<StoreResult<PushResponse>, Stop> {
    // Taken first: the terminal's row stays locked until this commits.
    tx.run("UPDATE terminals SET last_seq = last_seq WHERE id = ?1", &[&auth.terminal_id])?;
    let row = tx
        .row(
            "SELECT t.last_seq, t.last_hash, s.tax_mode, t.public_key FROM terminals t JOIN stores s ON s.id = t.store_id
             WHERE t.id = ?1",
            &[&auth.terminal_id],
        )?
        .ok_or(StoreError::Unauthorized)?;
    let (mut last_seq, stored_head, tax_mode): (u64, Vec<u8>, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
    let public_key: Option<Vec<u8>> = row.get(3)?;
    let inclusive = tax_mode == "inclusive";
    let tax_mode = if inclusive { TaxMode::Inclusive } else { TaxMode::Exclusive };
    let pusher: TerminalId =
        auth.terminal_id.parse().map_err(|e| StoreError::Internal(format!("terminal id {}: {e}", auth.terminal_id)))?;
    let mut head = Hash32::from_slice(&stored_head).unwrap_or(Hash32::GENESIS);
    let mut stopped = None;
    let mut waiting = EntryRows::default();
    // The hashes of the entries a retried push sends again, read once.
    let mut stored = None;
    // The products this batch found in the catalog, each looked up once.
    let mut catalog = HashSet::new();
    for entry in entries {
        if entry.seq <= last_seq {
            if stored.is_none() {
                let batch_end = entries.last().map_or(entry.seq, |e| e.seq);
                stored = Some(applied_hashes(tx, auth, entry.seq, last_seq.min(batch_end))?);
            }
            let applied = stored.as_ref().and_then(|hashes| hashes.get(&entry.seq));
            if applied.map(Vec::as_slice) == Some(&entry.hash.0[..]) {
                continue;
            }
            // Another terminal's entry is not this till's history rewritten.
            if let Some(reason) = anothers(entry, &pusher) {
                return Err(StoreError::Forbidden(format!("entry {}: {reason}", entry.seq)).into());
            }
            // Held entries the till never wrote give way to one its own key signed.
            let signed = public_key.as_deref().is_some_and(|key| entry.signed_by(key));
            if !(signed && super::quarantine::may_supersede(tx, auth, entry.seq, &entry.prev_hash)?) {
                flag(tx, auth, entry.seq, "an applied entry was sent again with other contents")?;
                stopped = Some(StoreError::Conflict(format!("entry {} differs from the one applied", entry.seq)));
                break;
            }
            super::quarantine::supersede(tx, auth, entry.seq)?;
            flag(tx, auth, entry.seq, "the entries held from here were replaced by entries the till signed")?;
            (last_seq, head, stored) = (entry.seq - 1, entry.prev_hash, None);
        }
        if entry.seq != last_seq + 1 {
            // Ahead of what head office holds: its database went back in time.
            let reason = format!("a push starts at entry {} but head office holds only up to {last_seq}", entry.seq);
            flag(tx, auth, entry.seq, &reason)?;
            stopped = Some(StoreError::Gap { expected: last_seq + 1, got: entry.seq });
            break;
        }
        let bytes = entry.payload.get().as_bytes();
        let broken = if entry.prev_hash != head {
            Some("its prev_hash is not the hash of the entry before it")
        } else if chain_hash(&head, bytes) != entry.hash {
            Some("its hash does not match its contents")
        } else {
            None
        };
        if let Some(reason) = broken {
            flag(tx, auth, entry.seq, reason)?;
            stopped = Some(StoreError::BrokenChain { seq: entry.seq, reason: reason.into() });
            break;
        }
        let checked = CanonicalEntry::from_bytes(bytes)
            .map_err(|e| EntryProblem::Invalid(format!("it is not a journal entry head office accepts: {e}")))
            .and_then(|parsed| {
                if parsed.seq.0 != entry.seq {
                    return Err(EntryProblem::Invalid(format!("it says it is seq {}", parsed.seq)));
                }
                pos_shared::entry_rules::check_unread(&parsed, bytes)?;
                check_entry(&parsed, &pusher, tax_mode).map(|()| parsed)
            });
        // Who may push it comes first (a 403 names another terminal's
        // entries, the whole batch rolled back); then what it says and whether the till's key signed
        // it. An entry failing those is held for a person with its bytes,
        // keeps its place in the chain, and the push goes on after it.
        let unsigned = "its signature does not verify with the terminal's key";
        let parsed = match checked {
            // Refused whole: the transaction rolls back, nothing applied or flagged.
            Err(EntryProblem::NotThePushers(reason)) => {
                return Err(StoreError::Forbidden(format!("entry {}: {reason}", entry.seq)).into());
            }
            Ok(_) if public_key.as_deref().is_some_and(|key| !entry.signed_by(key)) => Err(unsigned.to_string()),
            Ok(parsed) => Ok(parsed),
            Err(EntryProblem::Invalid(reason)) => Err(reason),
        };
        let parsed = match parsed {
            Ok(parsed) => match unknown_product(tx, &parsed, &mut catalog)? {
                Some(sku) => Err(format!("it moves {}, a product head office's catalog does not have", excerpt(&sku))),
                None => Ok(parsed),
            },
            refused => refused,
        };
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(reason) => {
                waiting.write(tx).map_err(|e| refused(e, None))?;
                hold(tx, auth, entry, &reason)?;
                last_seq = entry.seq;
                head = entry.hash;
                continue;
            }
        };
        waiting.add(auth, inclusive, &parsed, bytes, &entry.hash, signature_of(entry));
        let movements = parsed.event.stock_movements().unwrap_or_default();
        if together && plain(&parsed.event) {
            waiting.add_movements(auth, entry.seq, movements, &HashMap::new());
        } else {
            // Its rows first, with what waits: what it does next reads them.
            waiting.write(tx).map_err(|e| refused(e, (!together).then_some(entry.seq)))?;
            let costs = record_effects(tx, auth, &parsed, bytes).map_err(|e| refused(e, Some(entry.seq)))?;
            waiting.add_movements(auth, entry.seq, movements, &costs);
            waiting.write(tx).map_err(|e| refused(e, Some(entry.seq)))?;
        }
        last_seq = entry.seq;
        head = entry.hash;
    }
    waiting.write(tx).map_err(|e| refused(e, None))?;
    tx.run(
        "UPDATE terminals SET last_seq = ?1, last_hash = ?2 WHERE id = ?3",
        &[&last_seq, &head.0, &auth.terminal_id],
    )?;
    Ok(match stopped {
        Some(error) => Err(error),
        None => {
            let batch_end = entries.last().map_or(last_seq, |e| e.seq);
            Ok(PushResponse { protocol_version: PROTOCOL_VERSION, acked_through: last_seq.min(batch_end) })
        }
    })
}

/// The first product `entry` moves that head office's catalog does not
/// have (a till sells only what it was sent); `known` keeps those found.
fn unknown_product(tx: &impl Tx, entry: &CanonicalEntry, known: &mut HashSet<String>) -> StoreResult<Option<String>> {
    for movement in entry.event.stock_movements().unwrap_or_default() {
        if known.contains(&movement.sku) {
            continue;
        }
        if tx.row("SELECT 1 FROM products WHERE sku = ?1", &[&movement.sku])?.is_none() {
            return Ok(Some(movement.sku.clone()));
        }
        known.insert(movement.sku.clone());
    }
    Ok(None)
}

/// Holds `entry`, which the database would not record, at the head of its
/// terminal's chain (where the push that met it left the chain).
fn hold_unrecordable(tx: &impl Tx, auth: &TerminalAuth, entry: &WireEntry, reason: &str) -> StoreResult<()> {
    tx.run("UPDATE terminals SET last_seq = last_seq WHERE id = ?1", &[&auth.terminal_id])?;
    let row = tx
        .row("SELECT last_seq, last_hash FROM terminals WHERE id = ?1", &[&auth.terminal_id])?
        .ok_or(StoreError::Unauthorized)?;
    let (last_seq, last_hash): (u64, Vec<u8>) = (row.get(0)?, row.get(1)?);
    if last_seq + 1 != entry.seq || Hash32::from_slice(&last_hash).unwrap_or(Hash32::GENESIS) != entry.prev_hash {
        return Err(StoreError::Conflict(format!("entry {} moved on meanwhile: push again", entry.seq)));
    }
    hold(tx, auth, entry, reason)?;
    tx.run(
        "UPDATE terminals SET last_seq = ?1, last_hash = ?2 WHERE id = ?3",
        &[&entry.seq, &&entry.hash.0[..], &auth.terminal_id],
    )?;
    Ok(())
}

/// Holds `entry` for a person with `reason` ([`super::quarantine`]), flagged once.
fn hold(tx: &impl Tx, auth: &TerminalAuth, entry: &WireEntry, reason: &str) -> StoreResult<()> {
    flag(tx, auth, entry.seq, reason)?;
    let bytes = entry.payload.get().as_bytes();
    super::quarantine::hold(tx, auth, entry.seq, bytes, &entry.hash, signature_of(entry), reason)
}

/// The signature an entry was pushed with, as bytes (none if absent or not hex).
fn signature_of(entry: &WireEntry) -> Option<Vec<u8>> {
    entry.signature.as_deref().and_then(|text| hex::decode(text).ok())
}

/// Applies one entry a person accepted out of quarantine, as a push would
/// have: its rows, its effects, then its movements.
pub(super) fn apply_accepted(
    tx: &impl Tx,
    auth: &TerminalAuth,
    inclusive: bool,
    entry: &CanonicalEntry,
    bytes: &[u8],
    hash: &Hash32,
    signature: Option<Vec<u8>>,
) -> StoreResult<()> {
    let mut rows = EntryRows::default();
    rows.add(auth, inclusive, entry, bytes, hash, signature);
    rows.write(tx)?;
    let costs = record_effects(tx, auth, entry, bytes)?;
    rows.add_movements(auth, entry.seq.0, entry.event.stock_movements().unwrap_or_default(), &costs);
    rows.write(tx)
}

/// The hashes of the entries `first..=last` head office holds, applied or
/// held, by seq.
fn applied_hashes(tx: &impl Tx, auth: &TerminalAuth, first: u64, last: u64) -> StoreResult<HashMap<u64, Vec<u8>>> {
    let rows = tx.rows(
        &format!(
            "SELECT seq, hash FROM {} j WHERE terminal_id = ?1 AND seq >= ?2 AND seq <= ?3",
            super::quarantine::WHOLE_JOURNAL
        ),
        &[&auth.terminal_id, &first, &last],
    )?;
    rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}

/// Raises a flag for head office, once: a till retrying the same refused
/// entry does not raise it again.
fn flag(tx: &impl Tx, auth: &TerminalAuth, seq: u64, reason: &str) -> StoreResult<()> {
    tx.run(
        "INSERT INTO chain_flags (terminal_id, seq, reason, at_ms) SELECT ?1, ?2, ?3, ?4
         WHERE NOT EXISTS (SELECT 1 FROM chain_flags WHERE terminal_id = ?1 AND seq = ?2 AND reason = ?3)",
        &[&auth.terminal_id, &seq, &reason, &now_ms()],
    )?;
    Ok(())
}

/// Where a move on an account or a gift card comes from: this entry.
fn origin(auth: &TerminalAuth, seq: u64, receipt: String, at_ms: i64) -> super::credit::Origin<'_> {
    super::credit::Origin { terminal: Some(&auth.terminal_id), seq: Some(seq), receipt: Some(receipt), at_ms }
}

/// Whether an entry is rows only ([`record_effects`] does nothing for
/// it): it reads nothing an earlier entry of the same push wrote, so its
/// rows may wait to be written with the others.
fn plain(event: &Event) -> bool {
    match event {
        Event::Sale(sale) => {
            (sale.order.is_none() || sale.kind == SaleKind::Return)
                && sale.coupons.is_empty()
                && sale.gift_cards.is_empty()
                && sale.paid_by(TenderKind::Account).is_zero()
        }
        Event::CreditSold(_) => false,
        Event::StockReceived { purchase_order: Some(_), .. }
        | Event::TransferShipped { .. }
        | Event::PinLockedOut { .. }
        | Event::ZReport(_) => false,
        _ => true,
    }
}

/// What an entry does beyond its rows, once they are written and before
/// its movements are (so a receipt's average cost uses the stock held
/// before): a hand-over applied to its order, goods received against a
/// purchase order or shipped on a transfer, a Z report kept, a lockout or
/// a mismatch flagged for head office. Returns the unit costs (by
/// upper-case SKU) its movements are valued at, where not the average.
fn record_effects(
    tx: &impl Tx,
    auth: &TerminalAuth,
    entry: &CanonicalEntry,
    bytes: &[u8],
) -> StoreResult<HashMap<String, i64>> {
    let seq = entry.seq.0;
    let applied = match &entry.event {
        Event::Sale(sale) => {
            let origin = origin(auth, seq, sale.receipt_no.to_string(), entry.at_ms);
            let mut problems = super::prices::record_coupons(tx, sale, entry.at_ms)?;
            problems.extend(super::credit::record_sale_credit(tx, sale, &origin)?);
            for problem in problems {
                flag(tx, auth, seq, &problem)?;
            }
            match (&sale.order, sale.kind) {
                (Some(number), SaleKind::Sale) => Applied::problem(record_collection(tx, auth, sale, number)?),
                _ => Applied::default(),
            }
        }
        Event::StockReceived { movements, purchase_order: Some(number), .. } => {
            record_receipt(tx, auth, seq, number, movements)?
        }
        Event::TransferShipped { transfer, movements, .. } => record_shipment(tx, auth, seq, transfer, movements)?,
        Event::PinLockedOut { failures, lockouts, locked_for_ms } => Applied::problem(Some(format!(
            "{failures} wrong PINs in a row locked PIN entry for {} s (lockout {lockouts} since the last good PIN)",
            locked_for_ms / 1000
        ))),
        Event::CreditSold(credit) => {
            let origin = origin(auth, seq, credit.receipt_no.to_string(), entry.at_ms);
            for problem in super::credit::record_credit_sale(tx, credit, &origin)? {
                flag(tx, auth, seq, &problem)?;
            }
            Applied::default()
        }
        Event::ZReport(_) => {
            tx.run(
                "INSERT INTO z_reports (terminal_id, seq, payload) VALUES (?1, ?2, ?3)",
                &[&auth.terminal_id, &seq, &bytes],
            )?;
            Applied::default()
        }
        _ => Applied::default(),
    };
    if let Some(problem) = applied.problem {
        flag(tx, auth, seq, &problem)?;
    }
    Ok(applied.costs)
}
