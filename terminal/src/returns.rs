//! Returns: against a receipt (capped per line at sold minus already
//! returned, refunded at the price paid) or, with a manager's approval,
//! without one. Stock goes back unless the goods are damaged.

use pos_shared::ids::ReceiptNo;
use pos_shared::journal::{Event, SaleKind, SaleLineRecord, SaleRecord};
use pos_shared::money::Money;
use pos_shared::pricing::{TaxBand, TaxMode, TaxRate, TicketLine, Totals, price_ticket};
use pos_shared::quantity::Quantity;
use pos_shared::returns::{ReturnableLine, refund_to_original};
use pos_shared::roles::Permission;
use pos_shared::stock::{MovementReason, StockMovement};
use pos_shared::tender::{CardUse, Settlement, Tender, TenderKind, cash_amount_due, check_card_number};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use crate::error::{CoreError, CoreResult};
use crate::records::{money, parse_column};
use crate::sale::{Committed, Draft, Prepared, line_records};
use crate::users::Credentials;
use crate::{Operator, Terminal};

/// One product coming back: its code, the receipt line it was sold on
/// (needed when the receipt has the product on several lines at different
/// prices; without it the first line with anything left), and the quantity
/// (default: one piece, or all that is left of a weighed line).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReturnItem {
    pub code: String,
    pub line: Option<u32>,
    pub qty: Option<Decimal>,
}

/// What the original receipt was paid with, and what earlier returns of it
/// already gave back per tender: where a refund goes by default.
struct PaidWith {
    paid: Vec<Tender>,
    refunded: Vec<Tender>,
    /// The gift cards it was paid from, where a gift card refund goes back.
    cards: Vec<CardUse>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReturnRequest {
    pub original: Option<ReceiptNo>,
    pub items: Vec<ReturnItem>,
    pub damaged: bool,
    pub refund_to: Option<TenderKind>,
    /// Refund the whole return to this gift card as store credit (a new
    /// card, or one the customer has).
    pub store_credit: Option<String>,
    pub approver: Option<Credentials>,
}

/// Which gift cards a refund of `amount` in gift card money goes back to:
/// the original's cards, in order, each up to what it paid.
fn back_to_cards(amount: Money, cards: &[CardUse]) -> Vec<CardUse> {
    let mut left = amount;
    let mut out: Vec<CardUse> = Vec::new();
    for card in cards {
        let part = left.min(card.amount);
        if part > Money::ZERO {
            out.push(CardUse { card: card.card.clone(), amount: part });
            left -= part;
        }
    }
    if let (Some(last), true) = (out.last_mut(), left > Money::ZERO) {
        last.amount += left;
    }
    out
}

/// Where a refund goes unless someone asks otherwise: back to the
/// receipt's tenders, or cash without a receipt.
fn default_refunds(total: Money, paid_with: Option<&PaidWith>) -> Vec<Tender> {
    match paid_with {
        Some(p) => refund_to_original(total, &p.paid, &p.refunded),
        None => vec![Tender { kind: TenderKind::Cash, amount: total }],
    }
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

    /// What a return would give back, per tender, as it would be paid out:
    /// the figure the cashier confirms before anything is recorded.
    pub fn refund_preview(&self, request: &ReturnRequest) -> CoreResult<Vec<Tender>> {
        if request.items.is_empty() {
            return Err(CoreError::EmptyCart);
        }
        let (lines, paid_with) = match &request.original {
            Some(receipt) => {
                let (lines, paid_with, _) = self.lines_against_receipt(receipt, &request.items)?;
                (lines, paid_with)
            }
            None => (self.lines_without_receipt(&request.items)?, None),
        };
        let total = refund_totals(&lines, self.settings.tax_mode).total;
        if request.store_credit.is_some() {
            return Ok(vec![Tender { kind: TenderKind::GiftCard, amount: total }]);
        }
        let refunds = match (request.refund_to, default_refunds(total, paid_with.as_ref())) {
            (Some(kind), by_default) if by_default.iter().any(|t| t.kind != kind) => {
                vec![Tender { kind, amount: total }]
            }
            (_, by_default) => by_default,
        };
        Ok(self.refund_settlement(refunds).payments)
    }

    /// Records a return and its refund. Nothing is written if any item is
    /// not on the receipt, exceeds what is left, or lacks an approval.
    pub fn commit_return(&mut self, actor: &Operator, request: ReturnRequest) -> CoreResult<Committed> {
        let prepared = self.prepare_return(actor, request)?;
        self.commit(prepared)
    }

    /// [`Terminal::commit_return`] up to the writing: what comes back, the
    /// refund and its approvals.
    pub fn prepare_return(&mut self, actor: &Operator, request: ReturnRequest) -> CoreResult<Prepared> {
        if request.items.is_empty() {
            return Err(CoreError::EmptyCart);
        }
        let mut approvals = Vec::new();
        let pin = request.approver.as_ref();
        let (lines, paid_with, customer) = match &request.original {
            Some(receipt) => self.lines_against_receipt(receipt, &request.items)?,
            None => {
                let detail = format!("return without receipt, {} item(s)", request.items.len());
                approvals.extend(self.authorize(actor, Permission::ReturnWithoutReceipt, pin, detail)?);
                (self.lines_without_receipt(&request.items)?, None, None)
            }
        };
        let totals = refund_totals(&lines, self.settings.tax_mode);
        let by_default = default_refunds(totals.total, paid_with.as_ref());
        if request.refund_to == Some(TenderKind::GiftCard) && request.store_credit.is_none() {
            return Err(CoreError::Invalid("a refund to store credit names the gift card it goes on".into()));
        }
        let refunds = match (&request.store_credit, request.refund_to) {
            (Some(card), _) => {
                check_card_number(card)?;
                vec![Tender { kind: TenderKind::GiftCard, amount: totals.total }]
            }
            (None, Some(kind)) if by_default.iter().any(|t| t.kind != kind) => {
                let usual = by_default.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>().join(" and ");
                let detail = format!("refund {} to {kind} instead of {usual}", totals.total);
                approvals.extend(self.authorize(actor, Permission::RefundToOtherTender, pin, detail)?);
                vec![Tender { kind, amount: totals.total }]
            }
            _ => by_default,
        };
        let settlement = self.refund_settlement(refunds);
        let to_cards = settlement.payments.iter().filter(|t| t.kind == TenderKind::GiftCard).map(|t| t.amount).sum();
        let gift_cards = match &request.store_credit {
            Some(card) => vec![CardUse { card: card.clone(), amount: to_cards }],
            None => back_to_cards(to_cards, paid_with.as_ref().map_or(&[][..], |p| &p.cards)),
        };
        // Cash already given back on this receipt counts too, so a return
        // split into small ones does not slip under the limit.
        let cash = |tenders: &[Tender]| -> Money {
            tenders.iter().filter(|t| t.kind == TenderKind::Cash).map(|t| t.amount).sum()
        };
        let earlier = paid_with.as_ref().map_or(Money::ZERO, |p| cash(&p.refunded));
        let cash_out = cash(&settlement.payments) + earlier;
        if cash_out > self.settings.refund_cash_limit {
            let detail = format!("cash refund of {cash_out}, above {}", self.settings.refund_cash_limit);
            approvals.extend(self.authorize(actor, Permission::CashRefundAboveLimit, pin, detail)?);
        }
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
            coupons: Vec::new(),
            gift_cards,
            invoice: None,
            card_via: None,
        };
        let before: Vec<Event> = approvals.iter().map(|a| a.event()).collect();
        Ok(Prepared { draft, before })
    }

