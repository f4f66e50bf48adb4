//! The rows pushed entries leave (the journal, sales and their lines, the
//! roll-up queue, stock movements), gathered and written a few multi-row
//! statements at a time instead of several per entry: most of what tills
//! send is plain sales, and round trips to the database are what ingest
//! spends its time on.

use std::collections::HashMap;

use pos_shared::journal::{CanonicalEntry, Event, Hash32, SaleKind};
use pos_shared::money::Money;
use pos_shared::stock::StockMovement;
use pos_shared::tender::TenderKind;

use crate::storage::sql::{Param, Row, Tx, Value};
use crate::storage::{StoreResult, TerminalAuth};

/// Rows per multi-row `INSERT` (well under both databases' limits on
/// parameters).
const ROWS_PER_STATEMENT: usize = 400;

/// Products looked up for their cost per statement.
const SKUS_PER_LOOKUP: usize = 100;

/// Rows waiting to be written, for consecutive entries of one terminal.
#[derive(Default)]
pub(super) struct EntryRows {
    journal: Vec<Vec<Value>>,
    sales: Vec<Vec<Value>>,
    lines: Vec<Vec<Value>>,
    /// Each promotion's part of a sold line.
    promotions: Vec<Vec<Value>>,
    /// Movements; a NULL cost is the product's average cost when written.
    movements: Vec<Vec<Value>>,
}

impl EntryRows {
    /// Keeps an entry's journal row and, for a sale or return, its sale
    /// and line rows (its movements come with [`EntryRows::add_movements`]).
    pub(super) fn add(
        &mut self,
        auth: &TerminalAuth,
        inclusive: bool,
        entry: &CanonicalEntry,
        bytes: &[u8],
        hash: &Hash32,
        signature: Option<Vec<u8>>,
    ) {
        let seq = entry.seq.0;
        let terminal = Value::Text(auth.terminal_id.clone());
        let seq_value = seq.value();
        self.journal.push(vec![
            terminal.clone(),
            seq_value.clone(),
            Value::Text(entry.event.kind_name().to_string()),
            Value::Int(entry.at_ms),
            Value::Bytes(bytes.to_vec()),
            Value::Bytes(hash.0.to_vec()),
            signature.map_or(Value::Null, Value::Bytes),
        ]);
        if let Event::Sale(sale) = &entry.event {
            let receipt = Value::Text(sale.receipt_no.to_string());
            let prepaid = sale.payments.iter().filter(|p| p.kind == TenderKind::Prepaid).map(|p| p.amount);
            self.sales.push(vec![
                receipt.clone(),
                terminal.clone(),
                Value::Int(auth.store_id),
                seq_value.clone(),
                Value::Text(sale.kind.as_str().to_string()),
                Value::Int(entry.at_ms),
                Value::Text(sale.cashier.clone()),
                Value::Int(sale.total.minor()),
                Value::Int(sale.tax.minor()),
                Value::Int(sale.discount.minor()),
                sale.customer.value(),
                sale.order.value(),
                Value::Int(prepaid.sum::<Money>().minor()),
            ]);
            let sign = if sale.kind == SaleKind::Return { -1 } else { 1 };
            for line in &sale.lines {
                let (net, gross) =
                    if inclusive { (line.net - line.tax, line.net) } else { (line.net, line.net + line.tax) };
                self.lines.push(vec![
                    receipt.clone(),
                    line.line_no.value(),
                    Value::Text(line.sku.clone()),
                    Value::Int(sign * line.qty.milli()),
                    Value::Int(sign * net.minor()),
                    Value::Int(sign * gross.minor()),
                ]);
                for promotion in &line.promotions {
                    self.promotions.push(vec![
                        receipt.clone(),
                        line.line_no.value(),
                        Value::Text(promotion.code.clone()),
                        Value::Int(sign * promotion.amount.minor()),
                    ]);
                }
            }
        }
    }

    /// Keeps an entry's movements, each valued at the unit cost `costs`
    /// fixes for its product (a purchase order's or transfer's price, by
    /// upper-case SKU) or else at the product's average cost when written:
    /// what the books value it at, for good.
    pub(super) fn add_movements(
        &mut self,
        auth: &TerminalAuth,
        seq: u64,
        movements: &[StockMovement],
        costs: &HashMap<String, i64>,
    ) {
        for m in movements {
            self.movements.push(vec![
                Value::Int(auth.store_id),
                Value::Text(auth.terminal_id.clone()),
                seq.value(),
                Value::Text(m.sku.clone()),
                Value::Int(m.qty_milli),
                Value::Text(m.reason.as_str().to_string()),
                costs.get(&m.sku.to_ascii_uppercase()).copied().value(),
            ]);
        }
    }

