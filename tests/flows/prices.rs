//! Prices set by head office's rules at the counter: each promotion kind
//! and a customer group's price list worked through by hand, printed with
//! the promotion on its line; and the whole path through the real
//! binaries (lists, promotions and coupons defined at head office, pulled
//! by tills, sold offline, counted and flagged back at head office).

use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use chrono::TimeZone;
use pos_shared::barcode::gs1_check_digit;
use pos_shared::pricing::rules::PROMOTION_COLUMNS;
use pos_shared::protocol::{CatalogPage, PROTOCOL_VERSION, WireCustomer, WireListPrice, WirePriceList, WirePromotion};
use pos_terminal::{Cart, Terminal};
use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, admin_refused, enroll_till_cli, head_office};
use pos_tests::week::WeekClock;
use pos_tests::{as_cashier, cli, cli_ok as ok, tenders};
use rust_decimal::Decimal;

use crate::printing::{print, store_with_printer};

/// A promotion row from `column=value` pairs, the rest empty.
fn promotion(pairs: &[(&str, &str)]) -> WirePromotion {
    let fields = PROMOTION_COLUMNS
        .iter()
        .map(|c| pairs.iter().find(|p| p.0 == *c).map_or(String::new(), |p| p.1.to_string()))
        .collect();
    WirePromotion { fields }
}

/// Head office's rules, as a till pulls them with the catalog.
pub(crate) fn rules_page() -> CatalogPage {
    CatalogPage {
        protocol_version: PROTOCOL_VERSION,
        products: Vec::new(),
        users: Vec::new(),
        customers: vec![WireCustomer {
            code: "C000001".into(),
            name: "Bistrot du Coin".into(),
            email: None,
            phone: None,
            group: Some("trade".into()),
            ..WireCustomer::default()
        }],
        price_lists: vec![WirePriceList {
            name: "Trade".into(),
            store: None,
            group: Some("trade".into()),
            from: None,
            to: None,
        }],
        list_prices: vec![
            WireListPrice { list: "Trade".into(), sku: "BAK0001".into(), min_qty: "1".into(), price: "4.00".into() },
            WireListPrice { list: "Trade".into(), sku: "BAK0001".into(), min_qty: "10".into(), price: "3.80".into() },
        ],
        promotions: vec![
            promotion(&[
                ("code", "CROISS3"),
                ("name", "Croissants 3 for 2"),
                ("kind", "buy_get"),
                ("products", "BAK0007"),
                ("buy", "2"),
                ("get", "1"),
            ]),
            promotion(&[
                ("code", "LAIT3"),
                ("name", "Any 3 milks for 15.00"),
                ("kind", "mix_match"),
                ("products", "DAI0001|DAI0002"),
                ("qty", "3"),
                ("price", "15.00"),
            ]),
            promotion(&[
                ("code", "GOUTER"),
                ("name", "Bakery -20% 17-19h"),
                ("kind", "percent_off"),
                ("categories", "Boulangerie"),
                ("percent", "20"),
                ("days", "mon-fri"),
                ("hours", "17:00-19:00"),
            ]),
            promotion(&[
                ("code", "VIN2"),
                ("name", "Bordeaux 2022: 2.00 off"),
                ("kind", "amount_off"),
                ("products", "WIN0002"),
                ("amount", "2.00"),
            ]),
            promotion(&[
                ("code", "PANIER10"),
                ("name", "10% off above 50.00"),
                ("kind", "basket"),
                ("percent", "10"),
                ("min_total", "50.00"),
            ]),
            promotion(&[
                ("code", "BIENVENUE"),
                ("name", "Welcome: 5.00 off"),
                ("kind", "basket"),
                ("amount", "5.00"),
                ("coupon", "BIENVENUE"),
                ("uses", "1"),
            ]),
        ],
        packs: Vec::new(),
        next_cursor: 0,
        more: false,
    }
}

/// Tuesday 1 December 2026 at 17:30 here.
fn tuesday_tea_time() -> i64 {
    chrono::Local.with_ymd_and_hms(2026, 12, 1, 17, 30, 0).single().expect("a local time").timestamp_millis()
}

