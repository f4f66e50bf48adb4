//! Mapping recorded facts between their journal form and their tables: a
//! sale or return written as rows, and read back exactly as it was recorded.

use pos_shared::ids::{ReceiptNo, Seq};
use pos_shared::journal::{CashDirection, Event, SaleKind, SaleLineRecord, SaleRecord};
use pos_shared::money::Money;
use pos_shared::pricing::{PromotionShare, TaxBand};
use pos_shared::quantity::Quantity;
use pos_shared::report::SessionReport;
use pos_shared::stock::{MovementReason, StockMovement};
use pos_shared::tender::Tender;
use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::Terminal;
use crate::error::CoreResult;

/// Writes a sale or return and its lines, taxes, payments and stock
/// movements, as part of the caller's transaction.
pub fn insert_sale(tx: &Transaction<'_>, record: &SaleRecord, seq: Seq, at_ms: i64) -> CoreResult<()> {
    let sale_id: i64 = tx
        .prepare_cached(
            "INSERT INTO sales (receipt_no, number, kind, seq, session_id, cashier, created_at_ms, subtotal_minor,
               discount_minor, tax_minor, total_minor, cash_tendered_minor, change_minor, cash_rounding_minor, original_receipt,
               customer, order_no, coupons, gift_cards, invoice, card_via)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
             RETURNING id",
        )?
        .query_row(
            params![
                record.receipt_no.to_string(),
                record.receipt_no.number(),
                record.kind.as_str(),
                seq.0,
                record.session_id,
                record.cashier,
                at_ms,
                record.subtotal.minor(),
                record.discount.minor(),
                record.tax.minor(),
                record.total.minor(),
                record.cash_tendered.minor(),
                record.change.minor(),
                record.cash_rounding.minor(),
                record.original_receipt.as_ref().map(ToString::to_string),
                record.customer,
                record.order,
                record.coupons.join("|"),
                (!record.gift_cards.is_empty()).then(|| json_text(&record.gift_cards)),
                record.invoice.as_ref().map(json_text),
                record.card_via.as_ref().map(json_text),
            ],
            |r| r.get(0),
        )?;
    let mut line_stmt = tx.prepare_cached(
        "INSERT INTO sale_lines (sale_id, line_no, sku, name, unit, qty_milli, unit_price_minor, tax_rate, gross_minor,
           line_discount_minor, sale_discount_minor, net_minor, tax_minor, original_line, price_list, manual_discount,
           pack_size_milli)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    let mut promotion_stmt = tx.prepare_cached(
        "INSERT INTO sale_line_promotions (sale_id, line_no, code, name, amount_minor, basket)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for l in &record.lines {
        line_stmt.execute(params![
            sale_id,
            l.line_no,
            l.sku,
            l.name,
            l.unit.as_str(),
            l.qty.milli(),
            l.unit_price.minor(),
            l.tax_rate.percent().to_string(),
            l.gross.minor(),
            l.line_discount.minor(),
            l.sale_discount.minor(),
            l.net.minor(),
            l.tax.minor(),
            l.original_line,
            l.price_list,
            l.discount.map(|d| d.to_string()),
            l.pack_size.map(Quantity::milli),
        ])?;
        for p in &l.promotions {
            promotion_stmt.execute(params![sale_id, l.line_no, p.code, p.name, p.amount.minor(), p.basket])?;
        }
    }
    let mut tax_stmt =
        tx.prepare_cached("INSERT INTO sale_taxes (sale_id, rate, base_minor, tax_minor) VALUES (?1, ?2, ?3, ?4)")?;
    for band in &record.taxes {
        tax_stmt.execute(params![sale_id, band.rate.percent().to_string(), band.base.minor(), band.tax.minor()])?;
    }
    let mut pay_stmt =
        tx.prepare_cached("INSERT INTO payments (sale_id, idx, tender, amount_minor) VALUES (?1, ?2, ?3, ?4)")?;
    for (idx, payment) in record.payments.iter().enumerate() {
        pay_stmt.execute(params![sale_id, idx, payment.kind.as_str(), payment.amount.minor()])?;
    }
    insert_movements(tx, seq, &record.movements)
}

