//! Head office restored from an older backup: its database gets a new
//! epoch, every till notices, forgets what it pulled (a price changed
//! since, an order whose number is reissued) and pulls the restored picture
//! whole; what the till sold since the backup goes up again (head office
//! flags the till that was ahead); a cursor head office never issued is
//! refused, not answered with an empty page.

use pos_tests::cli_ok as ok;
use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, enroll_till_cli, head_office};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn price(till: &std::path::Path, sku: &str) -> String {
    let found = json(&ok(till, &["--json", "catalog", "search", sku]));
    found[0]["price"].as_str().unwrap().to_string()
}

fn central(db: &HqDb, sku: &str) -> String {
    let rows = json(&admin_ok(db, &["--json", "stock", "--store", "S01"]));
    let row = rows.as_array().unwrap().iter().find(|r| r["sku"] == sku).cloned().unwrap_or_default();
    row["on_hand"].as_str().unwrap_or("0").to_string()
}

/// Head office takes a phone order for `customer`; the till sells `sold`
/// loaves of BAK0004 and syncs.
fn order_sell_sync(db: &HqDb, till: &std::path::Path, customer: &str, sold: &str) {
    let order = ["order", "create", "--channel", "phone", "--store", "S01", "--customer-name", customer];
    admin_ok(db, &[&order[..], &["--line", "BAK0004=1"]].concat());
    ok(till, &pos_tests::as_cashier(&["sell", "--item", &format!("BAK0004*{sold}"), "--pay", "cash:5"]));
    ok(till, &["sync", "--once"]);
}

#[test]
fn a_restored_head_office_is_pulled_again_and_gets_back_what_it_lost() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::sqlite(work.path());
    head_office(&db);
    let mut server = ServerProcess::start(&db);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    ok(&till, &pos_tests::as_manager(&["receive", "--ref", "opening", "--item", "BAK0004*10"]));
    ok(&till, &["sync", "--once"]);
    let backup = work.path().join("backup.sqlite");
    admin_ok(&db, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(admin_refused_text(&db, &["backup", "--out", backup.to_str().unwrap()]).contains("exists already"));

    // After the backup: a new price, an order, and a sale that syncs.
    admin_ok(&db, &["price", "set", "BAK0004", "0.99"]);
    order_sell_sync(&db, &till, "Lost Order", "3");
    assert_eq!(price(&till, "BAK0004"), "0.99");
    assert!(ok(&till, &["order", "list"]).contains("Lost Order"));
    assert_eq!(central(&db, "BAK0004"), "7");

    // Head office loses its disk and comes back from the backup.
    server.kill();
    let restored = admin_ok(&db, &["restore", "--from", backup.to_str().unwrap()]);
    assert!(restored.contains("pulls everything again"), "{restored}");
    let server = ServerProcess::start_on(&db, server.url.trim_start_matches("http://"));
    assert_eq!(central(&db, "BAK0004"), "10", "the backup does not know the sale");
    order_sell_sync(&db, &till, "New Order", "1");
    assert_eq!(price(&till, "BAK0004"), "0.91", "the restored price, not the lost one");
    let orders = ok(&till, &["order", "list"]);
    assert!(orders.contains("New Order") && !orders.contains("Lost Order"), "ORD-000001 is the new one: {orders}");
    assert_eq!(central(&db, "BAK0004"), "6", "both sales reached head office again, once");
    assert!(ok(&till, &["--json", "sync", "--status"]).contains("\"pending\": 0"));
    let flags = admin_ok(&db, &["flags"]);
    assert!(flags.contains("head office holds only up to"), "{flags}");
    drop(server);
}

fn admin_refused_text(db: &HqDb, args: &[&str]) -> String {
    pos_tests::head_office::admin_refused(db, args)
}

#[test]
fn a_backup_that_is_not_a_head_office_database_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::sqlite(work.path());
    head_office(&db);
    let junk = work.path().join("junk.sqlite");
    std::fs::write(&junk, b"not a database").unwrap();
    let before = admin_ok(&db, &["--json", "stock"]);
    let refused = pos_tests::head_office::admin_refused(&db, &["restore", "--from", junk.to_str().unwrap()]);
    assert!(refused.contains("is not a head-office database"), "{refused}");
    assert_eq!(admin_ok(&db, &["--json", "stock"]), before, "nothing changed");
    // A mistyped path, or the database itself, never replaces it.
    let typo = work.path().join("nope.sqlite");
    let refused = pos_tests::head_office::admin_refused(&db, &["restore", "--from", typo.to_str().unwrap()]);
    assert!(refused.contains("is not a file: nothing was changed"), "{refused}");
    assert!(!typo.exists(), "no empty database made in its place");
    let itself = pos_tests::head_office::admin_refused(&db, &["restore", "--from", db.address()]);
    assert!(itself.contains("is the database itself"), "{itself}");
    assert_eq!(admin_ok(&db, &["--json", "stock"]), before, "nothing changed");
}

/// Sells `count` loaves of bread at `till`, one sale each.
fn sell_loaves(till: &std::path::Path, count: usize) {
    for _ in 0..count {
        ok(till, &pos_tests::as_cashier(&["sell", "--item", "BAK0004", "--pay", "cash:5"]));
    }
}

