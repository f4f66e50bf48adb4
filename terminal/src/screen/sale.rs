//! The sale screen: an always-focused field that takes a keyboard-wedge
//! scanner's digits and Enter, or a name or SKU to search as you type; the
//! cart; totals and the tax breakdown large; function keys for the rest.

use iced::widget::{Column, button, column, container, row, scrollable, text, text_input};
use iced::{Element, Fill, Right};
use pos_shared::money::Money;
use pos_shared::orders::is_order_number;
use pos_shared::pricing::{Discount, Totals, basket_promotions, packs_text};
use rust_decimal::Decimal;

use super::{Action, Retry, attempt};
use crate::app::style::{self, Icon};
use crate::catalog::Product;
use crate::devices::sound::Cue;
use crate::error::CoreError;
use crate::parked::ParkedCart;
use crate::users::Credentials;
use crate::{Cart, Operator, Terminal};
use pos_shared::roles::Permission;

pub const SCAN_FIELD: &str = "scan";
/// The cart's scrollable: it follows the line just scanned or selected.
pub const CART_SCROLL: &str = "cart";

/// What the field takes on Enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Scan,
    Quantity,
    /// The weight of a product sold by weight, named by its code.
    Weight(String),
    LineDiscount,
    SaleDiscount,
    Price,
    Customer,
}

/// A change to the cart that may need a manager.
#[derive(Debug, Clone)]
pub enum Edit {
    Quantity(usize, Decimal),
    LineDiscount(usize, Discount),
    SaleDiscount(Discount),
    Price(usize, Money),
    Remove(usize),
    /// Put a product on the favourites page, or take it off.
    Favourite(String),
    /// Start arranging the favourites (asks for a manager once, up front).
    Arrange,
    /// A weighed product at a typed weight (a manager's, with a scale).
    Weight(String, Decimal),
}

#[derive(Debug, Clone)]
pub enum Message {
    Input(String),
    Submit,
    /// A scan from a serial scanner or a wedge burst.
    Scanned(String),
    Select(usize),
    /// The product grid beside the cart (the app keeps its state).
    Grid(super::grid::Message),
    /// A tile of the product grid was tapped.
    Tile(super::grid::Tap),
    /// The scanned line's moment of light is over.
    Unflash,
    /// The arrow keys: through the search results when there are some,
    /// else through the cart's lines.
    Move(i32),
    Pick(usize),
    Enter(Entry),
    Remove,
    Park,
    ShowParked,
    Resume(i64),
    Pay,
    Returns,
    Orders,
    /// Sell a gift card or take a payment on account.
    Credit,
    /// What the scale said for the product being weighed.
    Weighed(String, Result<Decimal, String>),
    Manager,
    Escape,
}

#[derive(Debug)]
pub struct Sale {
    pub cart: Cart,
    input: String,
    entry: Entry,
    results: Vec<Product>,
    /// The search result the arrow keys point at; Enter takes it.
    picked: Option<usize>,
    selected: Option<usize>,
    /// Where the cart should scroll to (0 top, 1 bottom), once.
    scroll: Option<f32>,
    /// The line a scan just added to, lit up for a moment.
    flash: Option<usize>,
    cue: Option<Cue>,
    /// Arranging the favourites: `Some`, with the manager who allowed it
    /// when the operator is a cashier (their taps are approved by them).
    arranging: Option<Option<Credentials>>,
    warning: Option<String>,
    error: Option<String>,
    parked: Option<Vec<ParkedCart>>,
    /// The attached customer's name and code, shown for the whole sale.
    customer: Option<String>,
    /// A product to weigh on the scale, for the app to ask it.
    weigh: Option<String>,
}

impl Sale {
    /// What the screen's field holds (a stray key is added to it).
    pub fn field_text(&self) -> &str {
        &self.input
    }

    pub fn new(cart: Option<Cart>) -> Sale {
        let customer = cart.as_ref().and_then(|c| c.customer.clone());
        Sale {
            cart: cart.unwrap_or_default(),
            input: String::new(),
            entry: Entry::Scan,
            results: Vec::new(),
            picked: None,
            selected: None,
            scroll: None,
            flash: None,
            cue: None,
            arranging: None,
            warning: None,
            error: None,
            parked: None,
            customer,
            weigh: None,
        }
    }