    /// Writes what waits (sales and returns queued for their roll-up,
    /// movements without a cost of their own valued at their product's
    /// average cost now) and empties.
    pub(super) fn write(&mut self, tx: &impl Tx) -> StoreResult<()> {
        // Ids from the insert itself: reading the journal back would make
        // every push read what the others write.
        let journal =
            insert(tx, "journal (terminal_id, seq, kind, at_ms, payload, hash, signature)", &self.journal, "id, kind")?;
        let mut to_roll_up = Vec::with_capacity(journal.len());
        for row in journal {
            if matches!(row.get::<String>(1)?.as_str(), "sale" | "return") {
                to_roll_up.push(vec![Value::Int(row.get(0)?)]);
            }
        }
        insert(tx, "rollup_pending (journal_id)", &to_roll_up, "")?;
        insert(
            tx,
            "sales (receipt_no, terminal_id, store_id, seq, kind, at_ms, cashier, total_minor, tax_minor, \
             discount_minor, customer, order_no, prepaid_minor)",
            &self.sales,
            "",
        )?;
        insert(tx, "sale_lines (receipt_no, line_no, sku, qty_milli, net_minor, gross_minor)", &self.lines, "")?;
        insert(tx, "promotion_lines (receipt_no, line_no, code, discount_minor)", &self.promotions, "")?;
        let costs = average_costs(tx, &self.movements)?;
        for movement in self.movements.iter_mut().filter(|m| m[COST] == Value::Null) {
            movement[COST] = costs.get(&upper(&movement[SKU])).cloned().unwrap_or(Value::Null);
        }
        let movements = "stock_movements (store_id, terminal_id, seq, sku, qty_milli, reason, cost_minor)";
        insert(tx, movements, &self.movements, "")?;
        *self = EntryRows::default();
        Ok(())
    }
}

/// A movement row's SKU and cost columns.
const SKU: usize = 3;
const COST: usize = 6;

/// A SKU as costs are keyed: upper case.
fn upper(sku: &Value) -> String {
    match sku {
        Value::Text(sku) => sku.to_ascii_uppercase(),
        _ => String::new(),
    }
}

/// The average cost (by upper-case SKU) of each product moved without a
/// cost of its own, where it has one.
fn average_costs(tx: &impl Tx, movements: &[Vec<Value>]) -> StoreResult<HashMap<String, Value>> {
    let mut skus: Vec<&Value> = movements.iter().filter(|m| m[COST] == Value::Null).map(|m| &m[SKU]).collect();
    skus.sort_by_key(|sku| upper(sku));
    skus.dedup();
    let mut costs = HashMap::new();
    // One shape of statement whatever the count (padded with NULL, which
    // matches nothing): prepared once per connection, not once per push.
    let marks: Vec<String> = (1..=SKUS_PER_LOOKUP).map(|i| format!("?{i}")).collect();
    let sql =
        format!("SELECT sku, cost_minor FROM products WHERE cost_minor IS NOT NULL AND sku IN ({})", marks.join(", "));
    for chunk in skus.chunks(SKUS_PER_LOOKUP) {
        let mut params: Vec<&dyn Param> = chunk.iter().map(|v| *v as &dyn Param).collect();
        params.resize(SKUS_PER_LOOKUP, &Value::Null);
        for row in tx.rows(&sql, &params)? {
            costs.insert(row.get::<String>(0)?.to_ascii_uppercase(), Value::Int(row.get(1)?));
        }
    }
    Ok(costs)
}

/// `INSERT INTO table_and_columns VALUES (...), (...)`, a few hundred rows
/// a statement; the `returning` columns of every row (none when empty).
fn insert(tx: &impl Tx, table_and_columns: &str, rows: &[Vec<Value>], returning: &str) -> StoreResult<Vec<Row>> {
    let mut out = Vec::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let width = chunk[0].len();
        let tuples: Vec<String> = (0..chunk.len())
            .map(|r| {
                let marks: Vec<String> = (1..=width).map(|c| format!("?{}", r * width + c)).collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let params: Vec<&dyn Param> = chunk.iter().flatten().map(|v| v as &dyn Param).collect();
        let sql = format!("INSERT INTO {table_and_columns} VALUES {}", tuples.join(", "));
        match returning {
            "" => drop(tx.run(&sql, &params)?),
            columns => out.extend(tx.rows(&format!("{sql} RETURNING {columns}"), &params)?),
        }
    }
    Ok(out)
}
