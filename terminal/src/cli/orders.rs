//! `pos-terminal order list|show` and `pos-terminal collect`: customer
//! orders synced to this store, and handing them over at the counter.

use std::path::Path;

use anyhow::Result;
use pos_terminal::Terminal;
use pos_terminal::orders::Order;

use super::args::{CollectArgs, OrderCommand};
use super::{emit, parse_item, parse_tenders, print_receipt};

fn order_text(order: &Order) -> String {
    let mut out = format!(
        "{} {} via {} for {} {} ({}{}) total {}\n",
        order.number,
        order.status,
        order.channel,
        order.customer,
        order.customer_name,
        order.fulfilment,
        if order.prepaid_left.is_zero() { String::new() } else { format!(", prepaid: {} left", order.prepaid_left) },
        order.total
    );
    for l in &order.lines {
        out.push_str(&format!(
            "  {}\t{}\tordered {}\tcollected {}\tleft {}\t@ {}\n",
            l.sku, l.name, l.qty, l.collected, l.remaining, l.unit_price
        ));
    }
    out
}

pub fn order(dir: &Path, json: bool, command: OrderCommand) -> Result<()> {
    let terminal = Terminal::open(dir)?;
    match command {
        OrderCommand::List { search, all } => {
            let orders = terminal.find_orders(search.as_deref().unwrap_or(""), all)?;
            emit(json, &orders, |orders| orders.iter().map(order_text).collect())
        }
        OrderCommand::Show { number } => emit(json, &terminal.order(&number)?, order_text),
    }
}

pub fn collect(dir: &Path, json: bool, a: CollectArgs) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    let user = a.actor.login(&mut terminal)?;
    let picks = a.items.iter().map(|i| parse_item(i).map(|item| (item.code, item.qty))).collect::<Result<Vec<_>>>()?;
    let cart = terminal.order_cart(&a.number, &picks)?;
    let committed = terminal.commit_sale(&user, &cart, &parse_tenders(&a.payments)?)?;
    print_receipt(&mut terminal, json, &committed)
}
