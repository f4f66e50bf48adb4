//! Payment: cash with quick amounts and the change shown big, card, other,
//! a gift card (scanned), the customer's account, split between them;
//! confirming commits the sale. With a card terminal at the till, the card
//! key sends what is left to it and the screen waits, with a cancel, until
//! the terminal answers (an approval commits the sale); a card keyed on
//! another terminal needs the reason typed first.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use iced::widget::{Column, button, column, container, row, text, text_input};
use iced::{Element, Fill};
use pos_shared::money::Money;
use pos_shared::tender::{CardUse, Tender, TenderKind, cash_amount_due, masked_card, settle};

use super::{Action, to_receipt};
use crate::app::style;
use crate::card_payment::{CardAttempt, CardOutcome};
use crate::{Cart, Operator, Terminal};

pub const AMOUNT_FIELD: &str = "amount";

#[derive(Debug, Clone)]
pub enum Message {
    Input(String),
    /// Enter: the typed amount as cash, or confirm when paid.
    Submit,
    Quick(Money),
    Tender(TenderKind),
    /// The field now takes a gift card's number (scanned or typed).
    GiftCard,
    Remove(usize),
    Confirm,
    Back,
    /// What is left, through the till's card terminal.
    CardTerminal,
    /// Stop waiting for the card: the terminal is told to abort.
    CancelCard,
    /// The terminal's answer was lost: ask it what became of the payment.
    AskAgain,
    /// What is left by card on another terminal, the field saying why.
    OtherTerminal,
}

#[derive(Debug)]
pub struct Payment {
    pub cart: Cart,
    due: Money,
    tenders: Vec<Tender>,
    /// What gift cards pay, each within what it holds.
    cards: Vec<CardUse>,
    /// The field holds a gift card's number, not an amount.
    card_entry: bool,
    input: String,
    /// An implausible amount the cashier was asked to confirm.
    asked: Option<Money>,
    error: Option<String>,
    /// The card payment the terminal is asked for, and its cancel.
    waiting: Option<(CardAttempt, Arc<AtomicBool>)>,
    /// The terminal's answer to it was lost: nothing else is taken until
    /// the terminal says what became of it.
    lost: bool,
    /// Why the card was keyed on another terminal.
    external: Option<String>,
}

/// Whether `amount` handed over for `left` looks like a slip: more than the
/// next 500 above it and more than ten times it.
fn implausible(amount: Money, left: Money) -> bool {
    amount > left + Money::from_minor(50_000) && amount.minor() > left.minor().saturating_mul(10)
}

impl Payment {
    /// What the screen's field holds (a stray key is added to it).
    pub fn field_text(&self) -> &str {
        &self.input
    }

    /// What the customer pays at the counter.
    pub fn due(&self) -> Money {
        self.due
    }

    /// What is still to pay.
    pub fn left(&self) -> Money {
        (self.due - self.paid()).max(Money::ZERO)
    }

    /// Whether the field waits for a gift card's number (a scan goes there).
    pub fn takes_card(&self) -> bool {
        self.card_entry
    }

    pub fn new(terminal: &Terminal, cart: Cart) -> Payment {
        let due = terminal.amount_to_pay(&cart).unwrap_or_default();
        Payment {
            cart,
            due,
            tenders: Vec::new(),
            cards: Vec::new(),
            card_entry: false,
            input: String::new(),
            asked: None,
            error: None,
            waiting: None,
            lost: false,
            external: None,
        }
    }

    /// Whether the screen waits for the card terminal.
    pub fn waits_for_card(&self) -> bool {
        self.waiting.is_some()
    }

    /// The card payment the screen waits for, if any.
    pub fn card_attempt(&self) -> Option<&CardAttempt> {
        self.waiting.as_ref().map(|(attempt, _)| attempt)
    }

