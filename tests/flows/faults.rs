//! Sync through a fault-injecting proxy while servers are SIGKILLed and
//! restarted, with one server and with three on the same database behind
//! the proxy's round robin (a push repeated to two of them at the same
//! moment included): still every movement exactly once, and every
//! terminal converges once the faults stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pos_shared::journal::CashDirection;
use pos_terminal::Terminal;
use pos_terminal::sync::run::sync_once;
use pos_tests::head_office::{HqDb, ServerProcess, client_via, enrolled_terminal, head_office};
use pos_tests::proxy::FaultProxy;
use rand::Rng;

use crate::sync::{assert_same_facts, central_stock, random_sale, return_first_line, runtime, terminals_stock};

const OFFLINE_SALES: usize = 60;
const PUSH_BATCH: usize = 15;
const SERVER_KILLS: usize = 3;

/// Sells while offline: sales, a few returns and a cash move.
fn sell_offline(terminal: &mut Terminal) {
    let manager = terminal.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    for n in 1..=OFFLINE_SALES {
        let receipt = random_sale(terminal);
        if n % 12 == 0 {
            return_first_line(terminal, &receipt);
        }
    }
    terminal.cash_move(&manager, CashDirection::Out, "5".parse().unwrap(), "window cleaner", None).unwrap();
}

#[test]
fn faults_and_server_kills_never_lose_or_double_a_movement() {
    sync_through_faults(1);
}

#[test]
fn three_servers_on_one_database_apply_every_movement_once() {
    sync_through_faults(3);
}

fn urls(servers: &[ServerProcess]) -> Vec<String> {
    servers.iter().map(|s| s.url.clone()).collect()
}

/// Three tills sell offline, then sync through the faulty proxy in front
/// of `count` servers while one of them at a time is killed and restarted.
fn sync_through_faults(count: usize) {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let servers = Arc::new(Mutex::new((0..count).map(|_| ServerProcess::start(&db)).collect::<Vec<_>>()));
    let url = servers.lock().unwrap()[0].url.clone();
    let proxy = Arc::new(FaultProxy::start(&urls(&servers.lock().unwrap())));
    let dirs: Vec<_> = ["t1", "t2", "t3"].iter().map(|n| work.path().join(n)).collect();
    let mut terminals: Vec<Terminal> =
        dirs.iter().zip(["S01", "S01", "S02"]).map(|(dir, store)| enrolled_terminal(&db, &url, store, dir)).collect();
    for terminal in &mut terminals {
        sell_offline(terminal);
    }

    let syncing = Arc::new(AtomicBool::new(true));
    let killer = {
        let (servers, proxy, syncing) = (servers.clone(), proxy.clone(), syncing.clone());
        std::thread::spawn(move || {
            let mut kills = 0;
            while kills < SERVER_KILLS && syncing.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(rand::rng().random_range(50..300)));
                let mut servers = servers.lock().unwrap();
                let victim = rand::rng().random_range(0..servers.len());
                servers[victim].restart();
                proxy.set_upstreams(&urls(&servers));
                kills += 1;
            }
            kills
        })
    };
    let workers: Vec<_> = terminals
        .into_iter()
        .map(|mut terminal| {
            let proxy_url = proxy.url.clone();
            std::thread::spawn(move || {
                let client = client_via(&terminal, &proxy_url, PUSH_BATCH);
                let runtime = runtime();
                for attempt in 0..2_000 {
                    if attempt < 10 {
                        random_sale(&mut terminal); // the counter keeps selling meanwhile
                    }
                    let done = runtime.block_on(sync_once(&mut terminal, &client)).is_ok();
                    if done && attempt >= 10 && terminal.pending_sync_count().unwrap() == 0 {
                        return terminal;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                panic!("terminal {} never drained its outbox", terminal.settings().terminal_id);
            })
        })
        .collect();
    let mut terminals: Vec<Terminal> = workers.into_iter().map(|w| w.join().expect("sync worker")).collect();
    syncing.store(false, Ordering::SeqCst);
    let kills = killer.join().expect("killer");
    assert!(kills > 0, "the server was never killed");
    assert!(proxy.stats().faults() > 0, "no fault was injected: {:?}", proxy.stats());
    eprintln!("{count} servers, kills: {kills}; proxy: {:?}", proxy.stats());

    proxy.set_faulty(false);
    for terminal in &mut terminals {
        let client = client_via(terminal, &proxy.url, PUSH_BATCH);
        runtime().block_on(sync_once(terminal, &client)).expect("converges without faults");
    }
    let paths: Vec<&std::path::Path> = dirs.iter().map(|d| d.as_path()).collect();
    let central = central_stock(&db);
    assert_eq!(central, terminals_stock(&paths), "central stock is the sum of the terminals' movements");
    for (terminal, dir) in terminals.iter().zip(&dirs) {
        assert_same_facts(&db, dir);
        let store = &terminal.settings().terminal_id.as_str()[..3];
        for ((s, sku), on_hand) in central.iter().filter(|((s, _), _)| s == store) {
            assert_eq!(terminal.known_stock_milli(sku).unwrap(), *on_hand, "{s} {sku}: the terminal converged");
        }
    }
}
