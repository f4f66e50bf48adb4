//! Customer accounts and gift cards through the real binaries: a trade
//! customer buying on account past the limit while offline, head office's
//! statement and flag; a gift card sold at one store, spent at another
//! offline and at the first, and a card spent twice offline flagged.

use std::path::Path;

use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, admin_refused, enroll_till_cli, head_office};
use pos_tests::{as_cashier, as_manager, cli, cli_ok as ok, cli_refused as refused};

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
    assert!(sold.contains("GIFT CARD") && sold.contains("Card …5678") && sold.contains("Card balance"), "{sold}");
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
    assert!(spent.contains("Gift card …5678") && spent.contains("24.35"), "{spent}");
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
    assert!(flags.contains("gift card …0002 spent 18.96 beyond its balance"), "{flags}");
    let card = admin_ok(&db, &["giftcard", "show", "GC00000002"]);
    assert!(card.contains("FLAG: gift card …0002") && card.ends_with("Balance -18.96\n"), "{card}");
    ok(&a, &["sync", "--once"]);
    let held = ok(&a, &["giftcard", "balance", "GC00000002"]);
    assert!(held.contains("holds -18.96"), "never silently right: {held}");
}
