//! Orders from every channel, end to end through the real binaries and the
//! HTTP channel API: a webshop order placed twice with one idempotency key
//! makes one order, reserves stock (available-to-promise drops, on-hand
//! does not), syncs to the store's till, is collected in part and then in
//! full offline, and syncs back; a cancelled order is refused at the
//! counter; bad input changes nothing; racing channels never over-promise.

use pos_tests::head_office::{HqDb, ServerProcess, admin, admin_ok, admin_refused, enroll_till_cli, head_office};
use pos_tests::{cli, cli_ok as ok, cli_refused};
use serde_json::{Value, json};

use crate::sync::runtime;

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A channel's API key, issued at head office.
pub fn channel_key(db: &HqDb, name: &str) -> String {
    parse(&admin_ok(db, &["--json", "channel", "key", name]))["key"].as_str().unwrap().to_string()
}

/// Head office's available-to-promise of one product at S01: (on hand, reserved, available).
fn atp(db: &HqDb, sku: &str) -> (String, String, String) {
    let rows = parse(&admin_ok(db, &["--json", "atp", sku, "--store", "S01"]));
    let row = &rows[0];
    let text = |key: &str| row[key].as_str().unwrap().to_string();
    (text("on_hand"), text("reserved"), text("available"))
}

/// The till's own view of one product: (on hand, reserved, available).
fn till_stock(till: &std::path::Path, sku: &str) -> (String, String, String) {
    let rows = parse(&ok(till, &["--json", "stock", sku]));
    let text = |key: &str| rows[0][key].as_str().unwrap().to_string();
    (text("on_hand"), text("reserved"), text("available"))
}

