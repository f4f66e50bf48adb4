//! One slow client or one guesser hurts nobody: enrollment codes expire,
//! failed guesses from an address or with a credential pause it (longer
//! each time), a body without a valid credential is refused before it is
//! read, and connections that trickle their headers are closed, within a
//! cap on how many are served at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, enrolled_terminal, head_office, new_terminal_code};
use serde_json::{Value, json};

use crate::sync::runtime;

fn address(url: &str) -> &str {
    url.trim_start_matches("http://")
}

/// POSTs an enrollment from `from` (a loopback address); returns the status.
fn enroll_from(url: &str, from: &str, code: &str) -> (u16, Option<String>) {
    runtime().block_on(async {
        let http = reqwest::Client::builder().local_address(from.parse::<std::net::IpAddr>().unwrap()).build().unwrap();
        let body = json!({ "protocol_version": 1, "code": code, "public_key": pos_tests::ANY_KEY });
        let response = http.post(format!("{url}/v1/enroll")).json(&body).send().await.unwrap();
        let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        (response.status().as_u16(), retry)
    })
}

/// GETs the catalog with `token` from `from`; returns the status.
fn catalog_from(url: &str, from: &str, token: &str) -> u16 {
    runtime().block_on(async {
        let http = reqwest::Client::builder().local_address(from.parse::<std::net::IpAddr>().unwrap()).build().unwrap();
        let response = http
            .get(format!("{url}/v1/catalog?limit=1"))
            .bearer_auth(token)
            .header(pos_shared::protocol::VERSION_HEADER, "1")
            .send()
            .await
            .unwrap();
        response.status().as_u16()
    })
}

#[test]
fn codes_expire_and_guessing_is_paused() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let till = enrolled_terminal(&db, &server.url, "S01", &work.path().join("till"));
    let token = till.enrollment().unwrap().unwrap().token;

    // A code not used in time is refused; head office issues a new one.
    let code = new_terminal_code(&db, "S02", "Caisse 1");
    db.query("UPDATE terminals SET enroll_expires_ms = 1 WHERE id = 'S02-T01'", &[]);
    assert_eq!(enroll_from(&server.url, "127.0.0.1", &code).0, 403);
    let fresh: Value = serde_json::from_str(&admin_ok(&db, &["--json", "terminal", "code", "S02-T01"])).unwrap();
    let fresh = fresh["enrollment_code"].as_str().unwrap().to_string();
    assert_eq!(enroll_from(&server.url, "127.0.0.1", &fresh).0, 200);
    let another_key = runtime().block_on(async {
        let body = json!({ "protocol_version": 1, "code": fresh, "public_key": "22".repeat(32) });
        let response = reqwest::Client::new().post(format!("{}/v1/enroll", server.url)).json(&body).send().await;
        response.unwrap().status().as_u16()
    });
    assert_eq!(another_key, 404, "a code works once (the same key again is its lost answer asked again)");

    // Guessing codes from one address: after 10 failures its enrolling is
    // paused; a till with a good token at the same address (the shop's
    // guest Wi-Fi and its tills share one) is not, nor are other addresses.
    for guess in 0..10 {
        assert_eq!(enroll_from(&server.url, "127.0.0.2", &format!("guess{guess}")).0, 404);
    }
    let (status, retry) = enroll_from(&server.url, "127.0.0.2", "guess-again");
    assert_eq!((status, retry), (429, Some("60".to_string())), "10 failures pause it");
    assert_eq!(catalog_from(&server.url, "127.0.0.2", &token), 200, "a good token is never paused for others");
    assert_eq!(enroll_from(&server.url, "127.0.0.3", "guess").0, 404, "other addresses may still enroll");

    // A credential that keeps failing is paused from every address.
    let revoked = new_terminal_code(&db, "S01", "Caisse 2");
    let body: Value = runtime().block_on(async {
        let body = json!({ "protocol_version": 1, "code": revoked, "public_key": pos_tests::ANY_KEY });
        let response =
            reqwest::Client::new().post(format!("{}/v1/enroll", server.url)).json(&body).send().await.unwrap();
        response.json().await.unwrap()
    });
    let old_token = body["token"].as_str().unwrap().to_string();
    admin_ok(&db, &["terminal", "revoke", "S01-T02"]);
    for from in ["127.0.0.4", "127.0.0.5"].iter().cycle().take(10) {
        assert_eq!(catalog_from(&server.url, from, &old_token), 401);
    }
    assert_eq!(catalog_from(&server.url, "127.0.0.6", &old_token), 429);
    assert_eq!(catalog_from(&server.url, "127.0.0.6", &token), 200);
}

