//! What the web back office asks of head office: its accounts and
//! sessions, changes recorded in the audit log in the same transaction as
//! the change itself, the dashboard, and the catalog, stock and set-up as
//! its pages show them. Each is one transaction around the rules, as the
//! command line's verbs are.

use std::collections::HashMap;

use pos_shared::money::Money;
use pos_shared::protocol::WireProduct;
use rust_decimal::Decimal;

use super::HeadOffice;
use crate::storage::rules::catalog_edit::{self, ImportPreview, SEARCH_LIMIT};
use crate::storage::rules::dashboard::{self, FlagRow, TillRow};
use crate::storage::rules::insights::{self, LowStockRow, Period};
use crate::storage::rules::ledger::{self, Ledger};
use crate::storage::rules::listings::{self, StaffRow, StoreRow, SupplierRow};
use crate::storage::rules::office::{self, AccountRow, AuditFilter, AuditRow, LogIn, OfficeRole, OfficeSession};
use crate::storage::rules::sales::{self, SalesBy, SalesRow};
use crate::storage::rules::{admin, meta, product_words};
use crate::storage::sql::Database;
use crate::storage::{StoreResult, now_ms};

/// A change and what the audit log records of it.
pub struct Audited<T> {
    pub value: T,
    /// What changed: a SKU, a terminal, a purchase order.
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl<T> Audited<T> {
    pub fn new(value: T, subject: impl Into<String>) -> Audited<T> {
        Audited { value, subject: subject.into(), before: None, after: None }
    }

    pub fn before_after(mut self, before: Option<String>, after: Option<String>) -> Audited<T> {
        self.before = before;
        self.after = after;
        self
    }
}

/// One store's figures over a few days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreFigures {
    pub store: String,
    /// Before tax.
    pub net: Money,
    pub tickets: u64,
    /// Tax included, per ticket.
    pub average_basket: Money,
    /// Of the sales of products with a cost price.
    pub margin_percent: Option<Decimal>,
}

/// Everything the dashboard shows, read in one snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    pub today: String,
    pub week_from: String,
    pub today_figures: Vec<StoreFigures>,
    pub week_figures: Vec<StoreFigures>,
    /// Today's sales by local hour, every store.
    pub by_hour: Vec<SalesRow>,
    /// This week's best sellers by net sales.
    pub top_products: Vec<SalesRow>,
    pub low_stock: Vec<LowStockRow>,
    pub open_flags: u64,
    pub flags: Vec<FlagRow>,
    pub tills: Vec<TillRow>,
}

/// Products the dashboard lists as best sellers, low stock rows it shows.
const TOP_PRODUCTS: usize = 10;
const DASHBOARD_ROWS: usize = 20;

fn figures(rows: Vec<SalesRow>, margins: &HashMap<String, (Money, Money)>) -> Vec<StoreFigures> {
    rows.into_iter()
        .map(|row| {
            let code = row.key.split(' ').next().unwrap_or_default().to_string();
            let average_basket = match row.receipts {
                0 => Money::ZERO,
                n => Money::round(Decimal::new(row.gross.minor(), 2) / Decimal::from(n), Default::default()),
            };
            let margin_percent = margins.get(&code).filter(|(net, _)| !net.is_zero()).map(|(net, cost)| {
                (Decimal::new((*net - *cost).minor(), 2) * Decimal::ONE_HUNDRED / Decimal::new(net.minor(), 2))
                    .round_dp(1)
            });
            StoreFigures { store: row.key, net: row.net, tickets: row.receipts, average_basket, margin_percent }
        })
        .collect()
}

impl<D: Database> HeadOffice<D> {
    /// Adds a back-office account (or resets one); returns its one-time password.
    pub fn add_office_user(&self, email: &str, role: OfficeRole) -> StoreResult<String> {
        self.db.write(|tx| office::add_user(tx, email, role))
    }

