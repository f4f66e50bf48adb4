//! Head office's purchasing verbs: `supplier add` and `po create|show|list`.

use anyhow::{Result, anyhow};
use clap::Subcommand;
use pos_shared::money::Money;
use pos_shared::protocol::WirePurchaseOrder;
use pos_sync_server::storage::sqlite::{PoLineRequest, SqliteStore};

use crate::emit;

#[derive(Subcommand)]
pub enum SupplierCommand {
    Add {
        #[arg(long)]
        name: String,
        /// Days from order to delivery.
        #[arg(long, default_value_t = 2)]
        lead_days: u32,
    },
}

#[derive(Subcommand)]
pub enum PoCommand {
    /// Order goods from a supplier for a store; its tills receive against it.
    Create {
        #[arg(long)]
        supplier: String,
        #[arg(long)]
        store: String,
        /// SKU=QTY@COST, repeatable.
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
    },
    /// One purchase order: ordered against received, line by line.
    Show { number: String },
    List {
        #[arg(long)]
        store: Option<String>,
    },
}

fn parse_line(text: &str) -> Result<PoLineRequest> {
    let bad = || anyhow!("line `{text}` must look like SKU=QTY@COST, e.g. BAK0004=20@0.50");
    let (code, rest) = text.split_once('=').ok_or_else(bad)?;
    let (qty, cost) = rest.split_once('@').ok_or_else(bad)?;
    let cost: Money = cost.trim().parse().map_err(|e| anyhow!("line `{text}`: {e}"))?;
    Ok(PoLineRequest { code: code.trim().to_string(), qty: qty.trim().to_string(), cost })
}

fn po_text(po: &WirePurchaseOrder) -> String {
    let mut out = format!("{} {} from {} for {}\n", po.number, po.status, po.supplier, po.store);
    for l in &po.lines {
        out.push_str(&format!("  {}\t{}\tordered {}\treceived {}\t@ {}\n", l.sku, l.name, l.qty, l.received, l.cost));
    }
    out
}

pub fn run_supplier(store: &SqliteStore, json: bool, command: SupplierCommand) -> Result<()> {
    let SupplierCommand::Add { name, lead_days } = command;
    store.add_supplier(&name, lead_days)?;
    emit(json, &serde_json::json!({ "supplier": name, "lead_days": lead_days }), |_| {
        format!("Supplier {name} added ({lead_days} days to deliver)\n")
    })
}

pub fn run_po(store: &SqliteStore, json: bool, command: PoCommand) -> Result<()> {
    match command {
        PoCommand::Create { supplier, store: s, lines } => {
            let lines = lines.iter().map(|l| parse_line(l)).collect::<Result<Vec<_>>>()?;
            emit(json, &store.create_purchase_order(&supplier, &s, &lines)?, po_text)
        }
        PoCommand::Show { number } => emit(json, &store.purchase_order(&number)?, po_text),
        PoCommand::List { store: s } => {
            let orders = store.purchase_orders(s.as_deref())?;
            emit(json, &orders, |orders| orders.iter().map(po_text).collect())
        }
    }
}
