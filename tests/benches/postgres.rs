//! Head office on PostgreSQL (the local server, a fresh schema per run):
//!
//! - ingest: one server applies 20,000 five-line sales pushed 500 at a
//!   time (idempotent and reconciled: a replay changes nothing), against a
//!   bare `COPY` of the same rows into the same tables in the same run.
//!   Goals: >= 100k movements/s, ratio >= 0.3.
//! - replicas: 60 tills catch up 1,000 sales each over HTTP through three
//!   `pos-sync-server` processes against one, on the same PostgreSQL, in
//!   the same run (each run on a fresh schema, twice each, alternating,
//!   the faster kept); with the CPU the servers
//!   and PostgreSQL used. Goal on a 2-core box: >= 1.0.

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use pos_shared::ids::TerminalId;
use pos_shared::journal::SaleRecord;
use pos_shared::protocol::{PROTOCOL_VERSION, PushRequest, WireEntry};
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::postgres::{DEFAULT_CONNECTIONS, PgDb};
use pos_sync_server::storage::rules::admin::CODE_VALID_HOURS;
use pos_sync_server::storage::{SyncStore, TerminalAuth};
use pos_tests::bench::{ingest_and_replay, report};
use pos_tests::head_office::{HqDb, ServerProcess};
use pos_tests::journals::{LINES, sale_journal};
use pos_tests::postgres::TestDatabase;

const INGEST_SALES: u64 = 20_000;
const BATCH: usize = 500;
const TILLS: usize = 60;
const TILL_SALES: u64 = 1_000;
const TILL_BATCH: usize = 100;
const STORES: usize = 10;

/// Head office with `stores` stores and `tills` enrolled terminals spread
/// over them: their tokens and ids, in order.
fn enrolled(store: &HeadOffice<PgDb>, stores: usize, tills: usize) -> Vec<TerminalAuthAndToken> {
    for i in 1..=stores {
        store.add_store(&format!("Store {i}"), "EUR", true, None).unwrap();
    }
    // Head office holds only sales of products its catalog has.
    store.import_catalog(pos_tests::generated::catalog_csv(50_000).as_bytes()).unwrap();
    (0..tills)
        .map(|i| {
            let created = store.add_terminal(&format!("S{:02}", i % stores + 1), "Till", CODE_VALID_HOURS).unwrap();
            let token = store.enroll(&created.enrollment_code, None, None).unwrap().token;
            TerminalAuthAndToken { auth: store.authenticate(&token).unwrap(), token }
        })
        .collect()
}

struct TerminalAuthAndToken {
    auth: TerminalAuth,
    token: String,
}

