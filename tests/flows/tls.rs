//! Terminals talk to head office over TLS, through the real binaries: a
//! till enrolled with the pinned fingerprint of a self-signed certificate
//! syncs; a server presenting another certificate is refused with a clear
//! message and receives nothing; plain http to another machine is refused
//! unless the till is told `--insecure`.

use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, head_office};
use pos_tests::{as_manager, cli_ok, cli_refused};

/// `tls self-signed` into `dir`: its JSON answer.
fn self_signed(db: &HqDb, dir: &std::path::Path) -> serde_json::Value {
    let out = admin_ok(db, &["--json", "tls", "self-signed", "--host", "127.0.0.1", "--out", dir.to_str().unwrap()]);
    serde_json::from_str(&out).unwrap()
}

fn serve_tls(db: &HqDb, pair: &serde_json::Value) -> ServerProcess {
    let (cert, key) = (pair["cert"].as_str().unwrap(), pair["key"].as_str().unwrap());
    ServerProcess::start_with(db, &["--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key])
}

fn pending(till: &std::path::Path) -> u64 {
    let status: serde_json::Value = serde_json::from_str(&cli_ok(till, &["--json", "sync", "--status"])).unwrap();
    status["pending"].as_u64().unwrap()
}

#[test]
fn a_pinned_till_syncs_and_refuses_any_other_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let db = HqDb::new(dir.path());
    head_office(&db);
    let pair = self_signed(&db, &dir.path().join("tls"));
    let fingerprint = pair["fingerprint"].as_str().unwrap().to_string();
    let mut server = serve_tls(&db, &pair);
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let created: serde_json::Value =
        serde_json::from_str(&admin_ok(&db, &["--json", "terminal", "add", "--store", "S01", "--name", "Caisse"]))
            .unwrap();
    assert_eq!(created["tls_fingerprint"].as_str(), Some(fingerprint.as_str()), "printed with the code");
    let code = created["enrollment_code"].as_str().unwrap();

    let till = dir.path().join("till");
    let unpinned = cli_refused(&till, &["enroll", "--server", &server.url, "--code", code]);
    assert!(unpinned.contains("certificate"), "a self-signed server without a pin: {unpinned}");
    cli_ok(&till, &["enroll", "--server", &server.url, "--code", code, "--fingerprint", &fingerprint]);
    cli_ok(&till, &as_manager(&["session", "open", "--float", "100"]));
    cli_ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    cli_ok(&till, &["sync", "--once"]);
    assert_eq!(pending(&till), 0, "synced over TLS");

    // The same address, another certificate: an impostor, or a mistake.
    let address = server.url.trim_start_matches("https://").to_string();
    server.kill();
    let other = self_signed(&db, &dir.path().join("other"));
    let (cert, key) = (other["cert"].as_str().unwrap(), other["key"].as_str().unwrap());
    let impostor = ServerProcess::start_with(&db, &["--listen", &address, "--tls-cert", cert, "--tls-key", key]);
    cli_ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    let before = admin_ok(&db, &["--json", "stock", "--store", "S01"]);
    let refused = cli_refused(&till, &["sync", "--once"]);
    assert!(refused.contains("not the one pinned at enrollment"), "{refused}");
    assert_eq!(pending(&till), 1, "the sale waits for the real head office");
    assert_eq!(admin_ok(&db, &["--json", "stock", "--store", "S01"]), before, "nothing was applied");
    drop(impostor);
}

#[test]
fn plain_http_to_another_machine_needs_insecure() {
    let dir = tempfile::tempdir().unwrap();
    let till = dir.path().join("till");
    // 192.0.2.0/24 is for documentation: nothing answers there, and nothing is tried.
    let refused = cli_refused(&till, &["enroll", "--server", "http://192.0.2.10:8080", "--code", "abc"]);
    assert!(refused.contains("not encrypted") && refused.contains("--insecure"), "{refused}");
    assert!(!till.join("terminal.sqlite").exists(), "nothing was made");
    let wrong = cli_refused(&till, &["enroll", "--server", "https://hq", "--code", "abc", "--fingerprint", "12:34"]);
    assert!(wrong.contains("64 hex digits"), "{wrong}");
    // Told --insecure, it tries (and finds nobody there).
    let tried = cli_refused(&till, &["enroll", "--server", "http://127.0.0.2:9", "--code", "abc", "--insecure"]);
    assert!(tried.contains("unreachable"), "{tried}");
}

#[test]
fn the_back_office_over_tls_sets_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let db = HqDb::new(dir.path());
    head_office(&db);
    let pair = self_signed(&db, &dir.path().join("tls"));
    let server = serve_tls(&db, &pair);
    let pem = std::fs::read(pair["cert"].as_str().unwrap()).unwrap();
    let http = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let login = http.get(format!("{}/office/login", server.url)).send().unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/office"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    // Browsers and clients are told to come back over TLS only.
    for path in ["/office/login", "/healthz"] {
        let response = http.get(format!("{}{path}", server.url)).send().unwrap();
        let hsts = response.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(hsts.as_deref(), Some("max-age=31536000"), "{path}");
    }
}

