//! Head office's price verbs: `pricelist add|price`, `promo import|list`
//! and `pack add`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use pos_shared::money::Money;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::rules::prices::{NewPriceList, PromotionFigures};
use pos_sync_server::storage::sql::Database;

use crate::emit;

#[derive(Subcommand)]
pub enum PricelistCommand {
    /// Add (or change) a price list: for one store, one customer group,
    /// both, or everyone, between two days (YYYY-MM-DD, both included).
    Add {
        name: String,
        #[arg(long)]
        store: Option<String>,
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
    /// A product's price on a list, from a quantity on (a quantity break).
    Price {
        name: String,
        /// SKU or barcode.
        code: String,
        price: String,
        #[arg(long)]
        min_qty: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum PackCommand {
    /// A pack of a product (a case of 12): its own barcode sells or
    /// receives QTY units, at its own price when given.
    Add {
        /// SKU or barcode of the product.
        code: String,
        #[arg(long)]
        qty: String,
        #[arg(long)]
        barcode: Option<String>,
        #[arg(long)]
        price: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum PromoCommand {
    /// Import a promotion file (docs/promotions.md): all of it or nothing.
    Import { file: PathBuf },
    /// Every promotion, with what it cost and sold.
    List,
}

pub fn run_pricelist<D: Database>(store: &HeadOffice<D>, json: bool, command: PricelistCommand) -> Result<()> {
    match command {
        PricelistCommand::Add { name, store: at, group, from, to } => {
            let list = NewPriceList {
                name: &name,
                store: at.as_deref(),
                group: group.as_deref(),
                from: from.as_deref(),
                to: to.as_deref(),
            };
            store.add_price_list(&list)?;
            emit(json, &serde_json::json!({ "price_list": name }), |_| format!("Price list {name} saved\n"))
        }
        PricelistCommand::Price { name, code, price, min_qty } => {
            let price: Money = price.parse()?;
            let sku = store.set_list_price(&name, &code, price, min_qty.as_deref())?;
            let from = min_qty.map(|q| format!(" from {q}")).unwrap_or_default();
            emit(json, &serde_json::json!({ "price_list": name, "sku": sku, "price": price }), |_| {
                format!("{sku} costs {price}{from} on {name}\n")
            })
        }
    }
}

pub fn run_pack<D: Database>(store: &HeadOffice<D>, json: bool, command: PackCommand) -> Result<()> {
    let PackCommand::Add { code, qty, barcode, price } = command;
    let price: Option<Money> = price.map(|p| p.parse()).transpose()?;
    let sku = store.add_pack(&code, &qty, barcode.as_deref(), price)?;
    let priced = price.map(|p| format!(" at {p}")).unwrap_or_default();
    emit(json, &serde_json::json!({ "sku": sku, "qty": qty, "barcode": barcode, "price": price }), |_| {
        format!("{sku}: a pack of {qty}{priced}\n")
    })
}

pub fn run_promo<D: Database>(store: &HeadOffice<D>, json: bool, command: PromoCommand) -> Result<()> {
    match command {
        PromoCommand::Import { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let count = store.import_promotions(&bytes)?;
            emit(json, &serde_json::json!({ "imported": count }), |_| format!("Imported {count} promotions\n"))
        }
        PromoCommand::List => emit(json, &store.promotions()?, |rows| rows.iter().map(promotion_text).collect()),
    }
}

fn promotion_text(p: &PromotionFigures) -> String {
    let coupon = match (&p.coupon, p.uses_allowed) {
        (Some(c), Some(n)) => format!(" coupon {c} used {}/{n}", p.coupon_uses),
        (Some(c), None) => format!(" coupon {c} used {}", p.coupon_uses),
        _ => String::new(),
    };
    format!(
        "{:<16} {:<11} {:<28} {:>5} lines  cost {:>10}  sold {:>10}{coupon}\n",
        p.code, p.kind, p.name, p.lines, p.discount, p.net
    )
}
