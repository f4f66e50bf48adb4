//! Customer accounts and gift cards at the till. Head office holds the
//! balances; the till knows them as of its last snapshot plus its own moves
//! since, and enforces limits from that: strictly while in touch with head
//! office, with a bounded allowance while offline (a sale on account may go
//! a set percentage past the credit limit; a card pays at most a set amount
//! per day). Head office flags what went beyond.

use pos_shared::ids::{ReceiptNo, Seq};
use pos_shared::journal::{Credit, CreditSale, Event, SaleRecord};
use pos_shared::money::{Money, RoundingMode};
use pos_shared::protocol::StockSnapshot;
use pos_shared::receipt::{ReceiptDoc, credit_receipt};
use pos_shared::tender::{CardUse, Tender, TenderKind, check_card_number, masked_card, settle};
use rusqlite::{OptionalExtension, Transaction, params};
use rust_decimal::Decimal;

use crate::clock::local_time_text;
use crate::devices::queue::{JobKind, enqueue, takes_cash};
use crate::error::{CoreError, CoreResult};
use crate::records::json_text;
use crate::session::{next_counter, selling_session_id};
use crate::{Operator, Terminal};

/// With no good sync for this long, the till counts itself offline.
pub const OFFLINE_AFTER_MS: i64 = 5 * 60 * 1000;

/// A customer with an account, as the till knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub code: String,
    pub name: String,
    pub credit_limit: Money,
    pub terms_days: Option<u32>,
    pub vat_number: Option<String>,
    pub address: Option<String>,
    /// What they owe: head office's last balance plus this till's moves since.
    pub owed: Money,
}

/// A gift card sold or a payment on account that is on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditCommitted {
    pub record: CreditSale,
    pub seq: Seq,
    pub at_ms: i64,
    /// The card's balance or what the customer owes after it, as the till knows it.
    pub balance: Money,
}

impl Terminal {
    /// Whether the till is out of touch with head office: enrolled, and its
    /// last sync failed or is older than [`OFFLINE_AFTER_MS`]. A till that
    /// syncs to nobody is the only keeper of its balances, never offline.
    pub fn is_offline(&self) -> CoreResult<bool> {
        if self.enrollment()?.is_none() {
            return Ok(false);
        }
        let last_success: Option<i64> = self.sync_value("last_success_ms")?.and_then(|v| v.parse().ok());
        let fresh = last_success.is_some_and(|at| self.clock.now_ms() - at < OFFLINE_AFTER_MS);
        Ok(!fresh || self.sync_value("last_error")?.is_some())
    }