/// Rotation without a visit: head office announces its next certificate,
/// a pinned till learns it at its next sync over the channel it trusts,
/// and syncs on once the server switches. A certificate it never heard of
/// is refused until a manager trusts it (a cashier may not).
#[test]
fn a_pinned_till_follows_an_announced_certificate_and_a_manager_trusts_one_it_missed() {
    let dir = tempfile::tempdir().unwrap();
    let db = HqDb::new(dir.path());
    head_office(&db);
    let first = self_signed(&db, &dir.path().join("first"));
    let mut server = serve_tls(&db, &first);
    let created: serde_json::Value =
        serde_json::from_str(&admin_ok(&db, &["--json", "terminal", "add", "--store", "S01", "--name", "Caisse"]))
            .unwrap();
    let till = dir.path().join("till");
    let pin = first["fingerprint"].as_str().unwrap();
    cli_ok(
        &till,
        &[
            "enroll",
            "--server",
            &server.url,
            "--code",
            created["enrollment_code"].as_str().unwrap(),
            "--fingerprint",
            pin,
        ],
    );
    cli_ok(&till, &as_manager(&["session", "open", "--float", "100"]));

    // The next certificate, announced, then learnt at the till's next sync.
    let next = self_signed(&db, &dir.path().join("next"));
    let announced = admin_ok(&db, &["tls", "next", "--cert", next["cert"].as_str().unwrap()]);
    assert!(announced.contains(next["fingerprint"].as_str().unwrap()), "{announced}");
    cli_ok(&till, &["sync", "--once"]);
    let address = server.url.trim_start_matches("https://").to_string();
    server.kill();
    let (cert, key) = (next["cert"].as_str().unwrap(), next["key"].as_str().unwrap());
    let mut server = ServerProcess::start_with(&db, &["--listen", &address, "--tls-cert", cert, "--tls-key", key]);
    cli_ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    cli_ok(&till, &["sync", "--once"]);
    assert_eq!(pending(&till), 0, "synced with the new certificate, nobody at the store");

    // A certificate nobody announced: refused, until a manager trusts it.
    server.kill();
    let unknown = self_signed(&db, &dir.path().join("unknown"));
    let (cert, key) = (unknown["cert"].as_str().unwrap(), unknown["key"].as_str().unwrap());
    let server = ServerProcess::start_with(&db, &["--listen", &address, "--tls-cert", cert, "--tls-key", key]);
    let refused = cli_refused(&till, &["sync", "--once"]);
    assert!(refused.contains("nor one head office announced"), "{refused}");
    let fingerprint = unknown["fingerprint"].as_str().unwrap();
    let cashier = cli_refused(&till, &pos_tests::as_cashier(&["trust", "--fingerprint", fingerprint]));
    assert!(cashier.contains("may not change the store's settings"), "{cashier}");
    assert!(cli_refused(&till, &as_manager(&["trust", "--fingerprint", "12:34"])).contains("64 hex digits"));
    cli_ok(&till, &as_manager(&["trust", "--fingerprint", fingerprint]));
    cli_ok(&till, &["sync", "--once"]);
    drop(server);
}
