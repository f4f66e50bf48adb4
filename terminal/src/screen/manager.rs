//! Manager functions: the till session (float, cash in and out, no-sale),
//! reports (X, sales by hour, closing the day in `close_day`), stock lookup
//! and settings. Every change goes through the core's permissions, so a
//! cashier here is asked for a manager; messages sit in a fixed place
//! below the page, so none moves a button under the pointer.

use iced::widget::{Column, button, canvas, column, container, row, scrollable, text};
use iced::{Element, Fill};
use pos_shared::journal::CashDirection;
use pos_shared::money::Money;
use pos_shared::pricing::TaxMode;
use pos_shared::report::SessionReport;
use pos_shared::stock::milli_to_decimal;

use super::chart::SalesByHour;
use super::close_day::{self, CloseDay};
use super::goods::{self, Goods};
use super::{Action, Retry, attempt};
use crate::app::style::{self, Icon};
use crate::session::{CashCount, SessionInfo};
use crate::stock::StockLevel;
use crate::users::Credentials;
use crate::{Operator, Terminal};

pub const STOCK_FIELD: &str = "stock-code";
pub const FLOAT_FIELD: &str = "float";
pub const AMOUNT_FIELD: &str = "cash-amount";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Session,
    Reports,
    Stock,
    Goods,
    Settings,
}

