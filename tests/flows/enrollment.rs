//! Enrollment survives a lost answer: a till that spent its code but never
//! heard back enrolls again with the same code and the same key; nobody
//! else can, and once the till has pushed, the code is spent for good.

use pos_shared::protocol::{EnrollRequest, PROTOCOL_VERSION};
use pos_shared::signing::Signer;
use pos_terminal::signer::KeyFile;
use pos_tests::head_office::{HqDb, ServerProcess, head_office, new_terminal_code};
use pos_tests::{as_cashier, as_manager, cli_ok};

/// Posts an enrollment with `code` and `key`'s public key; the status.
fn enroll_with(url: &str, code: &str, key: &KeyFile) -> u16 {
    let request = EnrollRequest {
        protocol_version: PROTOCOL_VERSION,
        code: code.to_string(),
        public_key: Some(hex::encode(key.public_key())),
        terminal_id: None,
    };
    reqwest::blocking::Client::new().post(format!("{url}/v1/enroll")).json(&request).send().unwrap().status().as_u16()
}

#[test]
fn a_till_whose_enrollment_answer_was_lost_enrolls_again_with_the_same_code() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let code = new_terminal_code(&db, "S01", "Caisse 1");
    let till = work.path().join("till");
    // The till made its key and asked; the answer never reached it.
    std::fs::create_dir_all(&till).unwrap();
    let key = KeyFile::load_or_create(&till).unwrap();
    assert_eq!(enroll_with(&server.url, &code, &key), 200);
    // Whoever else tries the spent code, with another key, is refused.
    std::fs::create_dir_all(work.path().join("stranger")).unwrap();
    let stranger = KeyFile::load_or_create(&work.path().join("stranger")).unwrap();
    assert_eq!(enroll_with(&server.url, &code, &stranger), 404);

    // The till tries again, as its cashier would: enrolled, same identity.
    let enrolled = cli_ok(&till, &["enroll", "--server", &server.url, "--code", &code]);
    assert!(enrolled.contains("S01-T01"), "{enrolled}");
    cli_ok(&till, &as_manager(&["session", "open", "--float", "100"]));
    cli_ok(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    assert!(cli_ok(&till, &["sync", "--once"]).contains("2 entries pushed"));
    assert_eq!(db.count("SELECT COUNT(*) FROM terminals", &[]), 1, "one terminal, not two");

    // Once it pushed, the code is spent for good, even with its own key.
    assert_eq!(enroll_with(&server.url, &code, &key), 404);
    assert!(cli_ok(&till, &["sync", "--once"]).contains("Synced"), "its token still works");
}

/// Rotation without a visit: a till renews its token in service; the old
/// one works until the new one is first used, then ends.
#[test]
fn a_till_renews_its_token_and_the_old_one_ends_once_the_new_one_is_used() {
    let work = tempfile::tempdir().unwrap();
    let (_db, server, till) = pos_tests::head_office::shop_with_a_till(work.path());
    let token = |till: &std::path::Path| {
        let conn = rusqlite::Connection::open(till.join(pos_terminal::db::DB_FILE)).unwrap();
        conn.query_row("SELECT value FROM sync_state WHERE key = 'token'", [], |r| r.get::<_, String>(0)).unwrap()
    };
    let stock_with = |token: &str| {
        let response = reqwest::blocking::Client::new()
            .get(format!("{}/v1/stock", server.url))
            .header(pos_shared::protocol::VERSION_HEADER, PROTOCOL_VERSION)
            .bearer_auth(token)
            .send()
            .unwrap();
        response.status().as_u16()
    };
    let old = token(&till);
    cli_ok(&till, &["token", "renew"]);
    let new = token(&till);
    assert_ne!(old, new);
    assert_eq!(stock_with(&old), 200, "the old token works until the new one is used");
    cli_ok(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    assert!(cli_ok(&till, &["sync", "--once"]).contains("2 entries pushed"));
    assert_eq!(stock_with(&old), 401, "the new one used, the old one ended");
    assert_eq!(stock_with(&new), 200);

    let lone = work.path().join("lone");
    cli_ok(&lone, &["demo"]);
    let refused = pos_tests::cli_refused(&lone, &["token", "renew"]);
    assert!(refused.contains("not enrolled"), "{refused}");
}

/// A till enrolls with its signing key: without one, none of its entries
/// could be checked as its own. Refused, and the code is not spent.
#[test]
fn enrolling_without_a_signing_key_is_refused_and_spends_nothing() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let code = new_terminal_code(&db, "S01", "Caisse 1");
    let body = serde_json::json!({ "protocol_version": PROTOCOL_VERSION, "code": code });
    let response =
        reqwest::blocking::Client::new().post(format!("{}/v1/enroll", server.url)).json(&body).send().unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.text().unwrap().contains("enrolls with its signing key"));
    let till = work.path().join("till");
    cli_ok(&till, &["enroll", "--server", &server.url, "--code", &code]);
    assert_eq!(db.count("SELECT COUNT(*) FROM terminals WHERE public_key IS NOT NULL", &[]), 1);
}