/// POSTs an enrollment from 127.0.0.1 saying it forwards for `client`.
fn enroll_forwarded(url: &str, client: &str, code: &str) -> u16 {
    runtime().block_on(async {
        let body = json!({ "protocol_version": 1, "code": code, "public_key": pos_tests::ANY_KEY });
        let request = reqwest::Client::new().post(format!("{url}/v1/enroll")).json(&body);
        let response = request.header("x-forwarded-for", format!("10.9.9.9, {client}")).send().await.unwrap();
        response.status().as_u16()
    })
}

/// Behind a trusted proxy, a guesser pauses only the address the proxy
/// forwarded for; from anyone else, the header changes nothing.
#[test]
fn behind_a_trusted_proxy_a_guesser_pauses_only_itself() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    let proxied = ServerProcess::start_with(&db, &["--listen", "127.0.0.1:0", "--trusted-proxy", "127.0.0.1"]);
    for guess in 0..10 {
        assert_eq!(enroll_forwarded(&proxied.url, "203.0.113.5", &format!("guess{guess}")), 404);
    }
    assert_eq!(enroll_forwarded(&proxied.url, "203.0.113.5", "again"), 429, "the guesser is paused");
    assert_eq!(enroll_forwarded(&proxied.url, "203.0.113.6", "mine"), 404, "the other tills behind the proxy are not");

    let direct = ServerProcess::start(&db);
    for guess in 0..10 {
        let client = format!("203.0.113.{guess}");
        assert_eq!(enroll_forwarded(&direct.url, &client, &format!("guess{guess}")), 404);
    }
    assert_eq!(enroll_forwarded(&direct.url, "198.51.100.1", "again"), 429, "a forged header dodges nothing");
}

/// Sends `head` (a request's head and the start of its body, no more) and
/// returns the status line the server answers with before the rest comes.
fn answer_to(url: &str, head: &str) -> String {
    let mut stream = TcpStream::connect(address(url)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).expect("answered before the rest of the body");
    status.trim_end().to_string()
}

#[test]
fn a_body_without_a_valid_credential_is_refused_before_it_is_read() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let length = 15 * 1024 * 1024;
    for (path, auth) in [
        ("/v1/push", "Authorization: Bearer not-a-token\r\n"),
        ("/v1/push", ""),
        ("/v1/channel/orders", "Authorization: Bearer not-a-key\r\n"),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: pos\r\n{auth}Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{\"protocol_version\": 1"
        );
        assert_eq!(answer_to(&server.url, &head), "HTTP/1.1 401 Unauthorized", "{path} {auth}");
    }
    // What needs no credential takes a small body only: a 15 MiB
    // enrollment is refused unread, and one sent in chunks after 8 KiB.
    for path in ["/v1/enroll", "/v1/recognize"] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: pos\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{"
        );
        assert_eq!(answer_to(&server.url, &head), "HTTP/1.1 413 Payload Too Large", "{path}");
        let chunk = format!("{{\"protocol_version\": 1, \"code\": \"{}\"}}", "x".repeat(64 * 1024));
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: pos\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n",
            chunk.len()
        );
        assert_eq!(answer_to(&server.url, &head), "HTTP/1.1 413 Payload Too Large", "{path}, chunked");
    }
}

