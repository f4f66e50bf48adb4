//! The receipt layout model: what a receipt or a till report says, line by
//! line, independent of the printer. Text rendering lives here; ESC/POS
//! rendering in the terminal maps the same blocks to printer commands.

use serde::{Deserialize, Serialize};

use crate::ids::ReceiptNo;
use crate::journal::{CardVia, Credit, CreditSale, Invoice, SaleKind, SaleRecord};
use crate::money::Money;
use crate::pricing::{basket_promotions, packs_text};
use crate::quantity::Unit;
use crate::report::{ReportKind, SessionReport};
use crate::tender::{TenderKind, masked_card};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Align {
    Left,
    Center,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Style {
    Normal,
    Bold,
    /// Double height and width on paper.
    Large,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    Text {
        text: String,
        align: Align,
        style: Style,
    },
    /// A label on the left (wrapped if long) and an amount on the right.
    Pair {
        left: String,
        right: String,
        style: Style,
    },
    Rule,
    /// A scannable code of the receipt number, for returns.
    Code(String),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDoc {
    pub blocks: Vec<Block>,
}

/// The store's own lines at the top and bottom of every receipt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreHeader {
    pub name: String,
    pub lines: Vec<String>,
    pub footer: Vec<String>,
}

impl ReceiptDoc {
    fn text(&mut self, text: impl Into<String>, align: Align, style: Style) {
        self.blocks.push(Block::Text { text: text.into(), align, style });
    }

    fn pair(&mut self, left: impl Into<String>, right: impl ToString, style: Style) {
        self.blocks.push(Block::Pair { left: left.into(), right: right.to_string(), style });
    }

    fn rule(&mut self) {
        self.blocks.push(Block::Rule);
    }

    fn header(&mut self, store: &StoreHeader) {
        self.text(&store.name, Align::Center, Style::Large);
        for line in &store.lines {
            self.text(line, Align::Center, Style::Normal);
        }
        self.rule();
    }

    /// Plain text at `width` characters a line, as the CLI prints it.
    pub fn render_text(&self, width: usize) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Text { text, align, .. } => {
                    for line in wrap(text, width) {
                        let pad = match align {
                            Align::Left => 0,
                            Align::Center => (width.saturating_sub(line.chars().count())) / 2,
                        };
                        out.push_str(&format!("{}{line}\n", " ".repeat(pad)));
                    }
                }
                Block::Pair { left, right, .. } => {
                    for line in pair_lines(left, right, width) {
                        out.push_str(&line);
                        out.push('\n');
                    }
                }
                Block::Rule => out.push_str(&format!("{}\n", "-".repeat(width))),
                Block::Code(data) => out.push_str(&format!("{:^width$}\n", format!("||| {data} |||"))),
            }
        }
        out
    }
}

/// Words of `text` in lines of at most `width` characters (long words cut);
/// leading spaces indent every line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let indent = text.len() - text.trim_start_matches(' ').len();
    let indent = if indent * 2 < width { " ".repeat(indent) } else { String::new() };
    let width = (width - indent.len()).max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        let needed = current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if needed > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines.into_iter().map(|line| format!("{indent}{line}")).collect()
}

/// A label and a right-aligned value; the label wraps, the value sits on the
/// first line.
pub fn pair_lines(left: &str, right: &str, width: usize) -> Vec<String> {
    let right_len = right.chars().count();
    let label_width = width.saturating_sub(right_len + 1).max(1);
    let mut lines = wrap(left, label_width);
    let first_len = lines[0].chars().count();
    lines[0] = format!("{}{}{right}", lines[0], " ".repeat(width.saturating_sub(first_len + right_len)));
    lines
}

/// An amount taken off, shown with a minus sign (but never "-0.00").
fn minus(amount: Money) -> String {
    if amount.is_zero() { amount.to_string() } else { format!("-{amount}") }
}

fn quantity_line(qty: &str, unit: Unit, unit_price: Money) -> String {
    match unit {
        Unit::Each => format!("  {qty} x {unit_price}"),
        measured => format!("  {qty} {measured} x {unit_price}/{measured}"),
    }
}

