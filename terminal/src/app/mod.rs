//! The desktop app (iced): routes messages to the screens, carries out the
//! actions they return, asks for a manager's PIN when one is needed, shows
//! the status bar, and runs printing, sync and scanners in the background.
//! Every cashier and manager action goes through the headless core.

pub mod background;
pub mod renderer;
pub mod style;

use std::path::PathBuf;

use iced::keyboard::key::Named;
use iced::keyboard::{self, Key};
use iced::widget::{button, column, container, row, stack, text};
use iced::{Center, Element, Fill, Subscription, Task, Theme, event};

use crate::devices::address::ScannerAddress;
use crate::devices::config::CustomerScreen;
use crate::devices::display::Shown;
use crate::devices::queue::PrinterStatus;
use crate::devices::scanner::WedgeDetector;
use crate::devices::sound::{Cue, Speaker};
use crate::screen::approval::{self, APPROVAL_FIELD, Approval};
use crate::screen::customer::{self, Facing};
use crate::screen::{Action, Retry, credit, grid, login, manager, orders, payment, receipt, returns, sale, setup};
use crate::{Operator, Terminal};
use background::{ScannerJob, SyncJob, SyncState};

#[derive(Debug)]
pub enum Screen {
    Setup(setup::Setup),
    Login(login::Login),
    Sale,
    Payment(payment::Payment),
    Receipt(receipt::Receipt),
    Returns(returns::Returns),
    Orders(orders::Orders),
    Manager(Box<manager::Manager>),
    Credit(credit::Credit),
}

#[derive(Debug, Clone)]
pub enum Message {
    Setup(setup::Message),
    Login(login::Message),
    Sale(sale::Message),
    Payment(payment::Message),
    Receipt(receipt::Message),
    Returns(returns::Message),
    Orders(orders::Message),
    Manager(manager::Message),
    Credit(credit::Message),
    Approval(approval::Message),
    FunctionKey(Named),
    /// Tab or Shift+Tab: the next or previous field.
    NextField {
        back: bool,
    },
    Lock,
    ToggleTheme,
    Enrolled(Result<(), String>),
    Printed(Result<PrinterStatus, String>),
    /// The customer's display took the view, or why not.
    Displayed(Option<String>),
    Synced(SyncState),
    Scanned(String),
    /// A printable key, with when it came (for the wedge detector) and
    /// whether a field took it.
    Keystroke {
        key: char,
        at_ms: i64,
        captured: bool,
    },
    /// Enter, with when it came and whether a field took it.
    EnterKey {
        at_ms: i64,
        captured: bool,
    },
    ScannerState(String),
    /// The card terminal's reply to a payment.
    CardReplied(crate::card_payment::CardAttempt, crate::card_payment::CardReply),
    /// What became of a card payment left open (empty: there was none).
    CardRecovered(String),
    /// A window was closed: the main one ends the app.
    WindowClosed(iced::window::Id),
    /// A frame was drawn (listened to only when `POS_FRAME_LOG` is set).
    Frame,
}

pub struct App {
    dir: PathBuf,
    terminal: Option<Terminal>,
    operator: Option<Operator>,
    screen: Screen,
    /// The sale in progress, kept while other screens are visited.
    sale: sale::Sale,
    /// The product grid beside the cart, kept across sales.
    grid: grid::Grid,
    approval: Option<Approval>,
    dark: bool,
    printer: Option<Result<PrinterStatus, String>>,
    sync: Option<SyncState>,
    scanner: Option<String>,
    wedge: WedgeDetector,
    /// The status bar's items, refreshed after each update.
    status: Vec<String>,
    /// Where scan-to-frame times go when `POS_FRAME_LOG` names a file (the
    /// UI benchmark): from the update that put a scan in the cart to the
    /// next frame drawn.
    frame_log: Option<std::fs::File>,
    scan_at_us: Option<i64>,
    /// Scan tones, with the `sound` setting they were made for.
    speaker: Option<(String, Speaker)>,
    /// What the customer's display shows, sent when it changes.
    shown: Option<Shown>,
    /// Why the customer's display did not take the last view.
    display_problem: Option<String>,
    /// Something the status bar must say until the till is locked: what
    /// became of a card payment a crash left open.
    notice: Option<String>,
    /// Shelf labels due (prices changed since printed), read at log-in and
    /// after each sync.
    labels_due: usize,
    /// The customer's second screen, once open (any other window is the till's).
    customer_window: Option<iced::window::Id>,
}

impl App {
    /// The app on `dir`: the store if there is one, else the setup screen.
    pub fn new(dir: PathBuf) -> (App, Task<Message>) {
        let terminal = Terminal::open(&dir).ok();
        let screen = match &terminal {
            Some(terminal) => Screen::Login(login::Login::new(terminal)),
            None => Screen::Setup(setup::Setup::default()),
        };
        let mut app = App {
            dir,
            terminal,
            operator: None,
            screen,
            sale: sale::Sale::new(None),
            grid: grid::Grid::default(),
            approval: None,
            dark: false,
            printer: None,
            sync: None,
            scanner: None,
            wedge: WedgeDetector::default(),
            status: Vec::new(),
            frame_log: std::env::var_os("POS_FRAME_LOG")
                .and_then(|path| std::fs::OpenOptions::new().create(true).append(true).open(path).ok()),
            scan_at_us: None,
            speaker: None,
            shown: None,
            display_problem: None,
            notice: None,
            labels_due: 0,
            customer_window: None,
        };
        app.refresh_status();
        let tasks = Task::batch([app.focus(), app.recover_card_task()]);
        (app, tasks)
    }

