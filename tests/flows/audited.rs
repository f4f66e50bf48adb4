//! What a tax auditor looks for beside the sales (issue #18): log-ins and
//! refused PINs, voided lines and carts, prices changed by hand, drawers
//! opened, reprints, each a journal entry; and training mode, whose sales
//! are journaled and printed as training and never counted.

use pos_shared::money::Money;
use pos_terminal::{Cart, CoreError};
use pos_tests::{Store, cli, cli_ok, tenders};

/// The journal's entries after `after`: (kind, payload), oldest first.
fn entries_after(store: &Store, after: u64) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(store.path().join(pos_terminal::db::DB_FILE)).unwrap();
    let mut stmt = conn.prepare("SELECT kind, payload FROM journal WHERE seq > ?1 ORDER BY seq").unwrap();
    let rows = stmt.query_map([after], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))).unwrap();
    rows.map(|r| r.map(|(kind, payload)| (kind, String::from_utf8(payload).unwrap())).unwrap()).collect()
}

fn last_seq(store: &Store) -> u64 {
    store.terminal.verify_journal().unwrap().last_seq
}

#[test]
fn log_ins_refused_pins_voids_price_changes_and_the_drawer_are_journaled() {
    let mut store = Store::open();
    let start = last_seq(&store);
    let t = &mut store.terminal;
    t.sign_in(Some(pos_tests::CASHIER_NAME), pos_tests::CASHIER_PIN).unwrap();
    assert!(matches!(t.login(pos_tests::CASHIER_NAME, "9999"), Err(CoreError::WrongPin)));
    assert!(matches!(t.login_by_pin("0000"), Err(CoreError::WrongPin)));
    let manager = t.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    let mut cart = Cart::default();
    t.add_item(&mut cart, "BAK0001", None).unwrap();
    t.add_item(&mut cart, "DAI0001", None).unwrap();
    t.remove_line(&manager, &mut cart, 0, None).unwrap();
    t.override_price(&manager, &mut cart, 0, Money::from_minor(500), None).unwrap();
    t.commit_sale(&manager, &cart, &tenders(&["cash:5"])).unwrap();
    let mut abandoned = Cart::default();
    t.add_item(&mut abandoned, "BAK0007", None).unwrap();
    t.void_cart(&manager, abandoned).unwrap();
    t.open_drawer(&manager, "change for the café", None).unwrap();
    let kinds: Vec<(String, String)> = entries_after(&store, start);
    let names: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        ["logged_in", "login_failed", "login_failed", "override", "override", "sale", "sale_voided", "drawer_opened"]
    );
    assert!(kinds[1].1.contains(r#""user":"Camille""#), "whose PIN was tried: {}", kinds[1].1);
    assert!(!kinds[2].1.contains(r#""user""#), "a PIN alone names nobody: {}", kinds[2].1);
    assert!(kinds[3].1.contains(r#""permission":"void-line""#) && kinds[3].1.contains("BAK0001"), "{}", kinds[3].1);
    assert!(
        kinds[4].1.contains(r#""permission":"price-override""#) && kinds[4].1.contains("-> 5.00"),
        "{}",
        kinds[4].1
    );
    assert!(store.terminal.verify_journal().is_ok());
}

#[test]
fn training_sales_print_as_training_and_never_count() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let manager = store.manager();
    let t = &mut store.terminal;
    let x_before = t.x_report().unwrap();
    let stock_before = t.on_hand_milli("BAK0001").unwrap();
    let refused = t.set_training(&cashier, true, None).unwrap_err();
    assert!(matches!(refused, CoreError::PermissionDenied { .. }), "{refused}");
    assert!(refused.to_string().contains("may not switch training mode on or off"), "{refused}");
    t.set_training(&cashier, true, Some(&pos_tests::manager_approval())).unwrap();
    let mut cart = Cart::default();
    t.add_item(&mut cart, "BAK0001", Some(3.into())).unwrap();
    let practice = t.commit_sale(&cashier, &cart, &tenders(&["cash:20"])).unwrap();
    assert!(practice.training);
    let paper = t.receipt_doc(&practice).unwrap().render_text(42);
    assert_eq!(paper.matches("*** TRAINING - NOT A RECEIPT ***").count(), 2, "{paper}");
    assert_eq!(practice.record.receipt_no.number(), 1, "training has its own series");
    assert!(
        paper.contains("TRAINING SALE No. 1") && !paper.contains("RECEIPT S01-T01"),
        "never a receipt's number: {paper}"
    );
    assert!(!paper.contains("Returns within 30 days"), "no promise a receipt makes: {paper}");
    // The card terminal is never asked in training: not from the app's key,
    // not from `sell`, not for a refund (they all start a card payment).
    let on_card = t.prepare_sale(&cashier, &cart, &tenders(&["card:14.61"]), &[]).unwrap();
    let refused = t.start_card_payment(on_card).unwrap_err().to_string();
    assert!(refused.contains("no card is charged in training mode"), "{refused}");
    let mut gift = Cart::default();
    t.add_item(&mut gift, "DAI0001", None).unwrap();
    t.commit_sale(&cashier, &gift, &tenders(&["card:5.61"])).unwrap();

    // Nothing counted: the X report, the drawer, stock, the receipt series.
    let x_after = t.x_report().unwrap();
    assert_eq!(
        (x_after.sales_count, x_after.sales_total, &x_after.tenders),
        (x_before.sales_count, x_before.sales_total, &x_before.tenders)
    );
    assert_eq!(t.on_hand_milli("BAK0001").unwrap(), stock_before);
    t.set_training(&manager, false, None).unwrap();
    let real = t.commit_sale(&cashier, &cart, &tenders(&["cash:20"])).unwrap();
    assert!(!real.training);
    assert_eq!(real.record.receipt_no.number(), x_before.sales_count + 1, "no receipt number spent on training");
    let x_real = t.x_report().unwrap();
    assert_eq!(x_real.sales_count, x_before.sales_count + 1);
    assert_eq!(t.on_hand_milli("BAK0001").unwrap(), stock_before - 3000);
    assert!(!t.receipt_doc(&real).unwrap().render_text(42).contains("TRAINING"));
    let summary = t.verify_journal().unwrap();
    assert_eq!(summary.sales, x_before.sales_count + 1, "training sales are not sales");
    let journaled = entries_after(&store, 0).into_iter().filter(|(k, _)| k == "training_sale").count();
    assert_eq!(journaled, 2, "but each is journaled");

    // From the command line.
    let sold =
        cli_ok(store.path(), &pos_tests::as_manager(&["sell", "--training", "--item", "BAK0007", "--pay", "cash:5"]));
    assert!(sold.contains("TRAINING - NOT A RECEIPT"), "{sold}");
    let refused =
        cli(store.path(), &pos_tests::as_cashier(&["sell", "--training", "--item", "BAK0007", "--pay", "cash:5"]));
    assert!(!refused.status.success(), "a cashier alone may not switch training on");
}
