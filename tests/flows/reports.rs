//! Head office's reports on a fixed dataset, checked against figures worked
//! out by hand: a week at two stores, sales with a customer and a sale
//! discount, a return, a Z report short of cash, synced by two tills; then
//! margin, top customers, stock valuation, returns rate, low stock, sales
//! by category and day, and the accounting export per day through the real
//! `pos-sync-server report` command (JSON and CSV) and the report API.

use pos_shared::pricing::Discount;
use pos_shared::quantity::Quantity;
use pos_terminal::returns::{ReturnItem, ReturnRequest};
use pos_terminal::{Cart, Terminal};
use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, admin_refused, head_office};
use pos_tests::tenders;
use pos_tests::week::{WeekClock, sync, till_on_clock};
use serde_json::Value;

use crate::sync::runtime;

pub(crate) fn report(db: &HqDb, args: &[&str]) -> Value {
    let mut all = vec!["--json", "report"];
    all.extend_from_slice(args);
    serde_json::from_str(&admin_ok(db, &all)).unwrap()
}

pub(crate) fn row<'a>(rows: &'a Value, key: &str, value: &str) -> &'a Value {
    rows.as_array().unwrap().iter().find(|r| r[key] == value).unwrap_or_else(|| panic!("no {key}={value} in {rows}"))
}

pub(crate) fn receive(till: &mut Terminal, lines: &[(&str, i64)]) {
    let manager = till.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    let lines: Vec<(String, Quantity)> =
        lines.iter().map(|(s, q)| (s.to_string(), Quantity::from_milli(q * 1000))).collect();
    till.receive_stock(&manager, "BL-1", &lines).unwrap();
}

