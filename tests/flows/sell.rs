//! Selling at the counter through the core: scans, weights, discounts,
//! tenders, parking, and what each leaves on disk.

use pos_shared::barcode::gs1_check_digit;
use pos_shared::journal::SaleKind;
use pos_shared::money::Money;
use pos_shared::tender::TenderKind;
use pos_terminal::{Cart, CoreError};
use pos_tests::{Store, barcode, tenders};
use rust_decimal::Decimal;

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

#[test]
fn cash_sale_gives_change_and_moves_stock_once_per_line() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let before = store.on_hand("BAK0001");
    let mut cart = Cart::default();
    let t = &mut store.terminal;
    t.add_item(&mut cart, &barcode("BAK0001"), None).unwrap();
    t.add_item(&mut cart, &barcode("BAK0001"), None).unwrap();
    t.add_item(&mut cart, "DAI0001", Some(Decimal::from(3))).unwrap();
    assert_eq!(cart.lines.len(), 2, "a second scan of the same piece adds to its line");
    let total = t.cart_totals(&cart).unwrap().total;
    let committed = t.commit_sale(&cashier, &cart, &tenders(&["cash:50"])).unwrap();
    let record = &committed.record;
    assert_eq!(record.kind, SaleKind::Sale);
    assert_eq!(record.receipt_no.to_string(), "S01-T01-000001");
    assert_eq!(record.change, m("50") - total);
    assert_eq!(record.movements.len(), 2);
    assert_eq!(store.on_hand("BAK0001"), before - 2000);
    let (stored, _) = store.terminal.sale_record(&record.receipt_no).unwrap().unwrap();
    assert_eq!(&stored, record, "what is on disk is what was journaled");
}

#[test]
fn split_tender_card_then_cash() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let mut cart = Cart::default();
    let t = &mut store.terminal;
    t.add_item(&mut cart, "WIN0001", Some(Decimal::from(2))).unwrap();
    let total = t.cart_totals(&cart).unwrap().total;
    let card = Money::from_minor(total.minor() / 2);
    let committed = t.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{card}"), "cash:100"])).unwrap();
    let payments = &committed.record.payments;
    assert_eq!(payments[0].kind, TenderKind::Card);
    assert_eq!(payments[0].amount, card);
    assert_eq!(payments[1].amount, total - card);
    assert_eq!(committed.record.change, m("100") - (total - card));
}

#[test]
fn weighed_item_from_an_in_store_barcode() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let product = store.terminal.product_by_sku("FRU0003").unwrap().unwrap();
    let plain = barcode("FRU0003");
    let body = format!("{}01234", &plain[..7]);
    let scanned = format!("{body}{}", gs1_check_digit(&body));
    let mut cart = Cart::default();
    let before = store.on_hand("FRU0003");
    store.terminal.add_item(&mut cart, &scanned, None).unwrap();
    assert_eq!(cart.lines[0].qty.milli(), 1234);
    let err = store.terminal.add_item(&mut cart, "FRU0003", None).unwrap_err();
    assert!(matches!(err, CoreError::NeedsWeight(..)), "{err}");
    let total = store.terminal.cart_totals(&cart).unwrap().total;
    assert_eq!(total, Money::round(product.price.amount() * Decimal::new(1234, 3), Default::default()));
    store.terminal.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{total}")])).unwrap();
    assert_eq!(store.on_hand("FRU0003"), before - 1234);
}

#[test]
fn big_discount_needs_a_manager_and_is_journaled() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let mut cart = Cart::default();
    let t = &mut store.terminal;
    t.add_item(&mut cart, "WIN0001", None).unwrap();
    t.set_sale_discount(&cashier, &mut cart, Some("5%".parse().unwrap()), None).expect("within the 10% limit");
    let err = t.set_sale_discount(&cashier, &mut cart, Some("25%".parse().unwrap()), None).unwrap_err();
    assert!(matches!(err, CoreError::PermissionDenied { .. }), "{err}");
    let err = t
        .set_sale_discount(
            &cashier,
            &mut cart,
            Some("25%".parse().unwrap()),
            Some(&pos_terminal::users::Credentials::new("Camille", "1111")),
        )
        .unwrap_err();
    assert!(matches!(err, CoreError::ApproverNotAllowed { .. }), "a cashier cannot approve: {err}");
    t.set_sale_discount(&cashier, &mut cart, Some("25%".parse().unwrap()), Some(&pos_tests::manager_approval()))
        .unwrap();
    let totals = t.cart_totals(&cart).unwrap();
    let committed = t.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{}", totals.total)])).unwrap();
    assert_eq!(committed.record.discount, totals.discount);
    assert!(!totals.discount.is_zero());
    assert_eq!(committed.seq.0, 4, "session, override, sale (after the opening stock)");
}

#[test]
fn short_payment_and_empty_cart_write_nothing() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let entries = store.terminal.verify_journal().unwrap().entries;
    let mut cart = Cart::default();
    let t = &mut store.terminal;
    assert!(matches!(t.commit_sale(&cashier, &cart, &tenders(&["cash:1"])), Err(CoreError::EmptyCart)));
    t.add_item(&mut cart, "WIN0001", None).unwrap();
    let err = t.commit_sale(&cashier, &cart, &tenders(&["cash:0.01"])).unwrap_err();
    assert!(err.to_string().starts_with("short payment"), "{err}");
    let err = t.commit_sale(&cashier, &cart, &tenders(&["card:9999"])).unwrap_err();
    assert!(err.to_string().contains("exceed"), "{err}");
    assert_eq!(t.verify_journal().unwrap().entries, entries);
    assert_eq!(t.verify_journal().unwrap().sales, 0);
}

