//! Returns: capped per receipt line, refunded at the price paid, stock back
//! unless damaged, and without a receipt only with a manager.

use pos_shared::journal::{SaleKind, SaleRecord};
use pos_shared::money::Money;
use pos_shared::tender::TenderKind;
use pos_terminal::returns::{ReturnItem, ReturnRequest};
use pos_terminal::users::Credentials;
use pos_terminal::{Cart, CoreError};
use pos_tests::{MANAGER_PIN, Store, barcode, tenders};
use rust_decimal::Decimal;

fn item(code: &str, qty: Option<i64>) -> ReturnItem {
    ReturnItem { code: code.to_string(), line: None, qty: qty.map(Decimal::from) }
}

/// A sale of 3 x BAK0001 and 1 x WIN0001 with a 10% sale discount.
fn sold(store: &mut Store, tender: &str) -> SaleRecord {
    let cashier = store.cashier();
    let mut cart = Cart::default();
    let t = &mut store.terminal;
    t.add_item(&mut cart, "BAK0001", Some(Decimal::from(3))).unwrap();
    t.add_item(&mut cart, "WIN0001", None).unwrap();
    t.set_sale_discount(&cashier, &mut cart, Some("10%".parse().unwrap()), None).unwrap();
    let total = t.cart_totals(&cart).unwrap().total;
    let pay = if tender == "card" { format!("card:{total}") } else { "cash:500".to_string() };
    t.commit_sale(&cashier, &cart, &tenders(&[&pay])).unwrap().record
}

#[test]
fn return_by_receipt_is_capped_and_refunds_what_was_paid() {
    let mut store = Store::open();
    let sale = sold(&mut store, "card");
    let cashier = store.cashier();
    let stock = store.on_hand("BAK0001");
    let request = |qty| ReturnRequest {
        original: Some(sale.receipt_no.clone()),
        items: vec![item(&barcode("BAK0001"), qty)],
        ..Default::default()
    };

    let first = store.terminal.commit_return(&cashier, request(Some(2))).unwrap().record;
    assert_eq!(first.kind, SaleKind::Return);
    assert_eq!(first.original_receipt.as_ref(), Some(&sale.receipt_no));
    assert_eq!(first.payments[0].kind, TenderKind::Card, "refund goes to the original tender");
    assert_eq!(store.on_hand("BAK0001"), stock + 2000);

    let err = store.terminal.commit_return(&cashier, request(Some(2))).unwrap_err();
    assert!(err.to_string().contains("only 1 left to return"), "{err}");
    let second = store.terminal.commit_return(&cashier, request(None)).unwrap().record;
    assert_eq!(first.total + second.total, sale.lines[0].net, "two returns refund exactly the discounted line");
    let err = store.terminal.commit_return(&cashier, request(None)).unwrap_err();
    assert!(matches!(err, CoreError::NotOnReceipt { .. }), "{err}");
}

#[test]
fn damaged_goods_do_not_go_back_into_stock() {
    let mut store = Store::open();
    let sale = sold(&mut store, "cash");
    let cashier = store.cashier();
    let stock = store.on_hand("WIN0001");
    let request = ReturnRequest {
        original: Some(sale.receipt_no.clone()),
        items: vec![item("WIN0001", None)],
        damaged: true,
        ..Default::default()
    };
    let record = store.terminal.commit_return(&cashier, request).unwrap().record;
    assert_eq!(record.movements.len(), 2, "back in, then written off");
    assert_eq!(store.on_hand("WIN0001"), stock);
    assert_eq!(record.payments[0].kind, TenderKind::Cash);
}