#[test]
fn slow_clients_are_closed_and_the_rest_are_served() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start_with(
        &db,
        &["--listen", "127.0.0.1:0", "--max-connections", "16", "--header-timeout", "0.5", "--body-timeout", "1"],
    );
    // 64 clients that start a request and never finish its headers.
    let slow: Vec<TcpStream> = (0..64)
        .map(|_| {
            let mut stream = TcpStream::connect(address(&server.url)).unwrap();
            stream.write_all(b"POST /v1/push HTTP/1.1\r\nHost: pos\r\n").unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            stream
        })
        .collect();
    // A till can still get through: the server closes the trickling ones.
    let health = runtime().block_on(async {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        http.get(format!("{}/healthz", server.url)).send().await.map(|r| r.status().as_u16())
    });
    assert_eq!(health.ok(), Some(200));
    for (i, mut stream) in slow.into_iter().enumerate() {
        let mut rest = Vec::new();
        // Closed by the server: EOF (after a 408 or nothing), not a read timeout.
        match stream.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("slow client {i} was never closed: {e}"),
        }
    }
    // A body that stops halfway is cut off too.
    let mut stream = TcpStream::connect(address(&server.url)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "POST /v1/enroll HTTP/1.1\r\nHost: pos\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"pro"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "{answer}");

    // A connection that never says a word is closed too (30 s would be
    // sixty header timeouts: the read ends in EOF, not in its own timeout).
    let mut silent = TcpStream::connect(address(&server.url)).unwrap();
    silent.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    match silent.read_to_end(&mut Vec::new()) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("a silent connection was never closed: {e}"),
    }

    // A body trickled one byte at a time, each within the body timeout of
    // the last, is still cut once the whole body's time is up.
    let mut trickle = TcpStream::connect(address(&server.url)).unwrap();
    let length = 200;
    write!(
        trickle,
        "POST /v1/enroll HTTP/1.1\r\nHost: pos\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
    .unwrap();
    let mut sent = 0;
    while sent < length && trickle.write_all(b" ").is_ok() {
        sent += 1;
        std::thread::sleep(Duration::from_millis(100));
        trickle.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        let closed = trickle.read(&mut byte).is_ok();
        trickle.set_nonblocking(false).unwrap();
        if closed {
            break;
        }
    }
    assert!(sent < length, "the server took a {length}-byte body over {} s", length / 10);
}

/// Staff belong to a store: a till gets the PIN hashes of its own store's
/// staff (and chain-wide staff) only, so a copied till database gives away
/// no other store's PINs; another store's user reaches it inactive, with no
/// hash, even after being moved away.
#[test]
fn a_till_gets_only_its_own_stores_staff() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    admin_ok(&db, &["user", "add", "--name", "Luc", "--role", "manager", "--pin", "555555", "--store", "S02"]);
    assert!(
        pos_tests::head_office::admin_refused(
            &db,
            &["user", "add", "--name", "Zed", "--role", "cashier", "--pin", "6666", "--store", "S09"]
        )
        .contains("no store")
    );
    let server = ServerProcess::start(&db);
    let (paris, lyon) = (work.path().join("paris"), work.path().join("lyon"));
    pos_tests::head_office::enroll_till_cli(&db, &server.url, "S01", &paris);
    pos_tests::head_office::enroll_till_cli(&db, &server.url, "S02", &lyon);
    let hash_of = |till: &std::path::Path, name: &str| -> (String, bool) {
        let conn = rusqlite::Connection::open(till.join(pos_terminal::db::DB_FILE)).unwrap();
        conn.query_row("SELECT pin_hash, active FROM users WHERE name = ?1", [name], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_default()
    };
    assert_eq!(hash_of(&paris, "Luc"), (String::new(), false), "Paris never sees Luc's hash");
    assert!(hash_of(&lyon, "Luc").0.starts_with("$argon2"), "Lyon does");
    assert!(hash_of(&paris, "Marie").0.starts_with("$argon2"), "chain-wide staff reach every till");
    let refused =
        pos_tests::cli_refused(&paris, &["session", "open", "--user", "Luc", "--pin", "555555", "--float", "50"]);
    assert!(refused.contains("nobody called “Luc”"), "{refused}");
    // Luc moves to Paris: Lyon's till loses him at its next sync.
    admin_ok(&db, &["user", "change", "Luc", "--store", "S01"]);
    pos_tests::cli_ok(&paris, &["sync", "--once"]);
    pos_tests::cli_ok(&lyon, &["sync", "--once"]);
    assert!(hash_of(&paris, "Luc").0.starts_with("$argon2"));
    assert_eq!(hash_of(&lyon, "Luc"), (String::new(), false));
}

