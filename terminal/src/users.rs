//! Users, roles and PINs: argon2-hashed PINs, login by PIN alone (so PINs are
//! unique per terminal), and a lockout after repeated wrong PINs.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use pos_shared::journal::Event;
use pos_shared::roles::Role;
use rusqlite::params;
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

fn validate_pin(pin: &str) -> CoreResult<()> {
    if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CoreError::Invalid("a PIN is 4 to 8 digits".into()));
    }
    Ok(())
}

fn hash_pin(pin: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(pin.as_bytes(), &salt).expect("argon2 hashes any PIN").to_string()
}

fn pin_matches(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
}

impl Terminal {
    fn active_users(&self) -> CoreResult<Vec<(Operator, String)>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, name, role, pin_hash FROM users WHERE active = 1")?;
        let rows = stmt.query_map([], |row| {
            let role: String = row.get(2)?;
            let role = role.parse().unwrap_or(Role::Cashier);
            Ok((Operator { id: row.get(0)?, name: row.get(1)?, role }, row.get(3)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a user. The PIN must be new on this terminal, since a PIN alone
    /// says who is logging in.
    pub fn add_user(&mut self, name: &str, role: Role, pin: &str) -> CoreResult<Operator> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(CoreError::Invalid("a user name is 1 to 40 characters".into()));
        }
        validate_pin(pin)?;
        let users = self.active_users()?;
        if users.iter().any(|(u, _)| u.name.eq_ignore_ascii_case(name)) {
            return Err(CoreError::Invalid(format!("a user named {name} already exists")));
        }
        if users.iter().any(|(_, hash)| pin_matches(pin, hash)) {
            return Err(CoreError::Invalid("that PIN is taken: choose another".into()));
        }
        self.conn.execute(
            "INSERT INTO users (name, role, pin_hash) VALUES (?1, ?2, ?3)",
            params![name, role.as_str(), hash_pin(pin)],
        )?;
        Ok(Operator { id: self.conn.last_insert_rowid(), name: name.to_string(), role })
    }

    /// Who this PIN belongs to. Five wrong PINs in a row lock PIN entry for
    /// a minute, twice as long each further time before a good PIN (up to
    /// an hour); each lockout is journaled, so head office sees it.
    pub fn login(&mut self, pin: &str) -> CoreResult<Operator> {
        let now = self.clock.now_ms();
        let (failures, locked_until, lockouts): (i64, i64, i64) =
            self.conn.query_row("SELECT failures, locked_until_ms, lockouts FROM pin_guard", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        if locked_until > now {
            return Err(CoreError::LockedOut(((locked_until - now) as u64).div_ceil(1000)));
        }
        let found = self.active_users()?.into_iter().find(|(_, hash)| pin_matches(pin, hash));
        match found {
            Some((operator, _)) => {
                self.conn.execute("UPDATE pin_guard SET failures = 0, locked_until_ms = 0, lockouts = 0", [])?;
                Ok(operator)
            }
            None if failures + 1 >= MAX_FAILURES => {
                let locked_for = LOCKOUT_MS.saturating_mul(1 << lockouts.min(10)).min(LONGEST_LOCKOUT_MS);
                let event = Event::PinLockedOut {
                    failures: MAX_FAILURES as u32,
                    lockouts: lockouts as u32 + 1,
                    locked_for_ms: locked_for,
                };
                let tx = self.begin_journaled(&[])?;
                tx.append(&event)?;
                tx.execute(
                    "UPDATE pin_guard SET failures = 0, locked_until_ms = ?1, lockouts = lockouts + 1",
                    [now + locked_for],
                )?;
                tx.commit()?;
                Err(CoreError::WrongPin)
            }
            None => {
                self.conn.execute("UPDATE pin_guard SET failures = failures + 1", [])?;
                Err(CoreError::WrongPin)
            }
        }
    }

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
    fn pins_say_who_logs_in() {
        let (_dir, mut terminal, _) = demo();
        assert_eq!(terminal.login(DEMO_MANAGER.1).unwrap().role, Role::Manager);
        assert_eq!(terminal.login(DEMO_CASHIER.1).unwrap().name, DEMO_CASHIER.0);
        assert!(matches!(terminal.login("9999"), Err(CoreError::WrongPin)));
    }

    #[test]
    fn five_wrong_pins_lock_entry_for_a_minute() {
        let (_dir, mut terminal, clock) = demo();
        for _ in 0..MAX_FAILURES {
            assert!(matches!(terminal.login("0000"), Err(CoreError::WrongPin)));
        }
        assert!(matches!(terminal.login(DEMO_MANAGER.1), Err(CoreError::LockedOut(60))), "even the right PIN waits");
        clock.advance_ms(LOCKOUT_MS - 1000);
        assert!(matches!(terminal.login(DEMO_MANAGER.1), Err(CoreError::LockedOut(1))));
        clock.advance_ms(1000);
        assert!(terminal.login(DEMO_MANAGER.1).is_ok());
    }

    #[test]
    fn bad_users_are_refused() {
        let (_dir, mut terminal, _) = demo();
        let cases = [
            ("", "4321", "name"),
            ("Léa", "12a4", "4 to 8 digits"),
            ("Léa", "123", "4 to 8 digits"),
            ("marie", "4321", "already exists"),
            ("Léa", DEMO_CASHIER.1, "taken"),
        ];
        for (name, pin, words) in cases {
            let err = terminal.add_user(name, Role::Cashier, pin).unwrap_err().to_string();
            assert!(err.contains(words), "{name}/{pin}: {err}");
        }
        assert_eq!(terminal.users().unwrap().len(), 2);
    }
}
