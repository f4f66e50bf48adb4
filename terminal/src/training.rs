//! Training mode: a new cashier sells for practice on the real till. Each
//! training sale or return is journaled as `training_sale` (so an auditor
//! sees it) with its own number series, and prints as training; it never
//! reaches the sales tables, the drawer, stock, credit, the Z or the grand
//! total, and no card is charged.

use pos_shared::ids::Seq;
use pos_shared::journal::{CanonicalEntry, Event, SaleRecord};
use pos_shared::receipt::{ReceiptDoc, sale_receipt};
use pos_shared::roles::Permission;
use rusqlite::OptionalExtension;

use crate::clock::local_time_text;
use crate::devices::queue::{JobKind, enqueue};
use crate::error::{CoreError, CoreResult};
use crate::journal::JournalTx;
use crate::sale::Committed;
use crate::users::Credentials;
use crate::{Operator, Terminal};

/// Journals a training sale in `tx` (with its print job) and commits.
pub(crate) fn record(tx: JournalTx<'_>, record: SaleRecord, printing: bool) -> CoreResult<Committed> {
    let appended = tx.append(&Event::TrainingSale(Box::new(record.clone())))?;
    if printing {
        enqueue(&tx, JobKind::Training, &appended.seq.0.to_string(), false, tx.at_ms)?;
    }
    let at_ms = tx.at_ms;
    tx.commit()?;
    Ok(Committed { record, seq: appended.seq, at_ms, training: true })
}

impl Terminal {
    /// Whether sales are made in training mode.
    pub fn training(&self) -> bool {
        self.training
    }

    /// Turns training mode on or off: a manager's decision (a cashier needs
    /// a manager's PIN), journaled whoever makes it.
    pub fn set_training(&mut self, actor: &Operator, on: bool, approver: Option<&Credentials>) -> CoreResult<()> {
        let what = if on { "training mode on" } else { "training mode off" };
        let approval = self.audited(actor, Permission::TrainingMode, approver, what)?;
        self.begin_journaled(&[approval.event()])?.commit()?;
        self.training = on;
        Ok(())
    }

    /// A training receipt by the seq of its entry.
    pub(crate) fn training_receipt_doc(&self, seq: Seq) -> CoreResult<ReceiptDoc> {
        let found: Option<(Vec<u8>, i64)> = self
            .conn
            .prepare_cached("SELECT payload, at_ms FROM journal WHERE seq = ?1 AND kind = 'training_sale'")?
            .query_row([seq.0], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (payload, at_ms) = found.ok_or_else(|| CoreError::Invalid(format!("no training sale at entry {seq}")))?;
        let Event::TrainingSale(record) = CanonicalEntry::from_bytes(&payload)?.event else {
            return Err(CoreError::Invalid(format!("entry {seq} is not a training sale")));
        };
        let stamp = self.stamp(seq, None, true)?;
        Ok(sale_receipt(&self.settings.header(), &record, &local_time_text(at_ms), &stamp))
    }
}
