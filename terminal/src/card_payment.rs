//! Card payments and refunds through the till's card terminal, never lost
//! and never claimed: each is written down, with the whole sale or return it
//! pays for, before the terminal is asked; the terminal's last trace number
//! is written down just before the request. The terminal's answer resolves
//! it (an approval writes the sale and marks the payment in one
//! transaction); a lost answer, a crash or a pulled cable is resolved by
//! asking the terminal for its last transaction: a new trace for the same
//! amount is this payment, the same trace as before means it never booked.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use pos_shared::device_address::CardTerminalAddress;
use pos_shared::journal::{CardAuth, CardVia, SaleKind};
use pos_shared::money::Money;
use pos_shared::zvt::{ResultText, StatusInfo};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::Terminal;
use crate::devices::card_terminal::{self, Answer, LinkError};
use crate::error::{CoreError, CoreResult};
use crate::sale::{Committed, Prepared};

/// A card payment or refund written down, before or while the terminal is asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardAttempt {
    pub id: i64,
    pub kind: SaleKind,
    pub amount: Money,
}

impl CardAttempt {
    fn refund(&self) -> bool {
        self.kind == SaleKind::Return
    }
}

/// What the terminal's conversation came to, for the till to resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardReply {
    /// The terminal answered.
    Answered(Answer),
    /// Its answer was lost (`error`, or earlier when the cashier asks the
    /// terminal again); `last` is what it then said its last transaction
    /// was, if it could be asked.
    Lost { error: Option<LinkError>, last: Result<Option<StatusInfo>, LinkError> },
    /// The terminal could not be reached: nothing was asked.
    NotSent(LinkError),
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardOutcome {
    /// Approved: the sale or return is written.
    Paid(Box<Committed>),
    /// Not paid, and why (declined, cancelled, never booked).
    Refused(String),
}

/// Writes down the terminal's last trace before `attempt` is sent (its own
/// connection, so the app's background task can do it).
pub fn note_sent(dir: &Path, attempt: i64, last_trace: Option<u32>) -> CoreResult<()> {
    let conn = crate::db::open(&dir.join(crate::db::DB_FILE))?;
    conn.execute(
        "UPDATE card_payments SET state = 'sent', trace_before = ?1 WHERE id = ?2 AND state = 'pending'",
        params![last_trace.map_or(-1, i64::from), attempt],
    )?;
    Ok(())
}

/// Asks the terminal to take (or refund) `attempt`: its last transaction
/// first, written down with `dir`, then the request; an answer lost is
/// followed by asking the last transaction again. `cancel` sends Abort.
pub fn ask_terminal(
    address: &CardTerminalAddress,
    dir: &Path,
    attempt: &CardAttempt,
    cancel: &AtomicBool,
) -> CardReply {
    let before = match card_terminal::last_transaction(address) {
        Ok(last) => last.and_then(|s| s.trace),
        Err(error) => return CardReply::NotSent(error),
    };
    if let Err(e) = note_sent(dir, attempt.id, before) {
        return CardReply::NotSent(LinkError::Unreachable("the till's database".into(), e.to_string()));
    }
    let lost =
        |error: LinkError| CardReply::Lost { error: Some(error), last: card_terminal::last_transaction(address) };
    match card_terminal::request(address, attempt.refund(), attempt.amount, cancel) {
        Ok(Answer::Done(None)) => lost(pos_shared::zvt::Garbled("completed without saying how".into()).into()),
        Ok(answer) => CardReply::Answered(answer),
        Err(error) => lost(error),
    }
}

/// Marks `attempt` approved by the sale at `seq`, inside that sale's transaction.
pub(crate) fn mark_approved(
    tx: &Transaction<'_>,
    attempt: i64,
    seq: pos_shared::ids::Seq,
    at_ms: i64,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE card_payments SET state = 'approved', sale_seq = ?1, resolved_at_ms = ?2, outcome = 'approved'
         WHERE id = ?3",
        params![seq.0, at_ms, attempt],
    )?;
    Ok(())
}

impl Terminal {
    /// The card terminal this till drives.
    pub fn card_terminal(&self) -> CoreResult<CardTerminalAddress> {
        self.devices.card_terminal_address()?.ok_or_else(|| {
            CoreError::Invalid(
                "no card terminal is set up: pos-terminal config set card-terminal zvt://HOST:PORT".into(),
            )
        })
    }

