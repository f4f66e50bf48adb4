//! Goods coming in against a purchase order, through the real binaries:
//! head office orders from a supplier for a store, the till pulls the order,
//! receives part of it (one line short, one over), syncs back; central stock,
//! the order's received quantities and the weighted-average cost follow;
//! the rest arrives later and closes the order. Bad input changes nothing.

use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, admin_refused, enroll_till_cli, head_office};
use pos_tests::{cli_ok as ok, cli_refused};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn unit_cost(db: &HqDb, sku: &str) -> String {
    let rows = json(&admin_ok(db, &["--json", "report", "valuation", "--store", "S01"]));
    let row = rows.as_array().unwrap().iter().find(|r| r["sku"] == sku).unwrap();
    row["unit_cost"].as_str().unwrap().to_string()
}

#[test]
fn a_purchase_order_received_in_parts_updates_stock_and_average_cost() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    admin_ok(&db, &["supplier", "add", "--name", "Moulins Bio", "--lead-days", "3"]);
    let server = ServerProcess::start(&db);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    ok(&till, &pos_tests::as_manager(&["receive", "--ref", "opening", "--item", "BAK0004*10"]));
    ok(&till, &["sync", "--once"]);
    assert_eq!(unit_cost(&db, "BAK0004"), "0.52", "the catalog's cost to begin with");

    for (args, says) in [
        (vec!["--supplier", "Nobody", "--store", "S01", "--line", "BAK0004=1@0.50"], "no supplier `Nobody`"),
        (vec!["--supplier", "Moulins Bio", "--store", "S09", "--line", "BAK0004=1@0.50"], "no store `S09`"),
        (vec!["--supplier", "Moulins Bio", "--store", "S01", "--line", "NOPE=1@0.50"], "unknown product `NOPE`"),
        (vec!["--supplier", "Moulins Bio", "--store", "S01", "--line", "BAK0004=-1@0.50"], "more than zero"),
        (vec!["--supplier", "Moulins Bio", "--store", "S01", "--line", "BAK0004=1"], "SKU=QTY@COST"),
    ] {
        let mut all = vec!["po", "create"];
        all.extend(args);
        let refused = admin_refused(&db, &all);
        assert!(refused.contains(says), "{all:?}: {refused}");
    }
    assert_eq!(json(&admin_ok(&db, &["--json", "po", "list"])).as_array().unwrap().len(), 0, "refusals create nothing");
    let po = json(&admin_ok(
        &db,
        &[
            "--json",
            "po",
            "create",
            "--supplier",
            "Moulins Bio",
            "--store",
            "S01",
            "--line",
            "BAK0004=20@0.50",
            "--line",
            "WIN0003=6@15.00",
        ],
    ));
    let number = po["number"].as_str().unwrap().to_string();

    ok(&till, &["sync", "--once"]);
    assert!(ok(&till, &["po", "list"]).contains(&format!("{number} open from Moulins Bio")));
    assert!(
        cli_refused(&till, &pos_tests::as_manager(&["receive", "--po", &number, "--item", "DAI0013*1"]))
            .contains("is not on PO-"),
        "only ordered goods"
    );
    ok(&till, &pos_tests::as_manager(&["receive", "--po", &number, "--item", "BAK0004*12", "--item", "WIN0003*7"]));
    let here = json(&ok(&till, &["--json", "po", "show", &number]));
    assert_eq!(
        (here["lines"][0]["received"].as_str(), here["lines"][0]["outstanding"].as_str()),
        (Some("12"), Some("8"))
    );
    assert_eq!(here["lines"][1]["outstanding"], "0", "one bottle too many is recorded, nothing is outstanding");

    ok(&till, &["sync", "--once"]);
    let central = json(&admin_ok(&db, &["--json", "po", "show", &number]));
    assert_eq!(central["status"], "partial");
    assert_eq!(
        (central["lines"][0]["received"].as_str(), central["lines"][1]["received"].as_str()),
        (Some("12"), Some("7"))
    );
    let stock = admin_ok(&db, &["stock", "--store", "S01"]);
    assert!(stock.contains("S01\tBAK0004\t22\t") && stock.contains("S01\tWIN0003\t7\t"), "{stock}");
    assert_eq!(unit_cost(&db, "BAK0004"), "0.51", "(10 x 0.52 + 12 x 0.50) / 22 = 0.509");
    assert_eq!(unit_cost(&db, "WIN0003"), "15.00", "none held before: the order's cost");

    ok(&till, &pos_tests::as_manager(&["receive", "--po", &number]));
    assert!(
        cli_refused(&till, &pos_tests::as_manager(&["receive", "--po", &number])).contains("nothing is outstanding")
    );
    ok(&till, &["sync", "--once"]);
    assert_eq!(json(&admin_ok(&db, &["--json", "po", "show", &number]))["status"], "received");
    assert_eq!(unit_cost(&db, "BAK0004"), "0.51", "(22 x 0.51 + 8 x 0.50) / 30 = 0.507");
    assert!(ok(&till, &["po", "list"]).is_empty(), "nothing is expected any more");
    assert!(ok(&till, &["journal", "verify"]).starts_with("Journal OK"));
}

