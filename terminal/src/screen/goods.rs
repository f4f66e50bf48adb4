//! Goods in and out, the manager's day at the till: receive a delivery
//! against a purchase order (scan as the goods come in; short and over
//! shown), ship or receive a transfer, book a delivery with no order,
//! adjust stock with a reason, run a blind count, and see what sync has not
//! sent yet. The work itself runs as the manager screen's operations, so a
//! cashier is asked for a manager where the core says so.

use iced::widget::{Column, button, checkbox, column, container, row, scrollable, text};
use iced::{Element, Fill};
use pos_shared::quantity::Quantity;
use pos_shared::stock::MovementReason;
use rust_decimal::Decimal;

use crate::Terminal;
use crate::app::style;
use crate::purchasing::PurchaseOrder;

pub const GOODS_FIELD: &str = "goods-scan";

/// What is being done with the goods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Receiving against a purchase order or an incoming transfer.
    Receive(String),
    /// Shipping an outgoing transfer.
    Ship(String),
    /// A delivery with no order.
    Delivery,
    Adjust,
    /// A blind count, by its number.
    Count(i64),
}

/// The work to carry out, as a manager-screen operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    Receive(String, Vec<(String, Decimal)>),
    Ship(String, Vec<(String, Decimal)>),
    Deliver(String, Vec<(String, Quantity)>),
    Adjust(MovementReason, String, Vec<(String, Decimal)>),
    StartCount,
    CloseCount(i64, bool),
}

/// A product scanned in this job and how much of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scanned {
    sku: String,
    name: String,
    unit: pos_shared::quantity::Unit,
    qty: Decimal,
}

#[derive(Debug, Default)]
pub struct Goods {
    orders: Vec<PurchaseOrder>,
    waiting: Vec<(String, i64)>,
    job: Option<Job>,
    input: String,
    scanned: Vec<Scanned>,
    note: String,
    reason: Option<MovementReason>,
    zero_uncounted: bool,
    /// What this count has seen so far, product by product (blind: no
    /// expected figure).
    counted: Vec<(String, Decimal)>,
    /// Where what waits goes (a sync server), if anywhere.
    server: Option<String>,
    /// Closing the count was asked once: the next ask closes it.
    closing: bool,
    error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Start(Job),
    StartCount,
    Input(String),
    Scan,
    Note(String),
    Reason(MovementReason),
    ZeroUncounted(bool),
    Finish,
    Cancel,
    /// Not yet: back to counting from "close it?".
    KeepCounting,
}

impl Goods {
    /// Reads the open orders and what waits to be sent.
    pub fn refresh(&mut self, terminal: &Terminal) {
        self.orders = terminal.purchase_orders(false).unwrap_or_default();
        self.waiting = terminal.pending_by_kind().unwrap_or_default();
        self.server = terminal.sync_status().ok().and_then(|s| s.server);
    }

    /// Back to the list, after the work was done.
    pub fn done(&mut self, terminal: &Terminal) {
        *self = Goods::default();
        self.refresh(terminal);
    }

    /// The job a new count became.
    pub fn counting(&mut self, count_id: i64) {
        self.job = Some(Job::Count(count_id));
    }

