//! Head office and terminal through their real binaries: enroll, a price
//! change and a new product reach the counter after one `sync`, and the
//! sales come back in head office's reports.

use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, head_office, new_terminal_code};
use pos_tests::{cli, cli_ok as ok};

#[test]
fn price_change_and_new_product_reach_the_counter_after_one_sync() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let till = work.path().join("till");
    let code = new_terminal_code(&db, "S01", "Caisse 1");
    let enrolled = ok(&till, &["enroll", "--server", &server.url, "--code", &code]);
    assert!(enrolled.contains("Enrolled as S01-T01 of Paris Halles"), "{enrolled}");
    let reused = cli(&work.path().join("other"), &["enroll", "--server", &server.url, "--code", &code]);
    assert!(!reused.status.success(), "an enrollment code works once");
    ok(&till, &pos_tests::as_manager(&["session", "open", "--float", "100"]));
    let before = ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0001", "--pay", "card:4.87"]));
    assert!(before.contains("4.87"), "{before}");

    admin_ok(&db, &["price", "set", "BAK0001", "0.99"]);
    admin_ok(&db, &["customer", "add", "--name", "Café de Flore", "--email", "compta@example.org"]);
    let new_product = work.path().join("new.csv");
    std::fs::write(&new_product, "sku,name,price,barcode,tax_rate\nNEW0001,Galette bretonne,3.50,4006381333931,5.5\n")
        .unwrap();
    admin_ok(&db, &["catalog", "import", new_product.to_str().unwrap()]);
    let unknown = cli(&till, &pos_tests::as_cashier(&["sell", "--item", "4006381333931", "--pay", "cash:5"]));
    assert!(!unknown.status.success(), "not known before the sync");

    let synced = ok(&till, &["sync", "--once"]);
    assert!(synced.contains("2 products pulled"), "{synced}");
    let after = ok(
        &till,
        &pos_tests::as_cashier(&[
            "sell",
            "--item",
            "BAK0001",
            "--item",
            "4006381333931",
            "--customer",
            "flore",
            "--pay",
            "cash:10",
        ]),
    );
    assert!(
        after.contains("Customer                           C000001"),
        "customers come down with the catalog: {after}"
    );
    assert!(after.contains("Baguette tradition                    0.99"), "{after}");
    assert!(after.contains("Galette bretonne                      3.50"), "{after}");
    ok(&till, &["sync", "--once"]);
    let status: serde_json::Value = serde_json::from_str(&ok(&till, &["--json", "sync", "--status"])).unwrap();
    assert_eq!(status["pending"], 0);

    let report: serde_json::Value =
        serde_json::from_str(&admin_ok(&db, &["--json", "report", "sales", "--by", "product"])).unwrap();
    let bread = report.as_array().unwrap().iter().find(|r| r["key"].as_str().unwrap().starts_with("BAK0001")).unwrap();
    assert_eq!((bread["quantity"].as_str(), bread["gross"].as_str()), (Some("2"), Some("5.86")));
    let csv = admin_ok(&db, &["report", "sales", "--by", "cashier", "--csv"]);
    assert!(csv.starts_with("key,receipts,quantity,net,gross\nCamille,2,"), "{csv}");
    let oversold: serde_json::Value = serde_json::from_str(&admin_ok(&db, &["--json", "report", "oversold"])).unwrap();
    assert!(oversold.as_array().unwrap().iter().any(|r| r["sku"] == "NEW0001" && r["on_hand"] == "-1"), "{oversold}");
    let stock = admin_ok(&db, &["stock", "--store", "S01"]);
    assert!(stock.contains("S01\tBAK0001\t-2\tBaguette tradition\tOVERSOLD"), "{stock}");
}