    /// What became of card payment `attempt`: this sale's is written (the
    /// receipt), refused (why), or still unknown (the screen stays on it
    /// until the terminal is asked again). Another payment a crash left open
    /// is only said.
    pub fn card_settled(&mut self, attempt: &CardAttempt, settled: crate::CoreResult<CardOutcome>) -> Action {
        if self.card_attempt() != Some(attempt) {
            self.error = Some(match settled {
                Ok(CardOutcome::Paid(c)) => format!(
                    "The card payment of {} left open had been approved: receipt {} is written. This sale is not paid yet.",
                    attempt.amount, c.record.receipt_no
                ),
                Ok(CardOutcome::Refused(why)) => {
                    format!(
                        "The card payment of {} left open was not paid ({why}); press Card terminal again",
                        attempt.amount
                    )
                }
                Err(e) => e.to_string(),
            });
            return Action::None;
        }
        match settled {
            Ok(CardOutcome::Paid(committed)) => {
                self.waiting = None;
                Action::ToReceipt(committed)
            }
            Ok(CardOutcome::Refused(why)) => {
                self.waiting = None;
                self.lost = false;
                self.error = Some(format!("Card not paid: {why}"));
                Action::None
            }
            Err(e) => {
                self.lost = true;
                self.error = Some(e.to_string());
                Action::None
            }
        }
    }

    /// Sends what is left to the card terminal: the sale is written down
    /// with it, and committed when the terminal approves.
    fn card_terminal(&mut self, terminal: &mut Terminal, operator: &Operator) -> Action {
        // A payment a crash or a lost answer left open is settled first.
        if let Ok(Some(open)) = terminal.unresolved_card_payment() {
            return Action::AskCardTerminalAgain(open);
        }
        let left = self.remaining(terminal, TenderKind::Card);
        if left.is_zero() {
            self.error = Some("nothing left to pay".into());
            return Action::None;
        }
        let mut tenders = self.tenders.clone();
        tenders.push(Tender { kind: TenderKind::Card, amount: left });
        let started = terminal
            .prepare_sale(operator, &self.cart, &tenders, &self.cards)
            .and_then(|prepared| terminal.start_card_payment(prepared));
        match started {
            Ok(attempt) => {
                let cancel = Arc::new(AtomicBool::new(false));
                self.waiting = Some((attempt.clone(), cancel.clone()));
                self.error = None;
                Action::AskCardTerminal { attempt, cancel }
            }
            Err(e) => {
                self.error = Some(e.to_string());
                Action::None
            }
        }
    }

    /// What is left, by card on another terminal: the field says why.
    fn other_terminal(&mut self, terminal: &Terminal) {
        let reason = self.input.trim().to_string();
        if !reason.chars().any(char::is_alphabetic) {
            self.error = Some(
                "Type why the card is taken on another terminal (words, not an amount), then press Other terminal"
                    .into(),
            );
            return;
        }
        let left = self.remaining(terminal, TenderKind::Card);
        if left.is_zero() {
            self.error = Some("nothing left to pay".into());
            return;
        }
        self.tenders.push(Tender { kind: TenderKind::Card, amount: left });
        self.external = Some(reason);
        self.input.clear();
        self.error = None;
    }

    fn paid(&self) -> Money {
        self.tenders.iter().map(|t| t.amount).sum::<Money>() + self.cards.iter().map(|c| c.amount).sum::<Money>()
    }

    /// Every payment so far as tenders: the gift cards' as one.
    fn all_tenders(&self) -> Vec<Tender> {
        let on_cards: Money = self.cards.iter().map(|c| c.amount).sum();
        let mut all = self.tenders.clone();
        if !on_cards.is_zero() {
            all.push(Tender { kind: TenderKind::GiftCard, amount: on_cards });
        }
        all
    }