/// The text `COPY` form of a byte string.
fn bytea(bytes: &[u8]) -> String {
    format!("\\\\x{}", hex_string(bytes))
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the rows ingest writes for `entries` with `COPY`, in one
/// transaction; how long it took.
fn bare_copy(url: &str, entries: &[(WireEntry, SaleRecord)]) -> Duration {
    let (mut journal, mut sales, mut lines, mut movements) =
        (String::new(), String::new(), String::new(), String::new());
    for (entry, record) in entries {
        let receipt = record.receipt_no.to_string();
        let payload = bytea(entry.payload.get().as_bytes());
        journal.push_str(&format!("S01-T01\t{}\tsale\t0\t{payload}\t{}\n", entry.seq, bytea(&entry.hash.0)));
        sales.push_str(&format!("{receipt}\tS01-T01\t1\t{}\tsale\t0\tCamille\t995\t50\t0\n", entry.seq));
        for line in &record.lines {
            lines.push_str(&format!("{receipt}\t{}\t{}\t1000\t189\t199\n", line.line_no, line.sku));
            movements.push_str(&format!("1\tS01-T01\t{}\t{}\t-1000\tsale\n", entry.seq, line.sku));
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (mut client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        let started = Instant::now();
        let tx = client.transaction().await.unwrap();
        for (copy, rows) in [
            ("COPY journal (terminal_id, seq, kind, at_ms, payload, hash) FROM STDIN", journal),
            (
                "COPY sales (receipt_no, terminal_id, store_id, seq, kind, at_ms, cashier, total_minor, tax_minor, \
                 discount_minor) FROM STDIN",
                sales,
            ),
            ("COPY sale_lines (receipt_no, line_no, sku, qty_milli, net_minor, gross_minor) FROM STDIN", lines),
            ("COPY stock_movements (store_id, terminal_id, seq, sku, qty_milli, reason) FROM STDIN", movements),
        ] {
            let sink = tx.copy_in::<_, std::io::Cursor<Vec<u8>>>(copy).await.unwrap();
            let mut sink = Box::pin(sink);
            sink.send(std::io::Cursor::new(rows.into_bytes())).await.unwrap();
            sink.as_mut().finish().await.unwrap();
        }
        tx.commit().await.unwrap();
        started.elapsed()
    })
}

fn bench_ingest() {
    let database = TestDatabase::new();
    let store = HeadOffice::new(PgDb::open(&database.url).unwrap());
    let auth = enrolled(&store, 1, 1).remove(0).auth;
    let terminal: TerminalId = auth.terminal_id.parse().unwrap();
    let entries: Vec<_> = sale_journal(terminal, INGEST_SALES, 50_000).collect();
    let wire: Vec<WireEntry> = entries.iter().map(|(e, _)| e.clone()).collect();
    let moved = (INGEST_SALES * LINES * 1000) as i64;
    let (ingest, replay) = ingest_and_replay(&store, &auth, &wire, BATCH, moved);

    let bare = TestDatabase::new();
    let bare_store = HeadOffice::new(PgDb::open(&bare.url).unwrap());
    drop(enrolled(&bare_store, 1, 1));
    let copy = bare_copy(&bare.url, &entries);
    let movements = (INGEST_SALES * LINES) as f64;
    report("pg_ingest_movements_per_s", movements / ingest.as_secs_f64(), "movements/s");
    report("pg_copy_movements_per_s", movements / copy.as_secs_f64(), "movements/s");
    report("pg_ingest_vs_copy_ratio", copy.as_secs_f64() / ingest.as_secs_f64(), "x");
    report("pg_replay_movements_per_s", movements / replay.as_secs_f64(), "movements/s");
}

/// CPU seconds (user + system) a process has used, from `/proc`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces), closed by ')'.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds used so far by every PostgreSQL process on this machine.
fn postgres_cpu_seconds() -> f64 {
    let Ok(procs) = std::fs::read_dir("/proc") else { return 0.0 };
    procs
        .filter_map(|p| p.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .map(cpu_seconds)
        .sum()
}

/// What one catch-up run took: wall time, servers' CPU, PostgreSQL's CPU.
struct Run {
    wall: Duration,
    servers_cpu: f64,
    postgres_cpu: f64,
}

/// 60 tills push their journals through `servers` server processes, each
/// keeping `connections` to PostgreSQL (the default, in this bench), on a fresh schema (till `i` to
/// server `i % servers`), all at once.
fn catch_up_through(servers: usize, connections: usize, journals: &[Vec<WireEntry>]) -> Run {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::postgres(work.path());
    let tills = enrolled(&HeadOffice::new(PgDb::open(db.address()).unwrap()), STORES, TILLS);
    let connections = connections.to_string();
    let args = ["--listen", "127.0.0.1:0", "--db-connections", &connections];
    let processes: Vec<ServerProcess> = (0..servers).map(|_| ServerProcess::start_with(&db, &args)).collect();
    let servers_before: f64 = processes.iter().map(|p| cpu_seconds(p.pid())).sum();
    let postgres_before = postgres_cpu_seconds();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let http = reqwest::Client::new();
    let started = Instant::now();
    runtime.block_on(async {
        let pushes = tills.iter().zip(journals).enumerate().map(|(i, (till, journal))| {
            let (http, url) = (http.clone(), processes[i % servers].url.clone());
            async move {
                for chunk in journal.chunks(TILL_BATCH) {
                    let body = PushRequest {
                        protocol_version: PROTOCOL_VERSION,
                        terminal_id: till.auth.terminal_id.clone(),
                        entries: chunk.to_vec(),
                    };
                    let response =
                        http.post(format!("{url}/v1/push")).bearer_auth(&till.token).json(&body).send().await.unwrap();
                    assert!(response.status().is_success(), "push refused: {}", response.status());
                }
            }
        });
        futures_util::future::join_all(pushes).await;
    });
    let wall = started.elapsed();
    let run = Run {
        wall,
        servers_cpu: processes.iter().map(|p| cpu_seconds(p.pid())).sum::<f64>() - servers_before,
        postgres_cpu: postgres_cpu_seconds() - postgres_before,
    };
    let applied = db.count("SELECT COUNT(*) FROM journal", &[]);
    assert_eq!(applied as u64, TILLS as u64 * TILL_SALES, "every sale applied once");
    let moved = db.count("SELECT CAST(-SUM(qty_milli) AS BIGINT) FROM stock_movements", &[]);
    assert_eq!(moved as u64, TILLS as u64 * TILL_SALES * LINES * 1000, "every movement once");
    run
}

fn bench_replicas() {
    let journals: Vec<Vec<WireEntry>> = (0..TILLS)
        .map(|i| {
            let terminal: TerminalId = format!("S{:02}-T{:02}", i % STORES + 1, i / STORES + 1).parse().unwrap();
            sale_journal(terminal, TILL_SALES, 2_000).map(|(entry, _)| entry).collect()
        })
        .collect();
    // One, three, three, one: neither goes first every time (the first run
    // on a fresh database pays for warming it); each keeps its faster run.
    let runs: Vec<(usize, Run)> = [1, 3, 3, 1]
        .into_iter()
        .map(|servers| (servers, catch_up_through(servers, DEFAULT_CONNECTIONS, &journals)))
        .collect();
    let best = |servers: usize| {
        runs.iter().filter(|(n, _)| *n == servers).map(|(_, run)| run).min_by_key(|run| run.wall).unwrap()
    };
    let (one, three) = (best(1), best(3));
    let sales = (TILLS as u64 * TILL_SALES) as f64;
    report("replicas_1_sales_per_s", sales / one.wall.as_secs_f64(), "sales/s");
    report("replicas_3_sales_per_s", sales / three.wall.as_secs_f64(), "sales/s");
    report("replicas_3_vs_1_ratio", one.wall.as_secs_f64() / three.wall.as_secs_f64(), "x");
    for (name, run) in [("1", one), ("3", three)] {
        report(&format!("replicas_{name}_servers_cpu_s"), run.servers_cpu, "s");
        report(&format!("replicas_{name}_postgres_cpu_s"), run.postgres_cpu, "s");
    }
}

fn main() {
    bench_ingest();
    bench_replicas();
}
