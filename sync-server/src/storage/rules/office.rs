//! The web back office's people: accounts with a role and an argon2
//! password, failed log-ins and lock-outs (kept in the database, so every
//! server behind a balancer counts the same), sessions known by the
//! SHA-256 of their cookie, and the audit log of every change made there.

use std::str::FromStr;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;

use crate::storage::sql::{Param, Tx};
use crate::storage::{StoreError, StoreResult, random_secret, secret_hash};

/// Wrong passwords in a row an account takes before each next try waits.
pub const FREE_FAILURES: i64 = 5;
/// The longest wait between two tries.
pub const LONGEST_WAIT_MS: i64 = 15 * 60_000;
/// Devices a person logged in from that are remembered, per account.
const KNOWN_DEVICES: i64 = 20;
/// A session unused this long is over.
pub const SESSION_IDLE_MS: i64 = 2 * 3_600_000;
/// A session is over this long after its log-in, used or not.
pub const SESSION_LONGEST_MS: i64 = 12 * 3_600_000;
/// The shortest password a person may choose.
pub const PASSWORD_MIN_CHARS: usize = 12;

/// What a back-office account may do. Every page and action checks it on
/// the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OfficeRole {
    /// Everything: stores, tills, staff, back-office accounts.
    Admin,
    /// The catalog, stock, suppliers, purchase orders and transfers.
    Buyer,
    /// Reports and the accounting export.
    Accountant,
    /// Reads every page, changes nothing.
    Viewer,
}

/// What a page or action needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read any page.
    Read,
    /// Change products and prices, import the catalog.
    EditCatalog,
    /// Suppliers, purchase orders, transfers, reorder drafts.
    Purchase,
    /// Stores, tills, till staff, back-office accounts.
    Administer,
    /// Record payments received on customers' accounts.
    Receivables,
}

impl OfficeRole {
    pub const ALL: [OfficeRole; 4] = [OfficeRole::Admin, OfficeRole::Buyer, OfficeRole::Accountant, OfficeRole::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            OfficeRole::Admin => "admin",
            OfficeRole::Buyer => "buyer",
            OfficeRole::Accountant => "accountant",
            OfficeRole::Viewer => "viewer",
        }
    }

    pub fn may(self, permission: Permission) -> bool {
        matches!(
            (self, permission),
            (_, Permission::Read)
                | (OfficeRole::Admin, _)
                | (OfficeRole::Buyer, Permission::EditCatalog | Permission::Purchase)
                | (OfficeRole::Accountant, Permission::Receivables)
        )
    }
}

impl FromStr for OfficeRole {
    type Err = StoreError;

    fn from_str(text: &str) -> StoreResult<OfficeRole> {
        OfficeRole::ALL.into_iter().find(|r| r.as_str() == text.trim().to_ascii_lowercase()).ok_or_else(|| {
            StoreError::BadRequest(format!(
                "unknown role `{}`: admin, buyer, accountant or viewer",
                pos_shared::entry_rules::excerpt(text)
            ))
        })
    }
}

/// A signed-in person, as a page sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeUser {
    pub id: i64,
    pub email: String,
    pub role: OfficeRole,
    /// Signed in with a one-time password: must choose their own first.
    pub must_change: bool,
}

/// A live session: who, and the token every form of theirs must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeSession {
    pub user: OfficeUser,
    pub csrf: String,
    /// When it was last used (milliseconds since the epoch).
    pub seen_ms: i64,
}

/// How a log-in went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogIn {
    /// A new session: the cookie's secret, and the device's (kept by the
    /// browser: that device skips the wait strangers' guesses put on the account).
    Session { token: String, device: String },
    /// Wrong e-mail or password, or a try before the account's wait is
    /// over: the same answer, so nobody learns which e-mails exist.
    Refused,
}

/// How long an account's next try waits after `failures` wrong passwords
/// in a row: nothing for the first few, then 2 s doubling to 15 min. A
/// stranger can slow an account down, never lock it: its owner's known
/// devices skip the wait.
pub fn wait_after(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    (2_000i64 << (failures - FREE_FAILURES).min(20)).min(LONGEST_WAIT_MS)
}

/// Whether `device` (a device cookie's secret) logged in to account `id` before.
pub fn knows_device(tx: &impl Tx, id: i64, device: &str) -> StoreResult<bool> {
    let found =
        tx.row("SELECT 1 FROM office_devices WHERE user_id = ?1 AND device_hash = ?2", &[&id, &secret_hash(device)])?;
    Ok(found.is_some())
}

fn hash_password(password: &str) -> StoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .to_string())
}

/// Whether `password` matches an argon2 `hash` (slow on purpose: call it
/// outside a write transaction).
pub fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn check_email(email: &str) -> StoreResult<String> {
    let email = email.trim();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email.to_string())
    } else {
        Err(StoreError::BadRequest(format!("`{}` is not an e-mail address", pos_shared::entry_rules::excerpt(email))))
    }
}

