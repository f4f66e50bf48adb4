//! Whole checkout flows through the desktop app's real view and update,
//! headless with iced_test: clicks and typing against the rendered widgets,
//! the resulting messages fed back to the app, and the store checked
//! through the core. Snapshots pin the main screens (tiny-skia renderer).

use iced::Point;
use iced::Settings;
use iced::keyboard::key::Named;
use iced_test::{Simulator, selector};
use pos_shared::barcode::gs1_check_digit;
use pos_shared::journal::SaleKind;
use pos_shared::money::Money;
use pos_shared::orders::{Fulfilment, OrderStatus};
use pos_shared::protocol::{OrdersPage, WireOrder, WireOrderLine};
use pos_shared::tender::TenderKind;
use pos_terminal::app::{App, Message, Screen, keyboard_message, style};
use pos_terminal::demo::create_demo;
use pos_terminal::devices::config::DeviceConfig;
use pos_terminal::screen::{close_day, credit, goods, grid, manager, orders, payment, returns, sale};
use pos_terminal::{Cart, Terminal};
use pos_tests::barcode;
use rust_decimal::Decimal;

struct Ui {
    app: App,
    _dir: tempfile::TempDir,
}

/// The manager sets up a device at the till.
fn set_device(terminal: &mut Terminal, key: &str, address: &str) {
    let manager = terminal.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    terminal.set_device(&manager, key, address, None).unwrap();
}

fn settings() -> Settings {
    Settings { fonts: vec![style::MONO_BYTES.into(), style::ICON_BYTES.into()], ..Settings::default() }
}

impl Ui {
    /// The app on a fresh demo store, at the login screen.
    fn demo() -> Ui {
        let dir = tempfile::tempdir().unwrap();
        drop(create_demo(dir.path()).unwrap());
        let (app, _) = App::new(dir.path().to_path_buf());
        Ui { app, _dir: dir }
    }

    /// The demo store, changed through the core before the app opens it.
    fn prepared(prepare: impl FnOnce(&mut Terminal)) -> Ui {
        let dir = tempfile::tempdir().unwrap();
        let mut terminal = create_demo(dir.path()).unwrap();
        prepare(&mut terminal);
        drop(terminal);
        let (app, _) = App::new(dir.path().to_path_buf());
        Ui { app, _dir: dir }
    }

    /// The demo store with a device set up by the manager.
    fn with_device(key: &str, address: &str) -> Ui {
        Ui::prepared(|terminal| set_device(terminal, key, address))
    }

    /// The demo store with customer orders pulled from head office.
    fn with_orders(orders: Vec<WireOrder>) -> Ui {
        Ui::prepared(|terminal| {
            let page = OrdersPage { protocol_version: 1, orders, next_cursor: 2, more: false, through_seq: 0 };
            terminal.apply_orders_page(&page).unwrap();
        })
    }

    /// Interacts with the current view, then feeds what it produced to the app.
    #[track_caller]
    fn interact(&mut self, act: impl FnOnce(&mut Simulator<'_, Message>)) {
        let messages: Vec<Message> = {
            let mut ui = Simulator::with_settings(settings(), self.app.view());
            act(&mut ui);
            ui.into_messages().collect()
        };
        for message in messages {
            let _ = self.app.update(message);
        }
    }

    /// Types into a field and presses Enter, as a keyboard-wedge scanner does.
    #[track_caller]
    fn type_into(&mut self, field: &'static str, text: &str) {
        self.interact(|ui| {
            ui.click(selector::id(field)).unwrap_or_else(|e| panic!("{field} is not on screen: {e:?}"));
            ui.typewrite(text);
            ui.tap_key(Named::Enter);
        });
    }

    #[track_caller]
    fn click_id(&mut self, id: String) {
        self.interact(|ui| {
            ui.click(selector::id(id.clone())).unwrap_or_else(|e| panic!("no `{id}` on screen: {e:?}"));
        });
    }

    #[track_caller]
    fn click(&mut self, label: &'static str) {
        self.interact(|ui| {
            ui.click(label).unwrap_or_else(|e| panic!("no `{label}` on screen: {e:?}"));
        });
    }

    /// Logs in by PIN alone (the demo lets cashiers).
    fn login(&mut self, pin: &str) {
        self.type_into("pin", pin);
        assert!(matches!(self.app.screen(), Screen::Sale), "logged in");
    }

    /// Taps who is logging in, then types their PIN.
    #[track_caller]
    fn login_as(&mut self, name: &'static str, pin: &str) {
        self.click(name);
        self.login(pin);
    }

    /// Whether a click at `point` reaches no widget that answers (no button,
    /// no field): a tap on empty space, a label or a panel.
    fn is_dead_space(&self, point: Point) -> bool {
        let mut ui = Simulator::with_settings(settings(), self.app.view());
        ui.point_at(point);
        let statuses = ui.simulate(iced_test::simulator::click());
        statuses.iter().all(|s| *s == iced::event::Status::Ignored) && ui.into_messages().next().is_none()
    }

    /// A tap at `point`, then `text` and Enter typed as a wedge scanner
    /// types them, in one window: what no widget takes reaches the app
    /// through its keyboard subscription, as in the real runtime.
    fn tap_then_type(&mut self, point: Point, text: &str) {
        let mut keys = Vec::new();
        let widget_messages: Vec<Message> = {
            let mut ui = Simulator::with_settings(settings(), self.app.view());
            ui.point_at(point);
            let _ = ui.simulate(iced_test::simulator::click());
            let events = iced_test::simulator::typewrite(text).chain(iced_test::simulator::tap_key(Named::Enter, None));
            for (i, event) in events.enumerate() {
                let status = ui.simulate([event.clone()])[0];
                keys.extend(keyboard_message(&event, status, 1_000 + i as i64 * 3));
            }
            ui.into_messages().collect()
        };
        for message in widget_messages.into_iter().chain(keys) {
            let _ = self.app.update(message);
        }
    }

    /// Points all over the window where a tap lands on nothing that answers.
    fn dead_spaces(&self) -> Vec<Point> {
        let (width, height) = (1024, 768);
        let grid = (20..width).step_by(75).flat_map(|x| (20..height).step_by(60).map(move |y| (x, y)));
        grid.map(|(x, y)| Point::new(x as f32, y as f32)).filter(|p| self.is_dead_space(*p)).collect()
    }

    /// A key pressed where no field takes it, as the keyboard subscription
    /// reports it.
    fn press(&mut self, key: Named) {
        let event = iced_test::simulator::press_key(key, None);
        if let Some(message) = keyboard_message(&event, iced::event::Status::Ignored, 0) {
            let _ = self.app.update(message);
        }
    }

    /// The label of the `index`th parked sale in the resume list.
    fn parked_label(&self, index: usize) -> &'static str {
        let parked = &self.app.terminal().unwrap().parked_carts().unwrap()[index];
        let at = pos_terminal::clock::local_time_text(parked.parked_at_ms);
        let label = format!("{at}  {} by {}: {} line(s), {}", parked.label, parked.by, parked.lines, parked.total);
        Box::leak(label.into_boxed_str())
    }

    /// Where the widget showing `label` is drawn.
    fn bounds(&self, label: &'static str) -> Option<iced::Rectangle> {
        let mut ui = Simulator::with_settings(settings(), self.app.view());
        let found = ui.find(label).unwrap_or_else(|e| panic!("no `{label}` on screen: {e:?}"));
        iced_test::selector::Bounded::visible_bounds(&found)
    }

    fn scan_into(&mut self, field: &'static str, code: &str) {
        self.type_into(field, code);
    }

    fn scan(&mut self, code: &str) {
        self.type_into(sale::SCAN_FIELD, code);
    }

    fn snapshot(&mut self, name: &str) {
        let theme = self.app.theme();
        let mut ui = Simulator::with_settings(settings(), self.app.view());
        let snapshot = ui.snapshot(&theme).expect("render");
        // For a person to look at: `POS_SNAPSHOT_DIR=/tmp/shots cargo test ... ui::`.
        if let Some(dir) = std::env::var_os("POS_SNAPSHOT_DIR") {
            let _ = std::fs::remove_file(std::path::Path::new(&dir).join(format!("{name}-tiny-skia.png")));
            snapshot.matches_image(std::path::Path::new(&dir).join(name)).expect("write the image");
        }
        assert!(snapshot.matches_hash(format!("flows/snapshots/ui/{name}")).expect("hash"), "{name} looks different");
    }

    fn committed(&self) -> &pos_terminal::sale::Committed {
        match self.app.screen() {
            Screen::Receipt(receipt) => &receipt.committed,
            other => panic!("expected the receipt screen, got {other:?}"),
        }
    }
}

fn weighed(body: &str) -> String {
    format!("{body}{}", gs1_check_digit(body))
}

