//! Customer accounts and gift cards at head office: every move on them
//! from the entries that made it (a sale on account, a payment, a card sold,
//! spent or refunded to), the balances tills enforce offline, what went
//! beyond a limit (flagged, never silent), and a customer's statement.

use pos_shared::journal::{Credit, CreditSale, SaleKind, SaleRecord};
use pos_shared::money::Money;
use pos_shared::protocol::WireBalance;
use pos_shared::tender::masked_card;
use serde::Serialize;

use crate::storage::sql::Tx;
use crate::storage::{StoreError, StoreResult, now_ms};

/// A customer's account terms as `customer add` or `customer account` give
/// them; what is not given stays as it was.
#[derive(Clone, Copy, Debug, Default)]
pub struct AccountTerms<'a> {
    pub credit_limit: Option<&'a str>,
    pub terms_days: Option<u32>,
    pub vat_number: Option<&'a str>,
    pub address: Option<&'a str>,
}

/// Sets a customer's account terms (a new catalog version, so tills learn
/// them with the catalog).
pub fn set_account(tx: &impl Tx, customer: &str, terms: &AccountTerms<'_>) -> StoreResult<()> {
    let AccountTerms { credit_limit, terms_days, vat_number, address } = *terms;
    if credit_limit.is_none() && terms_days.is_none() && vat_number.is_none() && address.is_none() {
        return Ok(());
    }
    let limit = credit_limit
        .map(|text| match text.parse::<Money>() {
            Ok(limit) if !limit.is_negative() => Ok(limit.minor()),
            Ok(_) => Err(StoreError::BadRequest("a credit limit cannot be negative".into())),
            Err(e) => Err(StoreError::BadRequest(format!("credit limit {text}: {e}"))),
        })
        .transpose()?;
    if terms_days.is_some_and(|days| days > 365) {
        return Err(StoreError::BadRequest("payment terms are 0 to 365 days".into()));
    }
    let vat = vat_number.map(str::trim).map(str::to_uppercase);
    if let Some(vat) = &vat
        && !((4..=20).contains(&vat.len()) && vat.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(StoreError::BadRequest(format!("VAT number {vat} must be 4 to 20 letters or digits")));
    }
    crate::storage::check_name("the customer's address", address.unwrap_or_default())?;
    let version = super::catalog::next_version(tx, "catalog_version")?;
    let changed = tx.run(
        "UPDATE customers SET credit_limit_minor = COALESCE(?2, credit_limit_minor),
           terms_days = COALESCE(?3, terms_days), vat_number = COALESCE(?4, vat_number),
           address = COALESCE(?5, address), version = ?6 WHERE code = ?1",
        &[&customer, &limit, &terms_days, &vat, &address.map(str::trim), &version],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("no customer {customer}")));
    }
    Ok(())
}

/// Where a move comes from: a terminal's entry, or head office.
pub struct Origin<'a> {
    pub terminal: Option<&'a str>,
    pub seq: Option<u64>,
    pub receipt: Option<String>,
    pub at_ms: i64,
}

/// Adds one move (positive: the customer owes more, the card holds more)
/// and returns the balance after it.
fn add_move(tx: &impl Tx, credit: &Credit, what: &str, amount: Money, origin: &Origin<'_>) -> StoreResult<Money> {
    let (kind, code) = credit.kind_and_code();
    tx.run(
        "INSERT INTO credit_moves (kind, code, terminal_id, seq, receipt_no, what, amount_minor, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &[&kind, &code, &origin.terminal, &origin.seq, &origin.receipt, &what, &amount.minor(), &origin.at_ms],
    )?;
    balance(tx, credit)
}

/// What an account owes or a card holds now.
pub fn balance(tx: &impl Tx, credit: &Credit) -> StoreResult<Money> {
    let (kind, code) = credit.kind_and_code();
    let minor: i64 = tx.one(
        "SELECT COALESCE(CAST(SUM(amount_minor) AS BIGINT), 0) FROM credit_moves WHERE kind = ?1 AND code = ?2",
        &[&kind, &code],
    )?;
    Ok(Money::from_minor(minor))
}

/// A customer's credit limit, `None` when they have no account (or are unknown).
fn credit_limit(tx: &impl Tx, customer: &str) -> StoreResult<Option<Money>> {
    let row = tx.row("SELECT credit_limit_minor FROM customers WHERE code = ?1", &[&customer])?;
    Ok(row.map(|r| r.get::<Option<i64>>(0)).transpose()?.flatten().map(Money::from_minor))
}