/// Head office holds staff to the PIN rules: a manager's PIN has six
/// digits or more; cashiers who share a till have different PINs (a PIN
/// alone may name a cashier), but a manager's PIN is nobody else's concern,
/// and a cashier of another store may reuse a PIN. A refusal changes
/// nothing.
#[test]
fn head_office_holds_staff_to_the_pin_rules() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let add = |name: &str, role: &str, pin: &str, store: &str| {
        let mut args = vec!["user", "add", "--name", name, "--role", role, "--pin", pin];
        if !store.is_empty() {
            args.extend(["--store", store]);
        }
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let refused = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        pos_tests::head_office::admin_refused(&db, &args)
    };
    let ok = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        admin_ok(&db, &args);
    };
    assert!(refused(add("Luc", "manager", "5555", "S01")).contains("6 to 12 digits"));
    assert!(
        refused(add("Zoé", "cashier", pos_tests::CASHIER_PIN, "S01")).contains("taken"),
        "Camille works at every till"
    );
    ok(add("Luc", "manager", pos_tests::MANAGER_PIN, "S01"));
    ok(add("Zoé", "cashier", "4321", "S01"));
    assert!(refused(add("Léo", "cashier", "4321", "S01")).contains("taken"));
    ok(add("Léo", "cashier", "4321", "S02"));
    let server = ServerProcess::start(&db);
    let paris = work.path().join("paris");
    pos_tests::head_office::enroll_till_cli(&db, &server.url, "S01", &paris);
    let names = pos_tests::cli_ok(&paris, &["user", "list"]);
    assert!(names.contains("Luc") && names.contains("Zoé") && !names.contains("Léo"), "{names}");
    pos_tests::cli_ok(&paris, &["report", "x", "--user", "Luc", "--pin", pos_tests::MANAGER_PIN]);
}

/// Guessing PINs at a till: five wrong in a row lock PIN entry for a
/// minute, the next lockout for two, and each lockout is journaled and
/// reaches head office as a flag.
#[test]
fn pin_lockouts_escalate_and_head_office_sees_them() {
    use pos_terminal::CoreError;
    use pos_tests::week::{WeekClock, sync, till_on_clock};
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let clock = WeekClock::at(16);
    let mut till = till_on_clock(&db, &server.url, "S01", &work.path().join("till"), &clock);
    let entries = till.verify_journal().unwrap().entries;
    let guess_five = |till: &mut pos_terminal::Terminal| {
        for _ in 0..4 {
            assert!(matches!(till.login(pos_tests::MANAGER_NAME, "000000"), Err(CoreError::WrongPin)));
        }
        assert!(matches!(till.login(pos_tests::MANAGER_NAME, "000000"), Err(CoreError::LockedOut(_))));
    };
    guess_five(&mut till);
    assert!(
        matches!(till.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN), Err(CoreError::LockedOut(60))),
        "even the right PIN waits"
    );
    let minute = 60_000;
    clock.0.fetch_add(minute + 1_000, std::sync::atomic::Ordering::SeqCst);
    guess_five(&mut till);
    assert!(
        matches!(till.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN), Err(CoreError::LockedOut(120))),
        "twice as long"
    );
    clock.0.fetch_add(2 * minute + 1_000, std::sync::atomic::Ordering::SeqCst);
    till.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    guess_five(&mut till);
    assert!(
        matches!(till.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN), Err(CoreError::LockedOut(60))),
        "a good PIN starts over"
    );
    // Each of the 15 wrong PINs is journaled, and each lockout.
    assert_eq!(till.verify_journal().unwrap().entries, entries + 15 + 3, "fifteen refused PINs, three lockouts");
    sync(&mut till);
    let flags = admin_ok(&db, &["flags"]);
    assert_eq!(flags.matches("wrong PINs in a row").count(), 3, "{flags}");
    assert!(flags.contains("for 120 s (lockout 2"), "{flags}");
}

