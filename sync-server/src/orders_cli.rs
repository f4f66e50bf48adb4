//! Head office's order verbs: `order create|show|list|confirm|change|cancel`,
//! `channel key` and `atp`, over the same storage the channel API uses.

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use pos_shared::orders::{Fulfilment, OrderStatus, ShortPolicy};
use pos_shared::protocol::{Availability, CustomerRef, LineRequest, LinesChange, OrderAction, OrderRequest, WireOrder};
use pos_sync_server::storage::OrderDesk;
use pos_sync_server::storage::Scope;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::sql::Database;

use crate::emit;

#[derive(Subcommand)]
pub enum OrderCommand {
    /// Take a quote or an order from a channel (phone, online, sales, or a named one).
    Create(CreateArgs),
    /// One order, its lines and its history.
    Show { number: String },
    /// Orders, newest first.
    List {
        #[arg(long)]
        store: Option<String>,
        #[arg(long)]
        status: Option<String>,
    },
    /// Turn a quote into an order, or reserve what has come in for a backorder.
    Confirm {
        number: String,
        #[command(flatten)]
        act: ActArgs,
    },
    /// New quantities for lines (SKU=QTY; 0 removes a line, a new SKU adds one).
    Change {
        number: String,
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Release the order's reservations; the counter refuses it after its next sync.
    Cancel {
        number: String,
        #[command(flatten)]
        act: ActArgs,
    },
}

#[derive(Args)]
pub struct ActArgs {
    /// Reserve what is available and backorder the rest instead of refusing.
    #[arg(long)]
    backorder: bool,
    /// Who acts, for the order's history.
    #[arg(long, default_value = "head office")]
    by: String,
}

impl ActArgs {
    fn action(&self) -> OrderAction {
        OrderAction { on_short: self.policy(), by: Some(self.by.clone()) }
    }

    fn policy(&self) -> ShortPolicy {
        if self.backorder { ShortPolicy::Backorder } else { ShortPolicy::Refuse }
    }
}

#[derive(Args)]
pub struct CreateArgs {
    #[arg(long)]
    channel: String,
    /// The fulfilment store.
    #[arg(long)]
    store: String,
    /// An existing customer's code.
    #[arg(long, conflicts_with = "customer_name")]
    customer: Option<String>,
    /// A new customer's name (an existing e-mail address finds them instead).
    #[arg(long)]
    customer_name: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    /// SKU=QTY, repeatable.
    #[arg(long = "line", required = true)]
    lines: Vec<String>,
    /// A quote: priced, reserves nothing until confirmed.
    #[arg(long)]
    quote: bool,
    /// Delivered rather than picked up.
    #[arg(long)]
    delivery: bool,
    /// Paid already; the counter only hands over.
    #[arg(long)]
    prepaid: bool,
    #[command(flatten)]
    act: ActArgs,
}

fn parse_lines(texts: &[String]) -> Result<Vec<LineRequest>> {
    texts
        .iter()
        .map(|text| {
            let (sku, qty) = text.split_once('=').ok_or_else(|| anyhow!("line `{text}` must look like SKU=QTY"))?;
            Ok(LineRequest { sku: sku.trim().to_string(), qty: qty.trim().to_string() })
        })
        .collect()
}

fn order_text(order: &WireOrder) -> String {
    let mut out = format!(
        "{} {} via {} for {} {} at {} ({}{}) total {}\n",
        order.number,
        order.status,
        order.channel,
        order.customer,
        order.customer_name,
        order.store,
        order.fulfilment,
        match (&order.paid, &order.prepaid_used) {
            (Some(paid), Some(used)) if order.prepaid => format!(", prepaid {paid}, {used} used"),
            _ => String::new(),
        },
        order.total
    );
    for l in &order.lines {
        out.push_str(&format!(
            "  {}\t{}\tqty {}\treserved {}\tbackordered {}\tcollected {}\t@ {}\n",
            l.sku, l.name, l.qty, l.reserved, l.backordered, l.collected, l.unit_price
        ));
    }
    for e in &order.history {
        let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
            .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        out.push_str(&format!("  {at}\t{}\tby {}\t{}\n", e.action, e.actor, e.detail));
    }
    out
}

pub fn run_order<D: Database>(store: &HeadOffice<D>, json: bool, command: OrderCommand) -> Result<()> {
    let order = match command {
        OrderCommand::Create(a) => {
            let channel = store.channel_by_name(&a.channel)?;
            let request = OrderRequest {
                customer: CustomerRef { code: a.customer, name: a.customer_name, email: a.email, phone: a.phone },
                store: a.store,
                fulfilment: if a.delivery { Fulfilment::Delivery } else { Fulfilment::Pickup },
                lines: parse_lines(&a.lines)?,
                quote: a.quote,
                on_short: a.act.policy(),
                prepaid: a.prepaid,
                by: Some(a.act.by),
            };
            store.place_order(&channel, &request, None)?.0
        }
        OrderCommand::Show { number } => store.order(Scope::HeadOffice, &number)?,
        OrderCommand::List { store: s, status } => {
            let status = status.map(|s| s.parse::<OrderStatus>()).transpose().map_err(|e| anyhow!(e))?;
            let orders = store.orders(s.as_deref(), status)?;
            return emit(json, &orders, |orders| orders.iter().map(order_text).collect());
        }
        OrderCommand::Confirm { number, act } => store.confirm_order(Scope::HeadOffice, &number, &act.action())?,
        OrderCommand::Change { number, lines, act } => {
            let change = LinesChange { lines: parse_lines(&lines)?, on_short: act.policy(), by: Some(act.by) };
            store.change_order_lines(Scope::HeadOffice, &number, &change)?
        }
        OrderCommand::Cancel { number, act } => store.cancel_order(Scope::HeadOffice, &number, &act.action())?,
    };
    emit(json, &order, order_text)
}

pub fn availability_text(rows: &[Availability]) -> String {
    rows.iter()
        .map(|a| {
            format!(
                "{}\t{}\ton hand {}\treserved {}\tavailable {}\n",
                a.store, a.sku, a.on_hand, a.reserved, a.available
            )
        })
        .collect()
}
