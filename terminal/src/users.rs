//! Users, roles and PINs: argon2-hashed PINs checked one at a time (the
//! user is chosen first, so a login costs one argon2 however many staff
//! there are; a PIN alone may name a cashier where the store allows it),
//! managers' PINs at least the store's minimum, and an escalating,
//! journaled lockout after repeated wrong PINs.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use pos_shared::journal::Event;
use pos_shared::pins;
use pos_shared::roles::Role;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::Terminal;
use crate::error::{CoreError, CoreResult};

/// Wrong PINs in a row before PIN entry locks.
const MAX_FAILURES: i64 = 5;
/// How long PIN entry stays locked the first time; each further lockout
/// before a good PIN doubles it, up to [`LONGEST_LOCKOUT_MS`].
const LOCKOUT_MS: i64 = 60_000;
const LONGEST_LOCKOUT_MS: i64 = 3_600_000;

/// Someone logged in at the terminal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// A user's name and the PIN they typed: how someone logs in or approves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub user: String,
    pub pin: String,
}

impl Credentials {
    pub fn new(user: &str, pin: &str) -> Credentials {
        Credentials { user: user.to_string(), pin: pin.to_string() }
    }
}

fn hash_pin(pin: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(pin.as_bytes(), &salt).expect("argon2 hashes any PIN").to_string()
}

fn pin_matches(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
}

fn operator(row: &rusqlite::Row) -> rusqlite::Result<(Operator, String)> {
    let role: String = row.get(2)?;
    let role = role.parse().unwrap_or(Role::Cashier);
    Ok((Operator { id: row.get(0)?, name: row.get(1)?, role }, row.get(3)?))
}

impl Terminal {
    fn active_users(&self) -> CoreResult<Vec<(Operator, String)>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, name, role, pin_hash FROM users WHERE active = 1 ORDER BY name")?;
        let rows = stmt.query_map([], operator)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn active_user(&self, name: &str) -> CoreResult<(Operator, String)> {
        self.conn
            .query_row(
                "SELECT id, name, role, pin_hash FROM users WHERE active = 1 AND name = ?1 COLLATE NOCASE",
                [name.trim()],
                operator,
            )
            .optional()?
            .ok_or_else(|| CoreError::Invalid(format!("nobody called “{}” works at this till", name.trim())))
    }

    /// Adds a user at this till: managing staff is a manager's decision,
    /// approved by `approver` when `actor` is not one.
    pub fn add_user(
        &mut self,
        actor: &Operator,
        name: &str,
        role: Role,
        pin: &str,
        approver: Option<&Credentials>,
    ) -> CoreResult<Operator> {
        let detail = format!("add user {} ({role})", name.trim());
        self.authorize(actor, pos_shared::roles::Permission::ManageUsers, approver, detail)?;
        self.create_user(name, role, pin)
    }

