//! Returns: against a receipt (capped per line at sold minus already
//! returned, refunded at the price paid) or, with a manager's approval,
//! without one. Stock goes back unless the goods are damaged.

use pos_shared::ids::ReceiptNo;
use pos_shared::journal::{Event, SaleKind, SaleLineRecord, SaleRecord};
use pos_shared::money::Money;
use pos_shared::pricing::{TaxBand, TaxMode, TaxRate, TicketLine, Totals, price_ticket};
use pos_shared::quantity::Quantity;
use pos_shared::returns::ReturnableLine;
use pos_shared::roles::Permission;
use pos_shared::stock::{MovementReason, StockMovement};
use pos_shared::tender::{Settlement, Tender, TenderKind, cash_amount_due};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use crate::error::{CoreError, CoreResult};
use crate::sale::{Committed, Draft, line_records};
use crate::{Operator, Terminal};

/// One product coming back: its code and quantity (default: one piece, or
/// all that is left of a weighed line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnItem {
    pub code: String,
    pub qty: Option<Decimal>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReturnRequest {
    pub original: Option<ReceiptNo>,
    pub items: Vec<ReturnItem>,
    pub damaged: bool,
    pub refund_to: Option<TenderKind>,
    pub approver_pin: Option<String>,
}

/// Totals of refund lines: tax per rate, in the store's price basis.
fn refund_totals(lines: &[SaleLineRecord], tax_mode: TaxMode) -> Totals {
    let mut bands: BTreeMap<TaxRate, TaxBand> = BTreeMap::new();
    for line in lines {
        let band = bands.entry(line.tax_rate).or_insert_with(|| TaxBand::empty(line.tax_rate));
        band.base += if tax_mode == TaxMode::Inclusive { line.net - line.tax } else { line.net };
        band.tax += line.tax;
    }
    let net: Money = lines.iter().map(|l| l.net).sum();
    let tax: Money = lines.iter().map(|l| l.tax).sum();
    Totals {
        lines: Vec::new(),
        subtotal: net,
        discount: Money::ZERO,
        taxes: bands.into_values().collect(),
        tax,
        total: if tax_mode == TaxMode::Inclusive { net } else { net + tax },
    }
}