    /// The app with its windows: the till's (full screen on a till, in a
    /// window where `devices.toml` says so) and, where the till has a
    /// customer screen, the customer's.
    fn boot(dir: PathBuf) -> (App, Task<Message>) {
        let devices = crate::devices::config::DeviceConfig::load(&dir).unwrap_or_default();
        let (mut app, task) = App::new(dir);
        let main = iced::window::Settings {
            size: iced::Size::new(1366.0, 768.0),
            min_size: Some(iced::Size::new(1024.0, 700.0)),
            fullscreen: devices.window == crate::devices::config::WindowMode::Fullscreen,
            ..iced::window::Settings::default()
        };
        let (_, open_main) = iced::window::open(main);
        let mut tasks = vec![task, open_main.discard()];
        if let Ok(Some(place)) = devices.customer_screen() {
            let position = match place {
                CustomerScreen::Beside => iced::window::Position::Specific(iced::Point::new(1366.0, 0.0)),
                CustomerScreen::At(x, y) => iced::window::Position::Specific(iced::Point::new(x as f32, y as f32)),
            };
            let settings = iced::window::Settings {
                size: iced::Size::new(1024.0, 768.0),
                position,
                closeable: false,
                ..iced::window::Settings::default()
            };
            let (customer_id, open_customer) = iced::window::open(settings);
            app.customer_window = Some(customer_id);
            tasks.push(open_customer.discard());
        }
        (app, Task::batch(tasks))
    }