#[test]
fn a_scanned_sale_paid_in_cash_shows_the_change() {
    let mut ui = Ui::demo();
    ui.snapshot("login");
    ui.login("1111");
    ui.scan(&barcode("BAK0001"));
    ui.scan(&barcode("DAI0049"));
    ui.scan(&barcode("BAK0001"));
    assert_eq!(ui.app.sale().cart.lines.len(), 2, "the second baguette adds to its line");
    ui.snapshot("sale");
    ui.click("F12  Pay");
    ui.snapshot("payment");
    ui.type_into(payment::AMOUNT_FIELD, "50");
    ui.click("Enter  Confirm");
    let record = &ui.committed().record;
    assert_eq!(record.change, Money::from_minor(5000) - record.total);
    assert_eq!(record.payments[0].kind, TenderKind::Cash);
    ui.click("Enter  Next sale");
    assert!(matches!(ui.app.screen(), Screen::Sale) && ui.app.sale().cart.is_empty());
}

#[test]
fn a_split_tender_card_then_cash() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.scan("WIN0003");
    ui.click("F12  Pay");
    ui.interact(|sim| {
        sim.click(selector::id(payment::AMOUNT_FIELD)).unwrap();
        sim.typewrite("20");
    });
    ui.click("Card");
    ui.type_into(payment::AMOUNT_FIELD, "50");
    ui.click("Enter  Confirm");
    let record = &ui.committed().record;
    let kinds: Vec<TenderKind> = record.payments.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [TenderKind::Card, TenderKind::Cash]);
    assert_eq!(record.payments[0].amount, Money::from_minor(2000));
    assert_eq!(record.change, Money::from_minor(7000) - record.total);
}

#[test]
fn weighed_items_by_scale_barcode_and_by_typed_weight() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.scan(&weighed("210010101250"));
    ui.scan("FRU0003");
    ui.type_into(sale::SCAN_FIELD, "0.350");
    let lines = &ui.app.sale().cart.lines;
    assert_eq!((lines[0].sku.as_str(), lines[0].qty.milli()), ("FRU0001", 1250));
    assert_eq!((lines[1].sku.as_str(), lines[1].qty.milli()), ("FRU0003", 350));
}

#[test]
fn a_return_by_receipt() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.scan("DAI0001");
    ui.scan("DAI0001");
    ui.click("F12  Pay");
    ui.type_into(payment::AMOUNT_FIELD, "20");
    ui.click("Enter  Confirm");
    let receipt = ui.committed().record.receipt_no.to_string();
    ui.click("Enter  Next sale");
    ui.click("Returns");
    ui.type_into(returns::RETURN_FIELD, &receipt);
    ui.snapshot("returns");
    ui.click(" + ");
    let at = ui.bounds("F12  Refund…");
    ui.click("F12  Refund…");
    assert!(matches!(ui.app.screen(), Screen::Returns(_)), "nothing is paid out before the amount is seen");
    ui.interact(|sim| {
        sim.find("Give back 5.61: cash 5.61").expect("what goes back, and how");
    });
    assert_ne!(ui.bounds("F12  Give back 5.61"), at, "a double tap cannot pay out");
    ui.click("Change the return");
    ui.click(" + ");
    ui.click("F12  Refund…");
    ui.interact(|sim| {
        sim.find("Give back 11.22: cash 11.22").expect("seen again after the change");
    });
    ui.click(" - ");
    ui.click("F12  Refund…");
    ui.click("F12  Give back 5.61");
    let record = &ui.committed().record;
    assert_eq!(record.kind, SaleKind::Return);
    assert_eq!(record.lines[0].qty.milli(), 1000);
    assert_eq!(record.original_receipt.as_ref().map(ToString::to_string), Some(receipt));
}

/// A receipt of many lines scrolls; the refund buttons and the amount to
/// give back stay on screen, and scanning an item picks its line.
#[test]
fn a_long_receipt_keeps_the_refund_in_view() {
    let skus: Vec<String> = (1..=16).map(|n| format!("BAK{n:04}")).collect();
    let mut ui = Ui::prepared(|terminal| {
        let cashier = terminal.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
        let mut cart = Cart::default();
        for sku in &skus {
            terminal.add_item(&mut cart, sku, None).unwrap();
        }
        let total = terminal.cart_totals(&cart).unwrap().total;
        terminal
            .commit_sale(&cashier, &cart, &[pos_shared::tender::Tender { kind: TenderKind::Card, amount: total }])
            .unwrap();
    });
    ui.login("1111");
    ui.click("Returns");
    ui.type_into(returns::RETURN_FIELD, "S01-T01-000001");
    ui.scan_into(returns::RETURN_FIELD, &barcode("BAK0016"));
    assert!(ui.bounds("F12  Refund…").is_some(), "the button is on screen");
    ui.click("F12  Refund…");
    let price = ui.app.terminal().unwrap().product_by_sku("BAK0016").unwrap().unwrap().price;
    let give_back: &'static str = Box::leak(format!("F12  Give back {price}").into_boxed_str());
    assert!(ui.bounds(give_back).is_some(), "what goes back is on screen before it is paid");
    ui.click(give_back);
    let record = &ui.committed().record;
    assert_eq!((record.lines.len(), record.lines[0].sku.as_str()), (1, "BAK0016"), "the scanned line came back");
    ui.interact(|sim| {
        let said = format!("Refunded {price}\ncard {price}");
        sim.find(said.as_str()).expect("the done screen says what went back");
    });
    let _ = ui.app.update(Message::FunctionKey(Named::F8));
    assert!(matches!(ui.app.screen(), Screen::Returns(_)), "F8 from the receipt screen");
}

#[test]
fn a_manager_approves_what_a_cashier_may_not_do() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.scan("BAK0001");
    ui.scan("DAI0001");
    ui.click("Remove");
    assert_eq!(ui.app.sale().cart.lines.len(), 2, "not without a manager");
    ui.snapshot("approval");
    ui.type_into("approval", "1111");
    assert_eq!(ui.app.sale().cart.lines.len(), 2, "a cashier's PIN does not approve");
    ui.type_into("approval", pos_tests::MANAGER_PIN);
    assert_eq!(ui.app.sale().cart.lines.len(), 1, "the manager approved");
    assert_eq!(ui.app.sale().cart.approvals.len(), 1, "and it is journaled with the sale");
}

#[test]
fn with_two_managers_the_approver_is_chosen_before_the_pin() {
    let mut ui = Ui::prepared(|t| {
        let marie = t.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
        t.add_user(&marie, "Luc", pos_shared::roles::Role::Manager, "135799", None).unwrap();
    });
    ui.login("1111");
    ui.scan("BAK0001");
    ui.click("Remove");
    ui.type_into("approval", pos_tests::MANAGER_PIN);
    assert_eq!(ui.app.sale().cart.lines.len(), 1, "nobody chosen: not approved");
    ui.interact(|sim| {
        sim.find("Choose who approves, then type their PIN").expect("told to choose");
    });
    ui.click("Luc");
    ui.type_into("approval", pos_tests::MANAGER_PIN);
    assert_eq!(ui.app.sale().cart.lines.len(), 1, "Marie's PIN is not Luc's");
    ui.click("Marie");
    ui.type_into("approval", pos_tests::MANAGER_PIN);
    assert!(ui.app.sale().cart.lines.is_empty(), "Marie approved");
    assert_eq!(ui.app.sale().cart.approvals[0].approver, "Marie");
}

#[test]
fn staff_choose_who_they_are_then_type_their_pin() {
    let mut ui = Ui::prepared(|t| {
        let marie = t.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
        t.change_setting(&marie, "pin-only-login", "off", None).unwrap();
    });
    ui.type_into("pin", pos_tests::CASHIER_PIN);
    assert!(matches!(ui.app.screen(), Screen::Login(_)), "a PIN alone is not enough here");
    ui.interact(|sim| {
        sim.find("Choose who you are, then type your PIN").expect("told to choose");
    });
    ui.click("Camille");
    ui.type_into("pin", pos_tests::MANAGER_PIN);
    assert!(matches!(ui.app.screen(), Screen::Login(_)), "Marie's PIN is not Camille's");
    ui.login(pos_tests::CASHIER_PIN);
    assert_eq!(ui.app.operator().map(|o| o.name.as_str()), Some("Camille"));
}

#[test]
fn a_z_report_with_a_variance() {
    let mut ui = Ui::demo();
    ui.login_as("Marie", pos_tests::MANAGER_PIN);
    ui.scan("WIN0001");
    ui.click("F12  Pay");
    ui.type_into(payment::AMOUNT_FIELD, "50");
    ui.click("Enter  Confirm");
    let total = ui.committed().record.total;
    ui.click("Enter  Next sale");
    ui.click("Manager");
    ui.snapshot("manager_session");
    ui.click("Reports");
    let expected = Money::from_minor(10_000) + total;
    let counted = expected - Money::from_minor(150);
    // One click with nothing counted closes nothing, and the message moves
    // no button.
    let before = ui.bounds("Check the count");
    ui.click("Check the count");
    ui.interact(|sim| {
        sim.find("Count the cash in the drawer and type the amount first").expect("told to count");
    });
    assert_eq!(ui.bounds("Check the count"), before, "the message moved the button");
    assert!(ui.app.terminal().unwrap().current_session().unwrap().is_some(), "nothing closed");
    ui.type_into(close_day::COUNTED_FIELD, &counted.to_string());
    ui.interact(|sim| {
        for figure in [expected.to_string(), counted.to_string(), "-1.50".to_string()] {
            sim.find(figure.as_str()).expect("the figures, before anything closes");
        }
    });
    assert!(ui.app.terminal().unwrap().current_session().unwrap().is_some(), "checking closes nothing");
    assert_ne!(ui.bounds("Close the day (Z)"), before, "not where the last click was");
    ui.click("Close the day (Z)");
    let terminal = ui.app.terminal().unwrap();
    assert!(terminal.current_session().unwrap().is_none(), "the day is closed");
    let journal = terminal.verify_journal().unwrap();
    assert!(journal.entries >= 4);
    let z = terminal.z_report_by_number("1").unwrap();
    let cash = z.tenders.iter().find(|t| t.kind == TenderKind::Cash).unwrap();
    assert_eq!((cash.expected, cash.counted, cash.variance), (expected, Some(counted), Some(Money::from_minor(-150))));
}