/// A manager operation that may need a manager's PIN.
#[derive(Debug, Clone)]
pub enum Op {
    Open(Money),
    Cash(CashDirection, Money, String),
    NoSale(String),
    CloseDay(CashCount),
    /// A store setting (`tax-mode`, ...) and its new value.
    Setting(&'static str, String),
    /// A device setting (`printer`, ...) and its new value.
    Device(&'static str, String),
    /// Goods in or out, an adjustment or a count.
    Goods(goods::Work),
    /// The shelf labels due, to the label printer.
    Labels,
    /// Training mode on or off.
    Training(bool),
}

#[derive(Debug, Clone)]
pub enum Message {
    Tab(Tab),
    Float(String),
    Amount(String),
    Reason(String),
    OpenSession,
    Cash(CashDirection),
    NoSale,
    Close(close_day::Message),
    Goods(goods::Message),
    StockCode(String),
    LookUp,
    PrintLabels,
    Printer(String),
    SavePrinter,
    TestPrint,
    Scanner(String),
    SaveScanner,
    PaperWidth(u16),
    TaxMode(TaxMode),
    Training(bool),
    Back,
}

#[derive(Debug)]
pub struct Manager {
    pub tab: Tab,
    float: String,
    amount: String,
    reason: String,
    close: CloseDay,
    goods: Goods,
    sale_open: bool,
    /// Whether the person here may not close the day: they count blind and
    /// see no X report.
    blind: bool,
    /// The open session and its X figures, read on each change, not per frame.
    session: Option<SessionInfo>,
    x: Option<SessionReport>,
    report: Option<String>,
    sync_line: String,
    chart: SalesByHour,
    stock_code: String,
    stock: Option<String>,
    /// Products at or below their reorder point, read when the tab opens.
    low_stock: Vec<StockLevel>,
    /// Shelf labels whose price changed, read when the tab opens.
    labels_due: Vec<crate::labels::Label>,
    printer: String,
    scanner: String,
    /// The field last given the keyboard (it is not taken back on each key).
    focused: Option<&'static str>,
    notice: Option<String>,
    error: Option<String>,
}

impl Manager {
    /// The manager screen for `operator`; `sale_open` when a sale waits in
    /// the cart (the day cannot close over it).
    pub fn new(terminal: &Terminal, operator: &Operator, sale_open: bool) -> Manager {
        let devices = terminal.devices();
        let mut manager = Manager {
            tab: Tab::Session,
            float: "100.00".into(),
            amount: String::new(),
            reason: String::new(),
            close: CloseDay::default(),
            goods: Goods::default(),
            sale_open,
            blind: !operator.role.allows(pos_shared::roles::Permission::ZReport),
            session: None,
            x: None,
            report: None,
            sync_line: String::new(),
            chart: SalesByHour { hours: [Money::ZERO; 24] },
            stock_code: String::new(),
            stock: None,
            low_stock: Vec::new(),
            labels_due: Vec::new(),
            printer: devices.printer.clone().unwrap_or_default(),
            scanner: devices.scanner.clone().unwrap_or_default(),
            focused: None,
            notice: None,
            error: None,
        };
        manager.refresh(terminal);
        manager
    }

    /// Reads what the tabs show from the store; called on changes only.
    fn refresh(&mut self, terminal: &Terminal) {
        self.chart.hours = terminal.sales_by_hour().unwrap_or([Money::ZERO; 24]);
        self.session = terminal.current_session().ok().flatten();
        self.x = terminal.x_report().ok();
        if let Some(x) = &self.x {
            self.report = Some(terminal.report_doc(x).render_text(terminal.receipt_columns()));
        }
        let sync = terminal.sync_status().ok();
        self.sync_line = match sync.as_ref().and_then(|s| s.server.clone()) {
            Some(server) => format!("Sync server {server}; {} entries pending", sync.map_or(0, |s| s.pending)),
            None => "Not enrolled with a sync server (enroll from an empty data directory).".into(),
        };
    }

    /// Carries out an operation; a missing permission asks for a manager.
    pub fn run(
        &mut self,
        terminal: &mut Terminal,
        operator: &Operator,
        op: Op,
        approver: Option<&Credentials>,
    ) -> Action {
        let retry = op.clone();
        let closing = matches!(op, Op::CloseDay(_));
        // A new count stays open on screen; other goods work goes back to the list.
        let goods_done = matches!(op, Op::Goods(_)) && !matches!(op, Op::Goods(goods::Work::StartCount));
        let result = match op {
            Op::Open(float) => terminal.open_session(operator, float).map(|s| format!("Session {} opened", s.id)),
            Op::Cash(direction, amount, reason) => terminal
                .cash_move(operator, direction, amount, &reason, approver)
                .map(|_| format!("Cash {} {amount} recorded", direction.as_str())),
            Op::NoSale(reason) => {
                terminal.open_drawer(operator, &reason, approver).map(|_| "Drawer opened".to_string())
            }
            Op::CloseDay(count) => terminal.z_report(operator, &count, approver).map(|z| {
                self.report = Some(terminal.report_doc(&z).render_text(terminal.receipt_columns()));
                format!("Day closed: Z report #{}", z.z_no.unwrap_or_default())
            }),
            Op::Setting(key, value) => {
                terminal.change_setting(operator, key, &value, approver).map(|_| format!("{key} is now {value}"))
            }
            Op::Goods(work) => self.goods_work(terminal, operator, work, approver),
            Op::Labels => terminal.label_printer().and_then(|printer| {
                let printed = terminal.print_labels(operator, &self.labels_due, &printer, approver)?;
                self.labels_due = terminal.labels_due()?;
                Ok(format!("{printed} shelf label(s) printed"))
            }),
            Op::Training(on) => terminal.set_training(operator, on, approver).map(|()| {
                if on { "Training mode on: sales print as training and never count" } else { "Training mode off" }
                    .to_string()
            }),
            Op::Device(key, value) => {
                let value = if value.trim().is_empty() { "none".to_string() } else { value };
                terminal.set_device(operator, key, &value, approver).map(|_| format!("{key} saved"))
            }
        };
        match attempt(result, || Retry::Manager(retry), &mut self.error) {
            Ok(notice) => {
                self.notice = Some(notice);
                if closing {
                    self.close.reset();
                }
                if goods_done {
                    self.goods.done(terminal);
                }
                self.amount.clear();
                self.reason.clear();
                let closed_report = self.report.take();
                self.refresh(terminal);
                // A Z report stays on screen after the session it closed.
                self.report = self.report.take().or(closed_report);
                Action::Print
            }
            Err(action) => action,
        }
    }

    pub fn update(&mut self, terminal: &mut Terminal, operator: &Operator, message: Message) -> Action {
        let money = |text: &str| Money::parse_non_negative(text.trim());
        match message {
            Message::Tab(tab) => {
                if self.tab != tab {
                    self.notice = None;
                    self.error = None;
                    self.focused = None;
                }
                self.tab = tab;
                self.refresh(terminal);
                if tab == Tab::Stock {
                    self.low_stock = terminal.low_stock().unwrap_or_default();
                    self.labels_due = terminal.labels_due().unwrap_or_default();
                }
                if tab == Tab::Goods {
                    self.goods.refresh(terminal);
                }
            }
            Message::Float(t) => self.float = t,
            Message::Amount(t) => self.amount = t,
            Message::Reason(t) => self.reason = t,
            Message::StockCode(t) => self.stock_code = t,
            Message::Printer(t) => self.printer = t,
            Message::Scanner(t) => self.scanner = t,
            Message::OpenSession => match money(&self.float) {
                Ok(float) => return self.run(terminal, operator, Op::Open(float), None),
                Err(e) => self.error = Some(e.to_string()),
            },
            Message::Cash(direction) => match money(&self.amount) {
                Ok(amount) => {
                    return self.run(terminal, operator, Op::Cash(direction, amount, self.reason.clone()), None);
                }
                Err(e) => self.error = Some(e.to_string()),
            },
            Message::NoSale => {
                return self.run(terminal, operator, Op::NoSale("no sale".into()), None);
            }
            Message::Goods(message) => {
                // A tapped button (a reason, a job) gives the keyboard back
                // to the scan field; typing in a field keeps it there.
                if !matches!(message, goods::Message::Input(_) | goods::Message::Note(_)) {
                    self.focused = None;
                }
                if matches!(message, goods::Message::Start(_) | goods::Message::StartCount) {
                    self.notice = None;
                }
                if let Some(work) = self.goods.update(terminal, message) {
                    return self.run(terminal, operator, Op::Goods(work), None);
                }
            }
            Message::Close(close_day::Message::Check) if self.sale_open => {
                self.error = Some("A sale is in progress: finish or park it before closing the day".into());
            }
            Message::Close(message) => {
                if let Some(count) = self.close.update(message) {
                    return self.run(terminal, operator, Op::CloseDay(count), None);
                }
            }
            Message::LookUp => {
                // The field is cleared for the next scan; the answer names the code.
                let code = std::mem::take(&mut self.stock_code);
                self.stock = Some(match terminal.find_code(&code) {
                    Ok(found) => {
                        let local = terminal.on_hand_milli(&found.product.sku).unwrap_or(0);
                        let known = terminal.known_stock_milli(&found.product.sku).unwrap_or(local);
                        let held = terminal.reserved_milli(&found.product.sku).unwrap_or(0);
                        let unit = found.product.unit;
                        format!(
                            "{} {}\nThis terminal's movements: {} {unit}\nKnown store stock (last sync + since): {} {unit}\nHeld for customer orders: {} {unit}; available to promise: {} {unit}",
                            found.product.sku,
                            found.product.name,
                            milli_to_decimal(local),
                            milli_to_decimal(known),
                            milli_to_decimal(held),
                            milli_to_decimal(known - held),
                        )
                    }
                    Err(e) => e.to_string(),
                });
            }
            Message::PrintLabels => return self.run(terminal, operator, Op::Labels, None),
            Message::SavePrinter => {
                return self.run(terminal, operator, Op::Device("printer", self.printer.clone()), None);
            }
            Message::SaveScanner => {
                return self.run(terminal, operator, Op::Device("scanner", self.scanner.clone()), None);
            }
            Message::PaperWidth(mm) => {
                return self.run(terminal, operator, Op::Device("paper-width", mm.to_string()), None);
            }
            Message::TestPrint => match terminal.queue_test_page() {
                Ok(()) => return Action::Print,
                Err(e) => self.error = Some(e.to_string()),
            },
            Message::Training(on) => return self.run(terminal, operator, Op::Training(on), None),
            Message::TaxMode(mode) => {
                let value = if mode == TaxMode::Inclusive { "inclusive" } else { "exclusive" };
                return self.run(terminal, operator, Op::Setting("tax-mode", value.into()), None);
            }
            Message::Back => return Action::ToSale(None),
        }
        Action::None
    }

    fn field<'a>(placeholder: &str, value: &'a str, on: fn(String) -> Message) -> Element<'a, Message> {
        style::field(placeholder, value, on).into()
    }

