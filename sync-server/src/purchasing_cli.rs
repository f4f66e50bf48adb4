//! Head office's purchasing verbs: `supplier add|assign`, `reorder set` and
//! `po create|show|list|draft-from-reorder|send`, `transfer create`.

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use pos_shared::money::Money;
use pos_shared::protocol::WirePurchaseOrder;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::rules::purchasing::PoLineRequest;
use pos_sync_server::storage::rules::reorder::ReorderPolicy;
use pos_sync_server::storage::sql::Database;
use rust_decimal::Decimal;

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
    /// Products bought from this supplier (SKUs or barcodes).
    Assign {
        name: String,
        #[arg(required = true)]
        codes: Vec<String>,
        /// The supplier sells them in packs of this many units: orders and
        /// reorder suggestions come in whole packs.
        #[arg(long)]
        pack: Option<Decimal>,
        /// What one pack costs.
        #[arg(long, requires = "pack")]
        pack_cost: Option<String>,
    },
}

/// How reorder suggestions are made.
#[derive(Args)]
pub struct PolicyArgs {
    /// Days of sales the velocity is measured over.
    #[arg(long, default_value_t = ReorderPolicy::default().window_days)]
    window: u32,
    /// Days of sales kept in reserve beyond the supplier's lead time.
    #[arg(long, default_value_t = ReorderPolicy::default().safety_days)]
    safety: u32,
    /// Days of sales an order should cover.
    #[arg(long, default_value_t = ReorderPolicy::default().cover_days)]
    cover: u32,
}

impl PolicyArgs {
    pub fn policy(&self) -> ReorderPolicy {
        ReorderPolicy { window_days: self.window, safety_days: self.safety, cover_days: self.cover }
    }
}

#[derive(Subcommand)]
pub enum TransferCommand {
    /// Move goods between stores: the sender's tills ship, the receiver's
    /// receive; `po show TR-...` shows what was shipped and received.
    Create {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// SKU=QTY, repeatable.
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum ReorderCommand {
    /// Set a store's reorder point and order-up-to level for a product by hand.
    Set {
        code: String,
        #[arg(long)]
        store: String,
        #[arg(long)]
        point: Decimal,
        #[arg(long)]
        up_to: Decimal,
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
    /// Draft purchase orders from today's reorder suggestions, one per store and supplier.
    DraftFromReorder {
        #[arg(long)]
        store: Option<String>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Send a draft to its store's tills.
    Send { number: String },
}

fn parse_line(text: &str) -> Result<PoLineRequest> {
    let bad = || anyhow!("line `{text}` must look like SKU=QTY@COST, e.g. BAK0004=20@0.50");
    let (code, rest) = text.split_once('=').ok_or_else(bad)?;
    let (qty, cost) = rest.split_once('@').ok_or_else(bad)?;
    let cost: Money = cost.trim().parse().map_err(|e| anyhow!("line `{text}`: {e}"))?;
    Ok(PoLineRequest { code: code.trim().to_string(), qty: qty.trim().to_string(), cost: Some(cost) })
}

fn po_text(po: &WirePurchaseOrder) -> String {
    let mut out = format!("{} {} from {} for {}\n", po.number, po.status, po.supplier, po.store);
    for l in &po.lines {
        let shipped = match po.from_store {
            Some(_) => format!("\tshipped {}", l.shipped),
            None => String::new(),
        };
        out.push_str(&format!(
            "  {}\t{}\tordered {}{shipped}\treceived {}\t@ {}\n",
            l.sku, l.name, l.qty, l.received, l.cost
        ));
    }
    out
}

pub fn run_supplier<D: Database>(store: &HeadOffice<D>, json: bool, command: SupplierCommand) -> Result<()> {
    match command {
        SupplierCommand::Add { name, lead_days } => {
            store.add_supplier(&name, lead_days)?;
            emit(json, &serde_json::json!({ "supplier": name, "lead_days": lead_days }), |_| {
                format!("Supplier {name} added ({lead_days} days to deliver)\n")
            })
        }
        SupplierCommand::Assign { name, codes, pack, pack_cost } => {
            let pack_cost: Option<Money> = pack_cost.map(|c| c.parse()).transpose()?;
            let skus = store.assign_supplier(&name, &codes, pack.map(|p| (p, pack_cost)))?;
            emit(json, &serde_json::json!({ "supplier": name, "skus": skus }), |_| {
                format!("{} product(s) bought from {name}\n", skus.len())
            })
        }
    }
}

pub fn run_transfer<D: Database>(store: &HeadOffice<D>, json: bool, command: TransferCommand) -> Result<()> {
    let TransferCommand::Create { from, to, lines } = command;
    let lines = lines
        .iter()
        .map(|text| {
            let (code, qty) = text.split_once('=').ok_or_else(|| anyhow!("line `{text}` must look like SKU=QTY"))?;
            Ok(PoLineRequest { code: code.trim().to_string(), qty: qty.trim().to_string(), cost: None })
        })
        .collect::<Result<Vec<_>>>()?;
    emit(json, &store.create_transfer(&from, &to, &lines)?, po_text)
}

pub fn run_reorder<D: Database>(store: &HeadOffice<D>, json: bool, command: ReorderCommand) -> Result<()> {
    let ReorderCommand::Set { code, store: s, point, up_to } = command;
    let sku = store.set_reorder_level(&s, &code, point, up_to)?;
    emit(json, &serde_json::json!({ "sku": sku, "store": s, "point": point, "up_to": up_to }), |_| {
        format!("{sku} at {s}: reorder at {point}, up to {up_to}\n")
    })
}

pub fn run_po<D: Database>(store: &HeadOffice<D>, json: bool, command: PoCommand) -> Result<()> {
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
        PoCommand::DraftFromReorder { store: s, policy } => {
            let drafts = store.draft_reorder(s.as_deref(), policy.policy())?;
            emit(json, &drafts, |drafts| match drafts.is_empty() {
                true => "Nothing to reorder\n".to_string(),
                false => drafts.iter().map(po_text).collect(),
            })
        }
        PoCommand::Send { number } => emit(json, &store.send_purchase_order(&number)?, po_text),
    }
}