/// Anyone on a shop's Wi-Fi guessing enrollment codes cannot cut the
/// shop's tills off: they sync on from the same address, and the guesser is
/// told what is paused and for how long. Guessing from every address
/// together pauses enrolling for everyone, and only enrolling.
#[test]
fn guessing_codes_from_a_shops_address_never_stops_its_tills() {
    let work = tempfile::tempdir().unwrap();
    let (_db, server, till) = pos_tests::head_office::shop_with_a_till(work.path());
    for guess in 0..40 {
        let status = enroll_from(&server.url, "127.0.0.1", &format!("guess{guess}")).0;
        assert!(status == 404 || status == 429, "{status}");
    }
    let said = runtime().block_on(async {
        let body = json!({ "protocol_version": 1, "code": "guess", "public_key": pos_tests::ANY_KEY });
        let response =
            reqwest::Client::new().post(format!("{}/v1/enroll", server.url)).json(&body).send().await.unwrap();
        response.text().await.unwrap()
    });
    assert!(said.contains("too many wrong enrollment codes from this address: try again in"), "{said}");
    pos_tests::cli_ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    let synced = pos_tests::cli_ok(&till, &["sync", "--once"]);
    assert!(synced.contains("2 entries pushed"), "the shop's till syncs from the same address: {synced}");

    // From many addresses: enrolling pauses for all; tills sync on.
    for n in 0..100u32 {
        enroll_from(&server.url, &format!("127.0.1.{}", n % 250 + 1), &format!("g{n}"));
    }
    let (status, _) = enroll_from(&server.url, "127.0.2.1", "g");
    assert_eq!(status, 429, "enrolling is paused for every address");
    assert!(pos_tests::cli_ok(&till, &["sync", "--once"]).contains("Synced"));
}

/// Before anyone is signed in, the log-in and password forms take a few
/// kilobytes: a large body is refused, not read into memory.
#[test]
fn a_log_in_form_of_more_than_a_few_kilobytes_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    // A megabyte announced: refused once 8 KiB of it are read, the rest never.
    let mut stream = TcpStream::connect(address(&server.url)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "POST /office/login HTTP/1.1\r\nHost: pos\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 1048576\r\n\r\nemail=a%40b.c&password={}",
        "x".repeat(16 * 1024)
    )
    .unwrap();
    let mut status = String::new();
    BufReader::new(&stream).read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    let http = reqwest::blocking::Client::new();
    let small = http
        .post(format!("{}/office/login", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=a%40b.c&password=wrong")
        .send()
        .unwrap();
    assert_ne!(small.status().as_u16(), 413, "a real log-in form is read");
}

/// The enrollment-guessing limit is head office's, not one process's:
/// guesses spread over two servers of a chain count together, and a
/// restart forgets none of them.
#[test]
fn guessing_codes_is_counted_by_every_server_of_a_chain() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let args = ["--listen", "127.0.0.1:0", "--failures-before-pause", "4"];
    let (first, mut second) = (ServerProcess::start_with(&db, &args), ServerProcess::start_with(&db, &args));
    for guess in 0..4 {
        let server = if guess % 2 == 0 { &first } else { &second };
        assert_eq!(enroll_from(&server.url, "127.0.0.7", &format!("guess{guess}")).0, 404);
    }
    assert_eq!(enroll_from(&first.url, "127.0.0.7", "again").0, 429, "four guesses over two servers pause it");
    second.kill();
    let second = ServerProcess::start_with(&db, &args);
    let (status, retry) = enroll_from(&second.url, "127.0.0.7", "again");
    assert_eq!(status, 429, "a restarted server still knows");
    assert!(retry.is_some_and(|s| s.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s))));
    assert_eq!(enroll_from(&second.url, "127.0.0.8", "guess").0, 404, "other addresses may still enroll");
}