#[test]
fn report_figures_match_the_hand_worked_dataset() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    admin_ok(&db, &["customer", "add", "--name", "Café de Flore"]);
    let server = ServerProcess::start(&db);
    let clock = WeekClock::at(16);
    let mut paris = till_on_clock(&db, &server.url, "S01", &work.path().join("paris"), &clock);
    let mut lyon = till_on_clock(&db, &server.url, "S02", &work.path().join("lyon"), &clock);
    receive(&mut paris, &[("BAK0004", 20), ("WIN0003", 6)]);
    receive(&mut lyon, &[("HYG0001", 10)]);
    let manager = paris.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();

    // Monday, Paris: 10 x Pain de campagne 0.91 for the café: 9.10, tax 5.5 % inside 0.47, net 8.63.
    let mut cart = Cart::default();
    paris.add_item(&mut cart, "BAK0004", Some(10.into())).unwrap();
    paris.attach_customer(&mut cart, "C000001").unwrap();
    paris.commit_sale(&manager, &cart, &tenders(&["cash:10"])).unwrap();
    // Wednesday, Paris: 2 x Bordeaux 31.42 = 62.84, 10 % off (6.28): 56.56, tax 20 % inside 9.43, net 47.13.
    clock.set(18);
    let mut cart = Cart::default();
    paris.add_item(&mut cart, "WIN0003", Some(2.into())).unwrap();
    paris.attach_customer(&mut cart, "C000001").unwrap();
    paris.set_sale_discount(&manager, &mut cart, Some("10%".parse::<Discount>().unwrap()), None).unwrap();
    let wine = paris.commit_sale(&manager, &cart, &tenders(&["card:56.56"])).unwrap();
    // Friday, one bottle comes back: 28.28 refunded with half the line's recorded
    // tax (9.43 / 2 = 4.715, half-up 4.72): net 23.56, so the wine nets 47.13 - 23.56.
    clock.set(20);
    let request = ReturnRequest {
        original: Some(wine.record.receipt_no.clone()),
        items: vec![ReturnItem { code: "WIN0003".into(), line: None, qty: Some(1.into()) }],
        damaged: false,
        refund_to: None,
        store_credit: None,
        approver: None,
    };
    assert_eq!(paris.commit_return(&manager, request).unwrap().record.total.to_string(), "28.28");
    // Paris closes Friday one euro short: 100 float + 9.10 cash expected, 108.10 counted.
    paris.z_report(&manager, &pos_terminal::session::CashCount::Counted(tenders(&["cash:108.10"])), None).unwrap();
    // Saturday, Lyon: 4 x Savon 1.32 = 5.28, tax 20 % inside 0.88, net 4.40, no customer.
    clock.set(21);
    let cashier = lyon.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    let mut cart = Cart::default();
    lyon.add_item(&mut cart, "HYG0001", Some(4.into())).unwrap();
    lyon.commit_sale(&cashier, &cart, &tenders(&["card:5.28"])).unwrap();
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
    let by_day = admin_ok(&db, &["report", "sales", "--by", "day", "--csv"]);
    let days: Vec<&str> = by_day.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(days.len(), 4, "Monday, Wednesday, Friday, Saturday: {by_day}");
    let (monday, friday) = (days[0].to_string(), days[2].to_string());
    let early = report(&db, &["margin", "--from", &monday, "--to", days[1]]);
    assert_eq!(row(&early, "sku", "WIN0003")["net"], "47.13", "before the return");
    let early_sales = report(&db, &["sales", "--by", "product", "--from", &monday, "--to", days[1]]);
    let wine_early =
        early_sales.as_array().unwrap().iter().find(|r| r["key"].as_str().unwrap().starts_with("WIN0003")).unwrap();
    assert_eq!((wine_early["quantity"].as_str(), wine_early["gross"].as_str()), (Some("2"), Some("56.56")));
    let late_sales = report(&db, &["sales", "--by", "product", "--from", &friday]);
    let skus: Vec<&str> = late_sales.as_array().unwrap().iter().map(|r| &r["key"].as_str().unwrap()[..7]).collect();
    assert_eq!(skus, ["HYG0001", "WIN0003"], "Friday's return and Saturday's soap only");

    let books = |date: &str| report(&db, &["accounting", "--store", "S01", "--date", date]);
    let pairs = |list: &Value, a: &str, b: &str| -> Vec<(String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|x| (x[a].as_str().unwrap().into(), x[b].as_str().unwrap().into()))
            .collect()
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    let day = books(&monday);
    assert_eq!(pairs(&day["figures"]["taxes"], "base", "tax"), [pair("8.63", "0.47")]);
    assert_eq!(pairs(&day["figures"]["tenders"], "kind", "amount"), [pair("cash", "9.10")]);
    assert_eq!(
        (day["figures"]["cost_of_goods"].as_str(), day["figures"]["deliveries"].as_str()),
        (Some("5.20"), Some("98.72"))
    );
    assert_eq!((day["stock_value_change"].as_str(), day["balanced"].as_bool()), (Some("93.52"), Some(true)));
    let day = books(&friday);
    assert_eq!(pairs(&day["figures"]["taxes"], "base", "tax"), [pair("-23.56", "-4.72")], "a return reverses its sale");
    assert_eq!(pairs(&day["figures"]["tenders"], "kind", "amount"), [pair("card", "-28.28")], "back to the card");
    assert_eq!(
        (day["figures"]["refunds"].as_str(), day["figures"]["cash_variance"].as_str()),
        (Some("28.28"), Some("-1.00"))
    );
    assert_eq!((day["figures"]["cost_of_goods"].as_str(), day["balanced"].as_bool()), (Some("-14.72"), Some(true)));
    let accounts = work.path().join("accounts.toml");
    std::fs::write(&accounts, "cash = \"5300\"\n[sales_by_rate]\n\"5.5\" = \"70711\"\n").unwrap();
    let export = |date: &str| {
        let path = accounts.to_str().unwrap();
        admin_ok(&db, &["report", "accounting", "--store", "S01", "--date", date, "--accounts", path, "--csv"])
    };
    let expected = [
        (monday.as_str(), "5300,takings cash,9.10,0.00", 11302),
        (days[1], "707,sales 20%,0.00,47.13", 8600),
        (friday.as_str(), "6588,cash variance,1.00,0.00", 4400),
    ];
    for (date, line, each_side) in expected {
        let csv = export(date);
        assert!(csv.starts_with("date,store,account,label,debit,credit\n"), "{csv}");
        assert!(csv.contains(&format!("{date},S01,{line}\n")), "{line} in {csv}");
        let (debit, credit) = csv.lines().skip(1).fold((0i64, 0i64), |(d, c), line| {
            let cells: Vec<&str> = line.split(',').collect();
            let minor = |s: &str| s.replace('.', "").parse::<i64>().unwrap();
            (d + minor(cells[4]), c + minor(cells[5]))
        });
        assert_eq!((debit, credit), (each_side, each_side), "{date}: the exported lines balance");
    }
    assert!(export(&monday).contains("70711,sales 5.5%,0.00,8.63"), "account per rate from the file");
    std::fs::write(&accounts, "cassh = \"5300\"\n").unwrap();
    assert!(
        admin_refused(
            &db,
            &["report", "accounting", "--store", "S01", "--date", &friday, "--accounts", accounts.to_str().unwrap()],
        )
        .contains("is not an accounts file")
    );
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
    let (status, body) = get(&format!("accounting?store=S01&date={friday}"), &key);
    assert_eq!((status, serde_json::from_str::<Value>(&body).unwrap()["balanced"].clone()), (200, Value::Bool(true)));
    assert_eq!(get("sales?by=category", channel["key"].as_str().unwrap()).0, 401, "a channel key reads no reports");
    assert_eq!(get("sales?by=category", "nope").0, 401);
    assert_eq!(get("sales?by=colour", &key).0, 400);
    assert_eq!(get("secrets", &key).0, 404);
    // Each report takes only what the API document gives it.
    let (status, said) = get("reorder?by=store", &key);
    assert_eq!(status, 400, "{said}");
    assert!(said.contains("the reorder report takes no `by`: it takes store, window, safety, cover"), "{said}");
    // A NUL byte is a bad request on both databases, never a 500 or a "not found".
    for path in ["low-stock?store=S01%00", "valuation?store=%00", "accounting?store=S%0001&date=2026-11-27"] {
        let (status, said) = get(path, &key);
        assert_eq!(status, 400, "{path}: {said}");
        assert!(said.contains("NUL byte"), "{path}: {said}");
    }
    assert!(admin_refused(&db, &["report", "margin", "--from", "27/11/2026"]).contains("must look like 2026-11-27"));
}

