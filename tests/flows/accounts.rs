//! Customer accounts and gift cards through the real binaries: a trade
//! customer buying on account past the limit while offline, head office's
//! statement and flag; a gift card sold at one store, spent at another
//! offline and at the first, and a card spent twice offline flagged.

use std::path::Path;

use pos_shared::journal::Credit;
use pos_shared::money::Money;
use pos_shared::protocol::{PROTOCOL_VERSION, StockSnapshot, WireBalance, WireCustomer};
use pos_shared::tender::{CardUse, TenderKind};
use pos_terminal::returns::{ReturnItem, ReturnRequest};
use pos_terminal::{Cart, Terminal};
use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, admin_refused, enroll_till_cli, head_office};
use pos_tests::{as_cashier, as_manager, cli, cli_ok as ok, cli_refused as refused, tenders};

use crate::printing::print;

/// Head office's server goes away: the till's next sync fails, so it
/// counts itself offline. Returns the address to start it on again.
fn go_offline(server: &mut ServerProcess, tills: &[&Path]) -> String {
    let address = server.url.trim_start_matches("http://").to_string();
    server.kill();
    for till in tills {
        assert!(!cli(till, &["sync", "--once"]).status.success(), "no server to sync with");
    }
    address
}

/// The server back on its address, and every till synced.
fn back_online(server: &mut ServerProcess, address: &str, tills: &[&Path]) {
    *server = ServerProcess::start_on(server.db(), address);
    for till in tills {
        ok(till, &["sync", "--once"]);
    }
}

#[test]
fn a_trade_customer_buys_on_account_past_the_limit_offline_and_head_office_flags_it() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let mut server = ServerProcess::start(&db);
    admin_ok(&db, &["pricelist", "add", "Trade", "--group", "trade"]);
    admin_ok(&db, &["pricelist", "price", "Trade", "BAK0001", "3.80"]);
    let add = ["customer", "add", "--name", "Bistrot du Coin", "--group", "trade"];
    for (bad, why) in [
        (&["--credit-limit=-5"][..], "cannot be negative"),
        (&["--credit-limit", "lots"][..], "credit limit lots"),
        (&["--vat", "FR 12"][..], "VAT number FR 12"),
        (&["--terms", "400"][..], "0 to 365 days"),
    ] {
        let said = admin_refused(&db, &[&add[..], bad].concat());
        assert!(said.contains(why), "{bad:?}: {said}");
    }
    assert!(admin_refused(&db, &["customer", "statement", "C000001"]).contains("no customer C000001"));
    let account = [
        "--credit-limit",
        "100.00",
        "--terms",
        "30",
        "--vat",
        "FR40303265045",
        "--address",
        "12 rue Oberkampf, 75011 Paris",
    ];
    let added = admin_ok(&db, &[&add[..], &account[..]].concat());
    assert!(added.contains("C000001"), "a refused customer took no code: {added}");
    assert!(admin_refused(&db, &["customer", "account", "C000099", "--credit-limit", "5"]).contains("no customer"));

    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    ok(&till, &["sync", "--once"]);
    let sold =
        ok(&till, &as_cashier(&["sell", "--item", "BAK0001*10", "--customer", "C000001", "--pay", "account:38.00"]));
    for says in ["INVOICE INV-S01-T01-000001", "Bistrot du Coin", "75011 Paris", "FR40303265045", "in 30 days"] {
        assert!(sold.contains(says), "{says}: {sold}");
    }
    assert!(sold.contains("Trade price") && sold.contains("On account") && sold.contains("38.00"), "{sold}");
    let shown = ok(&till, &["account", "show", "C000001"]);
    assert!(shown.contains("owes 38.00 of a 100.00 limit; 62.00 more"), "{shown}");
    let over = ["sell", "--item", "BAK0001*20", "--customer", "C000001", "--pay", "account:76.00"];
    let said = refused(&till, &as_cashier(&over));
    assert!(said.contains("at most 62.00 more on account") && !said.contains("offline"), "online, the limit: {said}");
    let walk_in = refused(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "account:4.87"]));
    assert!(walk_in.contains("attach the customer"), "{walk_in}");

    // Offline, the allowance (20 % of 100.00) lets it reach 120.00, not more.
    let address = go_offline(&mut server, &[&till]);
    let sold = ok(&till, &as_cashier(&over));
    assert!(sold.contains("INV-S01-T01-000002"), "the invoice series has no gap: {sold}");
    let said =
        refused(&till, &as_cashier(&["sell", "--item", "BAK0001*2", "--customer", "C000001", "--pay", "account:7.60"]));
    assert!(said.contains("at most 6.00 more on account while offline"), "{said}");
    let paid =
        ok(&till, &as_cashier(&["account", "pay", "--customer", "C000001", "--amount", "50", "--pay", "cash:60"]));
    for says in ["PAYMENT ON ACCOUNT", "Change", "10.00", "Still owed", "64.00"] {
        assert!(paid.contains(says), "{says}: {paid}");
    }
    let x = ok(&till, &as_manager(&["report", "x"]));
    assert!(x.contains("Gift cards, payments on account") && x.contains("50.00"), "{x}");
    back_online(&mut server, &address, &[&till]);

    let flags = admin_ok(&db, &["flags"]);
    assert!(
        flags.contains("customer C000001 owes 114.00 after receipt") && flags.contains("14.00 beyond the 100.00"),
        "{flags}"
    );
    let statement = admin_ok(&db, &["customer", "statement", "C000001"]);
    for says in [
        "Statement of C000001 Bistrot du Coin",
        "Credit limit 100.00, pay within 30 days",
        "sale on account",
        "FLAG:",
        "payment",
        "Owed 64.00",
    ] {
        assert!(statement.contains(says), "{says}: {statement}");
    }
    let after = admin_ok(&db, &["customer", "pay", "C000001", "64.00", "--reference", "transfer 2026-12"]);
    assert!(after.contains("owes 0.00"), "{after}");
    assert!(admin_refused(&db, &["customer", "pay", "C000001", "0", "--reference", "x"]).contains("more than zero"));
    ok(&till, &["sync", "--once"]);
    let shown = ok(&till, &["account", "show", "C000001"]);
    assert!(
        shown.contains("owes 0.00 of a 100.00 limit; 100.00 more"),
        "head office's payment reached the till: {shown}"
    );
}

