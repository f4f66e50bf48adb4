//! A product's stock ledger: every movement of it at a store (sale,
//! return, delivery, transfer, count, write-off) with the entry and the
//! document it came from, and the on-hand after each, so a figure on a
//! page adds up from the movements behind it.

use pos_shared::journal::{CanonicalEntry, Event};
use pos_shared::stock::milli_to_decimal;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::storage::StoreResult;
use crate::storage::sql::Tx;

/// Movements a ledger page shows at most (the newest); the on-hand after
/// each still counts every older one.
pub const LEDGER_ROWS: u32 = 500;

/// One movement, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    pub at_ms: Option<i64>,
    pub reason: String,
    pub quantity: Decimal,
    /// On-hand at the store once this movement is counted.
    pub on_hand_after: Decimal,
    pub terminal: String,
    pub seq: u64,
    /// The receipt, purchase order or transfer it came from, where there is one.
    pub document: Option<String>,
}

/// A product's ledger at one store: the on-hand and its newest movements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ledger {
    pub on_hand: Decimal,
    pub movements: u64,
    pub rows: Vec<LedgerRow>,
}

/// The document an entry came from, read from the entry itself when the
/// tables do not name one (a delivery against a purchase order, a transfer).
fn document_of(receipt: Option<String>, payload: Option<&[u8]>) -> Option<String> {
    receipt.or_else(|| match CanonicalEntry::from_bytes(payload?).ok()?.event {
        Event::StockReceived { purchase_order: Some(number), .. } => Some(number),
        Event::StockReceived { reference, .. } if !reference.is_empty() => Some(reference),
        Event::TransferShipped { transfer, .. } => Some(transfer),
        _ => None,
    })
}

/// The ledger of `sku` at store `store_id`.
pub fn ledger(tx: &impl Tx, store_id: i64, sku: &str) -> StoreResult<Ledger> {
    let totals = tx.one_row(
        "SELECT CAST(COALESCE(SUM(qty_milli), 0) AS BIGINT), COUNT(*) FROM stock_movements
         WHERE store_id = ?1 AND sku = ?2",
        &[&store_id, &sku],
    )?;
    let on_hand: i64 = totals.get(0)?;
    let rows = tx.rows(
        "SELECT m.reason, m.qty_milli, m.terminal_id, m.seq, j.at_ms, s.receipt_no,
           CASE WHEN s.receipt_no IS NULL THEN j.payload END
         FROM stock_movements m
           LEFT JOIN journal j ON j.terminal_id = m.terminal_id AND j.seq = m.seq
           LEFT JOIN sales s ON s.terminal_id = m.terminal_id AND s.seq = m.seq
         WHERE m.store_id = ?1 AND m.sku = ?2 ORDER BY m.id DESC LIMIT ?3",
        &[&store_id, &sku, &LEDGER_ROWS],
    )?;
    let mut after = on_hand;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let milli: i64 = r.get(1)?;
        let payload: Option<Vec<u8>> = r.get(6)?;
        out.push(LedgerRow {
            at_ms: r.get(4)?,
            reason: r.get(0)?,
            quantity: milli_to_decimal(milli),
            on_hand_after: milli_to_decimal(after),
            terminal: r.get(2)?,
            seq: r.get(3)?,
            document: document_of(r.get(5)?, payload.as_deref()),
        });
        after -= milli;
    }
    Ok(Ledger { on_hand: milli_to_decimal(on_hand), movements: totals.get(1)?, rows: out })
}