#[test]
fn selling_needs_an_open_session() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let manager = store.manager();
    store
        .terminal
        .z_report(&manager, &pos_terminal::session::CashCount::NotCounted("the test counts nothing".into()), None)
        .unwrap();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, "BAK0001", None).unwrap();
    let err = store.terminal.commit_sale(&cashier, &cart, &tenders(&["cash:100"])).unwrap_err();
    assert!(matches!(err, CoreError::NoOpenSession), "{err}");
}

#[test]
fn overselling_warns_but_sells() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let on_hand = store.on_hand("BAK0002") / 1000;
    let mut cart = Cart::default();
    let added = store.terminal.add_item(&mut cart, "BAK0002", Some(Decimal::from(on_hand))).unwrap();
    assert_eq!(added.warning, None);
    let added = store.terminal.add_item(&mut cart, "BAK0002", None).unwrap();
    let warning = added.warning.expect("one more than known stock");
    assert!(warning.contains(&format!("only {on_hand} of BAK0002")), "{warning}");
    let total = store.terminal.cart_totals(&cart).unwrap().total;
    store.terminal.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{total}")])).unwrap();
    assert_eq!(store.on_hand("BAK0002"), -1000, "stock goes negative, the customer is served");
}

#[test]
fn void_line_and_price_override_need_a_manager() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let mut cart = Cart::default();
    let t = &mut store.terminal;
    t.add_item(&mut cart, "BAK0001", Some(Decimal::from(3))).unwrap();
    t.add_item(&mut cart, "DAI0002", None).unwrap();
    assert!(t.remove_line(&cashier, &mut cart, 1, None).is_err());
    assert!(t.set_quantity(&cashier, &mut cart, 0, Decimal::from(2), None).is_err(), "lowering is a void");
    t.set_quantity(&cashier, &mut cart, 0, Decimal::from(4), None).expect("raising is not");
    assert!(t.override_price(&cashier, &mut cart, 0, m("0.50"), None).is_err());
    t.remove_line(&cashier, &mut cart, 1, Some(&pos_tests::manager_approval())).unwrap();
    t.override_price(&cashier, &mut cart, 0, m("0.50"), Some(&pos_tests::manager_approval())).unwrap();
    assert_eq!(cart.approvals.len(), 2);
    let committed = t.commit_sale(&cashier, &cart, &tenders(&["cash:2"])).unwrap();
    assert_eq!(committed.record.total, m("2.00"));
    let summary = t.verify_journal().unwrap();
    assert_eq!(summary.entries, 2 + 2 + 1, "stock, session, two overrides, the sale");
}

#[test]
fn parked_cart_survives_a_restart() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, "BAK0001", None).unwrap();
    let id = store.terminal.park(&cashier, &cart, "lady in red").unwrap();
    drop(store.terminal);
    let mut terminal = pos_terminal::Terminal::open(store.dir.path()).unwrap();
    let parked = terminal.parked_carts().unwrap();
    assert_eq!((parked.len(), parked[0].label.as_str(), parked[0].lines), (1, "lady in red", 1));
    let resumed = terminal.resume(id).unwrap();
    assert_eq!(resumed, cart);
    assert!(terminal.parked_carts().unwrap().is_empty());
    assert!(terminal.resume(id).is_err(), "a cart resumes once");
}

#[test]
fn a_receipt_carries_its_entry_and_signature_and_reprints_are_numbered_journaled_copies() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, "DAI0013", None).unwrap();
    let total = store.terminal.cart_totals(&cart).unwrap().total;
    let committed = store.terminal.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{total}")])).unwrap();
    let original = store.terminal.receipt_doc(&committed).unwrap().render_text(42);
    assert!(!original.contains("COPY"));
    // The entry's seq and the first 8 hex characters of its signature.
    let conn = rusqlite::Connection::open(store.path().join(pos_terminal::db::DB_FILE)).unwrap();
    let signature: Vec<u8> =
        conn.query_row("SELECT signature FROM journal WHERE seq = ?1", [committed.seq.0], |r| r.get(0)).unwrap();
    let stamp = format!("Entry {}", committed.seq.0);
    assert!(
        original.contains(&stamp) && original.contains(&format!("signature {}", hex::encode(&signature[..4]))),
        "{original}"
    );
    let receipt = &committed.record.receipt_no;
    let first = store.terminal.reprint(&cashier, receipt).unwrap().render_text(42);
    assert_eq!(first.matches("*** COPY 1 ***").count(), 2, "{first}");
    assert!(first.contains(&format!("COPY 1 of receipt {receipt}")) && first.contains(&stamp), "{first}");
    assert!(first.contains("Crème fraîche épaisse 20cl"), "{first}");
    let second = store.terminal.reprint(&cashier, receipt).unwrap().render_text(42);
    assert!(second.contains(&format!("COPY 2 of receipt {receipt}")), "{second}");
    let reprints: Vec<String> = conn
        .prepare("SELECT payload FROM journal WHERE kind = 'receipt_reprinted' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|p| String::from_utf8(p.unwrap()).unwrap())
        .collect();
    assert_eq!(reprints.len(), 2, "each reprint is journaled");
    assert!(reprints[1].contains(r#""copy":2"#) && reprints[1].contains(r#""by":"Camille""#), "{}", reprints[1]);
    let before = store.terminal.verify_journal().unwrap();
    assert!(store.terminal.reprint(&cashier, &"S01-T01-000099".parse().unwrap()).is_err());
    assert_eq!(store.terminal.verify_journal().unwrap(), before, "an unknown receipt journals nothing");
}
