//! Committing a sale: one transaction writes the sale, its lines, payments,
//! one stock movement per line, the approvals, the journal entry and its
//! outbox row. The receipt exists only after COMMIT.

use pos_shared::ids::{ReceiptNo, Seq};
use pos_shared::journal::{CardVia, Event, Invoice, SaleKind, SaleLineRecord, SaleRecord};
use pos_shared::money::Money;
use pos_shared::pricing::{TicketLine, Totals};
use pos_shared::stock::{MovementReason, StockMovement};
use pos_shared::tender::{CardUse, Settlement, Tender, TenderKind, settle};

use crate::credit::record_sale_moves;
use crate::devices::queue::{JobKind, enqueue, takes_cash};
use crate::error::{CoreError, CoreResult};
use crate::records::insert_sale;
use crate::session::{next_counter, open_session_id, selling_session_id};
use crate::{Cart, Operator, Terminal};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

/// A sale or return that is on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    pub record: SaleRecord,
    pub seq: Seq,
    pub at_ms: i64,
    /// Made in training mode: journaled as training, never counted.
    pub training: bool,
}

/// The recorded lines of a priced ticket.
pub(crate) fn line_records(lines: &[TicketLine], totals: &Totals) -> Vec<SaleLineRecord> {
    lines
        .iter()
        .zip(&totals.lines)
        .enumerate()
        .map(|(i, (line, priced))| SaleLineRecord {
            line_no: i as u32 + 1,
            sku: line.sku.clone(),
            name: line.name.clone(),
            unit: line.unit,
            qty: line.qty,
            unit_price: line.unit_price,
            tax_rate: line.tax_rate,
            gross: priced.gross,
            line_discount: priced.line_discount,
            sale_discount: priced.sale_discount,
            net: priced.net,
            tax: priced.tax,
            original_line: None,
            price_list: line.price_list.clone(),
            promotions: line.promotions.clone(),
            discount: line.discount,
            pack_size: line.pack_size,
        })
        .collect()
}

/// The fields of a sale or return record that come from its ticket and payment.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Draft {
    pub kind: SaleKind,
    pub cashier: String,
    pub lines: Vec<SaleLineRecord>,
    pub totals: Totals,
    pub settlement: Settlement,
    pub original_receipt: Option<ReceiptNo>,
    pub movements: Vec<StockMovement>,
    pub customer: Option<String>,
    pub order: Option<String>,
    pub coupons: Vec<String>,
    pub gift_cards: Vec<CardUse>,
    /// Who the sale is invoiced to; its number is given as it is written.
    pub invoice: Option<Invoice>,
    /// How its card payment was taken, once it is known.
    pub card_via: Option<CardVia>,
}

/// A sale or return priced and paid for but not yet written, and the
/// approvals journaled with it: what a card terminal approves before it is.
#[derive(Debug, Serialize, Deserialize)]
pub struct Prepared {
    pub(crate) draft: Draft,
    pub(crate) before: Vec<Event>,
}

impl Prepared {
    pub fn kind(&self) -> SaleKind {
        self.draft.kind
    }

    /// What it takes (or refunds) by card.
    pub fn on_card(&self) -> Money {
        self.draft.settlement.payments.iter().filter(|p| p.kind == TenderKind::Card).map(|p| p.amount).sum()
    }

    /// Its card was taken on a terminal the till does not drive, for
    /// `reason` (kept in the journal).
    pub fn external_card(mut self, reason: &str) -> CoreResult<Prepared> {
        let reason = reason.trim();
        if reason.is_empty() || self.on_card().is_zero() {
            return Err(CoreError::Invalid(
                "a card taken on another terminal needs a card payment and the reason why".into(),
            ));
        }
        self.draft.card_via = Some(CardVia::External { reason: reason.to_string() });
        Ok(self)
    }
}

impl Terminal {
    /// Takes payment for the cart and records the sale durably. Nothing is
    /// written when the payment is short or the cart cannot be priced. A
    /// cart that collects an order is checked against it again (a prepaid
    /// order takes no payment).
    pub fn commit_sale(&mut self, actor: &Operator, cart: &Cart, tenders: &[Tender]) -> CoreResult<Committed> {
        self.commit_sale_paid(actor, cart, tenders, &[])
    }

