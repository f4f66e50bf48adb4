//! Manager functions: the till session (float, cash in and out, no-sale),
//! reports (X, sales by hour, the Z with expected against counted and the
//! variance before it is confirmed), stock lookup and settings.

use iced::widget::{Column, button, canvas, column, container, row, scrollable, text, text_input};
use iced::{Element, Fill};
use pos_shared::journal::CashDirection;
use pos_shared::money::Money;
use pos_shared::pricing::TaxMode;
use pos_shared::report::SessionReport;
use pos_shared::stock::milli_to_decimal;
use pos_shared::tender::{Tender, TenderKind};

use super::chart::SalesByHour;
use super::{Action, Retry, attempt};
use crate::app::style;
use crate::session::SessionInfo;
use crate::stock::StockLevel;
use crate::{Operator, Terminal};

pub const COUNTED_FIELD: &str = "counted";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Session,
    Reports,
    Stock,
    Settings,
}

/// A manager operation that may need a manager's PIN.
#[derive(Debug, Clone)]
pub enum Op {
    Open(Money),
    Cash(CashDirection, Money, String),
    NoSale(String),
    CloseDay(Vec<Tender>),
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
    Counted(String),
    CloseDay,
    StockCode(String),
    LookUp,
    Printer(String),
    SavePrinter,
    TestPrint,
    Scanner(String),
    SaveScanner,
    PaperWidth(u16),
    TaxMode(TaxMode),
    Back,
}

#[derive(Debug)]
pub struct Manager {
    pub tab: Tab,
    float: String,
    amount: String,
    reason: String,
    counted: String,
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
    printer: String,
    scanner: String,
    notice: Option<String>,
    error: Option<String>,
}

