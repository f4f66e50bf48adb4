//! Gift cards and payments on account at the counter: the card scanned (or
//! the customer named), the amount typed, paid in cash, card or other. One
//! field takes each step, so a scanner's number lands where it belongs.

use iced::widget::{column, container, row, text, text_input};
use iced::{Element, Fill};
use pos_shared::journal::Credit as Target;
use pos_shared::money::Money;
use pos_shared::tender::{Tender, TenderKind, check_card_number, masked_card};

use super::Action;
use crate::app::style;
use crate::{Operator, Terminal};

pub const CREDIT_FIELD: &str = "credit";

/// What the screen sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    GiftCard,
    Account,
}

#[derive(Debug, Clone)]
pub enum Message {
    Input(String),
    Submit,
    Kind(Kind),
    Tender(TenderKind),
    Back,
}

#[derive(Debug)]
pub struct Credit {
    kind: Kind,
    /// The card or the customer, once the field named one.
    target: Option<(Target, String)>,
    amount: Option<Money>,
    input: String,
    error: Option<String>,
    /// What the last one sold, for the cashier to read out.
    done: Option<String>,
}

impl Credit {
    pub fn new() -> Credit {
        Credit { kind: Kind::GiftCard, target: None, amount: None, input: String::new(), error: None, done: None }
    }

    /// What the screen's field holds (a stray key is added to it).
    pub fn field_text(&self) -> &str {
        &self.input
    }