/// Sells `items` (CODE or CODE*QTY) with a customer and coupons, paying
/// the total by card.
fn sell(t: &mut Terminal, items: &[&str], customer: Option<&str>, coupons: &[&str]) {
    let cashier = t.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    let mut cart = Cart::default();
    for item in items {
        let (code, qty) = item.split_once('*').map_or((*item, None), |(c, q)| (c, Some(q.parse::<Decimal>().unwrap())));
        t.add_item(&mut cart, code, qty).unwrap();
    }
    if let Some(customer) = customer {
        t.attach_customer(&mut cart, customer).unwrap();
    }
    for coupon in coupons {
        t.add_coupon(&mut cart, coupon).unwrap();
    }
    let total = t.cart_totals(&cart).unwrap().total;
    t.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{total}")])).unwrap();
}

#[test]
fn each_promotion_kind_worked_by_hand_prints_on_its_line() {
    let (mut store, printer) = store_with_printer();
    let clock = WeekClock(Arc::new(AtomicI64::new(tuesday_tea_time())));
    store.terminal = Terminal::open_with_clock(store.path(), Box::new(clock)).unwrap();
    store.terminal.apply_catalog_page(&rules_page()).unwrap();
    let t = &mut store.terminal;
    // Its own day on the clock of a Tuesday: a session opened now may be
    // more than 24 hours old then.
    let manager = t.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    let not_counted = pos_terminal::session::CashCount::NotCounted("a new day for the test".into());
    t.z_report(&manager, &not_counted, None).unwrap();
    t.open_session(&manager, "100".parse().unwrap()).unwrap();
    print(t, &printer);

    // Croissants 4.15 x3 = 12.45, the third free: 8.30.
    sell(t, &["BAK0007*3"], None, &[]);
    insta::assert_snapshot!("buy_two_get_one", print(t, &printer));
    // Milk 8.06 + 5.61 x2 = 19.28 for 15.00: 4.28 off, split by price
    // (1.79 and 1.25 + 1.24).
    sell(t, &["DAI0002", "DAI0001*2"], None, &[]);
    insta::assert_snapshot!("mix_and_match", print(t, &printer));
    // Pain de campagne 0.91 x5 = 4.55 at 17:30 on a Tuesday: 20 %, 0.91 off.
    sell(t, &["BAK0004*5"], None, &[]);
    insta::assert_snapshot!("happy_hour_percent_off", print(t, &printer));
    // Bordeaux 2022 6.76 x2, 2.00 off each: 9.52.
    sell(t, &["WIN0002*2"], None, &[]);
    insta::assert_snapshot!("amount_off", print(t, &printer));
    // Bordeaux rouge 19.22 x3 = 57.66, above 50.00: 10 % is 5.766, 5.77.
    sell(t, &["WIN0001*3"], None, &[]);
    insta::assert_snapshot!("basket_threshold", print(t, &printer));
    // Baguette 4.87 (20 % off at this hour: 0.97, 3.90 left) + milk 5.61:
    // the coupon's 5.00 split over 9.51 by amount: 2.05 and 2.95. 4.51.
    sell(t, &["BAK0001", "DAI0001"], None, &["bienvenue"]);
    insta::assert_snapshot!("coupon", print(t, &printer));
    // A trade customer: baguettes at the trade list's 3.80 from ten (and
    // the bakery's 17-19h promotion on top): 38.00 less 7.60.
    sell(t, &["BAK0001*10"], Some("C000001"), &[]);
    insta::assert_snapshot!("trade_price_list", print(t, &printer));

    let cashier = t.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    let mut cart = Cart::default();
    t.add_item(&mut cart, "BAK0001", None).unwrap();
    let refused = t.add_coupon(&mut cart, "BIENVENUE").unwrap_err().to_string();
    assert!(refused.contains("used here already"), "a single-use coupon works once per till: {refused}");
    let unknown = t.add_coupon(&mut cart, "FREEBIE").unwrap_err().to_string();
    assert!(unknown.contains("no promotion takes coupon “FREEBIE”"), "{unknown}");
    assert!(cart.coupons.is_empty(), "a refused coupon changes nothing");
    t.void_cart(&cashier, cart).unwrap();
    let verified = t.verify_journal().expect("what was journaled is what is on disk");
    assert_eq!(verified.sales, 7);
}