    pub fn field(&self) -> Option<&'static str> {
        self.job.as_ref().map(|_| GOODS_FIELD)
    }

    fn order(&self, number: &str) -> Option<&PurchaseOrder> {
        self.orders.iter().find(|o| o.number == number)
    }

    /// `CODE` or `CODE*QTY` (1 by default): added to what was scanned, or,
    /// in a count, counted at once (blind: the answer is what was counted).
    fn scan(&mut self, terminal: &mut Terminal) {
        let typed = std::mem::take(&mut self.input);
        let (code, qty) = match typed.trim().rsplit_once('*') {
            Some((code, qty)) => (code.trim(), Decimal::from_str_exact(qty.trim().replace(',', ".").as_str())),
            None => (typed.trim(), Ok(Decimal::ONE)),
        };
        if code.is_empty() {
            return;
        }
        let Ok(qty) = qty else {
            self.error = Some(format!("“{typed}”: the quantity after * must be a number"));
            return;
        };
        let (found, qty) = match terminal.find_code(code) {
            Ok(found) => {
                let units = found.units(qty);
                (found.product, units)
            }
            Err(e) => return self.error = Some(e.to_string()),
        };
        if let Some(Job::Count(count_id)) = self.job {
            match terminal.count_item(count_id, &found.sku, qty) {
                Ok(counted) => {
                    self.error = Some(format!("{}: {counted} counted so far", found.name));
                    match self.counted.iter_mut().find(|(name, _)| *name == found.name) {
                        Some(line) => line.1 = counted,
                        None => self.counted.push((found.name, counted)),
                    }
                }
                Err(e) => self.error = Some(e.to_string()),
            }
            return;
        }
        self.error = None;
        match self.scanned.iter_mut().find(|s| s.sku == found.sku) {
            Some(line) => line.qty += qty,
            None => self.scanned.push(Scanned { sku: found.sku, name: found.name, unit: found.unit, qty }),
        }
    }

    fn picks(&self) -> Vec<(String, Decimal)> {
        self.scanned.iter().map(|s| (s.sku.clone(), s.qty)).collect()
    }

    /// What finishing the job asks the manager screen to do.
    fn finish(&mut self) -> Option<Work> {
        let job = self.job.clone()?;
        if self.scanned.is_empty() && !matches!(job, Job::Count(_)) {
            self.error = Some("scan what came in or goes out first".into());
            return None;
        }
        match job {
            Job::Receive(number) => Some(Work::Receive(number, self.picks())),
            Job::Ship(number) => Some(Work::Ship(number, self.picks())),
            Job::Delivery => {
                let lines: Result<Vec<_>, _> =
                    self.scanned.iter().map(|s| Quantity::new(s.qty, s.unit).map(|q| (s.sku.clone(), q))).collect();
                match lines {
                    Ok(lines) => Some(Work::Deliver(self.note.trim().to_string(), lines)),
                    Err(e) => {
                        self.error = Some(e.to_string());
                        None
                    }
                }
            }
            Job::Adjust => match self.reason {
                Some(reason) => Some(Work::Adjust(reason, self.note.clone(), self.picks())),
                None => {
                    self.error = Some("choose why the stock changes".into());
                    None
                }
            },
            // Closing books every variance at once: say what it will do first.
            Job::Count(id) if !self.closing => {
                self.closing = true;
                let unscanned = if self.zero_uncounted { "; what nobody scanned goes to none" } else { "" };
                self.error = Some(format!(
                    "Close count {id}: {} product(s) counted{unscanned}. Its variances are booked. Close it?",
                    self.counted.len()
                ));
                None
            }
            Job::Count(id) => Some(Work::CloseCount(id, self.zero_uncounted)),
        }
    }

    pub fn update(&mut self, terminal: &mut Terminal, message: Message) -> Option<Work> {
        match message {
            Message::Start(job) => {
                *self = Goods { orders: std::mem::take(&mut self.orders), job: Some(job), ..Goods::default() };
            }
            Message::StartCount => return Some(Work::StartCount),
            Message::Input(text) => self.input = text,
            Message::Scan => {
                self.closing = false;
                self.scan(terminal);
            }
            Message::Note(text) => self.note = text,
            Message::Reason(reason) => self.reason = Some(reason),
            Message::ZeroUncounted(on) => {
                self.zero_uncounted = on;
                self.closing = false;
            }
            Message::Finish => return self.finish(),
            Message::Cancel => self.done(terminal),
            Message::KeepCounting => {
                self.closing = false;
                self.error = None;
            }
        }
        None
    }

    fn menu(&self) -> Element<'_, Message> {
        let mut list = Column::new().spacing(6).push(text("Orders and transfers").size(style::LARGE));
        if self.orders.is_empty() {
            list = list.push(text("Nothing is on its way: no open purchase order or transfer.").size(style::TEXT));
        }
        for po in &self.orders {
            let (label, job) = match (po.outgoing, &po.from_store) {
                (true, _) => (format!("Ship {} ({} lines)", po.number, po.lines.len()), Job::Ship(po.number.clone())),
                (false, Some(from)) => (
                    format!("Receive {} from {from} ({} lines)", po.number, po.lines.len()),
                    Job::Receive(po.number.clone()),
                ),
                (false, None) => (
                    format!("Receive {} from {} ({} lines)", po.number, po.supplier, po.lines.len()),
                    Job::Receive(po.number.clone()),
                ),
            };
            list = list.push(style::key_button("", &label, Some(Message::Start(job))));
        }
        let waiting = match (self.waiting.iter().map(|(_, n)| n).sum::<i64>(), &self.server) {
            (0, _) => "Everything is sent to head office.".to_string(),
            (n, server) => {
                let kinds: Vec<String> =
                    self.waiting.iter().map(|(kind, n)| format!("{n} {}", kind.replace('_', " "))).collect();
                let whither = match server {
                    Some(server) => format!("to {server} at the next sync"),
                    None => "(no sync server: they stay on this till)".to_string(),
                };
                format!("{n} entries wait to be sent {whither}: {}", kinds.join(", "))
            }
        };
        column![
            list,
            row![
                style::key_button("", "Delivery with no order", Some(Message::Start(Job::Delivery))),
                style::key_button("", "Adjust stock", Some(Message::Start(Job::Adjust))),
                style::key_button("", "Count stock (blind)", Some(Message::StartCount)),
            ]
            .spacing(style::GAP),
            text(waiting).size(style::TEXT),
        ]
        .spacing(style::GAP * 1.5)
        .into()
    }

    /// The lines of an order against what was scanned now: short and over shown.
    fn against_order<'a>(&'a self, po: &'a PurchaseOrder) -> Column<'a, Message> {
        let cell = |t: String| text(t).size(style::SMALL).font(style::MONO).width(90);
        let mut table = Column::new().spacing(4).push(
            row![text("Product").width(Fill), cell("to do".into()), cell("now".into()), cell("".into())].spacing(8),
        );
        for line in &po.lines {
            let now = self.scanned.iter().find(|s| s.sku == line.sku).map_or(Decimal::ZERO, |s| s.qty);
            let flag = match now.cmp(&line.outstanding) {
                std::cmp::Ordering::Less if now > Decimal::ZERO => format!("short {}", line.outstanding - now),
                std::cmp::Ordering::Less => String::new(),
                std::cmp::Ordering::Equal => "ok".into(),
                std::cmp::Ordering::Greater => format!("over {}", now - line.outstanding),
            };
            table = table.push(
                row![
                    text(format!("{} {}", line.sku, line.name)).size(style::SMALL).width(Fill),
                    cell(line.outstanding.normalize().to_string()),
                    cell(now.normalize().to_string()),
                    cell(flag),
                ]
                .spacing(8),
            );
        }
        for extra in self.scanned.iter().filter(|s| !po.lines.iter().any(|l| l.sku == s.sku)) {
            table = table.push(
                text(format!("{} is not on {}: book it as a delivery", extra.name, po.number)).size(style::SMALL),
            );
        }
        table
    }

    fn scanned_list(&self) -> Column<'_, Message> {
        let mut list = Column::new().spacing(4);
        for s in &self.scanned {
            list =
                list.push(text(format!("{} {} x {}  {}", s.qty.normalize(), s.unit, s.sku, s.name)).size(style::SMALL));
        }
        list
    }

    fn job_view<'a>(&'a self, job: &'a Job) -> Element<'a, Message> {
        let (title, finish) = match job {
            Job::Receive(n) => (format!("Receiving {n}: scan each item as it comes in"), "Receive these"),
            Job::Ship(n) => (format!("Shipping {n}: scan each item as it leaves"), "Ship these"),
            Job::Delivery => ("A delivery with no order: its note, then scan".into(), "Receive these"),
            Job::Adjust => ("Adjust stock: why, a note, then scan".into(), "Adjust (a manager's)"),
            Job::Count(id) if self.closing => {
                (format!("Count {id}: scan what you see (blind)"), "Yes, close the count")
            }
            Job::Count(id) => (format!("Count {id}: scan what you see (blind)"), "Close the count (a manager's)"),
        };
        let mut page = column![text(title).size(style::LARGE)].spacing(style::GAP);
        if matches!(job, Job::Delivery | Job::Adjust) {
            let placeholder = match job {
                Job::Delivery => "The delivery note's number",
                _ => "What happened (damaged, expired, theft and own use take out; correction adds, CODE*-2 takes out)",
            };
            page = page.push(style::field(placeholder, &self.note, Message::Note));
        }
        if *job == Job::Adjust {
            let mut reasons = row![].spacing(6);
            for reason in MovementReason::ADJUSTMENTS {
                let chosen = self.reason == Some(reason);
                reasons = reasons.push(
                    button(text(reason.as_str()).size(style::SMALL))
                        .height(style::TOUCH)
                        .style(if chosen { button::primary } else { button::secondary })
                        .on_press(Message::Reason(reason)),
                );
            }
            page = page.push(reasons);
        }
        page = page.push(
            style::field("Scan, or CODE*QTY", &self.input, Message::Input).id(GOODS_FIELD).on_submit(Message::Scan),
        );
        let body = match job {
            Job::Receive(n) | Job::Ship(n) => match self.order(n) {
                Some(po) => self.against_order(po),
                None => self.scanned_list(),
            },
            Job::Count(_) => {
                let mut seen = Column::new().spacing(4).push(
                    checkbox(self.zero_uncounted)
                        .label("When closing, products nobody scanned count as none in stock")
                        .on_toggle(Message::ZeroUncounted),
                );
                for (name, counted) in &self.counted {
                    seen = seen.push(text(format!("{counted}  {name}")).size(style::SMALL));
                }
                seen
            }
            _ => self.scanned_list(),
        };
        page =
            page.push(container(scrollable(body).height(Fill).spacing(6)).padding(8).height(Fill).style(style::panel));
        if let Some(said) = &self.error {
            page = page.push(text(said).size(style::TEXT));
        }
        // Asked to confirm, the closing button moves to the other side, so
        // a double tap does not close.
        let buttons = match self.closing {
            false => row![
                style::key_button("", "Cancel", Some(Message::Cancel)),
                style::primary_button("", finish, Some(Message::Finish)),
            ],
            true => row![
                style::primary_button("", finish, Some(Message::Finish)),
                style::key_button("", "Not yet: keep counting", Some(Message::KeepCounting)),
            ],
        };
        page.push(buttons.spacing(style::GAP)).into()
    }

    pub fn view(&self) -> Element<'_, Message> {
        match &self.job {
            None => self.menu(),
            Some(job) => self.job_view(job),
        }
    }
}