    /// [`Terminal::commit_sale`], some of it paid from gift cards (each
    /// within what it holds; offline, within the day's offline limit) and
    /// some maybe on the customer's account (within its credit limit). A
    /// business customer's sale is an invoice.
    pub fn commit_sale_paid(
        &mut self,
        actor: &Operator,
        cart: &Cart,
        tenders: &[Tender],
        cards: &[CardUse],
    ) -> CoreResult<Committed> {
        let prepared = self.prepare_sale(actor, cart, tenders, cards)?;
        self.commit(prepared)
    }

    /// Writes a prepared sale or return. With a card terminal at the till,
    /// a card is taken through it ([`Terminal::pay_by_card_terminal`]) or
    /// said to be taken on another terminal.
    pub fn commit(&mut self, prepared: Prepared) -> CoreResult<Committed> {
        if self.card_goes_through_terminal(&prepared) {
            return Err(CoreError::Invalid(
                "this till's card terminal takes card payments: pay by card-terminal, or say why the card was taken on another terminal (--external-card REASON)".into(),
            ));
        }
        self.record_sale(prepared.draft, &prepared.before, None)
    }

    /// Whether `prepared` takes or refunds a card that this till's card
    /// terminal must handle (it has one, and no other terminal was named).
    pub fn card_goes_through_terminal(&self, prepared: &Prepared) -> bool {
        !prepared.on_card().is_zero() && prepared.draft.card_via.is_none() && self.devices.card_terminal.is_some()
    }

    /// [`Terminal::commit_sale_paid`] up to the writing: the sale priced and
    /// its payment checked.
    pub fn prepare_sale(
        &mut self,
        actor: &Operator,
        cart: &Cart,
        tenders: &[Tender],
        cards: &[CardUse],
    ) -> CoreResult<Prepared> {
        if cart.is_empty() {
            return Err(CoreError::EmptyCart);
        }
        let totals = self.cart_totals(cart)?;
        let order = self.order_of_cart(cart)?;
        if tenders.iter().any(|t| t.kind == TenderKind::Prepaid) {
            return Err(CoreError::Invalid("only what an order paid ahead is paid by “prepaid”".into()));
        }
        // What an order paid ahead covers first; the rest is paid here.
        let prepaid = order.as_ref().map_or(Money::ZERO, |o| o.prepaid_left.min(totals.total));
        let to_pay = totals.total - prepaid;
        if let Some(order) = order.as_ref().filter(|_| !prepaid.is_zero()) {
            if to_pay.is_zero() && !tenders.is_empty() {
                return Err(CoreError::Invalid(format!(
                    "order {} is paid already: hand it over without taking payment",
                    order.number
                )));
            }
            if !to_pay.is_zero() && tenders.is_empty() {
                return Err(CoreError::Invalid(format!(
                    "order {}: {prepaid} was paid ahead, {to_pay} is still to pay",
                    order.number
                )));
            }
        }
        self.check_credit_payments(cart.customer.as_deref(), tenders, cards)?;
        let mut tenders = tenders.to_vec();
        let on_cards: Money = cards.iter().map(|c| c.amount).sum();
        if !on_cards.is_zero() {
            tenders.push(Tender { kind: TenderKind::GiftCard, amount: on_cards });
        }
        let mut settlement = settle(to_pay, &tenders, self.settings.cash_increment)?;
        if !prepaid.is_zero() {
            settlement.payments.insert(0, Tender { kind: TenderKind::Prepaid, amount: prepaid });
        }
        let movements =
            cart.lines.iter().map(|l| StockMovement::outgoing(&l.sku, l.qty, MovementReason::Sale)).collect();
        let draft = Draft {
            kind: SaleKind::Sale,
            cashier: actor.name.clone(),
            lines: line_records(&cart.lines, &totals),
            totals,
            settlement,
            original_receipt: None,
            movements,
            customer: cart.customer.clone(),
            order: cart.order.clone(),
            coupons: cart.coupons.clone(),
            gift_cards: cards.to_vec(),
            invoice: self.invoice_to(cart.customer.as_deref())?,
            card_via: None,
        };
        let before: Vec<Event> = cart.approvals.iter().map(|a| a.event()).collect();
        Ok(Prepared { draft, before })
    }

    /// What the customer pays at the counter for `cart`: its total, less
    /// what the order it hands over paid ahead.
    pub fn amount_to_pay(&self, cart: &Cart) -> CoreResult<Money> {
        let total = self.cart_totals(cart)?.total;
        let order = self.order_of_cart(cart)?;
        Ok(total - order.map_or(Money::ZERO, |o| o.prepaid_left.min(total)))
    }

