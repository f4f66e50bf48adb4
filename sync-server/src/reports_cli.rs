//! `pos-sync-server report ...`: sales by a dimension, margin, top
//! customers, low stock, stock valuation, returns rate, oversold stock and
//! the accounting export, each as text, `--json` or `--csv`.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use pos_shared::accounting::Accounts;
use pos_shared::money::Money;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::rules::insights::{Period, TOP_CUSTOMERS, WEAK_MARGIN_PERCENT};
use pos_sync_server::storage::rules::sales::SalesBy;
use pos_sync_server::storage::sql::Database;

use crate::purchasing_cli::PolicyArgs;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Sales (net of returns) by a dimension.
    Sales {
        #[arg(long)]
        by: SalesBy,
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        format: Format,
    },
    /// Margin per product at catalog cost, flagging weak ones.
    Margin {
        #[command(flatten)]
        period: PeriodArgs,
        /// Margins under this percentage are flagged weak.
        #[arg(long, default_value_t = WEAK_MARGIN_PERCENT)]
        weak_below: Decimal,
        #[command(flatten)]
        format: Format,
    },
    /// Customers by what they spent.
    Customers {
        #[command(flatten)]
        period: PeriodArgs,
        #[arg(long, default_value_t = TOP_CUSTOMERS)]
        top: usize,
        #[command(flatten)]
        format: Format,
    },
    /// Products at or below their reorder point (what orders hold counts as gone).
    LowStock {
        #[arg(long)]
        store: Option<String>,
        #[command(flatten)]
        format: Format,
    },
    /// What to order now: at or below the reorder point (set by hand, or
    /// from sales velocity and the supplier's lead time).
    Reorder {
        #[arg(long)]
        store: Option<String>,
        #[command(flatten)]
        policy: PolicyArgs,
        #[command(flatten)]
        format: Format,
    },
    /// Stock on hand at cost.
    Valuation {
        #[arg(long)]
        store: Option<String>,
        #[command(flatten)]
        format: Format,
    },
    /// Returned against sold, per product.
    Returns {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        format: Format,
    },
    /// A store's day for the books: figures, and balanced journal lines
    /// (`--csv` prints the lines).
    Accounting {
        #[arg(long)]
        store: String,
        /// Local date, e.g. 2026-11-27.
        #[arg(long)]
        date: String,
        /// Account codes (TOML: cash = "530", sales_by_rate = { "5.5" = "70711" }, ...).
        #[arg(long)]
        accounts: Option<std::path::PathBuf>,
        #[command(flatten)]
        format: Format,
    },
    /// Stock that went negative: sold beyond what the store had.
    Oversold {
        #[command(flatten)]
        format: Format,
    },
}

/// One journal line as exported: the day and store on every line.
#[derive(Serialize)]
struct ExportLine<'a> {
    date: &'a str,
    store: &'a str,
    account: &'a str,
    label: &'a str,
    debit: Money,
    credit: Money,
}

#[derive(Args)]
pub struct PeriodArgs {
    /// First local date, e.g. 2026-11-01.
    #[arg(long)]
    from: Option<String>,
    /// Last local date, inclusive.
    #[arg(long)]
    to: Option<String>,
}

impl PeriodArgs {
    fn period(&self) -> Period<'_> {
        Period { from: self.from.as_deref(), to: self.to.as_deref() }
    }
}

#[derive(Args)]
pub struct Format {
    /// Comma-separated values with a header line.
    #[arg(long)]
    csv: bool,
}

/// Prints rows as JSON, CSV (header from the field names) or text lines.
fn table<T: Serialize>(json: bool, format: &Format, rows: &[T], line: impl Fn(&T) -> String) -> Result<()> {
    match (json, format.csv) {
        (true, true) => bail!("choose --json or --csv"),
        (true, false) => println!("{}", serde_json::to_string_pretty(rows)?),
        (false, true) => print!("{}", pos_sync_server::csv_export::to_csv(rows)?),
        (false, false) => rows.iter().for_each(|r| println!("{}", line(r))),
    }
    Ok(())
}