    fn reset_entry(&mut self) {
        self.input.clear();
        self.results.clear();
        self.picked = None;
        self.entry = Entry::Scan;
    }

    /// The selected cart line, if any.
    pub fn selected_line(&self) -> Option<usize> {
        self.selected.filter(|&i| i < self.cart.lines.len())
    }

    /// Selects `line` and has the cart scroll to it.
    fn select(&mut self, line: usize) {
        self.selected = Some(line);
        let last = self.cart.lines.len().saturating_sub(1).max(1);
        self.scroll = Some(line as f32 / last as f32);
    }

    /// The line lit up by the last scan, if it still is.
    pub fn flashing(&self) -> Option<usize> {
        self.flash
    }

    /// Whether the favourites are being arranged.
    pub fn arranging(&self) -> bool {
        self.arranging.is_some()
    }

    /// The tone the last scan asks for, once.
    pub fn take_cue(&mut self) -> Option<Cue> {
        self.cue.take()
    }

    /// Where the cart should scroll to, once (0 the top, 1 the bottom).
    pub fn take_scroll(&mut self) -> Option<f32> {
        self.scroll.take()
    }

    fn move_by(&mut self, step: i32) {
        let within = |at: Option<usize>, len: usize| -> Option<usize> {
            let len = len.checked_sub(1)?;
            Some(match at {
                None if step < 0 => len,
                None => 0,
                Some(i) => (i as i64 + step as i64).clamp(0, len as i64) as usize,
            })
        };
        if self.results.is_empty() {
            if let Some(line) = within(self.selected_line(), self.cart.lines.len()) {
                self.select(line);
            }
        } else {
            self.picked = within(self.picked, self.results.len());
        }
    }