/// A cashier counts the drawer blind (no X report, no expected cash), may
/// close with no count only by saying why, and needs a manager to close.
#[test]
fn a_cashier_counts_blind_and_a_manager_closes_the_day() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.click("Manager");
    ui.click("Reports");
    ui.interact(|sim| {
        sim.find("A manager sees the X report; count the drawer blind.").expect("blind");
        assert!(sim.find("Count the drawer, then type the cash it holds.").is_ok());
    });
    ui.type_into(close_day::COUNTED_FIELD, "170");
    ui.interact(|sim| {
        sim.find("cash counted: 170.00").expect("what was counted");
        sim.find("Expected").expect_err("no expected cash while counting blind");
    });
    ui.click("Back: change the count");
    ui.click("Cannot count…");
    ui.click("Check");
    ui.interact(|sim| {
        sim.find("Say why the drawer cannot be counted").expect("a reason is needed");
    });
    ui.type_into(close_day::REASON_FIELD, "drawer jammed");
    ui.interact(|sim| {
        sim.find("Not counted: drawer jammed").expect("the confirmation says so");
    });
    ui.click("Close the day (Z)");
    assert!(ui.app.terminal().unwrap().current_session().unwrap().is_some(), "a cashier alone closes nothing");
    ui.type_into("approval", pos_tests::MANAGER_PIN);
    let terminal = ui.app.terminal().unwrap();
    assert!(terminal.current_session().unwrap().is_none(), "Marie approved");
    let z = terminal.z_report_by_number("1").unwrap();
    assert_eq!(z.not_counted.as_deref(), Some("drawer jammed"));
}

/// The store's tax mode and its devices are a manager's: a cashier who taps
/// them is asked for a manager, and nothing changes without one.
#[test]
fn a_cashier_cannot_change_the_tax_mode_or_a_device_alone() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.click("Manager");
    ui.click("Settings");
    ui.click("exclude tax");
    ui.click("58 mm");
    let _ = ui.app.update(Message::Approval(pos_terminal::screen::approval::Message::Cancel));
    let terminal = ui.app.terminal().unwrap();
    assert_eq!(terminal.settings().tax_mode, pos_shared::pricing::TaxMode::Inclusive, "unchanged");
    assert_eq!(terminal.devices().paper_width, 80, "unchanged");
    ui.click("exclude tax");
    ui.type_into("approval", pos_tests::MANAGER_PIN);
    let terminal = ui.app.terminal().unwrap();
    assert_eq!(terminal.settings().tax_mode, pos_shared::pricing::TaxMode::Exclusive, "Marie approved");
}

/// Goods without a barcode are sold from the grid: a category's tiles, a
/// weighed tile asks for the weight, and a manager arranges favourites (a
/// cashier who tries is asked for a manager).
#[test]
fn the_product_grid_sells_what_has_no_barcode() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.click("Boulangerie");
    ui.click_id(grid::tile_id("BAK0001"));
    ui.click_id(grid::tile_id("BAK0001"));
    assert_eq!(ui.app.sale().cart.lines[0].qty.display(), "2", "two taps, two baguettes");
    ui.click("Fruits & légumes");
    ui.click_id(grid::tile_id("FRU0049"));
    ui.interact(|sim| {
        sim.find("Weigh Abricots: type its weight in kg and press Enter").expect("asks for the weight");
    });
    ui.type_into(sale::SCAN_FIELD, "0.350");
    let apples = ui.app.sale().cart.lines.last().unwrap();
    assert_eq!((apples.sku.as_str(), apples.qty.display().as_str()), ("FRU0049", "0.35"));
    ui.click("Arrange favourites");
    assert!(ui.app.approval_pending(), "a cashier is asked for a manager before arranging, not at a tile");
    ui.type_into("approval", pos_tests::MANAGER_PIN);
    ui.click_id(grid::tile_id("FRU0049"));
    ui.click("Boulangerie");
    ui.click_id(grid::tile_id("BAK0003"));
    assert!(!ui.app.approval_pending(), "the manager approved arranging once, not each tile");
    ui.click("Done arranging");
    ui.click_id(grid::tile_id("BAK0001"));
    assert_eq!(ui.app.sale().cart.lines[0].qty.display(), "3", "done: a tap sells again");
    let favourites: Vec<String> = ui.app.terminal().unwrap().favourites().unwrap().into_iter().map(|p| p.sku).collect();
    assert_eq!(favourites, ["FRU0049", "BAK0003"], "in the order they were tapped");
    ui.click("★ Favourites");
    ui.click_id(grid::tile_id("BAK0003"));
    assert_eq!(ui.app.sale().cart.lines.last().unwrap().sku, "BAK0003", "sold from the favourites page");
}

/// The manager's day at the till: a purchase order received as the goods
/// come in (short and over shown), a write-off, a blind count, and what
/// waits to be sent to head office.
#[test]
fn goods_come_in_and_go_out_at_the_till() {
    use pos_shared::protocol::{PurchaseOrdersPage, WirePoLine, WirePurchaseOrder};
    let line = |n: u32, sku: &str, name: &str, qty: &str| WirePoLine {
        line_no: n,
        sku: sku.into(),
        name: name.into(),
        unit: "each".into(),
        qty: qty.into(),
        cost: "1.00".into(),
        shipped: "0".into(),
        received: "0".into(),
    };
    let mut ui = Ui::prepared(|terminal| {
        let po = WirePurchaseOrder {
            number: "PO-000001".into(),
            supplier: "Moulin Dupont".into(),
            store: "S01".into(),
            from_store: None,
            status: "open".into(),
            lines: vec![line(1, "BAK0004", "Pain de mie", "12"), line(2, "WIN0003", "Bordeaux", "7")],
            created_ms: 0,
        };
        let page =
            PurchaseOrdersPage { protocol_version: 1, orders: vec![po], next_cursor: 1, more: false, through_seq: 0 };
        terminal.apply_purchase_orders_page(&page).unwrap();
    });
    let before = |ui: &Ui, sku: &str| ui.app.terminal().unwrap().on_hand_milli(sku).unwrap();
    let (bread, wine) = (before(&ui, "BAK0004"), before(&ui, "WIN0003"));
    ui.login_as("Marie", pos_tests::MANAGER_PIN);
    ui.click("Manager");
    ui.click("Goods in & out");
    ui.click("Receive PO-000001 from Moulin Dupont (2 lines)");
    ui.type_into(goods::GOODS_FIELD, "BAK0004*10");
    ui.type_into(goods::GOODS_FIELD, &barcode("WIN0003"));
    ui.type_into(goods::GOODS_FIELD, "WIN0003*7");
    ui.interact(|sim| {
        sim.find("short 2").expect("two loaves missing");
        sim.find("over 1").expect("one bottle too many");
    });
    ui.click("Receive these");
    assert_eq!(before(&ui, "BAK0004") - bread, 10_000, "what came in, not what was ordered");
    assert_eq!(before(&ui, "WIN0003") - wine, 8_000);

    ui.click("Adjust stock");
    ui.click("damaged");
    // A scan right after tapping the reason (the field had lost the
    // keyboard) goes into the adjustment, not to a stock lookup.
    let mut at = 50_000;
    for key in "BAK0004*2".chars() {
        let _ = ui.app.update(Message::Keystroke { key, at_ms: at, captured: false });
        at += 4;
    }
    let _ = ui.app.update(Message::EnterKey { at_ms: at, captured: false });
    let Screen::Manager(screen) = ui.app.screen() else { panic!("still on the manager screen") };
    assert_eq!(screen.tab, manager::Tab::Goods, "the scan stayed with the adjustment");
    ui.interact(|sim| {
        sim.find("2 each x BAK0004  Pain de campagne").expect("scanned into the adjustment");
    });
    ui.click("Adjust (a manager's)");
    assert_eq!(before(&ui, "BAK0004") - bread, 8_000, "two written off");

    ui.click("Count stock (blind)");
    ui.type_into(goods::GOODS_FIELD, "BAK0004*5");
    ui.interact(|sim| {
        sim.find("Pain de campagne: 5 counted so far").expect("blind: only what was counted");
    });
    ui.click("Close the count (a manager's)");
    ui.interact(|sim| {
        sim.find("Close count 1: 1 product(s) counted. Its variances are booked. Close it?").expect("asked first");
    });
    assert_ne!(ui.app.terminal().unwrap().known_stock_milli("BAK0004").unwrap(), 5_000, "nothing booked yet");
    ui.click("Not yet: keep counting");
    ui.click("Close the count (a manager's)");
    ui.click("Yes, close the count");
    assert_eq!(ui.app.terminal().unwrap().known_stock_milli("BAK0004").unwrap(), 5_000, "the count is the stock");
    let waiting = ui.app.terminal().unwrap().pending_by_kind().unwrap();
    let total: i64 = waiting.iter().map(|(_, n)| n).sum();
    assert!(waiting.iter().any(|(kind, _)| kind == "stock_counted"), "{waiting:?}");
    let kinds: Vec<String> = waiting.iter().map(|(kind, n)| format!("{n} {}", kind.replace('_', " "))).collect();
    let said =
        format!("{total} entries wait to be sent (no sync server: they stay on this till): {}", kinds.join(", "));
    ui.interact(|sim| {
        sim.find(said.as_str()).expect("what head office has not got yet");
    });
}

