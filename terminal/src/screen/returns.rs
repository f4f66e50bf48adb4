//! Returns: scan the receipt's code or type its number, pick lines and
//! quantities (never more than is left), choose the refund tender; without
//! a receipt, scan the items and a manager approves.

use iced::widget::{Column, button, checkbox, column, container, row, scrollable, text, text_input};
use iced::{Element, Fill};
use pos_shared::ids::ReceiptNo;
use pos_shared::journal::SaleRecord;
use pos_shared::money::Money;
use pos_shared::quantity::Quantity;
use pos_shared::returns::ReturnableLine;
use pos_shared::tender::{Tender, TenderKind};

use super::{Action, Retry, attempt};
use crate::app::style;
use crate::returns::{ReturnItem, ReturnRequest};
use crate::users::Credentials;
use crate::{Operator, Terminal};

pub const RETURN_FIELD: &str = "return";

/// The same request, approved by a manager.
pub fn approved(request: &ReturnRequest, approver: Credentials) -> ReturnRequest {
    ReturnRequest { approver: Some(approver), ..request.clone() }
}

#[derive(Debug, Clone)]
pub enum Message {
    Input(String),
    Submit,
    More(usize),
    Less(usize),
    Refund(Option<TenderKind>),
    Damaged(bool),
    Confirm,
    Back,
}

#[derive(Debug, Default)]
pub struct Returns {
    input: String,
    original: Option<(SaleRecord, Vec<ReturnableLine>)>,
    /// Thousandths picked per original line.
    picked: Vec<i64>,
    /// Items scanned for a return without a receipt.
    loose: Vec<ReturnItem>,
    refund: Option<TenderKind>,
    damaged: bool,
    /// What will be given back, shown before anything is recorded.
    review: Option<Vec<Tender>>,
    /// The card refund the card terminal is asked for.
    refunding: Option<Money>,
    error: Option<String>,
}

impl Returns {
    /// What the screen's field holds (a stray key is added to it).
    pub fn field_text(&self) -> &str {
        &self.input
    }

    /// The refund shown for review before it is recorded, if any.
    pub fn refund_due(&self) -> Option<Money> {
        self.review.as_ref().map(|tenders| tenders.iter().map(|t| t.amount).sum())
    }

    fn request(&self) -> ReturnRequest {
        let items = match &self.original {
            Some((sale, _)) => sale
                .lines
                .iter()
                .zip(&self.picked)
                .filter(|(_, milli)| **milli > 0)
                .map(|(line, milli)| ReturnItem {
                    code: line.sku.clone(),
                    line: Some(line.line_no),
                    qty: Some(Quantity::from_milli(*milli).value()),
                })
                .collect(),
            None => self.loose.clone(),
        };
        ReturnRequest {
            original: self.original.as_ref().map(|(sale, _)| sale.receipt_no.clone()),
            items,
            damaged: self.damaged,
            refund_to: self.refund,
            store_credit: None,
            approver: None,
        }
    }

    /// Records the return; a refusal for want of a manager asks for one.
    /// With a card terminal at the till, a refund to a card goes through
    /// it first: the return is written when the terminal approves.
    pub fn commit(&mut self, terminal: &mut Terminal, operator: &Operator, request: ReturnRequest) -> Action {
        let retry = request.clone();
        let prepared = terminal.prepare_return(operator, request);
        if prepared.as_ref().is_ok_and(|p| terminal.card_goes_through_terminal(p)) {
            return match prepared.and_then(|p| terminal.start_card_payment(p)) {
                Ok(attempt) => {
                    self.refunding = Some(attempt.amount);
                    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                    Action::AskCardTerminal { attempt, cancel }
                }
                Err(e) => {
                    self.error = Some(e.to_string());
                    Action::None
                }
            };
        }
        let committed = prepared.and_then(|p| terminal.commit(p));
        match attempt(committed, || Retry::Return(Box::new(retry)), &mut self.error) {
            Ok(committed) => Action::ToReceipt(Box::new(committed)),
            Err(action) => action,
        }
    }