#[test]
fn a_gift_card_sold_at_one_store_is_spent_offline_at_another_and_a_double_spend_is_flagged() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let mut server = ServerProcess::start(&db);
    let (a, b) = (work.path().join("paris"), work.path().join("lyon"));
    enroll_till_cli(&db, &server.url, "S01", &a);
    enroll_till_cli(&db, &server.url, "S02", &b);

    for (bad, why) in [
        (vec!["--card", "GC-1", "--amount", "50", "--pay", "cash:50"], "4 to 32 letters or digits"),
        (vec!["--card", "GC12345678", "--amount", "0", "--pay", "cash:50"], "more than zero"),
        (vec!["--card", "GC12345678", "--amount", "50", "--pay", "cash:40"], "short payment"),
        (vec!["--card", "GC12345678", "--amount", "50", "--pay", "account:50"], "not credit"),
    ] {
        let said = refused(&a, &as_cashier(&[&["giftcard", "sell"][..], &bad].concat()));
        assert!(said.contains(why), "{bad:?}: {said}");
    }
    let sold = ok(&a, &as_cashier(&["giftcard", "sell", "--card", "GC12345678", "--amount", "50", "--pay", "cash:50"]));
    assert!(sold.contains("GIFT CARD") && sold.contains("Card ****5678") && sold.contains("Card balance"), "{sold}");
    assert!(refused(&b, &["giftcard", "balance", "GC12345678"]).contains("not known here"));
    ok(&a, &["sync", "--once"]);
    ok(&b, &["sync", "--once"]);
    assert!(ok(&b, &["giftcard", "balance", "GC12345678"]).contains("holds 50.00"));

    // Lyon offline: at most the day's offline limit per card, within what it holds.
    let address = go_offline(&mut server, &[&a, &b]);
    ok(&b, &as_manager(&["settings", "set", "giftcard-offline-limit", "20"]));
    let half = ["sell", "--item", "BAK0001*5", "--pay", "giftcard:GC12345678:24.35"];
    assert!(refused(&b, &as_cashier(&half)).contains("may pay at most 20.00 a day here"));
    ok(&b, &as_manager(&["settings", "set", "giftcard-offline-limit", "50"]));
    let spent = ok(&b, &as_cashier(&half));
    assert!(spent.contains("Gift card ****5678") && spent.contains("24.35"), "{spent}");
    let more = refused(&b, &as_cashier(&["sell", "--item", "BAK0001*6", "--pay", "giftcard:GC12345678:29.22"]));
    assert!(more.contains("holds 25.65, not 29.22"), "{more}");
    assert!(ok(&b, &["giftcard", "balance", "GC12345678"]).contains("holds 25.65 (offline"));
    back_online(&mut server, &address, &[&b, &a]);

    // The rest at Paris: 24.35 on the card, then 1.30 of it and cash.
    assert!(ok(&a, &["giftcard", "balance", "GC12345678"]).contains("holds 25.65"));
    ok(&a, &as_cashier(&["sell", "--item", "BAK0001*5", "--pay", "giftcard:GC12345678:24.35"]));
    ok(&a, &as_cashier(&["sell", "--item", "BAK0007", "--pay", "giftcard:GC12345678:1.30", "--pay", "cash:2.85"]));
    ok(&a, &["sync", "--once"]);
    let card = admin_ok(&db, &["giftcard", "show", "GC12345678"]);
    assert!(card.contains("sold") && card.contains("spent") && card.ends_with("Balance 0.00\n"), "{card}");
    assert!(!card.contains("FLAG"), "{card}");

    // A 20.00 card both stores know, spent whole at each while offline.
    ok(&a, &as_cashier(&["giftcard", "sell", "--card", "GC00000002", "--amount", "20", "--pay", "card:20"]));
    ok(&a, &["sync", "--once"]);
    ok(&b, &["sync", "--once"]);
    let address = go_offline(&mut server, &[&a, &b]);
    for till in [&a, &b] {
        ok(till, &as_cashier(&["sell", "--item", "BAK0001*4", "--pay", "giftcard:GC00000002:19.48"]));
    }
    back_online(&mut server, &address, &[&a, &b]);
    let flags = admin_ok(&db, &["flags"]);
    assert!(flags.contains("gift card ****0002 spent 18.96 beyond its balance"), "{flags}");
    let card = admin_ok(&db, &["giftcard", "show", "GC00000002"]);
    assert!(card.contains("FLAG: gift card ****0002") && card.ends_with("Balance -18.96\n"), "{card}");
    ok(&a, &["sync", "--once"]);
    let held = ok(&a, &["giftcard", "balance", "GC00000002"]);
    assert!(held.contains("holds -18.96"), "never silently right: {held}");

    // Paris's books: the cards sold are owed to their holders, what they paid is taken off.
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let books = admin_ok(&db, &["--json", "report", "accounting", "--store", "S01", "--date", &today]);
    let books: serde_json::Value = serde_json::from_str(&books).unwrap();
    assert_eq!(books["balanced"], true, "{books}");
    let on = |label: &str| -> Money {
        let lines =
            books["journal"].as_array().unwrap().iter().filter(|l| l["account"] == "4196" && l["label"] == label);
        lines
            .map(|l| {
                l["debit"].as_str().unwrap().parse::<Money>().unwrap() - l["credit"].as_str().unwrap().parse().unwrap()
            })
            .sum()
    };
    assert_eq!(on("gift cards sold"), Money::from_minor(-70_00), "50.00 and 20.00 sold");
    assert_eq!(on("takings giftcard"), Money::from_minor(45_13), "24.35 + 1.30 + 19.48 spent at Paris");

    // A price changed at head office: the till's next sync says labels are due.
    admin_ok(&db, &["price", "set", "DAI0001", "5.99"]);
    let synced = ok(&a, &["sync", "--once"]);
    assert!(synced.contains("shelf labels due: pos-terminal labels print --changed"), "{synced}");
    assert!(ok(&a, &["labels", "due"]).contains("DAI0001\t5.99"));
}

