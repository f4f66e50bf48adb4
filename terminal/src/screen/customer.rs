//! The customer's screen, a second window on a monitor facing the
//! customer: the store's sign, each line as it is rung up, the total, what
//! is left to pay, the change, a refund, or a welcome when the till is idle.
//! It follows the app's state and takes no input.

use iced::widget::{Column, column, container, row, scrollable, text};
use iced::{Center, Element, Fill};
use pos_shared::money::Money;

use crate::app::style::{self, Icon};

/// What the customer sees now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Facing {
    Welcome,
    /// The cart as rung up: name, quantity, amount; and its total.
    Cart {
        lines: Vec<(String, String, Money)>,
        total: Money,
    },
    /// At payment: the total and what is still to pay.
    ToPay {
        total: Money,
        left: Money,
    },
    /// The card terminal waits for the customer's card.
    Card {
        amount: Money,
    },
    /// Paid: what was handed over and the change.
    Paid {
        total: Money,
        handed: Money,
        change: Money,
    },
    /// A refund being given back.
    Refund {
        total: Money,
    },
}

/// The store's sign: a basket and its name.
fn sign<'a, M: 'a>(store: &str) -> Element<'a, M> {
    row![
        text(char::from(Icon::ShoppingBasket).to_string()).font(style::ICONS).size(style::HUGE),
        text(store.to_string()).size(style::HUGE),
    ]
    .spacing(16)
    .align_y(Center)
    .into()
}

/// A label and an amount on one line, large.
fn amount_line<'a, M: 'a>(label: &str, amount: Money, size: f32) -> Element<'a, M> {
    row![text(label.to_string()).size(size).width(Fill), text(amount.to_string()).size(size).font(style::MONO)].into()
}

pub fn view<'a, M: 'a>(store: &str, facing: &Facing) -> Element<'a, M> {
    let body: Element<'a, M> = match facing {
        Facing::Welcome => column![text("Welcome").size(style::HUGE * 1.6), text("Bienvenue").size(style::LARGE)]
            .spacing(12)
            .align_x(Center)
            .width(Fill)
            .into(),
        Facing::Cart { lines, total } => {
            let mut list = Column::new().spacing(8);
            for (name, qty, amount) in lines {
                list = list.push(row![
                    text(name.clone()).size(style::LARGE).width(Fill),
                    text(qty.clone()).size(style::LARGE).width(120),
                    text(amount.to_string()).size(style::LARGE).font(style::MONO).width(160).align_x(iced::Right),
                ]);
            }
            let list = scrollable(list).anchor_bottom().height(Fill);
            column![list, container(amount_line("TOTAL", *total, style::HUGE)).padding(12).style(style::panel)]
                .spacing(16)
                .into()
        }
        Facing::ToPay { total, left } => {
            column![amount_line("TOTAL", *total, style::HUGE), amount_line("TO PAY", *left, style::HUGE * 1.4),]
                .spacing(24)
                .into()
        }
        Facing::Card { amount } => column![
            amount_line("CARD", *amount, style::HUGE * 1.4),
            text("Insert, tap or swipe your card on the terminal").size(style::LARGE),
        ]
        .spacing(24)
        .into(),
        Facing::Paid { total, handed, change } => column![
            amount_line("TOTAL", *total, style::LARGE),
            amount_line("PAID", *handed, style::HUGE),
            amount_line("CHANGE", *change, style::HUGE * 1.4),
            text("Thank you! Merci !").size(style::LARGE),
        ]
        .spacing(24)
        .into(),
        Facing::Refund { total } => column![amount_line("REFUND", *total, style::HUGE * 1.4)].into(),
    };
    column![sign(store), container(body).height(Fill).width(Fill).padding(24)]
        .spacing(24)
        .padding(32)
        .width(Fill)
        .height(Fill)
        .into()
}