    /// Writes `prepared` down as a card payment (or refund) about to be
    /// asked of the terminal. Refused while another is unresolved.
    pub fn start_card_payment(&mut self, prepared: Prepared) -> CoreResult<CardAttempt> {
        // Every way to the terminal (the app's key, `sell`, a refund) starts here.
        if self.training {
            return Err(CoreError::Invalid(
                "no card is charged in training mode: take it as cash, or as a card on another terminal".into(),
            ));
        }
        self.card_terminal()?;
        // The sale must be writable when the terminal approves: never charge
        // a card with the till closed (or open too long to sell).
        crate::session::selling_session_id(&self.conn, self.clock.now_ms())?;
        let amount = prepared.on_card();
        if amount.is_zero() {
            return Err(CoreError::Invalid("nothing is paid by card".into()));
        }
        if let Some(open) = self.unresolved_card_payment()? {
            return Err(unresolved(&open));
        }
        let kind = prepared.kind();
        let pending = serde_json::to_string(&prepared).expect("a prepared sale serialises");
        let id = self.conn.query_row(
            "INSERT INTO card_payments (kind, amount_minor, state, pending, created_at_ms)
             VALUES (?1, ?2, 'pending', ?3, ?4) RETURNING id",
            params![kind.as_str(), amount.minor(), pending, self.clock.now_ms()],
            |r| r.get(0),
        )?;
        Ok(CardAttempt { id, kind, amount })
    }