/// The demo store with a business customer who has an account, and a gift
/// card head office knows, as a till's pull and snapshot bring them.
fn store_with_credit() -> (pos_tests::Store, pos_tests::virtual_printer::VirtualPrinter) {
    let (mut store, printer) = crate::printing::store_with_printer();
    let mut page = crate::prices::rules_page();
    (page.promotions, page.price_lists, page.list_prices) = (Vec::new(), Vec::new(), Vec::new());
    page.customers = vec![WireCustomer {
        code: "C000300".into(),
        name: "Bistrot du Coin".into(),
        credit_limit: Some(Money::from_minor(10_000)),
        terms_days: Some(30),
        vat_number: Some("FR40303265045".into()),
        address: Some("12 rue Oberkampf, 75011 Paris".into()),
        ..WireCustomer::default()
    }];
    store.terminal.apply_catalog_page(&page).unwrap();
    let snapshot = StockSnapshot {
        protocol_version: PROTOCOL_VERSION,
        store: "S01".into(),
        through_seq: 0,
        items: Vec::new(),
        accounts: vec![WireBalance { code: "C000300".into(), balance: Money::from_minor(20_00) }],
        gift_cards: vec![WireBalance { code: "GC12345678".into(), balance: Money::from_minor(30_00) }],
        held: Vec::new(),
        certificates: Vec::new(),
    };
    store.terminal.apply_stock_snapshot(&snapshot).unwrap();
    (store, printer)
}

