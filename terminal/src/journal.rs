//! Appending to the hash-chained journal inside a caller's transaction, and
//! verifying the chain and every recorded fact against it.

use pos_shared::entry_rules::check_event;
use pos_shared::fiscal::audit::{Auditor, StoredEntry};
use pos_shared::ids::{Seq, TerminalId};
use pos_shared::journal::{CanonicalEntry, Event, Hash32, canonical_bytes, chain_hash};
use pos_shared::pricing::TaxMode;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use std::ops::Deref;

use crate::Terminal;
use crate::error::{CoreError, CoreResult};

/// The position and hash an appended entry got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    pub seq: Seq,
    pub hash: Hash32,
}

/// The last entry's seq and hash, or the genesis values of an empty journal.
pub(crate) fn head(tx: &Transaction<'_>) -> CoreResult<(Seq, Hash32)> {
    let last: Option<(u64, Vec<u8>)> = tx
        .prepare_cached("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match last {
        Some((seq, hash)) => (Seq(seq), Hash32::from_slice(&hash).unwrap_or(Hash32::GENESIS)),
        None => (Seq(0), Hash32::GENESIS),
    })
}

/// A write transaction whose journal entries share one time and terminal.
pub(crate) struct JournalTx<'conn> {
    tx: Transaction<'conn>,
    terminal: TerminalId,
    tax_mode: TaxMode,
    pub at_ms: i64,
}

impl<'conn> JournalTx<'conn> {
    pub fn terminal(&self) -> &TerminalId {
        &self.terminal
    }

    /// Appends `event` as the next entry of this transaction, with its
    /// outbox row. An entry head office would refuse (a name too long to
    /// push, a control character, figures that do not add up) is refused
    /// here, so it can never sit in the outbox blocking every later one.
    pub fn append(&self, event: &Event) -> CoreResult<Appended> {
        check_event(event, &self.terminal, self.tax_mode).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let (last, prev) = head(&self.tx)?;
        let seq = last.next();
        let bytes = canonical_bytes(&self.terminal, seq, self.at_ms, event);
        let hash = chain_hash(&prev, &bytes);
        self.tx
            .prepare_cached(
                "INSERT INTO journal (seq, kind, at_ms, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![seq.0, event.kind_name(), self.at_ms, bytes, prev.0, hash.0])?;
        self.tx.prepare_cached("INSERT INTO outbox (seq) VALUES (?1)")?.execute([seq.0])?;
        Ok(Appended { seq, hash })
    }

    pub fn commit(self) -> CoreResult<()> {
        Ok(self.tx.commit()?)
    }
}

impl<'conn> Deref for JournalTx<'conn> {
    type Target = Transaction<'conn>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

/// What `journal verify` found when all was well.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifySummary {
    pub entries: u64,
    pub sales: u64,
    pub last_seq: u64,
    pub last_hash: String,
}

impl Terminal {
    /// Starts a write transaction for journaled facts (`BEGIN IMMEDIATE`, so
    /// the seq it reads stays its own) and journals `before` first: the
    /// approvals the facts needed.
    /// The first one after a month ended closes it first (see `closings`).
    pub(crate) fn begin_journaled(&mut self, before: &[Event]) -> CoreResult<JournalTx<'_>> {
        let at_ms = self.clock.now_ms();
        pos_shared::entry_rules::check_time(at_ms).map_err(|_| {
            CoreError::Invalid(format!(
                "the till's clock says {}: set the clock right before anything is recorded",
                crate::clock::local_time_text(at_ms)
            ))
        })?;
        let closed = match self.closed.filter(|c| at_ms < c.next_due_ms) {
            Some(closed) => closed,
            None => {
                let closing = self.journal_tx(at_ms)?;
                let closed = crate::closings::close_due(&closing)?;
                closing.commit()?;
                self.closed = Some(closed);
                closed
            }
        };
        if at_ms < closed.until_ms {
            return Err(CoreError::Invalid(format!(
                "the till's clock says {}, but {} is already closed: set the clock right before anything is recorded",
                crate::clock::local_time_text(at_ms),
                crate::closings::month_of(closed.until_ms - 1)
            )));
        }
        let journal_tx = self.journal_tx(at_ms)?;
        for event in before {
            journal_tx.append(event)?;
        }
        Ok(journal_tx)
    }