    /// Adds a user with no one to ask (the first staff of a new store). A
    /// manager's PIN needs the store's minimum of digits; a cashier's must
    /// differ from the other cashiers' (a PIN alone may name a cashier).
    pub(crate) fn create_user(&mut self, name: &str, role: Role, pin: &str) -> CoreResult<Operator> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(CoreError::Invalid("a user name is 1 to 40 characters".into()));
        }
        pins::check_pin(pin, role, self.settings().manager_pin_digits).map_err(CoreError::Invalid)?;
        let users = self.active_users()?;
        if users.iter().any(|(u, _)| u.name.eq_ignore_ascii_case(name)) {
            return Err(CoreError::Invalid(format!("a user named {name} already exists")));
        }
        if role == Role::Cashier && self.cashier_pin_taken(pin, None)? {
            return Err(CoreError::Invalid("that PIN is taken: choose another".into()));
        }
        self.conn.execute(
            "INSERT INTO users (name, role, pin_hash) VALUES (?1, ?2, ?3)",
            params![name, role.as_str(), hash_pin(pin)],
        )?;
        Ok(Operator { id: self.conn.last_insert_rowid(), name: name.to_string(), role })
    }

    /// Logs `user` in with their PIN: one argon2 check. A refused PIN is
    /// journaled and counts toward a lockout; a good one journals nothing
    /// (the app's log-in does, [`Terminal::sign_in`]). A manager whose PIN
    /// is shorter than the store's minimum is told to change it (nothing is
    /// checked, so nothing is counted).
    pub fn login(&mut self, user: &str, pin: &str) -> CoreResult<Operator> {
        let (operator, hash) = self.active_user(user)?;
        let least = pins::min_digits(operator.role, self.settings().manager_pin_digits);
        if operator.role == Role::Manager && pin.len() < least {
            return Err(CoreError::ManagerPinTooShort { user: operator.name, digits: least });
        }
        let tried = operator.name.clone();
        self.guarded(Some(&tried), || Ok(pin_matches(pin, &hash).then_some(operator)))
    }

    /// Someone sits down at the till: [`Terminal::login_with`], and the
    /// log-in journaled.
    pub fn sign_in(&mut self, user: Option<&str>, pin: &str) -> CoreResult<Operator> {
        let operator = self.login_with(user, pin)?;
        let tx = self.begin_journaled(&[])?;
        tx.append(&Event::LoggedIn { user: operator.name.clone() })?;
        tx.commit()?;
        Ok(operator)
    }

    /// Logs in by PIN alone, where the store allows it: only cashiers log
    /// in this way (a manager always names themself).
    pub fn login_by_pin(&mut self, pin: &str) -> CoreResult<Operator> {
        if !self.settings().pin_only_login {
            return Err(CoreError::Invalid("Choose who you are, then type your PIN".into()));
        }
        let cashiers: Vec<_> = self.active_users()?.into_iter().filter(|(u, _)| u.role == Role::Cashier).collect();
        self.guarded(None, || Ok(cashiers.into_iter().find(|(_, hash)| pin_matches(pin, hash)).map(|(u, _)| u)))
    }

    /// Logs `user` in, or by PIN alone when nobody is named.
    pub fn login_with(&mut self, user: Option<&str>, pin: &str) -> CoreResult<Operator> {
        match user {
            Some(user) => self.login(user, pin),
            None => self.login_by_pin(pin),
        }
    }

    /// Gives `user` a new PIN, proven by their current one (even one
    /// shorter than a manager now needs).
    pub fn change_pin(&mut self, user: &str, current: &str, new: &str) -> CoreResult<()> {
        let (operator, hash) = self.active_user(user)?;
        pins::check_pin(new, operator.role, self.settings().manager_pin_digits).map_err(CoreError::Invalid)?;
        let (id, role) = (operator.id, operator.role);
        let tried = operator.name.clone();
        self.guarded(Some(&tried), || Ok(pin_matches(current, &hash).then_some(operator)))?;
        if role == Role::Cashier && self.cashier_pin_taken(new, Some(id))? {
            return Err(CoreError::Invalid("that PIN is taken: choose another".into()));
        }
        self.conn.execute("UPDATE users SET pin_hash = ?1 WHERE id = ?2", params![hash_pin(new), id])?;
        Ok(())
    }

    /// Whether another cashier than `except` has `pin` (a PIN alone may
    /// name a cashier, so theirs must differ; one argon2 check each).
    fn cashier_pin_taken(&self, pin: &str, except: Option<i64>) -> CoreResult<bool> {
        let others = self.active_users()?.into_iter().filter(|(u, _)| u.role == Role::Cashier && Some(u.id) != except);
        Ok(others.into_iter().any(|(_, hash)| pin_matches(pin, &hash)))
    }

    /// Runs a PIN check under the lockout: five wrong PINs in a row lock
    /// PIN entry for a minute, twice as long each further time before a
    /// good PIN (up to an hour); each refused PIN and each lockout is
    /// journaled (`tried`: whose PIN it was meant to be), so head office
    /// sees them.
    fn guarded(
        &mut self,
        tried: Option<&str>,
        check: impl FnOnce() -> CoreResult<Option<Operator>>,
    ) -> CoreResult<Operator> {
        let now = self.clock.now_ms();
        let (failures, locked_until, lockouts): (i64, i64, i64) =
            self.conn.query_row("SELECT failures, locked_until_ms, lockouts FROM pin_guard", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        if locked_until > now {
            return Err(CoreError::LockedOut(((locked_until - now) as u64).div_ceil(1000)));
        }
        match check()? {
            Some(operator) => {
                self.conn.execute("UPDATE pin_guard SET failures = 0, locked_until_ms = 0, lockouts = 0", [])?;
                Ok(operator)
            }
            None => {
                let tx = self.begin_journaled(&[Event::LoginFailed { user: tried.map(str::to_string) }])?;
                if failures + 1 < MAX_FAILURES {
                    tx.execute("UPDATE pin_guard SET failures = failures + 1", [])?;
                    tx.commit()?;
                    return Err(CoreError::WrongPin);
                }
                let locked_for = LOCKOUT_MS.saturating_mul(1 << lockouts.min(10)).min(LONGEST_LOCKOUT_MS);
                tx.append(&Event::PinLockedOut {
                    failures: MAX_FAILURES as u32,
                    lockouts: lockouts as u32 + 1,
                    locked_for_ms: locked_for,
                })?;
                tx.execute(
                    "UPDATE pin_guard SET failures = 0, locked_until_ms = ?1, lockouts = lockouts + 1",
                    [now + locked_for],
                )?;
                tx.commit()?;
                Err(CoreError::LockedOut((locked_for as u64).div_ceil(1000)))
            }
        }
    }

    /// The active staff, by name.
    pub fn users(&self) -> CoreResult<Vec<Operator>> {
        Ok(self.active_users()?.into_iter().map(|(u, _)| u).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DEMO_CASHIER, DEMO_MANAGER};
    use crate::test_support::demo;

    #[test]
    fn the_chosen_user_and_their_pin_log_in() {
        let (_dir, mut terminal, _) = demo();
        let (marie, camille) = (DEMO_MANAGER.0, DEMO_CASHIER.0);
        assert_eq!(terminal.login(marie, DEMO_MANAGER.1).unwrap().role, Role::Manager);
        assert_eq!(terminal.login(" camille ", DEMO_CASHIER.1).unwrap().name, camille, "names match loosely");
        assert!(matches!(terminal.login(camille, DEMO_MANAGER.1), Err(CoreError::WrongPin)), "Marie's PIN is hers");
        assert!(matches!(terminal.login(marie, "999999"), Err(CoreError::WrongPin)));
        let unknown = terminal.login("Nobody", DEMO_CASHIER.1).unwrap_err().to_string();
        assert!(unknown.contains("nobody called “Nobody”"), "{unknown}");
    }

    #[test]
    fn a_pin_alone_names_only_a_cashier_and_only_where_the_store_allows_it() {
        let (_dir, mut terminal, _) = demo();
        assert_eq!(terminal.login_by_pin(DEMO_CASHIER.1).unwrap().name, DEMO_CASHIER.0);
        assert!(
            matches!(terminal.login_by_pin(DEMO_MANAGER.1), Err(CoreError::WrongPin)),
            "a manager always names themself"
        );
        let marie = terminal.login(DEMO_MANAGER.0, DEMO_MANAGER.1).unwrap();
        terminal.change_setting(&marie, "pin-only-login", "off", None).unwrap();
        let refused = terminal.login_by_pin(DEMO_CASHIER.1).unwrap_err().to_string();
        assert!(refused.contains("Choose who you are"), "{refused}");
        let bad = terminal.change_setting(&marie, "pin-only-login", "maybe", None).unwrap_err().to_string();
        assert!(bad.contains("on or off"), "{bad}");
        assert!(!terminal.settings().pin_only_login);
    }

    #[test]
    fn managers_need_the_stores_longer_pins() {
        let (_dir, mut terminal, _) = demo();
        let short = terminal.create_user("Luc", Role::Manager, "4321").unwrap_err().to_string();
        assert!(short.contains("6 to 12 digits"), "{short}");
        let marie = terminal.login(DEMO_MANAGER.0, DEMO_MANAGER.1).unwrap();
        for bad in ["5", "13", "many"] {
            assert!(terminal.change_setting(&marie, "manager-pin-digits", bad, None).is_err(), "{bad}");
        }
        let camille = terminal.login(DEMO_CASHIER.0, DEMO_CASHIER.1).unwrap();
        assert!(matches!(
            terminal.change_setting(&camille, "manager-pin-digits", "8", None),
            Err(CoreError::PermissionDenied { .. })
        ));
        terminal.change_setting(&marie, "manager-pin-digits", "8", None).unwrap();
        assert!(terminal.create_user("Luc", Role::Manager, "123456").unwrap_err().to_string().contains("8 to 12"));
        // Marie's six digits no longer do; she is told why, and nothing counts
        // toward a lockout (her PIN was not even tried).
        for _ in 0..MAX_FAILURES {
            let told = terminal.login(DEMO_MANAGER.0, DEMO_MANAGER.1).unwrap_err().to_string();
            assert!(told.contains("at least 8 digits") && told.contains("user pin"), "{told}");
        }
        let wrong = terminal.change_pin(DEMO_MANAGER.0, "000000", "24681012").unwrap_err();
        assert!(matches!(wrong, CoreError::WrongPin));
        let too_short = terminal.change_pin(DEMO_MANAGER.0, DEMO_MANAGER.1, "1234567").unwrap_err().to_string();
        assert!(too_short.contains("8 to 12"), "{too_short}");
        terminal.change_pin(DEMO_MANAGER.0, DEMO_MANAGER.1, "24681012").unwrap();
        assert_eq!(terminal.login(DEMO_MANAGER.0, "24681012").unwrap().name, DEMO_MANAGER.0);
    }

    #[test]
    fn five_wrong_pins_lock_entry_for_a_minute() {
        let (_dir, mut terminal, clock) = demo();
        for _ in 1..MAX_FAILURES {
            assert!(matches!(terminal.login(DEMO_MANAGER.0, "000000"), Err(CoreError::WrongPin)));
        }
        let fifth = terminal.login(DEMO_MANAGER.0, "000000");
        assert!(matches!(fifth, Err(CoreError::LockedOut(60))), "the fifth says so: {fifth:?}");
        let cashier = (DEMO_CASHIER.0, DEMO_CASHIER.1);
        assert!(matches!(terminal.login(cashier.0, cashier.1), Err(CoreError::LockedOut(60))), "anyone waits");
        assert!(matches!(terminal.login_by_pin(cashier.1), Err(CoreError::LockedOut(60))), "a PIN alone waits");
        clock.advance_ms(LOCKOUT_MS - 1000);
        assert!(matches!(terminal.login(DEMO_MANAGER.0, DEMO_MANAGER.1), Err(CoreError::LockedOut(1))));
        clock.advance_ms(1000);
        assert!(terminal.login(DEMO_MANAGER.0, DEMO_MANAGER.1).is_ok());
    }

    #[test]
    fn bad_users_are_refused() {
        let (_dir, mut terminal, _) = demo();
        let cases = [
            ("", "4321", Role::Cashier, "name"),
            ("Léa", "12a4", Role::Cashier, "4 to 12 digits"),
            ("Léa", "123", Role::Cashier, "4 to 12 digits"),
            ("marie", "4321", Role::Cashier, "already exists"),
            ("Léa", DEMO_CASHIER.1, Role::Cashier, "taken"),
        ];
        for (name, pin, role, words) in cases {
            let err = terminal.create_user(name, role, pin).unwrap_err().to_string();
            assert!(err.contains(words), "{name}/{pin}: {err}");
        }
        assert_eq!(terminal.users().unwrap().len(), 2);
        // A manager may share a cashier's PIN: nobody logs in as a manager by PIN alone.
        terminal.create_user("Luc", Role::Manager, "111111").unwrap();
        terminal.create_user("Léa", Role::Cashier, "111111").unwrap();
        assert_eq!(terminal.login_by_pin("111111").unwrap().name, "Léa");
    }
}