/// Appends the stock movements journal entry `seq` caused.
pub(crate) fn insert_movements(tx: &Transaction<'_>, seq: Seq, movements: &[StockMovement]) -> CoreResult<()> {
    let mut stmt =
        tx.prepare_cached("INSERT INTO stock_movements (seq, sku, qty_milli, reason) VALUES (?1, ?2, ?3, ?4)")?;
    for m in movements {
        stmt.execute(params![seq.0, m.sku, m.qty_milli, m.reason.as_str()])?;
    }
    Ok(())
}

fn bad_value(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

pub(crate) fn parse_column<T: std::str::FromStr>(row: &Row<'_>, column: usize) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.get(column)?;
    text.parse().map_err(|e: T::Err| bad_value(column, e.to_string()))
}

pub(crate) fn money(row: &Row<'_>, column: usize) -> rusqlite::Result<Money> {
    Ok(Money::from_minor(row.get(column)?))
}

fn line_from_row(row: &Row<'_>) -> rusqlite::Result<SaleLineRecord> {
    Ok(SaleLineRecord {
        line_no: row.get(0)?,
        sku: row.get(1)?,
        name: row.get(2)?,
        unit: parse_column(row, 3)?,
        qty: Quantity::from_milli(row.get(4)?),
        unit_price: money(row, 5)?,
        tax_rate: parse_column(row, 6)?,
        gross: money(row, 7)?,
        line_discount: money(row, 8)?,
        sale_discount: money(row, 9)?,
        net: money(row, 10)?,
        tax: money(row, 11)?,
        original_line: row.get(12)?,
        price_list: row.get(13)?,
        promotions: Vec::new(),
        discount: row
            .get::<_, Option<String>>(14)?
            .map(|d| d.parse().map_err(|e: pos_shared::pricing::PricingError| bad_value(14, e.to_string())))
            .transpose()?,
        pack_size: row.get::<_, Option<i64>>(15)?.map(Quantity::from_milli),
    })
}

/// What a column holding JSON holds.
pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise")
}

/// A nullable JSON column read back.
fn from_json<T: serde::de::DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<T>> {
    row.get::<_, Option<String>>(index)?
        .map(|text| serde_json::from_str(&text).map_err(|e| bad_value(index, e.to_string())))
        .transpose()
}

impl Terminal {
    /// The sale or return recorded at journal `seq`, with its time.
    pub(crate) fn sale_record_at(&self, seq: Seq) -> CoreResult<Option<(SaleRecord, i64)>> {
        self.load_sale("seq = ?1", seq.0.to_string())
    }

    /// A sale or return by its receipt number, with its time.
    pub fn sale_record(&self, receipt: &ReceiptNo) -> CoreResult<Option<(SaleRecord, i64)>> {
        self.load_sale("receipt_no = ?1", receipt.to_string())
    }

