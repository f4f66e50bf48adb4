//! Running head office: `/healthz`, `/readyz` (database answering with
//! this build's schema), `/metrics` in Prometheus' text format behind a
//! head-office key (parsed here by a Prometheus parser), and JSON logs.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, enroll_till_cli, head_office};
use pos_tests::{as_cashier, binary, cli_ok};
use serde_json::Value;

fn get(url: &str, key: Option<&str>) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut request = reqwest::Client::new().get(url);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    })
}

/// One sample's value, by metric name and labels.
fn sample(scrape: &prometheus_parse::Scrape, name: &str, label: Option<(&str, &str)>) -> f64 {
    let found =
        scrape.samples.iter().find(|s| s.metric == name && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)));
    match found.map(|s| &s.value) {
        Some(
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v),
        ) => *v,
        Some(prometheus_parse::Value::Histogram(buckets)) => buckets.last().map_or(0.0, |b| b.count),
        other => panic!("{name} {label:?}: {other:?}"),
    }
}

#[test]
fn health_readiness_and_metrics_of_a_server_tills_push_to() {
    let dir = tempfile::tempdir().unwrap();
    let db = HqDb::new(dir.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    assert_eq!(get(&format!("{}/healthz", server.url), None), (200, "ok".into()));
    assert_eq!(get(&format!("{}/readyz", server.url), None), (200, "ready".into()));
    let till = dir.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    cli_ok(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    cli_ok(&till, &["sync", "--once"]);

    let metrics = format!("{}/metrics", server.url);
    assert_eq!(get(&metrics, None).0, 401, "metrics need a head-office key");
    let key: Value =
        serde_json::from_str(&admin_ok(&db, &["--json", "office", "key", "prometheus", "--scope", "metrics"])).unwrap();
    let (status, text) = get(&metrics, key["key"].as_str());
    assert_eq!(status, 200, "{text}");
    // Each key reads what its job needs, nothing more.
    let (status, said) = get(&format!("{}/v1/reports/customers", server.url), key["key"].as_str());
    assert_eq!(status, 403, "the metrics key reads no report: {said}");
    let reports: Value = serde_json::from_str(&admin_ok(&db, &["--json", "office", "key", "finance"])).unwrap();
    assert_eq!(get(&metrics, reports["key"].as_str()).0, 403, "the report key reads no metrics");
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text");
    let pushes = sample(&scrape, "pos_pushes_total", None);
    assert!(pushes >= 1.0, "{text}");
    assert_eq!(sample(&scrape, "pos_push_seconds", None), pushes, "every push timed");
    // Opening the session and the sale: two entries, both sent.
    assert_eq!(sample(&scrape, "pos_push_entries_total", None), 2.0, "{text}");
    assert!(sample(&scrape, "pos_pulls_total", Some(("kind", "catalog"))) >= 1.0);
    assert_eq!(sample(&scrape, "pos_till_pending_entries", Some(("terminal", "S01-T01"))), 2.0, "as the till said");
    assert!(sample(&scrape, "pos_till_last_push_timestamp_seconds", Some(("terminal", "S01-T01"))) > 1.7e9);
    assert_eq!(sample(&scrape, "pos_open_flags", None), 0.0);

    // A database migrated by a newer build: this one is not ready for it.
    match db.path() {
        Some(path) => rusqlite::Connection::open(path).unwrap().pragma_update(None, "user_version", 999).unwrap(),
        None => drop(db.query("UPDATE schema_version SET version = 999", &[])),
    }
    let (status, body) = get(&format!("{}/readyz", server.url), None);
    assert_eq!((status, body.as_str()), (503, "the database's schema is not this build's"));
}

#[test]
fn logs_can_be_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = HqDb::new(dir.path());
    let mut child = Command::new(binary("pos-sync-server"))
        .args(["--db", db.address(), "serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let log: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    assert_eq!((log["level"].as_str(), log["fields"]["message"].as_str()), (Some("INFO"), Some("sync server up")));
}

/// A database head office cannot use is refused at once, saying why and
/// where, without the password of the address it was given.
#[test]
fn an_unusable_database_address_is_refused_clearly() {
    let refused = |args: &[&str]| {
        let out = Command::new(binary("pos-sync-server")).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should have been refused");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let unreachable = refused(&["--db", "postgres://pos:s3cret@127.0.0.1:1/hq", "stock"]);
    assert!(unreachable.contains("PostgreSQL at postgres://pos@127.0.0.1:1/hq"), "{unreachable}");
    assert!(unreachable.contains("refused"), "{unreachable}");
    assert!(!unreachable.contains("s3cret"), "the password stays out of messages: {unreachable}");
    let garbled = refused(&["--db", "postgres://pos@host:port/hq", "stock"]);
    assert!(garbled.contains("not a PostgreSQL address"), "{garbled}");
    let database = pos_tests::postgres::TestDatabase::new();
    let none = refused(&["--db", &database.url, "--db-connections", "0", "stock"]);
    assert!(none.contains("at least one database connection"), "{none}");
}

/// A server rolls new sales up for reports on its own, every
/// `--roll-up-every` seconds: a report never meets a day's backlog.
#[test]
fn sales_are_rolled_up_in_the_background() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start_with(&db, &["--listen", "127.0.0.1:0", "--roll-up-every", "0.2"]);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    cli_ok(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    cli_ok(&till, &["sync", "--once"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while db.count("SELECT COUNT(*) FROM rollup_pending", &[]) > 0 {
        assert!(std::time::Instant::now() < deadline, "the sale was not rolled up within 30 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let rolled = db.count("SELECT CAST(SUM(receipts) AS BIGINT) FROM sales_by_receipt_group", &[]);
    assert_eq!(rolled, 1, "the sale, rolled up once, with no report asked for");

    let out = Command::new(binary("pos-sync-server"))
        .args(["--db", db.address(), "serve", "--listen", "127.0.0.1:0", "--roll-up-every", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--roll-up-every must be"));
}

/// After a restore by other means (pg_restore), `epoch new` gives the
/// database a new epoch: a server started on it stamps every response
/// with it, so tills pull everything again.
#[test]
fn a_new_epoch_is_what_the_server_then_stamps() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let epoch_of = |server: &ServerProcess| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let response = runtime.block_on(reqwest::get(format!("{}/healthz", server.url))).unwrap();
        response.headers()[pos_shared::protocol::EPOCH_HEADER].to_str().unwrap().to_string()
    };
    let before = epoch_of(&ServerProcess::start(&db));
    let said: Value = serde_json::from_str(&admin_ok(&db, &["--json", "epoch", "new"])).unwrap();
    let after = epoch_of(&ServerProcess::start(&db));
    assert_ne!(before, after, "a new epoch");
    assert_eq!(said["epoch"].as_str(), Some(after.as_str()), "the one the command printed");
}
