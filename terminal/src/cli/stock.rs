//! `pos-terminal receive`, `po`, `adjust` and `count`: goods in (against a
//! purchase order or not), corrections with a reason, and blind stock counts.

use std::path::Path;

use anyhow::{Result, anyhow};
use pos_shared::quantity::Quantity;
use pos_shared::stock::MovementReason;
use pos_terminal::Terminal;
use pos_terminal::purchasing::PurchaseOrder;
use rust_decimal::Decimal;
use serde_json::json;

use super::args::{AdjustArgs, CountCommand, PoCommand, ReceiveArgs, ShipArgs};
use super::{emit, parse_item};

/// Codes and the quantities `CODE*QTY` items must give.
fn counted_items(items: &[String]) -> Result<Vec<(String, Decimal)>> {
    items
        .iter()
        .map(|text| {
            let item = parse_item(text)?;
            let qty = item.qty.ok_or_else(|| anyhow!("say how many: {}*12", item.code))?;
            Ok((item.code, qty))
        })
        .collect()
}

pub fn receive(dir: &Path, json: bool, a: ReceiveArgs) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    let user = a.actor.login(&mut terminal)?;
    let items = counted_items(&a.items)?;
    let (seq, reference) = match (&a.po, &a.reference) {
        (Some(po), _) => (terminal.receive_purchase_order(&user, po, &items)?, po.clone()),
        (None, Some(reference)) => {
            let mut lines = Vec::with_capacity(items.len());
            for (code, qty) in &items {
                let found = terminal.find_code(code)?;
                let units = found.units(*qty);
                lines.push((found.product.sku, Quantity::new(units, found.product.unit)?));
            }
            (terminal.receive_stock(&user, reference, &lines)?, reference.clone())
        }
        (None, None) => return Err(anyhow!("say what came: --po NUMBER or --ref REFERENCE with --item")),
    };
    emit(json, &json!({ "seq": seq, "reference": reference }), |_| format!("Received against {reference}\n"))
}

pub fn ship(dir: &Path, json: bool, a: ShipArgs) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    let user = a.actor.login(&mut terminal)?;
    let seq = terminal.ship_transfer(&user, &a.transfer, &counted_items(&a.items)?)?;
    emit(json, &json!({ "seq": seq, "transfer": a.transfer }), |_| format!("Shipped against {}\n", a.transfer))
}

pub fn purchase_orders(dir: &Path, json: bool, command: PoCommand) -> Result<()> {
    let terminal = Terminal::open(dir)?;
    let text = |po: &PurchaseOrder| {
        let direction = if po.outgoing { "to ship" } else { "to receive" };
        let mut out = format!("{} {} from {} ({direction})\n", po.number, po.status, po.supplier);
        for l in &po.lines {
            out.push_str(&format!(
                "  {}\t{}\tordered {}\tshipped {}\treceived {}\toutstanding {}\n",
                l.sku, l.name, l.ordered, l.shipped, l.received, l.outstanding
            ));
        }
        out
    };
    match command {
        PoCommand::List { all } => {
            let orders = terminal.purchase_orders(all)?;
            emit(json, &orders, |orders| orders.iter().map(text).collect())
        }
        PoCommand::Show { number } => emit(json, &terminal.purchase_order(&number)?, text),
    }
}

pub fn adjust(dir: &Path, json: bool, a: AdjustArgs) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    let user = a.actor.login(&mut terminal)?;
    let reason = MovementReason::parse(a.reason.trim()).ok_or_else(|| {
        anyhow!("reason “{}” must be one of damaged, expired, theft, own-use, correction", a.reason.trim())
    })?;
    let lines = counted_items(&a.items)?;
    let seq = terminal.adjust_stock(&user, reason, &a.note, &lines, a.actor.approver().as_ref())?;
    emit(json, &json!({ "seq": seq, "reason": reason, "lines": lines.len() }), |_| {
        format!("Adjusted {} line(s): {reason}\n", lines.len())
    })
}

pub fn count(dir: &Path, json: bool, command: CountCommand) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    match command {
        CountCommand::Start { actor, category } => {
            let user = actor.login(&mut terminal)?;
            let id = terminal.start_count(&user, category.as_deref())?;
            emit(json, &json!({ "count": id }), |_| {
                format!("Count {id} started: pos-terminal count add {id} --item CODE*QTY\n")
            })
        }
        CountCommand::Add { count, items } => {
            let mut counted = Vec::new();
            for (code, qty) in counted_items(&items)? {
                counted.push((code.clone(), terminal.count_item(count, &code, qty)?));
            }
            let rows: Vec<_> =
                counted.iter().map(|(code, so_far)| json!({ "code": code, "counted": so_far })).collect();
            emit(json, &rows, |_| {
                counted.iter().map(|(code, so_far)| format!("{code}\tcounted so far {so_far}\n")).collect()
            })
        }
        CountCommand::Close { count, actor, zero_uncounted } => {
            let user = actor.login(&mut terminal)?;
            let closed = terminal.close_count(&user, count, zero_uncounted, actor.approver().as_ref())?;
            emit(json, &closed, |c| {
                let mut out = format!("Count {} closed (seq {})\n", c.count_id, c.seq);
                for l in &c.lines {
                    out.push_str(&format!(
                        "{}\tcounted {}\texpected {}\tvariance {}\n",
                        l.sku, l.counted, l.expected, l.variance
                    ));
                }
                out
            })
        }
    }
}
