//! Head office's reports on a fixed dataset, checked against figures worked
//! out by hand: two stores, sales with a customer and a sale discount, a
//! return, synced by two tills; then margin, top customers, stock
//! valuation, returns rate, low stock and sales by category through the
//! real `pos-sync-server report` command, as JSON and CSV.

use pos_shared::pricing::Discount;
use pos_shared::quantity::Quantity;
use pos_terminal::returns::{ReturnItem, ReturnRequest};
use pos_terminal::{Cart, Terminal};
use pos_tests::head_office::{ServerProcess, admin_ok, client, enrolled_terminal, head_office};
use pos_tests::tenders;
use serde_json::Value;

use crate::sync::runtime;

fn report(db: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["--json", "report"];
    all.extend_from_slice(args);
    serde_json::from_str(&admin_ok(db, &all)).unwrap()
}

fn row<'a>(rows: &'a Value, key: &str, value: &str) -> &'a Value {
    rows.as_array().unwrap().iter().find(|r| r[key] == value).unwrap_or_else(|| panic!("no {key}={value} in {rows}"))
}

fn receive(till: &mut Terminal, lines: &[(&str, i64)]) {
    let manager = till.login(pos_tests::MANAGER_PIN).unwrap();
    let lines: Vec<(String, Quantity)> =
        lines.iter().map(|(s, q)| (s.to_string(), Quantity::from_milli(q * 1000))).collect();
    till.receive_stock(&manager, "BL-1", &lines).unwrap();
}

fn sync(till: &mut Terminal) {
    let sync = client(till);
    runtime().block_on(pos_terminal::sync::run::sync_once(till, &sync)).unwrap();
}

