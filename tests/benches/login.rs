//! Benchmarks a login and a manager's approval as a store's staff grows:
//! staff choose their name first, so a login checks one argon2 hash
//! whether the till knows 2 people or 302. Reports the time with 302 staff
//! against the time with 2, measured in the same run (goal: ratio <= 1.2),
//! and, for comparison, what a PIN alone costs across 300 cashiers (why it
//! is an option for small shops, not the default).

use std::time::{Duration, Instant};

use pos_shared::roles::Permission;
use pos_terminal::Terminal;
use pos_terminal::demo::{DEMO_CASHIER, DEMO_MANAGER, create_demo};
use pos_terminal::users::Credentials;
use pos_tests::bench::{quantile, report};

const STAFF: usize = 300;
const ROUNDS: usize = 15;

/// The median of `ROUNDS` logins and approvals as Marie, on `terminal`.
fn login_and_approve(terminal: &mut Terminal) -> Duration {
    let cashier = terminal.login(DEMO_CASHIER.0, DEMO_CASHIER.1).expect("cashier");
    let marie = Credentials::new(DEMO_MANAGER.0, DEMO_MANAGER.1);
    let mut samples: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            terminal.login(&marie.user, &marie.pin).expect("login");
            terminal.authorize(&cashier, Permission::VoidLine, Some(&marie), "bench").expect("approval");
            started.elapsed()
        })
        .collect();
    quantile(&mut samples, 0.5)
}

/// Gives the store `STAFF` more cashiers, straight into its database (adding
/// them one by one through the core would check each PIN against the
/// others: slow, and not what is measured here).
fn hire(dir: &std::path::Path) {
    let conn = rusqlite::Connection::open(dir.join(pos_terminal::db::DB_FILE)).expect("open");
    let hash: String =
        conn.query_row("SELECT pin_hash FROM users WHERE name = 'Camille'", [], |r| r.get(0)).expect("hash");
    for n in 0..STAFF {
        conn.execute(
            "INSERT INTO users (name, role, pin_hash) VALUES (?1, 'cashier', ?2)",
            (format!("Staff {n:03}"), &hash),
        )
        .expect("staff");
    }
}

fn main() {
    let work = tempfile::tempdir().expect("temp dir");
    let (small, large) = (work.path().join("small"), work.path().join("large"));
    drop(create_demo(&small).expect("demo"));
    drop(create_demo(&large).expect("demo"));
    hire(&large);
    let mut small = Terminal::open(&small).expect("small store");
    let mut large = Terminal::open(&large).expect("large store");
    let (mut few, mut many) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        few.push(login_and_approve(&mut small));
        many.push(login_and_approve(&mut large));
    }
    let (few, many) = (quantile(&mut few, 0.5), quantile(&mut many, 0.5));
    report("login_and_approval_2_staff_ms", few.as_secs_f64() * 1e3, "ms");
    report("login_and_approval_302_staff_ms", many.as_secs_f64() * 1e3, "ms");
    report("login_302_vs_2_staff_ratio", many.as_secs_f64() / few.as_secs_f64(), "x");
    // A wrong PIN alone is tried against every cashier: the worst case.
    let started = Instant::now();
    let _ = large.login_by_pin("98765");
    report("pin_alone_301_cashiers_ms", started.elapsed().as_secs_f64() * 1e3, "ms");
}