/// A real shop set up from the window: a bad currency creates nothing;
/// then the shop, its first manager (shown the PIN once) and its catalog.
#[test]
fn a_shop_is_set_up_from_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.csv");
    std::fs::write(&catalog, "sku,name,price,barcode\nA1,Apple juice,2.49,036000291452\n").unwrap();
    let data = dir.path().join("till");
    let (app, _) = App::new(data.clone());
    let mut ui = Ui { app, _dir: dir };
    let fill = |ui: &mut Ui, placeholder: &'static str, value: &str| {
        ui.interact(|sim| {
            sim.click(placeholder).unwrap_or_else(|e| panic!("no `{placeholder}`: {e:?}"));
            sim.typewrite(value);
        });
    };
    // Joining head office with a mistyped fingerprint: refused, nothing sent.
    fill(&mut ui, "Sync server, e.g. https://hq.example:8443", "https://hq.example:8443");
    fill(&mut ui, "Enrollment code", "abc123");
    fill(&mut ui, "Certificate fingerprint (self-signed server)", "12:34");
    ui.click("Enroll");
    ui.interact(|sim| {
        sim.find("fingerprint “12:34” must be the certificate's SHA-256: 64 hex digits, colons allowed")
            .expect("a clear refusal");
    });
    assert!(Terminal::open(&data).is_err(), "nothing was enrolled");
    fill(&mut ui, "Shop name", "Corner Shop");
    fill(&mut ui, "Address (printed on receipts)", "1 High Street");
    fill(&mut ui, "VAT number (printed on receipts)", "GB123456789");
    fill(&mut ui, "First manager's name", "Nadia");
    fill(&mut ui, "Catalog file to import (CSV, optional)", catalog.to_str().unwrap());
    ui.interact(|sim| {
        sim.click("EUR").unwrap();
        sim.tap_key(Named::Backspace);
    });
    ui.click("Create the shop");
    ui.interact(|sim| {
        sim.find("currency “EU” must be a 3-letter code like EUR").expect("a clear refusal");
    });
    assert!(Terminal::open(&data).is_err(), "nothing was created");
    ui.interact(|sim| {
        sim.click("EU").unwrap();
        sim.typewrite("R");
    });
    ui.click("Prices exclude tax");
    ui.click("Create the shop");
    ui.interact(|sim| {
        sim.find("Write it down now: it is shown only this once.").expect("the PIN, once");
        sim.find("Catalog: 1 products added").expect("the catalog came in");
    });
    let terminal = ui.app.terminal().unwrap();
    assert_eq!(terminal.settings().header_lines, ["1 High Street", "GB123456789"]);
    assert_eq!(terminal.settings().tax_mode, pos_shared::pricing::TaxMode::Exclusive);
    assert_eq!(terminal.users().unwrap()[0].name, "Nadia");
    let Screen::Setup(setup) = ui.app.screen() else { panic!("still on the setup screen") };
    let pin = setup.created.as_ref().map(|(_, pin, _)| pin.clone()).unwrap();
    ui.interact(|sim| {
        sim.find(pin.as_str()).expect("the PIN on screen");
    });
    ui.click("I wrote it down: log in");
    assert!(matches!(ui.app.screen(), Screen::Login(_)));
    ui.login(&pin);
    assert_eq!(ui.app.operator().map(|o| o.name.as_str()), Some("Nadia"), "her only, chosen for her");
}

/// The day does not close over a sale still in the cart, and F8 on the
/// receipt screen opens the returns with that receipt loaded.
#[test]
fn the_day_does_not_close_over_a_sale_and_returns_start_from_the_receipt() {
    let mut ui = Ui::demo();
    ui.login_as("Marie", pos_tests::MANAGER_PIN);
    ui.scan("BAK0001");
    ui.click("Manager");
    ui.click("Reports");
    ui.type_into(close_day::COUNTED_FIELD, "100");
    ui.interact(|sim| {
        sim.find("A sale is in progress: finish or park it before closing the day").expect("refused");
    });
    assert!(ui.app.terminal().unwrap().current_session().unwrap().is_some());
    ui.click("Back to the sale");
    ui.click("F12  Pay");
    ui.type_into(payment::AMOUNT_FIELD, "5");
    ui.click("Enter  Confirm");
    let receipt = ui.committed().record.receipt_no.to_string();
    let _ = ui.app.update(Message::FunctionKey(Named::F8));
    ui.interact(|sim| {
        let loaded = format!("Receipt {receipt} by Marie");
        sim.find(loaded.as_str()).expect("the receipt just shown is loaded");
    });
}

/// Small things a cashier trips over: the customer stays on the sale, a
/// slip of the finger on the amount is questioned, no cash button offers
/// 0.00 once paid, and a copy with no printer says so.
#[test]
fn the_small_things_at_the_counter_behave() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.scan("BAK0001");
    ui.click("Customer");
    ui.type_into(sale::SCAN_FIELD, "Hélène");
    ui.scan("DAI0001");
    ui.interact(|sim| {
        sim.find("Customer: Hélène Martin (C000002)").expect("still attached after the next scan");
    });
    ui.click("F12  Pay");
    ui.type_into(payment::AMOUNT_FIELD, "100000");
    ui.interact(|sim| {
        sim.find("100000.00 handed over for 10.48? Press Enter again if it is right").expect("questioned");
    });
    let Screen::Payment(payment) = ui.app.screen() else { panic!("still paying") };
    assert_eq!(payment.field_text(), "100000", "nothing taken yet");
    ui.interact(|sim| {
        sim.find("TO PAY").expect("still all to pay");
    });
    ui.click("Cash 20.00");
    ui.interact(|sim| {
        sim.find("Cash 0.00").expect_err("nothing left to pay: no 0.00 cash button");
    });
    let _ = ui.app.update(Message::ToggleTheme);
    ui.snapshot("payment_dark");
    ui.click("Enter  Confirm");
    ui.click("Print a copy");
    ui.interact(|sim| {
        sim.find("No printer is set up: set one in Manager, Settings").expect("not a false 'sent'");
    });
}

/// Five wrong PINs lock PIN entry; the wait counts down on screen.
#[test]
fn the_lockout_counts_down_on_the_login_screen() {
    let mut ui = Ui::demo();
    for _ in 0..5 {
        ui.type_into("pin", "0000");
    }
    ui.interact(|sim| {
        sim.find("Too many wrong PINs: try again in 60 s").expect("locked");
    });
    let _ = ui.app.update(Message::Login(pos_terminal::screen::login::Message::Tick));
    ui.interact(|sim| {
        sim.find("Too many wrong PINs: try again in 59 s").expect("it ticks");
    });
}

#[test]
fn function_keys_and_scanner_messages_drive_the_screens() {
    let mut ui = Ui::demo();
    ui.login("1111");
    let _ = ui.app.update(Message::Scanned(barcode("BAK0001")));
    assert_eq!(ui.app.sale().cart.lines.len(), 1, "a serial scanner's scan lands in the cart");
    let _ = ui.app.update(Message::FunctionKey(Named::F12));
    assert!(matches!(ui.app.screen(), Screen::Payment(_)));
    let _ = ui.app.update(Message::FunctionKey(Named::Escape));
    assert!(matches!(ui.app.screen(), Screen::Sale));
    assert_eq!(ui.app.sale().cart.lines.len(), 1, "back to the same sale");
    let _ = ui.app.update(Message::FunctionKey(Named::F6));
    assert!(ui.app.sale().cart.is_empty(), "parked");
    assert_eq!(ui.app.terminal().unwrap().parked_carts().unwrap().len(), 1);
    let _ = ui.app.update(Message::FunctionKey(Named::F7));
    ui.click(ui.parked_label(0));
    assert_eq!(ui.app.sale().cart.lines.len(), 1, "resumed");
    assert_eq!(ui.app.sale().selected_line(), Some(0), "its last line is selected");
}

