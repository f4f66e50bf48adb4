//! The journal: every fact a terminal records, as events in a gapless,
//! hash-chained sequence per terminal (`hash = sha256(prev_hash || bytes)`).

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fiscal::PeriodClosing;
use crate::ids::{ReceiptNo, Seq, TerminalId};
use crate::money::Money;
use crate::pricing::{Discount, PromotionShare, TaxBand, TaxRate};
use crate::quantity::{Quantity, Unit};
use crate::report::SessionReport;
use crate::roles::Permission;
use crate::stock::{MovementReason, StockMovement};
use crate::tender::{CardUse, Tender};

/// A SHA-256 digest, shown and serialised as hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Hash32(pub [u8; 32]);

impl Hash32 {
    /// The `prev_hash` of a terminal's first entry.
    pub const GENESIS: Hash32 = Hash32([0; 32]);

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Hash32> {
        bytes.try_into().ok().map(Hash32)
    }
}

impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl From<Hash32> for String {
    fn from(h: Hash32) -> String {
        h.to_hex()
    }
}

impl TryFrom<String> for Hash32 {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        let bytes = hex::decode(&text).map_err(|e| format!("hash “{text}”: {e}"))?;
        Hash32::from_slice(&bytes).ok_or_else(|| format!("hash “{text}” is not 32 bytes"))
    }
}

/// `sha256(prev || canonical)`: the link from one entry to the next.
pub fn chain_hash(prev: &Hash32, canonical: &[u8]) -> Hash32 {
    let mut hasher = Sha256::new();
    hasher.update(prev.0);
    hasher.update(canonical);
    Hash32(hasher.finalize().into())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SaleKind {
    Sale,
    Return,
}

impl SaleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SaleKind::Sale => "sale",
            SaleKind::Return => "return",
        }
    }
}

/// A sold or returned line as it was recorded. For returns the amounts are
/// the refund and `original_line` points into the original receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLineRecord {
    pub line_no: u32,
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    pub qty: Quantity,
    pub unit_price: Money,
    pub tax_rate: TaxRate,
    pub gross: Money,
    pub line_discount: Money,
    pub sale_discount: Money,
    pub net: Money,
    pub tax: Money,
    pub original_line: Option<u32>,
    /// The price list that set `unit_price`, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_list: Option<String>,
    /// The promotions in `line_discount`; the rest of it is manual.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<PromotionShare>,
    /// The manual line discount as it was given (`10%` or `2.00`), so head
    /// office prices the line again exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// Sold by the pack of this many units, `unit_price` a pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack_size: Option<Quantity>,
}

impl SaleLineRecord {
    /// What promotions took off the line (the rest of `line_discount` is
    /// the manual discount).
    pub fn promotion_discount(&self) -> Money {
        self.promotions.iter().map(|p| p.amount).sum()
    }
}

/// A committed sale or return: everything a receipt, a report or the server
/// needs, with the stock movements it caused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleRecord {
    pub receipt_no: ReceiptNo,
    pub kind: SaleKind,
    pub session_id: i64,
    pub cashier: String,
    pub lines: Vec<SaleLineRecord>,
    pub subtotal: Money,
    pub discount: Money,
    pub taxes: Vec<TaxBand>,
    pub tax: Money,
    pub total: Money,
    pub payments: Vec<Tender>,
    pub cash_tendered: Money,
    pub change: Money,
    pub cash_rounding: Money,
    pub original_receipt: Option<ReceiptNo>,
    pub movements: Vec<StockMovement>,
    /// The customer's code, when one was attached to the sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// The customer order this sale hands over, when it collects one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// The coupons the customer gave.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<String>,
    /// The gift cards its `giftcard` payments were taken from (a return:
    /// refunded to).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gift_cards: Vec<CardUse>,
    /// The invoice this sale is, for a business customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<Invoice>,
    /// How its card payment or refund went: through the till's card
    /// terminal (what the terminal approved) or on a terminal the till does
    /// not drive (and why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_via: Option<CardVia>,
}

/// How a card payment was taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum CardVia {
    /// The till's card terminal approved it.
    Terminal(CardAuth),
    /// Keyed on another terminal by the cashier, for this reason.
    External { reason: String },
}

/// What the card terminal said when it approved a payment or refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardAuth {
    pub amount: Money,
    /// The terminal's trace number of the transaction.
    pub trace: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_receipt: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<u32>,
    /// The card's kind and last four digits.
    pub card: String,
}

impl SaleRecord {
    /// What its payments of one kind add up to.
    pub fn paid_by(&self, kind: crate::tender::TenderKind) -> Money {
        self.payments.iter().filter(|p| p.kind == kind).map(|p| p.amount).sum()
    }

