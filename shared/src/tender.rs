//! Tenders and settlement: cash with change and optional cash rounding, card
//! and other tenders, split between them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::money::{Money, RoundingMode, round_to_step};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenderKind {
    Cash,
    Card,
    /// Vouchers, gift cards and anything else recorded but not counted in the drawer.
    Other,
    /// Paid before collection (online, to head office); only a prepaid
    /// order's hand-over records it, never a typed payment.
    Prepaid,
    /// Charged to the customer's account, settled later on their terms.
    Account,
    /// Paid from a gift card or store credit (the sale's `gift_cards`
    /// name each card).
    #[serde(rename = "giftcard")]
    GiftCard,
}

impl TenderKind {
    pub const ALL: [TenderKind; 6] = [
        TenderKind::Cash,
        TenderKind::Card,
        TenderKind::Other,
        TenderKind::Prepaid,
        TenderKind::Account,
        TenderKind::GiftCard,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TenderKind::Cash => "cash",
            TenderKind::Card => "card",
            TenderKind::Other => "other",
            TenderKind::Prepaid => "prepaid",
            TenderKind::Account => "account",
            TenderKind::GiftCard => "giftcard",
        }
    }

    /// Whether it is credit (an account, a gift card, a prepayment) rather
    /// than money handed over: credit cannot buy credit.
    pub fn is_credit(self) -> bool {
        matches!(self, TenderKind::Account | TenderKind::GiftCard | TenderKind::Prepaid)
    }

    /// How receipts and screens name it.
    pub fn label(self) -> &'static str {
        match self {
            TenderKind::Cash => "Cash",
            TenderKind::Card => "Card",
            TenderKind::Other => "Other",
            TenderKind::Prepaid => "Prepaid",
            TenderKind::Account => "On account",
            TenderKind::GiftCard => "Gift card",
        }
    }
}

/// A gift card's number as a receipt prints it: its last four characters
/// (in ASCII, which every printer's code page has).
pub fn masked_card(card: &str) -> String {
    let tail: String = card.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("****{tail}")
}

impl fmt::Display for TenderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TenderKind {
    type Err = TenderError;
    /// Every kind by its name (`voucher` is `other`), `prepaid` included, so
    /// what was stored reads back; the till's core refuses a typed payment
    /// in `prepaid`, which only an order paid ahead makes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "voucher" => Ok(TenderKind::Other),
            name => TenderKind::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| {
                TenderError::Invalid(format!("tender “{name}” must be cash, card, other, account or giftcard"))
            }),
        }
    }
}

/// What one gift card (or store credit) paid or was refunded on a sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardUse {
    pub card: String,
    pub amount: Money,
}

/// Checks a gift card's number as scanned or typed: 4 to 32 letters or
/// digits (what a card's barcode carries).
pub fn check_card_number(card: &str) -> Result<(), TenderError> {
    if (4..=32).contains(&card.len()) && card.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(TenderError::Invalid(format!("gift card “{}” must be 4 to 32 letters or digits", card.escape_debug())))
    }
}

/// Money handed over in one tender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tender {
    pub kind: TenderKind,
    pub amount: Money,
}

impl FromStr for Tender {
    type Err = TenderError;
    /// `cash:20.00`, `card:5`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, amount) = s
            .split_once(':')
            .ok_or_else(|| TenderError::Invalid(format!("payment “{s}” must look like cash:20.00")))?;
        let amount =
            Money::parse_non_negative(amount).map_err(|e| TenderError::Invalid(format!("payment “{s}”: {e}")))?;
        if amount.is_zero() {
            return Err(TenderError::Invalid(format!("payment “{s}” is zero")));
        }
        let kind = kind.parse()?;
        if kind == TenderKind::GiftCard {
            return Err(TenderError::Invalid(format!(
                "payment “{s}”: a gift card names its card, giftcard:NUMBER:AMOUNT"
            )));
        }
        Ok(Tender { kind, amount })
    }
}

/// One payment as typed: a tender, or a gift card with its number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tendered {
    Tender(Tender),
    GiftCard(CardUse),
}

impl FromStr for Tendered {
    type Err = TenderError;
    /// `cash:20.00`, `account:35`, `giftcard:NUMBER:AMOUNT`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some(rest) = s.strip_prefix("giftcard:") else { return s.parse().map(Tendered::Tender) };
        let (card, amount) = rest
            .rsplit_once(':')
            .ok_or_else(|| TenderError::Invalid(format!("payment “{s}” must look like giftcard:NUMBER:AMOUNT")))?;
        check_card_number(card)?;
        let amount =
            Money::parse_non_negative(amount).map_err(|e| TenderError::Invalid(format!("payment “{s}”: {e}")))?;
        if amount.is_zero() {
            return Err(TenderError::Invalid(format!("payment “{s}” is zero")));
        }
        Ok(Tendered::GiftCard(CardUse { card: card.to_string(), amount }))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenderError {
    #[error("{0}")]
    Invalid(String),
    #[error("short payment: {missing} still to pay")]
    Short { missing: Money },
    #[error("card and other tenders ({given}) exceed the {due} due; only cash gives change")]
    NonCashOverpaid { given: Money, due: Money },
}

/// The outcome of paying `due` with a set of tenders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// Amount kept per tender, in the order given (cash net of change).
    pub payments: Vec<Tender>,
    /// Cash handed over before change.
    pub cash_tendered: Money,
    pub change: Money,
    /// Added to the total by cash rounding (negative when rounded down).
    pub cash_rounding: Money,
}