/// Locking the till parks the sale under its cashier: the next person
/// starts with an empty cart and sees whose sale waits.
#[test]
fn locking_the_till_parks_the_sale_under_its_cashier() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.scan("BAK0001");
    ui.scan("DAI0001");
    ui.click("Lock");
    assert!(matches!(ui.app.screen(), Screen::Login(_)) && ui.app.operator().is_none());
    ui.interact(|sim| {
        sim.find("Camille's sale is parked: F7 Resume brings it back").expect("the next person is told");
    });
    ui.login_as("Marie", pos_tests::MANAGER_PIN);
    assert!(ui.app.sale().cart.is_empty(), "Marie does not inherit Camille's cart");
    let parked = ui.app.terminal().unwrap().parked_carts().unwrap();
    assert_eq!((parked.len(), parked[0].by.as_str(), parked[0].lines), (1, "Camille", 2));
    assert_eq!(parked[0].total.to_string(), "10.48", "the list shows what it comes to");
    let _ = ui.app.update(Message::FunctionKey(Named::F7));
    let label = ui.parked_label(0);
    assert!(label.contains("parked at lock by Camille: 2 line(s), 10.48"), "{label}");
}

/// The arrow keys walk the cart's lines, and the search results when there
/// are some; Enter takes the result they point at.
#[test]
fn arrow_keys_walk_the_cart_and_the_search_results() {
    let mut ui = Ui::demo();
    ui.login("1111");
    let skus = ["BAK0001", "BAK0002", "BAK0003", "DAI0001", "DAI0002", "DAI0003", "DAI0004", "WIN0001", "WIN0002"];
    for sku in skus {
        ui.scan(sku);
    }
    assert_eq!(ui.app.sale().selected_line(), Some(8), "the line just scanned is selected");
    assert_eq!(ui.app.sale().flashing(), Some(8), "and lit up");
    let _ = ui.app.update(Message::Sale(sale::Message::Unflash));
    assert_eq!(ui.app.sale().flashing(), None, "for a moment");
    for _ in 0..3 {
        ui.press(Named::ArrowUp);
    }
    assert_eq!(ui.app.sale().selected_line(), Some(5));
    for _ in 0..10 {
        ui.press(Named::ArrowDown);
    }
    assert_eq!(ui.app.sale().selected_line(), Some(8), "it stops at the last line");
    ui.interact(|sim| {
        sim.click(selector::id(sale::SCAN_FIELD)).unwrap();
        sim.typewrite("creme fraiche");
    });
    ui.press(Named::ArrowDown);
    ui.press(Named::ArrowDown);
    ui.press(Named::Enter);
    let added = &ui.app.sale().cart.lines[9];
    assert_eq!(added.sku, "DAI0014", "the second result, not the first: {}", added.name);
    assert_eq!(ui.app.sale().selected_line(), Some(9));
}

#[test]
fn a_customer_attached_at_the_counter_is_on_the_sale() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.scan("BAK0001");
    ui.click("Customer");
    ui.type_into(sale::SCAN_FIELD, "Hélène");
    ui.click("F12  Pay");
    ui.type_into(payment::AMOUNT_FIELD, "10");
    ui.click("Enter  Confirm");
    assert_eq!(ui.committed().record.customer.as_deref(), Some("C000002"));
    let (stored, _) = ui.app.terminal().unwrap().sale_record(&ui.committed().record.receipt_no).unwrap().unwrap();
    assert_eq!(stored.customer.as_deref(), Some("C000002"), "kept on disk and in the journal");
}

/// A tap anywhere that is not a button (the cart, the totals, the title)
/// takes the focus from the scan or PIN field; the next scan or PIN must
/// still arrive whole, and a code nobody knows must not spoil the next scan.
#[test]
fn a_tap_on_empty_space_never_spoils_a_scan_or_a_pin() {
    let mut ui = Ui::demo();
    let spaces = ui.dead_spaces();
    assert!(spaces.len() > 20, "the login screen has empty space: {}", spaces.len());
    for point in spaces {
        ui.tap_then_type(point, pos_tests::CASHIER_PIN);
        assert!(matches!(ui.app.screen(), Screen::Sale), "the PIN typed after a tap at {point:?} logged in");
        let _ = ui.app.update(Message::Lock);
    }
    ui.login(pos_tests::CASHIER_PIN);
    let bread = barcode("BAK0001");
    ui.scan(&bread);
    let spaces = ui.dead_spaces();
    assert!(spaces.len() > 20, "the sale screen has empty space: {}", spaces.len());
    for (n, point) in spaces.iter().enumerate() {
        ui.tap_then_type(*point, &bread);
        let units: Decimal = ui.app.sale().cart.lines.iter().map(|l| l.qty.value()).sum();
        assert_eq!(units, Decimal::from(n + 2), "the scan after a tap at {point:?} arrived whole");
    }
    ui.tap_then_type(spaces[0], "4006381333931");
    ui.interact(|sim| {
        sim.find("unknown code “4006381333931”: no product has this barcode or SKU").expect("the cashier is told");
    });
    assert_eq!(ui.app.sale().field_text(), "", "the unknown code left the field");
    ui.tap_then_type(spaces[1], &bread);
    assert_eq!(ui.app.sale().cart.lines.len(), 1, "the next good scan is not appended to it");
}

/// Closing the till's window with a sale rung up parks the sale: nothing
/// is lost without a trace, and F7 Resume brings it back.
#[test]
fn closing_the_window_parks_the_sale_in_progress() {
    let mut ui = Ui::demo();
    ui.login(pos_tests::CASHIER_PIN);
    ui.scan(&barcode("BAK0001"));
    let _ = ui.app.update(Message::WindowClosed(iced::window::Id::unique()));
    let parked = ui.app.terminal().unwrap().parked_carts().unwrap();
    assert_eq!(parked.len(), 1, "{parked:?}");
    assert_eq!(parked[0].lines, 1);
    let next_start = pos_terminal::screen::login::Login::new(ui.app.terminal().unwrap());
    assert_eq!(next_start.notice.as_deref(), Some("A parked sale waits: F7 Resume brings it back after log-in"));
}

/// The audio player a till's `sound` setting names: here a script that
/// writes down each file it is asked to play.
#[test]
fn a_scan_sounds_a_tone_and_a_refused_scan_another() {
    let played = tempfile::tempdir().unwrap();
    let log = played.path().join("played.log");
    let player = played.path().join("player");
    std::fs::write(&player, format!("#!/bin/sh\nbasename \"$1\" >> {}\n", log.display())).unwrap();
    std::fs::set_permissions(&player, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    drop(create_demo(dir.path()).unwrap());
    let mut devices = DeviceConfig::load(dir.path()).unwrap();
    devices.set("sound", player.to_str().unwrap()).unwrap();
    devices.save(dir.path()).unwrap();
    let mut ui = Ui { app: App::new(dir.path().to_path_buf()).0, _dir: dir };
    ui.login(pos_tests::CASHIER_PIN);
    ui.scan(&barcode("BAK0001"));
    ui.scan("4006381333931");
    ui.scan(&barcode("BAK0001"));
    // The player runs beside the till; wait for it to have written, no longer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let heard = loop {
        let heard = std::fs::read_to_string(&log).unwrap_or_default();
        if heard.lines().count() >= 3 || std::time::Instant::now() > deadline {
            break heard;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut heard: Vec<&str> = heard.lines().collect();
    heard.sort();
    assert_eq!(heard, ["scan-ok.wav", "scan-ok.wav", "scan-refused.wav"]);
    let tone = std::fs::read(ui._dir.path().join("scan-ok.wav")).unwrap();
    assert_eq!(&tone[..4], b"RIFF", "a WAV the player can read");
}

/// Keys as the app's keyboard subscription reports them, `gap_ms` apart.
fn keystrokes(ui: &mut Ui, text: &str, start_ms: i64, gap_ms: i64) {
    let mut at = start_ms;
    for c in text.chars() {
        let _ = ui.app.update(Message::Keystroke { key: c, at_ms: at, captured: true });
        at += gap_ms;
    }
    let _ = ui.app.update(Message::EnterKey { at_ms: at, captured: true });
}

#[test]
fn a_wedge_scanner_burst_lands_as_a_scan_whichever_field_has_focus() {
    let mut ui = Ui::demo();
    ui.login("1111");
    ui.scan("BAK0001");
    ui.click("F12  Pay");
    keystrokes(&mut ui, &barcode("DAI0001"), 1_000, 6);
    assert!(matches!(ui.app.screen(), Screen::Sale), "the scan took the cashier back to the sale");
    assert_eq!(ui.app.sale().cart.lines.len(), 2);

    ui.click("F12  Pay");
    keystrokes(&mut ui, "4006381333931", 10_000, 140);
    assert!(matches!(ui.app.screen(), Screen::Payment(_)), "a person typing digits is not a scanner");

    ui.click("Back to the sale");
    ui.click("Manager");
    ui.click("Reports");
    keystrokes(&mut ui, "drawer jammed", 15_000, 5);
    let Screen::Manager(manager) = ui.app.screen() else { panic!("still on the manager screen") };
    assert_eq!(manager.tab, manager::Tab::Reports, "words typed fast into a form are not a scan");
    keystrokes(&mut ui, &barcode("WIN0001"), 20_000, 5);
    let Screen::Manager(manager) = ui.app.screen() else { panic!("still on the manager screen") };
    assert_eq!(manager.tab, manager::Tab::Stock, "a scan on the manager screen looks the product up");
    assert_eq!(manager.stock_field(), "", "the lookup field is ready for the next scan");
}

/// A manager's form keeps the keyboard where the person put it: the field
/// is given focus on arrival and on a new tab, never again on each key.
#[test]
fn the_manager_screen_gives_focus_once_per_tab() {
    let store = pos_tests::Store::open();
    let mut terminal = Terminal::open(store.path()).unwrap();
    let marie = terminal.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    let mut screen = manager::Manager::new(&terminal, &marie, false);
    assert_eq!(screen.focus_request(), Some(manager::AMOUNT_FIELD), "on arrival");
    let _ = screen.update(&mut terminal, &marie, manager::Message::Amount("50".into()));
    let _ = screen.update(&mut terminal, &marie, manager::Message::Reason("bank run".into()));
    assert_eq!(screen.focus_request(), None, "typing in Reason keeps the focus there");
    let _ = screen.update(&mut terminal, &marie, manager::Message::Tab(manager::Tab::Stock));
    assert_eq!(screen.focus_request(), Some(manager::STOCK_FIELD), "a new tab");
    assert_eq!(screen.focus_request(), None);
}

/// What lines (SKU, name, quantity, price) cost.
fn paid_for(lines: &[(&str, &str, &str, &str)]) -> String {
    let total: Decimal = lines
        .iter()
        .map(|(_, _, qty, price)| qty.parse::<Decimal>().unwrap() * price.parse::<Decimal>().unwrap())
        .sum();
    total.round_dp(2).to_string()
}

fn order(number: &str, customer: &str, prepaid: bool, lines: &[(&str, &str, &str, &str)]) -> WireOrder {
    WireOrder {
        number: number.into(),
        channel: if prepaid { "online" } else { "phone" }.into(),
        customer: "C000001".into(),
        customer_name: customer.into(),
        store: "S01".into(),
        status: OrderStatus::Confirmed,
        fulfilment: Fulfilment::Pickup,
        prepaid,
        paid: Some(if prepaid { paid_for(lines) } else { "0.00".into() }),
        prepaid_used: None,
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (sku, name, qty, price))| WireOrderLine {
                line_no: i as u32 + 1,
                sku: (*sku).into(),
                name: (*name).into(),
                unit: "each".into(),
                qty: (*qty).into(),
                unit_price: (*price).into(),
                tax_rate: "5.5".into(),
                reserved: (*qty).into(),
                backordered: "0".into(),
                collected: "0".into(),
            })
            .collect(),
        total: "0".into(),
        created_ms: 1,
        history: Vec::new(),
    }
}