/// A customer receipt for a sale or a return.
pub fn sale_receipt(store: &StoreHeader, sale: &SaleRecord, when: &str, stamp: &Stamp) -> ReceiptDoc {
    let mut doc = ReceiptDoc::default();
    doc.header(store);
    stamp.banner(&mut doc);
    let title = match sale.kind {
        SaleKind::Sale => "RECEIPT",
        SaleKind::Return => "RETURN",
    };
    // A training slip has its own series: never a receipt's number.
    let heading = match stamp.training {
        true => format!("TRAINING {} No. {}", sale.kind.as_str().to_uppercase(), sale.receipt_no.number()),
        false => format!("{title} {}", sale.receipt_no),
    };
    doc.text(heading, Align::Left, Style::Bold);
    if let Some(invoice) = &sale.invoice {
        invoice_block(&mut doc, invoice);
    }
    if let Some(original) = &sale.original_receipt {
        doc.text(format!("for receipt {original}"), Align::Left, Style::Normal);
    }
    doc.pair(when, format!("Cashier: {}", sale.cashier), Style::Normal);
    if let Some(customer) = &sale.customer {
        doc.pair("Customer", customer, Style::Normal);
    }
    if let Some(order) = &sale.order {
        doc.pair("Order", order, Style::Bold);
    }
    if !sale.coupons.is_empty() {
        doc.pair("Coupons", sale.coupons.join(", "), Style::Normal);
    }
    doc.rule();
    for line in &sale.lines {
        let amount = line.gross;
        doc.pair(&line.name, amount, Style::Normal);
        let qty = line.qty.display();
        if let Some(pack) = line.pack_size {
            doc.text(format!("  {}", packs_text(line.qty, pack, line.unit_price)), Align::Left, Style::Normal);
        } else if line.unit.is_measured() || qty != "1" {
            doc.text(quantity_line(&qty, line.unit, line.unit_price), Align::Left, Style::Normal);
        }
        if let Some(list) = &line.price_list {
            doc.text(format!("  {list} price"), Align::Left, Style::Normal);
        }
        let manual = line.line_discount - line.promotion_discount();
        for promotion in line.promotions.iter().filter(|p| !p.basket) {
            doc.pair(format!("  {}", promotion.name), minus(promotion.amount), Style::Normal);
        }
        if !manual.is_zero() {
            doc.pair("  Discount", minus(manual), Style::Normal);
        }
    }
    for (name, amount) in basket_promotions(sale.lines.iter().map(|l| l.promotions.as_slice())) {
        doc.pair(name, minus(amount), Style::Normal);
    }
    doc.rule();
    doc.pair("Subtotal", sale.subtotal, Style::Normal);
    if !sale.discount.is_zero() {
        doc.pair("Discounts", minus(sale.discount), Style::Normal);
    }
    if !sale.cash_rounding.is_zero() {
        doc.pair("Cash rounding", sale.cash_rounding, Style::Normal);
    }
    let total_label = match sale.kind {
        SaleKind::Sale => "TOTAL",
        SaleKind::Return => "REFUND",
    };
    doc.pair(total_label, sale.total + sale.cash_rounding, Style::Large);
    for band in &sale.taxes {
        doc.pair(format!("Tax {} on {}", band.rate.label(), band.base), band.tax, Style::Normal);
    }
    doc.rule();
    for payment in &sale.payments {
        match payment.kind {
            TenderKind::Cash => doc.pair(TenderKind::Cash.label(), sale.cash_tendered, Style::Normal),
            TenderKind::GiftCard => {
                for used in &sale.gift_cards {
                    doc.pair(format!("Gift card {}", masked_card(&used.card)), used.amount, Style::Normal);
                }
            }
            TenderKind::Card => {
                doc.pair(TenderKind::Card.label(), payment.amount, Style::Normal);
                card_lines(&mut doc, sale.card_via.as_ref());
            }
            kind => doc.pair(kind.label(), payment.amount, Style::Normal),
        }
    }
    if !sale.change.is_zero() {
        doc.pair("Change", sale.change, Style::Bold);
    }
    doc.rule();
    stamp.footer(&mut doc, &sale.receipt_no);
    // Nothing on a training slip promises what a receipt does (returns...).
    for line in store.footer.iter().filter(|_| !stamp.training) {
        doc.text(line, Align::Center, Style::Normal);
    }
    stamp.banner(&mut doc);
    doc
}

