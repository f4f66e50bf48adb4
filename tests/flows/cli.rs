//! The README's flows through the real `pos-terminal` binary, and the clear
//! one-line errors that change nothing.

use std::path::Path;
use std::process::Output;

use pos_tests::{barcode, cli, cli_ok as ok};

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(dir, &all)).unwrap()
}

fn entries(dir: &Path) -> u64 {
    json(dir, &["journal", "verify"])["entries"].as_u64().unwrap()
}

/// The demo store, whose till the demo opens.
fn demo_with_session() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["demo"]);
    let again = cli(dir.path(), &pos_tests::as_manager(&["session", "open", "--float", "100.00"]));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("session 1 is already open"), "{stderr}");
    dir
}

#[test]
fn readme_flow_sell_return_report() {
    let dir = demo_with_session();
    let d = dir.path();
    let bread = barcode("BAK0001");
    let receipt = ok(
        d,
        &pos_tests::as_cashier(&[
            "sell",
            "--item",
            &bread,
            "--item",
            "FRU0001*0.350",
            "--item",
            "DAI0001*2",
            "--pay",
            "cash:20.00",
        ]),
    );
    assert!(receipt.contains("RECEIPT S01-T01-000001") && receipt.contains("Change"), "{receipt}");
    assert!(receipt.contains("0.35 kg x"), "{receipt}");

    let sale = json(
        d,
        &pos_tests::as_cashier(&[
            "sell",
            "--item",
            "WIN0001",
            "--discount",
            "5%",
            "--pay",
            "card:10",
            "--pay",
            "cash:50",
        ]),
    );
    assert_eq!(sale["receipt_no"], "S01-T01-000002");
    assert_eq!(sale["payments"][0]["amount"], "10.00");
    let stock_before = json(d, &["stock", "BAK0001"])[0]["on_hand"].as_str().unwrap().to_string();
    let refund = ok(d, &pos_tests::as_cashier(&["return", "--receipt", "S01-T01-000001", "--item", &bread]));
    assert!(refund.contains("RETURN S01-T01-000003") && refund.contains("for receipt S01-T01-000001"), "{refund}");
    let stock_after = json(d, &["stock", "BAK0001"])[0]["on_hand"].as_str().unwrap().to_string();
    assert_eq!(stock_after.parse::<i64>().unwrap(), stock_before.parse::<i64>().unwrap() + 1);

    ok(d, &pos_tests::as_manager(&["cash", "out", "10.00", "--reason", "float to safe"]));
    let x = json(d, &pos_tests::as_manager(&["report", "x"]));
    assert_eq!(x["kind"], "X");
    let z = ok(d, &pos_tests::as_manager(&["report", "z", "--counted", "cash:100.00"]));
    assert!(z.contains("Z REPORT #1") && z.contains("Cash variance"), "{z}");
    let copy = ok(d, &pos_tests::as_cashier(&["reprint", "S01-T01-000001"]));
    assert!(copy.contains("*** COPY 1 ***"));
    assert!(ok(d, &["journal", "verify"]).starts_with("Journal OK"));
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let out: Output = cli(dir, args);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

#[test]
fn bad_input_is_one_clear_line_and_writes_nothing() {
    let dir = demo_with_session();
    let d = dir.path();
    let before = entries(d);
    let bread = barcode("BAK0001");
    let misread = format!("{}{}", &bread[..12], (bread.as_bytes()[12] - b'0' + 1) % 10);
    let sell = |tail: &[&'static str]| pos_tests::as_cashier(&[&["sell"], tail].concat());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (pos_tests::as_cashier(&["sell", "--item", &misread, "--pay", "cash:10"]), "misread barcode"),
        (sell(&["--item", "4006381333931", "--pay", "cash:10"]), "unknown code"),
        (sell(&["--item", "BAK0001", "--pay", "cash:0.10"]), "short payment"),
        (sell(&["--item", "BAK0001*-2", "--pay", "cash:10"]), "more than zero"),
        (sell(&["--item", "BAK0001*100000", "--pay", "cash:10"]), "more than 9999"),
        (sell(&["--item", "BAK0001*1.5", "--pay", "cash:10"]), "whole number"),
        (sell(&["--item", "BAK0001*abc", "--pay", "cash:10"]), "must be a number"),
        (vec!["sell", "--pin", "9999", "--item", "BAK0001", "--pay", "cash:10"], "wrong PIN"),
        (
            vec!["sell", "--user", "Marie", "--pin", "1111", "--item", "BAK0001", "--pay", "cash:10"],
            "at least 6 digits",
        ),
        (vec!["sell", "--user", "Nadia", "--pin", "1111", "--item", "BAK0001", "--pay", "cash:10"], "nobody called"),
        (sell(&["--item", "BAK0001", "--discount", "50%", "--pay", "cash:10"]), "manager must approve"),
        (sell(&["--item", "BAK0001", "--pay", "gold:10"]), "cash, card, other, account or giftcard"),
        (sell(&["--item", "BAK0001", "--pay", "giftcard:10"]), "must look like giftcard:NUMBER:AMOUNT"),
        (sell(&["--item", "BAK0001", "--pay", "giftcard:NOSUCHCARD:4.87"]), "not known here"),
        (sell(&["--item", "BAK0001", "--pay", "account:4.87"]), "attach the customer"),
        (pos_tests::as_cashier(&["return", "--item", "BAK0001"]), "manager must approve"),
        (pos_tests::as_cashier(&["cash", "in", "5", "--reason", "x"]), "manager must approve"),
        (pos_tests::as_cashier(&["report", "z", "--counted", "cash:100"]), "manager must approve"),
        (pos_tests::as_manager(&["report", "z"]), "count the cash in the drawer first"),
        (pos_tests::as_manager(&["report", "z", "--no-count", " "]), "say why"),
        (pos_tests::as_cashier(&["reprint", "S01-T01-999999"]), "no receipt"),
        (pos_tests::as_cashier(&["reprint", "garbage"]), "must look like"),
    ];
    for (args, words) in cases {
        let stderr = fails(d, &args);
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }
    let unnamed = cli(d, &pos_tests::as_cashier(&["sell", "--item", "BAK0001", "--manager-pin", "246810"]));
    let said = String::from_utf8_lossy(&unnamed.stderr);
    assert!(!unnamed.status.success() && said.contains("--manager <MANAGER>"), "who approves must be named: {said}");
    assert_eq!(entries(d), before + 1, "nothing was journaled but the refused PIN, which an auditor must see");
}

#[test]
fn catalog_import_reports_the_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "init",
            "--store",
            "Corner Shop",
            "--terminal",
            "Till 1",
            "--prices-include-tax",
            "false",
            "--currency",
            "USD",
            "--manager-pin",
            "432109",
        ],
    );
    let good = d.join("good.csv");
    std::fs::write(&good, "sku,name,price,barcode,tax_rate\nA1,Apple juice,2.49,036000291452,8.875\n").unwrap();
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "sku,name,price\nB1,Bagel,1.00\nB2,Bun,1.0x\n").unwrap();
    let stderr = fails(d, &["catalog", "import", bad.to_str().unwrap()]);
    assert!(stderr.contains("catalog line 3"), "{stderr}");
    assert!(ok(d, &["catalog", "import", good.to_str().unwrap()]).contains("1 added"));
    assert_eq!(json(d, &["stock"]).as_array().unwrap().len(), 1, "the bad file added nothing");
    ok(d, &["session", "open", "--user", "Manager", "--pin", "432109", "--float", "50"]);
    let receipt = ok(d, &["sell", "--user", "Manager", "--pin", "432109", "--item", "036000291452", "--pay", "cash:3"]);
    assert!(receipt.contains("TOTAL                                 2.71"), "tax added on top: {receipt}");
    fails(d, &["init", "--store", "Again", "--terminal", "T"]);
}