#[test]
fn orders_are_scanned_or_found_by_customer_and_collected_at_the_counter() {
    let mut ui = Ui::with_orders(vec![
        order("ORD-000007", "Zoé Martin", true, &[("BAK0004", "Pain de campagne", "3", "0.91")]),
        order("ORD-000008", "Hôtel Lutèce", false, &[("BAK0004", "Pain de campagne", "2", "0.80")]),
    ]);
    ui.login("1111");
    ui.scan("ord-000007");
    assert!(matches!(ui.app.screen(), Screen::Orders(_)), "a scanned order code opens the order");
    ui.snapshot("order");
    ui.click("F12  Hand over");
    let record = &ui.committed().record;
    assert_eq!(record.order.as_deref(), Some("ORD-000007"));
    assert_eq!((record.total, record.payments[0].kind), (Money::from_minor(273), TenderKind::Prepaid));
    ui.click("Enter  Next sale");

    ui.scan(&barcode("BAK0001"));
    ui.click("Orders");
    assert!(matches!(ui.app.screen(), Screen::Sale), "a started sale is finished first");
    ui.click("Remove");
    assert!(matches!(ui.app.screen(), Screen::Sale));
    let _ = ui.app.update(Message::Approval(pos_terminal::screen::approval::Message::Cancel));
    let _ = ui.app.update(Message::Sale(sale::Message::Park));
    ui.click("Orders");
    ui.type_into(orders::ORDERS_FIELD, "lutèce");
    ui.click("ORD-000008  Hôtel Lutèce  via phone");
    ui.click("F12  Take payment");
    assert!(matches!(ui.app.screen(), Screen::Payment(_)), "an unpaid order is paid like a sale");
    ui.type_into(payment::AMOUNT_FIELD, "2");
    ui.click("Enter  Confirm");
    let record = &ui.committed().record;
    assert_eq!(record.order.as_deref(), Some("ORD-000008"));
    assert_eq!((record.total, record.change), (Money::from_minor(160), Money::from_minor(40)));
    ui.click("Enter  Next sale");
    ui.click("Orders");
    ui.type_into(orders::ORDERS_FIELD, "ORD-000007");
    ui.click("Back");
    ui.click("Back");
    assert!(matches!(ui.app.screen(), Screen::Sale));
    let terminal = ui.app.terminal().unwrap();
    assert!(terminal.find_orders("", false).unwrap().is_empty(), "both orders are handed over");
}

#[test]
fn the_manager_sees_low_stock_offline() {
    let mut ui = Ui::prepared(|terminal| {
        let cashier = terminal.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
        let mut cart = Cart::default();
        terminal.add_item(&mut cart, "BAK0005", Some(16.into())).unwrap();
        let total = terminal.cart_totals(&cart).unwrap().total;
        terminal
            .commit_sale(&cashier, &cart, &[pos_shared::tender::Tender { kind: TenderKind::Card, amount: total }])
            .unwrap();
    });
    ui.login_as("Marie", pos_tests::MANAGER_PIN);
    ui.click("Manager");
    ui.click("Stock");
    ui.interact(|sim| {
        sim.find("Low stock: 1 product(s) at or below their reorder point").expect("the count of low products");
        sim.find("4 each free (reorder at 5)").expect("20 opening, 16 sold, reorder at 5");
    });
}

/// Head office's promotions show under the line they discount, a trade
/// customer's price list shows on the line and beside the total, and a
/// coupon is scanned like an item.
#[test]
fn promotions_show_under_their_line_and_a_customer_brings_their_prices() {
    let mut ui = Ui::prepared(|terminal| {
        let mut page = crate::prices::rules_page();
        // Promotions of some hours only would make this test depend on when it runs.
        page.promotions.retain(|p| p.fields[14].is_empty() && p.fields[15].is_empty());
        page.customers[0].code = "C000100".into();
        terminal.apply_catalog_page(&page).unwrap();
    });
    ui.login("1111");
    for _ in 0..3 {
        ui.scan(&barcode("BAK0007"));
    }
    let line = &ui.app.sale().cart.lines[0];
    assert_eq!((line.promotions.len(), line.promotion_discount()), (1, Money::from_minor(415)));
    ui.interact(|sim| {
        sim.find("  Croissants 3 for 2").expect("the promotion under its line");
        sim.find("-4.15").expect("and what it takes off");
    });
    ui.click("Customer");
    ui.type_into(sale::SCAN_FIELD, "Bistrot");
    ui.scan(&barcode("BAK0001"));
    ui.scan("bienvenue");
    ui.interact(|sim| {
        sim.find("Customer: Bistrot du Coin (C000100), trade prices").expect("the customer's prices beside the total");
        sim.find("  Trade price").expect("the list that set the line's price");
        sim.find("Coupon BIENVENUE: Welcome: 5.00 off").expect("the coupon taken");
    });
    ui.snapshot("promotions");
    ui.click("F12  Pay");
    ui.click("Card");
    ui.click("Enter  Confirm");
    let record = &ui.committed().record;
    // 12.45 - 4.15 + 4.00 (trade) = 12.30, less the 5.00 coupon.
    assert_eq!(record.total, Money::from_minor(730));
    assert_eq!(record.coupons, ["BIENVENUE"]);
    assert_eq!(record.lines[1].price_list.as_deref(), Some("Trade"));
    let codes: Vec<&str> = record.lines[0].promotions.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["BIENVENUE", "CROISS3"], "the coupon spreads over every line, in code order");
}

/// A customer with an account (100.00, owing 20.00) and a gift card
/// holding 10.00, as head office's catalog and snapshot bring them.
fn with_an_account_and_a_card(terminal: &mut Terminal) {
    let mut page = crate::prices::rules_page();
    (page.promotions, page.price_lists, page.list_prices) = (Vec::new(), Vec::new(), Vec::new());
    page.customers = vec![pos_shared::protocol::WireCustomer {
        code: "C000200".into(),
        name: "Bistrot du Coin".into(),
        credit_limit: Some(Money::from_minor(10_000)),
        ..Default::default()
    }];
    terminal.apply_catalog_page(&page).unwrap();
    let balance =
        |code: &str, minor| pos_shared::protocol::WireBalance { code: code.into(), balance: Money::from_minor(minor) };
    let snapshot = pos_shared::protocol::StockSnapshot {
        protocol_version: pos_shared::protocol::PROTOCOL_VERSION,
        store: "S01".into(),
        through_seq: 0,
        items: Vec::new(),
        accounts: vec![balance("C000200", 20_00)],
        gift_cards: vec![balance("GC12345678", 10_00)],
        held: Vec::new(),
        certificates: Vec::new(),
    };
    terminal.apply_stock_snapshot(&snapshot).unwrap();
}

