//! Helpers shared by the benchmarks: percentiles and the `bench:` output line.

use std::time::Duration;

/// The `q`-quantile (0..=1) of samples, which it sorts.
pub fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort_unstable();
    let index = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[index]
}

pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Prints one figure as `bench: NAME VALUE UNIT`.
pub fn report(name: &str, value: f64, unit: &str) {
    println!("bench: {name} {value:.3} {unit}");
}

/// A memory figure of a process from `/proc` (`VmRSS`, `VmHWM`, ...) in MB:
/// `pid`'s, or this process's when `None`; 0 where there is no `/proc`.
pub fn proc_memory_mb(pid: Option<u32>, field: &str) -> f64 {
    let path = pid.map_or_else(|| "/proc/self/status".to_string(), |pid| format!("/proc/{pid}/status"));
    let status = std::fs::read_to_string(path).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// Pushes `entries` to head office in batches of `batch`, then all of them
/// again (a replay, which must change nothing): how long each round took.
/// Checks that every movement is on hand once (`moved` thousandths out).
pub fn ingest_and_replay<D: pos_sync_server::storage::sql::Database>(
    store: &pos_sync_server::storage::head_office::HeadOffice<D>,
    auth: &pos_sync_server::storage::TerminalAuth,
    entries: &[pos_shared::protocol::WireEntry],
    batch: usize,
    moved: i64,
) -> (Duration, Duration) {
    use pos_sync_server::storage::SyncStore;
    let round = || {
        let started = std::time::Instant::now();
        for chunk in entries.chunks(batch) {
            store.push(auth, chunk).unwrap();
        }
        started.elapsed()
    };
    let (ingest, replay) = (round(), round());
    let on_hand: i64 = store
        .stock(None, false)
        .unwrap()
        .iter()
        .map(|r| (r.on_hand * rust_decimal::Decimal::from(1000)).try_into().unwrap_or(0i64))
        .sum();
    assert_eq!(on_hand, -moved, "every movement once, replay included");
    (ingest, replay)
}

/// Serves head office (the API and the back office) in the background on
/// a free port of `runtime`; returns its URL.
pub fn serve_in_background<D: pos_sync_server::storage::sql::Database>(
    runtime: &tokio::runtime::Runtime,
    office: std::sync::Arc<pos_sync_server::storage::head_office::HeadOffice<D>>,
) -> String {
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(pos_sync_server::serve(listener, office, Default::default(), std::future::pending()));
        url
    })
}

/// The cookie of a signed-in back-office session (an admin who has chosen
/// their password), for a benchmark's page requests.
pub fn office_cookie<D: pos_sync_server::storage::sql::Database>(
    office: &pos_sync_server::storage::head_office::HeadOffice<D>,
) -> String {
    use pos_sync_server::storage::rules::office::{LogIn, OfficeRole};
    let password = office.add_office_user("bench@example.com", OfficeRole::Admin).expect("account");
    let LogIn::Session { token, .. } = office.log_in("bench@example.com", &password, None).expect("log in") else {
        panic!("the one-time password was refused")
    };
    let session = office.office_session(&token).expect("session").expect("live");
    office.set_office_password(&session, &token, None, "a benchmark's password").expect("password");
    format!("{}={token}", pos_sync_server::office::COOKIE)
}

/// The 95th percentile, in milliseconds, of fetching each of `paths` (a
/// page and its whole body) `rounds` times with a session cookie.
pub fn page_p95_ms(url: &str, cookie: &str, paths: &[String], rounds: usize) -> f64 {
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    let mut took = Vec::new();
    for _ in 0..rounds {
        for path in paths {
            let started = std::time::Instant::now();
            let response = http.get(format!("{url}{path}")).header("cookie", cookie).send().expect("page");
            assert_eq!(response.status(), 200, "{path}");
            assert!(!response.text().expect("body").is_empty());
            took.push(started.elapsed());
        }
    }
    quantile(&mut took, 0.95).as_secs_f64() * 1e3
}