/// Adding staff at the till is a manager's decision: a cashier is refused
/// (and nobody is added) unless a manager approves by name and PIN.
#[test]
fn only_a_manager_adds_staff_at_the_till() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["demo"]);
    let add = |name: &str, pin: &str, actor: &[&str]| {
        let mut args = vec!["user", "add", "--name", name, "--role", "manager", "--new-pin", pin];
        args.extend_from_slice(actor);
        cli(d, &args)
    };
    let as_cashier = ["--user", pos_tests::CASHIER_NAME, "--pin", pos_tests::CASHIER_PIN];
    let refused = add("Mallory", "999999", &as_cashier);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("may not manage users"), "{said}");
    let users = json(d, &["user", "list"]);
    assert!(!users.to_string().contains("Mallory"), "nobody was added: {users}");
    let approved =
        [&as_cashier[..], &["--manager", pos_tests::MANAGER_NAME, "--manager-pin", pos_tests::MANAGER_PIN]].concat();
    assert!(add("Léa", "135791", &approved).status.success());
    let as_manager = ["--user", pos_tests::MANAGER_NAME, "--pin", pos_tests::MANAGER_PIN];
    assert!(add("Luc", "246813", &as_manager).status.success());
    let users = json(d, &["user", "list"]).to_string();
    assert!(users.contains("Léa") && users.contains("Luc"), "{users}");
}
