//! Returns: capped per receipt line, refunded at the price paid, stock back
//! unless damaged, and without a receipt only with a manager.

use pos_shared::journal::{SaleKind, SaleRecord};
use pos_shared::money::Money;
use pos_shared::tender::TenderKind;
use pos_terminal::returns::{ReturnItem, ReturnRequest};
use pos_terminal::{Cart, CoreError};
use pos_tests::{MANAGER_PIN, Store, barcode, tenders};
use rust_decimal::Decimal;

fn item(code: &str, qty: Option<i64>) -> ReturnItem {
    ReturnItem { code: code.to_string(), qty: qty.map(Decimal::from) }
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
    let no_receipt = |pin: Option<&str>| ReturnRequest {
        items: vec![item("DAI0001", None)],
        approver_pin: pin.map(str::to_string),
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

    let record = store.terminal.commit_return(&cashier, no_receipt(Some(MANAGER_PIN))).unwrap().record;
    let price = store.terminal.product_by_sku("DAI0001").unwrap().unwrap().price;
    assert_eq!(record.total, price);
    assert_eq!(record.original_receipt, None);
    assert_eq!(store.terminal.verify_journal().unwrap().entries, entries + 2, "override and return");
    assert_eq!(record.payments[0].amount, price);
    assert!(record.payments[0].amount > Money::ZERO);
}