#[test]
fn a_reorder_suggestion_becomes_a_purchase_order_the_till_receives() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    admin_ok(&db, &["supplier", "add", "--name", "Moulins Bio", "--lead-days", "3"]);
    admin_ok(&db, &["supplier", "assign", "Moulins Bio", "BAK0004"]);
    let server = ServerProcess::start(&db);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    ok(&till, &pos_tests::as_manager(&["receive", "--ref", "opening", "--item", "BAK0004*20", "--item", "WIN0003*6"]));
    ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0004*14", "--pay", "cash:20"]));
    ok(&till, &["sync", "--once"]);
    // 14 sold over a 28-day window: 0.5 a day; point 0.5 x (3 + 2) = 2.5 -> 3, 6 on hand: nothing yet.
    let suggestions = || json(&admin_ok(&db, &["--json", "report", "reorder", "--store", "S01"]));
    assert_eq!(suggestions().as_array().unwrap().len(), 0, "{}", suggestions());

    ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0004*4", "--item", "WIN0003*2", "--pay", "cash:70"]));
    admin_ok(&db, &["reorder", "set", "WIN0003", "--store", "S01", "--point", "5", "--up-to", "12"]);
    assert!(
        admin_refused(&db, &["reorder", "set", "WIN0003", "--store", "S01", "--point", "5", "--up-to", "5"])
            .contains("must be above")
    );
    ok(&till, &["sync", "--once"]);
    // 18 sold: 0.643 a day; point ceil(0.643 x 5) = 4, up to 4 + ceil(0.643 x 14 = 9) = 13; 2 on hand: order 11.
    let rows = suggestions();
    let bread = rows.as_array().unwrap().iter().find(|r| r["sku"] == "BAK0004").unwrap();
    assert_eq!((bread["reorder_point"].as_str(), bread["order_up_to"].as_str()), (Some("4"), Some("13")));
    assert_eq!((bread["basis"].as_str(), bread["suggested"].as_str()), (Some("velocity"), Some("11")));
    let wine = rows.as_array().unwrap().iter().find(|r| r["sku"] == "WIN0003").unwrap();
    assert_eq!(
        (wine["basis"].as_str(), wine["suggested"].as_str(), wine["supplier"].as_str()),
        (Some("set"), Some("8"), None)
    );

    let drafts = json(&admin_ok(&db, &["--json", "po", "draft-from-reorder", "--store", "S01"]));
    assert_eq!(drafts.as_array().unwrap().len(), 1, "one supplier, one draft; the wine has no supplier: {drafts}");
    let draft = &drafts[0];
    assert_eq!(
        (draft["status"].as_str(), draft["lines"][0]["qty"].as_str(), draft["lines"][0]["cost"].as_str()),
        (Some("draft"), Some("11"), Some("0.52"))
    );
    let again = json(&admin_ok(&db, &["--json", "po", "draft-from-reorder", "--store", "S01"]));
    assert_eq!(again.as_array().unwrap().len(), 0, "what is on order is not ordered twice");
    let number = draft["number"].as_str().unwrap();
    ok(&till, &["sync", "--once"]);
    assert!(ok(&till, &["po", "list"]).is_empty(), "a draft stays at head office");
    admin_ok(&db, &["po", "send", number]);
    ok(&till, &["sync", "--once"]);
    ok(&till, &pos_tests::as_manager(&["receive", "--po", number]));
    ok(&till, &["sync", "--once"]);
    assert_eq!(json(&admin_ok(&db, &["--json", "po", "show", number]))["status"], "received");
    let after = suggestions();
    assert!(after.as_array().unwrap().iter().all(|r| r["sku"] != "BAK0004"), "13 on hand now: {after}");
}