    /// The moves it makes on its customer's account (positive: they owe
    /// more) and on its gift cards (positive: a card holds more). A sale
    /// adds to the account and takes from the cards; a return the reverse.
    /// The till and head office both book exactly these.
    pub fn credit_moves(&self) -> Vec<(Credit, Money)> {
        let signed = |amount: Money| if self.kind == SaleKind::Sale { amount } else { -amount };
        let on_account = self.paid_by(crate::tender::TenderKind::Account);
        let account = match (&self.customer, on_account.is_zero()) {
            (Some(customer), false) => Some((Credit::Account(customer.clone()), signed(on_account))),
            _ => None,
        };
        let cards = self.gift_cards.iter().map(|used| (Credit::GiftCard(used.card.clone()), -signed(used.amount)));
        account.into_iter().chain(cards).collect()
    }

    /// What the customer handed over: every payment, cash before change.
    pub fn handed_over(&self) -> Money {
        self.payments.iter().map(|p| p.amount).sum::<Money>() + self.change
    }
}

/// A business customer's invoice: its number in the terminal's own gapless
/// invoice series and who it is made out to, as they were at the sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub number: String,
    pub name: String,
    pub vat_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Days the customer has to pay what went on their account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_days: Option<u32>,
}

/// Whose credit money paid at the counter raises: a customer's account (a
/// payment on account) or a gift card (sold, or topped up).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credit {
    Account(String),
    GiftCard(String),
}

impl Credit {
    /// Its kind as stored (`account`, `giftcard`) and the customer's code or
    /// the card's number.
    pub fn kind_and_code(&self) -> (&'static str, &str) {
        match self {
            Credit::Account(customer) => ("account", customer),
            Credit::GiftCard(card) => ("giftcard", card),
        }
    }
}

impl CreditSale {
    /// What it moves its credit by: a card holds more, a customer owes less.
    pub fn raised(&self) -> Money {
        match self.credit {
            Credit::Account(_) => -self.amount,
            Credit::GiftCard(_) => self.amount,
        }
    }
}

impl fmt::Display for Credit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credit::Account(customer) => write!(f, "payment on account of {customer}"),
            Credit::GiftCard(card) => write!(f, "gift card {card}"),
        }
    }
}

/// Money taken at the counter for credit, not goods: no tax, no stock; it
/// is a sale's receipt number and counts in the drawer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditSale {
    pub receipt_no: ReceiptNo,
    pub session_id: i64,
    pub by: String,
    pub credit: Credit,
    pub amount: Money,
    pub payments: Vec<Tender>,
    pub cash_tendered: Money,
    pub change: Money,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CashDirection {
    In,
    Out,
}

impl CashDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            CashDirection::In => "in",
            CashDirection::Out => "out",
        }
    }
}

/// Everything a terminal journals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    SessionOpened {
        session_id: i64,
        by: String,
        float: Money,
    },
    Sale(Box<SaleRecord>),
    CashMoved {
        session_id: i64,
        by: String,
        direction: CashDirection,
        amount: Money,
        reason: String,
    },
    DrawerOpened {
        session_id: i64,
        by: String,
        reason: String,
    },
    /// A manager approved what the acting user may not do alone.
    Override {
        permission: Permission,
        user: String,
        approver: String,
        detail: String,
    },
    /// A cart abandoned before payment.
    SaleVoided {
        session_id: i64,
        by: String,
        lines: u32,
        total: Money,
    },
    /// Wrong PINs in a row locked PIN entry: `lockouts` times since the
    /// last good PIN, this time for `locked_for_ms`. Head office sees it.
    PinLockedOut {
        failures: u32,
        lockouts: u32,
        locked_for_ms: i64,
    },
    ZReport(Box<SessionReport>),
    /// Goods came in (a delivery, or the opening stock of a new store).
    StockReceived {
        by: String,
        reference: String,
        movements: Vec<StockMovement>,
        /// The purchase order these goods were delivered against.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        purchase_order: Option<String>,
    },
    /// Stock corrected by hand, with a reason (damaged, expired, theft...).
    StockAdjusted {
        by: String,
        reason: MovementReason,
        note: String,
        movements: Vec<StockMovement>,
    },
    /// Goods shipped to another store against a transfer.
    TransferShipped {
        by: String,
        transfer: String,
        movements: Vec<StockMovement>,
    },
    /// A stock count closed: what was counted, what was expected when each
    /// product was counted, and the variances booked as movements.
    StockCounted(Box<CountRecord>),
    /// A gift card sold or a payment on account taken.
    CreditSold(Box<CreditSale>),
    /// A month or a year closed: its totals and the perpetual grand total.
    PeriodClosed(Box<PeriodClosing>),
    /// A receipt printed again: the copy's number (1 for the first copy).
    ReceiptReprinted {
        receipt_no: ReceiptNo,
        copy: u32,
        by: String,
    },
    /// Someone logged in at the till with their PIN.
    LoggedIn {
        user: String,
    },
    /// A PIN refused: `user` is who it was tried for (none: a PIN alone).
    LoginFailed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
    /// A sale or return made in training mode: journaled and printed as
    /// training, never in totals, stock, credit or the grand total.
    TrainingSale(Box<SaleRecord>),
}