#[test]
fn no_receipt_needs_a_manager_and_bad_returns_change_nothing() {
    let mut store = Store::open();
    let sale = sold(&mut store, "card");
    let cashier = store.cashier();
    let entries = store.terminal.verify_journal().unwrap().entries;
    let no_receipt = |approver: Option<&Credentials>| ReturnRequest {
        items: vec![item("DAI0001", None)],
        approver: approver.cloned(),
        ..Default::default()
    };
    let err = store.terminal.commit_return(&cashier, no_receipt(None)).unwrap_err();
    assert!(matches!(err, CoreError::PermissionDenied { .. }), "{err}");
    let not_sold = ReturnRequest {
        original: Some(sale.receipt_no.clone()),
        items: vec![item("DAI0001", None)],
        ..Default::default()
    };
    assert!(matches!(store.terminal.commit_return(&cashier, not_sold), Err(CoreError::NotOnReceipt { .. })));
    let unknown = ReturnRequest {
        original: Some("S01-T01-000777".parse().unwrap()),
        items: vec![item("BAK0001", None)],
        ..Default::default()
    };
    assert!(matches!(store.terminal.commit_return(&cashier, unknown), Err(CoreError::UnknownReceipt(_))));
    let too_many = ReturnRequest {
        original: Some(sale.receipt_no.clone()),
        items: vec![item("BAK0001", Some(4))],
        ..Default::default()
    };
    assert!(store.terminal.commit_return(&cashier, too_many).is_err());
    assert_eq!(store.terminal.verify_journal().unwrap().entries, entries, "nothing written");

    let record =
        store.terminal.commit_return(&cashier, no_receipt(Some(&pos_tests::manager_approval()))).unwrap().record;
    let price = store.terminal.product_by_sku("DAI0001").unwrap().unwrap().price;
    assert_eq!(record.total, price);
    assert_eq!(record.original_receipt, None);
    assert_eq!(store.terminal.verify_journal().unwrap().entries, entries + 2, "override and return");
    assert_eq!(record.payments[0].amount, price);
    assert!(record.payments[0].amount > Money::ZERO);
}

/// A sale of BAK0001 twice: line 1 at the shelf price, line 2 at half
/// price (a manager's line discount), paid by `pay`.
fn same_product_twice(store: &mut Store, pay: &str) -> SaleRecord {
    let manager = store.manager();
    let mut cart = Cart::default();
    let t = &mut store.terminal;
    t.add_item(&mut cart, "BAK0001", None).unwrap();
    t.add_item(&mut cart, "BAK0001", None).unwrap();
    if cart.lines.len() == 1 {
        // A second scan may add to the first line; split it by hand.
        cart.lines[0].qty = pos_shared::quantity::Quantity::ONE;
        cart.lines.push(cart.lines[0].clone());
    }
    t.set_line_discount(&manager, &mut cart, 1, Some("50%".parse().unwrap()), None).unwrap();
    t.commit_sale(&manager, &cart, &tenders(&[pay])).unwrap().record
}

#[test]
fn the_returns_screen_refunds_the_line_the_customer_bought() {
    use pos_terminal::screen::{Action, returns};
    let mut store = Store::open();
    let sale = same_product_twice(&mut store, "cash:20");
    let (dear, cheap) = (sale.lines[0].net, sale.lines[1].net);
    assert!(cheap < dear, "{dear} {cheap}");
    let cashier = store.cashier();
    let mut screen = returns::Returns::default();
    let t = &mut store.terminal;
    screen.update(t, &cashier, returns::Message::Input(sale.receipt_no.to_string()));
    screen.update(t, &cashier, returns::Message::Submit);
    screen.update(t, &cashier, returns::Message::More(1));
    assert!(matches!(screen.update(t, &cashier, returns::Message::Confirm), Action::None), "first the amount");
    let Action::ToReceipt(committed) = screen.update(t, &cashier, returns::Message::Confirm) else {
        panic!("the return was not recorded")
    };
    assert_eq!(committed.record.total, cheap, "the half-price line comes back at half price");
    assert_eq!(committed.record.lines[0].original_line, Some(2));

    // The same through the core, by line number; the dear line stays returnable.
    let line_one = ReturnRequest {
        original: Some(sale.receipt_no.clone()),
        items: vec![ReturnItem { code: "BAK0001".into(), line: Some(1), qty: None }],
        ..Default::default()
    };
    assert_eq!(store.terminal.commit_return(&cashier, line_one.clone()).unwrap().record.total, dear);
    let err = store.terminal.commit_return(&cashier, line_one).unwrap_err();
    assert!(err.to_string().contains("only 0 left"), "{err}");
    let wrong_product = ReturnRequest {
        original: Some(sale.receipt_no.clone()),
        items: vec![ReturnItem { code: "WIN0001".into(), line: Some(1), qty: None }],
        ..Default::default()
    };
    assert!(matches!(store.terminal.commit_return(&cashier, wrong_product), Err(CoreError::NotOnReceipt { .. })));
}