#[test]
fn a_transfer_leaves_one_store_and_arrives_short_at_the_other() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let (paris, lyon) = (work.path().join("paris"), work.path().join("lyon"));
    enroll_till_cli(&db, &server.url, "S01", &paris);
    enroll_till_cli(&db, &server.url, "S02", &lyon);
    ok(&paris, &pos_tests::as_manager(&["receive", "--ref", "opening", "--item", "BAK0004*10"]));
    ok(&paris, &["sync", "--once"]);
    assert!(
        admin_refused(&db, &["transfer", "create", "--from", "S01", "--to", "S01", "--line", "BAK0004=1"])
            .contains("from one store to another")
    );
    let transfer =
        json(&admin_ok(&db, &["--json", "transfer", "create", "--from", "S01", "--to", "S02", "--line", "BAK0004=6"]));
    let number = transfer["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("TR-"), "{number}");

    ok(&paris, &["sync", "--once"]);
    ok(&lyon, &["sync", "--once"]);
    assert!(cli_refused(&lyon, &pos_tests::as_manager(&["ship", &number])).contains("comes to this store"));
    ok(&paris, &pos_tests::as_manager(&["ship", &number]));
    let local = json(&ok(&paris, &["--json", "po", "show", &number]));
    assert_eq!((local["outgoing"].as_bool(), local["lines"][0]["outstanding"].as_str()), (Some(true), Some("0")));
    ok(&paris, &["sync", "--once"]);
    let moving = json(&admin_ok(&db, &["--json", "po", "show", &number]));
    assert_eq!((moving["status"].as_str(), moving["lines"][0]["shipped"].as_str()), (Some("in-transit"), Some("6")));
    let stock = admin_ok(&db, &["stock"]);
    assert!(stock.contains("S01\tBAK0004\t4\t") && !stock.contains("S02\tBAK0004"), "in transit: {stock}");

    ok(&lyon, &["sync", "--once"]);
    assert!(ok(&lyon, &["po", "list"]).contains(&format!("{number} in-transit from store S01 (to receive)")));
    ok(&lyon, &pos_tests::as_manager(&["receive", "--po", &number, "--item", "BAK0004*5"]));
    ok(&lyon, &["sync", "--once"]);
    let arrived = json(&admin_ok(&db, &["--json", "po", "show", &number]));
    assert_eq!(arrived["status"], "partial", "one loaf went missing on the way");
    assert_eq!(
        (arrived["lines"][0]["shipped"].as_str(), arrived["lines"][0]["received"].as_str()),
        (Some("6"), Some("5"))
    );
    let shown = admin_ok(&db, &["po", "show", &number]);
    assert!(shown.contains("ordered 6\tshipped 6\treceived 5"), "the difference is reported: {shown}");
    let stock = admin_ok(&db, &["stock"]);
    assert!(stock.contains("S01\tBAK0004\t4\t") && stock.contains("S02\tBAK0004\t5\t"), "{stock}");
    assert_eq!(unit_cost(&db, "BAK0004"), "0.52", "moving goods between stores changes no cost");
}
