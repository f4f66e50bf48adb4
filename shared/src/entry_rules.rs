//! What head office accepts of a pushed journal entry, beyond its hash
//! chain: facts that are the pusher's own, figures within bounds, stock
//! movements that agree with the lines, reasons allowed for the event, and
//! totals that add up. A till's own code never writes anything else, so an
//! entry that fails here was forged or corrupted.

use crate::fiscal::PeriodClosing;
use crate::ids::TerminalId;
use crate::journal::{CanonicalEntry, CardVia, Credit, CreditSale, Event, SaleKind, SaleRecord};
use crate::money::Money;
use crate::pricing::TaxMode;
use crate::stock::{MovementReason, StockMovement};
use crate::tender::{TenderKind, check_card_number};

/// Longest name, SKU, cashier, reason or note an entry may carry.
pub const MAX_TEXT: usize = 200;
/// Most thousandths one movement may move (9,999 units, like one line).
pub const MAX_MOVEMENT_MILLI: i64 = 9_999_000;
/// Most lines or movements one entry may carry.
pub const MAX_LINES: usize = 2_000;

/// Why an entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryProblem {
    /// It records something that belongs to another terminal.
    #[error("{0}")]
    NotThePushers(String),
    /// It breaks a rule every honest entry keeps.
    #[error("{0}")]
    Invalid(String),
}

fn invalid(text: impl Into<String>) -> EntryProblem {
    EntryProblem::Invalid(text.into())
}