#[test]
fn report_figures_match_the_hand_worked_dataset() {
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("server.sqlite");
    head_office(&db);
    admin_ok(&db, &["customer", "add", "--name", "Café de Flore"]);
    let server = ServerProcess::start(&db);
    let mut paris = enrolled_terminal(&db, &server.url, "S01", &work.path().join("paris"));
    let mut lyon = enrolled_terminal(&db, &server.url, "S02", &work.path().join("lyon"));
    receive(&mut paris, &[("BAK0004", 20), ("WIN0003", 6)]);
    receive(&mut lyon, &[("HYG0001", 10)]);
    let manager = paris.login(pos_tests::MANAGER_PIN).unwrap();

    // Paris 1: 10 x Pain de campagne 0.91 for the café: 9.10, tax 5.5 % inside 0.47, net 8.63.
    let mut cart = Cart::default();
    paris.add_item(&mut cart, "BAK0004", Some(10.into())).unwrap();
    paris.attach_customer(&mut cart, "C000001").unwrap();
    paris.commit_sale(&manager, &cart, &tenders(&["cash:10"])).unwrap();
    // Paris 2: 2 x Bordeaux 31.42 = 62.84, 10 % off (6.28): 56.56, tax 20 % inside 9.43, net 47.13.
    let mut cart = Cart::default();
    paris.add_item(&mut cart, "WIN0003", Some(2.into())).unwrap();
    paris.attach_customer(&mut cart, "C000001").unwrap();
    paris.set_sale_discount(&manager, &mut cart, Some("10%".parse::<Discount>().unwrap()), None).unwrap();
    let wine = paris.commit_sale(&manager, &cart, &tenders(&["card:56.56"])).unwrap();
    // One bottle comes back: 28.28 refunded with half the line's recorded tax
    // (9.43 / 2 = 4.715, half-up 4.72): net 23.56, so the wine nets 47.13 - 23.56.
    let request = ReturnRequest {
        original: Some(wine.record.receipt_no.clone()),
        items: vec![ReturnItem { code: "WIN0003".into(), qty: Some(1.into()) }],
        damaged: false,
        refund_to: None,
        approver_pin: None,
    };
    assert_eq!(paris.commit_return(&manager, request).unwrap().record.total.to_string(), "28.28");
    // Lyon: 4 x Savon 1.32 = 5.28, tax 20 % inside 0.88, net 4.40, no customer.
    let cashier = lyon.login(pos_tests::CASHIER_PIN).unwrap();
    let mut cart = Cart::default();
    lyon.add_item(&mut cart, "HYG0001", Some(4.into())).unwrap();
    lyon.commit_sale(&cashier, &cart, &tenders(&["card:5.28"])).unwrap();
    // Paris closes the day one euro short: 100 float + 9.10 cash expected, 108.10 counted.
    paris.z_report(&manager, &tenders(&["cash:108.10"]), None).unwrap();
    sync(&mut paris);
    sync(&mut lyon);

    // Margin at catalog cost (0.52, 14.72, 0.84 a piece).
    let margin = report(&db, &["margin", "--weak-below", "25"]);
    let bread = row(&margin, "sku", "BAK0004");
    assert_eq!(
        (bread["net"].as_str(), bread["cost"].as_str(), bread["margin"].as_str()),
        (Some("8.63"), Some("5.20"), Some("3.43"))
    );
    assert_eq!((bread["margin_percent"].as_str(), bread["weak"].as_bool()), (Some("39.7"), Some(false)));
    let wine = row(&margin, "sku", "WIN0003");
    assert_eq!(
        (wine["quantity"].as_str(), wine["net"].as_str(), wine["margin"].as_str()),
        (Some("1"), Some("23.57"), Some("8.85"))
    );
    assert_eq!(wine["margin_percent"], "37.5");
    let soap = row(&margin, "sku", "HYG0001");
    assert_eq!(
        (soap["margin"].as_str(), soap["margin_percent"].as_str(), soap["weak"].as_bool()),
        (Some("1.04"), Some("23.6"), Some(true))
    );

    let customers = report(&db, &["customers"]);
    assert_eq!(customers.as_array().unwrap().len(), 1, "the walk-in sale has no customer");
    assert_eq!((customers[0]["code"].as_str(), customers[0]["receipts"].as_u64()), (Some("C000001"), Some(3)));
    assert_eq!(customers[0]["gross"], "37.38", "9.10 + 56.56 - 28.28");

    let value = report(&db, &["valuation"]);
    assert_eq!(row(&value, "sku", "BAK0004")["value"], "5.20", "10 left at 0.52");
    assert_eq!(row(&value, "sku", "WIN0003")["value"], "73.60", "5 left at 14.72");
    assert_eq!(row(&value, "sku", "HYG0001")["value"], "5.04", "6 left at 0.84");
    let returns = report(&db, &["returns"]);
    assert_eq!((returns[0]["sku"].as_str(), returns[0]["rate_percent"].as_str()), (Some("WIN0003"), Some("50.0")));
    let low = report(&db, &["low-stock"]);
    let low_skus: Vec<&str> = low.as_array().unwrap().iter().map(|r| r["sku"].as_str().unwrap()).collect();
    assert_eq!(low_skus, ["BAK0004", "WIN0003"], "10 <= 12 and 5 <= 30 at S01; 6 > 5 soaps at S02: {low}");
    let by_category = admin_ok(&db, &["report", "sales", "--by", "category", "--csv"]);
    assert!(by_category.contains("\nBoulangerie,1,10,8.63,9.10\n"), "{by_category}");
    assert!(by_category.contains("\nVins & spiritueux,2,1,23.57,28.28\n"), "{by_category}");
    let margin_csv = admin_ok(&db, &["report", "margin", "--csv"]);
    assert!(margin_csv.starts_with("sku,name,quantity,net,cost,margin,margin_percent,weak\n"), "{margin_csv}");
    let today = report(&db, &["sales", "--by", "day"])[0]["key"].as_str().unwrap().to_string();
    let day = report(&db, &["accounting", "--store", "S01", "--date", &today]);
    let figures = &day["figures"];
    let bands: Vec<(&str, &str)> = figures["taxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["base"].as_str().unwrap(), b["tax"].as_str().unwrap()))
        .collect();
    assert_eq!(bands, [("8.63", "0.47"), ("23.57", "4.71")], "net of the return, per rate");
    let takings: Vec<(&str, &str)> = figures["tenders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["kind"].as_str().unwrap(), t["amount"].as_str().unwrap()))
        .collect();
    assert_eq!(takings, [("card", "28.28"), ("cash", "9.10")], "the refund went back to the card");
    assert_eq!((figures["refunds"].as_str(), figures["cash_variance"].as_str()), (Some("28.28"), Some("-1.00")));
    assert_eq!((figures["cost_of_goods"].as_str(), figures["deliveries"].as_str()), (Some("19.92"), Some("98.72")));
    assert_eq!(day["stock_value_change"], "78.80", "the same as the valuation: 5.20 + 73.60");
    assert_eq!(day["balanced"], true);
    let accounts = work.path().join("accounts.toml");
    std::fs::write(&accounts, "cash = \"5300\"\n[sales_by_rate]\n\"5.5\" = \"70711\"\n").unwrap();
    let csv = admin_ok(
        &db,
        &[
            "report",
            "accounting",
            "--store",
            "S01",
            "--date",
            &today,
            "--accounts",
            accounts.to_str().unwrap(),
            "--csv",
        ],
    );
    assert!(csv.starts_with("date,store,account,label,debit,credit\n"), "{csv}");
    for line in [
        "5300,takings cash,9.10,0.00",
        "70711,sales 5.5%,0.00,8.63",
        "707,sales 20%,0.00,23.57",
        "6588,cash variance,1.00,0.00",
    ] {
        assert!(csv.contains(&format!("{today},S01,{line}\n")), "{line} in {csv}");
    }
    let (debit, credit) = csv.lines().skip(1).fold((0i64, 0i64), |(d, c), line| {
        let cells: Vec<&str> = line.split(',').collect();
        let minor = |s: &str| s.replace('.', "").parse::<i64>().unwrap();
        (d + minor(cells[4]), c + minor(cells[5]))
    });
    assert_eq!((debit, credit), (15702, 15702), "the exported lines balance: 157.02 each side");
    std::fs::write(&accounts, "cassh = \"5300\"\n").unwrap();
    let typo = pos_tests::head_office::admin(
        &db,
        &["report", "accounting", "--store", "S01", "--date", &today, "--accounts", accounts.to_str().unwrap()],
    );
    assert!(String::from_utf8_lossy(&typo.stderr).contains("is not an accounts file"));
    // The same reports over HTTP, for a spreadsheet: only with a head-office key.
    let key: Value = serde_json::from_str(&admin_ok(&db, &["--json", "office", "key", "finance"])).unwrap();
    let key = key["key"].as_str().unwrap().to_string();
    let channel: Value = serde_json::from_str(&admin_ok(&db, &["--json", "channel", "key", "web"])).unwrap();
    let get = |path: &str, token: &str| {
        runtime().block_on(async {
            let response = reqwest::Client::new()
                .get(format!("{}/v1/reports/{path}", server.url))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        })
    };
    let (status, csv) = get("margin?format=csv&weak_below=25", &key);
    assert_eq!(status, 200);
    assert!(csv.starts_with("sku,name,quantity,net,cost,margin,margin_percent,weak\n"), "{csv}");
    assert!(csv.contains("HYG0001,Savon de Marseille,4,4.40,3.36,1.04,23.6,true\n"), "{csv}");
    let (status, body) = get(&format!("accounting?store=S01&date={today}"), &key);
    assert_eq!((status, serde_json::from_str::<Value>(&body).unwrap()["balanced"].clone()), (200, Value::Bool(true)));
    assert_eq!(get("sales?by=category", channel["key"].as_str().unwrap()).0, 401, "a channel key reads no reports");
    assert_eq!(get("sales?by=category", "nope").0, 401);
    assert_eq!(get("sales?by=colour", &key).0, 400);
    assert_eq!(get("secrets", &key).0, 404);
    let bad = pos_tests::head_office::admin(&db, &["report", "margin", "--from", "27/11/2026"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("must look like 2026-11-27"));
}