    /// The refund paid out per tender; cash is rounded to the store's cash
    /// increment like any cash payment.
    fn refund_settlement(&self, refunds: Vec<Tender>) -> Settlement {
        let mut payments = Vec::with_capacity(refunds.len());
        let (mut cash_tendered, mut cash_rounding) = (Money::ZERO, Money::ZERO);
        for tender in refunds {
            let amount = match tender.kind {
                TenderKind::Cash => {
                    let rounded = cash_amount_due(tender.amount, self.settings.cash_increment);
                    cash_tendered = rounded;
                    cash_rounding = rounded - tender.amount;
                    rounded
                }
                _ => tender.amount,
            };
            payments.push(Tender { kind: tender.kind, amount });
        }
        Settlement { payments, cash_tendered, change: Money::ZERO, cash_rounding }
    }

    /// What earlier returns of `receipt` refunded, per tender.
    fn refunded_tenders(&self, receipt: &ReceiptNo) -> CoreResult<Vec<Tender>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT p.tender, SUM(p.amount_minor) FROM payments p JOIN sales s ON s.id = p.sale_id
                 WHERE s.original_receipt = ?1 GROUP BY p.tender",
            )?
            .query_map([receipt.to_string()], |row| Ok(Tender { kind: parse_column(row, 0)?, amount: money(row, 1)? }))?
            .collect::<Result<_, _>>()?)
    }

    fn lines_against_receipt(
        &self,
        receipt: &ReceiptNo,
        items: &[ReturnItem],
    ) -> CoreResult<(Vec<SaleLineRecord>, Option<PaidWith>, Option<String>)> {
        let (original, mut state) = self.returnable_lines(receipt)?;
        let mut lines = Vec::new();
        for item in items {
            let sku = self.find_code(&item.code)?.product.sku;
            let not_on_receipt = || CoreError::NotOnReceipt { receipt: receipt.to_string(), code: item.code.clone() };
            let same_product = |i: &usize| original.lines[*i].sku.eq_ignore_ascii_case(&sku);
            let index = match item.line {
                // The very line the customer bought: refunded at its price.
                Some(line_no) => original
                    .lines
                    .iter()
                    .position(|l| l.line_no == line_no)
                    .filter(same_product)
                    .ok_or_else(not_on_receipt)?,
                None => (0..original.lines.len())
                    .filter(same_product)
                    .find(|&i| state[i].remaining_milli() > 0)
                    .ok_or_else(not_on_receipt)?,
            };
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
                price_list: None,
                promotions: Vec::new(),
                discount: None,
                pack_size: None,
            });
        }
        let paid_with =
            PaidWith { paid: original.payments, refunded: self.refunded_tenders(receipt)?, cards: original.gift_cards };
        Ok((lines, Some(paid_with), original.customer))
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
            ticket.push(TicketLine::new(
                &product.sku,
                &product.name,
                product.unit,
                qty,
                product.price,
                product.tax_rate,
            ));
        }
        let totals = price_ticket(&ticket, None, self.settings.pricing())?;
        Ok(line_records(&ticket, &totals))
    }
}