/// A text field: not too long, no control characters, and none of the
/// invisible characters that reorder or break what a person reads (bidi
/// overrides and isolates, line and paragraph separators).
pub fn check_text(what: &str, text: &str) -> Result<(), String> {
    if text.chars().count() > MAX_TEXT {
        return Err(format!("{what} is longer than {MAX_TEXT} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("{what} contains a control character"));
    }
    if text.chars().any(reorders_or_breaks) {
        return Err(format!("{what} contains an invisible character that reorders or breaks text"));
    }
    Ok(())
}

/// Bidi marks, embeddings, overrides and isolates, and the line and
/// paragraph separators: invisible, yet they change what a page shows.
fn reorders_or_breaks(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// What a message may quote of something a person or a program typed: at
/// most 40 characters, so an unknown 100 kB code is not echoed back whole.
pub fn excerpt(text: &str) -> String {
    const SHOWN: usize = 40;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The earliest time an entry may carry: 2000-01-01T00:00:00Z.
pub const EARLIEST_MS: i64 = 946_684_800_000;
/// The first time an entry may no longer carry: 2100-01-01T00:00:00Z. Every
/// date function of both databases reads what lies between.
pub const LATEST_MS: i64 = 4_102_444_800_000;

/// A time an entry may carry (milliseconds since 1970): within this
/// century, so no clock gone wrong reaches a report that counts by day.
pub fn check_time(at_ms: i64) -> Result<(), String> {
    if (EARLIEST_MS..LATEST_MS).contains(&at_ms) {
        Ok(())
    } else {
        Err(format!("its time ({at_ms} ms since 1970) is outside 2000 to 2099: the till's clock is wrong"))
    }
}

/// Checks `entry`, pushed by `pusher` for a store whose prices are `tax_mode`.
pub fn check_entry(entry: &CanonicalEntry, pusher: &TerminalId, tax_mode: TaxMode) -> Result<(), EntryProblem> {
    check_owner(entry, pusher)?;
    check_time(entry.at_ms).map_err(invalid)?;
    check_event(&entry.event, pusher, tax_mode)
}

/// Most bytes an entry may carry beyond what head office reads of it (an
/// older till's spelling of the same fields, never a payload of its own).
pub const MAX_UNREAD_BYTES: usize = 4_096;

/// An entry's bytes (`bytes`, parsed as `entry`) carry nothing much beyond
/// the fields head office reads: an unknown field is never stored whole.
pub fn check_unread(entry: &CanonicalEntry, bytes: &[u8]) -> Result<(), EntryProblem> {
    let read = entry.to_bytes().len();
    match bytes.len().checked_sub(read) {
        Some(unread) if unread > MAX_UNREAD_BYTES => {
            Err(invalid(format!("it carries {unread} bytes in fields head office does not know")))
        }
        _ => Ok(()),
    }
}

/// Whether `entry` is `pusher`'s own: its terminal, and the receipt
/// number of a sale or of credit sold. Anything else is another till's
/// record, refused whole, whatever seq it claims.
pub fn check_owner(entry: &CanonicalEntry, pusher: &TerminalId) -> Result<(), EntryProblem> {
    let receipt = match &entry.event {
        Event::Sale(sale) | Event::TrainingSale(sale) => Some(&sale.receipt_no),
        Event::CreditSold(credit) => Some(&credit.receipt_no),
        _ => None,
    };
    if &entry.terminal_id != pusher {
        return Err(EntryProblem::NotThePushers(format!(
            "entry {} belongs to terminal {}, not {pusher}",
            entry.seq, entry.terminal_id
        )));
    }
    match receipt {
        Some(receipt) if receipt.terminal() != pusher => Err(EntryProblem::NotThePushers(format!(
            "receipt {receipt} is numbered for another terminal than {pusher}"
        ))),
        _ => Ok(()),
    }
}

/// Checks what `terminal` journals, on a store whose prices are `tax_mode`:
/// the till runs it before writing an entry, head office before applying it.
pub fn check_event(event: &Event, terminal: &TerminalId, tax_mode: TaxMode) -> Result<(), EntryProblem> {
    let text = |what: &str, value: &str| check_text(what, value).map_err(invalid);
    match event {
        Event::Sale(sale) => check_sale(sale, terminal, tax_mode)?,
        Event::StockReceived { by, reference, movements, purchase_order } => {
            text("the receiver", by)?;
            text("the delivery's reference", reference)?;
            text("the purchase order", purchase_order.as_deref().unwrap_or_default())?;
            check_movements(movements, &[MovementReason::Delivery, MovementReason::TransferIn], Some(true))?;
        }
        Event::StockAdjusted { by, reason, note, movements } => {
            text("the manager", by)?;
            text("the note", note)?;
            if !MovementReason::ADJUSTMENTS.contains(reason) {
                return Err(invalid(format!("an adjustment cannot have the reason {reason}")));
            }
            let incoming = if reason.removes_stock() { Some(false) } else { None };
            check_movements(movements, &[*reason], incoming)?;
        }
        Event::TransferShipped { by, transfer, movements } => {
            text("the shipper", by)?;
            text("the transfer", transfer)?;
            check_movements(movements, &[MovementReason::TransferOut], Some(false))?;
        }
        Event::StockCounted(count) => {
            text("the counter", &count.by)?;
            text("the count's scope", &count.scope)?;
            if count.lines.len() > MAX_LINES {
                return Err(invalid(format!("a count of more than {MAX_LINES} products")));
            }
            for line in &count.lines {
                text("a SKU", &line.sku)?;
                if !(0..=MAX_MOVEMENT_MILLI).contains(&line.counted_milli)
                    || line.expected_milli.abs() > MAX_MOVEMENT_MILLI * 1_000
                {
                    return Err(invalid(format!("count line {} is out of bounds", line.sku)));
                }
            }
            check_movements(&count.movements, &[MovementReason::Count], None)?;
        }
        Event::CashMoved { by, reason, amount, .. } => {
            text("the cashier", by)?;
            text("the reason", reason)?;
            if amount.is_negative() || amount.is_zero() {
                return Err(invalid("a cash move must be more than zero"));
            }
        }
        Event::SessionOpened { by, float, .. } => {
            text("the cashier", by)?;
            if float.is_negative() {
                return Err(invalid("a float cannot be negative"));
            }
        }
        Event::DrawerOpened { by, reason, .. } => {
            text("the cashier", by)?;
            text("the reason", reason)?;
        }
        Event::Override { user, approver, detail, .. } => {
            text("the user", user)?;
            text("the approver", approver)?;
            text("the detail", detail)?;
        }
        Event::SaleVoided { by, .. } => text("the cashier", by)?,
        Event::PinLockedOut { locked_for_ms, .. } => {
            if !(0..=86_400_000).contains(locked_for_ms) {
                return Err(invalid("a lockout lasts from 0 to a day"));
            }
        }
        Event::ZReport(report) => {
            text("the cashier", &report.opened_by)?;
            if let Some(reason) = &report.not_counted {
                text("the reason the drawer was not counted", reason)?;
            }
        }
        Event::CreditSold(credit) => check_credit_sale(credit, terminal)?,
        Event::PeriodClosed(closing) => check_closing(closing)?,
        Event::ReceiptReprinted { receipt_no, copy, by } => {
            text("the cashier", by)?;
            if receipt_no.terminal() != terminal || *copy == 0 {
                return Err(invalid(format!("a reprint of {receipt_no} (copy {copy}) is not this till's to make")));
            }
        }
        Event::LoggedIn { user } => text("the user", user)?,
        Event::LoginFailed { user } => {
            if let Some(user) = user {
                text("the user", user)?;
            }
        }
        Event::TrainingSale(sale) => check_sale(sale, terminal, tax_mode)?,
    }
    Ok(())
}

/// A closing's bounds follow each other and its net is its sales less its returns.
fn check_closing(closing: &PeriodClosing) -> Result<(), EntryProblem> {
    if !(closing.from_ms < closing.to_ms && closing.to_ms < closing.next_to_ms) {
        return Err(invalid(format!("the closing of {} has its bounds out of order", closing.period)));
    }
    let totals = &closing.totals;
    if totals.net_total != totals.sales_total - totals.returns_total {
        return Err(invalid(format!("the closing of {}: its net is not its sales less its returns", closing.period)));
    }
    if closing.first_z > closing.last_z {
        return Err(invalid(format!("the closing of {}: its first Z is after its last", closing.period)));
    }
    Ok(())
}

/// Checks a gift card's number or a customer's code in an entry.
fn check_credit(credit: &Credit) -> Result<(), EntryProblem> {
    match credit {
        Credit::Account(customer) if customer.trim().is_empty() => {
            Err(invalid("a payment on account names no customer"))
        }
        Credit::Account(customer) => check_text("the customer", customer).map_err(invalid),
        Credit::GiftCard(card) => check_card_number(card).map_err(|e| invalid(e.to_string())),
    }
}

/// A gift card sold or a payment on account: the pusher's receipt, more
/// than zero, paid exactly, and not paid from credit itself.
fn check_credit_sale(credit: &CreditSale, pusher: &TerminalId) -> Result<(), EntryProblem> {
    if credit.receipt_no.terminal() != pusher {
        return Err(EntryProblem::NotThePushers(format!("receipt {} is another terminal's", credit.receipt_no)));
    }
    check_text("the cashier", &credit.by).map_err(invalid)?;
    check_credit(&credit.credit)?;
    if credit.amount <= Money::ZERO {
        return Err(invalid(format!("{} must be more than zero", credit.credit)));
    }
    let paid: Money = credit.payments.iter().map(|p| p.amount).sum();
    if credit.payments.iter().any(|p| p.amount <= Money::ZERO) || paid != credit.amount {
        return Err(invalid(format!("payments of {paid} do not settle the {} of {}", credit.credit, credit.amount)));
    }
    if credit.payments.iter().any(|p| p.kind.is_credit()) {
        return Err(invalid(format!("the {} is paid with money, not credit", credit.credit)));
    }
    Ok(())
}

/// Every movement: a known product, a bounded non-zero quantity, a reason
/// from `reasons`, and the direction `incoming` says (either when `None`).
fn check_movements(
    movements: &[StockMovement],
    reasons: &[MovementReason],
    incoming: Option<bool>,
) -> Result<(), EntryProblem> {
    if movements.len() > MAX_LINES {
        return Err(invalid(format!("more than {MAX_LINES} stock movements in one entry")));
    }
    for m in movements {
        check_text("a SKU", &m.sku).map_err(invalid)?;
        if m.sku.trim().is_empty() {
            return Err(invalid("a stock movement without a product"));
        }
        if m.qty_milli == 0 || m.qty_milli.unsigned_abs() > MAX_MOVEMENT_MILLI as u64 {
            return Err(invalid(format!("a movement of {} thousandths of {} is out of bounds", m.qty_milli, m.sku)));
        }
        if !reasons.contains(&m.reason) {
            return Err(invalid(format!("a {} movement does not belong to this entry", m.reason)));
        }
        if incoming.is_some_and(|inward| inward != (m.qty_milli > 0)) {
            return Err(invalid(format!("{} moves the wrong way for a {} movement", m.sku, m.reason)));
        }
    }
    Ok(())
}

/// A line's tax is its rate of its net, as the till prices it (rounded to
/// the cent, either way); a return's, the share of the tax sold that it
/// takes back, may be a cent further off.
fn check_line_tax(
    line: &crate::journal::SaleLineRecord,
    kind: SaleKind,
    tax_mode: TaxMode,
) -> Result<(), EntryProblem> {
    use rust_decimal::Decimal;
    let rate = line.tax_rate.percent();
    let hundred = Decimal::ONE_HUNDRED;
    let exact = match tax_mode {
        TaxMode::Inclusive => line.net.amount() * rate / (hundred + rate),
        TaxMode::Exclusive => line.net.amount() * rate / hundred,
    };
    let allowed = match kind {
        SaleKind::Sale => Decimal::new(5, 3),
        SaleKind::Return => Decimal::new(15, 3),
    };
    if (line.tax.amount() - exact).abs() > allowed {
        return Err(invalid(format!(
            "line {}: a tax of {} is not {} of its {}",
            line.line_no,
            line.tax,
            line.tax_rate.label(),
            line.net
        )));
    }
    Ok(())
}

/// A sale or return: its receipt is the pusher's, its lines add up to its
/// totals, its payments to what was due, its movements to its lines.
fn check_sale(sale: &SaleRecord, pusher: &TerminalId, tax_mode: TaxMode) -> Result<(), EntryProblem> {
    if sale.receipt_no.terminal() != pusher {
        return Err(EntryProblem::NotThePushers(format!(
            "receipt {} is numbered for another terminal than {pusher}",
            sale.receipt_no
        )));
    }
    let text = |what: &str, value: &str| check_text(what, value).map_err(invalid);
    text("the cashier", &sale.cashier)?;
    text("the customer", sale.customer.as_deref().unwrap_or_default())?;
    text("the order", sale.order.as_deref().unwrap_or_default())?;
    for coupon in &sale.coupons {
        text("a coupon", coupon)?;
    }
    for used in &sale.gift_cards {
        check_credit(&Credit::GiftCard(used.card.clone()))?;
        if used.amount <= Money::ZERO {
            return Err(invalid(format!("gift card {} pays nothing", used.card)));
        }
    }
    let on_cards: Money = sale.gift_cards.iter().map(|c| c.amount).sum();
    if on_cards != sale.paid_by(TenderKind::GiftCard) {
        return Err(invalid(format!("its gift cards ({on_cards}) are not its gift card payments")));
    }
    if sale.customer.is_none() && !sale.paid_by(TenderKind::Account).is_zero() {
        return Err(invalid("it goes on an account but names no customer"));
    }
    match &sale.card_via {
        Some(CardVia::Terminal(auth)) if auth.amount != sale.paid_by(TenderKind::Card) => {
            return Err(invalid(format!("its card terminal approved {}, not its card payments", auth.amount)));
        }
        Some(CardVia::Terminal(auth)) => text("the card", &auth.card)?,
        Some(CardVia::External { reason }) if reason.trim().is_empty() => {
            return Err(invalid("a card taken on another terminal says no reason"));
        }
        Some(CardVia::External { reason }) => text("the reason for another card terminal", reason)?,
        None => {}
    }
    if let Some(invoice) = &sale.invoice {
        for (what, value) in [
            ("the invoice's number", &invoice.number),
            ("the invoiced name", &invoice.name),
            ("the VAT number", &invoice.vat_number),
        ] {
            text(what, value)?;
        }
        text("the invoiced address", invoice.address.as_deref().unwrap_or_default())?;
    }
    let reasons: &[MovementReason] = match sale.kind {
        SaleKind::Sale => &[MovementReason::Sale],
        SaleKind::Return => &[MovementReason::Return, MovementReason::Damaged],
    };
    check_movements(&sale.movements, reasons, None)?;
    if sale.lines.is_empty() || sale.lines.len() > MAX_LINES {
        return Err(invalid(format!("a {} needs 1 to {MAX_LINES} lines", sale.kind.as_str())));
    }
    let mut expected = Vec::with_capacity(sale.lines.len());
    for line in &sale.lines {
        text("a SKU", &line.sku)?;
        text("a product name", &line.name)?;
        let amounts = [line.gross, line.line_discount, line.sale_discount, line.net, line.tax, line.unit_price];
        if amounts.iter().any(|m| m.is_negative()) {
            return Err(invalid(format!("line {} has a negative amount", line.line_no)));
        }
        if line.gross - line.line_discount - line.sale_discount != line.net {
            return Err(invalid(format!("line {}: gross less discounts is not its net", line.line_no)));
        }
        for promotion in &line.promotions {
            text("a promotion", &promotion.code)?;
            text("a promotion's name", &promotion.name)?;
            if promotion.amount <= Money::ZERO {
                return Err(invalid(format!("line {}: promotion {} takes nothing off", line.line_no, promotion.code)));
            }
        }
        if line.promotion_discount() > line.line_discount {
            return Err(invalid(format!("line {}: its promotions are more than its discount", line.line_no)));
        }
        text("a price list", line.price_list.as_deref().unwrap_or_default())?;
        check_line_tax(line, sale.kind, tax_mode)?;
        let (sign, reason) = match sale.kind {
            SaleKind::Sale => (-1, MovementReason::Sale),
            SaleKind::Return => (1, MovementReason::Return),
        };
        expected.push((line.sku.to_ascii_uppercase(), sign * line.qty.milli(), reason));
    }
    let sum = |f: fn(&crate::journal::SaleLineRecord) -> Money| -> Money { sale.lines.iter().map(f).sum() };
    let (net, tax) = (sum(|l| l.net), sum(|l| l.tax));
    let banded: Money = sale.taxes.iter().map(|b| b.tax).sum();
    if tax != sale.tax || banded != sale.tax {
        return Err(invalid(format!("the tax {} is not the sum of its lines ({tax}) and rates ({banded})", sale.tax)));
    }
    for band in &sale.taxes {
        let lines: Money = sale.lines.iter().filter(|l| l.tax_rate == band.rate).map(|l| l.tax).sum();
        if lines != band.tax {
            return Err(invalid(format!("its {} tax {} is not its lines' ({lines})", band.rate.label(), band.tax)));
        }
    }
    let total = if tax_mode == TaxMode::Inclusive { net } else { net + tax };
    if total != sale.total {
        return Err(invalid(format!("the total {} is not the sum of its lines ({total})", sale.total)));
    }
    let paid: Money = sale.payments.iter().map(|p| p.amount).sum();
    if sale.payments.iter().any(|p| p.amount.is_negative()) || paid != sale.total + sale.cash_rounding {
        return Err(invalid(format!("payments of {paid} do not settle the total {}", sale.total)));
    }
    // The movements are the lines' (a damaged return also writes each back off).
    let mut moved: Vec<(String, i64, MovementReason)> = sale
        .movements
        .iter()
        .filter(|m| !(sale.kind == SaleKind::Return && m.reason == MovementReason::Damaged))
        .map(|m| (m.sku.to_ascii_uppercase(), m.qty_milli, m.reason))
        .collect();
    let mut damaged: Vec<(String, i64)> = sale
        .movements
        .iter()
        .filter(|m| sale.kind == SaleKind::Return && m.reason == MovementReason::Damaged)
        .map(|m| (m.sku.to_ascii_uppercase(), -m.qty_milli))
        .collect();
    moved.sort();
    expected.sort();
    if moved != expected {
        return Err(invalid("its stock movements do not match its lines"));
    }
    if !damaged.is_empty() {
        let mut back: Vec<(String, i64)> = expected.into_iter().map(|(sku, milli, _)| (sku, milli)).collect();
        back.sort();
        damaged.sort();
        if damaged != back {
            return Err(invalid("what it writes off as damaged is not what came back"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_text;

    #[test]
    fn texts_that_read_otherwise_than_they_are_are_refused() {
        for fine in ["Café de Flore", "Pain d'épices 500 g", "مخبز", "パン"] {
            assert_eq!(check_text("a name", fine), Ok(()), "{fine}");
        }
        for bad in
            ["Pain\u{202E}sniaP", "Pain\u{2028}two lines", "a\u{2029}b", "x\u{2066}y\u{2069}", "ab\u{200F}", "nul\u{0}"]
        {
            assert!(check_text("a name", bad).is_err(), "{bad:?}");
        }
        assert!(check_text("a name", &"x".repeat(201)).unwrap_err().contains("longer than 200"));
    }
}