    /// Checks a password (the slow hash outside any transaction) and
    /// records the outcome: a session, a failure, or a lock.
    /// Whether the browser holding `device` logged in to `email`'s account before.
    pub fn knows_device(&self, email: &str, device: &str) -> StoreResult<bool> {
        self.db.snapshot(|tx| match office::credentials(tx, email)? {
            Some(found) => office::knows_device(tx, found.id, device),
            None => Ok(false),
        })
    }

    /// Checks a log-in from a browser holding `device` (its device
    /// secret, if it has one). An unknown e-mail, and an account whose wait
    /// is not over (unless the device logged in to it before), are refused
    /// as a wrong password is, after as long a check.
    pub fn log_in(&self, email: &str, password: &str, device: Option<&str>) -> StoreResult<LogIn> {
        let now = now_ms();
        let found = self.db.snapshot(|tx| {
            let Some(found) = office::credentials(tx, email)? else { return Ok(None) };
            let known = match device {
                Some(device) => office::knows_device(tx, found.id, device)?,
                None => false,
            };
            Ok((found.locked_until_ms <= now || known).then_some((found, known)))
        })?;
        let Some((found, known)) = found else {
            // As slow as a wrong password, so timing tells no one which e-mails exist.
            office::password_matches(DUMMY_HASH, password);
            return Ok(LogIn::Refused);
        };
        let matched = office::password_matches(&found.password_hash, password);
        self.db.write(|tx| office::record_log_in(tx, found.id, matched, now_ms(), device.filter(|_| known)))
    }

    /// The live session a cookie names; a session's use is recorded at
    /// most once a minute.
    pub fn office_session(&self, token: &str) -> StoreResult<Option<OfficeSession>> {
        let now = now_ms();
        let session = self.db.snapshot(|tx| office::session(tx, token, now))?;
        if session.as_ref().is_some_and(|s| now - s.seen_ms > 60_000) {
            self.db.write(|tx| office::touch_session(tx, token, now))?;
        }
        Ok(session)
    }

    pub fn log_out(&self, token: &str) -> StoreResult<()> {
        self.db.write(|tx| office::end_session(tx, token))
    }

    /// Ends every session of an account, this one included.
    pub fn log_out_everywhere(&self, user_id: i64) -> StoreResult<u64> {
        self.db.write(|tx| office::end_sessions(tx, user_id))
    }

    /// Sets the password of the person signed in with cookie `token` (see
    /// [`office::set_password`]): their other sessions end.
    pub fn set_office_password(
        &self,
        session: &OfficeSession,
        token: &str,
        current: Option<&str>,
        password: &str,
    ) -> StoreResult<()> {
        self.audited(&session.user.email, "password.change", |tx| {
            office::set_password(tx, session.user.id, token, current, password)?;
            Ok(Audited::new((), session.user.email.clone()))
        })
    }

    pub fn office_accounts(&self) -> StoreResult<Vec<AccountRow>> {
        self.db.snapshot(|tx| office::accounts(tx, now_ms()))
    }

