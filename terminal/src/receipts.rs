//! Receipts as printed: the original, numbered copies (each reprint
//! journaled with who asked and its number) and training receipts, each
//! stamped with the seq of the entry that recorded it and the short form of
//! that entry's signature.

use pos_shared::ids::{ReceiptNo, Seq};
use pos_shared::journal::Event;
use pos_shared::receipt::{ReceiptDoc, Stamp, sale_receipt};
use rusqlite::{OptionalExtension, params};

use crate::clock::local_time_text;
use crate::devices::queue::{JobKind, enqueue};
use crate::error::{CoreError, CoreResult};
use crate::sale::Committed;
use crate::{Operator, Terminal};

impl Terminal {
    /// The stamp of the entry at `seq`, signing what is not signed yet first.
    /// The entry is committed already: if signing fails now (the database
    /// busy past its timeout, a full disk), the receipt says "not signed
    /// yet" and the entry is signed before it is pushed, never the sale
    /// reported failed (the customer would pay twice).
    pub(crate) fn stamp(&self, seq: Seq, copy: Option<u32>, training: bool) -> CoreResult<Stamp> {
        let read = || -> CoreResult<Option<Vec<u8>>> {
            Ok(self
                .conn
                .prepare_cached("SELECT signature FROM journal WHERE seq = ?1")?
                .query_row([seq.0], |r| r.get(0))
                .optional()?
                .flatten())
        };
        let signature = match read()? {
            Some(signature) => Some(signature),
            None => match self.sign_pending() {
                Ok(_) => read()?,
                Err(_) => None,
            },
        };
        Ok(Stamp { seq: seq.0, signature: signature.as_deref().map(pos_shared::signing::short), copy, training })
    }

    /// The customer receipt of a sale or return just recorded.
    pub fn receipt_doc(&self, committed: &Committed) -> CoreResult<ReceiptDoc> {
        let stamp = self.stamp(committed.seq, None, committed.training)?;
        Ok(sale_receipt(&self.settings.header(), &committed.record, &local_time_text(committed.at_ms), &stamp))
    }

    /// The next numbered copy of any receipt: the reprint is journaled.
    pub fn reprint(&mut self, actor: &Operator, receipt: &ReceiptNo) -> CoreResult<ReceiptDoc> {
        let copy = self.journal_reprint(actor, receipt, false)?;
        self.any_receipt_doc(receipt, Some(copy))
    }

    /// Journals a reprint of `receipt` by `actor` (with its print job when
    /// `queue`); returns the copy's number, 1 for the first.
    pub(crate) fn journal_reprint(&mut self, actor: &Operator, receipt: &ReceiptNo, queue: bool) -> CoreResult<u32> {
        self.receipt_seq(receipt)?;
        let tx = self.begin_journaled(&[])?;
        let copy: u32 = tx
            .prepare_cached("SELECT COUNT(*) + 1 FROM reprints WHERE receipt_no = ?1")?
            .query_row([receipt.to_string()], |r| r.get(0))?;
        let event = Event::ReceiptReprinted { receipt_no: receipt.clone(), copy, by: actor.name.clone() };
        let appended = tx.append(&event)?;
        tx.prepare_cached("INSERT INTO reprints (seq, receipt_no, copy) VALUES (?1, ?2, ?3)")?.execute(params![
            appended.seq.0,
            receipt.to_string(),
            copy
        ])?;
        if queue {
            enqueue(&tx, JobKind::Copy, &format!("{receipt}#{copy}"), false, tx.at_ms)?;
        }
        tx.commit()?;
        Ok(copy)
    }

    /// The seq of the entry that recorded receipt `receipt` (a sale, a
    /// return, a gift card sold or a payment on account); refused for one
    /// this till never made.
    fn receipt_seq(&self, receipt: &ReceiptNo) -> CoreResult<Seq> {
        self.conn
            .prepare_cached(
                "SELECT seq FROM sales WHERE receipt_no = ?1 UNION ALL SELECT seq FROM credit_sales WHERE receipt_no = ?1",
            )?
            .query_row([receipt.to_string()], |r| r.get(0))
            .optional()?
            .map(Seq)
            .ok_or_else(|| CoreError::UnknownReceipt(receipt.to_string()))
    }

    /// The receipt numbered `receipt`, a sale's or return's or a gift card
    /// sold or payment on account, as the original or copy `copy`.
    pub(crate) fn any_receipt_doc(&self, receipt: &ReceiptNo, copy: Option<u32>) -> CoreResult<ReceiptDoc> {
        if let Some((record, at_ms)) = self.sale_record(receipt)? {
            let stamp = self.stamp(self.receipt_seq(receipt)?, copy, false)?;
            return Ok(sale_receipt(&self.settings.header(), &record, &local_time_text(at_ms), &stamp));
        }
        let credit = self.credit_sale(receipt)?.ok_or_else(|| CoreError::UnknownReceipt(receipt.to_string()))?;
        self.credit_receipt_doc(&credit, copy)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cart;
    use crate::test_support::demo;

    /// A full disk fails the write that signs: as SQLite would, the
    /// connection's own trigger fails it here, after the sale's commit.
    #[test]
    fn a_sale_whose_signature_cannot_be_written_still_prints_and_is_signed_later() {
        let (_dir, mut terminal, _clock) = demo();
        let cashier = terminal.login(crate::demo::DEMO_CASHIER.0, crate::demo::DEMO_CASHIER.1).unwrap();
        let mut cart = Cart::default();
        terminal.add_item(&mut cart, "BAK0001", None).unwrap();
        let tenders = ["cash:5".parse().unwrap()];
        let committed = terminal.commit_sale(&cashier, &cart, &tenders).unwrap();
        terminal
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER disk_full BEFORE UPDATE OF signature ON journal
                 BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;",
            )
            .unwrap();
        assert!(terminal.sign_pending().is_err(), "signing fails as on a full disk");
        let text = terminal.receipt_doc(&committed).expect("the sale is recorded: its receipt prints").render_text(42);
        assert!(text.contains("not signed yet"), "{text}");

        terminal.conn.execute_batch("DROP TRIGGER disk_full").unwrap();
        let outgoing = terminal.outbox_batch(100).unwrap();
        assert!(outgoing.iter().all(|e| e.signature.is_some()), "signed before it is pushed");
    }
}