#[test]
fn a_gift_card_and_the_customers_account_pay_at_the_counter() {
    let mut ui = Ui::prepared(with_an_account_and_a_card);
    ui.login("1111");
    for _ in 0..3 {
        ui.scan(&barcode("BAK0001"));
    }
    ui.click("Customer");
    ui.type_into(sale::SCAN_FIELD, "Bistrot");
    ui.interact(|sim| {
        sim.find("Customer: Bistrot du Coin (C000200), owes 20.00 of 100.00").expect("the account beside the total");
    });
    ui.click("F12  Pay");
    ui.click("Gift card");
    ui.type_into(payment::AMOUNT_FIELD, "NOSUCHCARD1");
    ui.interact(|sim| {
        sim.find("gift card ****ARD1 is not known here: sync, or pay otherwise").expect("an unknown card says so");
    });
    ui.type_into(payment::AMOUNT_FIELD, "GC12345678");
    ui.interact(|sim| {
        sim.find("Gift card ****5678").expect("a card alone shows, to be removed if need be");
    });
    ui.click("Gift card");
    ui.type_into(payment::AMOUNT_FIELD, "GC12345678");
    ui.interact(|sim| {
        sim.find("gift card ****5678 already pays 10.00 of this sale: all it holds").expect("scanned twice");
    });
    ui.type_into(payment::AMOUNT_FIELD, "");
    ui.click("On account");
    ui.interact(|sim| {
        sim.find("Gift card ****5678").unwrap_or_else(|e| panic!("the card pays what it holds: {e:?}"));
        sim.find("On account").expect("the rest on account");
    });
    ui.snapshot("credit_tenders");
    ui.click("Enter  Confirm");
    let record = &ui.committed().record;
    let paid: Vec<(TenderKind, Money)> = record.payments.iter().map(|p| (p.kind, p.amount)).collect();
    assert_eq!(paid, [(TenderKind::Account, Money::from_minor(461)), (TenderKind::GiftCard, Money::from_minor(10_00))]);
    assert_eq!(record.gift_cards[0].card, "GC12345678");
    let terminal = ui.app.terminal().unwrap();
    let card = pos_shared::journal::Credit::GiftCard("GC12345678".into());
    assert_eq!(terminal.known_balance(&card).unwrap(), Some(Money::ZERO));
    assert_eq!(terminal.account("C000200").unwrap().unwrap().owed, Money::from_minor(24_61));

    // More than the account may take is refused on the spot, and nothing is paid.
    ui.click("Enter  Next sale");
    for _ in 0..20 {
        ui.scan(&barcode("BAK0001"));
    }
    ui.click("Customer");
    ui.type_into(sale::SCAN_FIELD, "C000200");
    ui.click("F12  Pay");
    ui.click("On account");
    ui.interact(|sim| {
        sim.find("Bistrot du Coin owes 24.61 of a 100.00 credit limit: at most 75.39 more on account")
            .expect("the limit, said plainly");
    });
}

#[test]
fn a_gift_card_is_sold_and_a_payment_on_account_taken_in_the_window() {
    let mut ui = Ui::prepared(with_an_account_and_a_card);
    ui.login("1111");
    ui.click("Gift card");
    ui.type_into(credit::CREDIT_FIELD, "GC-1");
    ui.interact(|sim| {
        sim.find("gift card “GC-1” must be 4 to 32 letters or digits").expect("a bad number says why");
    });
    ui.type_into(credit::CREDIT_FIELD, "GC00000077");
    ui.type_into(credit::CREDIT_FIELD, "2O");
    ui.type_into(credit::CREDIT_FIELD, "25");
    ui.interact(|sim| {
        sim.find("Gift card ****0077 (new card)").expect("the card scanned");
        sim.find("25.00").expect("the amount");
    });
    ui.snapshot("credit_gift_card");
    ui.click("Card");
    ui.interact(|sim| {
        sim.find("Gift card ****0077 loaded with 25.00 (Card): it now holds 25.00").expect("what was sold");
    });
    ui.click("Payment on account");
    ui.type_into(credit::CREDIT_FIELD, "Bistrot");
    ui.type_into(credit::CREDIT_FIELD, "15");
    ui.type_into(credit::CREDIT_FIELD, "20");
    ui.interact(|sim| {
        sim.find("Payment on account of 15.00 from C000200 (Cash, change 5.00): still owed 5.00")
            .expect("Enter = cash");
    });
    let terminal = ui.app.terminal().unwrap();
    let card = pos_shared::journal::Credit::GiftCard("GC00000077".into());
    assert_eq!(terminal.known_balance(&card).unwrap(), Some(Money::from_minor(25_00)));
    assert_eq!(terminal.account("C000200").unwrap().unwrap().owed, Money::from_minor(5_00));
    let x = terminal.x_report().unwrap();
    assert_eq!(x.credit_sold, Money::from_minor(40_00), "money in, not sales");
    assert_eq!(x.sales_count, 0);
    ui.press(Named::Escape);
    assert!(matches!(ui.app.screen(), Screen::Sale));
}

#[test]
fn a_weighed_item_asks_the_scale_and_a_typed_weight_needs_a_manager() {
    use pos_shared::scale::ScaleProtocol;
    use pos_tests::virtual_scale::{Pan, VirtualScale};
    let scale = VirtualScale::start(ScaleProtocol::Toledo8217, &[Pan::Moving, Pan::Stable("0.350")]);
    let address = scale.address();
    let mut ui = Ui::with_device("scale", &address);
    let name = ui.app.terminal().unwrap().product_by_sku("FRU0003").unwrap().unwrap().name;
    ui.login("1111");
    ui.scan("FRU0003");
    let weighing: &'static str = Box::leak(format!("Weighing {name} on the scale…").into_boxed_str());
    ui.interact(|sim| {
        sim.find(weighing).expect("the till asks the scale");
    });
    // What the app's background task does, then what it reports.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let weighed = runtime.block_on(pos_terminal::app::background::weigh(scale.address().parse().unwrap()));
    assert_eq!(weighed, Ok(Decimal::new(350, 3)), "the stable weight once the pan settled");
    assert_eq!(scale.asked(), 2);
    let _ = ui.app.update(Message::Sale(sale::Message::Weighed("FRU0003".into(), weighed)));
    let line = &ui.app.sale().cart.lines[0];
    assert_eq!((line.sku.as_str(), line.qty.milli()), ("FRU0003", 350));

    // The scale could not weigh it: said, and the weight typed is a manager's.
    ui.scan("FRU0003");
    let moving = Err("the scale is still moving: let it settle".to_string());
    let _ = ui.app.update(Message::Sale(sale::Message::Weighed("FRU0003".into(), moving)));
    ui.interact(|sim| {
        sim.find("the scale is still moving: let it settle: scan it again, or a manager types its weight")
            .expect("why, and what to do");
    });
    ui.type_into(sale::SCAN_FIELD, "0.400");
    assert_eq!(ui.app.sale().cart.lines.len(), 1, "not without a manager");
    ui.type_into("approval", pos_tests::MANAGER_PIN);
    let lines = &ui.app.sale().cart.lines;
    assert_eq!((lines.len(), lines[1].qty.milli()), (2, 400), "the manager approved the typed weight");
    assert_eq!(ui.app.sale().cart.approvals.len(), 1, "and it is journaled with the sale");
}

#[test]
fn the_customer_display_follows_the_sale() {
    use pos_terminal::devices::display::Shown;
    use pos_tests::virtual_display::VirtualDisplay;
    let display = VirtualDisplay::start();
    let address = display.address();
    let mut ui = Ui::with_device("display", &address);
    ui.login("1111");
    assert_eq!(ui.app.customer_view(), Some(Shown::welcome("Épicerie du Marché")));
    ui.scan("BAK0001");
    ui.scan("DAI0001");
    let item = ui.app.customer_view().unwrap();
    assert_eq!((item.top.as_str(), item.bottom.as_str()), ("Lait demi-écrém 5.61", "TOTAL          10.48"));
    // What the app's background task sends, as the customer reads it.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let sent = runtime.block_on(pos_terminal::app::background::show_customer(display.address().parse().unwrap(), item));
    assert_eq!(sent, None, "the display took it");
    assert_eq!(display.after(1), ("Lait demi-écrém 5.61".to_string(), "TOTAL          10.48".to_string()));
    ui.click("F12  Pay");
    assert_eq!(ui.app.customer_view(), Some(Shown::total(Money::from_minor(1048))));
    ui.type_into(payment::AMOUNT_FIELD, "20");
    ui.click("Enter  Confirm");
    let paid = ui.app.customer_view().unwrap();
    assert_eq!((paid.top.as_str(), paid.bottom.as_str()), ("PAID           20.00", "CHANGE          9.52"));
}

