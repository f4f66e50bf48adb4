//! Head office's verbs for entries held for a person to decide:
//! `quarantine list|accept|reject`.

use anyhow::Result;
use clap::Subcommand;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::rules::quarantine::{Decision, HeldEntry};
use pos_sync_server::storage::sql::Database;

use crate::emit;

#[derive(Subcommand)]
pub enum QuarantineCommand {
    /// The entries head office holds instead of applying them, and why.
    List {
        /// Only this terminal's.
        #[arg(long)]
        terminal: Option<String>,
        /// Those already accepted or rejected too.
        #[arg(long)]
        all: bool,
    },
    /// Apply a held entry as it is (its effects on stock, sales, accounts).
    Accept(DecisionArgs),
    /// Keep a held entry, applied to nothing.
    Reject(DecisionArgs),
}

#[derive(clap::Args)]
pub struct DecisionArgs {
    /// The terminal that pushed it (S01-T01).
    terminal: String,
    /// Its seq in that terminal's journal.
    seq: u64,
    /// Who decides (kept with the decision).
    #[arg(long)]
    by: String,
    /// Why, in words (kept with the decision).
    #[arg(long)]
    reason: Option<String>,
}

fn line(held: &HeldEntry) -> String {
    let decided = match (&held.decision, &held.decided_by) {
        (Some(decision), Some(by)) => {
            let why = held.decided_reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
            format!("\t{decision} by {by}{why}")
        }
        _ => "\theld".to_string(),
    };
    format!("{}\tseq {}\t{}\t{}{decided}\n", held.terminal_id, held.seq, held.reason, held.what)
}

pub fn run_quarantine<D: Database>(store: &HeadOffice<D>, json: bool, command: QuarantineCommand) -> Result<()> {
    let (args, decision) = match command {
        QuarantineCommand::List { terminal, all } => {
            let held = store.held_entries(terminal.as_deref(), all)?;
            return emit(json, &held, |held| match held.is_empty() {
                true => "No entry waits for a decision.\n".to_string(),
                false => held.iter().map(line).collect(),
            });
        }
        QuarantineCommand::Accept(args) => (args, Decision::Accept),
        QuarantineCommand::Reject(args) => (args, Decision::Reject),
    };
    let decided = store.decide_held(&args.terminal, args.seq, decision, &args.by, args.reason.as_deref())?;
    emit(json, &decided, line)
}