    /// What an account owes or a card holds as this till knows it; `None`
    /// for a card neither head office nor this till has seen.
    pub fn known_balance(&self, credit: &Credit) -> CoreResult<Option<Money>> {
        let (kind, code) = credit.kind_and_code();
        let through = self.sync_number("central_through_seq")?;
        let (central, own, moves): (Option<i64>, i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT (SELECT balance_minor FROM central_balances WHERE kind = ?1 AND code = ?2),
               COALESCE((SELECT SUM(amount_minor) FROM credit_moves WHERE kind = ?1 AND code = ?2 AND seq > ?3), 0),
               (SELECT COUNT(*) FROM credit_moves WHERE kind = ?1 AND code = ?2)",
            )?
            .query_row(params![kind, code, through], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let known = central.is_some() || moves > 0 || matches!(credit, Credit::Account(_));
        Ok(known.then(|| Money::from_minor(central.unwrap_or(0) + own)))
    }

    /// The account of customer `code`, when they have one.
    pub fn account(&self, code: &str) -> CoreResult<Option<Account>> {
        let found = self
            .conn
            .prepare_cached(
                "SELECT code, name, credit_limit_minor, terms_days, vat_number, address FROM customers
                 WHERE code = ?1 AND credit_limit_minor IS NOT NULL",
            )?
            .query_row([code], |r| {
                Ok(Account {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    credit_limit: Money::from_minor(r.get(2)?),
                    terms_days: r.get(3)?,
                    vat_number: r.get(4)?,
                    address: r.get(5)?,
                    owed: Money::ZERO,
                })
            })
            .optional()?;
        let Some(mut account) = found else { return Ok(None) };
        account.owed = self.known_balance(&Credit::Account(account.code.clone()))?.unwrap_or_default();
        Ok(Some(account))
    }

    /// How much more `customer` may put on account here now: up to the
    /// limit, and past it by the offline allowance while offline.
    pub fn account_headroom(&self, account: &Account, offline: bool) -> Money {
        let mut ceiling = account.credit_limit;
        if offline {
            let share = account.credit_limit.amount() * self.settings.account_allowance_percent / Decimal::ONE_HUNDRED;
            ceiling += Money::round(share, RoundingMode::HalfUp);
        }
        (ceiling - account.owed).max(Money::ZERO)
    }

    /// Refuses `amount` on the account of `customer` beyond what it may take.
    pub fn check_account_charge(&self, customer: Option<&str>, amount: Money) -> CoreResult<()> {
        let Some(customer) = customer else {
            return Err(CoreError::Invalid("attach the customer whose account this goes on".into()));
        };
        let account = self
            .account(customer)?
            .ok_or_else(|| CoreError::Invalid(format!("customer {customer} has no account: they pay now")))?;
        let offline = self.is_offline()?;
        let headroom = self.account_headroom(&account, offline);
        if amount > headroom {
            return Err(CoreError::Invalid(format!(
                "{} owes {} of a {} credit limit: at most {headroom} more on account{}",
                account.name,
                account.owed,
                account.credit_limit,
                if offline { " while offline" } else { "" }
            )));
        }
        Ok(())
    }

    /// Refuses a gift card payment the card cannot make: an unknown card,
    /// more than it holds, or (offline) more than the day's offline limit.
    pub fn check_gift_card(&self, used: &CardUse, already: Money) -> CoreResult<()> {
        check_card_number(&used.card)?;
        let shown = masked_card(&used.card);
        let held = self.known_balance(&Credit::GiftCard(used.card.clone()))?.ok_or_else(|| {
            CoreError::Invalid(format!("gift card {shown} is not known here: sync, or pay otherwise"))
        })?;
        let wanted = used.amount + already;
        if wanted > held {
            return Err(CoreError::Invalid(format!("gift card {shown} holds {held}, not {wanted}")));
        }
        if self.is_offline()? {
            let limit = self.settings.giftcard_offline_limit;
            let spent = self.offline_spent_today(&used.card)?;
            if spent + wanted > limit {
                return Err(CoreError::Invalid(format!(
                    "offline, gift card {shown} may pay at most {limit} a day here ({spent} already)"
                )));
            }
        }
        Ok(())
    }

    /// What `card` paid at this till while offline since local midnight.
    fn offline_spent_today(&self, card: &str) -> CoreResult<Money> {
        use chrono::TimeZone;
        let now = chrono::Local.timestamp_millis_opt(self.clock.now_ms()).single();
        let midnight = now
            .and_then(|t| t.date_naive().and_hms_opt(0, 0, 0))
            .and_then(|t| chrono::Local.from_local_datetime(&t).earliest())
            .map_or(0, |t| t.timestamp_millis());
        let minor: i64 = self
            .conn
            .prepare_cached(
                "SELECT COALESCE(-SUM(amount_minor), 0) FROM credit_moves
                 WHERE kind = 'giftcard' AND code = ?1 AND offline = 1 AND amount_minor < 0 AND at_ms >= ?2",
            )?
            .query_row(params![card, midnight], |r| r.get(0))?;
        Ok(Money::from_minor(minor))
    }

    /// Sells a gift card (or tops one up), or takes a payment on a
    /// customer's account, paid with money (not credit); no tax, no stock.
    pub fn sell_credit(
        &mut self,
        actor: &Operator,
        credit: Credit,
        amount: Money,
        tenders: &[Tender],
    ) -> CoreResult<CreditCommitted> {
        if amount <= Money::ZERO {
            return Err(CoreError::Invalid(format!("{credit}: the amount must be more than zero")));
        }
        match &credit {
            Credit::GiftCard(card) => check_card_number(card)?,
            Credit::Account(customer) => {
                if self.account(customer)?.is_none() {
                    return Err(CoreError::Invalid(format!("customer {customer} has no account")));
                }
            }
        }
        if tenders.iter().any(|t| t.kind.is_credit()) {
            return Err(CoreError::Invalid(format!("{credit} is paid with cash, card or other, not credit")));
        }
        let settlement = settle(amount, tenders, None)?;
        let offline = self.is_offline()?;
        let printing = self.devices.printer.is_some();
        let before = self.known_balance(&credit)?.unwrap_or_default();
        let tx = self.begin_journaled(&[])?;
        let session_id = selling_session_id(&tx, tx.at_ms)?;
        let number = next_counter(&tx, "receipt")?;
        let record = CreditSale {
            receipt_no: ReceiptNo::new(tx.terminal().clone(), number),
            session_id,
            by: actor.name.clone(),
            credit,
            amount,
            payments: settlement.payments,
            cash_tendered: settlement.cash_tendered,
            change: settlement.change,
        };
        let event = Event::CreditSold(Box::new(record));
        let appended = tx.append(&event)?;
        let Event::CreditSold(record) = event else { unreachable!("built as a credit sale above") };
        let at_ms = tx.at_ms;
        let balance = before + record.raised();
        let receipt = record.receipt_no.to_string();
        tx.prepare_cached(
            "INSERT INTO credit_sales (receipt_no, seq, session_id, at_ms, balance_minor, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![receipt, appended.seq.0, session_id, at_ms, balance.minor(), json_text(&*record)])?;
        let mut paid =
            tx.prepare_cached("INSERT INTO credit_payments (receipt_no, tender, amount_minor) VALUES (?1, ?2, ?3)")?;
        for payment in &record.payments {
            paid.execute(params![receipt, payment.kind.as_str(), payment.amount.minor()])?;
        }
        drop(paid);
        add_move(&tx, &record.credit, record.raised(), appended.seq, at_ms, offline)?;
        if printing {
            enqueue(&tx, JobKind::Receipt, &receipt, takes_cash(&record.payments), at_ms)?;
        }
        tx.commit()?;
        Ok(CreditCommitted { record: *record, seq: appended.seq, at_ms, balance })
    }

    /// A gift card sold or payment on account by its receipt number.
    pub fn credit_sale(&self, receipt: &ReceiptNo) -> CoreResult<Option<CreditCommitted>> {
        let found = self
            .conn
            .prepare_cached("SELECT payload, seq, at_ms, balance_minor FROM credit_sales WHERE receipt_no = ?1")?
            .query_row([receipt.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((payload, seq, at_ms, balance)) = found else { return Ok(None) };
        let record = serde_json::from_str(&payload)
            .map_err(|e| CoreError::Invalid(format!("receipt {receipt} is unreadable: {e}")))?;
        Ok(Some(CreditCommitted { record, seq: Seq(seq), at_ms, balance: Money::from_minor(balance) }))
    }

    /// The receipt of a gift card sold or a payment on account.
    pub fn credit_receipt_doc(&self, committed: &CreditCommitted, copy: Option<u32>) -> CoreResult<ReceiptDoc> {
        let when = local_time_text(committed.at_ms);
        let stamp = self.stamp(committed.seq, copy, false)?;
        Ok(credit_receipt(&self.settings.header(), &committed.record, &when, committed.balance, &stamp))
    }

    /// Checks a sale's account and gift card payments before it is written.
    pub(crate) fn check_credit_payments(
        &self,
        customer: Option<&str>,
        tenders: &[Tender],
        cards: &[CardUse],
    ) -> CoreResult<()> {
        let on_account: Money = tenders.iter().filter(|t| t.kind == TenderKind::Account).map(|t| t.amount).sum();
        if !on_account.is_zero() {
            self.check_account_charge(customer, on_account)?;
        }
        for (i, used) in cards.iter().enumerate() {
            let before: Money = cards[..i].iter().filter(|c| c.card == used.card).map(|c| c.amount).sum();
            self.check_gift_card(used, before)?;
        }
        Ok(())
    }
}

/// Records one move on an account or card made by the entry at `seq`.
fn add_move(
    tx: &Transaction<'_>,
    credit: &Credit,
    amount: Money,
    seq: Seq,
    at_ms: i64,
    offline: bool,
) -> CoreResult<()> {
    let (kind, code) = credit.kind_and_code();
    tx.prepare_cached(
        "INSERT INTO credit_moves (seq, kind, code, amount_minor, at_ms, offline) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![seq.0, kind, code, amount.minor(), at_ms, offline])?;
    Ok(())
}

/// Records the moves a sale or return makes on its customer's account and
/// its gift cards, as part of the caller's transaction.
pub(crate) fn record_sale_moves(
    tx: &Transaction<'_>,
    sale: &SaleRecord,
    seq: Seq,
    at_ms: i64,
    offline: bool,
) -> CoreResult<()> {
    for (credit, amount) in sale.credit_moves() {
        add_move(tx, &credit, amount, seq, at_ms, offline)?;
    }
    Ok(())
}

/// Replaces head office's balances with a snapshot's, in the caller's transaction.
pub(crate) fn store_balances(tx: &Transaction<'_>, snapshot: &StockSnapshot) -> CoreResult<()> {
    tx.execute("DELETE FROM central_balances", [])?;
    let mut stmt = tx.prepare_cached("INSERT INTO central_balances (kind, code, balance_minor) VALUES (?1, ?2, ?3)")?;
    for (kind, balances) in [("account", &snapshot.accounts), ("giftcard", &snapshot.gift_cards)] {
        for b in balances {
            stmt.execute(params![kind, b.code, b.balance.minor()])?;
        }
    }
    Ok(())
}
