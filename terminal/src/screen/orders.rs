//! Customer orders at the counter: scan the order's code or type its number
//! or the customer's name, pick what to hand over (everything left, by
//! default), then take payment, or hand a prepaid order straight over.

use iced::widget::{Column, button, column, container, row, scrollable, text, text_input};
use iced::{Element, Fill};
use pos_shared::orders::is_order_number;
use rust_decimal::Decimal;

use super::{Action, to_receipt};
use crate::app::style;
use crate::orders::Order;
use crate::{Operator, Terminal};

pub const ORDERS_FIELD: &str = "orders";

#[derive(Debug, Clone)]
pub enum Message {
    Input(String),
    Submit,
    Open(String),
    More(usize),
    Less(usize),
    Collect,
    Back,
}

#[derive(Debug, Default)]
pub struct Orders {
    input: String,
    found: Vec<Order>,
    chosen: Option<Order>,
    /// What to hand over, per line of the chosen order.
    picked: Vec<Decimal>,
    error: Option<String>,
}

impl Orders {
    /// What the screen's field holds (a stray key is added to it).
    pub fn field_text(&self) -> &str {
        &self.input
    }

    /// The open orders, or straight into `number` when one was scanned.
    pub fn new(terminal: &Terminal, number: Option<&str>) -> Orders {
        let mut orders = Orders::default();
        match number {
            Some(number) => orders.open(terminal, number),
            None => orders.search(terminal, ""),
        }
        orders
    }

    fn search(&mut self, terminal: &Terminal, typed: &str) {
        match terminal.find_orders(typed, false) {
            Ok(found) => {
                self.error = found.is_empty().then(|| format!("no open order matches “{}”", typed.trim()));
                self.found = found;
                self.chosen = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn open(&mut self, terminal: &Terminal, number: &str) {
        match terminal.order(number) {
            Ok(order) => {
                self.picked = order.lines.iter().map(|l| l.remaining).collect();
                self.chosen = Some(order);
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// A step of one piece, or 100 g of a weighed line.
    fn step(order: &Order, line: usize) -> Decimal {
        if order.lines[line].unit.is_measured() { Decimal::new(1, 1) } else { Decimal::ONE }
    }

    fn collect(&mut self, terminal: &mut Terminal, operator: &Operator) -> Action {
        let Some(order) = &self.chosen else {
            return Action::None;
        };
        let picks: Vec<(String, Option<Decimal>)> = order
            .lines
            .iter()
            .zip(&self.picked)
            .filter(|(_, qty)| **qty > Decimal::ZERO)
            .map(|(line, qty)| (line.sku.clone(), Some(*qty)))
            .collect();
        if picks.is_empty() {
            self.error = Some("choose at least one item to hand over".into());
            return Action::None;
        }
        let cart = match terminal.order_cart(&order.number, &picks) {
            Ok(cart) => cart,
            Err(e) => {
                self.error = Some(e.to_string());
                return Action::None;
            }
        };
        match terminal.amount_to_pay(&cart) {
            Ok(due) if due.is_zero() => to_receipt(terminal.commit_sale(operator, &cart, &[]), &mut self.error),
            Ok(_) => Action::ToPayment(Box::new(cart)),
            Err(e) => {
                self.error = Some(e.to_string());
                Action::None
            }
        }
    }

    pub fn update(&mut self, terminal: &mut Terminal, operator: &Operator, message: Message) -> Action {
        match message {
            Message::Input(text) => self.input = text,
            Message::Submit => {
                let typed = std::mem::take(&mut self.input);
                if is_order_number(&typed) {
                    self.open(terminal, &typed);
                } else {
                    self.search(terminal, &typed);
                }
            }
            Message::Open(number) => self.open(terminal, &number),
            Message::More(line) => {
                if let (Some(order), Some(picked)) = (&self.chosen, self.picked.get_mut(line)) {
                    *picked = (*picked + Orders::step(order, line)).min(order.lines[line].remaining);
                }
            }
            Message::Less(line) => {
                if let (Some(order), Some(picked)) = (&self.chosen, self.picked.get_mut(line)) {
                    *picked = (*picked - Orders::step(order, line)).max(Decimal::ZERO);
                }
            }
            Message::Collect => return self.collect(terminal, operator),
            Message::Back if self.chosen.is_some() => self.chosen = None,
            Message::Back => return Action::ToSale(None),
        }
        Action::None
    }

    fn order_view(&self, order: &Order) -> Element<'_, Message> {
        let paid = if order.prepaid_left.is_zero() {
            "to pay at the counter".to_string()
        } else {
            format!("{} paid ahead", order.prepaid_left)
        };
        let mut lines = Column::new().spacing(6).push(
            text(format!("{} · {} · {} · {} ({paid})", order.number, order.customer_name, order.channel, order.total))
                .size(style::LARGE),
        );
        for (i, line) in order.lines.iter().enumerate() {
            let state = format!(
                "{} ({} ordered, {} collected, {} left) @ {}",
                line.name, line.qty, line.collected, line.remaining, line.unit_price
            );
            lines = lines.push(
                row![
                    text(state).size(style::TEXT).width(Fill),
                    button(text(" - ").size(style::LARGE)).on_press(Message::Less(i)),
                    text(self.picked[i].normalize().to_string()).size(style::LARGE).font(style::MONO).width(70),
                    button(text(" + ").size(style::LARGE)).on_press(Message::More(i)),
                ]
                .spacing(style::GAP),
            );
        }
        scrollable(lines).height(Fill).into()
    }

    fn list_view(&self) -> Element<'_, Message> {
        let mut list = Column::new().spacing(4);
        for order in &self.found {
            let paid = if order.prepaid { "prepaid" } else { "to pay" };
            let label = row![
                text(format!("{}  {}  via {}", order.number, order.customer_name, order.channel)).width(Fill),
                text(format!("{} · {}", order.total, paid)),
            ];
            list = list.push(
                button(label.padding([6, 10]))
                    .width(Fill)
                    .on_press(Message::Open(order.number.clone()))
                    .style(button::secondary),
            );
        }
        if self.found.is_empty() {
            list = list.push(text("No open orders for this store. Orders arrive with each sync.").size(style::TEXT));
        }
        scrollable(list).height(Fill).into()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let field = text_input("Scan the order's code, or type its number or the customer's name", &self.input)
            .id(ORDERS_FIELD)
            .on_input(Message::Input)
            .on_submit(Message::Submit)
            .size(style::LARGE)
            .padding(12);
        let body = match &self.chosen {
            Some(order) => self.order_view(order),
            None => self.list_view(),
        };
        let mut page = column![
            text("Customer orders").size(style::HUGE),
            field,
            container(body).padding(12).width(Fill).height(Fill).style(style::panel),
        ]
        .spacing(style::GAP * 1.5);
        if let Some(error) = &self.error {
            page = page.push(container(text(error).size(style::TEXT)).padding(10).width(Fill).style(style::error));
        }
        let ready = self.picked.iter().any(|q| *q > Decimal::ZERO) && self.chosen.is_some();
        let label = match &self.chosen {
            Some(order) if !order.prepaid_left.is_zero() => "Hand over",
            _ => "Take payment",
        };
        page.push(
            row![
                style::key_button("Esc", "Back", Some(Message::Back)),
                style::primary_button("F12", label, ready.then_some(Message::Collect)),
            ]
            .spacing(style::GAP),
        )
        .padding(20)
        .into()
    }
}