    /// Writes a sale or return and the events before it in one transaction;
    /// with the card terminal's payment `attempt` it paid, that payment is
    /// marked approved in the same transaction.
    pub(crate) fn record_sale(
        &mut self,
        draft: Draft,
        before: &[Event],
        attempt: Option<i64>,
    ) -> CoreResult<Committed> {
        let printing = self.devices.printer.is_some();
        // Offline moves on credit count against the offline limits.
        let on_credit =
            !draft.gift_cards.is_empty() || draft.settlement.payments.iter().any(|p| p.kind == TenderKind::Account);
        let offline = on_credit && self.is_offline()?;
        // A card the terminal approved (even one recovered after training
        // was switched on) was real money: never a training sale.
        let training = self.training && attempt.is_none();
        let tx = self.begin_journaled(before)?;
        // A card the terminal approved is recorded even if the session
        // turned 24 hours old meanwhile: the money was taken.
        let session_id = match attempt {
            Some(_) => open_session_id(&tx)?.ok_or(CoreError::NoOpenSession)?,
            None => selling_session_id(&tx, tx.at_ms)?,
        };
        let number = next_counter(&tx, if training { "training" } else { "receipt" })?;
        let Draft {
            kind,
            cashier,
            lines,
            totals,
            settlement,
            original_receipt,
            movements,
            customer,
            order,
            coupons,
            gift_cards,
            mut invoice,
            card_via,
        } = draft;
        if let Some(invoice) = &mut invoice {
            invoice.number = format!("INV-{}-{:06}", tx.terminal(), next_counter(&tx, "invoice")?);
        }
        let record = Box::new(SaleRecord {
            receipt_no: ReceiptNo::new(tx.terminal().clone(), number),
            kind,
            session_id,
            cashier,
            lines,
            subtotal: totals.subtotal,
            discount: totals.discount,
            taxes: totals.taxes,
            tax: totals.tax,
            total: totals.total,
            payments: settlement.payments,
            cash_tendered: settlement.cash_tendered,
            change: settlement.change,
            cash_rounding: settlement.cash_rounding,
            original_receipt,
            movements,
            customer,
            order,
            coupons,
            gift_cards,
            invoice,
            card_via,
        });
        if training {
            return crate::training::record(tx, *record, printing);
        }
        let event = Event::Sale(record);
        let appended = tx.append(&event)?;
        let Event::Sale(record) = event else { unreachable!("built as a sale above") };
        let at_ms = tx.at_ms;
        insert_sale(&tx, &record, appended.seq, at_ms)?;
        record_sale_moves(&tx, &record, appended.seq, at_ms, offline)?;
        if let Some(attempt) = attempt {
            crate::card_payment::mark_approved(&tx, attempt, appended.seq, at_ms)?;
        }
        if printing {
            let kick = takes_cash(&record.payments);
            enqueue(&tx, JobKind::Receipt, &record.receipt_no.to_string(), kick, at_ms)?;
        }
        tx.commit()?;
        Ok(Committed { record: *record, seq: appended.seq, at_ms, training: false })
    }

    /// The invoice a sale to `customer` is: theirs when they have a VAT
    /// number (a business), numbered when written.
    fn invoice_to(&self, customer: Option<&str>) -> CoreResult<Option<Invoice>> {
        let Some(code) = customer else { return Ok(None) };
        Ok(self
            .conn
            .prepare_cached(
                "SELECT name, vat_number, address, terms_days FROM customers WHERE code = ?1 AND vat_number IS NOT NULL",
            )?
            .query_row([code], |r| {
                Ok(Invoice {
                    number: String::new(),
                    name: r.get(0)?,
                    vat_number: r.get(1)?,
                    address: r.get(2)?,
                    terms_days: r.get(3)?,
                })
            })
            .optional()?)
    }

    /// Abandons a cart before payment; the void and its approvals are journaled.
    pub fn void_cart(&mut self, actor: &Operator, cart: Cart) -> CoreResult<()> {
        if cart.is_empty() && cart.approvals.is_empty() {
            return Ok(());
        }
        let total = self.cart_totals(&cart).map(|t| t.total).unwrap_or_default();
        let approvals: Vec<Event> = cart.approvals.iter().map(|a| a.event()).collect();
        let tx = self.begin_journaled(&approvals)?;
        let session_id = open_session_id(&tx)?.ok_or(CoreError::NoOpenSession)?;
        let voided = Event::SaleVoided { session_id, by: actor.name.clone(), lines: cart.lines.len() as u32, total };
        tx.append(&voided)?;
        tx.commit()
    }
}