    /// Runs a change and records it in the audit log, in one transaction:
    /// a change is never made without its record, nor recorded unmade.
    pub fn audited<T>(
        &self,
        actor: &str,
        action: &str,
        mut work: impl FnMut(&D::Tx<'_>) -> StoreResult<Audited<T>>,
    ) -> StoreResult<T> {
        self.db.write(|tx| {
            let done = work(tx)?;
            office::audit(tx, actor, action, &done.subject, done.before.as_deref(), done.after.as_deref(), now_ms())?;
            Ok(done.value)
        })
    }

    pub fn audit_log(&self, filter: &AuditFilter, limit: u32) -> StoreResult<Vec<AuditRow>> {
        self.db.snapshot(|tx| office::audit_log(tx, filter, limit))
    }

    /// The dashboard for the stores' today (see `dashboard::today`) and the six days before.
    pub fn dashboard(&self) -> StoreResult<Dashboard> {
        self.catch_up_rollups()?;
        let today = self.db.snapshot(|tx| dashboard::today(tx))?;
        let day = today.format("%Y-%m-%d").to_string();
        let week_from = (today - chrono::Days::new(6)).format("%Y-%m-%d").to_string();
        self.db.snapshot(|tx| {
            let today_period = Period { from: Some(&day), to: Some(&day) };
            let week = Period { from: Some(&week_from), to: Some(&day) };
            let week_sales = dashboard::product_sales(tx, &week_from, &day)?;
            let today_sales = dashboard::product_sales(tx, &day, &day)?;
            let mut low_stock = insights::low_stock(tx, None)?;
            low_stock.truncate(DASHBOARD_ROWS);
            Ok(Dashboard {
                today: day.clone(),
                week_from: week_from.clone(),
                today_figures: figures(
                    sales::sales_report(tx, SalesBy::Store, today_period)?,
                    &dashboard::store_margins(&today_sales),
                ),
                week_figures: figures(
                    sales::sales_report(tx, SalesBy::Store, week)?,
                    &dashboard::store_margins(&week_sales),
                ),
                by_hour: sales::sales_report(tx, SalesBy::Hour, today_period)?,
                top_products: dashboard::top_products(&week_sales, TOP_PRODUCTS),
                low_stock,
                open_flags: meta::open_flags(tx)?,
                flags: dashboard::newest_flags(tx, 10)?,
                tills: dashboard::tills(tx)?,
            })
        })
    }

    pub fn tills(&self) -> StoreResult<Vec<TillRow>> {
        self.db.snapshot(|tx| dashboard::tills(tx))
    }

    pub fn stores(&self) -> StoreResult<Vec<StoreRow>> {
        self.db.snapshot(|tx| listings::stores(tx))
    }

    pub fn staff(&self) -> StoreResult<Vec<StaffRow>> {
        self.db.snapshot(|tx| listings::staff(tx))
    }

    pub fn suppliers(&self) -> StoreResult<Vec<SupplierRow>> {
        self.db.snapshot(|tx| listings::suppliers(tx))
    }

    /// Indexes the catalog's words when a database from before the search
    /// index has none; how many products it indexed.
    pub fn index_products(&self) -> StoreResult<u64> {
        self.db.write(|tx| product_words::index_missing(tx))
    }

    pub fn search_products(&self, query: &str) -> StoreResult<Vec<WireProduct>> {
        self.db.snapshot(|tx| catalog_edit::search(tx, query, SEARCH_LIMIT))
    }

    pub fn product(&self, code: &str) -> StoreResult<WireProduct> {
        self.db.snapshot(|tx| catalog_edit::product(tx, code))
    }

    /// A product with its ledger at every store, in one snapshot.
    pub fn product_ledgers(&self, code: &str) -> StoreResult<(WireProduct, Vec<(StoreRow, Ledger)>)> {
        self.db.snapshot(|tx| {
            let product = catalog_edit::product(tx, code)?;
            let mut ledgers = Vec::new();
            for store in listings::stores(tx)? {
                let ledger = ledger::ledger(tx, admin::store_id(tx, &store.code)?, &product.sku)?;
                ledgers.push((store, ledger));
            }
            Ok((product, ledgers))
        })
    }

    pub fn preview_catalog(&self, csv: &[u8]) -> StoreResult<ImportPreview> {
        self.db.snapshot(|tx| catalog_edit::preview_import(tx, csv))
    }

    pub fn export_catalog(&self) -> StoreResult<String> {
        self.db.snapshot(|tx| catalog_edit::export(tx))
    }
}

/// An argon2 hash of nothing anyone types, checked against when an e-mail
/// is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Wq3wz5Hk9QbXy0mQ0vG7m1jvQ3Wl6v8m0xZy8Jk9b1E";

#[cfg(test)]
mod tests {
    #[test]
    fn the_stand_in_hash_is_a_real_argon2_hash_so_an_unknown_e_mail_costs_a_check() {
        let parsed = argon2::password_hash::PasswordHash::new(super::DUMMY_HASH).expect("a PHC string");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(!crate::storage::rules::office::password_matches(super::DUMMY_HASH, "anything"));
    }
}