    fn load_sale(&self, condition: &str, key: String) -> CoreResult<Option<(SaleRecord, i64)>> {
        let sql = format!(
            "SELECT id, receipt_no, kind, session_id, cashier, created_at_ms, subtotal_minor, discount_minor, tax_minor,
               total_minor, cash_tendered_minor, change_minor, cash_rounding_minor, original_receipt, seq, customer, order_no,
               coupons, gift_cards, invoice, card_via
             FROM sales WHERE {condition}"
        );
        let head = self
            .conn
            .prepare_cached(&sql)?
            .query_row([key], |row| {
                let kind: String = row.get(2)?;
                let original: Option<String> = row.get(13)?;
                let original =
                    original.map(|o| o.parse::<ReceiptNo>().map_err(|e| bad_value(13, e.to_string()))).transpose()?;
                let record = SaleRecord {
                    receipt_no: parse_column(row, 1)?,
                    kind: if kind == "return" { SaleKind::Return } else { SaleKind::Sale },
                    session_id: row.get(3)?,
                    cashier: row.get(4)?,
                    lines: Vec::new(),
                    subtotal: money(row, 6)?,
                    discount: money(row, 7)?,
                    taxes: Vec::new(),
                    tax: money(row, 8)?,
                    total: money(row, 9)?,
                    payments: Vec::new(),
                    cash_tendered: money(row, 10)?,
                    change: money(row, 11)?,
                    cash_rounding: money(row, 12)?,
                    original_receipt: original,
                    movements: Vec::new(),
                    customer: row.get(15)?,
                    order: row.get(16)?,
                    coupons: row
                        .get::<_, String>(17)?
                        .split('|')
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect(),
                    gift_cards: from_json(row, 18)?.unwrap_or_default(),
                    invoice: from_json(row, 19)?,
                    card_via: from_json(row, 20)?,
                };
                Ok((row.get::<_, i64>(0)?, record, row.get::<_, i64>(5)?, row.get::<_, u64>(14)?))
            })
            .optional()?;
        let Some((sale_id, mut record, at_ms, seq)) = head else {
            return Ok(None);
        };
        record.lines = self
            .conn
            .prepare_cached(
                "SELECT line_no, sku, name, unit, qty_milli, unit_price_minor, tax_rate, gross_minor, line_discount_minor,
                   sale_discount_minor, net_minor, tax_minor, original_line, price_list, manual_discount,
                   pack_size_milli
                 FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no",
            )?
            .query_map([sale_id], line_from_row)?
            .collect::<Result<_, _>>()?;
        let mut promotions = self.conn.prepare_cached(
            "SELECT line_no, code, name, amount_minor, basket FROM sale_line_promotions WHERE sale_id = ?1 ORDER BY line_no, code",
        )?;
        let mut rows = promotions.query([sale_id])?;
        while let Some(row) = rows.next()? {
            let line_no: u32 = row.get(0)?;
            let share =
                PromotionShare { code: row.get(1)?, name: row.get(2)?, amount: money(row, 3)?, basket: row.get(4)? };
            if let Some(line) = record.lines.iter_mut().find(|l| l.line_no == line_no) {
                line.promotions.push(share);
            }
        }
        record.taxes = self
            .conn
            .prepare_cached("SELECT rate, base_minor, tax_minor FROM sale_taxes WHERE sale_id = ?1")?
            .query_map([sale_id], |row| {
                Ok(TaxBand { rate: parse_column(row, 0)?, base: money(row, 1)?, tax: money(row, 2)? })
            })?
            .collect::<Result<_, _>>()?;
        record.taxes.sort_by_key(|band| band.rate);
        record.payments = self
            .conn
            .prepare_cached("SELECT tender, amount_minor FROM payments WHERE sale_id = ?1 ORDER BY idx")?
            .query_map([sale_id], |row| Ok(Tender { kind: parse_column(row, 0)?, amount: money(row, 1)? }))?
            .collect::<Result<_, _>>()?;
        record.movements = self.movements_at(Seq(seq))?;
        Ok(Some((record, at_ms)))
    }

    /// The stock movements journal entry `seq` caused, in order.
    pub(crate) fn movements_at(&self, seq: Seq) -> CoreResult<Vec<StockMovement>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT sku, qty_milli, reason FROM stock_movements WHERE seq = ?1 ORDER BY id")?;
        let rows = stmt.query_map([seq.0], |row| {
            let reason: String = row.get(2)?;
            Ok(StockMovement {
                sku: row.get(0)?,
                qty_milli: row.get(1)?,
                reason: MovementReason::parse(&reason).ok_or_else(|| bad_value(2, reason.clone()))?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The cash move recorded at `seq`, as the event that recorded it.
    pub(crate) fn cash_move_at(&self, seq: Seq) -> CoreResult<Option<Event>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT session_id, direction, amount_minor, reason, by_user FROM cash_moves WHERE seq = ?1",
        )?;
        let event = stmt
            .query_row([seq.0], |r| {
                let direction: String = r.get(1)?;
                Ok(Event::CashMoved {
                    session_id: r.get(0)?,
                    by: r.get(4)?,
                    direction: if direction == "in" { CashDirection::In } else { CashDirection::Out },
                    amount: money(r, 2)?,
                    reason: r.get(3)?,
                })
            })
            .optional()?;
        Ok(event)
    }

    /// The Z report stored for journal `seq`.
    pub(crate) fn z_report_at(&self, seq: Seq) -> CoreResult<Option<Box<SessionReport>>> {
        let payload: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT payload FROM z_reports WHERE seq = ?1")?
            .query_row([seq.0], |r| r.get(0))
            .optional()?;
        Ok(payload.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }
}