/// What ties a printed receipt to the journal: the seq of the entry that
/// recorded it and the short form of that entry's signature; which copy a
/// reprint is; and whether it was made in training.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stamp {
    pub seq: u64,
    /// The signature's first 8 hex characters (none: not signed yet).
    pub signature: Option<String>,
    /// A reprint's number: 1 for the first copy.
    pub copy: Option<u32>,
    pub training: bool,
}

impl Stamp {
    /// Above and below the receipt: a copy or a training receipt says so.
    fn banner(&self, doc: &mut ReceiptDoc) {
        if self.training {
            doc.text("*** TRAINING - NOT A RECEIPT ***", Align::Center, Style::Bold);
        }
        if let Some(copy) = self.copy {
            doc.text(format!("*** COPY {copy} ***"), Align::Center, Style::Bold);
        }
    }

    /// The entry and its signature, the copy's number, and the barcode
    /// (none on a training receipt: nothing can be returned against it).
    fn footer(&self, doc: &mut ReceiptDoc, receipt: &ReceiptNo) {
        let signature = self.signature.as_deref().map_or("not signed yet".to_string(), |s| format!("signature {s}"));
        doc.pair(format!("Entry {}", self.seq), signature, Style::Normal);
        if let Some(copy) = self.copy {
            doc.text(format!("COPY {copy} of receipt {receipt}"), Align::Left, Style::Normal);
        }
        if !self.training {
            doc.blocks.push(Block::Code(receipt.to_string()));
        }
    }
}

/// How the card was taken: the terminal's card, trace and receipt, or the
/// reason it was keyed on another terminal.
fn card_lines(doc: &mut ReceiptDoc, via: Option<&CardVia>) {
    match via {
        Some(CardVia::Terminal(auth)) => {
            doc.text(format!("  {}", auth.card), Align::Left, Style::Normal);
            let receipt = auth.terminal_receipt.map(|r| format!(" receipt {r:04}")).unwrap_or_default();
            let terminal = auth.terminal_id.map(|t| format!("TID {t:08} ")).unwrap_or_default();
            doc.text(format!("  {terminal}trace {:06}{receipt}", auth.trace), Align::Left, Style::Normal);
        }
        Some(CardVia::External { reason }) => {
            doc.text(format!("  other terminal: {reason}"), Align::Left, Style::Normal);
        }
        None => {}
    }
}

/// Who an invoice is made out to, under its number.
fn invoice_block(doc: &mut ReceiptDoc, invoice: &Invoice) {
    doc.text(format!("INVOICE {}", invoice.number), Align::Left, Style::Bold);
    doc.text(&invoice.name, Align::Left, Style::Normal);
    for line in invoice.address.iter().flat_map(|a| a.split(',')) {
        doc.text(line.trim(), Align::Left, Style::Normal);
    }
    doc.pair("VAT number", &invoice.vat_number, Style::Normal);
    if let Some(days) = invoice.terms_days {
        doc.pair("Payment due", format!("in {days} days"), Style::Normal);
    }
}

/// The receipt of a gift card sold or a payment on account, with the
/// card's or account's balance after it as the till knew it.
pub fn credit_receipt(
    store: &StoreHeader,
    credit: &CreditSale,
    when: &str,
    balance: Money,
    stamp: &Stamp,
) -> ReceiptDoc {
    let mut doc = ReceiptDoc::default();
    doc.header(store);
    stamp.banner(&mut doc);
    let (title, whose, balance_label) = match &credit.credit {
        Credit::Account(customer) => ("PAYMENT ON ACCOUNT", format!("Customer {customer}"), "Still owed"),
        Credit::GiftCard(card) => ("GIFT CARD", format!("Card {}", masked_card(card)), "Card balance"),
    };
    doc.text(format!("{title} {}", credit.receipt_no), Align::Left, Style::Bold);
    doc.pair(when, format!("Cashier: {}", credit.by), Style::Normal);
    doc.rule();
    doc.text(whose, Align::Left, Style::Bold);
    doc.pair("AMOUNT", credit.amount, Style::Large);
    doc.rule();
    for payment in &credit.payments {
        let shown = if payment.kind == TenderKind::Cash { credit.cash_tendered } else { payment.amount };
        doc.pair(payment.kind.label(), shown, Style::Normal);
    }
    if !credit.change.is_zero() {
        doc.pair("Change", credit.change, Style::Bold);
    }
    doc.pair(balance_label, balance, Style::Bold);
    doc.text("No VAT: not a sale of goods", Align::Left, Style::Normal);
    doc.rule();
    stamp.footer(&mut doc, &credit.receipt_no);
    for line in &store.footer {
        doc.text(line, Align::Center, Style::Normal);
    }
    stamp.banner(&mut doc);
    doc
}