impl Manager {
    pub fn new(terminal: &Terminal) -> Manager {
        let devices = terminal.devices();
        let mut manager = Manager {
            tab: Tab::Session,
            float: "100.00".into(),
            amount: String::new(),
            reason: String::new(),
            counted: String::new(),
            session: None,
            x: None,
            report: None,
            sync_line: String::new(),
            chart: SalesByHour { hours: [Money::ZERO; 24] },
            stock_code: String::new(),
            stock: None,
            low_stock: Vec::new(),
            printer: devices.printer.clone().unwrap_or_default(),
            scanner: devices.scanner.clone().unwrap_or_default(),
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
        approver: Option<&crate::users::Credentials>,
    ) -> Action {
        let retry = op.clone();
        let result = match op {
            Op::Open(float) => terminal.open_session(operator, float).map(|s| format!("Session {} opened", s.id)),
            Op::Cash(direction, amount, reason) => terminal
                .cash_move(operator, direction, amount, &reason, approver)
                .map(|_| format!("Cash {} {amount} recorded", direction.as_str())),
            Op::NoSale(reason) => {
                terminal.open_drawer(operator, &reason, approver).map(|_| "Drawer opened".to_string())
            }
            Op::CloseDay(counted) => terminal.z_report(operator, &counted, approver).map(|z| {
                self.report = Some(terminal.report_doc(&z).render_text(terminal.receipt_columns()));
                format!("Day closed: Z report #{}", z.z_no.unwrap_or_default())
            }),
        };
        match attempt(result, || Retry::Manager(retry), &mut self.error) {
            Ok(notice) => {
                self.notice = Some(notice);
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
                self.tab = tab;
                self.refresh(terminal);
                if tab == Tab::Stock {
                    self.low_stock = terminal.low_stock().unwrap_or_default();
                }
            }
            Message::Float(t) => self.float = t,
            Message::Amount(t) => self.amount = t,
            Message::Reason(t) => self.reason = t,
            Message::Counted(t) => self.counted = t,
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
            Message::CloseDay => {
                let counted = match self.counted.trim() {
                    "" => Ok(Vec::new()),
                    typed => money(typed).map(|amount| vec![Tender { kind: TenderKind::Cash, amount }]),
                };
                match counted {
                    Ok(counted) => {
                        return self.run(terminal, operator, Op::CloseDay(counted), None);
                    }
                    Err(e) => self.error = Some(e.to_string()),
                }
            }
            Message::LookUp => {
                self.stock = Some(match terminal.find_code(&self.stock_code) {
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
            Message::SavePrinter => self.save(terminal, "printer", &self.printer.clone()),
            Message::SaveScanner => self.save(terminal, "scanner", &self.scanner.clone()),
            Message::PaperWidth(mm) => self.save(terminal, "paper-width", &mm.to_string()),
            Message::TestPrint => match terminal.queue_test_page() {
                Ok(()) => return Action::Print,
                Err(e) => self.error = Some(e.to_string()),
            },
            Message::TaxMode(mode) => {
                if let Err(e) = terminal.update_settings(|s| s.tax_mode = mode) {
                    self.error = Some(e.to_string());
                }
            }
            Message::Back => return Action::ToSale(None),
        }
        Action::None
    }

    fn save(&mut self, terminal: &mut Terminal, key: &str, value: &str) {
        match terminal.set_device(key, if value.trim().is_empty() { "none" } else { value }) {
            Ok(()) => {
                self.notice = Some(format!("{key} saved"));
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn field<'a>(placeholder: &str, value: &'a str, on: fn(String) -> Message) -> Element<'a, Message> {
        text_input(placeholder, value).on_input(on).size(style::TEXT).padding(10).into()
    }

    fn session_tab(&self) -> Element<'_, Message> {
        match &self.session {
            None => column![
                text("The till is closed.").size(style::LARGE),
                Self::field("Opening float", &self.float, Message::Float),
                style::primary_button("", "Open the till", Some(Message::OpenSession)),
            ]
            .spacing(style::GAP)
            .into(),
            Some(session) => column![
                text(format!("Session {} opened by {} with {}", session.id, session.opened_by, session.float))
                    .size(style::LARGE),
                Self::field("Amount", &self.amount, Message::Amount),
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
        let report = text(self.report.clone().unwrap_or_else(|| "No open session.".into())).font(style::MONO).size(14);
        let x = &self.x;
        let mut closing = Column::new().spacing(6).push(text("Close the day (Z)").size(style::LARGE));
        if let Some(x) = &x {
            let counted = Money::parse_non_negative(self.counted.trim()).ok();
            for line in &x.tenders {
                let counted = (line.kind == TenderKind::Cash).then_some(counted).flatten();
                let variance = counted.map_or("-".to_string(), |c| (c - line.expected).to_string());
                closing = closing.push(
                    text(format!(
                        "{:<5} expected {:>8} counted {:>8} var. {:>7}",
                        line.kind.as_str(),
                        line.expected.to_string(),
                        counted.map_or("-".to_string(), |c| c.to_string()),
                        variance
                    ))
                    .font(style::MONO)
                    .size(14),
                );
            }
            closing = closing
                .push(
                    text_input("Cash counted in the drawer", &self.counted)
                        .id(COUNTED_FIELD)
                        .on_input(Message::Counted)
                        .size(style::TEXT)
                        .padding(10),
                )
                .push(style::primary_button("", "Confirm Z report", Some(Message::CloseDay)));
        }
        row![
            container(scrollable(report)).padding(10).width(Fill).height(Fill).style(style::panel),
            column![
                text("Sales by hour").size(style::LARGE),
                canvas(&self.chart).width(Fill).height(220),
                container(closing).padding(10).style(style::panel),
            ]
            .spacing(style::GAP)
            .width(Fill),
        ]
        .spacing(style::GAP)
        .into()
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
        column![
            text_input("Scan or type a product code", &self.stock_code)
                .on_input(Message::StockCode)
                .on_submit(Message::LookUp)
                .size(style::TEXT)
                .padding(10),
            text(self.stock.clone().unwrap_or_default()).size(style::TEXT),
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
            text("Printer (tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0?baud=19200, file:///dev/usb/lp0)")
                .size(14),
            row![
                Self::field("none", &self.printer, Message::Printer),
                button(text("Save")).on_press(Message::SavePrinter),
                button(text("Test page")).on_press(Message::TestPrint),
            ]
            .spacing(style::GAP),
            row![text("Paper").size(style::TEXT), paper(80), paper(58)].spacing(style::GAP),
            text("Scanner (keyboard, or serial:///dev/ttyACM0?baud=9600&suffix=cr)").size(14),
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
        let tab = |label: &str, tab: Tab| {
            button(text(label.to_string()).size(style::TEXT))
                .padding([10, 20])
                .style(if self.tab == tab { button::primary } else { button::secondary })
                .on_press(Message::Tab(tab))
        };
        let tabs = row![
            tab("Session", Tab::Session),
            tab("Reports", Tab::Reports),
            tab("Stock", Tab::Stock),
            tab("Settings", Tab::Settings),
            iced::widget::space::horizontal(),
            button(text("Esc  Back to the sale").size(style::TEXT)).padding([10, 20]).on_press(Message::Back),
        ]
        .spacing(style::GAP);
        let body = match self.tab {
            Tab::Session => self.session_tab(),
            Tab::Reports => self.reports_tab(),
            Tab::Stock => self.stock_tab(),
            Tab::Settings => self.settings_tab(terminal),
        };
        let mut page = column![tabs].spacing(style::GAP * 1.5);
        for (message, look) in [(&self.notice, style::panel as fn(&_) -> _), (&self.error, style::error)] {
            if let Some(message) = message {
                page = page.push(container(text(message).size(style::TEXT)).padding(10).width(Fill).style(look));
            }
        }
        page.push(body).padding(20).into()
    }
}