#[test]
fn the_card_tender_waits_for_the_terminal_with_a_cancel() {
    use pos_terminal::app::background::ask_card;
    use pos_tests::virtual_card_terminal::{Step, VirtualCardTerminal};
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    let pt = VirtualCardTerminal::start(&[Step::WaitForCard(std::time::Duration::from_secs(5))]);
    let address = pt.address();
    let mut ui = Ui::with_device("card-terminal", &address);
    let dir = ui._dir.path().to_path_buf();
    ui.login("1111");
    ui.scan("BAK0001");
    ui.click("F12  Pay");
    ui.type_into(payment::AMOUNT_FIELD, "2");
    ui.click("Card terminal");
    ui.interact(|sim| {
        sim.find("CARD TERMINAL").expect("the screen waits for the terminal");
        sim.find("2.87").expect("with what is left, never typed");
        sim.find("Insert, tap or swipe the card on the terminal").expect("what the customer does");
    });
    ui.snapshot("card_terminal_waiting");
    ui.click("Cancel the card payment");
    ui.interact(|sim| {
        sim.find("Cancelling on the terminal...").expect("the cancel is on its way");
    });
    // What the app's background task does with the cancel set, then reports.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let terminal_address = address.parse().unwrap();
    let attempt = ui.app.terminal().unwrap().unresolved_card_payment().unwrap().expect("written down before asking");
    let cancelled = Arc::new(AtomicBool::new(true));
    let reply = runtime.block_on(ask_card(terminal_address, dir.clone(), attempt.clone(), cancelled));
    let _ = ui.app.update(Message::CardReplied(attempt, reply));
    ui.interact(|sim| {
        sim.find("Card not paid: cancelled on the terminal or by the till").expect("said, and the keys are back");
    });
    assert!(pt.bookings().is_empty());

    pt.script(&[Step::Approve]);
    ui.click("Card terminal");
    let attempt = ui.app.terminal().unwrap().unresolved_card_payment().unwrap().unwrap();
    let reply = runtime.block_on(ask_card(
        pt.address().parse().unwrap(),
        dir,
        attempt.clone(),
        Arc::new(AtomicBool::new(false)),
    ));
    let _ = ui.app.update(Message::CardReplied(attempt, reply));
    let record = &ui.committed().record;
    assert_eq!(
        record.payments.iter().map(|p| (p.kind, p.amount.to_string())).collect::<Vec<_>>(),
        [(TenderKind::Card, "2.87".to_string()), (TenderKind::Cash, "2.00".to_string())]
    );
    assert!(matches!(&record.card_via, Some(pos_shared::journal::CardVia::Terminal(auth)) if auth.trace == 101));
}

#[test]
fn the_customer_screen_follows_the_sale_the_payment_and_a_return() {
    let mut ui = Ui::demo();
    let customer_screen = |ui: &Ui, wanted: &[&'static str]| {
        let mut sim = Simulator::with_settings(settings(), ui.app.customer_screen());
        for text in wanted {
            sim.find(*text).unwrap_or_else(|_| panic!("the customer reads “{text}”"));
        }
    };
    customer_screen(&ui, &["Épicerie du Marché", "Welcome"]);
    ui.login("1111");
    ui.scan(&barcode("BAK0001"));
    ui.scan(&barcode("BAK0001"));
    ui.scan(&barcode("DAI0001"));
    customer_screen(&ui, &["Baguette tradition", "9.74", "Lait demi-écrémé 1L", "5.61", "TOTAL", "15.35"]);
    {
        let mut sim = Simulator::with_settings(settings(), ui.app.customer_screen());
        assert!(sim.find("4.87").is_err(), "a line shows its amount, not its unit price");
    }
    ui.click("F12  Pay");
    customer_screen(&ui, &["TO PAY", "15.35"]);
    ui.type_into(payment::AMOUNT_FIELD, "10");
    customer_screen(&ui, &["TO PAY", "5.35"]);
    ui.type_into(payment::AMOUNT_FIELD, "10");
    ui.click("Enter  Confirm");
    customer_screen(&ui, &["PAID", "20.00", "CHANGE", "4.65"]);
    let receipt = ui.committed().record.receipt_no.to_string();
    ui.click("Enter  Next sale");
    ui.click("Returns");
    ui.type_into(returns::RETURN_FIELD, &receipt);
    ui.click(" + ");
    ui.click("F12  Refund…");
    customer_screen(&ui, &["REFUND", "4.87"]);
    ui.click("F12  Give back 4.87");
    customer_screen(&ui, &["REFUND", "4.87"]);
}

#[test]
fn the_manager_sees_the_labels_due_after_a_price_change_and_prints_them() {
    use pos_tests::virtual_label_printer::VirtualLabelPrinter;
    let zpl = VirtualLabelPrinter::start();
    let address = zpl.address();
    let mut ui = Ui::prepared(|terminal| {
        set_device(terminal, "label-printer", &address);
        assert_eq!(terminal.labels_due().unwrap(), [], "the demo's shelves are labelled");
        let catalog = "sku,name,price,barcode,unit,tax_rate,cost,category,reorder_point\nBAK0001,Baguette tradition,1.35,3602850684422,each,5.5,0.40,Boulangerie,20\n";
        terminal.import_catalog(catalog.as_bytes()).unwrap();
    });
    ui.login_as("Marie", pos_tests::MANAGER_PIN);
    ui.interact(|sim| {
        sim.find("1 shelf labels due").expect("the status bar says labels are due");
    });
    ui.click("Manager");
    ui.click("Stock");
    ui.interact(|sim| {
        sim.find("Shelf labels due: 1 (Baguette tradition 1.35)").expect("which, at what price");
    });
    ui.click("Print the labels due");
    ui.interact(|sim| {
        sim.find("1 shelf label(s) printed").expect("said once printed");
        sim.find("Shelf labels: every label shows its price.").expect("none due any more");
    });
    let label = zpl.labels(1).join("");
    assert!(label.contains("Baguette tradition") && label.contains("1.35"), "{label}");
}

#[test]
fn a_lost_card_answer_holds_the_sale_until_the_terminal_says_and_a_card_refund_goes_through_it() {
    use pos_terminal::app::background::{ask_card, ask_card_again};
    use pos_terminal::card_payment::{CardReply, note_sent};
    use pos_terminal::devices::card_terminal::{LinkError, request};
    use pos_tests::virtual_card_terminal::{Step, VirtualCardTerminal};
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    let pt = VirtualCardTerminal::start(&[Step::DropAfterBooking]);
    let address = pt.address();
    let mut ui = Ui::with_device("card-terminal", &address);
    let dir = ui._dir.path().to_path_buf();
    let terminal_address: pos_shared::device_address::CardTerminalAddress = address.parse().unwrap();
    ui.login("1111");
    ui.scan("BAK0001");
    ui.click("F12  Pay");
    ui.click("Card terminal");
    // What the background task does up to a lost answer: the terminal
    // booked the payment, the line dropped, and asking again failed too.
    let attempt = ui.app.terminal().unwrap().unresolved_card_payment().unwrap().expect("written down");
    note_sent(&dir, attempt.id, None).unwrap();
    let lost = request(&terminal_address, false, attempt.amount, &AtomicBool::new(false));
    assert_eq!(lost, Err(LinkError::Dropped));
    let reply = CardReply::Lost { error: Some(LinkError::Dropped), last: Err(LinkError::TimedOut) };
    let _ = ui.app.update(Message::CardReplied(attempt.clone(), reply));
    ui.interact(|sim| {
        sim.find("Enter  Ask the terminal again").expect("the only way on");
    });
    ui.snapshot("card_terminal_lost");
    ui.press(Named::Enter);
    ui.press(Named::Escape);
    assert!(matches!(ui.app.screen(), Screen::Payment(_)), "no other payment, no way back to the cart meanwhile");
    ui.click("Enter  Ask the terminal again");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let reply = runtime.block_on(ask_card_again(terminal_address.clone()));
    let _ = ui.app.update(Message::CardReplied(attempt, reply));
    let sale = ui.committed().record.clone();
    assert!(matches!(&sale.card_via, Some(pos_shared::journal::CardVia::Terminal(auth)) if auth.trace == 101));
    assert_eq!(pt.bookings().len(), 1, "paid once");

    // The card sale comes back: the refund goes through the terminal.
    pt.script(&[Step::Approve]);
    ui.click("Enter  Next sale");
    ui.click("Returns");
    ui.type_into(returns::RETURN_FIELD, &sale.receipt_no.to_string());
    ui.click(" + ");
    ui.click("F12  Refund…");
    ui.click("F12  Give back 4.87");
    ui.interact(|sim| {
        sim.find("Refunding 4.87 on the card terminal: the customer presents their card")
            .expect("waits for the terminal");
    });
    let attempt = ui.app.terminal().unwrap().unresolved_card_payment().unwrap().expect("the refund, written down");
    let reply = runtime.block_on(ask_card(terminal_address, dir, attempt.clone(), Arc::new(AtomicBool::new(false))));
    let _ = ui.app.update(Message::CardReplied(attempt, reply));
    let refund = &ui.committed().record;
    assert_eq!(refund.kind, SaleKind::Return);
    assert!(matches!(&refund.card_via, Some(pos_shared::journal::CardVia::Terminal(auth)) if auth.trace == 102));
    assert!(pt.bookings()[1].refund);
}