    /// The card or customer the field names, or why not.
    fn find_target(&self, terminal: &Terminal, typed: &str) -> Result<(Target, String), String> {
        match self.kind {
            Kind::GiftCard => {
                check_card_number(typed).map_err(|e| e.to_string())?;
                let held = match terminal.known_balance(&Target::GiftCard(typed.into())) {
                    Ok(Some(held)) => format!("holds {held}"),
                    _ => "new card".into(),
                };
                Ok((Target::GiftCard(typed.into()), format!("Gift card {} ({held})", masked_card(typed))))
            }
            Kind::Account => {
                let found = terminal.find_customers(typed, 2).map_err(|e| e.to_string())?;
                let customer = match found.as_slice() {
                    [one] => one,
                    [exact, ..] if exact.code == typed => exact,
                    [] => return Err(format!("no customer “{typed}”")),
                    _ => return Err(format!("more than one customer matches “{typed}”: type their code")),
                };
                let account = terminal
                    .account(&customer.code)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("{} has no account", customer.name))?;
                let shown = format!("{} ({}) owes {}", account.name, account.code, account.owed);
                Ok((Target::Account(account.code), shown))
            }
        }
    }

    fn submit(&mut self, terminal: &mut Terminal, operator: &Operator) -> Action {
        let typed = self.input.trim().to_string();
        self.input.clear();
        match (&self.target, self.amount) {
            (None, _) => match self.find_target(terminal, &typed) {
                Ok(target) => {
                    (self.target, self.error, self.done) = (Some(target), None, None);
                }
                Err(e) => self.error = Some(e),
            },
            (Some(_), None) => match Money::parse_non_negative(&typed) {
                Ok(amount) if !amount.is_zero() => (self.amount, self.error) = (Some(amount), None),
                Ok(_) => self.error = Some("the amount must be more than zero".into()),
                Err(e) => self.error = Some(e.to_string()),
            },
            // Enter = cash: the exact amount, or what was handed over (change given).
            (Some(_), Some(amount)) => {
                let handed = if typed.is_empty() { Ok(amount) } else { Money::parse_non_negative(&typed) };
                match handed {
                    Ok(handed) => {
                        return self.pay(terminal, operator, Tender { kind: TenderKind::Cash, amount: handed });
                    }
                    Err(e) => self.error = Some(e.to_string()),
                }
            }
        }
        Action::None
    }

    fn pay(&mut self, terminal: &mut Terminal, operator: &Operator, tender: Tender) -> Action {
        let (Some((target, _)), Some(amount)) = (self.target.clone(), self.amount) else {
            return Action::None;
        };
        match terminal.sell_credit(operator, target, amount, &[tender]) {
            Ok(sold) => {
                let change = match sold.record.change {
                    change if change.is_zero() => String::new(),
                    change => format!(", change {change}"),
                };
                let how = format!("{}{change}", tender.kind.label());
                let done = match &sold.record.credit {
                    Target::GiftCard(card) => format!(
                        "Gift card {} loaded with {amount} ({how}): it now holds {}",
                        masked_card(card),
                        sold.balance
                    ),
                    Target::Account(code) => {
                        format!("Payment on account of {amount} from {code} ({how}): still owed {}", sold.balance)
                    }
                };
                *self = Credit { kind: self.kind, done: Some(done), ..Credit::new() };
                Action::Print
            }
            Err(e) => {
                self.error = Some(e.to_string());
                Action::None
            }
        }
    }

    pub fn update(&mut self, terminal: &mut Terminal, operator: &Operator, message: Message) -> Action {
        match message {
            Message::Input(text) => self.input = text,
            Message::Submit => return self.submit(terminal, operator),
            Message::Kind(kind) => *self = Credit { kind, ..Credit::new() },
            Message::Tender(kind) => {
                if let Some(amount) = self.amount {
                    return self.pay(terminal, operator, Tender { kind, amount });
                }
            }
            Message::Back => return Action::ToSale(None),
        }
        Action::None
    }

    pub fn view(&self) -> Element<'_, Message> {
        let (hint, title) = match (self.kind, &self.target, self.amount) {
            (Kind::GiftCard, None, _) => ("Scan or type the gift card's number", "Sell or top up a gift card"),
            (Kind::Account, None, _) => ("The customer's code or name", "Take a payment on account"),
            (_, Some(_), None) => ("Amount", "How much?"),
            (_, Some(_), Some(_)) => ("Cash handed over (Enter = the exact amount)", "Take the money"),
        };
        let choose = |kind, label| style::key_button("", label, (self.kind != kind).then_some(Message::Kind(kind)));
        let field = text_input(hint, &self.input)
            .id(CREDIT_FIELD)
            .on_input(Message::Input)
            .on_submit(Message::Submit)
            .size(style::LARGE)
            .padding(12);
        let ready = self.amount.is_some();
        let mut left = column![
            row![choose(Kind::GiftCard, "Gift card"), choose(Kind::Account, "Payment on account")].spacing(style::GAP),
            text(title).size(style::LARGE),
        ]
        .spacing(style::GAP * 1.5);
        if let Some((_, shown)) = &self.target {
            left = left.push(text(shown.as_str()).size(style::TEXT));
        }
        if let Some(amount) = self.amount {
            left = left.push(text(amount.to_string()).size(style::HUGE).font(style::MONO));
        }
        left = left.push(field);
        left = left.push(
            row![
                style::key_button("", "Cash", ready.then_some(Message::Tender(TenderKind::Cash))),
                style::key_button("", "Card", ready.then_some(Message::Tender(TenderKind::Card))),
                style::key_button("", "Other", ready.then_some(Message::Tender(TenderKind::Other))),
            ]
            .spacing(style::GAP),
        );
        for (message, look) in [(&self.done, style::panel as fn(&_) -> _), (&self.error, style::error)] {
            if let Some(message) = message {
                left = left.push(container(text(message).size(style::TEXT)).padding(10).width(Fill).style(look));
            }
        }
        let right = column![style::key_button("Esc", "Back to the sale", Some(Message::Back))].spacing(style::GAP);
        row![left.width(iced::FillPortion(3)), right.width(iced::FillPortion(1))].spacing(20).padding(20).into()
    }
}

impl Default for Credit {
    fn default() -> Credit {
        Credit::new()
    }
}