    /// The card payment the till has not resolved yet, if any.
    pub fn unresolved_card_payment(&self) -> CoreResult<Option<CardAttempt>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, kind, amount_minor FROM card_payments WHERE state IN ('pending', 'sent') ORDER BY id LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)),
            )
            .optional()?
            .map(|(id, kind, amount)| CardAttempt {
                id,
                kind: if kind == "return" { SaleKind::Return } else { SaleKind::Sale },
                amount: Money::from_minor(amount),
            }))
    }

    /// Resolves `attempt` from what the terminal said.
    pub fn settle_card_reply(&mut self, attempt: &CardAttempt, reply: CardReply) -> CoreResult<CardOutcome> {
        match reply {
            CardReply::Answered(Answer::Done(Some(status))) if status.approved() => self.approve(attempt, &status),
            CardReply::Answered(Answer::Done(Some(status))) => {
                self.refuse(attempt, "declined", ResultText(status.result))
            }
            CardReply::Answered(Answer::Done(None)) => self.refuse(attempt, "cancelled", "no outcome was given"),
            CardReply::Answered(Answer::Aborted(code)) => {
                let state = if code == pos_shared::zvt::CANCELLED { "cancelled" } else { "declined" };
                self.refuse(attempt, state, ResultText(code))
            }
            CardReply::NotSent(error) => self.refuse(attempt, "cancelled", error),
            CardReply::Lost { last: Ok(last), .. } => self.resolve_from_last(attempt, last),
            CardReply::Lost { error, last: Err(again) } => {
                let lost = error.map(|e| format!("{e}; ")).unwrap_or_default();
                Err(CoreError::Invalid(format!(
                    "the card payment of {} is not resolved ({lost}asked again: {again}): the till asks the terminal before the next card payment (pos-terminal card recover)",
                    attempt.amount
                )))
            }
        }
    }

    /// Resolves a payment whose answer was lost from the terminal's last
    /// transaction.
    pub fn resolve_from_last(&mut self, attempt: &CardAttempt, last: Option<StatusInfo>) -> CoreResult<CardOutcome> {
        let Some(before) = self.trace_before(attempt)? else {
            return self.refuse(attempt, "cancelled", "the till stopped before asking the terminal");
        };
        match last {
            Some(last) if last.trace.map(i64::from) != Some(before) && last.amount == Some(attempt.amount) => {
                if last.approved() {
                    self.approve(attempt, &last)
                } else {
                    self.refuse(attempt, "declined", ResultText(last.result))
                }
            }
            Some(last) if last.trace.map(i64::from) != Some(before) => self.refuse(
                attempt,
                "cancelled",
                format!("the terminal's last transaction is another one ({:?})", last.amount.map(|a| a.to_string())),
            ),
            _ => self.refuse(attempt, "cancelled", "the terminal never booked it"),
        }
    }

    /// Resolves the payment a crash or a lost answer left open, asking the
    /// terminal its last transaction; `None` when there was none.
    pub fn recover_card_payment(&mut self) -> CoreResult<Option<CardOutcome>> {
        let Some(attempt) = self.unresolved_card_payment()? else { return Ok(None) };
        // Never sent: settled without asking the terminal.
        if self.trace_before(&attempt)?.is_none() {
            return self.resolve_from_last(&attempt, None).map(Some);
        }
        let last = card_terminal::last_transaction(&self.card_terminal()?)
            .map_err(|e| CoreError::Invalid(format!("{} ({e})", unresolved(&attempt))))?;
        self.resolve_from_last(&attempt, last).map(Some)
    }

    /// Takes `prepared`'s card amount through the terminal and writes it
    /// when approved; an open payment is resolved first.
    pub fn pay_by_card_terminal(&mut self, prepared: Prepared, cancel: &AtomicBool) -> CoreResult<Committed> {
        self.recover_card_payment()?;
        let address = self.card_terminal()?;
        let attempt = self.start_card_payment(prepared)?;
        let reply = ask_terminal(&address, &self.dir.clone(), &attempt, cancel);
        match self.settle_card_reply(&attempt, reply)? {
            CardOutcome::Paid(committed) => Ok(*committed),
            CardOutcome::Refused(why) => Err(CoreError::Invalid(format!("card {why}: nothing was recorded"))),
        }
    }

    /// Closes the card terminal's day with the till's, for the Z: what the
    /// terminal said, its total against the till's. Refused while a card
    /// payment is unresolved; a terminal that does not answer is said on the
    /// Z and does not stop it.
    pub(crate) fn card_end_of_day(&mut self, session_id: i64) -> CoreResult<Option<String>> {
        let Some(address) = self.devices.card_terminal_address()? else { return Ok(None) };
        // A payment left open is settled first (the terminal is asked); the day cannot close over it.
        self.recover_card_payment()?;
        let till = Money::from_minor(self.conn.query_row(
            "SELECT COALESCE(SUM(CASE c.kind WHEN 'sale' THEN c.amount_minor ELSE -c.amount_minor END), 0)
             FROM card_payments c JOIN sales s ON s.seq = c.sale_seq
             WHERE c.state = 'approved' AND s.session_id = ?1",
            [session_id],
            |r| r.get(0),
        )?);
        let said = match card_terminal::end_of_day(&address) {
            Ok(Answer::Done(Some(status))) if status.approved() => match status.amount.unwrap_or(Money::ZERO) {
                total if total == till => format!("day closed, {total}"),
                total => format!("day closed, {total}; the till took {till} through it"),
            },
            Ok(Answer::Done(status)) => {
                format!("end of day refused: {}", ResultText(status.map_or(pos_shared::zvt::CANCELLED, |s| s.result)))
            }
            Ok(Answer::Aborted(code)) => format!("end of day refused: {}", ResultText(code)),
            Err(e) => format!("end of day not done: {e}"),
        };
        Ok(Some(said))
    }

    /// The terminal's last trace before `attempt` was sent (-1: none), or
    /// `None` when it was never sent.
    fn trace_before(&self, attempt: &CardAttempt) -> CoreResult<Option<i64>> {
        Ok(self.conn.query_row("SELECT trace_before FROM card_payments WHERE id = ?1", [attempt.id], |r| r.get(0))?)
    }

    fn approve(&mut self, attempt: &CardAttempt, status: &StatusInfo) -> CoreResult<CardOutcome> {
        if status.amount != Some(attempt.amount) {
            return Err(CoreError::Invalid(format!(
                "the card terminal approved {:?}, not {}: check the terminal's receipt",
                status.amount.map(|a| a.to_string()),
                attempt.amount
            )));
        }
        let pending: String =
            self.conn.query_row("SELECT pending FROM card_payments WHERE id = ?1", [attempt.id], |r| r.get(0))?;
        let mut prepared: Prepared = serde_json::from_str(&pending)
            .map_err(|e| CoreError::Invalid(format!("card payment {}: its sale cannot be read: {e}", attempt.id)))?;
        prepared.draft.card_via = Some(CardVia::Terminal(CardAuth {
            amount: attempt.amount,
            trace: status.trace.unwrap_or_default(),
            terminal_receipt: status.receipt,
            terminal_id: status.terminal_id,
            card: status.card_text(),
        }));
        let committed = self.record_sale(prepared.draft, &prepared.before, Some(attempt.id))?;
        Ok(CardOutcome::Paid(Box::new(committed)))
    }

    fn refuse(&mut self, attempt: &CardAttempt, state: &str, why: impl ToString) -> CoreResult<CardOutcome> {
        let why = why.to_string();
        self.conn.execute(
            "UPDATE card_payments SET state = ?1, outcome = ?2, resolved_at_ms = ?3 WHERE id = ?4",
            params![state, why, self.clock.now_ms(), attempt.id],
        )?;
        Ok(CardOutcome::Refused(why))
    }
}

/// The error while a payment is open.
fn unresolved(attempt: &CardAttempt) -> CoreError {
    CoreError::Invalid(format!(
        "the card payment of {} is not resolved yet: the card terminal must say what became of it first",
        attempt.amount
    ))
}