    /// What window `id` shows: the customer's screen or the till's.
    fn window_view(&self, id: iced::window::Id) -> Element<'_, Message> {
        if self.customer_window == Some(id) { self.customer_screen() } else { self.view() }
    }

    fn window_title(&self, id: iced::window::Id) -> String {
        if self.customer_window == Some(id) { format!("Customer screen - {}", self.title()) } else { self.title() }
    }

    pub fn terminal(&self) -> Option<&Terminal> {
        self.terminal.as_ref()
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn operator(&self) -> Option<&Operator> {
        self.operator.as_ref()
    }

    /// Whether a manager's approval is being asked for.
    pub fn approval_pending(&self) -> bool {
        self.approval.is_some()
    }

    pub fn sale(&self) -> &sale::Sale {
        &self.sale
    }

    pub fn theme(&self) -> Theme {
        style::theme(self.dark)
    }

    pub fn title(&self) -> String {
        match &self.terminal {
            Some(t) => format!("{} - {}", t.settings().store_name, t.settings().terminal_id),
            None => "Point of sale".into(),
        }
    }

    /// Keeps the field that takes keyboard and scanner input focused.
    fn focus(&mut self) -> Task<Message> {
        let manager_field = match (&self.approval, &mut self.screen) {
            (None, Screen::Manager(manager)) => manager.focus_request(),
            _ => None,
        };
        match self.owning_field().map(|f| f.id).or(manager_field) {
            Some(id) => iced::widget::operation::focus(id),
            None => Task::none(),
        }
    }

    /// Resolves a card payment a crash left open, off the UI thread.
    fn recover_card_task(&self) -> Task<Message> {
        match self.terminal.as_ref().map(Terminal::unresolved_card_payment) {
            Some(Ok(Some(_))) => Task::perform(background::recover_card(self.dir.clone()), Message::CardRecovered),
            _ => Task::none(),
        }
    }

    fn print_task(&self) -> Task<Message> {
        if self.terminal.as_ref().is_some_and(|t| t.devices().printer.is_some()) {
            Task::perform(background::print_pending(self.dir.clone()), Message::Printed)
        } else {
            Task::none()
        }
    }

    /// Carries out what a screen asked for.
    fn act(&mut self, action: Action) -> Task<Message> {
        let Some(terminal) = self.terminal.as_mut() else {
            return Task::none();
        };
        match action {
            Action::None => {}
            Action::Opened => self.screen = Screen::Login(login::Login::new(terminal)),
            Action::LoggedIn(operator) => {
                self.labels_due = terminal.labels_due_count().unwrap_or(0);
                self.operator = Some(operator);
                self.grid.load(terminal);
                self.screen = Screen::Sale;
            }
            // Leaving an order's payment goes back to the order, not to a
            // cart of its lines.
            Action::ToSale(Some(cart)) if cart.order.is_some() => {
                self.screen = Screen::Orders(orders::Orders::new(terminal, cart.order.as_deref()));
            }
            Action::ToSale(cart) => {
                if let Some(cart) = cart {
                    self.sale.cart = *cart;
                }
                self.screen = Screen::Sale;
            }
            Action::ToPayment(cart) => self.screen = Screen::Payment(payment::Payment::new(terminal, *cart)),
            Action::ToReceipt(committed) => {
                // The receipt's stamp signs the sale, outside its transaction.
                self.sale = sale::Sale::new(None);
                self.screen = Screen::Receipt(receipt::Receipt::new(terminal, *committed));
                return Task::batch([self.print_task(), self.focus()]);
            }
            Action::ToReturns(receipt) => {
                let mut screen = returns::Returns::default();
                if let Some(receipt) = receipt {
                    screen.load(terminal, &receipt);
                }
                self.screen = Screen::Returns(screen);
            }
            Action::ToCredit => self.screen = Screen::Credit(credit::Credit::new()),
            Action::Weigh(code) => {
                let weighing = match terminal.devices().scale_address() {
                    Ok(Some(address)) => Task::perform(background::weigh(address), move |result| {
                        Message::Sale(sale::Message::Weighed(code.clone(), result))
                    }),
                    Ok(None) => Task::none(),
                    Err(e) => Task::done(Message::Sale(sale::Message::Weighed(code, Err(e.to_string())))),
                };
                return Task::batch([weighing, self.focus()]);
            }
            Action::ToOrders(number) => {
                self.screen = Screen::Orders(orders::Orders::new(terminal, number.as_deref()));
            }
            Action::ToManager => {
                if let Some(operator) = &self.operator {
                    let sale_open = !self.sale.cart.is_empty();
                    self.screen = Screen::Manager(Box::new(manager::Manager::new(terminal, operator, sale_open)));
                }
            }
            Action::Approve { reason, retry } => {
                self.approval = Some(Approval::new(terminal, reason, retry));
            }
            Action::Print => return Task::batch([self.print_task(), self.focus()]),
            Action::AskCardTerminal { attempt, cancel } => {
                let asking = match terminal.card_terminal() {
                    Ok(address) => {
                        let replied = attempt.clone();
                        Task::perform(background::ask_card(address, self.dir.clone(), attempt, cancel), move |reply| {
                            Message::CardReplied(replied.clone(), reply)
                        })
                    }
                    Err(e) => {
                        let reply = crate::card_payment::CardReply::NotSent(
                            crate::devices::card_terminal::LinkError::Unreachable(
                                "the card terminal".into(),
                                e.to_string(),
                            ),
                        );
                        Task::done(Message::CardReplied(attempt, reply))
                    }
                };
                return Task::batch([asking, self.focus()]);
            }
            Action::AskCardTerminalAgain(attempt) => {
                let asking = match terminal.card_terminal() {
                    Ok(address) => Task::perform(background::ask_card_again(address), move |reply| {
                        Message::CardReplied(attempt.clone(), reply)
                    }),
                    Err(_) => Task::none(),
                };
                return Task::batch([asking, self.focus()]);
            }
        }
        self.refocus()
    }

    /// The owning field's focus back, but not while a scanner's burst comes
    /// in: a field focused mid-burst takes the next keys onto the text it
    /// showed before the last ones (digits lost). The Enter that ends the
    /// burst gives the focus back.
    fn refocus(&mut self) -> Task<Message> {
        match self.wedge.in_burst(chrono::Utc::now().timestamp_millis()) {
            true => Task::none(),
            false => self.focus(),
        }
    }

    /// Retries a refused action with the chosen manager's PIN.
    fn approve(&mut self) -> Task<Message> {
        let (Some(approval), Some(terminal), Some(operator)) =
            (self.approval.as_mut(), self.terminal.as_mut(), self.operator.as_ref())
        else {
            return Task::none();
        };
        let approver = match approval.take_credentials() {
            Ok(credentials) => credentials,
            Err(why) => {
                approval.error = Some(why);
                return self.focus();
            }
        };
        let action = match (&approval.retry, &mut self.screen) {
            (Retry::Sale(edit), _) => self.sale.apply(terminal, operator, edit.clone(), Some(&approver)),
            (Retry::Return(request), Screen::Returns(returns)) => {
                let request = returns::approved(request, approver);
                returns.commit(terminal, operator, request)
            }
            (Retry::Manager(op), Screen::Manager(manager)) => {
                manager.run(terminal, operator, op.clone(), Some(&approver))
            }
            _ => Action::None,
        };
        // An approved favourite changes the grid's stars.
        if matches!(approval.retry, Retry::Sale(sale::Edit::Favourite(_))) {
            self.grid.reload_tiles(terminal);
        }
        match action {
            Action::Approve { reason, .. } => approval.error = Some(reason),
            other => {
                self.approval = None;
                return self.act(other);
            }
        }
        self.focus()
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        let timing = self.frame_log.is_some().then(|| (chrono::Utc::now().timestamp_micros(), self.units_in_cart()));
        let typing = matches!(
            message,
            Message::Keystroke { .. }
                | Message::Frame
                | Message::Approval(approval::Message::Pin(_))
                | Message::Login(login::Message::Input(_) | login::Message::Digit(_))
                | Message::Sale(sale::Message::Input(_))
                | Message::Payment(payment::Message::Input(_))
                | Message::Returns(returns::Message::Input(_))
                | Message::Orders(orders::Message::Input(_))
        );
        let mut task = self.handle(message);
        if let Some((at_us, before)) = timing
            && self.units_in_cart() > before
        {
            self.scan_at_us = Some(at_us);
        }
        if let Some(cue) = self.sale.take_cue() {
            self.play(cue);
        }
        if let (Screen::Sale, Some(y)) = (&self.screen, self.sale.take_scroll()) {
            let offset = iced::widget::operation::RelativeOffset { x: 0.0, y };
            task = Task::batch([task, iced::widget::operation::snap_to(sale::CART_SCROLL, offset)]);
        }
        // A keystroke changes nothing the status bar shows: no queries per key.
        if !typing {
            self.refresh_status();
            task = Task::batch([task, self.follow_display()]);
        }
        task
    }

    /// What the customer sees now, on the second screen and the pole
    /// display alike: the cart as rung up, what is left to pay, the change,
    /// a refund, or a welcome.
    pub fn facing(&self) -> Option<Facing> {
        let terminal = self.terminal.as_ref()?;
        Some(match &self.screen {
            Screen::Payment(payment) => match payment.card_attempt() {
                Some(attempt) => Facing::Card { amount: attempt.amount },
                None => Facing::ToPay { total: payment.due(), left: payment.left() },
            },
            Screen::Receipt(receipt) if receipt.committed.record.kind == pos_shared::journal::SaleKind::Return => {
                Facing::Refund { total: receipt.committed.record.total }
            }
            Screen::Receipt(receipt) => {
                let sale = &receipt.committed.record;
                Facing::Paid { total: sale.total, handed: sale.handed_over(), change: sale.change }
            }
            Screen::Returns(returns) if returns.refund_due().is_some() => {
                Facing::Refund { total: returns.refund_due().unwrap_or_default() }
            }
            Screen::Sale if !self.sale.cart.is_empty() => {
                let cart = &self.sale.cart;
                let totals = terminal.cart_totals(cart).ok()?;
                let lines = cart
                    .lines
                    .iter()
                    .zip(&totals.lines)
                    .map(|(line, priced)| (line.name.clone(), line.qty.display(), priced.net))
                    .collect();
                Facing::Cart { lines, total: totals.total }
            }
            _ => Facing::Welcome,
        })
    }

    /// What the customer's pole display should show now, when there is one.
    pub fn customer_view(&self) -> Option<Shown> {
        let terminal = self.terminal.as_ref()?;
        terminal.devices().display.as_ref()?;
        Some(match self.facing()? {
            Facing::Welcome => Shown::welcome(&terminal.settings().store_name),
            Facing::Cart { lines, total } => {
                let (name, _, amount) = lines.last()?;
                Shown::item(name, *amount, total)
            }
            Facing::ToPay { total, .. } => Shown::total(total),
            Facing::Card { amount } => Shown::card(amount),
            Facing::Paid { handed, change, .. } => Shown::change(handed, change),
            Facing::Refund { total } => Shown::refund(total),
        })
    }

    /// The customer's second screen, when the till has one.
    pub fn customer_screen(&self) -> Element<'_, Message> {
        let store = self.terminal.as_ref().map_or("", |t| t.settings().store_name.as_str());
        customer::view(store, &self.facing().unwrap_or(Facing::Welcome))
    }

    /// Sends the customer's view to the display when it changed, off the UI thread.
    fn follow_display(&mut self) -> Task<Message> {
        let shown = self.customer_view();
        if shown == self.shown {
            return Task::none();
        }
        self.shown = shown.clone();
        let address = self.terminal.as_ref().and_then(|t| t.devices().display_address().ok().flatten());
        match (address, shown) {
            (Some(address), Some(shown)) => {
                Task::perform(background::show_customer(address, shown), Message::Displayed)
            }
            _ => Task::none(),
        }
    }

    /// Plays a scan tone through the speaker the device settings name
    /// (made again when the setting changed).
    fn play(&mut self, cue: Cue) {
        let Some(terminal) = &self.terminal else { return };
        let setting = &terminal.devices().sound;
        if self.speaker.as_ref().is_none_or(|(made_for, _)| made_for != setting) {
            self.speaker = Some((setting.clone(), Speaker::new(setting, &self.dir)));
        }
        if let Some((_, speaker)) = &self.speaker {
            speaker.play(cue);
        }
    }

    fn handle(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Setup(message) => return self.setup(message),
            Message::Enrolled(result) => return self.enrolled(result),
            // Any window but the customer's is the till's: closing it ends the app.
            Message::WindowClosed(id) if Some(id) != self.customer_window => {
                // A sale in progress is parked, not lost: F7 Resume brings it back.
                if let (Some(terminal), Some(operator)) = (self.terminal.as_mut(), self.operator.as_ref())
                    && !self.sale.cart.is_empty()
                    && let Err(e) = terminal.park(operator, &self.sale.cart, "parked when the till was closed")
                {
                    eprintln!("The sale in progress could not be parked: {e}");
                }
                return iced::exit();
            }
            Message::WindowClosed(_) => {
                self.customer_window = None;
                return Task::none();
            }
            _ => {}
        }
        let Some(terminal) = self.terminal.as_mut() else {
            return Task::none();
        };
        let action = match (message, &mut self.screen, self.operator.as_ref()) {
            (Message::Login(m), Screen::Login(login), _) => login.update(terminal, m),
            (Message::Sale(sale::Message::Grid(m)), Screen::Sale, Some(op)) => match self.grid.update(terminal, m) {
                Some(tap) => {
                    let starring = self.sale.arranging() && matches!(tap, grid::Tap::Tile(_));
                    let action = self.sale.update(terminal, op, sale::Message::Tile(tap));
                    if starring {
                        self.grid.reload_tiles(terminal);
                    }
                    action
                }
                None => Action::None,
            },
            (Message::Sale(m), Screen::Sale, Some(op)) => self.sale.update(terminal, op, m),
            (Message::Payment(m), Screen::Payment(p), Some(op)) => p.update(terminal, op, m),
            (Message::Receipt(m), Screen::Receipt(r), Some(op)) => r.update(terminal, op, m),
            (Message::Returns(m), Screen::Returns(r), Some(op)) => r.update(terminal, op, m),
            (Message::Orders(m), Screen::Orders(o), Some(op)) => o.update(terminal, op, m),
            (Message::Manager(m), Screen::Manager(mgr), Some(op)) => mgr.update(terminal, op, m),
            (Message::Credit(m), Screen::Credit(c), Some(op)) => c.update(terminal, op, m),
            (Message::Scanned(code), Screen::Sale, Some(op)) => {
                self.sale.update(terminal, op, sale::Message::Scanned(code))
            }
            (Message::Scanned(code), Screen::Receipt(_), Some(op)) => {
                self.screen = Screen::Sale;
                self.sale.update(terminal, op, sale::Message::Scanned(code))
            }
            (Message::FunctionKey(key), _, Some(_)) => return self.function_key(key),
            (Message::NextField { back: false }, _, _) => return iced::widget::operation::focus_next(),
            (Message::NextField { back: true }, _, _) => return iced::widget::operation::focus_previous(),
            (Message::Keystroke { key, at_ms, captured }, _, _) => {
                self.wedge.key(key, at_ms);
                if captured {
                    Action::None
                } else {
                    return self.stray_key(key);
                }
            }
            (Message::EnterKey { at_ms, captured }, _, _) => {
                let burst = self.wedge.enter(at_ms);
                return match (burst, captured) {
                    // Enter no field took: the owning field's Enter, and its focus back.
                    (_, false) if let Some(field) = self.owning_field() => {
                        Task::batch([self.update(field.submit), self.focus()])
                    }
                    // On the manager screen a field took it: words typed fast
                    // into a form are typing, and a field that takes scans
                    // (stock lookup, goods) has it; any other barcode is
                    // looked up.
                    (Some(code), true)
                        if matches!(&self.screen, Screen::Manager(m) if m.takes_scans())
                            || matches!(self.screen, Screen::Manager(_)) && !looks_like_barcode(&code) =>
                    {
                        Task::none()
                    }
                    (Some(code), _) if self.operator.is_some() => self.wedge_scan(code),
                    (None, false) if self.operator.is_some() => self.function_key(Named::Enter),
                    _ => Task::none(),
                };
            }
            (Message::Approval(approval::Message::Approve), _, _) => return self.approve(),
            (Message::Approval(approval::Message::Cancel), _, _) => {
                self.approval = None;
                Action::None
            }
            (Message::Approval(message), _, _) => {
                match (self.approval.as_mut(), message) {
                    (Some(approval), approval::Message::Choose(name)) => approval.choose(name),
                    (Some(approval), approval::Message::Pin(pin)) => approval.type_pin(&pin),
                    _ => {}
                }
                Action::None
            }
            (Message::Lock, _, _) => {
                self.notice = None;
                let mut login = login::Login::new(terminal);
                // The sale in progress stays with whoever rang it up.
                if let Some(operator) = self.operator.take().filter(|_| !self.sale.cart.is_empty()) {
                    let label = "parked at lock";
                    login.notice = Some(match terminal.park(&operator, &self.sale.cart, label) {
                        Ok(_) => format!("{}'s sale is parked: F7 Resume brings it back", operator.name),
                        Err(e) => format!("The sale could not be parked: {e}"),
                    });
                    self.sale = sale::Sale::new(None);
                }
                self.approval = None;
                self.screen = Screen::Login(login);
                Action::None
            }
            (Message::ToggleTheme, _, _) => {
                self.dark = !self.dark;
                Action::None
            }
            (Message::CardReplied(attempt, reply), screen, _) => {
                let settled = terminal.settle_card_reply(&attempt, reply);
                match screen {
                    Screen::Payment(payment) => payment.card_settled(&attempt, settled),
                    Screen::Returns(returns) => returns.card_settled(settled),
                    _ => {
                        self.notice = Some(match settled {
                            Ok(crate::card_payment::CardOutcome::Paid(c)) => {
                                format!("card approved: receipt {}", c.record.receipt_no)
                            }
                            Ok(crate::card_payment::CardOutcome::Refused(why)) => format!("card not paid: {why}"),
                            Err(e) => format!("CARD: {e}"),
                        });
                        Action::None
                    }
                }
            }
            (Message::CardRecovered(notice), screen, _) => {
                match screen {
                    Screen::Login(login) if !notice.is_empty() => login.notice = Some(notice),
                    _ => self.notice = (!notice.is_empty()).then_some(notice),
                }
                Action::None
            }
            (Message::Displayed(problem), _, _) => {
                self.display_problem = problem;
                Action::None
            }
            (Message::Printed(result), _, _) => {
                self.printer = Some(result);
                Action::None
            }
            (Message::Synced(state), _, _) => {
                self.labels_due = state.labels_due;
                self.sync = Some(state);
                Action::None
            }
            (Message::Frame, _, _) => {
                // The first frame drawn after a message that put something
                // in the cart shows it.
                if let (Some(log), Some(at_us)) = (self.frame_log.as_mut(), self.scan_at_us.take()) {
                    use std::io::Write;
                    let _ = writeln!(log, "{}", chrono::Utc::now().timestamp_micros() - at_us);
                }
                Action::None
            }
            (Message::ScannerState(state), _, _) => {
                self.scanner = Some(state);
                Action::None
            }
            _ => Action::None,
        };
        if let Some(approval) = self.approval.as_mut().filter(|_| matches!(action, Action::Approve { .. })) {
            approval.error = Some("That PIN cannot approve this".into());
        }
        self.act(action)
    }

    fn setup(&mut self, message: setup::Message) -> Task<Message> {
        let Screen::Setup(setup) = &mut self.screen else {
            return Task::none();
        };
        match message {
            setup::Message::Server(s) => setup.server = s,
            setup::Message::Code(c) => setup.code = c,
            setup::Message::Fingerprint(f) => setup.fingerprint = f,
            setup::Message::Insecure(on) => setup.insecure = on,
            setup::Message::Shop(field, value) => setup.edit(field, value),
            setup::Message::TaxMode(mode) => setup.set_tax_mode(mode),
            setup::Message::Create => match Terminal::create_store(&self.dir, &setup.new_store()) {
                Ok((mut terminal, pin)) => {
                    let catalog = setup.catalog_file().map(|file| {
                        let imported = std::fs::read(file)
                            .map_err(|e| format!("{file}: {e}"))
                            .and_then(|bytes| terminal.import_catalog(&bytes).map_err(|e| e.to_string()));
                        match imported {
                            Ok(s) => format!("Catalog: {} products added", s.added),
                            Err(e) => format!("The catalog was not imported ({e}); import it from the command line"),
                        }
                    });
                    setup.created = Some((setup.new_store().manager.trim().to_string(), pin, catalog));
                    setup.error = None;
                    self.terminal = Some(terminal);
                }
                Err(e) => setup.error = Some(e.to_string()),
            },
            setup::Message::Continue => {
                if let Some(terminal) = &self.terminal {
                    self.screen = Screen::Login(login::Login::new(terminal));
                    return self.focus();
                }
            }
            setup::Message::Demo => match crate::demo::create_demo(&self.dir) {
                Ok(terminal) => {
                    self.screen = Screen::Login(login::Login::new(&terminal));
                    self.terminal = Some(terminal);
                    return self.focus();
                }
                Err(e) => setup.error = Some(e.to_string()),
            },
            setup::Message::Enroll => {
                let trust = match setup.trust() {
                    Ok(trust) => trust,
                    Err(e) => {
                        setup.error = Some(e);
                        return Task::none();
                    }
                };
                setup.busy = true;
                let (dir, server, code) =
                    (self.dir.clone(), setup.server.trim().to_string(), setup.code.trim().to_string());
                return Task::perform(
                    async move {
                        let enrolled = crate::sync::run::enroll(&dir, &server, &code, &trust).await;
                        enrolled.map(|_| ()).map_err(|e| e.to_string())
                    },
                    Message::Enrolled,
                );
            }
        }
        Task::none()
    }

    /// After enrollment finished in the background.
    fn enrolled(&mut self, result: Result<(), String>) -> Task<Message> {
        match (result, &mut self.screen) {
            (Ok(()), _) => {
                self.terminal = Terminal::open(&self.dir).ok();
                if let Some(terminal) = &self.terminal {
                    self.screen = Screen::Login(login::Login::new(terminal));
                }
            }
            (Err(e), Screen::Setup(setup)) => {
                setup.busy = false;
                setup.error = Some(e);
            }
            (Err(_), _) => {}
        }
        self.focus()
    }

    /// How many units the sale screen's cart holds (a scan adds one).
    fn units_in_cart(&self) -> usize {
        match self.screen {
            Screen::Sale => self.sale.cart.lines.iter().map(|l| l.qty.milli().max(0) as usize).sum(),
            _ => 0,
        }
    }

    /// The field that owns the screen, the one a scan or a PIN goes to:
    /// its id, what it holds, and the messages that type into it and submit it.
    fn owning_field(&self) -> Option<OwningField> {
        let field = |id, text: &str, input, submit| OwningField { id, text: text.to_string(), input, submit };
        Some(match (&self.approval, &self.screen) {
            (Some(a), _) => field(
                APPROVAL_FIELD,
                a.field_text(),
                |t| Message::Approval(approval::Message::Pin(t)),
                Message::Approval(approval::Message::Approve),
            ),
            (None, Screen::Login(l)) => field(
                login::PIN_FIELD,
                l.field_text(),
                |t| Message::Login(login::Message::Input(t)),
                Message::Login(login::Message::Submit),
            ),
            (None, Screen::Sale) => field(
                sale::SCAN_FIELD,
                self.sale.field_text(),
                |t| Message::Sale(sale::Message::Input(t)),
                Message::Sale(sale::Message::Submit),
            ),
            (None, Screen::Payment(p)) => field(
                payment::AMOUNT_FIELD,
                p.field_text(),
                |t| Message::Payment(payment::Message::Input(t)),
                Message::Payment(payment::Message::Submit),
            ),
            (None, Screen::Returns(r)) => field(
                returns::RETURN_FIELD,
                r.field_text(),
                |t| Message::Returns(returns::Message::Input(t)),
                Message::Returns(returns::Message::Submit),
            ),
            (None, Screen::Orders(o)) => field(
                orders::ORDERS_FIELD,
                o.field_text(),
                |t| Message::Orders(orders::Message::Input(t)),
                Message::Orders(orders::Message::Submit),
            ),
            (None, Screen::Credit(c)) => field(
                credit::CREDIT_FIELD,
                c.field_text(),
                |t| Message::Credit(credit::Message::Input(t)),
                Message::Credit(credit::Message::Submit),
            ),
            _ => return None,
        })
    }

    /// A key no field took (a tap elsewhere had taken the focus): it goes
    /// into the field that owns the screen, so a scan or a PIN arrives
    /// whole; the field gets the focus back unless a scanner's burst is
    /// coming in (see `refocus`).
    fn stray_key(&mut self, key: char) -> Task<Message> {
        let Some(field) = self.owning_field() else {
            return Task::none();
        };
        self.update((field.input)(format!("{}{key}", field.text)))
    }

    /// A keyboard-wedge scanner's burst, wherever the focus was. The sale,
    /// returns and login screens' focused fields take scans themselves;
    /// elsewhere the scan goes where a cashier means it.
    fn wedge_scan(&mut self, code: String) -> Task<Message> {
        if self.approval.is_some() {
            return Task::none();
        }
        match &mut self.screen {
            Screen::Receipt(_) => self.update(Message::Scanned(code)),
            // A gift card scanned while the payment screen asks for one.
            Screen::Payment(payment) if payment.takes_card() => {
                let _ = self.update(Message::Payment(payment::Message::Input(code)));
                self.update(Message::Payment(payment::Message::Submit))
            }
            Screen::Payment(payment) => {
                let cart = Box::new(payment.cart.clone());
                let _ = self.act(Action::ToSale(Some(cart)));
                self.update(Message::Scanned(code))
            }
            Screen::Manager(manager) => {
                let (Some(terminal), Some(operator)) = (self.terminal.as_mut(), self.operator.as_ref()) else {
                    return Task::none();
                };
                let action = manager.scanned(terminal, operator, code);
                self.act(action)
            }
            Screen::Sale
            | Screen::Returns(_)
            | Screen::Orders(_)
            | Screen::Credit(_)
            | Screen::Login(_)
            | Screen::Setup(_) => Task::none(),
        }
    }

    /// Function keys, printed on the buttons they press.
    fn function_key(&mut self, key: Named) -> Task<Message> {
        use sale::{Entry, Message as S};
        let message = match (&self.screen, key) {
            (Screen::Sale, Named::F1) => Message::Sale(S::Enter(Entry::Customer)),
            (Screen::Sale, Named::F2) => Message::Sale(S::Orders),
            (Screen::Sale, Named::F3) => Message::Sale(S::Enter(Entry::Quantity)),
            (Screen::Sale, Named::F4) => Message::Sale(S::Enter(Entry::LineDiscount)),
            (Screen::Sale, Named::F5) => Message::Sale(S::Remove),
            (Screen::Sale, Named::F6) => Message::Sale(S::Park),
            (Screen::Sale, Named::F7) => Message::Sale(S::ShowParked),
            (Screen::Sale, Named::F8) => Message::Sale(S::Returns),
            (Screen::Sale, Named::F9) => Message::Sale(S::Manager),
            (Screen::Sale, Named::F10) => Message::Sale(S::Enter(Entry::Price)),
            (Screen::Sale, Named::F11) => Message::Sale(S::Enter(Entry::SaleDiscount)),
            (Screen::Sale, Named::F12) => Message::Sale(S::Pay),
            (Screen::Sale, Named::Escape) => Message::Sale(S::Escape),
            (Screen::Sale, Named::ArrowUp) => Message::Sale(S::Move(-1)),
            (Screen::Sale, Named::ArrowDown) => Message::Sale(S::Move(1)),
            (Screen::Payment(_), Named::Escape) => Message::Payment(payment::Message::Back),
            (Screen::Receipt(_), Named::Enter) => Message::Receipt(receipt::Message::NextSale),
            (Screen::Receipt(_), Named::F5) => Message::Receipt(receipt::Message::PrintCopy),
            (Screen::Receipt(_), Named::F8) => Message::Receipt(receipt::Message::Returns),
            (Screen::Receipt(_), Named::F9) => Message::Receipt(receipt::Message::Manager),
            (Screen::Returns(_), Named::Escape) => Message::Returns(returns::Message::Back),
            (Screen::Returns(_), Named::F12) => Message::Returns(returns::Message::Confirm),
            (Screen::Orders(_), Named::Escape) => Message::Orders(orders::Message::Back),
            (Screen::Orders(_), Named::F12) => Message::Orders(orders::Message::Collect),
            (Screen::Manager(_), Named::Escape) => Message::Manager(manager::Message::Back),
            (Screen::Credit(_), Named::Escape) => Message::Credit(credit::Message::Back),
            _ => return Task::none(),
        };
        if self.approval.is_some() {
            return match key {
                Named::Escape => self.update(Message::Approval(approval::Message::Cancel)),
                _ => Task::none(),
            };
        }
        self.update(message)
    }

    pub fn subscription(&self) -> Subscription<Message> {
        // Enter goes to the wedge detector first; as a key it counts only
        // where no field took it, so the Enter that confirms a payment does
        // not also leave the receipt screen it opens.
        let keys = event::listen_with(|event, status, _window| {
            keyboard_message(&event, status, chrono::Utc::now().timestamp_millis())
        });
        let mut subscriptions = vec![keys, iced::window::close_events().map(Message::WindowClosed)];
        if matches!(self.screen, Screen::Sale) && self.sale.flashing().is_some() {
            let unflash = iced::time::every(std::time::Duration::from_millis(400));
            subscriptions.push(unflash.map(|_| Message::Sale(sale::Message::Unflash)));
        }
        // Only while timing (the UI benchmark): subscribed before the scan,
        // so the first frame drawn after it is the one that counts.
        if self.frame_log.is_some() {
            subscriptions.push(iced::window::frames().map(|_| Message::Frame));
        }
        if let Screen::Login(login) = &self.screen
            && login.locked()
        {
            let tick = iced::time::every(std::time::Duration::from_secs(1));
            subscriptions.push(tick.map(|_| Message::Login(login::Message::Tick)));
        }
        if let Some(terminal) = &self.terminal {
            if terminal.enrollment().ok().flatten().is_some() {
                subscriptions.push(Subscription::run_with(SyncJob(self.dir.clone()), background::sync_loop));
            }
            let scanner = terminal.devices().scanner.as_deref().and_then(|s| s.parse::<ScannerAddress>().ok());
            if let Some(ScannerAddress::Serial { path, baud, suffix }) = scanner {
                subscriptions
                    .push(Subscription::run_with(ScannerJob { path, baud, suffix }, background::serial_scanner));
            }
        }
        Subscription::batch(subscriptions)
    }

    /// Reads the status line from the store after each update, so drawing a
    /// frame queries nothing.
    fn refresh_status(&mut self) {
        let Some(terminal) = &self.terminal else {
            self.status.clear();
            return;
        };
        let settings = terminal.settings();
        let who = self.operator.as_ref().map_or("locked".to_string(), |o| format!("{} ({})", o.name, o.role));
        let session = match terminal.current_session().ok().flatten() {
            Some(s) => format!("session {} open", s.id),
            None => "till closed".to_string(),
        };
        let pending = terminal.pending_sync_count().unwrap_or(0);
        let enrollment = terminal.enrollment().ok().flatten();
        let mut sync = match (&self.sync, &enrollment) {
            (_, None) => "no sync server".to_string(),
            (Some(state), Some(_)) if state.online => format!("online · {pending} to sync"),
            (_, Some(_)) => format!("OFFLINE · {pending} to sync"),
        };
        if enrollment.is_some_and(|e| e.trust.insecure && e.server.starts_with("http://")) {
            sync.push_str(" · NOT ENCRYPTED");
        }
        let printer = match (&self.printer, terminal.printer_status().ok()) {
            (_, Some(status)) if status.printer.is_none() => "no printer".to_string(),
            (Some(Err(e)), _) => format!("PRINTER: {}", pos_shared::entry_rules::excerpt(e)),
            (_, Some(status)) if status.pending > 0 => format!("printer: {} waiting", status.pending),
            _ => "printer ready".to_string(),
        };
        let scanner = self.scanner.clone().unwrap_or_else(|| match terminal.devices().scanner.as_deref() {
            Some("keyboard") | None => "wedge scanner".to_string(),
            Some(_) => "serial scanner".to_string(),
        });
        let store = format!("{} · {}", settings.store_name, settings.terminal_id);
        self.status = vec![store, who, session, sync, printer, scanner];
        if let Some(problem) = &self.display_problem {
            self.status.push(format!("DISPLAY: {}", pos_shared::entry_rules::excerpt(problem)));
        }
        if self.labels_due > 0 {
            self.status.push(format!("{} shelf labels due", self.labels_due));
        }
        // Short, so the bar keeps its keys in view: `sync --status` says why.
        match self.sync.as_ref().map_or(0, |s| s.status.held.len()) {
            0 => {}
            1 => self.status.push("HEAD OFFICE HOLDS 1 ENTRY".to_string()),
            n => self.status.push(format!("HEAD OFFICE HOLDS {n} ENTRIES")),
        }
        if let Some(notice) = &self.notice {
            self.status.push(pos_shared::entry_rules::excerpt(notice));
        }
    }

    fn status_bar(&self) -> Element<'_, Message> {
        if self.terminal.is_none() {
            return row![].into();
        }
        let item = |s: String| text(s).size(style::SMALL).wrapping(iced::widget::text::Wrapping::None);
        let mut items = row![].spacing(14).align_y(Center);
        if self.terminal.as_ref().is_some_and(Terminal::training) {
            let banner = text("TRAINING MODE: nothing sold counts").size(style::SMALL);
            items = items.push(container(banner).padding([2, 8]).style(style::error));
        }
        for part in &self.status {
            items = items.push(item(part.clone()));
        }
        container(
            row![
                items,
                iced::widget::space::horizontal(),
                button(text("Theme").size(style::SMALL)).on_press(Message::ToggleTheme).style(button::secondary),
                button(text("Lock").size(style::SMALL)).on_press(Message::Lock).style(button::secondary),
            ]
            .spacing(14)
            .align_y(Center),
        )
        .padding([6, 12])
        .width(Fill)
        .style(style::bar)
        .into()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let body: Element<'_, Message> = match (&self.screen, &self.terminal) {
            (Screen::Setup(setup), _) => setup.view(&self.dir).map(Message::Setup),
            (Screen::Login(login), Some(t)) => login.view(&t.settings().store_name).map(Message::Login),
            (Screen::Sale, Some(t)) => {
                self.sale.view(t, self.grid.view(self.sale.arranging()).map(sale::Message::Grid)).map(Message::Sale)
            }
            (Screen::Payment(p), Some(t)) => p.view(t).map(Message::Payment),
            (Screen::Receipt(r), _) => r.view().map(Message::Receipt),
            (Screen::Returns(r), _) => r.view().map(Message::Returns),
            (Screen::Orders(o), _) => o.view().map(Message::Orders),
            (Screen::Credit(c), _) => c.view().map(Message::Credit),
            (Screen::Manager(m), Some(t)) => m.view(t).map(Message::Manager),
            _ => text("The store could not be opened.").into(),
        };
        let page = column![self.status_bar(), container(body).height(Fill)];
        match &self.approval {
            Some(approval) => stack![page, approval.view().map(Message::Approval)].into(),
            None => page.into(),
        }
    }
}

