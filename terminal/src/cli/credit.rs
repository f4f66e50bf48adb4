//! `pos-terminal giftcard sell|balance` and `pos-terminal account pay|show`:
//! gift cards and customer accounts at the counter, and the payments `sell`
//! takes from them.

use std::path::Path;

use anyhow::{Result, anyhow};
use clap::Subcommand;
use pos_shared::journal::Credit;
use pos_shared::money::Money;
use pos_shared::tender::{CardUse, Tender, Tendered, masked_card};
use pos_terminal::Terminal;
use pos_terminal::credit::CreditCommitted;
use serde_json::json;

use super::args::Actor;
use super::{emit, parse_tenders};

#[derive(Subcommand, Debug)]
pub enum GiftcardCommand {
    /// Sell a gift card (or top one up): the card's number as scanned.
    Sell {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        card: String,
        #[arg(long)]
        amount: String,
        /// TENDER:AMOUNT (cash, card or other); repeat to split.
        #[arg(long = "pay", required = true)]
        payments: Vec<String>,
    },
    /// What a card holds as this till knows it (head office's last balance
    /// and this till's use since).
    Balance { card: String },
}

#[derive(Subcommand, Debug)]
pub enum AccountCommand {
    /// Take a payment on a customer's account at the counter.
    Pay {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        customer: String,
        #[arg(long)]
        amount: String,
        #[arg(long = "pay", required = true)]
        payments: Vec<String>,
    },
    /// A customer's account as this till knows it: limit, owed, room left.
    Show { customer: String },
}

/// `sell`'s payments: tenders, and the gift cards some of it comes from.
pub fn parse_payments(texts: &[String]) -> Result<(Vec<Tender>, Vec<CardUse>)> {
    let (mut tenders, mut cards) = (Vec::new(), Vec::new());
    for text in texts {
        match text.parse::<Tendered>()? {
            Tendered::Tender(tender) => tenders.push(tender),
            Tendered::GiftCard(card) => cards.push(card),
        }
    }
    Ok((tenders, cards))
}

fn print_credit(terminal: &mut Terminal, json: bool, committed: &CreditCommitted) -> Result<()> {
    let doc = terminal.credit_receipt_doc(committed, None)?;
    let width = terminal.receipt_columns();
    let shown = json!({ "record": committed.record, "seq": committed.seq, "balance": committed.balance });
    emit(json, &shown, |_| doc.render_text(width))?;
    super::devices::print_queued(terminal);
    Ok(())
}

pub fn giftcard(dir: &Path, json: bool, command: GiftcardCommand) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    match command {
        GiftcardCommand::Sell { actor, card, amount, payments } => {
            let user = actor.login(&mut terminal)?;
            let amount = Money::parse_non_negative(&amount)?;
            let committed = terminal.sell_credit(&user, Credit::GiftCard(card), amount, &parse_tenders(&payments)?)?;
            print_credit(&mut terminal, json, &committed)
        }
        GiftcardCommand::Balance { card } => {
            let held = terminal
                .known_balance(&Credit::GiftCard(card.clone()))?
                .ok_or_else(|| anyhow!("gift card {} is not known here", masked_card(&card)))?;
            let offline = terminal.is_offline()?;
            let shown = json!({ "card": card, "balance": held, "offline": offline });
            emit(json, &shown, |_| {
                let note = if offline { " (offline: as of the last sync, with this till's use since)" } else { "" };
                format!("Gift card {} holds {held}{note}\n", masked_card(&card))
            })
        }
    }
}

pub fn account(dir: &Path, json: bool, command: AccountCommand) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    match command {
        AccountCommand::Pay { actor, customer, amount, payments } => {
            let user = actor.login(&mut terminal)?;
            let amount = Money::parse_non_negative(&amount)?;
            let committed =
                terminal.sell_credit(&user, Credit::Account(customer), amount, &parse_tenders(&payments)?)?;
            print_credit(&mut terminal, json, &committed)
        }
        AccountCommand::Show { customer } => {
            let account = terminal.account(&customer)?.ok_or_else(|| anyhow!("customer {customer} has no account"))?;
            let offline = terminal.is_offline()?;
            let room = terminal.account_headroom(&account, offline);
            let shown = json!({
                "customer": account.code, "name": account.name, "credit_limit": account.credit_limit,
                "owed": account.owed, "may_add": room, "offline": offline,
            });
            emit(json, &shown, |_| {
                format!(
                    "{} {}: owes {} of a {} limit; {room} more may go on account now\n",
                    account.code, account.name, account.owed, account.credit_limit
                )
            })
        }
    }
}