/// An X or Z report as printed for the manager.
pub fn session_report(store: &StoreHeader, report: &SessionReport, when: &str) -> ReceiptDoc {
    let mut doc = ReceiptDoc::default();
    doc.header(store);
    let title = match (report.kind, report.z_no) {
        (ReportKind::Z, Some(no)) => format!("Z REPORT #{no}"),
        (ReportKind::Z, None) => "Z REPORT".to_string(),
        (ReportKind::X, _) => "X REPORT (not closed)".to_string(),
    };
    doc.text(title, Align::Center, Style::Large);
    doc.pair(when, format!("Session {}", report.session_id), Style::Normal);
    doc.pair("Opened by", &report.opened_by, Style::Normal);
    doc.rule();
    doc.pair(format!("Sales ({})", report.sales_count), report.sales_total, Style::Normal);
    doc.pair("  of which discounts", report.discounts, Style::Normal);
    doc.pair(format!("Returns ({})", report.returns_count), minus(report.returns_total), Style::Normal);
    doc.pair("NET", report.net_total, Style::Bold);
    for band in &report.taxes {
        doc.pair(format!("Tax {} on {}", band.rate.label(), band.base), band.tax, Style::Normal);
    }
    doc.pair("Voided carts", report.voids_count, Style::Normal);
    doc.pair("No-sale openings", report.no_sales_count, Style::Normal);
    doc.rule();
    doc.pair("Opening float", report.float, Style::Normal);
    doc.pair("Cash in", report.cash_in, Style::Normal);
    doc.pair("Cash out", minus(report.cash_out), Style::Normal);
    if !report.credit_sold.is_zero() {
        doc.pair("Gift cards, payments on account", report.credit_sold, Style::Normal);
    }
    for tender in &report.tenders {
        let name = tender.kind.label();
        doc.pair(format!("{name} sales"), tender.sales, Style::Normal);
        if !tender.refunds.is_zero() {
            doc.pair(format!("{name} refunds"), minus(tender.refunds), Style::Normal);
        }
        doc.pair(format!("{name} expected"), tender.expected, Style::Bold);
        if let (Some(counted), Some(variance)) = (tender.counted, tender.variance) {
            doc.pair(format!("{name} counted"), counted, Style::Normal);
            doc.pair(format!("{name} variance"), variance, Style::Bold);
        }
    }
    if let Some(reason) = &report.not_counted {
        doc.text(format!("NOT COUNTED: {reason}"), Align::Left, Style::Bold);
    }
    if let Some(said) = &report.card_terminal {
        doc.text(format!("Card terminal: {said}"), Align::Left, Style::Normal);
    }
    doc.rule();
    if let (Some(first), Some(last)) = (report.first_seq, report.last_seq) {
        doc.pair("Journal", format!("{first}..{last}"), Style::Normal);
    }
    if let Some(hash) = report.last_hash {
        doc.text(format!("Last hash {}", &hash.to_hex()[..16]), Align::Left, Style::Normal);
    }
    doc.pair("Grand total", report.grand_total, Style::Bold);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_table() {
        assert_eq!(wrap("Crème fraîche épaisse 20cl", 12), ["Crème", "fraîche", "épaisse 20cl"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("  2 x 1.50 each one", 10), ["  2 x 1.50", "  each one"]);
    }

    #[test]
    fn pairs_align_right_and_count_characters_not_bytes() {
        let lines = pair_lines("Café moulu", "3.49", 20);
        assert_eq!(lines, ["Café moulu      3.49"]);
        let lines = pair_lines("Fromage de chèvre affiné", "12.90", 20);
        assert_eq!(lines[0].chars().count(), 20);
        assert!(lines[0].ends_with("12.90"));
        assert_eq!(lines.len(), 2);
    }
}