    /// Adds `code`; a weighed item without a weight asks for one. Other
    /// errors come back to the caller.
    fn try_add(&mut self, terminal: &mut Terminal, code: &str, qty: Option<Decimal>) -> Result<(), CoreError> {
        match terminal.add_item(&mut self.cart, code, qty) {
            Ok(added) => {
                self.select(added.line);
                self.flash = Some(added.line);
                self.cue = Some(Cue::Scanned);
                self.warning = added.warning;
                self.error = None;
                self.reset_entry();
                Ok(())
            }
            Err(CoreError::NeedsWeight(name, _)) => {
                self.entry = Entry::Weight(code.to_string());
                self.input.clear();
                self.results.clear();
                self.warning = Some(if terminal.devices().scale.is_some() {
                    self.weigh = Some(code.to_string());
                    format!("Weighing {name} on the scale…")
                } else {
                    format!("Weigh {name}: type its weight in kg and press Enter")
                });
                Ok(())
            }
            // A code that is no product may be a coupon the customer gives.
            Err(CoreError::UnknownCode(_)) if qty.is_none() && terminal.is_coupon(code)? => {
                let name = terminal.add_coupon(&mut self.cart, code)?;
                self.cue = Some(Cue::Scanned);
                self.warning = Some(format!("Coupon {}: {name}", code.trim().to_uppercase()));
                self.error = None;
                self.reset_entry();
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    fn add(&mut self, terminal: &mut Terminal, code: &str, qty: Option<Decimal>) {
        if let Err(e) = self.try_add(terminal, code, qty) {
            self.error = Some(e.to_string());
            self.cue = Some(Cue::Refused);
        }
    }

    /// Applies a cart change, asking for a manager when it needs one.
    pub fn apply(
        &mut self,
        terminal: &mut Terminal,
        operator: &Operator,
        edit: Edit,
        approver: Option<&crate::users::Credentials>,
    ) -> Action {
        let cart = &mut self.cart;
        let result = match edit.clone() {
            Edit::Quantity(line, qty) => terminal.set_quantity(operator, cart, line, qty, approver),
            Edit::LineDiscount(line, d) => {
                terminal.set_line_discount(operator, cart, line, Some(d), approver).map(|_| None)
            }
            Edit::SaleDiscount(d) => terminal.set_sale_discount(operator, cart, Some(d), approver).map(|_| None),
            Edit::Price(line, price) => terminal.override_price(operator, cart, line, price, approver).map(|_| None),
            Edit::Remove(line) => terminal.remove_line(operator, cart, line, approver).map(|_| None),
            Edit::Favourite(sku) => terminal.toggle_favourite(operator, &sku, approver).map(|_| None),
            Edit::Weight(code, kg) => terminal.add_typed_weight(operator, cart, &code, kg, approver).map(|added| {
                self.selected = Some(added.line);
                added.warning
            }),
            Edit::Arrange => {
                terminal.authorize(operator, Permission::ChangeSettings, approver, "arrange favourites").map(|_| {
                    self.arranging = Some(approver.cloned());
                    None
                })
            }
        };
        match attempt(result, || Retry::Sale(edit.clone()), &mut self.error) {
            Ok(warning) => {
                self.warning = warning;
                if let Edit::Remove(_) = edit {
                    self.selected = self.cart.lines.len().checked_sub(1);
                }
                self.reset_entry();
                Action::None
            }
            Err(action) => action,
        }
    }

    /// Customer orders are handed over from an empty cart.
    fn open_orders(&mut self, number: Option<String>) -> Action {
        if self.cart.is_empty() {
            self.reset_entry();
            Action::ToOrders(number)
        } else {
            self.error = Some("finish or park this sale first, then collect the order".into());
            Action::None
        }
    }

    fn submit(&mut self, terminal: &mut Terminal, operator: &Operator) -> Action {
        let typed = self.input.trim().to_string();
        let line = self.selected.filter(|&i| i < self.cart.lines.len());
        let parse_decimal = |t: &str| Decimal::from_str_exact(&t.replace(',', "."));
        let needs_line = |e: &mut Option<String>| *e = Some("select a line first".into());
        match self.entry.clone() {
            Entry::Scan if typed.is_empty() => {}
            Entry::Scan if is_order_number(&typed) => return self.open_orders(Some(typed)),
            // A code first; if no product has it, the first search result.
            Entry::Scan if self.picked.is_some() => {
                if let Some(sku) = self.picked.and_then(|i| self.results.get(i)).map(|p| p.sku.clone()) {
                    self.add(terminal, &sku, None);
                }
            }
            Entry::Scan => {
                let first_result = self.results.first().map(|p| p.sku.clone());
                match (self.try_add(terminal, &typed, None), first_result) {
                    (Ok(()), _) => {}
                    (Err(CoreError::UnknownCode(_)), Some(sku)) => self.add(terminal, &sku, None),
                    // The message keeps the code; the field is cleared so the
                    // next scan is not appended to it.
                    (Err(e), _) => {
                        self.error = Some(e.to_string());
                        self.cue = Some(Cue::Refused);
                        self.reset_entry();
                    }
                }
            }
            Entry::Weight(code) => match parse_decimal(&typed) {
                Ok(kg) => return self.apply(terminal, operator, Edit::Weight(code, kg), None),
                Err(_) => self.error = Some(format!("“{typed}” is not a weight like 0.350")),
            },
            Entry::Quantity => match (line, parse_decimal(&typed)) {
                (Some(line), Ok(qty)) => {
                    return self.apply(terminal, operator, Edit::Quantity(line, qty), None);
                }
                (None, _) => needs_line(&mut self.error),
                (_, Err(_)) => self.error = Some(format!("“{typed}” is not a quantity")),
            },
            Entry::LineDiscount => match (line, typed.parse::<Discount>()) {
                (Some(line), Ok(d)) => {
                    return self.apply(terminal, operator, Edit::LineDiscount(line, d), None);
                }
                (None, _) => needs_line(&mut self.error),
                (_, Err(e)) => self.error = Some(e.to_string()),
            },
            Entry::SaleDiscount => match typed.parse::<Discount>() {
                Ok(d) => return self.apply(terminal, operator, Edit::SaleDiscount(d), None),
                Err(e) => self.error = Some(e.to_string()),
            },
            Entry::Customer => match terminal.attach_customer(&mut self.cart, &typed) {
                Ok(customer) => {
                    let mut shown = format!("{} ({})", customer.name, customer.code);
                    if let Ok(Some(group)) = terminal.customer_group(&self.cart) {
                        shown += &format!(", {group} prices");
                    }
                    if let Ok(Some(account)) = terminal.account(&customer.code) {
                        shown += &format!(", owes {} of {}", account.owed, account.credit_limit);
                    }
                    self.customer = Some(shown);
                    self.error = None;
                    self.reset_entry();
                }
                Err(e) => self.error = Some(e.to_string()),
            },
            Entry::Price => match (line, typed.parse::<Money>()) {
                (Some(line), Ok(price)) => {
                    return self.apply(terminal, operator, Edit::Price(line, price), None);
                }
                (None, _) => needs_line(&mut self.error),
                (_, Err(e)) => self.error = Some(e.to_string()),
            },
        }
        Action::None
    }

    pub fn update(&mut self, terminal: &mut Terminal, operator: &Operator, message: Message) -> Action {
        let action = self.update_screen(terminal, operator, message);
        match (action, self.weigh.take()) {
            (Action::None, Some(code)) => Action::Weigh(code),
            (action, _) => action,
        }
    }

    /// What the scale said, if the cashier still waits for that product.
    fn weighed(&mut self, terminal: &mut Terminal, code: String, result: Result<Decimal, String>) {
        if self.entry != Entry::Weight(code.clone()) {
            return;
        }
        match result {
            Ok(kg) => self.add(terminal, &code, Some(kg)),
            // The weight field stays: a manager may type the weight.
            Err(problem) => {
                self.error = Some(format!("{problem}: scan it again, or a manager types its weight"));
                self.cue = Some(Cue::Refused);
            }
        }
    }

    fn update_screen(&mut self, terminal: &mut Terminal, operator: &Operator, message: Message) -> Action {
        match message {
            Message::Input(text) => {
                self.input = text;
                self.picked = None;
                self.results = match self.entry {
                    Entry::Scan if !self.input.trim().chars().all(|c| c.is_ascii_digit()) => {
                        terminal.search_products(&self.input, 8).unwrap_or_default()
                    }
                    _ => Vec::new(),
                };
            }
            Message::Submit => return self.submit(terminal, operator),
            Message::Scanned(code) if is_order_number(&code) => return self.open_orders(Some(code)),
            Message::Scanned(code) => self.add(terminal, &code, None),
            Message::Select(line) => self.selected = Some(line),
            Message::Move(step) => self.move_by(step),
            Message::Unflash => self.flash = None,
            Message::Grid(_) => {}
            Message::Tile(super::grid::Tap::Tile(sku)) => match self.arranging.clone() {
                Some(approver) => return self.apply(terminal, operator, Edit::Favourite(sku), approver.as_ref()),
                None => self.add(terminal, &sku, None),
            },
            Message::Tile(super::grid::Tap::Arrange(true)) => {
                return self.apply(terminal, operator, Edit::Arrange, None);
            }
            Message::Tile(super::grid::Tap::Arrange(false)) => self.arranging = None,
            Message::Pick(index) => {
                if let Some(sku) = self.results.get(index).map(|p| p.sku.clone()) {
                    self.add(terminal, &sku, None);
                }
            }
            Message::Enter(entry) => {
                self.entry = entry;
                self.input.clear();
                self.results.clear();
            }
            Message::Remove => match self.selected.filter(|&i| i < self.cart.lines.len()) {
                Some(line) => return self.apply(terminal, operator, Edit::Remove(line), None),
                None => self.error = Some("select a line to remove".into()),
            },
            Message::Park => match terminal.park(operator, &self.cart, &format!("{} lines", self.cart.lines.len())) {
                Ok(_) => *self = Sale::new(None),
                Err(e) => self.error = Some(e.to_string()),
            },
            Message::ShowParked => {
                self.parked = Some(terminal.parked_carts().unwrap_or_default());
            }
            Message::Resume(id) => match terminal.resume(id) {
                Ok(cart) if self.cart.is_empty() => {
                    *self = Sale::new(Some(cart));
                    self.select(self.cart.lines.len().saturating_sub(1));
                }
                Ok(cart) => {
                    let _ = terminal.park(operator, &cart, "resumed while busy");
                    self.error = Some("park or finish this sale before resuming another".into());
                }
                Err(e) => self.error = Some(e.to_string()),
            },
            Message::Pay if self.cart.is_empty() => self.error = Some("the cart is empty".into()),
            Message::Pay => return Action::ToPayment(Box::new(self.cart.clone())),
            Message::Returns => return Action::ToReturns(None),
            Message::Orders => return self.open_orders(None),
            Message::Credit => return Action::ToCredit,
            Message::Weighed(code, result) => self.weighed(terminal, code, result),
            Message::Manager => return Action::ToManager,
            Message::Escape => {
                self.reset_entry();
                self.parked = None;
                self.error = None;
            }
        }
        Action::None
    }

    fn prompt(&self) -> String {
        match &self.entry {
            Entry::Scan => "Scan, or type a name, SKU or order".into(),
            Entry::Quantity => "New quantity for the selected line".into(),
            Entry::Weight(code) => format!("Weight in kg for {code}"),
            Entry::LineDiscount => "Discount on the selected line: 10% or 2.00".into(),
            Entry::SaleDiscount => "Discount on the whole sale: 10% or 2.00".into(),
            Entry::Price => "New price for the selected line".into(),
            Entry::Customer => "Customer: code or name".into(),
        }
    }

    fn cart_view(&self) -> Element<'_, Message> {
        let mut lines = Column::new().spacing(2);
        for (i, line) in self.cart.lines.iter().enumerate() {
            let detail = match (line.pack_size, line.unit.is_measured(), line.qty.display().as_str()) {
                (Some(pack), _, _) => packs_text(line.qty, pack, line.unit_price),
                (None, false, "1") => String::new(),
                (None, false, qty) => format!("{qty} x {}", line.unit_price),
                (None, true, qty) => format!("{qty} {} x {}/{}", line.unit, line.unit_price, line.unit),
            };
            let discount = line.discount.map(|d| format!("  -{d}")).unwrap_or_default();
            let list = line.price_list.as_ref().map(|l| format!("  {l} price")).unwrap_or_default();
            let amount = line.amount(Default::default());
            let about = column![
                text(&line.name).size(style::TEXT),
                text(format!("{detail}{list}{discount}")).size(style::SMALL)
            ];
            let mut content =
                column![row![about.width(Fill), text(amount.to_string()).size(style::TEXT).font(style::MONO)]];
            // Item promotions under the line, their amounts under its amount;
            // basket promotions show once, beside the total.
            for promotion in line.promotions.iter().filter(|p| !p.basket) {
                let saving = row![
                    text(format!("  {}", promotion.name)).size(style::SMALL).width(Fill),
                    text(format!("-{}", promotion.amount)).size(style::SMALL).font(style::MONO),
                ];
                content = content.push(container(saving).style(style::promotion));
            }
            let content = content.padding([6, 10]);
            let row = button(content).width(Fill).on_press(Message::Select(i)).style(button::text);
            let row: Element<'_, Message> = match (self.flash == Some(i), self.selected == Some(i)) {
                (true, _) => container(row).style(style::flash).into(),
                (false, true) => container(row).style(style::selected).into(),
                (false, false) => row.into(),
            };
            lines = lines.push(row);
        }
        if self.cart.is_empty() {
            lines = lines.push(text("The cart is empty: scan the first item.").size(style::TEXT));
        }
        scrollable(lines).id(CART_SCROLL).height(Fill).into()
    }

    fn totals_view(totals: Option<&Totals>) -> Element<'static, Message> {
        let Some(totals) = totals else {
            return column![].into();
        };
        let pair = |label: String, value: String, size: f32| {
            row![text(label).size(size).width(Fill), text(value).size(size).font(style::MONO)].spacing(style::GAP)
        };
        let mut col = column![pair("Subtotal".into(), totals.subtotal.to_string(), style::TEXT)].spacing(4);
        if !totals.discount.is_zero() {
            col = col.push(pair("Discounts".into(), format!("-{}", totals.discount), style::TEXT));
        }
        for band in &totals.taxes {
            col = col.push(pair(format!("Tax {} on {}", band.rate.label(), band.base), band.tax.to_string(), 15.0));
        }
        // The amount is what the customer reads: the word gives it the room.
        let total = row![
            text("TOTAL").size(style::LARGE).width(Fill),
            text(totals.total.to_string()).size(style::HUGE).font(style::MONO)
        ]
        .spacing(style::GAP)
        .align_y(iced::Center);
        col.push(total).into()
    }