    fn journal_tx(&mut self, at_ms: i64) -> CoreResult<JournalTx<'_>> {
        let terminal = self.settings.terminal_id.clone();
        let tax_mode = self.settings.tax_mode;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(JournalTx { tx, terminal, tax_mode, at_ms })
    }

    /// Signs every entry not signed yet, in seq order, in one transaction:
    /// run right after a sale is committed (with its receipt) and before
    /// entries are pushed, so the signature's cost is never in the sale's
    /// transaction. Returns how many it signed.
    pub fn sign_pending(&self) -> CoreResult<usize> {
        // Ed25519 signatures are deterministic: one lost in a power cut is
        // made again, identical, next time. So they are written without a
        // sync of their own (the next sale's commit syncs them).
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let signed = self.sign_unsigned();
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        signed
    }

    fn sign_unsigned(&self) -> CoreResult<usize> {
        // IMMEDIATE: a deferred read that turns into a write cannot wait for
        // another writer (the sync loop, another process) and fails at once
        // with "database is locked"; this one waits its busy timeout.
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let unsigned: Vec<(u64, Vec<u8>)> = tx
            .prepare_cached("SELECT seq, hash FROM journal WHERE signature IS NULL ORDER BY seq")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (seq, hash) in &unsigned {
            let hash = Hash32::from_slice(hash)
                .ok_or_else(|| CoreError::JournalBroken { seq: *seq, reason: "bad hash".into() })?;
            tx.prepare_cached("UPDATE journal SET signature = ?1 WHERE seq = ?2 AND signature IS NULL")?
                .execute(params![&self.signer.sign(&hash)[..], seq])?;
        }
        tx.commit()?;
        Ok(unsigned.len())
    }

    /// Checks the whole journal: seqs gapless from 1, every hash link, every
    /// entry's terminal and seq, and every sale, return, cash move and Z
    /// report in the tables against the entry that recorded it. Names the
    /// first bad seq.
    /// Everything is read in one read transaction, so a sale committing
    /// while it runs (from another process) is either wholly seen or not at
    /// all: an honest journal is never called broken.
    pub fn verify_journal(&self) -> CoreResult<VerifySummary> {
        // Dropped at the end: a read-only snapshot, rolled back.
        let _snapshot = self.conn.unchecked_transaction()?;
        let broken = |seq: u64, reason: String| CoreError::JournalBroken { seq, reason };
        let mut stmt =
            self.conn.prepare("SELECT seq, at_ms, payload, prev_hash, hash, signature FROM journal ORDER BY seq")?;
        let mut auditor = Auditor::new(self.settings.terminal_id.clone(), &self.signer.public_key(), Hash32::GENESIS);
        let mut rows = stmt.query([])?;
        let mut prev = Hash32::GENESIS;
        let mut latest_ms = None;
        while let Some(row) = rows.next()? {
            let seq: u64 = row.get(0)?;
            let at_ms: i64 = row.get(1)?;
            let stored_prev: Vec<u8> = row.get(3)?;
            let stored = StoredEntry {
                seq,
                canonical: row.get(2)?,
                hash: Hash32::from_slice(&row.get::<_, Vec<u8>>(4)?).unwrap_or(Hash32::GENESIS),
                signature: row.get(5)?,
            };
            let entry = auditor.push(&stored).map_err(|p| broken(p.seq, p.reason))?;
            if stored_prev != prev.0 || entry.at_ms != at_ms {
                return Err(broken(seq, "its row does not match its entry (prev_hash or time)".into()));
            }
            if let Err(reason) = self.check_recorded(&entry) {
                return Err(broken(seq, reason));
            }
            latest_ms = latest_ms.max(Some(at_ms));
            prev = stored.hash;
        }
        let audit = auditor.finish();
        if let Some(latest_ms) = latest_ms {
            self.check_closed_through(latest_ms, audit.last_seq)?;
        }
        let rows_in_tables: u64 = self.conn.query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0))?;
        if rows_in_tables != audit.sales {
            return Err(broken(
                audit.last_seq + 1,
                format!("{rows_in_tables} sales in the tables but {} in the journal", audit.sales),
            ));
        }
        Ok(VerifySummary {
            entries: audit.entries,
            sales: audit.sales,
            last_seq: audit.last_seq,
            last_hash: audit.last_hash,
        })
    }

    /// Every month that ended before the latest entry has its closing (the
    /// audit checks closings follow each other; this, with the till's own
    /// calendar, that the last ones are there).
    fn check_closed_through(&self, latest_ms: i64, last_seq: u64) -> CoreResult<()> {
        let due = crate::closings::next_closing(&self.conn, latest_ms)?.month;
        if crate::closings::bounds(due).1 <= latest_ms {
            return Err(CoreError::JournalBroken {
                seq: last_seq,
                reason: format!("month {due} ended before this entry, but it has no closing"),
            });
        }
        Ok(())
    }

    /// Compares what the tables hold for an entry with what it journaled.
    fn check_recorded(&self, entry: &CanonicalEntry) -> Result<(), String> {
        let db = |e: CoreError| e.to_string();
        match &entry.event {
            Event::Sale(journaled) => {
                let stored = self.sale_record_at(entry.seq).map_err(db)?;
                match stored {
                    Some((record, at_ms)) if record == **journaled && at_ms == entry.at_ms => Ok(()),
                    Some(_) => Err(format!(
                        "{} {} in the tables differs from its journal entry",
                        journaled.kind.as_str(),
                        journaled.receipt_no
                    )),
                    None => {
                        Err(format!("{} {} is missing from the tables", journaled.kind.as_str(), journaled.receipt_no))
                    }
                }
            }
            Event::CashMoved { .. } => {
                let stored = self.cash_move_at(entry.seq).map_err(db)?;
                if stored.as_ref() == Some(&entry.event) {
                    Ok(())
                } else {
                    Err("the cash move in the tables differs from its journal entry".into())
                }
            }
            Event::ZReport(report) => {
                let stored = self.z_report_at(entry.seq).map_err(db)?;
                if stored.as_deref() == Some(report.as_ref()) {
                    Ok(())
                } else {
                    Err("the Z report in the tables differs from its journal entry".into())
                }
            }
            Event::PeriodClosed(closing) => match self.closing_at(entry.seq.0).map_err(db)? {
                Some(stored) if stored == **closing => Ok(()),
                _ => Err(format!("the closing of {} in the tables differs from its journal entry", closing.period)),
            },
            Event::StockReceived { .. }
            | Event::StockAdjusted { .. }
            | Event::StockCounted(_)
            | Event::TransferShipped { .. } => {
                let stored = self.movements_at(entry.seq).map_err(db)?;
                if Some(stored.as_slice()) == entry.event.stock_movements() {
                    Ok(())
                } else {
                    Err("the stock movements in the tables differ from the journal entry".into())
                }
            }
            _ => Ok(()),
        }
    }

    /// Journal entries not yet acknowledged by the sync server.
    pub fn pending_sync_count(&self) -> CoreResult<u64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM outbox WHERE acked_at_ms IS NULL", [], |r| r.get(0))?)
    }

    /// What waits to be sent, by kind of entry (`sale`, `z_report`, ...).
    pub fn pending_by_kind(&self) -> CoreResult<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT j.kind, COUNT(*) FROM outbox o JOIN journal j ON j.seq = o.seq
             WHERE o.acked_at_ms IS NULL GROUP BY j.kind ORDER BY j.kind",
        )?;
        Ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?)
    }
}