    /// The card the field names pays what is left, or what it holds when
    /// less; a card the till cannot take says why.
    fn add_card(&mut self, terminal: &Terminal) {
        let card = self.input.trim().to_string();
        let left = self.remaining(terminal, TenderKind::GiftCard);
        let already: Money = self.cards.iter().filter(|c| c.card == card).map(|c| c.amount).sum();
        let held = terminal.known_balance(&pos_shared::journal::Credit::GiftCard(card.clone()));
        let amount = match held {
            Ok(Some(held)) => left.min(held - already),
            Ok(None) | Err(_) => left,
        };
        let used = CardUse { card, amount };
        match terminal.check_gift_card(&used, already) {
            Ok(()) if amount <= Money::ZERO => {
                self.input.clear();
                let shown = masked_card(&used.card);
                self.error = Some(if already.is_zero() {
                    format!("gift card {shown} is empty")
                } else {
                    format!("gift card {shown} already pays {already} of this sale: all it holds")
                });
            }
            Ok(()) => {
                self.cards.push(used);
                self.card_entry = false;
                self.input.clear();
                self.error = None;
            }
            Err(e) => {
                // A wrong scan leaves the field empty for the next one.
                self.input.clear();
                self.error = Some(e.to_string());
            }
        }
    }

    /// What is left to pay, by the tender about to be used.
    fn remaining(&self, terminal: &Terminal, kind: TenderKind) -> Money {
        let left = (self.due - self.paid()).max(Money::ZERO);
        if kind == TenderKind::Cash { cash_amount_due(left, terminal.settings().cash_increment) } else { left }
    }