/// Whether a burst of keys is a retail barcode (EAN-8, UPC-A, EAN-13,
/// GTIN-14) rather than words or an amount typed quickly.
fn looks_like_barcode(code: &str) -> bool {
    matches!(code.len(), 8 | 12 | 13 | 14) && code.bytes().all(|b| b.is_ascii_digit())
}

/// The field that owns a screen (see `App::owning_field`).
struct OwningField {
    id: &'static str,
    text: String,
    input: fn(String) -> Message,
    submit: Message,
}

/// What a key press means to the app, given whether a widget took it (the
/// subscription's filter; the UI tests feed it the simulator's statuses).
/// Enter and printable keys go to the wedge detector and, when no field
/// took them, to the field that owns the screen; function keys, Escape and
/// the arrows are commands.
pub fn keyboard_message(event: &iced::Event, status: event::Status, at_ms: i64) -> Option<Message> {
    let iced::Event::Keyboard(keyboard::Event::KeyPressed { key, text, modifiers, .. }) = event else {
        return None;
    };
    let captured = status == event::Status::Captured;
    match key {
        Key::Named(Named::Tab) => Some(Message::NextField { back: modifiers.shift() }),
        Key::Named(Named::Enter) => Some(Message::EnterKey { at_ms, captured }),
        Key::Named(
            named @ (Named::F1
            | Named::F2
            | Named::F3
            | Named::F4
            | Named::F5
            | Named::F6
            | Named::F7
            | Named::F8
            | Named::F9
            | Named::F10
            | Named::F11
            | Named::F12
            | Named::Escape
            | Named::ArrowUp
            | Named::ArrowDown),
        ) => Some(Message::FunctionKey(*named)),
        _ => {
            let mut chars = text.as_deref()?.chars();
            match (chars.next(), chars.next()) {
                (Some(key), None) if !key.is_control() => Some(Message::Keystroke { key, at_ms, captured }),
                _ => None,
            }
        }
    }
}

/// Runs the desktop app on a data directory: full screen on a till, in a
/// window where `devices.toml` says `window = "windowed"`, with the
/// customer's second screen where it says `customer_screen`. (The binary
/// picks the renderer first: `renderer::relaunch_with_choice`.)
pub fn run(dir: PathBuf) -> iced::Result {
    iced::daemon(move || App::boot(dir.clone()), App::update, App::window_view)
        .title(App::window_title)
        .subscription(App::subscription)
        .theme(|app: &App, _window| app.theme())
        .font(style::MONO_BYTES)
        .font(style::ICON_BYTES)
        .default_font(style::SANS)
        .run()
}