#[test]
fn refunds_go_to_the_original_tender_unless_a_manager_approves() {
    let mut store = Store::open();
    let sale = sold(&mut store, "card");
    let cashier = store.cashier();
    let entries = store.terminal.verify_journal().unwrap().entries;
    let in_cash = |approver: Option<&Credentials>| ReturnRequest {
        original: Some(sale.receipt_no.clone()),
        items: vec![item("WIN0001", None)],
        refund_to: Some(TenderKind::Cash),
        approver: approver.cloned(),
        ..Default::default()
    };
    let err = store.terminal.commit_return(&cashier, in_cash(None)).unwrap_err();
    assert!(matches!(err, CoreError::PermissionDenied { .. }), "a card sale refunded from the drawer: {err}");
    assert_eq!(store.terminal.verify_journal().unwrap().entries, entries, "nothing written");
    let record = store.terminal.commit_return(&cashier, in_cash(Some(&pos_tests::manager_approval()))).unwrap().record;
    assert_eq!(record.payments.iter().map(|p| p.kind).collect::<Vec<_>>(), vec![TenderKind::Cash]);
    assert_eq!(store.terminal.verify_journal().unwrap().entries, entries + 2, "the approval is journaled");

    // Cash back above the store's limit (50.00) needs a manager too.
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, "WIN0003", Some(Decimal::from(2))).unwrap();
    let wine = store.terminal.commit_sale(&cashier, &cart, &tenders(&["cash:100"])).unwrap().record;
    let all_back = |approver: Option<&Credentials>| ReturnRequest {
        original: Some(wine.receipt_no.clone()),
        items: vec![item("WIN0003", Some(2))],
        approver: approver.cloned(),
        ..Default::default()
    };
    let err = store.terminal.commit_return(&cashier, all_back(None)).unwrap_err();
    assert!(err.to_string().contains("refund this much in cash"), "{err}");
    let back = store.terminal.commit_return(&cashier, all_back(Some(&pos_tests::manager_approval()))).unwrap().record;
    assert_eq!((back.payments[0].kind, back.total), (TenderKind::Cash, wine.total));

    // Split into one bottle at a time, the second return still passes the limit.
    let wine = store.terminal.commit_sale(&cashier, &cart, &tenders(&["cash:100"])).unwrap().record;
    let one_back = |approver: Option<&Credentials>| ReturnRequest {
        original: Some(wine.receipt_no.clone()),
        items: vec![item("WIN0003", Some(1))],
        approver: approver.cloned(),
        ..Default::default()
    };
    store.terminal.commit_return(&cashier, one_back(None)).unwrap();
    let err = store.terminal.commit_return(&cashier, one_back(None)).unwrap_err();
    assert!(err.to_string().contains("refund this much in cash"), "the second half counts the first: {err}");
    store.terminal.commit_return(&cashier, one_back(Some(&pos_tests::manager_approval()))).unwrap();
}