#[test]
fn invoices_gift_cards_payments_on_account_and_store_credit_print_and_add_up() {
    let (mut store, printer) = store_with_credit();
    let cashier = store.cashier();
    let t = &mut store.terminal;
    let card = |code: &str, minor| CardUse { card: code.into(), amount: Money::from_minor(minor) };

    // Baguettes 4.87 x4 = 19.48: 10.00 from the card, the rest on account.
    let mut cart = Cart::default();
    t.add_item(&mut cart, "BAK0001", Some(4.into())).unwrap();
    t.attach_customer(&mut cart, "C000300").unwrap();
    let sold = t.commit_sale_paid(&cashier, &cart, &tenders(&["account:9.48"]), &[card("GC12345678", 10_00)]).unwrap();
    assert_eq!(sold.record.invoice.as_ref().map(|i| i.number.as_str()), Some("INV-S01-T01-000001"));
    insta::assert_snapshot!("invoice_paid_by_card_and_on_account", print(t, &printer));

    // Bad payments are refused and write nothing.
    let seq = t.verify_journal().unwrap().entries;
    for (pay, cards, why) in [
        (vec!["account:75.00"], vec![], "at most 70.52 more on account"),
        (vec![], vec![card("GC12345678", 20_01)], "holds 20.00, not 20.01"),
        (vec!["cash:9.48"], vec![card("GC12345678", 5_00), card("GC12345678", 15_01)], "holds 20.00, not 20.01"),
        (vec![], vec![card("GC99999999", 19_48)], "not known here"),
    ] {
        let said = t.commit_sale_paid(&cashier, &cart, &tenders(&pay), &cards).unwrap_err().to_string();
        assert!(said.contains(why), "{pay:?} {cards:?}: {said}");
    }
    let mut walk_in = Cart::default();
    t.add_item(&mut walk_in, "BAK0001", None).unwrap();
    let said = t.commit_sale_paid(&cashier, &walk_in, &tenders(&["account:4.87"]), &[]).unwrap_err().to_string();
    assert!(said.contains("attach the customer"), "{said}");
    let gift = t.sell_credit(&cashier, Credit::GiftCard("GC-1".into()), Money::from_minor(100), &tenders(&["cash:1"]));
    assert!(gift.unwrap_err().to_string().contains("4 to 32 letters or digits"));
    let paid_by_credit =
        t.sell_credit(&cashier, Credit::Account("C000300".into()), Money::from_minor(100), &tenders(&["account:1"]));
    assert!(paid_by_credit.unwrap_err().to_string().contains("not credit"));
    assert_eq!(t.verify_journal().unwrap().entries, seq, "nothing refused was journaled");

    // A new card sold for cash, and 25.00 paid on account by card.
    let new_card = t
        .sell_credit(&cashier, Credit::GiftCard("GC00000042".into()), Money::from_minor(25_00), &tenders(&["cash:30"]))
        .unwrap();
    assert_eq!(new_card.balance, Money::from_minor(25_00));
    insta::assert_snapshot!("gift_card_sold", print(t, &printer));
    t.sell_credit(&cashier, Credit::Account("C000300".into()), Money::from_minor(25_00), &tenders(&["card:25"]))
        .unwrap();
    insta::assert_snapshot!("payment_on_account", print(t, &printer));
    assert_eq!(t.account("C000300").unwrap().unwrap().owed, Money::from_minor(4_48), "20.00 + 9.48 - 25.00");

    // Two baguettes back: to the account (the sale's first tender), then to store credit.
    let manager = t.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    let item = || ReturnItem { code: "BAK0001".into(), line: None, qty: Some(1.into()) };
    let receipt = Some(sold.record.receipt_no.clone());
    let back = t
        .commit_return(&manager, ReturnRequest { original: receipt.clone(), items: vec![item()], ..Default::default() })
        .unwrap();
    let kinds: Vec<TenderKind> = back.record.payments.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [TenderKind::Account], "the refund goes back to what paid first");
    assert!(back.record.gift_cards.is_empty());
    assert_eq!(t.account("C000300").unwrap().unwrap().owed, Money::from_minor(-39), "4.48 - 4.87: in credit");
    let credit = ReturnRequest {
        original: receipt,
        items: vec![item()],
        store_credit: Some("GC00000042".into()),
        ..Default::default()
    };
    t.commit_return(&manager, credit).unwrap();
    let held = |t: &Terminal, code: &str| t.known_balance(&Credit::GiftCard(code.into())).unwrap();
    assert_eq!(held(t, "GC12345678"), Some(Money::from_minor(20_00)), "30.00 - 10.00");
    assert_eq!(held(t, "GC00000042"), Some(Money::from_minor(29_87)), "25.00 + 4.87 of store credit");
    let x = t.x_report().unwrap();
    assert_eq!(x.credit_sold, Money::from_minor(50_00));
    let cash = x.tenders.iter().find(|l| l.kind == TenderKind::Cash).unwrap();
    assert_eq!(cash.expected, Money::from_minor(12_500), "the 100.00 float and the card sold for 25.00");
    assert!(t.verify_journal().is_ok());
}