    /// The card terminal answered the refund: the return is written, or why not.
    pub fn card_settled(&mut self, settled: crate::CoreResult<crate::card_payment::CardOutcome>) -> Action {
        self.refunding = None;
        self.review = None;
        match settled {
            Ok(crate::card_payment::CardOutcome::Paid(committed)) => Action::ToReceipt(committed),
            Ok(crate::card_payment::CardOutcome::Refused(why)) => {
                self.error = Some(format!("Card refund not given: {why}"));
                Action::None
            }
            Err(e) => {
                self.error = Some(e.to_string());
                Action::None
            }
        }
    }

    /// Loads `receipt` and what is left to return of it.
    pub fn load(&mut self, terminal: &Terminal, receipt: &ReceiptNo) {
        match terminal.returnable_lines(receipt) {
            Ok((sale, lines)) => {
                self.picked = vec![0; lines.len()];
                self.original = Some((sale, lines));
                self.loose.clear();
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// A product scanned with a receipt loaded: one more of the first line
    /// of it with something left to return.
    fn pick_scanned(&mut self, sku: &str) {
        let Some((sale, lines)) = &self.original else { return };
        let line = (0..sale.lines.len())
            .find(|&i| sale.lines[i].sku == sku && self.picked[i] + self.step(i) <= lines[i].remaining_milli());
        match line {
            Some(i) => {
                self.picked[i] += self.step(i);
                self.error = None;
            }
            None => self.error = Some(format!("nothing more of {sku} to return on this receipt")),
        }
    }

    fn step(&self, line: usize) -> i64 {
        self.original.as_ref().map_or(1000, |(sale, _)| if sale.lines[line].unit.is_measured() { 100 } else { 1000 })
    }

    pub fn update(&mut self, terminal: &mut Terminal, operator: &Operator, message: Message) -> Action {
        if self.refunding.is_some() {
            // The card terminal has the refund: nothing changes until it answers.
            return Action::None;
        }
        // Any change to the return means the amount must be seen again.
        if !matches!(message, Message::Confirm | Message::Input(_)) {
            self.review = None;
        }
        match message {
            Message::Input(text) => self.input = text,
            Message::Submit => {
                let typed = std::mem::take(&mut self.input);
                let typed = typed.trim();
                if let Ok(receipt) = typed.parse::<ReceiptNo>() {
                    self.load(terminal, &receipt);
                } else if !typed.is_empty() {
                    match terminal.find_code(typed) {
                        Ok(found) if self.original.is_some() => self.pick_scanned(&found.product.sku),
                        Ok(found) => self.loose.push(ReturnItem { code: found.product.sku, ..ReturnItem::default() }),
                        Err(e) => self.error = Some(e.to_string()),
                    }
                }
            }
            Message::More(line) => {
                let step = self.step(line);
                if let Some((_, lines)) = &self.original {
                    let left = lines[line].remaining_milli();
                    self.picked[line] = (self.picked[line] + step).min(left);
                }
            }
            Message::Less(line) => {
                let step = self.step(line);
                if let Some(picked) = self.picked.get_mut(line) {
                    *picked = (*picked - step).max(0);
                }
            }
            Message::Refund(kind) => self.refund = kind,
            Message::Damaged(damaged) => self.damaged = damaged,
            Message::Confirm if self.review.is_some() => return self.commit(terminal, operator, self.request()),
            Message::Confirm => match terminal.refund_preview(&self.request()) {
                Ok(tenders) => {
                    self.review = Some(tenders);
                    self.error = None;
                }
                Err(e) => self.error = Some(e.to_string()),
            },
            Message::Back => return Action::ToSale(None),
        }
        Action::None
    }

    pub fn view(&self) -> Element<'_, Message> {
        let field = text_input("Scan the receipt's code or type its number; no receipt: scan the items", &self.input)
            .id(RETURN_FIELD)
            .on_input(Message::Input)
            .on_submit(Message::Submit)
            .size(style::LARGE)
            .padding(12);
        let mut lines = Column::new().spacing(6);
        match &self.original {
            Some((sale, returnable)) => {
                lines = lines.push(text(format!("Receipt {} by {}", sale.receipt_no, sale.cashier)).size(style::LARGE));
                for (i, (line, left)) in sale.lines.iter().zip(returnable).enumerate() {
                    let picked = Quantity::from_milli(self.picked[i].max(1)).display();
                    let picked = if self.picked[i] == 0 { "0".to_string() } else { picked };
                    let remaining = Quantity::from_milli(left.remaining_milli().max(1)).display();
                    let remaining = if left.remaining_milli() == 0 { "0".to_string() } else { remaining };
                    lines = lines.push(
                        row![
                            text(format!(
                                "{} ({} sold for {}, {remaining} left)",
                                line.name,
                                line.qty.display(),
                                line.net
                            ))
                            .size(style::TEXT)
                            .width(Fill),
                            button(text(" - ").size(style::LARGE)).on_press(Message::Less(i)),
                            text(picked).size(style::LARGE).font(style::MONO).width(70),
                            button(text(" + ").size(style::LARGE)).on_press(Message::More(i)),
                        ]
                        .spacing(style::GAP),
                    );
                }
            }
            None if self.loose.is_empty() => lines = lines.push(text("No receipt loaded.").size(style::TEXT)),
            None => {
                lines = lines.push(text("Without a receipt (a manager approves):").size(style::TEXT));
                for item in &self.loose {
                    lines = lines.push(text(format!("1 x {}", item.code)).size(style::TEXT));
                }
            }
        }
        let refund = |label: &str, kind: Option<TenderKind>| {
            let chosen = self.refund == kind;
            button(text(label.to_string()).size(style::TEXT))
                .style(if chosen { button::primary } else { button::secondary })
                .on_press(Message::Refund(kind))
        };
        let mut page = column![
            text("Returns").size(style::HUGE),
            field,
            container(scrollable(lines).height(Fill).spacing(6))
                .padding(12)
                .width(Fill)
                .height(Fill)
                .style(style::panel),
            row![
                text("Refund to").size(style::TEXT),
                refund("Original tender", None),
                refund("Cash", Some(TenderKind::Cash)),
                refund("Card", Some(TenderKind::Card)),
                refund("Other", Some(TenderKind::Other)),
            ]
            .spacing(style::GAP),
            checkbox(self.damaged).label("Damaged: do not put back into stock").on_toggle(Message::Damaged),
        ]
        .spacing(style::GAP * 1.5);
        if let Some(error) = &self.error {
            page = page.push(container(text(error).size(style::TEXT)).padding(10).width(Fill).style(style::error));
        }
        let ready = !self.request().items.is_empty();
        // Giving back takes the other side from where "Refund" was, so a
        // double tap cannot pay out.
        let buttons = match (&self.review, self.refunding) {
            (_, Some(amount)) => {
                page = page.push(
                    container(
                        text(format!("Refunding {amount} on the card terminal: the customer presents their card"))
                            .size(style::LARGE),
                    )
                    .padding(12)
                    .width(Fill)
                    .style(style::warning),
                );
                row![]
            }
            (None, _) => row![
                style::key_button("Esc", "Back", Some(Message::Back)),
                style::primary_button("F12", "Refund…", ready.then_some(Message::Confirm)),
            ],
            (Some(tenders), None) => {
                let total: Money = tenders.iter().map(|t| t.amount).sum();
                let how = tenders.iter().map(|t| format!("{} {}", t.kind, t.amount)).collect::<Vec<_>>().join(", ");
                page = page.push(
                    container(text(format!("Give back {total}: {how}")).size(style::LARGE))
                        .padding(12)
                        .width(Fill)
                        .style(style::warning),
                );
                row![
                    style::primary_button("F12", &format!("Give back {total}"), Some(Message::Confirm)),
                    style::key_button("", "Change the return", Some(Message::Refund(self.refund))),
                ]
            }
        };
        page = page.push(buttons.spacing(style::GAP));
        page.padding(20).into()
    }
}