    pub fn view<'a>(&'a self, terminal: &Terminal, grid: Element<'a, Message>) -> Element<'a, Message> {
        let field = text_input(&self.prompt(), &self.input)
            .id(SCAN_FIELD)
            .on_input(Message::Input)
            .on_submit(Message::Submit)
            .size(style::LARGE)
            .padding(12);
        let mut left = column![field].spacing(style::GAP);
        if !self.results.is_empty() {
            let mut results = Column::new().spacing(2);
            for (i, p) in self.results.iter().enumerate() {
                let label =
                    row![text(format!("{}  {}", p.sku, p.name)).width(Fill), text(format!("{}/{}", p.price, p.unit))];
                let look = if self.picked == Some(i) { button::primary } else { button::secondary };
                results = results.push(button(label).width(Fill).on_press(Message::Pick(i)).style(look));
            }
            left = left.push(container(results).padding(6).style(style::panel));
        }
        if let Some(parked) = &self.parked {
            let mut list = Column::new().spacing(4).push(text("Parked sales").size(style::TEXT));
            for p in parked {
                let at = crate::clock::local_time_text(p.parked_at_ms);
                let label = format!("{at}  {} by {}: {} line(s), {}", p.label, p.by, p.lines, p.total);
                list = list.push(button(text(label)).on_press(Message::Resume(p.id)).style(button::secondary));
            }
            left = left.push(container(list).padding(8).style(style::panel));
        }
        for (message, look) in [(&self.warning, style::warning as fn(&_) -> _), (&self.error, style::error)] {
            if let Some(message) = message {
                left = left.push(container(text(message).size(style::TEXT)).padding(10).width(Fill).style(look));
            }
        }
        left = left.push(container(self.cart_view()).padding(6).width(Fill).height(Fill).style(style::panel));
        let totals = terminal.cart_totals(&self.cart).ok();
        let has_line = self.selected.is_some() && !self.cart.is_empty();
        let keys = column![
            row![
                style::icon_button(Icon::Hash, "F3", "Qty", has_line.then_some(Message::Enter(Entry::Quantity))),
                style::icon_button(
                    Icon::Percent,
                    "F4",
                    "Discount",
                    has_line.then_some(Message::Enter(Entry::LineDiscount))
                ),
            ]
            .spacing(style::GAP),
            row![
                style::icon_button(Icon::Trash2, "F5", "Remove", has_line.then_some(Message::Remove)),
                style::icon_button(Icon::Tag, "F10", "Price", has_line.then_some(Message::Enter(Entry::Price))),
            ]
            .spacing(style::GAP),
            row![
                style::icon_button(Icon::Pause, "F6", "Park", (!self.cart.is_empty()).then_some(Message::Park)),
                style::icon_button(Icon::Play, "F7", "Resume", Some(Message::ShowParked)),
            ]
            .spacing(style::GAP),
            row![
                style::icon_button(
                    Icon::BadgePercent,
                    "F11",
                    "Sale disc.",
                    (!self.cart.is_empty()).then_some(Message::Enter(Entry::SaleDiscount))
                ),
                style::icon_button(Icon::Undo2, "F8", "Returns", Some(Message::Returns)),
            ]
            .spacing(style::GAP),
            row![
                style::icon_button(Icon::User, "F1", "Customer", Some(Message::Enter(Entry::Customer))),
                style::icon_button(Icon::Settings, "F9", "Manager", Some(Message::Manager)),
            ]
            .spacing(style::GAP),
            row![
                style::icon_button(Icon::Package, "F2", "Orders", self.cart.is_empty().then_some(Message::Orders)),
                style::icon_button(Icon::Gift, "", "Gift card", self.cart.is_empty().then_some(Message::Credit)),
            ]
            .spacing(style::GAP),
            style::primary_button("F12", "Pay", (!self.cart.is_empty()).then_some(Message::Pay)),
        ]
        .spacing(style::GAP);
        let mut summary = Column::new().spacing(4);
        if let Some(customer) = &self.customer {
            summary = summary.push(text(format!("Customer: {customer}")).size(style::TEXT));
        }
        for (name, amount) in basket_promotions(self.cart.lines.iter().map(|l| l.promotions.as_slice())) {
            let saving = row![text(name).size(style::TEXT).width(Fill), text(format!("-{amount}")).font(style::MONO)];
            summary = summary.push(container(saving).style(style::promotion));
        }
        summary = summary.push(Self::totals_view(totals.as_ref()));
        let right = column![container(summary).padding(12).width(Fill).style(style::panel), keys]
            .spacing(style::GAP)
            .align_x(Right);
        row![
            left.width(iced::FillPortion(5)),
            container(grid).width(iced::FillPortion(5)),
            right.width(iced::FillPortion(4))
        ]
        .spacing(style::GAP)
        .padding(style::GAP)
        .into()
    }
}