/// A new code for a till that has sold (`terminal code`) never lets another
/// device start its journal again from receipt 1: the empty device is
/// refused before the code is spent, and the till's own data directory
/// enrolls with it and carries on.
#[test]
fn a_terminal_that_has_sold_is_enrolled_again_only_with_its_own_journal() {
    let work = tempfile::tempdir().unwrap();
    let (db, server, till) = pos_tests::head_office::shop_with_a_till(work.path());
    cli_ok(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    cli_ok(&till, &["sync", "--once"]);
    let url = server.url.clone();
    let again = pos_tests::head_office::admin_ok(&db, &["--json", "terminal", "code", "S01-T01"]);
    let code: serde_json::Value = serde_json::from_str(&again).unwrap();
    let code = code["enrollment_code"].as_str().unwrap();
    let blank = work.path().join("new-hardware");
    let refused = pos_tests::cli_refused(&blank, &["enroll", "--server", &url, "--code", code]);
    assert!(refused.contains("signed by another key"), "{refused}");
    assert!(cli_ok(&till, &["enroll", "--server", &url, "--code", code]).contains("Enrolled as S01-T01"));
    cli_ok(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    assert!(cli_ok(&till, &["sync", "--once"]).contains("1 entries pushed"), "the journal goes on");
}

/// Recognition by key takes only the enrolled key's fresh signature: a
/// stranger's key, or an old signature, is refused and changes nothing.
#[test]
fn only_the_enrolled_key_can_have_head_office_take_a_token() {
    let work = tempfile::tempdir().unwrap();
    let (_db, server, till) = pos_tests::head_office::shop_with_a_till(work.path());
    std::fs::create_dir_all(work.path().join("stranger")).unwrap();
    let stranger = KeyFile::load_or_create(&work.path().join("stranger")).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let recognize = |key: &KeyFile, at: i64| {
        let hash = pos_shared::protocol::recognition_hash("S01-T01", "stolen-token", at);
        let request = pos_shared::protocol::RecognizeRequest {
            protocol_version: PROTOCOL_VERSION,
            terminal_id: "S01-T01".into(),
            token: "stolen-token".into(),
            signed_at_ms: at,
            signature: hex::encode(key.sign(&hash)),
        };
        let client = reqwest::blocking::Client::new();
        let response = client.post(format!("{}/v1/recognize", server.url)).json(&request).send().unwrap();
        (response.status().as_u16(), response.text().unwrap())
    };
    let (status, said) = recognize(&stranger, now);
    assert_eq!(status, 403, "{said}");
    assert!(said.contains("not the signature of the key S01-T01 enrolled with"), "{said}");
    let own = KeyFile::load_or_create(&till).unwrap();
    let (status, said) = recognize(&own, now - 3_600_000);
    assert_eq!(status, 403, "an hour-old signature: {said}");
    let get = reqwest::blocking::Client::new().get(format!("{}/v1/stock", server.url)).bearer_auth("stolen-token");
    assert_eq!(get.header("pos-protocol-version", "1").send().unwrap().status().as_u16(), 401);
    assert!(cli_ok(&till, &["sync", "--once"]).contains("Synced"), "the till's own token still works");
}