#[test]
fn trade_prices_promotions_and_a_coupon_spent_twice_offline_through_the_binaries() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);

    // Bad input is refused, says why, and changes nothing.
    let refused = admin_refused(&db, &["pricelist", "price", "Trade", "BAK0001", "4.00"]);
    assert!(refused.contains("no price list `Trade`"), "{refused}");
    let file = work.path().join("promotions.csv");
    let header = PROMOTION_COLUMNS.join(",");
    std::fs::write(&file, format!("{header}\nOK1,Fine,percent_off,BAK0001,,,,10,,,,,,,,,,,\nP2,Typo,percent_of,BAK0001,,,,10,,,,,,,,,,,\nP3,Ghost,percent_off,NOPE999,,,,10,,,,,,,,,,,\n")).unwrap();
    let refused = admin_refused(&db, &["promo", "import", file.to_str().unwrap()]);
    assert!(refused.contains("line 3: kind “percent_of”"), "{refused}");
    assert_eq!(admin_ok(&db, &["promo", "list"]), "", "a bad file imports nothing");
    std::fs::write(&file, format!("{header}\nP3,Ghost,percent_off,NOPE999,,,,10,,,,,,,,,,,\n")).unwrap();
    let refused = admin_refused(&db, &["promo", "import", file.to_str().unwrap()]);
    assert!(refused.contains("P3: no product NOPE999"), "{refused}");

    admin_ok(&db, &["pricelist", "add", "Trade", "--group", "Trade"]);
    admin_ok(&db, &["pricelist", "price", "Trade", "BAK0001", "4.00"]);
    admin_ok(&db, &["pricelist", "price", "Trade", "3602850684422", "3.80", "--min-qty", "10"]);
    let added = admin_ok(&db, &["customer", "add", "--name", "Bistrot du Coin", "--group", "trade"]);
    assert!(added.contains("C000001"), "{added}");
    std::fs::write(
        &file,
        format!(
            "{header}\nCROISS3,Croissants 3 for 2,buy_get,BAK0007,,2,1,,,,,,,,,,,,\n\
             BIENVENUE,Welcome: 5.00 off,basket,,,,,,5.00,,,,,,,,bienvenue,1,\n"
        ),
    )
    .unwrap();
    assert_eq!(admin_ok(&db, &["promo", "import", file.to_str().unwrap()]), "Imported 2 promotions\n");

    let (first, second) = (work.path().join("till1"), work.path().join("till2"));
    enroll_till_cli(&db, &server.url, "S01", &first);
    enroll_till_cli(&db, &server.url, "S02", &second);
    let trade =
        ok(&first, &as_cashier(&["sell", "--item", "BAK0001*10", "--customer", "Bistrot", "--pay", "card:38.00"]));
    assert!(trade.contains("10 x 3.80") && trade.contains("Trade price"), "the trade list from ten: {trade}");
    let walk_in = ok(&first, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "card:4.87"]));
    assert!(walk_in.contains("4.87") && !walk_in.contains("Trade"), "{walk_in}");
    // The same single-use coupon at two stores, both offline: 12.45, a
    // croissant free (4.15), the coupon 5.00: 3.30.
    for till in [&first, &second] {
        let sold =
            ok(till, &as_cashier(&["sell", "--item", "BAK0007*3", "--coupon", "BIENVENUE", "--pay", "card:3.30"]));
        assert!(sold.contains("Croissants 3 for 2") && sold.contains("Welcome: 5.00 off"), "{sold}");
    }
    let again = cli(&first, &as_cashier(&["sell", "--item", "BAK0007", "--coupon", "BIENVENUE", "--pay", "card:0"]));
    assert!(String::from_utf8_lossy(&again.stderr).contains("used here already"), "{again:?}");
    ok(&first, &["sync", "--once"]);
    ok(&second, &["sync", "--once"]);

    let flags = admin_ok(&db, &["flags"]);
    assert!(flags.contains("coupon BIENVENUE of promotion BIENVENUE used 2 times, 1 allowed"), "{flags}");
    let list: serde_json::Value = serde_json::from_str(&admin_ok(&db, &["--json", "promo", "list"])).unwrap();
    let row = |code: &str| list.as_array().unwrap().iter().find(|p| p["code"] == code).cloned().unwrap();
    assert_eq!((row("CROISS3")["lines"].as_u64(), row("CROISS3")["discount"].as_str()), (Some(2), Some("8.30")));
    assert_eq!(
        (row("BIENVENUE")["coupon_uses"].as_u64(), row("BIENVENUE")["discount"].as_str()),
        (Some(2), Some("10.00"))
    );
    let text = admin_ok(&db, &["promo", "list"]);
    assert!(text.contains("coupon BIENVENUE used 2/1"), "{text}");
}

