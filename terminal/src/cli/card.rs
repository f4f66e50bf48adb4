//! The card terminal from the command line: `sell --pay card-terminal[:AMOUNT]`
//! takes the card through it, `--external-card REASON` records a card
//! keyed on another terminal, `card recover` resolves a payment a crash left
//! open, `card last` asks the terminal its last transaction.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::{Result, anyhow};
use clap::Subcommand;
use pos_shared::journal::SaleKind;
use pos_shared::money::Money;
use pos_shared::tender::{Tender, TenderKind};
use pos_terminal::card_payment::CardOutcome;
use pos_terminal::devices::card_terminal::last_transaction;
use pos_terminal::sale::{Committed, Prepared};
use pos_terminal::{Cart, Terminal};
use serde_json::json;

use super::emit;

#[derive(Subcommand, Debug)]
pub enum CardCommand {
    /// Resolve a card payment a crash or a lost answer left open, from the
    /// terminal's last transaction.
    Recover,
    /// The card terminal's last transaction, as it says it.
    Last,
}

/// `card-terminal` or `card-terminal:AMOUNT` among `sell`'s payments: the
/// amount given, or `Some(None)` for what is left to pay.
pub fn take_terminal_payment(payments: &mut Vec<String>) -> Result<Option<Option<Money>>> {
    let mut found = None;
    for text in payments.extract_if(.., |p| p == "card-terminal" || p.starts_with("card-terminal:")) {
        if found.is_some() {
            return Err(anyhow!("pay by card-terminal once"));
        }
        found = Some(match text.split_once(':') {
            Some((_, amount)) => Some(Money::parse_non_negative(amount).map_err(|e| anyhow!("payment “{text}”: {e}"))?),
            None => None,
        });
    }
    Ok(found)
}

/// The card tender for `card-terminal`: the amount given, else what the
/// other tenders leave to pay.
pub fn terminal_tender(terminal: &Terminal, cart: &Cart, others: &[Tender], amount: Option<Money>) -> Result<Tender> {
    let amount = match amount {
        Some(amount) => amount,
        None => terminal.amount_to_pay(cart)? - others.iter().map(|t| t.amount).sum(),
    };
    if amount <= Money::ZERO {
        return Err(anyhow!("nothing is left to pay by card"));
    }
    Ok(Tender { kind: TenderKind::Card, amount })
}

/// Writes `prepared`: its card through the till's terminal (`card-terminal`
/// asked for, or a card refund at a till with one), or keyed on another
/// terminal for `external`'s reason.
pub fn commit(
    terminal: &mut Terminal,
    prepared: Prepared,
    card_terminal_asked: bool,
    external: Option<&str>,
) -> Result<Committed> {
    let prepared = match external {
        Some(_) if card_terminal_asked => return Err(anyhow!("pay by card-terminal or say --external-card, not both")),
        Some(reason) => prepared.external_card(reason)?,
        None => prepared,
    };
    let card_refund = prepared.kind() == SaleKind::Return && terminal.card_goes_through_terminal(&prepared);
    if card_terminal_asked || card_refund {
        let what = if prepared.kind() == SaleKind::Return { "refund" } else { "payment" };
        eprintln!("Waiting for the card terminal: {what} of {}...", prepared.on_card());
        return Ok(terminal.pay_by_card_terminal(prepared, &AtomicBool::new(false))?);
    }
    Ok(terminal.commit(prepared)?)
}

pub fn card(dir: &Path, json: bool, command: CardCommand) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    match command {
        CardCommand::Recover => {
            let said = match terminal.recover_card_payment()? {
                None => "No card payment was open.\n".to_string(),
                Some(CardOutcome::Paid(committed)) => {
                    format!("The terminal had approved it: receipt {} written.\n", committed.record.receipt_no)
                }
                Some(CardOutcome::Refused(why)) => format!("Not paid ({why}): nothing was written.\n"),
            };
            emit(json, &json!({ "said": said.trim() }), |_| said.clone())
        }
        CardCommand::Last => {
            let last = last_transaction(&terminal.card_terminal()?)?;
            let shown = last.as_ref().map(
                |s| json!({ "approved": s.approved(), "amount": s.amount, "trace": s.trace, "card": s.card_text() }),
            );
            emit(json, &shown, |_| match &last {
                None => "The terminal has no transaction.\n".into(),
                Some(s) => format!(
                    "Trace {}: {} {} {}\n",
                    s.trace.unwrap_or_default(),
                    s.amount.map(|a| a.to_string()).unwrap_or_default(),
                    s.card_text(),
                    pos_shared::zvt::ResultText(s.result)
                ),
            })
        }
    }
}