#[test]
fn a_split_payment_is_refunded_card_first_then_cash() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, "BAK0001", Some(Decimal::from(2))).unwrap();
    let total = store.terminal.cart_totals(&cart).unwrap().total;
    let card = Money::from_minor(500);
    let cash = format!("cash:{}", total - card);
    let sale = store.terminal.commit_sale(&cashier, &cart, &tenders(&["card:5.00", &cash])).unwrap().record;
    let one = || ReturnRequest {
        original: Some(sale.receipt_no.clone()),
        items: vec![item("BAK0001", Some(1))],
        ..Default::default()
    };
    let first = store.terminal.commit_return(&cashier, one()).unwrap().record;
    assert_eq!(first.payments, vec![pos_shared::tender::Tender { kind: TenderKind::Card, amount: first.total }]);
    let second = store.terminal.commit_return(&cashier, one()).unwrap().record;
    let kinds: Vec<(TenderKind, Money)> = second.payments.iter().map(|p| (p.kind, p.amount)).collect();
    assert_eq!(kinds, vec![(TenderKind::Card, card - first.total), (TenderKind::Cash, total - card)]);
}

#[test]
fn ten_units_returned_one_at_a_time_through_the_cli_refund_what_the_line_paid() {
    // 10 x BAK0004 at 0.05 (a price override) with 30 % off the sale: 0.35.
    let mut store = Store::open();
    let manager = store.manager();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, "BAK0004", Some(Decimal::from(10))).unwrap();
    store.terminal.override_price(&manager, &mut cart, 0, Money::from_minor(5), None).unwrap();
    store.terminal.set_sale_discount(&manager, &mut cart, Some("30%".parse().unwrap()), None).unwrap();
    let sale = store.terminal.commit_sale(&manager, &cart, &tenders(&["cash:1"])).unwrap().record;
    assert_eq!(sale.total, Money::from_minor(35));
    let receipt = sale.receipt_no.to_string();
    let mut refunded = Money::ZERO;
    for _ in 0..10 {
        let out = pos_tests::cli_ok(
            store.path(),
            &pos_tests::as_cashier(&["--json", "return", "--receipt", &receipt, "--item", "BAK0004*1@1"]),
        );
        let record: SaleRecord = serde_json::from_str(&out).unwrap();
        assert!(!record.total.is_negative(), "{}", record.total);
        refunded += record.total;
    }
    assert_eq!(refunded, sale.total, "never more than the customer paid");
    let refused = pos_tests::cli_refused(
        store.path(),
        &pos_tests::as_cashier(&["return", "--receipt", &receipt, "--item", "BAK0004*1@x"]),
    );
    assert!(refused.contains("must be a line number"), "{refused}");
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// Products at three tax rates (5.5 %, 10 %, 20 %).
    const PRODUCTS: [&str; 4] = ["BAK0001", "BAK0004", "WIN0001", "DAI0013"];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn partial_returns_refund_exactly_what_each_line_paid(
            lines in prop::collection::vec(
                (0usize..4, 1i64..11, prop::option::of(1u32..60), prop::option::of(1i64..20)),
                1..4,
            ),
            sale_discount in prop::option::of(1u32..40),
            chunks in prop::collection::vec(1i64..4, 1..6),
        ) {
            let mut store = Store::open();
            let manager = store.manager();
            let mut cart = Cart::default();
            let t = &mut store.terminal;
            for (product, qty, discount, cents) in &lines {
                t.add_item(&mut cart, PRODUCTS[*product], Some(Decimal::from(*qty))).unwrap();
                let index = cart.lines.len() - 1;
                if let Some(cents) = cents {
                    // A few cents a unit: where per-unit rounding shows.
                    t.override_price(&manager, &mut cart, index, Money::from_minor(*cents), None).unwrap();
                }
                if let Some(percent) = discount {
                    let d = format!("{percent}%").parse().unwrap();
                    t.set_line_discount(&manager, &mut cart, index, Some(d), None).unwrap();
                }
            }
            if let Some(percent) = sale_discount {
                t.set_sale_discount(&manager, &mut cart, Some(format!("{percent}%").parse().unwrap()), None).unwrap();
            }
            let pay = format!("card:{}", t.cart_totals(&cart).unwrap().total);
            let sale = t.commit_sale(&manager, &cart, &tenders(&[&pay])).unwrap().record;
            // Every line comes back in chunks of the drawn sizes, the lines
            // taking turns, until all of it is back.
            let mut refunded = vec![(Money::ZERO, Money::ZERO); sale.lines.len()];
            let mut returned = vec![0i64; sale.lines.len()];
            let mut sizes = chunks.iter().cycle();
            while returned.iter().zip(&sale.lines).any(|(r, l)| *r < l.qty.milli()) {
                for (index, line) in sale.lines.iter().enumerate() {
                    let left = line.qty.milli() - returned[index];
                    if left == 0 {
                        continue;
                    }
                    let units = (*sizes.next().unwrap() * 1000).min(left);
                    let request = ReturnRequest {
                        original: Some(sale.receipt_no.clone()),
                        items: vec![ReturnItem {
                            code: line.sku.clone(),
                            line: Some(line.line_no),
                            qty: Some(Decimal::new(units, 3)),
                        }],
                        ..Default::default()
                    };
                    let back = t.commit_return(&manager, request).unwrap().record.lines[0].clone();
                    prop_assert!(!back.net.is_negative() && !back.tax.is_negative(), "{back:?}");
                    refunded[index].0 += back.net;
                    refunded[index].1 += back.tax;
                    returned[index] += units;
                    prop_assert!(refunded[index].0 <= line.net && refunded[index].1 <= line.tax);
                }
            }
            let too_many = ReturnRequest {
                original: Some(sale.receipt_no.clone()),
                items: vec![ReturnItem { code: sale.lines[0].sku.clone(), line: Some(1), qty: Some(Decimal::ONE) }],
                ..Default::default()
            };
            prop_assert!(t.commit_return(&manager, too_many).is_err(), "nothing is left to return");
            for (index, line) in sale.lines.iter().enumerate() {
                prop_assert_eq!(refunded[index], (line.net, line.tax), "line {} fully back", line.line_no);
            }
        }
    }
}