/// A customer named like a spreadsheet formula (from a webshop, say) is
/// text in every CSV: the command line's and the report API's.
#[test]
fn names_that_look_like_formulas_stay_text_in_csv() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let formula = "=HYPERLINK(\"http://evil.example\",\"Click\")";
    admin_ok(&db, &["customer", "add", "--name", formula]);
    let server = ServerProcess::start(&db);
    let clock = WeekClock::at(16);
    let mut till = till_on_clock(&db, &server.url, "S01", &work.path().join("till"), &clock);
    let manager = till.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    let mut cart = Cart::default();
    till.add_item(&mut cart, "BAK0004", Some(2.into())).unwrap();
    till.attach_customer(&mut cart, "C000001").unwrap();
    till.commit_sale(&manager, &cart, &tenders(&["cash:5"])).unwrap();
    sync(&mut till);
    let csv = admin_ok(&db, &["report", "customers", "--csv"]);
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(!csv.lines().any(|l| l.starts_with('=') || l.contains(",=")), "{csv}");
    let key: Value = serde_json::from_str(&admin_ok(&db, &["--json", "office", "key", "finance"])).unwrap();
    let body = runtime().block_on(async {
        reqwest::Client::new()
            .get(format!("{}/v1/reports/customers?format=csv", server.url))
            .bearer_auth(key["key"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert!(body.contains("\"'=HYPERLINK("), "{body}");
}