    fn session_tab(&self) -> Element<'_, Message> {
        match &self.session {
            None => column![
                text("The till is closed.").size(style::LARGE),
                style::field("Opening float", &self.float, Message::Float)
                    .id(FLOAT_FIELD)
                    .on_submit(Message::OpenSession),
                style::primary_button("", "Open the till", Some(Message::OpenSession)),
            ]
            .spacing(style::GAP)
            .into(),
            Some(session) => column![
                text(format!("Session {} opened by {} with {}", session.id, session.opened_by, session.float))
                    .size(style::LARGE),
                style::field("Amount", &self.amount, Message::Amount).id(AMOUNT_FIELD),
                Self::field("Reason (required)", &self.reason, Message::Reason),
                row![
                    style::key_button("", "Cash in", Some(Message::Cash(CashDirection::In))),
                    style::key_button("", "Cash out", Some(Message::Cash(CashDirection::Out))),
                    style::key_button("", "No sale (open drawer)", Some(Message::NoSale)),
                ]
                .spacing(style::GAP),
            ]
            .spacing(style::GAP)
            .into(),
        }
    }

    fn reports_tab(&self) -> Element<'_, Message> {
        let report: Element<'_, Message> = match (&self.report, self.blind) {
            (_, true) => text("A manager sees the X report; count the drawer blind.").size(style::TEXT).into(),
            (Some(report), false) => {
                scrollable(text(report.clone()).font(style::MONO).size(style::SMALL)).spacing(8).into()
            }
            (None, false) => text("No open session.").size(style::TEXT).into(),
        };
        let closing =
            container(self.close.view(self.x.as_ref(), self.blind).map(Message::Close)).padding(10).style(style::panel);
        // Counting blind means no figure at all: not even the day's sales.
        let side = match self.blind {
            true => column![closing],
            false => {
                column![text("Sales by hour").size(style::LARGE), canvas(&self.chart).width(Fill).height(220), closing]
            }
        };
        // The report as wide as its lines; the chart and the close get the rest.
        row![
            container(report).padding(10).width(iced::Shrink).height(Fill).style(style::panel),
            side.spacing(style::GAP).width(Fill),
        ]
        .spacing(style::GAP)
        .into()
    }

    /// Carries out goods work; the notice says what was booked.
    fn goods_work(
        &mut self,
        terminal: &mut Terminal,
        operator: &Operator,
        work: goods::Work,
        approver: Option<&Credentials>,
    ) -> crate::CoreResult<String> {
        use goods::Work;
        match work {
            Work::Receive(number, picks) => {
                terminal.receive_purchase_order(operator, &number, &picks).map(|_| format!("{number} received"))
            }
            Work::Ship(number, picks) => {
                terminal.ship_transfer(operator, &number, &picks).map(|_| format!("{number} shipped"))
            }
            Work::Deliver(note, lines) => {
                let reference = if note.is_empty() { "delivery" } else { note.as_str() };
                let said =
                    if note.is_empty() { "Delivery received".to_string() } else { format!("Delivery {note} received") };
                terminal.receive_stock(operator, reference, &lines).map(|_| said)
            }
            Work::Adjust(reason, note, lines) => terminal
                .adjust_stock(operator, reason, &note, &lines, approver)
                .map(|_| format!("Stock adjusted: {reason}")),
            Work::StartCount => terminal.start_count(operator, None).map(|id| {
                self.goods.counting(id);
                format!("Count {id} started: scan what you see")
            }),
            Work::CloseCount(id, zero) => terminal
                .close_count(operator, id, zero, approver)
                .map(|closed| format!("Count {id} closed: {} variance(s) booked", closed.lines.len())),
        }
    }

    /// A scan no field took, on this screen: into the goods being worked
    /// on, else a stock lookup.
    pub fn scanned(&mut self, terminal: &mut Terminal, operator: &Operator, code: String) -> Action {
        if self.tab == Tab::Goods && self.goods.field().is_some() {
            let _ = self.update(terminal, operator, Message::Goods(goods::Message::Input(code)));
            return self.update(terminal, operator, Message::Goods(goods::Message::Scan));
        }
        let _ = self.update(terminal, operator, Message::Tab(Tab::Stock));
        self.stock_code = code;
        self.update(terminal, operator, Message::LookUp)
    }

    /// Whether the tab on screen has a field of its own for scans.
    pub fn takes_scans(&self) -> bool {
        self.tab == Tab::Stock || (self.tab == Tab::Goods && self.goods.field().is_some())
    }

    /// What the stock lookup field holds.
    pub fn stock_field(&self) -> &str {
        &self.stock_code
    }

    /// The field to give the keyboard to, once: on arrival, on a new tab
    /// or a new step of closing the day (never while someone types).
    pub fn focus_request(&mut self) -> Option<&'static str> {
        let field = self.focus_field();
        if std::mem::replace(&mut self.focused, field) == field { None } else { field }
    }

    /// The field that takes the keyboard on arrival, on this tab.
    fn focus_field(&self) -> Option<&'static str> {
        match (self.tab, &self.session) {
            (Tab::Session, None) => Some(FLOAT_FIELD),
            (Tab::Session, Some(_)) => Some(AMOUNT_FIELD),
            (Tab::Reports, _) => self.close.field(),
            (Tab::Stock, _) => Some(STOCK_FIELD),
            (Tab::Goods, _) => self.goods.field(),
            (Tab::Settings, _) => None,
        }
    }

    fn stock_tab(&self) -> Element<'_, Message> {
        let mut low = Column::new().spacing(2);
        for level in &self.low_stock {
            low = low.push(
                row![
                    text(format!("{}  {}", level.sku, level.name)).size(style::TEXT).width(Fill),
                    text(format!(
                        "{} {} free (reorder at {})",
                        level.available,
                        level.unit,
                        level.reorder_point.unwrap_or_default()
                    ))
                    .size(style::TEXT)
                    .font(style::MONO),
                ]
                .spacing(style::GAP),
            );
        }
        let labels = match self.labels_due.len() {
            0 => "Shelf labels: every label shows its price.".to_string(),
            n => {
                let first: Vec<String> =
                    self.labels_due.iter().take(4).map(|l| format!("{} {}", l.name, l.price)).collect();
                let more = if n > 4 { format!(", and {} more", n - 4) } else { String::new() };
                format!("Shelf labels due: {n} ({}{more})", first.join(", "))
            }
        };
        let print = (!self.labels_due.is_empty()).then_some(Message::PrintLabels);
        column![
            style::field("Scan or type a product code", &self.stock_code, Message::StockCode)
                .id(STOCK_FIELD)
                .on_submit(Message::LookUp),
            text(self.stock.clone().unwrap_or_default()).size(style::TEXT),
            row![text(labels).size(style::TEXT).width(Fill), style::key_button("", "Print the labels due", print),]
                .spacing(style::GAP)
                .align_y(iced::Center),
            text(match self.low_stock.len() {
                0 => "Nothing is at or below its reorder point.".to_string(),
                n => format!("Low stock: {n} product(s) at or below their reorder point"),
            })
            .size(style::LARGE),
            scrollable(low).height(Fill),
        ]
        .spacing(style::GAP)
        .into()
    }

    fn settings_tab<'a>(&'a self, terminal: &'a Terminal) -> Element<'a, Message> {
        let settings = terminal.settings();
        let mode = |label: &str, value: TaxMode| {
            button(text(label.to_string()))
                .style(if settings.tax_mode == value { button::primary } else { button::secondary })
                .on_press(Message::TaxMode(value))
        };
        let training = |label: &str, on: bool| {
            button(text(label.to_string()))
                .style(if terminal.training() == on { button::primary } else { button::secondary })
                .on_press(Message::Training(on))
        };
        let paper = |mm: u16| {
            button(text(format!("{mm} mm")))
                .style(if terminal.devices().paper_width == mm { button::primary } else { button::secondary })
                .on_press(Message::PaperWidth(mm))
        };
        column![
            row![
                text("Prices").size(style::TEXT),
                mode("include tax", TaxMode::Inclusive),
                mode("exclude tax", TaxMode::Exclusive)
            ]
            .spacing(style::GAP),
            row![text("Training mode").size(style::TEXT), training("off", false), training("on", true)]
                .spacing(style::GAP),
            text("Printer (tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0?baud=19200, file:///dev/usb/lp0)")
                .size(style::SMALL),
            row![
                Self::field("none", &self.printer, Message::Printer),
                button(text("Save")).on_press(Message::SavePrinter),
                button(text("Test page")).on_press(Message::TestPrint),
            ]
            .spacing(style::GAP),
            row![text("Paper").size(style::TEXT), paper(80), paper(58)].spacing(style::GAP),
            text("Scanner (keyboard, or serial:///dev/ttyACM0?baud=9600&suffix=cr)").size(style::SMALL),
            row![
                Self::field("keyboard", &self.scanner, Message::Scanner),
                button(text("Save")).on_press(Message::SaveScanner)
            ]
            .spacing(style::GAP),
            text(&self.sync_line).size(style::TEXT),
        ]
        .spacing(style::GAP)
        .into()
    }

    pub fn view<'a>(&'a self, terminal: &'a Terminal) -> Element<'a, Message> {
        let tab = |icon: Icon, label: &str, tab: Tab| {
            let content = row![
                text(char::from(icon).to_string()).font(style::ICONS).size(style::TEXT),
                text(label.to_string()).size(style::TEXT)
            ]
            .spacing(8)
            .align_y(iced::Center);
            button(content)
                .padding([10, 20])
                .style(if self.tab == tab { button::primary } else { button::secondary })
                .on_press(Message::Tab(tab))
        };
        let tabs = row![
            tab(Icon::Wallet, "Session", Tab::Session),
            tab(Icon::ChartColumn, "Reports", Tab::Reports),
            tab(Icon::Boxes, "Stock", Tab::Stock),
            tab(Icon::Truck, "Goods in & out", Tab::Goods),
            tab(Icon::Settings, "Settings", Tab::Settings),
            iced::widget::space::horizontal(),
            container(style::key_button("Esc", "Back to the sale", Some(Message::Back))).width(240),
        ]
        .spacing(style::GAP);
        let body = match self.tab {
            Tab::Session => self.session_tab(),
            Tab::Reports => self.reports_tab(),
            Tab::Stock => self.stock_tab(),
            Tab::Goods => self.goods.view().map(Message::Goods),
            Tab::Settings => self.settings_tab(terminal),
        };
        // One line, always there, below everything: a message never moves
        // what a person is about to click.
        let (message, look) = match (&self.error, &self.notice) {
            (Some(error), _) => (error.as_str(), style::error as fn(&_) -> _),
            (None, Some(notice)) => (notice.as_str(), style::panel as fn(&_) -> _),
            (None, None) => ("", style::plain as fn(&_) -> _),
        };
        let line = container(text(message).size(style::TEXT).wrapping(iced::widget::text::Wrapping::None))
            .padding(10)
            .width(Fill)
            .height(48)
            .clip(true)
            .style(look);
        column![tabs, container(body).height(Fill), line].spacing(style::GAP * 1.5).padding(20).into()
    }
}