    fn add(&mut self, terminal: &Terminal, kind: TenderKind) {
        let typed = self.input.trim();
        let amount = if typed.is_empty() {
            Ok(self.remaining(terminal, kind))
        } else {
            Money::parse_non_negative(typed).map_err(|e| e.to_string())
        };
        // What goes on account must fit the customer's credit limit.
        let on_account: Money = self.tenders.iter().filter(|t| t.kind == TenderKind::Account).map(|t| t.amount).sum();
        let amount = amount.and_then(|amount| match kind {
            TenderKind::Account => terminal
                .check_account_charge(self.cart.customer.as_deref(), on_account + amount)
                .map(|()| amount)
                .map_err(|e| e.to_string()),
            _ => Ok(amount),
        });
        let left = self.remaining(terminal, kind);
        match amount {
            Ok(amount) if amount.is_zero() => self.error = Some("nothing left to pay".into()),
            // Far more cash than anyone hands over for this: a slip of the
            // finger until the cashier says it again.
            Ok(amount) if implausible(amount, left) && self.asked != Some(amount) => {
                self.asked = Some(amount);
                self.error = Some(format!("{amount} handed over for {left}? Press Enter again if it is right"));
            }
            Ok(amount) => {
                self.asked = None;
                self.tenders.push(Tender { kind, amount });
                self.input.clear();
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn confirm(&mut self, terminal: &mut Terminal, operator: &Operator) -> Action {
        let committed = terminal.prepare_sale(operator, &self.cart, &self.tenders, &self.cards).and_then(|prepared| {
            match &self.external {
                Some(reason) if !prepared.on_card().is_zero() => terminal.commit(prepared.external_card(reason)?),
                _ => terminal.commit(prepared),
            }
        });
        to_receipt(committed, &mut self.error)
    }

    /// Whether the attached customer may pay on account here.
    fn has_account(&self, terminal: &Terminal) -> bool {
        self.cart.customer.as_ref().is_some_and(|c| terminal.account(c).ok().flatten().is_some())
    }

    pub fn update(&mut self, terminal: &mut Terminal, operator: &Operator, message: Message) -> Action {
        if let Some((attempt, cancel)) = &self.waiting {
            // Waiting for the card: only a cancel (or Esc) does anything;
            // once its answer is lost, only asking the terminal again.
            return match message {
                Message::AskAgain | Message::Submit | Message::Confirm if self.lost => {
                    self.error = None;
                    Action::AskCardTerminalAgain(attempt.clone())
                }
                Message::CancelCard | Message::Back if !self.lost => {
                    cancel.store(true, Ordering::SeqCst);
                    Action::None
                }
                _ => Action::None,
            };
        }
        match message {
            Message::Input(text) => self.input = text,
            // Enter on an empty card field leaves it; when all is paid, it confirms.
            Message::Submit if self.card_entry && self.input.trim().is_empty() => {
                self.card_entry = false;
                self.error = None;
                if self.paid() >= self.due {
                    return self.confirm(terminal, operator);
                }
            }
            Message::Submit if self.card_entry => self.add_card(terminal),
            Message::Submit if self.input.trim().is_empty() && self.paid() >= self.due => {
                return self.confirm(terminal, operator);
            }
            Message::Submit => self.add(terminal, TenderKind::Cash),
            Message::GiftCard => {
                self.card_entry = true;
                self.error = None;
                if !self.input.trim().is_empty() {
                    self.add_card(terminal);
                }
            }
            Message::Quick(amount) if amount.is_zero() => {}
            Message::Quick(amount) => {
                self.tenders.push(Tender { kind: TenderKind::Cash, amount });
                self.error = None;
            }
            Message::Tender(kind) => self.add(terminal, kind),
            Message::Remove(i) if i < self.tenders.len() => {
                self.tenders.remove(i);
            }
            Message::Remove(i) if i - self.tenders.len() < self.cards.len() => {
                self.cards.remove(i - self.tenders.len());
            }
            Message::Remove(_) => {}
            Message::Confirm => return self.confirm(terminal, operator),
            Message::Back => return Action::ToSale(Some(Box::new(self.cart.clone()))),
            Message::CardTerminal => return self.card_terminal(terminal, operator),
            Message::CancelCard | Message::AskAgain => {}
            Message::OtherTerminal => self.other_terminal(terminal),
        }
        Action::None
    }

    /// Exact cash, then the next round notes above it; none once paid.
    fn quick_amounts(&self, terminal: &Terminal) -> Vec<Money> {
        let exact = self.remaining(terminal, TenderKind::Cash);
        if exact.is_zero() {
            return Vec::new();
        }
        let mut amounts = vec![exact];
        for note in [5, 10, 20, 50, 100, 200] {
            let note = Money::from_minor(note * 100);
            let next = Money::from_minor((exact.minor() / note.minor() + 1) * note.minor());
            if next > exact && !amounts.contains(&next) && amounts.len() < 5 {
                amounts.push(next);
            }
        }
        amounts
    }

    /// Card (through the till's terminal and on another one, when it has
    /// one), other and cash.
    fn card_keys(&self, terminal: &Terminal, ready: bool) -> iced::widget::Row<'_, Message> {
        let open = |message: Message| (!ready).then_some(message);
        let keys = if terminal.devices().card_terminal.is_some() {
            row![
                style::key_button("", "Card terminal", open(Message::CardTerminal)),
                style::key_button("", "Other terminal", open(Message::OtherTerminal)),
            ]
        } else {
            row![style::key_button("", "Card", open(Message::Tender(TenderKind::Card)))]
        };
        keys.push(style::key_button("", "Other / voucher", open(Message::Tender(TenderKind::Other))))
            .push(style::key_button("", "Cash", open(Message::Tender(TenderKind::Cash))))
            .spacing(style::GAP)
    }

    /// The screen while the card terminal is asked: the amount, what the
    /// customer does, and the cancel; once the answer is lost, the key that
    /// asks the terminal again (and no other payment).
    fn waiting_view(&self, attempt: &CardAttempt) -> Element<'_, Message> {
        let cancelling = self.waiting.as_ref().is_some_and(|(_, c)| c.load(Ordering::SeqCst));
        let (said, key) = match (self.lost, cancelling) {
            (true, _) => (
                "The terminal did not say what became of this payment: ask it again before taking any other payment",
                style::primary_button("Enter", "Ask the terminal again", Some(Message::AskAgain)),
            ),
            (false, true) => {
                ("Cancelling on the terminal...", style::key_button("Esc", "Cancel the card payment", None))
            }
            (false, false) => (
                "Insert, tap or swipe the card on the terminal",
                style::key_button("Esc", "Cancel the card payment", Some(Message::CancelCard)),
            ),
        };
        let mut page = column![
            text(format!("Total {}", self.due)).size(style::LARGE),
            text("CARD TERMINAL").size(style::LARGE),
            text(attempt.amount.to_string()).size(style::HUGE * 1.6).font(style::MONO),
            text(said).size(style::TEXT),
            key,
        ]
        .spacing(style::GAP * 1.5)
        .padding(20);
        if let Some(error) = self.error.as_ref().filter(|_| self.lost) {
            page = page.push(container(text(error).size(style::TEXT)).padding(10).width(Fill).style(style::error));
        }
        page.into()
    }

    pub fn view<'a>(&'a self, terminal: &Terminal) -> Element<'a, Message> {
        if let Some((attempt, _)) = &self.waiting {
            return self.waiting_view(attempt);
        }
        let settled = settle(self.due, &self.all_tenders(), terminal.settings().cash_increment);
        let (status, big) = match &settled {
            Ok(s) if !s.change.is_zero() => ("CHANGE DUE".to_string(), s.change.to_string()),
            Ok(_) => ("NOTHING LEFT TO PAY".to_string(), "0.00".to_string()),
            Err(_) => ("TO PAY".to_string(), (self.due - self.paid()).max(Money::ZERO).to_string()),
        };
        let ready = settled.is_ok();
        let hint =
            if self.card_entry { "Scan or type the gift card's number" } else { "Amount handed over (Enter = cash)" };
        let field = text_input(hint, &self.input)
            .id(AMOUNT_FIELD)
            .on_input(Message::Input)
            .on_submit(Message::Submit)
            .size(style::LARGE)
            .padding(12);
        let mut quick = row![].spacing(style::GAP);
        for amount in self.quick_amounts(terminal) {
            quick = quick.push(style::key_button("", &format!("Cash {amount}"), Some(Message::Quick(amount))));
        }
        let mut given = Column::new().spacing(4);
        let shown = self.tenders.iter().map(|t| (t.kind.label().to_string(), t.amount));
        let cards = self.cards.iter().map(|c| (format!("Gift card {}", masked_card(&c.card)), c.amount));
        for (i, (label, amount)) in shown.chain(cards).enumerate() {
            given = given.push(
                row![
                    text(label).size(style::TEXT).width(Fill),
                    text(amount.to_string()).size(style::TEXT).font(style::MONO),
                    button(text("remove")).on_press(Message::Remove(i)).style(button::text),
                ]
                .spacing(style::GAP),
            );
        }
        let mut left = column![
            text(format!("Total {}", self.due)).size(style::LARGE),
            text(status).size(style::LARGE),
            text(big).size(style::HUGE * 1.6).font(style::MONO),
            field,
            quick,
            self.card_keys(terminal, ready),
            row![
                style::key_button("", "Gift card", (!ready).then_some(Message::GiftCard)),
                style::key_button(
                    "",
                    "On account",
                    (!ready && self.has_account(terminal)).then_some(Message::Tender(TenderKind::Account))
                ),
            ]
            .spacing(style::GAP),
        ]
        .spacing(style::GAP * 1.5);
        if !self.tenders.is_empty() || !self.cards.is_empty() {
            left = left.push(container(given).padding(10).width(Fill).style(style::panel));
        }
        if let Some(error) = &self.error {
            left = left.push(container(text(error).size(style::TEXT)).padding(10).width(Fill).style(style::error));
        }
        let right = column![
            style::key_button("Esc", "Back to the sale", Some(Message::Back)),
            style::primary_button("Enter", "Confirm", ready.then_some(Message::Confirm)),
        ]
        .spacing(style::GAP);
        row![left.width(iced::FillPortion(3)), right.width(iced::FillPortion(1))].spacing(20).padding(20).into()
    }
}
