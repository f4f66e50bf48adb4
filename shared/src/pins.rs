//! Staff PIN rules the till and head office share: digits only; a cashier's
//! at least 4; a manager's (anyone who approves) at least the store's
//! minimum, 6 unless the store asks for more; never more than 12.

use crate::roles::Role;

/// The fewest digits in a cashier's PIN.
pub const CASHIER_DIGITS: usize = 4;
/// The fewest digits in a manager's PIN unless a store asks for more.
pub const MANAGER_DIGITS: usize = 6;
/// The most digits in any PIN.
pub const MAX_DIGITS: usize = 12;

/// The fewest digits `role` needs where managers need `manager_digits`.
pub fn min_digits(role: Role, manager_digits: usize) -> usize {
    match role {
        Role::Cashier => CASHIER_DIGITS,
        Role::Manager => manager_digits.max(MANAGER_DIGITS),
    }
}

/// Whether `pin` may be the PIN of someone with `role`.
pub fn check_pin(pin: &str, role: Role, manager_digits: usize) -> Result<(), String> {
    let least = min_digits(role, manager_digits);
    if !pin.bytes().all(|b| b.is_ascii_digit()) || !(least..=MAX_DIGITS).contains(&pin.len()) {
        return Err(format!("a {role}'s PIN is {least} to {MAX_DIGITS} digits"));
    }
    Ok(())
}

/// A store's minimum for managers' PINs, from what a person typed.
pub fn parse_manager_digits(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (MANAGER_DIGITS..=MAX_DIGITS).contains(n))
        .ok_or_else(|| format!("“{text}”: managers' PINs need from {MANAGER_DIGITS} to {MAX_DIGITS} digits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers_need_longer_pins_than_cashiers() {
        assert!(check_pin("1234", Role::Cashier, 6).is_ok());
        assert!(check_pin("1234", Role::Manager, 6).unwrap_err().contains("6 to 12 digits"));
        assert!(check_pin("123456", Role::Manager, 6).is_ok());
        assert!(check_pin("123456", Role::Manager, 8).unwrap_err().contains("8 to 12"));
        assert!(check_pin("123456", Role::Manager, 2).is_ok(), "a store cannot go below six");
        for bad in ["", "123", "12a4", "1234567890123", " 1234", "１２３４"] {
            assert!(check_pin(bad, Role::Cashier, 6).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_store_minimum_is_six_to_twelve() {
        assert_eq!(parse_manager_digits(" 8 "), Ok(8));
        for bad in ["5", "13", "", "six", "-6"] {
            assert!(parse_manager_digits(bad).is_err(), "{bad:?}");
        }
    }
}