fn strings(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

/// Sends one request to the channel API; returns the status and the JSON body.
pub async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    key: &str,
    idempotency: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http.request(method, url).bearer_auth(key);
    if let Some(idempotency) = idempotency {
        request = request.header("Idempotency-Key", idempotency);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("channel API reachable");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn webshop_order() -> Value {
    json!({
        "customer": { "name": "Zoé Martin", "email": "zoe@example.com" },
        "store": "S01",
        "lines": [ { "sku": "BAK0004", "qty": "4" }, { "sku": "3037413311529", "qty": "1" } ],
        "prepaid": true,
        "by": "webshop checkout"
    })
}

#[test]
fn a_webshop_order_reserves_stock_and_is_collected_in_parts_offline() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let mut server = ServerProcess::start(&db);
    let key = channel_key(&db, "web");
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    ok(&till, &pos_tests::as_manager(&["receive", "--ref", "BL-77", "--item", "BAK0004*10", "--item", "BAK0005*3"]));
    ok(&till, &["sync", "--once"]);
    assert_eq!(atp(&db, "BAK0004"), strings("10", "0", "10"));

    let rt = runtime();
    let http = reqwest::Client::new();
    let orders_url = format!("{}/v1/channel/orders", server.url);
    let place = || {
        rt.block_on(call(
            &http,
            reqwest::Method::POST,
            orders_url.clone(),
            &key,
            Some("cart-81"),
            Some(webshop_order()),
        ))
    };
    let (first, placed) = place();
    assert_eq!(first, 201, "{placed}");
    let (again, replayed) = place();
    assert_eq!(again, 200, "a retry is answered, not refused: {replayed}");
    assert_eq!(replayed["number"], placed["number"], "the same order, not a second one");
    let number = placed["number"].as_str().unwrap().to_string();
    assert_eq!(parse(&admin_ok(&db, &["--json", "order", "list"])).as_array().unwrap().len(), 1);
    assert_eq!((placed["status"].as_str(), placed["total"].as_str()), (Some("confirmed"), Some("9.82")));
    assert_eq!(atp(&db, "BAK0004"), strings("10", "4", "6"), "reserved: available drops, on-hand does not");
    let availability_url = format!("{}/v1/channel/availability?skus=BAK0004,BAK0005&store=S01", server.url);
    let (status, available) = rt.block_on(call(&http, reqwest::Method::GET, availability_url, &key, None, None));
    assert_eq!(status, 200);
    assert_eq!((available[0]["available"].as_str(), available[1]["available"].as_str()), (Some("6"), Some("2")));

    let synced = ok(&till, &["sync", "--once"]);
    assert!(synced.contains("1 orders pulled"), "{synced}");
    assert_eq!(till_stock(&till, "BAK0004"), strings("10", "4", "6"), "the till knows what is promised");
    let warned = cli(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0004*7", "--pay", "cash:10"]));
    let warning = String::from_utf8_lossy(&warned.stderr);
    assert!(warning.contains("only 6 of BAK0004 free here (10 in stock, 4 held for orders)"), "{warning}");
    let listed = ok(&till, &["order", "list", "zoé"]);
    assert!(listed.contains(&number) && listed.contains("prepaid"), "found by customer name: {listed}");

    // Head office goes away: the counter hands the order over anyway.
    server.kill();
    assert!(!cli(&till, &["sync", "--once"]).status.success(), "offline now");
    let part = ok(&till, &pos_tests::as_cashier(&["collect", &number, "--item", "BAK0004*1"]));
    assert!(part.contains(&number) && part.contains("Prepaid                               0.91"), "{part}");
    let left = parse(&ok(&till, &["--json", "order", "show", &number]));
    assert_eq!(left["lines"][0]["remaining"], "3");
    assert_eq!(till_stock(&till, "BAK0004"), strings("2", "3", "-1"), "the hand-over consumes the reservation");
    let over = cli_refused(&till, &pos_tests::as_cashier(&["collect", &number, "--item", "BAK0004*4"]));
    assert!(over.contains("only 3 of BAK0004 left to hand over"));
    let rest = ok(&till, &pos_tests::as_cashier(&["--json", "collect", &number]));
    assert_eq!(parse(&rest)["payments"][0]["kind"], "prepaid");
    assert!(
        cli_refused(&till, &pos_tests::as_cashier(&["collect", &number])).contains("has been collected"),
        "nothing is handed over twice"
    );

    let _restarted = ServerProcess::start_on(server.db(), server.url.trim_start_matches("http://"));
    ok(&till, &["sync", "--once"]);
    let order = parse(&admin_ok(&db, &["--json", "order", "show", &number]));
    assert_eq!(order["status"], "collected");
    assert_eq!(
        (order["lines"][0]["collected"].as_str(), order["lines"][1]["collected"].as_str()),
        (Some("4"), Some("1"))
    );
    let actions: Vec<&str> =
        order["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["ordered", "collected", "collected"], "{order}");
    assert_eq!(order["history"][0]["actor"], "webshop checkout (web)");
    assert_eq!(order["history"][1]["actor"], "Camille");
    assert_eq!(
        atp(&db, "BAK0004"),
        strings("-1", "0", "-1"),
        "stock went down once per unit: 10 - 7 sold - 4 collected"
    );
    assert_eq!(atp(&db, "BAK0005"), strings("2", "0", "2"));
    assert_eq!(till_stock(&till, "BAK0004"), strings("-1", "0", "-1"), "the till agrees after the sync");
    let by_channel = admin_ok(&db, &["report", "sales", "--by", "channel", "--csv"]);
    assert!(by_channel.contains("\ncounter,1,7,") && by_channel.contains("\nweb,2,5,"), "{by_channel}");
}

#[test]
fn a_phone_order_is_paid_at_the_counter_and_a_cancelled_one_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    ok(&till, &pos_tests::as_manager(&["receive", "--ref", "BL-78", "--item", "BAK0004*5"]));
    ok(&till, &["sync", "--once"]);
    let create = |extra: &[&str]| {
        let mut args = vec!["--json", "order", "create", "--channel", "phone", "--store", "S01"];
        args.extend_from_slice(extra);
        parse(&admin_ok(&db, &args))
    };
    let quote = create(&["--customer-name", "Hôtel Lutèce", "--line", "BAK0004=3", "--quote", "--by", "Paul"]);
    assert_eq!(atp(&db, "BAK0004"), strings("5", "0", "5"), "a quote reserves nothing");
    let number = quote["number"].as_str().unwrap();
    let too_many = admin(&db, &["order", "change", number, "--line", "BAK0004=6"]);
    assert!(too_many.status.success(), "a quote may promise anything until it is confirmed");
    let refused = admin_refused(&db, &["order", "confirm", number]);
    assert!(refused.contains("not enough stock: BAK0004: 6 wanted, 5 available"));
    assert_eq!(atp(&db, "BAK0004"), strings("5", "0", "5"), "a refusal changes nothing");
    let backordered = parse(&admin_ok(&db, &["--json", "order", "confirm", number, "--backorder", "--by", "Paul"]));
    assert_eq!(
        (backordered["lines"][0]["reserved"].as_str(), backordered["lines"][0]["backordered"].as_str()),
        (Some("5"), Some("1"))
    );
    admin_ok(&db, &["order", "change", number, "--line", "BAK0004=2"]);
    assert_eq!(atp(&db, "BAK0004"), strings("5", "2", "3"), "lowering an order releases stock");
    let other = create(&["--customer", "C000001", "--line", "BAK0004=1"]);
    let other = other["number"].as_str().unwrap();

    ok(&till, &["sync", "--once"]);
    assert!(
        cli_refused(&till, &pos_tests::as_cashier(&["collect", number])).contains("short payment"),
        "an unpaid order is paid at the counter"
    );
    let paid = ok(&till, &pos_tests::as_cashier(&["collect", number, "--pay", "cash:5"]));
    assert!(
        paid.contains("Pain de campagne") && paid.contains("1.82") && paid.contains("3.18"),
        "change given: {paid}"
    );

    admin_ok(&db, &["order", "cancel", other, "--by", "Paul"]);
    ok(&till, &["sync", "--once"]);
    let before = ok(&till, &["--json", "journal", "verify"]);
    let cancelled = cli_refused(&till, &pos_tests::as_cashier(&["collect", other, "--pay", "cash:1"]));
    assert!(cancelled.contains("was cancelled at head office"));
    assert_eq!(ok(&till, &["--json", "journal", "verify"]), before, "a refused hand-over writes nothing");
    assert!(
        cli_refused(&till, &pos_tests::as_cashier(&["collect", "ORD-999999"])).contains("no order ORD-999999 here")
    );
    let history = parse(&admin_ok(&db, &["--json", "order", "show", number]))["history"].clone();
    let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["quoted", "changed", "confirmed", "backordered", "changed", "collected"], "{history}");
    assert_eq!(history[0]["actor"], "Paul (phone)");
    assert_eq!(atp(&db, "BAK0004"), strings("3", "0", "3"));
}

/// A prepaid order keeps what was paid: raised afterwards, the counter
/// takes payment for the rest; two tills handing the same order over
/// offline are a flag at head office, not a silent history line.
#[test]
fn a_prepaid_order_raised_later_takes_payment_and_a_double_hand_over_is_flagged() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let (till1, till2) = (work.path().join("till1"), work.path().join("till2"));
    enroll_till_cli(&db, &server.url, "S01", &till1);
    enroll_till_cli(&db, &server.url, "S01", &till2);
    ok(&till1, &pos_tests::as_manager(&["receive", "--ref", "opening", "--item", "BAK0004*10"]));
    ok(&till1, &["sync", "--once"]);
    let order = parse(&admin_ok(
        &db,
        &["--json", "order", "create", "--channel", "online", "--store", "S01", "--customer-name", "Zoé Martin"]
            .into_iter()
            .chain(["--line", "BAK0004=2", "--prepaid"])
            .collect::<Vec<_>>(),
    ));
    let number = order["number"].as_str().unwrap().to_string();
    assert_eq!(order["paid"], "1.82", "2 x 0.91 paid online");
    let raised = parse(&admin_ok(&db, &["--json", "order", "change", &number, "--line", "BAK0004=4"]));
    assert_eq!((raised["total"].as_str(), raised["paid"].as_str()), (Some("3.64"), Some("1.82")));
    ok(&till1, &["sync", "--once"]);
    ok(&till2, &["sync", "--once"]);

    let refused = cli_refused(&till1, &pos_tests::as_cashier(&["collect", &number]));
    assert!(refused.contains("1.82 was paid ahead, 1.82 is still to pay"), "{refused}");
    let handed = parse(&ok(&till1, &pos_tests::as_cashier(&["--json", "collect", &number, "--pay", "cash:2"])));
    let paid: Vec<(String, String)> = handed["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap().into(), p["amount"].as_str().unwrap().into()))
        .collect();
    assert_eq!(paid, [("prepaid".into(), "1.82".into()), ("cash".into(), "1.82".into())]);
    assert!(cli_refused(&till1, &pos_tests::as_cashier(&["collect", &number])).contains("has been collected"));
    assert!(ok(&till1, &["journal", "verify"]).starts_with("Journal OK"), "a prepaid hand-over reads back");
    ok(&till1, &pos_tests::as_cashier(&["reprint", handed["receipt_no"].as_str().unwrap()]));
    let typed = cli_refused(&till1, &pos_tests::as_cashier(&["sell", "--item", "BAK0004", "--pay", "prepaid:0.91"]));
    assert!(typed.contains("paid ahead"), "a typed prepaid payment is refused: {typed}");

    // The other till had not heard of it: it hands the same order over too.
    let again = parse(&ok(&till2, &pos_tests::as_cashier(&["--json", "collect", &number, "--pay", "cash:2"])));
    assert_eq!(again["payments"][0]["kind"], "prepaid");
    ok(&till1, &["sync", "--once"]);
    ok(&till2, &["sync", "--once"]);
    let flags = admin_ok(&db, &["flags"]);
    assert!(flags.contains(&format!("order {number}")), "{flags}");
    assert!(flags.contains("handed over while collected"), "{flags}");
    assert!(flags.contains("BAK0004: 8 handed over of 4 ordered"), "{flags}");
    assert!(flags.contains("3.64 taken as prepaid, 1.82 was paid ahead"), "{flags}");
}