/// One product of a closed stock count, in thousandths.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountLine {
    pub sku: String,
    pub counted_milli: i64,
    /// On-hand as the terminal knew it when the product was counted.
    pub expected_milli: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRecord {
    pub count_id: i64,
    pub by: String,
    /// `all`, or the category counted.
    pub scope: String,
    pub lines: Vec<CountLine>,
    pub movements: Vec<StockMovement>,
}

impl Event {
    /// The stock movements an event makes, if it moves stock.
    pub fn stock_movements(&self) -> Option<&[StockMovement]> {
        match self {
            Event::Sale(sale) => Some(&sale.movements),
            Event::StockReceived { movements, .. }
            | Event::StockAdjusted { movements, .. }
            | Event::TransferShipped { movements, .. } => Some(movements),
            Event::StockCounted(count) => Some(&count.movements),
            _ => None,
        }
    }

    /// Short name stored beside the entry, for queries and logs.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Event::SessionOpened { .. } => "session_opened",
            Event::Sale(sale) => match sale.kind {
                SaleKind::Sale => "sale",
                SaleKind::Return => "return",
            },
            Event::CashMoved { .. } => "cash_moved",
            Event::DrawerOpened { .. } => "drawer_opened",
            Event::Override { .. } => "override",
            Event::SaleVoided { .. } => "sale_voided",
            Event::PinLockedOut { .. } => "pin_locked_out",
            Event::ZReport(_) => "z_report",
            Event::StockReceived { .. } => "stock_received",
            Event::StockAdjusted { .. } => "stock_adjusted",
            Event::TransferShipped { .. } => "transfer_shipped",
            Event::StockCounted(_) => "stock_counted",
            Event::CreditSold(_) => "credit_sold",
            Event::PeriodClosed(_) => "period_closed",
            Event::ReceiptReprinted { .. } => "receipt_reprinted",
            Event::LoggedIn { .. } => "logged_in",
            Event::LoginFailed { .. } => "login_failed",
            Event::TrainingSale(_) => "training_sale",
        }
    }
}

/// A journal entry as decoded from its canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CanonicalEntry {
    pub terminal_id: TerminalId,
    pub seq: Seq,
    pub at_ms: i64,
    pub event: Event,
}

/// The same fields, borrowed, in the same order: what gets hashed.
#[derive(Serialize)]
struct CanonicalEntryRef<'a> {
    terminal_id: &'a TerminalId,
    seq: Seq,
    at_ms: i64,
    event: &'a Event,
}

/// The bytes an entry's hash covers: terminal, seq, time and event, as JSON
/// with a fixed field order.
pub fn canonical_bytes(terminal_id: &TerminalId, seq: Seq, at_ms: i64, event: &Event) -> Vec<u8> {
    let entry = CanonicalEntryRef { terminal_id, seq, at_ms, event };
    serde_json::to_vec(&entry).expect("journal events always serialise")
}

impl CanonicalEntry {
    pub fn from_bytes(bytes: &[u8]) -> Result<CanonicalEntry, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        canonical_bytes(&self.terminal_id, self.seq, self.at_ms, &self.event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> CanonicalEntry {
        CanonicalEntry {
            terminal_id: "S01-T01".parse().unwrap(),
            seq: Seq(seq),
            at_ms: 1_700_000_000_000,
            event: Event::SessionOpened { session_id: 1, by: "Ana".into(), float: Money::from_minor(10000) },
        }
    }

    #[test]
    fn canonical_bytes_round_trip_exactly() {
        let bytes = entry(1).to_bytes();
        let again = CanonicalEntry::from_bytes(&bytes).unwrap().to_bytes();
        assert_eq!(bytes, again);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(r#"{"terminal_id":"S01-T01","seq":1,"#), "{text}");
        assert!(text.contains(r#""float":"100.00""#), "{text}");
    }

    #[test]
    fn chain_depends_on_every_link() {
        let a = chain_hash(&Hash32::GENESIS, &entry(1).to_bytes());
        let b = chain_hash(&a, &entry(2).to_bytes());
        let b_from_other_prev = chain_hash(&Hash32::GENESIS, &entry(2).to_bytes());
        assert_ne!(b, b_from_other_prev);
        assert_eq!(Hash32::try_from(a.to_hex()).unwrap(), a);
        assert!(Hash32::try_from("zz".to_string()).is_err());
    }
}