impl Terminal {
    /// The original sale and, per line, what is still returnable.
    pub fn returnable_lines(&self, receipt: &ReceiptNo) -> CoreResult<(SaleRecord, Vec<ReturnableLine>)> {
        let (original, _) = self.sale_record(receipt)?.ok_or_else(|| CoreError::UnknownReceipt(receipt.to_string()))?;
        if original.kind != SaleKind::Sale {
            return Err(CoreError::Invalid(format!("{receipt} is itself a return")));
        }
        let mut returned: BTreeMap<u32, (i64, i64, i64)> = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.original_line, SUM(l.qty_milli), SUM(l.net_minor), SUM(l.tax_minor)
             FROM sale_lines l JOIN sales s ON s.id = l.sale_id
             WHERE s.original_receipt = ?1 GROUP BY l.original_line",
        )?;
        for row in
            stmt.query_map([receipt.to_string()], |r| Ok((r.get::<_, u32>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?
        {
            let (line, sums) = row?;
            returned.insert(line, sums);
        }
        let lines = original
            .lines
            .iter()
            .map(|l| {
                let (milli, net, tax) = returned.get(&l.line_no).copied().unwrap_or_default();
                ReturnableLine {
                    sold_qty: l.qty,
                    sold_net: l.net,
                    sold_tax: l.tax,
                    returned_milli: milli,
                    refunded_net: Money::from_minor(net),
                    refunded_tax: Money::from_minor(tax),
                }
            })
            .collect();
        Ok((original, lines))
    }

    /// Records a return and its refund. Nothing is written if any item is
    /// not on the receipt, exceeds what is left, or lacks an approval.
    pub fn commit_return(&mut self, actor: &Operator, request: ReturnRequest) -> CoreResult<Committed> {
        if request.items.is_empty() {
            return Err(CoreError::EmptyCart);
        }
        let mut approvals = Vec::new();
        let (lines, default_tender, customer) = match &request.original {
            Some(receipt) => self.lines_against_receipt(receipt, &request.items)?,
            None => {
                let detail = format!("return without receipt, {} item(s)", request.items.len());
                let pin = request.approver_pin.as_deref();
                approvals.extend(self.authorize(actor, Permission::ReturnWithoutReceipt, pin, detail)?);
                (self.lines_without_receipt(&request.items)?, TenderKind::Cash, None)
            }
        };
        let totals = refund_totals(&lines, self.settings.tax_mode);
        let kind = request.refund_to.unwrap_or(default_tender);
        let paid = if kind == TenderKind::Cash {
            cash_amount_due(totals.total, self.settings.cash_increment)
        } else {
            totals.total
        };
        let settlement = Settlement {
            payments: vec![Tender { kind, amount: paid }],
            cash_tendered: paid,
            change: Money::ZERO,
            cash_rounding: paid - totals.total,
        };
        let mut movements = Vec::new();
        for line in &lines {
            movements.push(StockMovement::incoming(&line.sku, line.qty, MovementReason::Return));
            if request.damaged {
                movements.push(StockMovement::outgoing(&line.sku, line.qty, MovementReason::Damaged));
            }
        }
        let draft = Draft {
            kind: SaleKind::Return,
            cashier: actor.name.clone(),
            lines,
            totals,
            settlement,
            original_receipt: request.original.clone(),
            movements,
            customer,
            order: None,
        };
        let events: Vec<Event> = approvals.iter().map(|a| a.event()).collect();
        self.record_sale(draft, &events)
    }

    fn lines_against_receipt(
        &self,
        receipt: &ReceiptNo,
        items: &[ReturnItem],
    ) -> CoreResult<(Vec<SaleLineRecord>, TenderKind, Option<String>)> {
        let (original, mut state) = self.returnable_lines(receipt)?;
        let mut lines = Vec::new();
        for item in items {
            let sku = self.find_code(&item.code)?.product.sku;
            let not_on_receipt = || CoreError::NotOnReceipt { receipt: receipt.to_string(), code: item.code.clone() };
            let index = original
                .lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.sku.eq_ignore_ascii_case(&sku))
                .map(|(i, _)| i)
                .find(|&i| state[i].remaining_milli() > 0)
                .ok_or_else(not_on_receipt)?;
            let sold = &original.lines[index];
            let qty = match item.qty {
                Some(q) => Quantity::new(q, sold.unit)?,
                None if sold.unit.is_measured() => Quantity::from_milli(state[index].remaining_milli()),
                None => Quantity::ONE,
            };
            let refund = state[index].refund(qty, self.settings.rounding)?;
            state[index] = state[index].after(qty, refund);
            lines.push(SaleLineRecord {
                line_no: lines.len() as u32 + 1,
                sku: sold.sku.clone(),
                name: sold.name.clone(),
                unit: sold.unit,
                qty,
                unit_price: sold.unit_price,
                tax_rate: sold.tax_rate,
                gross: refund.net,
                line_discount: Money::ZERO,
                sale_discount: Money::ZERO,
                net: refund.net,
                tax: refund.tax,
                original_line: Some(sold.line_no),
            });
        }
        let tender = original.payments.iter().max_by_key(|p| p.amount).map_or(TenderKind::Cash, |p| p.kind);
        Ok((lines, tender, original.customer))
    }

    fn lines_without_receipt(&self, items: &[ReturnItem]) -> CoreResult<Vec<SaleLineRecord>> {
        let mut ticket = Vec::new();
        for item in items {
            let product = self.find_code(&item.code)?.product;
            let qty = match item.qty {
                Some(q) => Quantity::new(q, product.unit)?,
                None if product.unit.is_measured() => {
                    return Err(CoreError::NeedsWeight(product.name, product.sku));
                }
                None => Quantity::ONE,
            };
            ticket.push(TicketLine {
                sku: product.sku,
                name: product.name,
                unit: product.unit,
                qty,
                unit_price: product.price,
                tax_rate: product.tax_rate,
                discount: None,
                fixed_amount: None,
            });
        }
        let totals = price_ticket(&ticket, None, self.settings.pricing())?;
        Ok(line_records(&ticket, &totals))
    }
}