/// What a problem on an account says once it is past its limit, or `None`.
fn over_limit(tx: &impl Tx, customer: &str, owed: Money, receipt: &str) -> StoreResult<Option<String>> {
    Ok(match credit_limit(tx, customer)? {
        None => Some(format!("receipt {receipt} went on the account of {customer}, who has no account")),
        Some(limit) if owed > limit => Some(format!(
            "customer {customer} owes {owed} after receipt {receipt}: {} beyond the {limit} credit limit",
            owed - limit
        )),
        Some(_) => None,
    })
}

/// A card's problem once it is spent below zero, or `None`.
fn overspent(card: &str, held: Money, receipt: &str) -> Option<String> {
    held.is_negative()
        .then(|| format!("gift card {} spent {} beyond its balance by receipt {receipt}", masked_card(card), -held))
}

/// Applies a sale's or return's account and gift card payments; returns
/// what went beyond a limit, for head office's flags.
pub fn record_sale_credit(tx: &impl Tx, sale: &SaleRecord, origin: &Origin<'_>) -> StoreResult<Vec<String>> {
    let mut problems = Vec::new();
    let receipt = sale.receipt_no.to_string();
    let sale_made = sale.kind == SaleKind::Sale;
    for (credit, amount) in sale.credit_moves() {
        let what = match (&credit, sale_made) {
            (Credit::Account(_), true) => "sale on account",
            (Credit::Account(_), false) => "refund to account",
            (Credit::GiftCard(_), true) => "spent",
            (Credit::GiftCard(_), false) => "refund to store credit",
        };
        let after = add_move(tx, &credit, what, amount, origin)?;
        match &credit {
            Credit::Account(customer) if sale_made => problems.extend(over_limit(tx, customer, after, &receipt)?),
            Credit::Account(_) => {}
            Credit::GiftCard(card) => problems.extend(overspent(card, after, &receipt)),
        }
    }
    Ok(problems)
}

/// Applies a gift card sold or a payment on account; returns what is wrong
/// with it for head office's flags.
pub fn record_credit_sale(tx: &impl Tx, credit: &CreditSale, origin: &Origin<'_>) -> StoreResult<Vec<String>> {
    let receipt = credit.receipt_no.to_string();
    match &credit.credit {
        Credit::Account(customer) => {
            add_move(tx, &credit.credit, "payment", credit.raised(), origin)?;
            Ok(match credit_limit(tx, customer)? {
                None => vec![format!("receipt {receipt} took a payment on account for {customer}, who has no account")],
                Some(_) => Vec::new(),
            })
        }
        Credit::GiftCard(_) => {
            add_move(tx, &credit.credit, "sold", credit.raised(), origin)?;
            Ok(Vec::new())
        }
    }
}

/// Records a payment head office received on a customer's account (a bank
/// transfer); returns what they owe after it.
pub fn take_payment(tx: &impl Tx, customer: &str, amount: &str, reference: &str) -> StoreResult<Money> {
    let amount: Money = amount.parse().map_err(|e| StoreError::BadRequest(format!("amount {amount}: {e}")))?;
    if amount <= Money::ZERO {
        return Err(StoreError::BadRequest("a payment must be more than zero".into()));
    }
    crate::storage::check_name("the payment's reference", reference)?;
    if credit_limit(tx, customer)?.is_none() {
        return Err(StoreError::NotFound(format!("customer {customer} has no account")));
    }
    let origin = Origin { terminal: None, seq: None, receipt: Some(reference.to_string()), at_ms: now_ms() };
    add_move(tx, &Credit::Account(customer.to_string()), "payment", -amount, &origin)
}

/// A customer with an account, and what they owe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountRow {
    pub code: String,
    pub name: String,
    pub group: Option<String>,
    pub vat_number: Option<String>,
    pub credit_limit: Money,
    pub terms_days: Option<u32>,
    pub owed: Money,
}

/// Every customer with an account, by code.
pub fn accounts(tx: &impl Tx) -> StoreResult<Vec<AccountRow>> {
    tx.rows(
        "SELECT c.code, c.name, c.customer_group, c.vat_number, c.credit_limit_minor, c.terms_days,
           COALESCE((SELECT CAST(SUM(m.amount_minor) AS BIGINT) FROM credit_moves m
             WHERE m.kind = 'account' AND m.code = c.code), 0)
         FROM customers c WHERE c.credit_limit_minor IS NOT NULL ORDER BY c.code",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(AccountRow {
            code: r.get(0)?,
            name: r.get(1)?,
            group: r.get(2)?,
            vat_number: r.get(3)?,
            credit_limit: Money::from_minor(r.get(4)?),
            terms_days: r.get(5)?,
            owed: Money::from_minor(r.get(6)?),
        })
    })
    .collect()
}