/// Adds an account, or gives an existing one a new role and a new
/// one-time password (and ends its sessions). Returns the password, shown
/// once; the person chooses their own at first log-in.
pub fn add_user(tx: &impl Tx, email: &str, role: OfficeRole) -> StoreResult<String> {
    let email = check_email(email)?;
    let password = random_secret(9);
    let hash = hash_password(&password)?;
    tx.run(
        "INSERT INTO office_users (email, role, password_hash, must_change, failed_logins, locked_until_ms, active)
         VALUES (?1, ?2, ?3, 1, 0, 0, 1)
         ON CONFLICT (email) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
           must_change = 1, failed_logins = 0, locked_until_ms = 0, active = 1",
        &[&email, &role.as_str(), &hash],
    )?;
    tx.run("DELETE FROM office_sessions WHERE user_id = (SELECT id FROM office_users WHERE email = ?1)", &[&email])?;
    Ok(password)
}

/// What a log-in attempt needs to check, read before the slow hash.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub locked_until_ms: i64,
}

/// The active account an e-mail names, if any.
pub fn credentials(tx: &impl Tx, email: &str) -> StoreResult<Option<Credentials>> {
    tx.row(
        "SELECT id, password_hash, locked_until_ms FROM office_users WHERE email = ?1 AND active = 1",
        &[&email.trim()],
    )?
    .map(|r| Ok(Credentials { id: r.get(0)?, password_hash: r.get(1)?, locked_until_ms: r.get(2)? }))
    .transpose()
}

/// Records a checked password. A wrong one: one more failure, and the
/// account's next try waits [`wait_after`] them (`locked_until_ms`). The
/// right one: the failures forgotten, a session, and `device` (the
/// browser's device secret, a new one if it had none) remembered.
pub fn record_log_in(tx: &impl Tx, id: i64, matched: bool, now: i64, device: Option<&str>) -> StoreResult<LogIn> {
    if !matched {
        let failures: i64 = tx.one(
            "UPDATE office_users SET failed_logins = failed_logins + 1 WHERE id = ?1 RETURNING failed_logins",
            &[&id],
        )?;
        tx.run("UPDATE office_users SET locked_until_ms = ?2 WHERE id = ?1", &[&id, &(now + wait_after(failures))])?;
        return Ok(LogIn::Refused);
    }
    tx.run("UPDATE office_users SET failed_logins = 0, locked_until_ms = 0 WHERE id = ?1", &[&id])?;
    let token = random_secret(32);
    tx.run(
        "INSERT INTO office_sessions (token_hash, user_id, csrf, created_ms, seen_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
        &[&secret_hash(&token), &id, &random_secret(32), &now],
    )?;
    let device = device.map_or_else(|| random_secret(24), str::to_string);
    tx.run(
        "INSERT INTO office_devices (user_id, device_hash, seen_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, device_hash) DO UPDATE SET seen_ms = excluded.seen_ms",
        &[&id, &secret_hash(&device), &now],
    )?;
    tx.run(
        "DELETE FROM office_devices WHERE user_id = ?1 AND device_hash NOT IN
           (SELECT device_hash FROM office_devices WHERE user_id = ?1 ORDER BY seen_ms DESC LIMIT ?2)",
        &[&id, &KNOWN_DEVICES],
    )?;
    Ok(LogIn::Session { token, device })
}

/// The live session a cookie's secret names, if it has not expired.
pub fn session(tx: &impl Tx, token: &str, now: i64) -> StoreResult<Option<OfficeSession>> {
    let row = tx.row(
        "SELECT u.id, u.email, u.role, u.must_change, s.csrf, s.seen_ms
         FROM office_sessions s JOIN office_users u ON u.id = s.user_id
         WHERE s.token_hash = ?1 AND u.active = 1 AND s.seen_ms > ?2 AND s.created_ms > ?3",
        &[&secret_hash(token), &(now - SESSION_IDLE_MS), &(now - SESSION_LONGEST_MS)],
    )?;
    row.map(|r| {
        let role: String = r.get(2)?;
        Ok(OfficeSession {
            user: OfficeUser { id: r.get(0)?, email: r.get(1)?, role: role.parse()?, must_change: r.get(3)? },
            csrf: r.get(4)?,
            seen_ms: r.get(5)?,
        })
    })
    .transpose()
}

/// Marks a session used now (and forgets sessions long over).
pub fn touch_session(tx: &impl Tx, token: &str, now: i64) -> StoreResult<()> {
    tx.run("UPDATE office_sessions SET seen_ms = ?2 WHERE token_hash = ?1", &[&secret_hash(token), &now])?;
    tx.run(
        "DELETE FROM office_sessions WHERE seen_ms <= ?1 OR created_ms <= ?2",
        &[&(now - SESSION_IDLE_MS), &(now - SESSION_LONGEST_MS)],
    )?;
    Ok(())
}

/// Ends one session.
pub fn end_session(tx: &impl Tx, token: &str) -> StoreResult<()> {
    tx.run("DELETE FROM office_sessions WHERE token_hash = ?1", &[&secret_hash(token)])?;
    Ok(())
}

