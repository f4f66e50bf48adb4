//! The terminal's headless core: everything a counter does, on a local SQLite
//! file, with no UI. The CLI, the desktop app, the tests and the benchmarks
//! all drive this same [`Terminal`].

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub mod adjust;
pub mod app;
pub mod authorize;
pub mod card_payment;
pub mod cart;
pub mod catalog;
pub mod clock;
pub mod closings;
pub mod credit;
pub mod db;
pub mod demo;
pub mod devices;
pub mod error;
pub mod fiscal_archive;
pub mod journal;
pub mod labels;
pub mod new_store;
pub mod orders;
pub mod parked;
pub mod pricing;
pub mod purchasing;
pub mod receipts;
pub mod records;
pub mod returns;
pub mod sale;
pub mod screen;
pub mod session;
pub mod settings;
pub mod signer;
pub mod stock;
pub mod sync;
pub mod tiles;
pub mod training;
pub mod users;

#[cfg(test)]
mod test_support;

pub use cart::Cart;
pub use clock::{Clock, SystemClock};
pub use error::{CoreError, CoreResult};
pub use settings::StoreSettings;
pub use users::Operator;

use devices::config::DeviceConfig;

/// One terminal's store: its database, settings and clock.
pub struct Terminal {
    pub(crate) conn: Connection,
    pub(crate) settings: StoreSettings,
    pub(crate) devices: DeviceConfig,
    pub(crate) clock: Box<dyn Clock>,
    pub(crate) price_book: pricing::BookCache,
    /// Signs every journal entry (a key file; a hardware module may take its place).
    pub(crate) signer: Box<dyn pos_shared::signing::Signer + Send + Sync>,
    /// What is closed (none: not looked up yet).
    pub(crate) closed: Option<closings::Closed>,
    /// Sales are made in training mode (see `training`).
    pub(crate) training: bool,
    dir: PathBuf,
}

impl Terminal {
    /// Creates a new store in `dir`; refuses a directory that already has one.
    pub fn init(dir: &Path, settings: StoreSettings) -> CoreResult<Terminal> {
        std::fs::create_dir_all(dir)?;
        let conn = db::open(&dir.join(db::DB_FILE))?;
        if StoreSettings::load(&conn)?.is_some() {
            return Err(CoreError::AlreadyInitialised(dir.display().to_string()));
        }
        settings.save(&conn)?;
        Ok(Terminal {
            conn,
            settings,
            devices: DeviceConfig::load(dir)?,
            clock: Box::new(SystemClock),
            price_book: pricing::BookCache::default(),
            signer: Box::new(signer::KeyFile::load_or_create(dir)?),
            closed: None,
            training: false,
            dir: dir.to_path_buf(),
        })
    }

    /// Opens the store in `dir`.
    pub fn open(dir: &Path) -> CoreResult<Terminal> {
        Terminal::open_with_clock(dir, Box::new(SystemClock))
    }

    /// Opens the store in `dir` reading time from `clock` (tests fix it).
    pub fn open_with_clock(dir: &Path, clock: Box<dyn Clock>) -> CoreResult<Terminal> {
        let not_initialised = || CoreError::NotInitialised(dir.display().to_string());
        let path = dir.join(db::DB_FILE);
        if !path.exists() {
            return Err(not_initialised());
        }
        let conn = db::open(&path)?;
        let settings = StoreSettings::load(&conn)?.ok_or_else(not_initialised)?;
        let mut terminal = Terminal {
            conn,
            settings,
            devices: DeviceConfig::load(dir)?,
            clock,
            price_book: pricing::BookCache::default(),
            signer: Box::new(signer::KeyFile::load_or_create(dir)?),
            closed: None,
            training: false,
            dir: dir.to_path_buf(),
        };
        // A catalog pull cut short leaves the search index to rebuild.
        terminal.refresh_search_index()?;
        Ok(terminal)
    }

    pub fn settings(&self) -> &StoreSettings {
        &self.settings
    }

    /// Changes settings and saves them.
    pub fn update_settings(&mut self, change: impl FnOnce(&mut StoreSettings)) -> CoreResult<()> {
        let mut settings = self.settings.clone();
        change(&mut settings);
        settings.save(&self.conn)?;
        self.settings = settings;
        Ok(())
    }

    pub fn devices(&self) -> &DeviceConfig {
        &self.devices
    }

    /// Changes one device setting (`printer`, `scanner`, `paper-width`,
    /// `columns`) and saves it: a manager's decision, approved by
    /// `approver` when `actor` is not one. An invalid value changes nothing.
    pub fn set_device(
        &mut self,
        actor: &Operator,
        key: &str,
        value: &str,
        approver: Option<&users::Credentials>,
    ) -> CoreResult<()> {
        let mut devices = self.devices.clone();
        devices.set(key, value)?;
        let permission = pos_shared::roles::Permission::ChangeSettings;
        self.authorize(actor, permission, approver, format!("device {key} = {value}"))?;
        self.replace_devices(devices)
    }

    /// Saves `devices` as this till's device settings.
    pub(crate) fn replace_devices(&mut self, devices: DeviceConfig) -> CoreResult<()> {
        devices.save(&self.dir)?;
        self.devices = devices;
        Ok(())
    }

    /// Characters a receipt line holds on the configured paper.
    pub fn receipt_columns(&self) -> usize {
        self.devices.columns()
    }
}