pub fn run_report<D: Database>(store: &HeadOffice<D>, json: bool, command: ReportCommand) -> Result<()> {
    match command {
        ReportCommand::Sales { by, period, format } => {
            let rows = store.sales_report(by, period.period())?;
            table(json, &format, &rows, |r| {
                format!("{}\t{}\t{}\t{}\t{}", r.key, r.receipts, r.quantity, r.net, r.gross)
            })
        }
        ReportCommand::Margin { period, weak_below, format } => {
            let rows = store.margin_report(period.period(), weak_below)?;
            table(json, &format, &rows, |r| {
                let weak = if r.weak { "\tWEAK" } else { "" };
                format!(
                    "{}\t{}\tnet {}\tcost {}\tmargin {} ({}%){weak}",
                    r.sku, r.name, r.net, r.cost, r.margin, r.margin_percent
                )
            })
        }
        ReportCommand::Customers { period, top, format } => {
            let rows = store.top_customers(period.period(), top)?;
            table(json, &format, &rows, |r| format!("{}\t{}\t{} receipts\t{}", r.code, r.name, r.receipts, r.gross))
        }
        ReportCommand::LowStock { store: s, format } => {
            let rows = store.low_stock(s.as_deref())?;
            table(json, &format, &rows, |r| {
                format!(
                    "{}\t{}\t{}\ton hand {}\treserved {}\tavailable {}\treorder at {}",
                    r.store, r.sku, r.name, r.on_hand, r.reserved, r.available, r.reorder_point
                )
            })
        }
        ReportCommand::Reorder { store: s, policy, format } => {
            let rows = store.reorder_suggestions(s.as_deref(), policy.policy())?;
            table(json, &format, &rows, |r| {
                format!(
                    "{}\t{}\t{}\tfrom {}\ton hand {}\treserved {}\ton order {}\tpoint {} ({})\torder {}",
                    r.store,
                    r.sku,
                    r.name,
                    r.supplier.as_deref().unwrap_or("no supplier"),
                    r.on_hand,
                    r.reserved,
                    r.on_order,
                    r.reorder_point,
                    r.basis,
                    r.suggested
                )
            })
        }
        ReportCommand::Valuation { store: s, format } => {
            let rows = store.stock_valuation(s.as_deref())?;
            table(json, &format, &rows, |r| {
                format!("{}\t{}\t{}\t{} x {}\t{}", r.store, r.sku, r.name, r.on_hand, r.unit_cost, r.value)
            })
        }
        ReportCommand::Returns { period, format } => {
            let rows = store.returns_rate(period.period())?;
            table(json, &format, &rows, |r| {
                format!("{}\t{}\tsold {}\treturned {}\t{}%", r.sku, r.name, r.sold, r.returned, r.rate_percent)
            })
        }
        ReportCommand::Accounting { store: s, date, accounts, format } => {
            let accounts = match accounts {
                Some(path) => {
                    let text =
                        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                    toml::from_str(&text).with_context(|| format!("{} is not an accounts file", path.display()))?
                }
                None => Accounts::default(),
            };
            let day = store.accounting_day(&s, &date, &accounts)?;
            if !day.balanced {
                bail!("the journal for {} on {} does not balance; nothing exported", day.store, day.date);
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&day)?);
                return Ok(());
            }
            let rows: Vec<ExportLine> = day
                .journal
                .iter()
                .map(|l| ExportLine {
                    date: &day.date,
                    store: &day.store,
                    account: &l.account,
                    label: &l.label,
                    debit: l.debit,
                    credit: l.credit,
                })
                .collect();
            table(false, &format, &rows, |l| {
                format!("{}\t{}\tdebit {}\tcredit {}", l.account, l.label, l.debit, l.credit)
            })
        }
        ReportCommand::Oversold { format } => {
            let rows = store.stock(None, true)?;
            table(json, &format, &rows, |r| format!("{}\t{}\t{}\t{}", r.store, r.sku, r.on_hand, r.name))
        }
    }
}
