//! The channel API under attack and under load: bad input (unknown product,
//! negative quantity, unknown store, a bad or foreign API key, a missing or
//! reused idempotency key) gets a clear 4xx and changes nothing; many
//! channels racing for the last units never get more than there was.

use std::sync::Arc;

use pos_shared::quantity::Quantity;
use pos_tests::cli_ok;
use pos_tests::head_office::{
    HqDb, ServerProcess, admin_ok, admin_refused, client, enroll_till_cli, enrolled_terminal, head_office,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::orders::{call, channel_key};
use crate::sync::runtime;

/// A head office whose store S01 has `units` of BAK0004 on hand, synced.
fn stocked_head_office(work: &std::path::Path, units: i64) -> ServerProcess {
    let db = HqDb::new(work);
    head_office(&db);
    let server = ServerProcess::start(&db);
    let mut till = enrolled_terminal(&db, &server.url, "S01", &work.join("till"));
    let manager = till.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    till.receive_stock(&manager, "BL-1", &[("BAK0004".into(), Quantity::from_milli(units * 1000))]).unwrap();
    let sync = client(&till);
    runtime().block_on(pos_terminal::sync::run::sync_once(&mut till, &sync)).unwrap();
    server
}

fn order_body(sku: &str, qty: &str) -> Value {
    json!({ "customer": { "code": "C000001" }, "store": "S01", "lines": [ { "sku": sku, "qty": qty } ] })
}

fn count(db: &HqDb, table: &str) -> i64 {
    db.count(&format!("SELECT COUNT(*) FROM {table}"), &[])
}

#[test]
fn bad_channel_requests_are_refused_and_change_nothing() {
    let work = tempfile::tempdir().unwrap();
    let server = stocked_head_office(work.path(), 5);
    let db = server.db().clone();
    admin_ok(&db, &["customer", "add", "--name", "Ana Lima"]);
    let web = channel_key(&db, "web");
    let app = channel_key(&db, "app");
    for channel in ["web", "app"] {
        admin_ok(&db, &["customer", "link", "C000001", "--channel", channel]);
    }
    let rt = runtime();
    let http = reqwest::Client::new();
    let orders = format!("{}/v1/channel/orders", server.url);
    let post = |key: &str, idempotency: Option<&str>, body: Value| {
        rt.block_on(call(&http, Method::POST, orders.clone(), key, idempotency, Some(body)))
    };
    let (status, placed) = post(&web, Some("k-1"), order_body("BAK0004", "2"));
    assert_eq!(status, 201, "{placed}");
    let number = placed["number"].as_str().unwrap().to_string();
    let before = (count(&db, "orders"), count(&db, "order_lines"), count(&db, "customers"), count(&db, "order_events"));

    let refusals: Vec<(&str, (u16, Value), u16, &str)> = vec![
        ("no key", post("", Some("k-2"), order_body("BAK0004", "1")), 401, "wrong or revoked"),
        ("a made-up key", post("pos_ch_0000", Some("k-2"), order_body("BAK0004", "1")), 401, "wrong or revoked"),
        ("no idempotency key", post(&web, None, order_body("BAK0004", "1")), 400, "Idempotency-Key"),
        ("an unknown product", post(&web, Some("k-3"), order_body("NOPE", "1")), 404, "unknown product `NOPE`"),
        ("a negative quantity", post(&web, Some("k-4"), order_body("BAK0004", "-1")), 400, "must be more than zero"),
        ("a fraction of a piece", post(&web, Some("k-5"), order_body("BAK0004", "0.5")), 400, "whole number"),
        (
            "a store that does not exist",
            post(
                &web,
                Some("k-6"),
                json!({ "customer": { "code": "C000001" }, "store": "S99", "lines": [ { "sku": "BAK0004", "qty": "1" } ] }),
            ),
            404,
            "no store `S99`",
        ),
        (
            "an unknown customer",
            post(
                &web,
                Some("k-7"),
                json!({ "customer": { "code": "C999" }, "store": "S01", "lines": [ { "sku": "BAK0004", "qty": "1" } ] }),
            ),
            404,
            "unknown customer `C999`",
        ),
        (
            "no lines",
            post(&web, Some("k-8"), json!({ "customer": { "name": "New Person" }, "store": "S01", "lines": [] })),
            400,
            "at least one line",
        ),
        ("more than is available", post(&web, Some("k-9"), order_body("BAK0004", "4")), 409, "not enough stock"),
        (
            "a reused idempotency key with another order",
            post(&web, Some("k-1"), order_body("BAK0004", "1")),
            409,
            "already placed",
        ),
        ("a wrong type", post(&web, Some("k-10"), json!({ "customer": 7, "store": "S01", "lines": [] })), 422, ""),
    ];
    for (what, (status, body), expected, says) in refusals {
        assert_eq!(status, expected, "{what}: {body}");
        assert!(body["message"].as_str().unwrap_or_default().contains(says), "{what}: {body}");
    }

    let order_url = |tail: &str| format!("{}/v1/channel/orders/{number}{tail}", server.url);
    let (status, _) = rt.block_on(call(&http, Method::GET, order_url(""), &app, None, None));
    assert_eq!(status, 404, "another channel's key does not see the order");
    let (status, _) = rt.block_on(call(&http, Method::POST, order_url("/cancel"), &app, None, None));
    assert_eq!(status, 404, "nor cancel it");
    let terminal_token = "not-a-channel-key";
    let (status, _) = rt.block_on(call(&http, Method::GET, order_url(""), terminal_token, None, None));
    assert_eq!(status, 401);
    let (status, body) = rt.block_on(call(
        &http,
        Method::GET,
        format!("{}/v1/channel/availability?skus=NOPE&store=S01", server.url),
        &web,
        None,
        None,
    ));
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    for nul in ["skus=BAK0004%00&store=S01", "skus=BAK0004&store=S01%00"] {
        let url = format!("{}/v1/channel/availability?{nul}", server.url);
        let (status, body) = rt.block_on(call(&http, Method::GET, url, &web, None, None));
        assert_eq!(status, 400, "{nul}: {body}");
    }
    let (status, body) = rt.block_on(call(&http, Method::GET, order_url("%00"), &web, None, None));
    assert_eq!(status, 400, "an order number with a NUL byte: {body}");
    let after = (count(&db, "orders"), count(&db, "order_lines"), count(&db, "customers"), count(&db, "order_events"));
    assert_eq!(after, before, "no refusal wrote anything");

    let (status, cancelled) = rt.block_on(call(&http, Method::POST, order_url("/cancel"), &web, None, None));
    assert_eq!((status, cancelled["status"].as_str()), (200, Some("cancelled")));
    let (status, again) = rt.block_on(call(&http, Method::POST, order_url("/confirm"), &web, None, None));
    assert_eq!(status, 409, "a cancelled order stays cancelled: {again}");
    let (status, shown) = rt.block_on(call(&http, Method::GET, order_url(""), &web, None, None));
    assert_eq!((status, shown["history"].as_array().map(Vec::len)), (200, Some(2)), "{shown}");
}

#[test]
fn channels_racing_for_the_last_units_never_get_more_than_there_was() {
    race_for_the_last_units(1);
}

/// The same race through three servers on one database: each request and
/// its twin go to different servers.
#[test]
fn racing_through_three_servers_never_promises_more_than_on_hand() {
    race_for_the_last_units(3);
}

fn race_for_the_last_units(servers: usize) {
    const UNITS: i64 = 5;
    let work = tempfile::tempdir().unwrap();
    let server = stocked_head_office(work.path(), UNITS);
    let db = server.db().clone();
    let replicas: Vec<ServerProcess> = (1..servers).map(|_| ServerProcess::start(&db)).collect();
    let urls: Arc<Vec<String>> =
        Arc::new(std::iter::once(&server).chain(&replicas).map(|s| format!("{}/v1/channel/orders", s.url)).collect());
    admin_ok(&db, &["customer", "add", "--name", "Ana Lima"]);
    let keys = [channel_key(&db, "web"), channel_key(&db, "app"), channel_key(&db, "marketplace")];
    for channel in ["web", "app", "marketplace"] {
        admin_ok(&db, &["customer", "link", "C000001", "--channel", channel]);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let http = reqwest::Client::new();
    let results = rt.block_on(async {
        let mut racers = tokio::task::JoinSet::new();
        for (channel, key) in keys.iter().enumerate() {
            for attempt in 0..15 {
                // Every request goes out twice at once, as a retrying client would.
                for twin in 0..2 {
                    let url = urls[(channel + attempt + twin) % urls.len()].clone();
                    let (http, key) = (http.clone(), key.clone());
                    let idempotency = format!("race-{attempt}");
                    racers.spawn(async move {
                        let body = Some(order_body("BAK0004", "1"));
                        let answer = call(&http, Method::POST, url, &key, Some(&idempotency), body).await;
                        (channel, idempotency, answer)
                    });
                }
            }
        }
        racers.join_all().await
    });
    let mut confirmed = std::collections::BTreeMap::new();
    for (channel, idempotency, (status, body)) in &results {
        match status {
            200 | 201 => {
                let number = body["number"].as_str().unwrap().to_string();
                let earlier = confirmed.insert((*channel, idempotency.clone()), number.clone());
                assert!(earlier.is_none_or(|n| n == number), "one key, one order");
            }
            409 => assert!(body["message"].as_str().unwrap().contains("not enough stock"), "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(confirmed.len() as i64, UNITS, "every unit was promised once, and no more");
    assert_eq!(count(&db, "orders"), UNITS);
    let atp: Value = serde_json::from_str(&admin_ok(&db, &["--json", "atp", "BAK0004", "--store", "S01"])).unwrap();
    assert_eq!((atp[0]["reserved"].as_str(), atp[0]["available"].as_str()), (Some("5"), Some("0")));
}

/// A channel's key reaches only the customers that channel created or head
/// office linked to it: not another's by code (that would read their name),
/// nor by an e-mail address it merely claims.
#[test]
fn a_channel_sees_only_its_own_customers() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    admin_ok(&db, &["customer", "add", "--name", "Café de Flore", "--email", "compta@flore.example"]);
    let till = work.path().join("till");
    let server = ServerProcess::start(&db);
    enroll_till_cli(&db, &server.url, "S01", &till);
    cli_ok(&till, &pos_tests::as_manager(&["receive", "--ref", "opening", "--item", "BAK0004*10"]));
    cli_ok(&till, &["sync", "--once"]);
    let web = channel_key(&db, "web");
    let rt = runtime();
    let http = reqwest::Client::new();
    let place = |key: &str, idempotency: &str, customer: Value| {
        let body = json!({ "customer": customer, "store": "S01", "lines": [ { "sku": "BAK0004", "qty": "1" } ] });
        let url = format!("{}/v1/channel/orders", server.url);
        rt.block_on(call(&http, reqwest::Method::POST, url, key, Some(idempotency), Some(body)))
    };
    let (status, body) = place(&web, "a", json!({ "code": "C000001" }));
    assert_eq!((status, body["message"].as_str()), (404, Some("unknown customer `C000001`")), "{body}");
    let (status, body) = place(&web, "b", json!({ "name": "Someone", "email": "COMPTA@flore.example" }));
    assert_eq!(status, 201, "{body}");
    assert_ne!(body["customer"], "C000001", "a claimed e-mail does not attach to head office's customer");
    assert_eq!(body["customer_name"], "Someone");
    let own = body["customer"].as_str().unwrap().to_string();
    let (status, body) = place(&web, "c", json!({ "code": own }));
    assert_eq!(status, 201, "its own customer, by code: {body}");

    assert!(admin_refused(&db, &["customer", "link", "C999999", "--channel", "web"]).contains("no customer"));
    admin_ok(&db, &["customer", "link", "C000001", "--channel", "web"]);
    let (status, body) = place(&web, "d", json!({ "code": "C000001" }));
    assert_eq!((status, body["customer_name"].as_str()), (201, Some("Café de Flore")), "{body}");
    let phone: Value = serde_json::from_str(&admin_ok(
        &db,
        &[
            "--json",
            "order",
            "create",
            "--channel",
            "phone",
            "--store",
            "S01",
            "--customer",
            "C000001",
            "--line",
            "BAK0004=1",
        ],
    ))
    .unwrap();
    assert_eq!(phone["customer"], "C000001", "head office reaches every customer");
}