#[test]
fn after_a_restore_every_till_sends_again_what_head_office_lost_at_its_next_sync() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let mut server = ServerProcess::start(&db);
    let tills = [work.path().join("till-1"), work.path().join("till-2")];
    for till in &tills {
        enroll_till_cli(&db, &server.url, "S01", till);
        sell_loaves(till, 2);
        ok(till, &["sync", "--once"]);
    }
    let backup = work.path().join("backup");
    db.back_up(&backup);
    // The hour the backup does not hold: more sales, all synced.
    sell_loaves(&tills[0], 3);
    sell_loaves(&tills[1], 1);
    for till in &tills {
        ok(till, &["sync", "--once"]);
    }

    server.kill();
    db.restore(&backup);
    let server = ServerProcess::start_on(&db, server.url.trim_start_matches("http://"));
    let unheard = db.count("SELECT COUNT(*) FROM terminals WHERE pending_entries IS NULL", &[]);
    assert_eq!(unheard, 2, "no till is complete until it says so again after a restore");
    // No new sale: the next sync alone sends again what was lost.
    assert!(ok(&tills[0], &["sync", "--once"]).contains("3 entries pushed"));
    assert!(ok(&tills[1], &["sync", "--once"]).contains("1 entries pushed"));
    assert_eq!(db.count("SELECT COUNT(*) FROM sales", &[]), 8, "head office holds every sale again, once");
    assert_eq!(central(&db, "BAK0004"), "-8");
    let complete = db.count("SELECT COUNT(*) FROM terminals WHERE pending_entries = 0", &[]);
    assert_eq!(complete, 2, "each till said it holds nothing more");
    // A second pass finds nothing missing and sends nothing.
    assert!(ok(&tills[0], &["sync", "--once"]).contains("0 entries pushed"));
    drop(server);
}

#[test]
fn a_restore_is_refused_while_a_server_serves_the_database() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::sqlite(work.path());
    head_office(&db);
    let mut server = ServerProcess::start(&db);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    let backup = work.path().join("backup.sqlite");
    db.back_up(&backup);
    sell_loaves(&till, 2);
    ok(&till, &["sync", "--once"]);

    let refused = admin_refused_text(&db, &["restore", "--from", backup.to_str().unwrap()]);
    assert!(refused.contains("stop every `pos-sync-server serve`"), "{refused}");
    assert!(ok(&till, &["sync", "--once"]).contains("Synced"), "the server serves on, its database untouched");
    assert_eq!(db.count("SELECT COUNT(*) FROM sales", &[]), 2, "nothing acknowledged was lost");

    server.kill();
    admin_ok(&db, &["restore", "--from", backup.to_str().unwrap()]);
}

#[test]
fn tills_head_office_lost_in_a_restore_are_recognised_again_and_send_everything() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let mut server = ServerProcess::start(&db);
    let renewed = work.path().join("till-1");
    enroll_till_cli(&db, &server.url, "S01", &renewed);
    sell_loaves(&renewed, 1);
    ok(&renewed, &["sync", "--once"]);
    let backup = work.path().join("backup");
    db.back_up(&backup);
    // After the backup: the first till renews its token; a second till is
    // added, enrolled and sells.
    ok(&renewed, &["token", "renew"]);
    sell_loaves(&renewed, 2);
    ok(&renewed, &["sync", "--once"]);
    let added = work.path().join("till-2");
    enroll_till_cli(&db, &server.url, "S01", &added);
    sell_loaves(&added, 3);
    ok(&added, &["sync", "--once"]);

    server.kill();
    db.restore(&backup);
    let server = ServerProcess::start_on(&db, server.url.trim_start_matches("http://"));
    // The renewed token is unknown to the restored database: the till
    // proves who it is with its key and sends what was lost, at once.
    assert!(ok(&renewed, &["sync", "--once"]).contains("2 entries pushed"));
    // The added till is unknown whole: the till says what a person does.
    let lost = pos_tests::cli_refused(&added, &["sync", "--once"]);
    assert!(lost.contains("head office does not know S01-T02") && lost.contains("terminal add --id S01-T02"), "{lost}");
    assert!(ok(&added, &["sync", "--status"]).contains("terminal add --id S01-T02"), "the status says it too");
    let recreated = admin_ok(&db, &["--json", "terminal", "add", "--id", "S01-T02", "--name", "Caisse 2"]);
    let code = json(&recreated)["enrollment_code"].as_str().unwrap().to_string();
    assert!(admin_refused_text(&db, &["terminal", "add", "--id", "S01-T02", "--name", "Caisse 2"]).contains("exists"));
    // A code for another till is refused without being spent.
    let other = pos_tests::head_office::new_terminal_code(&db, "S01", "Caisse 3");
    let wrong = pos_tests::cli_refused(&added, &["enroll", "--server", &server.url, "--code", &other]);
    assert!(wrong.contains("this code is for S01-T03, and this till is S01-T02"), "{wrong}");
    let enrolled = ok(&added, &["enroll", "--server", &server.url, "--code", &code]);
    assert!(enrolled.contains("Enrolled as S01-T02"), "{enrolled}");
    assert_eq!(db.count("SELECT COUNT(*) FROM sales", &[]), 6, "head office holds every sale again, once");
    assert_eq!(central(&db, "BAK0004"), "-6");
    assert!(ok(&added, &["--json", "sync", "--status"]).contains("\"pending\": 0"));
    // The code for the third till still works, for a new device.
    let third = work.path().join("till-3");
    assert!(ok(&third, &["enroll", "--server", &server.url, "--code", &other]).contains("Enrolled as S01-T03"));
    drop(server);
}
