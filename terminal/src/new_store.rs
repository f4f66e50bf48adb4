//! A store created on this till from nothing (the command line's `init`
//! and the setup screen): its settings and its first manager, whose PIN is
//! made for them unless one is given. Everything is checked before anything
//! is written, so a refusal leaves no half-made store.

use std::path::Path;

use pos_shared::ids::TerminalId;
use pos_shared::pins;
use pos_shared::pricing::TaxMode;
use pos_shared::roles::Role;

use crate::error::{CoreError, CoreResult};
use crate::{StoreSettings, Terminal};

/// What a new store needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStore {
    pub name: String,
    pub terminal: String,
    pub store_code: String,
    pub terminal_code: String,
    pub currency: String,
    pub tax_mode: TaxMode,
    /// Lines printed under the name on receipts: address, VAT number.
    pub header_lines: Vec<String>,
    pub manager: String,
    /// The first manager's PIN; one is made when none is given.
    pub manager_pin: Option<String>,
}

/// A PIN of `digits` random digits.
pub fn random_pin(digits: usize) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    (0..digits).map(|_| char::from(b'0' + (OsRng.next_u32() % 10) as u8)).collect()
}

impl Terminal {
    /// Creates the store in `dir` with its first manager; returns the till
    /// and the manager's PIN (to show once).
    pub fn create_store(dir: &Path, new: &NewStore) -> CoreResult<(Terminal, String)> {
        let mut settings = StoreSettings::new(
            &new.name,
            &new.terminal,
            TerminalId::new(&new.store_code, &new.terminal_code)?,
            &new.currency,
        )?;
        settings.tax_mode = new.tax_mode;
        settings.header_lines =
            new.header_lines.iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        for line in &settings.header_lines {
            pos_shared::entry_rules::check_text("a receipt header line", line).map_err(CoreError::Invalid)?;
        }
        let manager = new.manager.trim();
        if manager.is_empty() || manager.chars().count() > 40 {
            return Err(CoreError::Invalid("the manager's name is 1 to 40 characters".into()));
        }
        let pin = new.manager_pin.clone().unwrap_or_else(|| random_pin(pins::MANAGER_DIGITS));
        pins::check_pin(&pin, Role::Manager, pins::MANAGER_DIGITS).map_err(CoreError::Invalid)?;
        let mut terminal = Terminal::init(dir, settings)?;
        terminal.create_user(manager, Role::Manager, &pin)?;
        Ok((terminal, pin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop(pin: Option<&str>) -> NewStore {
        NewStore {
            name: "Corner Shop".into(),
            terminal: "Till 1".into(),
            store_code: "S01".into(),
            terminal_code: "T01".into(),
            currency: "EUR".into(),
            tax_mode: TaxMode::Exclusive,
            header_lines: vec!["1 rue Haute".into(), " ".into(), "TVA FR00 000000000".into()],
            manager: "Nadia".into(),
            manager_pin: pin.map(String::from),
        }
    }

    #[test]
    fn a_store_is_made_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let Err(refused) = Terminal::create_store(dir.path(), &shop(Some("4321"))) else { panic!("a short PIN") };
        assert!(refused.to_string().contains("6 to 12 digits"), "{refused}");
        assert!(Terminal::open(dir.path()).is_err(), "no half-made store is left");
        let (mut terminal, pin) = Terminal::create_store(dir.path(), &shop(None)).unwrap();
        assert_eq!(pin.len(), 6);
        assert_eq!(terminal.settings().header_lines, ["1 rue Haute", "TVA FR00 000000000"]);
        assert_eq!(terminal.settings().tax_mode, TaxMode::Exclusive);
        assert_eq!(terminal.login("Nadia", &pin).unwrap().role, Role::Manager);
        assert!(matches!(Terminal::create_store(dir.path(), &shop(None)), Err(CoreError::AlreadyInitialised(_))));
    }
}
