//! Power-cut safety: a child process sells in a loop and is killed with
//! SIGKILL at random moments; every sale it reported committed must be
//! there, whole, with gapless receipt numbers and seqs and a sound chain.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use rand::Rng;
use rusqlite::Connection;

use pos_shared::journal::{Hash32, chain_hash};
use pos_tests::Store;

const KILLS: usize = 200;

/// When to kill the child: sometimes while it starts, mostly `after` it
/// said it is selling (so a slow, loaded machine kills as often mid-sale).
enum KillAt {
    DuringStartUp(Duration),
    WhileSelling(Duration),
}

/// Runs the child once, kills it, returns the sales it reported committed.
fn run_and_kill(dir: &std::path::Path, at: KillAt) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sale-loop"))
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sale-loop");
    let stdout = child.stdout.take().expect("piped stdout");
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut sales = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line == "ready" {
                let _ = ready_tx.send(());
            } else {
                sales.push(line);
            }
        }
        sales
    });
    match at {
        KillAt::DuringStartUp(delay) => std::thread::sleep(delay),
        KillAt::WhileSelling(delay) => {
            ready_rx.recv_timeout(Duration::from_secs(60)).expect("the child starts selling");
            std::thread::sleep(delay);
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    reader.join().expect("reader thread")
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Follows the hash chain from `(seq, hash)` to the newest entry and returns
/// the new head; panics at the first broken link.
fn extend_chain(conn: &Connection, from: (u64, Hash32)) -> (u64, Hash32) {
    let mut stmt =
        conn.prepare("SELECT seq, payload, prev_hash, hash FROM journal WHERE seq > ?1 ORDER BY seq").unwrap();
    let mut rows = stmt.query([from.0]).unwrap();
    let (mut seq, mut head) = from;
    while let Some(row) = rows.next().unwrap() {
        let next: u64 = row.get(0).unwrap();
        let payload: Vec<u8> = row.get(1).unwrap();
        let prev: Vec<u8> = row.get(2).unwrap();
        let hash: Vec<u8> = row.get(3).unwrap();
        assert_eq!(next, seq + 1, "seq gap after {seq}");
        assert_eq!(prev, head.0, "seq {next} does not link to {seq}");
        head = chain_hash(&head, &payload);
        assert_eq!(hash, head.0, "seq {next} hash mismatch");
        seq = next;
    }
    (seq, head)
}

#[test]
fn sigkill_never_loses_or_splits_a_sale() {
    let store = Store::open();
    let dir = store.path().to_path_buf();
    drop(store.terminal);
    let mut rng = rand::rng();
    let mut reported = 0;
    let mut head = (0, Hash32::GENESIS);
    for kill in 1..=KILLS {
        let at = if rng.random_range(0..10) == 0 {
            KillAt::DuringStartUp(Duration::from_millis(rng.random_range(0..40)))
        } else {
            KillAt::WhileSelling(Duration::from_millis(rng.random_range(1..40)))
        };
        let lines = run_and_kill(&dir, at);
        let conn = Connection::open(dir.join(pos_terminal::db::DB_FILE)).unwrap();
        for line in &lines {
            let parts: Vec<&str> = line.split(' ').collect();
            let (receipt, seq, lines): (&str, u64, i64) =
                (parts[0], parts[1].parse().unwrap(), parts[2].parse().unwrap());
            let stored: (u64, i64, i64) = conn
                .query_row(
                    "SELECT s.seq, (SELECT COUNT(*) FROM sale_lines WHERE sale_id = s.id),
                       (SELECT COUNT(*) FROM stock_movements WHERE seq = s.seq)
                     FROM sales s WHERE s.receipt_no = ?1",
                    [receipt],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap_or_else(|e| panic!("after kill {kill}: reported sale {receipt} is missing: {e}"));
            assert_eq!(stored, (seq, lines, lines), "kill {kill}: {receipt} is partial");
        }
        reported += lines.len();
        let sales = count(&conn, "SELECT COUNT(*) FROM sales");
        assert_eq!(count(&conn, "SELECT COALESCE(MAX(number), 0) FROM sales"), sales, "kill {kill}: receipt gap");
        assert_eq!(
            count(&conn, "SELECT COALESCE(MAX(seq), 0) FROM journal"),
            count(&conn, "SELECT COUNT(*) FROM journal"),
            "kill {kill}: seq gap"
        );
        head = extend_chain(&conn, head);
        drop(conn);
        if kill % 25 == 0 {
            let terminal = pos_terminal::Terminal::open(&dir).unwrap();
            let summary = terminal.verify_journal().unwrap_or_else(|e| panic!("after kill {kill}: {e}"));
            assert_eq!(summary.sales as i64, sales, "every sale row has its journal entry");
        }
    }
    assert!(reported > KILLS, "the child committed too few sales ({reported}) for the test to mean much");
}