/// Ends every session of an account, on every browser.
pub fn end_sessions(tx: &impl Tx, user_id: i64) -> StoreResult<u64> {
    tx.run("DELETE FROM office_sessions WHERE user_id = ?1", &[&user_id])
}

/// Sets the password a person chose (the one-time one stops working).
/// Sets a person's password, from the session whose cookie is `token`:
/// unless they must choose one (their first log-in, just made with the
/// one-time password), the current one must be given; the new one differs
/// from it; every other session of theirs ends.
pub fn set_password(tx: &impl Tx, user_id: i64, token: &str, current: Option<&str>, password: &str) -> StoreResult<()> {
    if password.trim().chars().count() < PASSWORD_MIN_CHARS {
        return Err(StoreError::BadRequest(format!("A password has at least {PASSWORD_MIN_CHARS} characters.")));
    }
    let row = tx
        .row("SELECT password_hash, must_change FROM office_users WHERE id = ?1", &[&user_id])?
        .ok_or(StoreError::Unauthorized)?;
    let (hash, must_change): (String, bool) = (row.get(0)?, row.get(1)?);
    if !must_change && !current.is_some_and(|current| password_matches(&hash, current)) {
        return Err(StoreError::BadRequest("Your current password is not that one.".into()));
    }
    if password_matches(&hash, password) {
        return Err(StoreError::BadRequest("Choose a password other than the one you have.".into()));
    }
    tx.run(
        "UPDATE office_users SET password_hash = ?2, must_change = 0 WHERE id = ?1",
        &[&user_id, &hash_password(password)?],
    )?;
    tx.run("DELETE FROM office_sessions WHERE user_id = ?1 AND token_hash <> ?2", &[&user_id, &secret_hash(token)])?;
    Ok(())
}

/// An account as the accounts page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountRow {
    pub email: String,
    pub role: String,
    /// Its next log-in waits after wrong passwords (its known browsers do not).
    pub locked: bool,
    pub active: bool,
    pub sessions: u64,
}

pub fn accounts(tx: &impl Tx, now: i64) -> StoreResult<Vec<AccountRow>> {
    let rows = tx.rows(
        "SELECT u.email, u.role, CASE WHEN u.locked_until_ms > ?1 THEN 1 ELSE 0 END, u.active,
           (SELECT COUNT(*) FROM office_sessions s WHERE s.user_id = u.id)
         FROM office_users u ORDER BY u.email",
        &[&now],
    )?;
    rows.iter()
        .map(|r| {
            Ok(AccountRow {
                email: r.get(0)?,
                role: r.get(1)?,
                locked: r.get(2)?,
                active: r.get(3)?,
                sessions: r.get(4)?,
            })
        })
        .collect()
}

/// One change made in the back office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Records a change: who, what, on what, and the subject before and after.
pub fn audit(
    tx: &impl Tx,
    actor: &str,
    action: &str,
    subject: &str,
    before: Option<&str>,
    after: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    tx.run(
        "INSERT INTO audit_log (at_ms, actor, action, subject, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[&now, &actor, &action, &subject, &before, &after],
    )?;
    Ok(())
}

/// What the audit page filters on; empty fields match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Part of the subject (a SKU, a terminal, a purchase order).
    pub subject: Option<String>,
}

/// The newest changes first, at most `limit`.
pub fn audit_log(tx: &impl Tx, filter: &AuditFilter, limit: u32) -> StoreResult<Vec<AuditRow>> {
    let like = filter.subject.as_ref().map(|s| format!("%{}%", s.replace(['%', '_'], "")));
    let action = filter.action.as_ref().map(|s| format!("{}%", s.replace(['%', '_'], "")));
    let params: [&dyn Param; 4] = [&filter.actor, &action, &like, &limit];
    let rows = tx.rows(
        "SELECT at_ms, actor, action, subject, before, after FROM audit_log
         WHERE (CAST(?1 AS TEXT) IS NULL OR actor = ?1) AND (CAST(?2 AS TEXT) IS NULL OR action LIKE ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR subject LIKE ?3)
         ORDER BY id DESC LIMIT ?4",
        &params,
    )?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                at_ms: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                subject: r.get(3)?,
                before: r.get(4)?,
                after: r.get(5)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_may_do_what_its_job_needs_and_no_more() {
        use OfficeRole::*;
        use Permission::*;
        let table = [
            (Admin, [true, true, true, true, true]),
            (Buyer, [true, true, true, false, false]),
            (Accountant, [true, false, false, false, true]),
            (Viewer, [true, false, false, false, false]),
        ];
        for (role, allowed) in table {
            for (permission, expected) in
                [Read, EditCatalog, Purchase, Administer, Receivables].into_iter().zip(allowed)
            {
                assert_eq!(role.may(permission), expected, "{role:?} {permission:?}");
            }
            assert_eq!(role.as_str().parse::<OfficeRole>().unwrap(), role);
        }
        assert!("owner".parse::<OfficeRole>().is_err());
    }

    #[test]
    fn e_mails_are_checked() {
        assert_eq!(check_email(" claire@example.com ").unwrap(), "claire@example.com");
        for bad in ["claire", "@example.com", "claire@example", "a b@example.com", ""] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
