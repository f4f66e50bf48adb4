//! Generated journals: chained sale entries as a terminal pushes them,
//! for the benchmarks that load head office.

use pos_shared::ids::{ReceiptNo, Seq, TerminalId};
use pos_shared::journal::{Event, Hash32, SaleKind, SaleLineRecord, SaleRecord, canonical_bytes, chain_hash};
use pos_shared::money::Money;
use pos_shared::pricing::TaxBand;
use pos_shared::protocol::WireEntry;
use pos_shared::quantity::{Quantity, Unit};
use pos_shared::stock::{MovementReason, StockMovement};
use pos_shared::tender::{Tender, TenderKind};
use serde_json::value::RawValue;

/// Lines in each generated sale.
pub const LINES: u64 = 5;

/// A five-line sale as a terminal would journal it.
fn sale(terminal: &TerminalId, n: u64, products: u64) -> SaleRecord {
    let lines: Vec<SaleLineRecord> = (0..LINES)
        .map(|i| SaleLineRecord {
            line_no: i as u32 + 1,
            sku: format!("G{:07}", (n * 7 + i * 13) % products),
            name: "Generated product".into(),
            unit: Unit::Each,
            qty: Quantity::ONE,
            unit_price: Money::from_minor(199),
            tax_rate: "5.5".parse().unwrap(),
            gross: Money::from_minor(199),
            line_discount: Money::ZERO,
            sale_discount: Money::ZERO,
            net: Money::from_minor(199),
            tax: Money::from_minor(10),
            original_line: None,
            price_list: None,
            promotions: Vec::new(),
            discount: None,
            pack_size: None,
        })
        .collect();
    let movements = lines.iter().map(|l| StockMovement::outgoing(&l.sku, l.qty, MovementReason::Sale)).collect();
    SaleRecord {
        receipt_no: ReceiptNo::new(terminal.clone(), n),
        kind: SaleKind::Sale,
        session_id: 1,
        cashier: "Camille".into(),
        lines,
        subtotal: Money::from_minor(995),
        discount: Money::ZERO,
        taxes: vec![TaxBand { rate: "5.5".parse().unwrap(), base: Money::from_minor(945), tax: Money::from_minor(50) }],
        tax: Money::from_minor(50),
        total: Money::from_minor(995),
        payments: vec![Tender { kind: TenderKind::Card, amount: Money::from_minor(995) }],
        cash_tendered: Money::ZERO,
        change: Money::ZERO,
        cash_rounding: Money::ZERO,
        original_receipt: None,
        movements,
        customer: None,
        order: None,
        coupons: Vec::new(),
        gift_cards: Vec::new(),
        invoice: None,
        card_via: None,
    }
}

/// Chained journal entries of sales `1..=count`, as a terminal pushes
/// them, each of five lines over products `G0000000..products`.
pub fn sale_journal(terminal: TerminalId, count: u64, products: u64) -> impl Iterator<Item = (WireEntry, SaleRecord)> {
    let mut prev = Hash32::GENESIS;
    (1..=count).map(move |seq| {
        let record = sale(&terminal, seq, products);
        let event = Event::Sale(Box::new(record.clone()));
        let bytes = canonical_bytes(&terminal, Seq(seq), 1_780_000_000_000 + seq as i64, &event);
        let hash = chain_hash(&prev, &bytes);
        let entry = WireEntry {
            seq,
            payload: RawValue::from_string(String::from_utf8(bytes).unwrap()).unwrap(),
            prev_hash: prev,
            hash,
            signature: None,
        };
        prev = hash;
        (entry, record)
    })
}
