//! Stock corrections at the counter, through the real binaries: a blind
//! count with a variance while sales go on, adjustments with reason codes
//! that need a manager, and both reaching head office's stock by sync.

use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, enroll_till_cli, head_office};
use pos_tests::{cli_ok as ok, cli_refused};

fn on_hand(till: &std::path::Path, sku: &str) -> String {
    let rows: serde_json::Value = serde_json::from_str(&ok(till, &["--json", "stock", sku])).unwrap();
    rows[0]["on_hand"].as_str().unwrap().to_string()
}

fn refused(till: &std::path::Path, args: &[&str], says: &str) {
    let stderr = cli_refused(till, args);
    assert!(stderr.contains(says), "{args:?}: {stderr}");
}

#[test]
fn a_blind_count_during_live_sales_books_only_the_real_variance() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    ok(&till, &pos_tests::as_manager(&["receive", "--ref", "BL-1", "--item", "BAK0004*48", "--item", "BAK0001*80"]));

    let started: serde_json::Value = serde_json::from_str(&ok(
        &till,
        &pos_tests::as_cashier(&["--json", "count", "start", "--category", "Boulangerie"]),
    ))
    .unwrap();
    let count = started["count"].to_string();
    ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0004*2", "--pay", "cash:5"]));
    let counted = ok(&till, &["count", "add", &count, "--item", "BAK0004*45"]);
    assert!(counted.contains("counted so far 45") && !counted.contains("46"), "blind: {counted}");
    ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0004*3", "--pay", "cash:5"]));
    ok(&till, &["count", "add", &count, "--item", "3602850684422*80"]);
    refused(&till, &["count", "add", &count, "--item", "DAI0013*1"], "not in the category being counted");
    refused(&till, &pos_tests::as_cashier(&["count", "close", &count]), "may not adjust stock");
    assert_eq!(on_hand(&till, "BAK0004"), "43", "a refused close books nothing");

    let closed: serde_json::Value = serde_json::from_str(&ok(
        &till,
        &pos_tests::as_cashier(&["--json", "count", "close", &count, "--manager", "Marie", "--manager-pin", "246810"]),
    ))
    .unwrap();
    let lines = closed["lines"].as_array().unwrap();
    let line = |sku: &str| lines.iter().find(|l| l["sku"] == sku).unwrap().clone();
    assert_eq!((line("BAK0004")["expected"].as_str(), line("BAK0004")["variance"].as_str()), (Some("46"), Some("-1")));
    assert_eq!(line("BAK0001")["variance"], "0");
    assert_eq!(
        on_hand(&till, "BAK0004"),
        "42",
        "48 in, 5 sold, 1 missing: the sales during the count are not variance"
    );
    refused(&till, &pos_tests::as_manager(&["count", "close", &count]), "is closed");

    refused(
        &till,
        &pos_tests::as_cashier(&["adjust", "--reason", "expired", "--item", "BAK0001*2"]),
        "may not adjust stock",
    );
    refused(&till, &pos_tests::as_manager(&["adjust", "--reason", "lost", "--item", "BAK0001*2"]), "must be one of");
    refused(
        &till,
        &pos_tests::as_manager(&["adjust", "--reason", "theft", "--item", "BAK0001*-1"]),
        "positive quantity",
    );
    refused(&till, &pos_tests::as_manager(&["adjust", "--reason", "theft", "--item", "NOPE*1"]), "unknown code");
    assert_eq!(on_hand(&till, "BAK0001"), "80", "refusals change nothing");
    ok(
        &till,
        &pos_tests::as_cashier(&[
            "adjust",
            "--manager",
            "Marie",
            "--manager-pin",
            "246810",
            "--reason",
            "expired",
            "--item",
            "BAK0001*2",
        ]),
    );
    ok(
        &till,
        &pos_tests::as_manager(&["adjust", "--reason", "correction", "--item", "BAK0001*-1", "--note", "miscount"]),
    );
    assert_eq!(on_hand(&till, "BAK0001"), "77");
    assert!(ok(&till, &["journal", "verify"]).starts_with("Journal OK"));

    ok(&till, &["sync", "--once"]);
    let central = admin_ok(&db, &["stock", "--store", "S01"]);
    assert!(central.contains("S01\tBAK0004\t42\t") && central.contains("S01\tBAK0001\t77\t"), "{central}");
}