#[test]
fn a_case_of_twelve_is_sold_bought_and_received_in_units() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let case = format!("376000000001{}", gs1_check_digit("376000000001"));
    let json = |text: String| -> serde_json::Value { serde_json::from_str(&text).unwrap() };

    for (args, says) in [
        (vec!["pack", "add", "BAK0007", "--qty", "1"], "more than one unit"),
        (vec!["pack", "add", "BAK0007", "--qty", "12", "--barcode", "3602850684422"], "already belongs to BAK0001"),
        (vec!["pack", "add", "BAK0007", "--qty", "12", "--barcode", "3760000000010"], "check digit"),
        (vec!["pack", "add", "NOPE999", "--qty", "12"], "unknown product"),
    ] {
        let refused = admin_refused(&db, &args);
        assert!(refused.contains(says), "{args:?}: {refused}");
    }
    admin_ok(&db, &["pack", "add", "BAK0007", "--qty", "12", "--barcode", &case, "--price", "40.00"]);
    admin_ok(&db, &["supplier", "add", "--name", "Moulin"]);
    let refused = admin_refused(&db, &["supplier", "assign", "Moulin", "BAK0007", "--pack", "2.5"]);
    assert!(refused.contains("whole number above 1"), "{refused}");
    admin_ok(&db, &["supplier", "assign", "Moulin", "BAK0007", "--pack", "12", "--pack-cost", "30.00"]);
    // Five asked for: a whole case of twelve.
    let po = json(admin_ok(
        &db,
        &["--json", "po", "create", "--supplier", "Moulin", "--store", "S01", "--line", "BAK0007=5@2.40"],
    ));
    assert_eq!((po["lines"][0]["qty"].as_str(), po["lines"][0]["cost"].as_str()), (Some("12"), Some("2.40")));

    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    let number = po["number"].as_str().unwrap();
    ok(&till, &as_cashier(&["receive", "--po", number, "--item", &format!("{case}*1")]));
    ok(&till, &as_cashier(&["receive", "--ref", "BL-7", "--item", &format!("{case}*2")]));
    let stock = ok(&till, &["stock", "BAK0007"]);
    assert!(stock.contains("36"), "a case received is twelve croissants: {stock}");
    let sold = ok(&till, &as_cashier(&["sell", "--item", &case, "--pay", "card:40.00"]));
    assert!(sold.contains("1 x pack of 12 @ 40.00") && sold.contains("40.00"), "{sold}");
    let stock = ok(&till, &["stock", "BAK0007"]);
    assert!(stock.contains("24"), "a case sold is twelve croissants: {stock}");
    ok(&till, &["sync", "--once"]);

    // Head office: 24 on hand, reorder up to 40: 16 short, suggested and
    // drafted in whole cases (24), at the case's 30.00 / 12 a unit.
    admin_ok(&db, &["reorder", "set", "BAK0007", "--store", "S01", "--point", "30", "--up-to", "40"]);
    let suggested = json(admin_ok(&db, &["--json", "report", "reorder", "--store", "S01"]));
    let row = suggested.as_array().unwrap().iter().find(|r| r["sku"] == "BAK0007").cloned().unwrap();
    assert_eq!((row["suggested"].as_str(), row["pack"].as_str()), (Some("24"), Some("12")), "{row}");
    let drafts = json(admin_ok(&db, &["--json", "po", "draft-from-reorder", "--store", "S01"]));
    let line = &drafts[0]["lines"][0];
    assert_eq!(
        (line["sku"].as_str(), line["qty"].as_str(), line["cost"].as_str()),
        (Some("BAK0007"), Some("24"), Some("2.50")),
        "{drafts}"
    );
}