/// Every account's and gift card's balance, for a till's snapshot.
pub fn balances(tx: &impl Tx) -> StoreResult<(Vec<WireBalance>, Vec<WireBalance>)> {
    let accounts = accounts(tx)?.into_iter().map(|a| WireBalance { code: a.code, balance: a.owed }).collect();
    let cards = tx.rows(
        "SELECT code, CAST(SUM(amount_minor) AS BIGINT) FROM credit_moves WHERE kind = 'giftcard'
         GROUP BY code ORDER BY code",
        &[],
    )?;
    let cards = cards
        .iter()
        .map(|r| Ok(WireBalance { code: r.get(0)?, balance: Money::from_minor(r.get(1)?) }))
        .collect::<StoreResult<_>>()?;
    Ok((accounts, cards))
}

/// One move on a statement, with the balance after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub at_ms: i64,
    pub what: String,
    pub receipt: Option<String>,
    pub terminal: Option<String>,
    pub amount: Money,
    pub balance: Money,
    /// What went beyond a limit with this move, as flagged.
    pub flags: Vec<String>,
}

/// A customer's account or a gift card, move by move.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub code: String,
    pub name: Option<String>,
    pub credit_limit: Option<Money>,
    pub terms_days: Option<u32>,
    pub lines: Vec<StatementLine>,
    pub balance: Money,
}

/// The statement of a customer's account (`Credit::Account`) or of a gift
/// card.
pub fn statement(tx: &impl Tx, credit: &Credit) -> StoreResult<Statement> {
    let (kind, code) = credit.kind_and_code();
    let customer = match credit {
        Credit::Account(_) => Some(
            tx.row("SELECT name, credit_limit_minor, terms_days FROM customers WHERE code = ?1", &[&code])?
                .ok_or_else(|| StoreError::NotFound(format!("no customer {code}")))?,
        ),
        Credit::GiftCard(_) => None,
    };
    let rows = tx.rows(
        "SELECT m.at_ms, m.what, m.receipt_no, m.terminal_id, m.amount_minor, m.seq FROM credit_moves m
         WHERE m.kind = ?1 AND m.code = ?2 ORDER BY m.id",
        &[&kind, &code],
    )?;
    if customer.is_none() && rows.is_empty() {
        return Err(StoreError::NotFound(format!("no gift card {code}")));
    }
    // The flags raised by the entries that made these moves, read at once.
    let mut flagged: std::collections::HashMap<(String, u64), Vec<String>> = std::collections::HashMap::new();
    for f in tx.rows(
        "SELECT f.terminal_id, f.seq, f.reason FROM chain_flags f
         WHERE EXISTS (SELECT 1 FROM credit_moves m WHERE m.terminal_id = f.terminal_id AND m.seq = f.seq
           AND m.kind = ?1 AND m.code = ?2)
         ORDER BY f.id",
        &[&kind, &code],
    )? {
        flagged.entry((f.get(0)?, f.get(1)?)).or_default().push(f.get(2)?);
    }
    let mut balance = Money::ZERO;
    let mut lines = Vec::with_capacity(rows.len());
    for r in &rows {
        let (terminal, seq): (Option<String>, Option<u64>) = (r.get(3)?, r.get(5)?);
        let amount = Money::from_minor(r.get(4)?);
        balance += amount;
        let flags = match (&terminal, seq) {
            (Some(t), Some(s)) => flagged.get(&(t.clone(), s)).cloned().unwrap_or_default(),
            _ => Vec::new(),
        };
        lines.push(StatementLine {
            at_ms: r.get(0)?,
            what: r.get(1)?,
            receipt: r.get(2)?,
            terminal,
            amount,
            balance,
            flags,
        });
    }
    let (name, credit_limit, terms_days) = match customer {
        Some(c) => (Some(c.get(0)?), c.get::<Option<i64>>(1)?.map(Money::from_minor), c.get(2)?),
        None => (None, None, None),
    };
    Ok(Statement { code: code.to_string(), name, credit_limit, terms_days, lines, balance })
}