#[test]
fn the_cash_refund_limit_is_a_managers_setting() {
    use pos_tests::{cli_ok, cli_refused};
    let store = Store::open();
    let dir = store.path();
    let shown = |dir| cli_ok(dir, &["--json", "settings", "show"]);
    let before = shown(dir);
    assert!(before.contains("\"refund_cash_limit\": \"50.00\""), "{before}");
    let denied = cli_refused(dir, &pos_tests::as_cashier(&["settings", "set", "refund-cash-limit", "80"]));
    assert!(denied.contains("change the store's settings"), "{denied}");
    for (key, value, says) in [
        ("refund-cash-limit", "-5", "refund-cash-limit"),
        ("refund-cash-limit", "lots", "refund-cash-limit"),
        ("discount-limit", "120%", "from 0 to 100"),
        ("tax-mode", "sometimes", "inclusive or exclusive"),
        ("currency", "USD", "the settings are tax-mode, refund-cash-limit, discount-limit"),
    ] {
        let refused = cli_refused(dir, &pos_tests::as_manager(&["settings", "set", key, value]));
        assert!(refused.contains(says), "{key} {value}: {refused}");
    }
    assert_eq!(shown(dir), before, "refusals change nothing");
    cli_ok(
        dir,
        &pos_tests::as_cashier(&[
            "settings",
            "set",
            "refund-cash-limit",
            "80",
            "--manager",
            "Marie",
            "--manager-pin",
            MANAGER_PIN,
        ]),
    );
    assert!(shown(dir).contains("\"refund_cash_limit\": \"80.00\""));
    // 60.00 back in cash is now the cashier's to give.
    let sale = cli_ok(dir, &pos_tests::as_cashier(&["--json", "sell", "--item", "WIN0003*2", "--pay", "cash:70"]));
    let sale: SaleRecord = serde_json::from_str(&sale).unwrap();
    let receipt = sale.receipt_no.to_string();
    cli_ok(dir, &pos_tests::as_cashier(&["return", "--receipt", &receipt, "--item", "WIN0003*2"]));
}
