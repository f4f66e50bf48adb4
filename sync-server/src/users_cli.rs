//! Head office's verbs for the people at the tills: `user add|change|list`.

use anyhow::{Result, anyhow};
use clap::Subcommand;
use pos_shared::roles::Role;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::rules::catalog::UserChange;
use pos_sync_server::storage::sql::Database;

use crate::emit;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a person who logs in at the tills; a name that exists is refused.
    Add {
        #[arg(long)]
        name: String,
        /// cashier or manager.
        #[arg(long)]
        role: String,
        #[arg(long)]
        pin: String,
        /// The store whose tills the user may log in on (default: every store).
        #[arg(long)]
        store: Option<String>,
    },
    /// Change a person's role, store or PIN; what is not given stays.
    Change {
        name: String,
        /// cashier or manager (a new role needs a new --pin).
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        pin: Option<String>,
        /// The store whose tills they may log in on.
        #[arg(long, conflicts_with = "every_store")]
        store: Option<String>,
        /// They may log in at every store's tills.
        #[arg(long)]
        every_store: bool,
    },
    /// Everyone who logs in at the tills, by store.
    List,
}

fn role(text: &str) -> Result<Role> {
    text.parse().map_err(|e: String| anyhow!(e))
}

pub fn run_user<D: Database>(store: &HeadOffice<D>, json: bool, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add { name, role: r, pin, store: at } => {
            let role = role(&r)?;
            store.add_user(&name, role, &pin, at.as_deref())?;
            emit(json, &serde_json::json!({ "name": name, "role": role }), |_| format!("User {name} ({role}) added\n"))
        }
        UserCommand::Change { name, role: r, pin, store: at, every_store } => {
            let change = UserChange {
                role: r.as_deref().map(role).transpose()?,
                pin: pin.as_deref(),
                store: if every_store { Some(None) } else { at.as_deref().map(Some) },
            };
            store.change_user(&name, change)?;
            emit(json, &serde_json::json!({ "changed": name }), |_| format!("User {name} changed\n"))
        }
        UserCommand::List => {
            let people = store.staff()?;
            emit(json, &people, |people| {
                people
                    .iter()
                    .map(|p| {
                        let at = p.store.as_deref().unwrap_or("every store");
                        let active = if p.active { "" } else { "\tdeactivated" };
                        format!("{}\t{}\t{at}{active}\n", p.name, p.role)
                    })
                    .collect()
            })
        }
    }
}
