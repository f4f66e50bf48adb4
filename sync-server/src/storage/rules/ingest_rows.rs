//! The rows of a push's plain entries (sales and returns that collect no
//! order, and the goods movements, counts and till events that touch no
//! document), written a few statements per push instead of several per
//! entry: most of what tills send is plain sales, and round trips to the
//! database are what ingest spends its time on.

use std::collections::HashMap;

use pos_shared::journal::{CanonicalEntry, Event, Hash32, SaleKind};
use pos_shared::money::Money;
use pos_shared::tender::TenderKind;

use crate::storage::sql::{Param, Row, Tx, Value};
use crate::storage::{StoreResult, TerminalAuth};

/// Rows per multi-row `INSERT` (well under both databases' limits on
/// parameters).
const ROWS_PER_STATEMENT: usize = 400;

/// Products looked up for their cost per statement.
const SKUS_PER_LOOKUP: usize = 100;

/// Whether an entry's effects are rows only: nothing it records reads
/// what an earlier entry of the same push wrote, so its rows may wait.
pub(super) fn plain(event: &Event) -> bool {
    match event {
        Event::Sale(sale) => sale.order.is_none() || sale.kind == SaleKind::Return,
        Event::StockReceived { purchase_order: Some(_), .. }
        | Event::TransferShipped { .. }
        | Event::PinLockedOut { .. }
        | Event::ZReport(_) => false,
        _ => true,
    }
}

/// Rows waiting to be written, for consecutive entries of one terminal.
#[derive(Default)]
pub(super) struct PlainRows {
    journal: Vec<Vec<Value>>,
    sales: Vec<Vec<Value>>,
    lines: Vec<Vec<Value>>,
    /// Movements without their cost, which is read when they are written.
    movements: Vec<Vec<Value>>,
}

impl PlainRows {
    /// Keeps the rows of a plain entry (see [`plain`]).
    pub(super) fn add(
        &mut self,
        auth: &TerminalAuth,
        inclusive: bool,
        entry: &CanonicalEntry,
        bytes: &[u8],
        hash: &Hash32,
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
            }
        }
        for m in entry.event.stock_movements().into_iter().flatten() {
            self.movements.push(vec![
                Value::Int(auth.store_id),
                terminal.clone(),
                seq_value.clone(),
                Value::Text(m.sku.clone()),
                Value::Int(m.qty_milli),
                Value::Text(m.reason.as_str().to_string()),
            ]);
        }
    }

    /// Writes what waits (sales and returns queued for their roll-up, each
    /// movement valued at its product's average cost now) and empties.
    pub(super) fn write(&mut self, tx: &impl Tx) -> StoreResult<()> {
        if self.journal.is_empty() {
            return Ok(());
        }
        // Ids from the insert itself: reading the journal back would make
        // every push read what the others write.
        let journal = insert(tx, "journal (terminal_id, seq, kind, at_ms, payload, hash)", &self.journal, "id, kind")?;
        let mut to_roll_up = Vec::with_capacity(journal.len());
        for row in journal {
            if matches!(row.get::<String>(1)?.as_str(), "sale" | "return") {
                to_roll_up.push(vec![Value::Int(row.get(0)?)]);
            }
        }
        if !to_roll_up.is_empty() {
            insert(tx, "rollup_pending (journal_id)", &to_roll_up, "")?;
        }
        insert(
            tx,
            "sales (receipt_no, terminal_id, store_id, seq, kind, at_ms, cashier, total_minor, tax_minor, \
             discount_minor, customer, order_no, prepaid_minor)",
            &self.sales,
            "",
        )?;
        insert(tx, "sale_lines (receipt_no, line_no, sku, qty_milli, net_minor, gross_minor)", &self.lines, "")?;
        let costs = average_costs(tx, &self.movements)?;
        for movement in &mut self.movements {
            let sku = match &movement[3] {
                Value::Text(sku) => sku.to_ascii_uppercase(),
                _ => String::new(),
            };
            movement.push(costs.get(&sku).cloned().unwrap_or(Value::Null));
        }
        let movements = "stock_movements (store_id, terminal_id, seq, sku, qty_milli, reason, cost_minor)";
        insert(tx, movements, &self.movements, "")?;
        *self = PlainRows::default();
        Ok(())
    }
}

/// Each moved product's average cost (by upper-case SKU), where it has one.
fn average_costs(tx: &impl Tx, movements: &[Vec<Value>]) -> StoreResult<HashMap<String, Value>> {
    let mut skus: Vec<&Value> = movements.iter().map(|m| &m[3]).collect();
    skus.sort_by_key(|v| match v {
        Value::Text(t) => t.to_ascii_uppercase(),
        _ => String::new(),
    });
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
