//! A store's clock: its days and hours are its own local time, whichever
//! process counts them (here, a report run with `TZ=Pacific/Auckland` for
//! a store in Asia/Kolkata, UTC+05:30 the year round).

use chrono::{FixedOffset, TimeZone};
use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, admin_refused, enroll_till_cli, head_office};
use pos_tests::{as_cashier, cli_ok};
use serde_json::Value;

/// `pos-sync-server --json ARGS` run as a process in Auckland.
fn in_auckland(db: &HqDb, args: &[&str]) -> Value {
    let out = std::process::Command::new(pos_tests::binary("pos-sync-server"))
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .env("TZ", "Pacific/Auckland")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_stores_days_and_hours_are_its_own_whichever_process_counts_them() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let refused = admin_refused(&db, &["store", "add", "--name", "Olympus", "--time-zone", "Mars/Olympus"]);
    assert!(refused.contains("not one of the IANA database"), "{refused}");
    admin_ok(&db, &["store", "add", "--name", "Mumbai", "--time-zone", "Asia/Kolkata"]);
    let stores = admin_ok(&db, &["store", "list"]);
    assert!(stores.contains("S03\tMumbai") && stores.contains("Asia/Kolkata"), "{stores}");
    assert!(!stores.contains("Olympus"), "the refused store was not added: {stores}");

    let server = ServerProcess::start(&db);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S03", &till);
    cli_ok(&till, &as_cashier(&["sell", "--item", "BAK0004", "--pay", "cash:5"]));
    cli_ok(&till, &["sync", "--once"]);
    let at_ms: i64 = db.query("SELECT at_ms FROM sales", &[])[0].get(0).unwrap();
    let kolkata = FixedOffset::east_opt(5 * 3600 + 1800).unwrap().timestamp_millis_opt(at_ms).unwrap();
    let (day, hour) = (kolkata.format("%Y-%m-%d").to_string(), kolkata.format("%H:00").to_string());

    let by_hour = in_auckland(&db, &["report", "sales", "--by", "hour"]);
    assert_eq!(by_hour[0]["key"], hour.as_str(), "the store's hour, not Auckland's: {by_hour}");
    let by_day = in_auckland(&db, &["report", "sales", "--by", "day"]);
    assert_eq!(by_day[0]["key"], day.as_str(), "the store's day: {by_day}");
    let books = in_auckland(&db, &["report", "accounting", "--store", "S03", "--date", &day]);
    assert_eq!(books["figures"]["tenders"][0]["amount"], "0.91", "the sale is in the store's day's books: {books}");
    drop(server);
}