/// Cash rounding of an amount paid in cash: to the nearest `increment`
/// (e.g. 0.05), halves up; no increment means no rounding.
pub fn cash_amount_due(remaining: Money, increment: Option<Money>) -> Money {
    match increment {
        Some(step) if !step.is_zero() => {
            let rounded = round_to_step(remaining.amount(), step.amount(), RoundingMode::HalfUp);
            Money::try_from(rounded).unwrap_or(remaining)
        }
        _ => remaining,
    }
}

/// Pays `due` with `tenders`. Card and other tenders may not exceed what is
/// due; cash covers the rest (rounded to `cash_increment`) and gives change.
pub fn settle(due: Money, tenders: &[Tender], cash_increment: Option<Money>) -> Result<Settlement, TenderError> {
    let non_cash: Money = tenders.iter().filter(|t| t.kind != TenderKind::Cash).map(|t| t.amount).sum();
    if non_cash > due {
        return Err(TenderError::NonCashOverpaid { given: non_cash, due });
    }
    let cash: Money = tenders.iter().filter(|t| t.kind == TenderKind::Cash).map(|t| t.amount).sum();
    let remaining = due - non_cash;
    let has_cash = tenders.iter().any(|t| t.kind == TenderKind::Cash);
    let cash_due = if has_cash { cash_amount_due(remaining, cash_increment) } else { remaining };
    if cash < cash_due {
        return Err(TenderError::Short { missing: cash_due - cash });
    }
    let mut payments: Vec<Tender> = tenders.iter().filter(|t| t.kind != TenderKind::Cash).copied().collect();
    if has_cash && !cash_due.is_zero() {
        payments.push(Tender { kind: TenderKind::Cash, amount: cash_due });
    }
    Ok(Settlement { payments, cash_tendered: cash, change: cash - cash_due, cash_rounding: cash_due - remaining })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn t(text: &str) -> Tender {
        text.parse().unwrap()
    }

    /// (due, tenders, cash increment, change, cash rounding)
    type SettleCase = (&'static str, &'static [&'static str], Option<&'static str>, &'static str, &'static str);

    #[test]
    fn settle_table() {
        let cases: [SettleCase; 6] = [
            ("12.30", &["cash:20"], None, "7.70", "0"),
            ("12.32", &["cash:20"], Some("0.05"), "7.70", "-0.02"),
            ("12.33", &["cash:20"], Some("0.05"), "7.65", "0.02"),
            ("12.33", &["card:12.33"], Some("0.05"), "0", "0"),
            ("30.00", &["card:10", "cash:50"], None, "30.00", "0"),
            ("30.00", &["card:10", "other:5", "cash:15"], None, "0", "0"),
        ];
        for (due, tenders, inc, change, rounding) in cases {
            let tenders: Vec<Tender> = tenders.iter().map(|s| t(s)).collect();
            let s = settle(m(due), &tenders, inc.map(m)).unwrap();
            assert_eq!(s.change, m(change), "{due} {tenders:?}");
            assert_eq!(s.cash_rounding, m(rounding), "{due} {tenders:?}");
            let kept: Money = s.payments.iter().map(|p| p.amount).sum();
            assert_eq!(kept, m(due) + s.cash_rounding, "kept money equals the rounded total");
        }
    }

    #[test]
    fn short_and_overpaid() {
        assert_eq!(settle(m("10"), &[t("cash:9.99")], None), Err(TenderError::Short { missing: m("0.01") }));
        assert!(matches!(settle(m("10"), &[t("card:10.01")], None), Err(TenderError::NonCashOverpaid { .. })));
        assert!(matches!(settle(m("10"), &[], None), Err(TenderError::Short { .. })));
        assert!(settle(Money::ZERO, &[], None).is_ok());
    }

    #[test]
    fn tender_parsing() {
        for bad in ["cash", "cash:", "cash:-1", "cash:0", "gold:5", "card:1.234"] {
            assert!(bad.parse::<Tender>().is_err(), "{bad}");
        }
        assert_eq!(t("voucher:5").kind, TenderKind::Other);
        assert_eq!(t("account:5").kind, TenderKind::Account);
        for bad in ["giftcard:5", "giftcard:12:5", "giftcard:GC-0001:5", "giftcard:GC0001:0", "giftcard:GC0001"] {
            assert!(bad.parse::<Tendered>().is_err(), "{bad}");
        }
        let card = CardUse { card: "GC0001".into(), amount: "12.50".parse().unwrap() };
        assert_eq!("giftcard:GC0001:12.50".parse::<Tendered>(), Ok(Tendered::GiftCard(card)));
        assert_eq!("card:3".parse::<Tendered>(), Ok(Tendered::Tender(t("card:3"))));
    }
}
