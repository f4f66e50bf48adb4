//! The till's day: float, cash in and out, X and Z reports with variance,
//! and a grand total that never resets.

use pos_shared::journal::CashDirection;
use pos_shared::money::Money;
use pos_shared::report::ReportKind;
use pos_shared::tender::TenderKind;
use pos_terminal::{Cart, CoreError};
use pos_tests::{Store, tenders};

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

fn sell_for_cash(store: &mut Store, sku: &str) -> Money {
    let cashier = store.cashier();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, sku, None).unwrap();
    let total = store.terminal.cart_totals(&cart).unwrap().total;
    store.terminal.commit_sale(&cashier, &cart, &tenders(&["cash:200"])).unwrap();
    total
}

#[test]
fn z_report_shows_expected_counted_and_variance_then_closes() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let manager = store.manager();
    let a = sell_for_cash(&mut store, "WIN0001");
    let b = sell_for_cash(&mut store, "BAK0001");
    let t = &mut store.terminal;
    assert!(matches!(
        t.cash_move(&cashier, CashDirection::In, m("20"), "change from bank", None),
        Err(CoreError::PermissionDenied { .. })
    ));
    t.cash_move(&cashier, CashDirection::In, m("20"), "change from bank", Some(&pos_tests::manager_approval()))
        .unwrap();
    t.cash_move(&manager, CashDirection::Out, m("5"), "window cleaner", None).unwrap();
    assert!(t.cash_move(&manager, CashDirection::Out, m("5000"), "too much", None).is_err());
    assert!(t.cash_move(&manager, CashDirection::Out, m("1"), "  ", None).is_err(), "a reason is required");

    let x = t.x_report().unwrap();
    assert_eq!(x.kind, ReportKind::X);
    let expected_cash = m("100") + a + b + m("20") - m("5");
    assert_eq!(x.tenders[0].expected, expected_cash);
    assert_eq!(t.x_report().unwrap().sales_count, 2, "X changes nothing");

    assert!(matches!(
        t.z_report(&cashier, &pos_terminal::session::CashCount::NotCounted("the test counts nothing".into()), None),
        Err(CoreError::PermissionDenied { .. })
    ));
    let counted = expected_cash - m("0.50");
    let z = t
        .z_report(&manager, &pos_terminal::session::CashCount::Counted(tenders(&[&format!("cash:{counted}")])), None)
        .unwrap();
    assert_eq!(z.kind, ReportKind::Z);
    assert_eq!(z.z_no, Some(1));
    let cash = z.tenders.iter().find(|l| l.kind == TenderKind::Cash).unwrap();
    assert_eq!(cash.variance, Some(m("-0.50")));
    assert_eq!(z.sales_total, a + b);
    assert_eq!(z.grand_total, a + b);
    let taxes: Money = z.taxes.iter().map(|b| b.tax).sum();
    assert!(taxes > Money::ZERO);
    assert_eq!(z.last_seq.map(|s| s.0), Some(t.verify_journal().unwrap().last_seq - 1));
    let text = t.report_doc(&z).render_text(42);
    assert!(text.contains("Z REPORT #1") && text.contains("Cash variance") && text.contains("-0.50"), "{text}");

    assert!(matches!(t.x_report(), Err(CoreError::NoOpenSession)), "the Z closed the session");
    t.open_session(&manager, m("50")).unwrap();
    assert!(matches!(t.open_session(&manager, m("50")), Err(CoreError::SessionAlreadyOpen(_))));
    let c = sell_for_cash(&mut store, "BAK0001");
    let z2 = store
        .terminal
        .z_report(&manager, &pos_terminal::session::CashCount::NotCounted("the test counts nothing".into()), None)
        .unwrap();
    assert_eq!((z2.z_no, z2.grand_total), (Some(2), a + b + c), "the grand total carries over");
    assert_eq!(z2.tenders[0].variance, None, "nothing counted, no variance");
}

#[test]
fn no_sale_drawer_opening_is_a_manager_permission() {
    let mut store = Store::open();
    let cashier = store.cashier();
    assert!(store.terminal.open_drawer(&cashier, "change for a note", None).is_err());
    store.terminal.open_drawer(&cashier, "change for a note", Some(&pos_tests::manager_approval())).unwrap();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, "BAK0001", None).unwrap();
    store.terminal.void_cart(&cashier, cart).unwrap();
    let x = store.terminal.x_report().unwrap();
    assert_eq!((x.no_sales_count, x.voids_count), (1, 1));
}

/// A session left open over 24 hours is closed before anything more is
/// sold: a sale, a return or a gift card is refused with nothing journaled,
/// and the Z (which can still be made) starts a new day.
#[test]
fn a_session_open_for_more_than_a_day_is_closed_before_selling() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let mut store = Store::open();
    sell_for_cash(&mut store, "BAK0001");
    let opened = store.terminal.current_session().unwrap().unwrap().opened_at_ms;
    let clock = pos_tests::week::WeekClock(Arc::new(AtomicI64::new(opened + 24 * 3_600_000 - 60_000)));
    store.terminal = pos_terminal::Terminal::open_with_clock(store.path(), Box::new(clock.clone())).unwrap();
    sell_for_cash(&mut store, "BAK0001");
    clock.0.store(opened + 24 * 3_600_000 + 60_000, Ordering::SeqCst);
    let before = store.terminal.verify_journal().unwrap();
    let cashier = store.cashier();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, "BAK0001", None).unwrap();
    let refused = store.terminal.commit_sale(&cashier, &cart, &tenders(&["cash:10"])).unwrap_err().to_string();
    assert!(refused.contains("more than 24 hours: close the day (Z report) before selling"), "{refused}");
    let credit = pos_shared::journal::Credit::GiftCard("CARD0001".into());
    let card = store.terminal.sell_credit(&cashier, credit, m("10"), &tenders(&["cash:10"])).unwrap_err();
    assert!(card.to_string().contains("more than 24 hours"), "{card}");
    assert_eq!(store.terminal.verify_journal().unwrap(), before, "nothing journaled");
    let manager = store.manager();
    let counted = pos_terminal::session::CashCount::Counted(tenders(&["cash:109.74"]));
    store.terminal.z_report(&manager, &counted, None).unwrap();
    store.terminal.open_session(&manager, m("100")).unwrap();
    store.terminal.commit_sale(&cashier, &cart, &tenders(&["cash:10"])).unwrap();
}

/// A till whose clock went absurd (the year 10000, before 2000) records
/// nothing, rather than journal an entry head office must refuse.
#[test]
fn a_till_whose_clock_is_outside_any_plausible_time_records_nothing() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let mut store = Store::open();
    let now = store.terminal.current_session().unwrap().unwrap().opened_at_ms;
    let clock = pos_tests::week::WeekClock(Arc::new(AtomicI64::new(253_402_300_800_000)));
    store.terminal = pos_terminal::Terminal::open_with_clock(store.path(), Box::new(clock.clone())).unwrap();
    let before = store.terminal.verify_journal().unwrap();
    let cashier = store.cashier();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, "BAK0001", None).unwrap();
    for wrong in [253_402_300_800_000, 0] {
        clock.0.store(wrong, Ordering::SeqCst);
        let refused = store.terminal.commit_sale(&cashier, &cart, &tenders(&["cash:10"])).unwrap_err().to_string();
        assert!(refused.contains("set the clock right"), "{refused}");
    }
    assert_eq!(store.terminal.verify_journal().unwrap(), before, "nothing journaled");
    clock.0.store(now + 60_000, Ordering::SeqCst);
    store.terminal.commit_sale(&cashier, &cart, &tenders(&["cash:10"])).unwrap();
}
