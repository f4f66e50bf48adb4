//! Head office's customer verbs: `customer add|link|account|pay|statement`
//! and `giftcard show`.

use anyhow::Result;
use clap::{Args, Subcommand};
use pos_shared::journal::Credit;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::rules::catalog::NewCustomer;
use pos_sync_server::storage::rules::credit::{AccountTerms, Statement};
use pos_sync_server::storage::sql::Database;

use crate::emit;

/// A customer's account terms; each stays as it was when not given.
#[derive(Args)]
pub struct TermsArgs {
    /// How much they may owe on account (gives them an account).
    #[arg(long)]
    credit_limit: Option<String>,
    /// Days they have to pay what went on account.
    #[arg(long)]
    terms: Option<u32>,
    /// A business customer's VAT number: their sales are invoices.
    #[arg(long)]
    vat: Option<String>,
    /// Their address as an invoice prints it (commas break the lines).
    #[arg(long)]
    address: Option<String>,
}

impl TermsArgs {
    fn terms(&self) -> AccountTerms<'_> {
        AccountTerms {
            credit_limit: self.credit_limit.as_deref(),
            terms_days: self.terms,
            vat_number: self.vat.as_deref(),
            address: self.address.as_deref(),
        }
    }
}

#[derive(Subcommand)]
pub enum CustomerCommand {
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Their customer group (trade, staff...): its price lists apply.
        #[arg(long)]
        group: Option<String>,
        #[command(flatten)]
        account: TermsArgs,
    },
    /// Let a sales channel see and order for a customer head office knows
    /// (a channel sees only the customers it created and those linked).
    Link {
        code: String,
        #[arg(long)]
        channel: String,
    },
    /// Change a customer's account: credit limit, terms, VAT number, address.
    Account {
        code: String,
        #[command(flatten)]
        account: TermsArgs,
    },
    /// Record a payment head office received on an account (a transfer).
    Pay {
        code: String,
        amount: String,
        #[arg(long)]
        reference: String,
    },
    /// Every sale on account and payment, with the balance after each and
    /// what went beyond the credit limit.
    Statement { code: String },
}

#[derive(Subcommand)]
pub enum GiftcardCommand {
    /// A gift card's balance and every sale, spend and refund on it.
    Show { card: String },
}

pub fn run_customer<D: Database>(store: &HeadOffice<D>, json: bool, command: CustomerCommand) -> Result<()> {
    match command {
        CustomerCommand::Add { name, email, phone, group, account } => {
            let customer = NewCustomer {
                name: &name,
                email: email.as_deref(),
                phone: phone.as_deref(),
                group: group.as_deref(),
                account: account.terms(),
            };
            let code = store.add_customer(&customer)?;
            emit(json, &serde_json::json!({ "code": code, "name": name }), |_| {
                format!("Customer {code} {name} added\n")
            })
        }
        CustomerCommand::Link { code, channel } => {
            store.link_customer(&code, &channel)?;
            emit(json, &serde_json::json!({ "code": code, "channel": channel }), |_| {
                format!("Customer {code} is visible to channel {channel}\n")
            })
        }
        CustomerCommand::Account { code, account } => {
            store.set_account(&code, &account.terms())?;
            emit(json, &serde_json::json!({ "code": code }), |_| format!("Customer {code}'s account saved\n"))
        }
        CustomerCommand::Pay { code, amount, reference } => {
            let owed = store.take_payment(&code, &amount, &reference)?;
            emit(json, &serde_json::json!({ "code": code, "balance": owed }), |_| {
                format!("Payment of {amount} recorded; {code} owes {owed}\n")
            })
        }
        CustomerCommand::Statement { code } => {
            emit(json, &store.statement(&Credit::Account(code))?, |s| statement_text(s, "Owed"))
        }
    }
}

pub fn run_giftcard<D: Database>(store: &HeadOffice<D>, json: bool, command: GiftcardCommand) -> Result<()> {
    let GiftcardCommand::Show { card } = command;
    emit(json, &store.statement(&Credit::GiftCard(card))?, |s| statement_text(s, "Balance"))
}

/// A statement as a person reads it: who, the terms, each move and the
/// balance after it, flags under their move.
fn statement_text(s: &Statement, balance_label: &str) -> String {
    let mut out = match &s.name {
        Some(name) => format!("Statement of {} {name}\n", s.code),
        None => format!("Gift card {}\n", s.code),
    };
    if let Some(limit) = s.credit_limit {
        let terms = s.terms_days.map(|d| format!(", pay within {d} days")).unwrap_or_default();
        out += &format!("Credit limit {limit}{terms}\n");
    }
    for line in &s.lines {
        let when = chrono::DateTime::from_timestamp_millis(line.at_ms)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let source = line.terminal.as_deref().unwrap_or("head office");
        let receipt = line.receipt.as_deref().unwrap_or("");
        out += &format!(
            "{when}  {:<22} {:<24} {:<10} {:>10} {:>10}\n",
            line.what, receipt, source, line.amount, line.balance
        );
        for flag in &line.flags {
            out += &format!("    FLAG: {flag}\n");
        }
    }
    out + &format!("{balance_label} {}\n", s.balance)
}
