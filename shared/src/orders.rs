//! Customer orders from every channel (phone, online, the sales team, or a
//! named one): their states, how they are fulfilled, what happens when stock
//! is short, and the arithmetic of reservations.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where an order stands. An order reserves stock only while `Confirmed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    /// Priced and offered; reserves nothing.
    Quote,
    /// Reserves its lines at the fulfilment store until collected.
    Confirmed,
    /// Every line handed over.
    Collected,
    /// Released: reserves nothing, cannot be collected.
    Cancelled,
}

/// How the customer gets the goods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fulfilment {
    #[default]
    Pickup,
    Delivery,
}

/// What confirming does when the store has less available than ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShortPolicy {
    /// Refuse the whole request; nothing changes.
    #[default]
    Refuse,
    /// Reserve what is available and record the rest as backordered.
    Backorder,
}

macro_rules! text_enum {
    ($type:ty, $what:literal, $($variant:ident => $text:literal),+) => {
        impl $type {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $type {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!(concat!($what, " “{}” must be one of: ", $($text, " "),+), other)),
                }
            }
        }
    };
}

text_enum!(OrderStatus, "order status", Quote => "quote", Confirmed => "confirmed", Collected => "collected", Cancelled => "cancelled");
text_enum!(Fulfilment, "fulfilment", Pickup => "pickup", Delivery => "delivery");
text_enum!(ShortPolicy, "short policy", Refuse => "refuse", Backorder => "backorder");

/// The order number people read, type and scan: `ORD-000042`.
pub fn order_number(n: u64) -> String {
    format!("ORD-{n:06}")
}

/// Whether typed or scanned text names an order rather than a product.
pub fn is_order_number(text: &str) -> bool {
    let text = text.trim();
    text.len() > 4
        && text.is_char_boundary(4)
        && text[..4].eq_ignore_ascii_case("ORD-")
        && text[4..].bytes().all(|b| b.is_ascii_digit())
}

/// Thousandths of one order line still held for the customer: what was
/// reserved and not yet handed over, and nothing unless the order is confirmed.
pub fn open_reservation(status: OrderStatus, reserved_milli: i64, collected_milli: i64) -> i64 {
    if status == OrderStatus::Confirmed { (reserved_milli - collected_milli).max(0) } else { 0 }
}

/// Thousandths of one order line that may still be handed over.
pub fn remaining_to_collect(status: OrderStatus, ordered_milli: i64, collected_milli: i64) -> i64 {
    if status == OrderStatus::Confirmed { (ordered_milli - collected_milli).max(0) } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_are_recognised_whatever_the_case() {
        assert_eq!(order_number(42), "ORD-000042");
        assert!(is_order_number("ORD-000042"));
        assert!(is_order_number(" ord-7 "));
        assert!(!is_order_number("ORD-"));
        assert!(!is_order_number("ORD-12a"));
        assert!(!is_order_number("4006381333931"));
        assert!(!is_order_number("ÖRD-1"));
    }

    #[test]
    fn only_confirmed_orders_hold_stock() {
        assert_eq!(open_reservation(OrderStatus::Confirmed, 5000, 2000), 3000);
        assert_eq!(open_reservation(OrderStatus::Confirmed, 2000, 3000), 0, "over-collected never goes negative");
        for status in [OrderStatus::Quote, OrderStatus::Collected, OrderStatus::Cancelled] {
            assert_eq!(open_reservation(status, 5000, 0), 0);
            assert_eq!(remaining_to_collect(status, 5000, 0), 0);
        }
        assert_eq!(remaining_to_collect(OrderStatus::Confirmed, 5000, 1000), 4000);
    }

    #[test]
    fn words_parse_back_and_bad_ones_say_what_is_allowed() {
        for status in [OrderStatus::Quote, OrderStatus::Confirmed, OrderStatus::Collected, OrderStatus::Cancelled] {
            assert_eq!(status.as_str().parse::<OrderStatus>(), Ok(status));
        }
        assert_eq!("Backorder".parse::<ShortPolicy>(), Ok(ShortPolicy::Backorder));
        let error = "drone".parse::<Fulfilment>().unwrap_err();
        assert!(error.contains("pickup") && error.contains("drone"), "{error}");
    }
}
