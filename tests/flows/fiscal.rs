//! Fiscal records (issue #18): months and years close themselves at the
//! first action after they end, with their Z reports' totals and a grand
//! total that never resets; a period's archive verifies offline, and any
//! byte flipped, closing deleted, grand total reset or month skipped in it
//! is named, even when the tamperer re-chains and re-signs with the till's
//! own key.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::TimeZone;
use pos_shared::fiscal::archive;
use pos_shared::fiscal::audit::StoredEntry;
use pos_shared::fiscal::{Period, PeriodClosing, PeriodTotals};
use pos_shared::ids::Seq;
use pos_shared::journal::{CanonicalEntry, Event, chain_hash};
use pos_shared::money::Money;
use pos_shared::report::SessionReport;
use pos_shared::signing::Signer;
use pos_terminal::Terminal;
use pos_terminal::session::CashCount;
use pos_terminal::signer::KeyFile;
use pos_tests::week::WeekClock;
use pos_tests::{Store, cli, cli_ok};
use proptest::prelude::*;

/// Local time on a day, at an hour.
fn local(year: i32, month: u32, day: u32, hour: u32) -> i64 {
    chrono::Local.with_ymd_and_hms(year, month, day, hour, 0, 0).single().expect("a local time").timestamp_millis()
}

/// The demo store on a clock the test moves, first set to `at_ms`; the
/// demo's session (opened today) closed there with the Z returned.
fn store_at(at_ms: i64) -> (Store, WeekClock, SessionReport) {
    let mut store = Store::open();
    let clock = WeekClock(Arc::new(AtomicI64::new(at_ms)));
    store.terminal = Terminal::open_with_clock(store.path(), Box::new(clock.clone())).unwrap();
    let first = z(&mut store);
    (store, clock, first)
}

fn z(store: &mut Store) -> SessionReport {
    let manager = store.manager();
    store.terminal.z_report(&manager, &CashCount::NotCounted("counted in the back office".into()), None).unwrap()
}

fn open(store: &mut Store) {
    let manager = store.manager();
    store.terminal.open_session(&manager, Money::from_minor(10_000)).unwrap();
}

/// A day of trade: the till opened, `sales` card sales (the first
/// returned in part when `with_return`), the Z.
fn day(store: &mut Store, sales: usize, with_return: bool) -> SessionReport {
    open(store);
    let receipts: Vec<String> = (0..sales).map(|_| crate::sync::random_sale(&mut store.terminal)).collect();
    if with_return && let Some(first) = receipts.first() {
        crate::sync::return_first_line(&mut store.terminal, first);
    }
    z(store)
}

/// November 2030 to the first days of February 2031, with days of trade
/// in each month; returns every Z report in order (the demo's first).
fn history() -> (Store, WeekClock, Vec<SessionReport>) {
    let (mut store, clock, first) = store_at(local(2030, 11, 2, 9));
    let mut zs = vec![first];
    for (month, date, sales) in [(11, 2, 3), (11, 20, 2), (12, 5, 4), (1, 10, 1)] {
        let year = if month == 1 { 2031 } else { 2030 };
        clock.0.store(local(year, month, date, 10), Ordering::SeqCst);
        zs.push(day(&mut store, sales, true));
    }
    clock.0.store(local(2031, 2, 3, 8), Ordering::SeqCst);
    open(&mut store);
    (store, clock, zs)
}

fn closing(closings: &[(u64, PeriodClosing)], period: &str) -> PeriodClosing {
    let period: Period = period.parse().unwrap();
    closings.iter().find(|(_, c)| c.period == period).map(|(_, c)| c.clone()).expect("the closing")
}

#[test]
fn months_and_years_close_themselves_with_their_z_reports() {
    let (mut store, clock, zs) = history();
    let closings = store.terminal.closings().unwrap();
    // Every month from the demo's to January 2031, each December followed by its year.
    let periods: Vec<Period> = closings.iter().map(|(_, c)| c.period).collect();
    let mut expected = vec![];
    let mut month = periods[0];
    while month <= "2031-01".parse().unwrap() {
        expected.push(month);
        if month.ends_year() {
            expected.push(Period::Year(month.year()));
        }
        month = month.next();
    }
    assert_eq!(periods, expected, "no month skipped, none twice");
    assert!(closings.len() > 40, "the demo's month to 2031, every one: {}", closings.len());
    assert_eq!(
        closing(&closings, "2030-10").totals,
        PeriodTotals::default(),
        "a month the till was off is closed empty"
    );

    // November: the demo's Z (made at the first action of November 2030) and two days.
    let november = closing(&closings, "2030-11");
    let mut sum = PeriodTotals::default();
    for z in &zs[..3] {
        sum.add_z(z);
    }
    assert_eq!(november.totals, sum);
    assert_eq!(november.totals.z_count, 3);
    assert!(november.totals.returns_count >= 2 && november.totals.sales_count >= 5, "{:?}", november.totals);
    assert_eq!((november.first_z, november.last_z), (zs[0].z_no, zs[2].z_no));
    assert_eq!(november.grand_total, zs[2].grand_total, "the month's grand total is its last Z's");
    let december = closing(&closings, "2030-12");
    let mut only_december = PeriodTotals::default();
    only_december.add_z(&zs[3]);
    assert_eq!(december.totals, only_december, "December's totals are its one Z's");
    assert_eq!(december.grand_total, november.grand_total + zs[3].net_total);
    let year = closing(&closings, "2030");
    let mut months = PeriodTotals::default();
    for month in 1..=12 {
        months.add(&closing(&closings, &format!("2030-{month:02}")).totals);
    }
    assert_eq!(year.totals, months, "the year is its months");
    assert_eq!(year.grand_total, december.grand_total);
    let january = closing(&closings, "2031-01");
    assert_eq!(january.grand_total, zs[4].grand_total);
    assert!(january.grand_total > Money::ZERO);

    // Nothing more is closed by later actions in the same month.
    crate::sync::random_sale(&mut store.terminal);
    assert_eq!(store.terminal.closings().unwrap().len(), closings.len());
    // A clock put back into a closed month records nothing.
    let before = store.terminal.verify_journal().unwrap();
    clock.0.store(local(2031, 1, 20, 10), Ordering::SeqCst);
    let cashier = store.cashier();
    let mut cart = pos_terminal::Cart::default();
    store.terminal.add_item(&mut cart, "BAK0001", None).unwrap();
    let refused = store.terminal.commit_sale(&cashier, &cart, &pos_tests::tenders(&["cash:10"])).unwrap_err();
    assert!(refused.to_string().contains("2031-01 is already closed: set the clock right"), "{refused}");
    assert_eq!(store.terminal.verify_journal().unwrap(), before, "nothing recorded");
    clock.0.store(local(2031, 2, 4, 10), Ordering::SeqCst);
    let listed = cli_ok(store.path(), &["fiscal", "closings"]);
    assert!(listed.contains("month 2030-11") && listed.contains("year 2030"), "{listed}");
    assert!(cli(store.path(), &["journal", "verify"]).status.success());
}

#[test]
fn an_archive_round_trips_and_a_flipped_byte_names_its_entry() {
    let (store, _clock, _) = history();
    let file = store.path().join("2030-12.archive");
    let said = cli_ok(store.path(), &["fiscal", "archive", "--period", "2030-12", "--out", file.to_str().unwrap()]);
    assert!(said.contains("Archive of 2030-12 written"), "{said}");
    let verified = cli_ok(store.path(), &["fiscal", "verify", file.to_str().unwrap()]);
    assert!(verified.contains("valid") && verified.contains("closings 2030-11, 2030-12"), "{verified}");
    let year = store.path().join("2030.archive");
    cli_ok(store.path(), &["fiscal", "archive", "--period", "2030", "--out", year.to_str().unwrap()]);
    assert!(cli_ok(store.path(), &["fiscal", "verify", year.to_str().unwrap()]).contains("valid"));

    // One byte flipped inside a sale's amount: that entry is named.
    let bytes = std::fs::read(&file).unwrap();
    let read = archive::read(&bytes).unwrap();
    let sale =
        read.entries.iter().find(|e| String::from_utf8_lossy(&e.canonical).contains(r#""type":"sale""#)).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let line_at = text.find(&format!(r#"{{"entry":{{"seq":{},"#, sale.seq)).unwrap();
    let total_at = line_at + text[line_at..].find(r#"\"total\":\""#).unwrap() + r#"\"total\":\""#.len();
    let mut flipped = bytes.clone();
    flipped[total_at] = if flipped[total_at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&file, &flipped).unwrap();
    let out = cli(store.path(), &["fiscal", "verify", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a flipped byte must fail");
    assert!(stderr.contains(&format!("entry {}", sale.seq)) && stderr.contains("NOT VALID"), "{stderr}");
    // A byte that breaks the line's JSON names the entry too.
    let mut broken = bytes.clone();
    broken[line_at + 3] = b'#';
    assert!(archive::verify(&broken).unwrap_err().contains(&format!("entry {}", sale.seq)));
    // Cut short: no manifest.
    assert!(archive::verify(&bytes[..bytes.len() - 10]).unwrap_err().contains("manifest"));

    // A period not closed yet, or not a period: refused, nothing written.
    let open_month = store.path().join("open.archive");
    let refused = pos_tests::cli_refused(
        store.path(),
        &["fiscal", "archive", "--period", "2031-02", "--out", open_month.to_str().unwrap()],
    );
    assert!(refused.contains("2031-02 is not closed"), "{refused}");
    let refused = pos_tests::cli_refused(
        store.path(),
        &["fiscal", "archive", "--period", "2031-13", "--out", open_month.to_str().unwrap()],
    );
    assert!(refused.contains("is not a period"), "{refused}");
    let out = open_month.to_str().unwrap();
    let before_it = pos_tests::cli_refused(store.path(), &["fiscal", "archive", "--period", "2001-01", "--out", out]);
    assert!(before_it.contains("holds nothing of 2001-01"), "{before_it}");
    assert!(!open_month.exists());
}

/// The archive re-chained after `edit`, every entry signed with `key`: what
/// a tamperer who can run the till's code would write.
fn rewrite(bytes: &[u8], key: &KeyFile, edit: impl FnOnce(&mut Vec<CanonicalEntry>)) -> Vec<u8> {
    let read = archive::read(bytes).unwrap();
    let mut entries: Vec<CanonicalEntry> =
        read.entries.iter().map(|e| CanonicalEntry::from_bytes(&e.canonical).unwrap()).collect();
    edit(&mut entries);
    let mut prev = read.header.prev_hash;
    let stored: Vec<StoredEntry> = entries
        .into_iter()
        .enumerate()
        .map(|(i, mut entry)| {
            entry.seq = Seq(read.header.first_seq + i as u64);
            let canonical = entry.to_bytes();
            let hash = chain_hash(&prev, &canonical);
            prev = hash;
            StoredEntry { seq: entry.seq.0, canonical, hash, signature: Some(key.sign(&hash).to_vec()) }
        })
        .collect();
    archive::write(&read.header.terminal, read.header.period, &key.public_key(), read.header.prev_hash, &stored)
}

fn closing_of(entry: &mut CanonicalEntry) -> Option<&mut PeriodClosing> {
    match &mut entry.event {
        Event::PeriodClosed(closing) => Some(closing),
        _ => None,
    }
}

fn position(entries: &[CanonicalEntry], period: &str) -> usize {
    let period: Period = period.parse().unwrap();
    entries.iter().position(|e| matches!(&e.event, Event::PeriodClosed(c) if c.period == period)).unwrap()
}

#[test]
fn tampered_archives_are_named_even_re_signed_with_the_tills_key() {
    let (store, _clock, _) = history();
    let archive_of = |period: &str| store.terminal.fiscal_archive(period.parse().unwrap()).unwrap();
    let key = KeyFile::load_or_create(store.path()).unwrap();
    let year = archive_of("2030");
    let untouched = rewrite(&year, &key, |_| {});
    assert_eq!(untouched, year, "re-chaining an untouched archive with the till's key gives the same bytes");
    assert!(archive::verify(&year).is_ok());

    // An entry edited and the chain recomputed with another key: consistent
    // in itself, but not signed with the terminal's key, which the auditor
    // gives (from head office) or the till knows.
    std::fs::create_dir_all(store.path().join("elsewhere")).unwrap();
    let thief = KeyFile::load_or_create(&store.path().join("elsewhere")).unwrap();
    let read = archive::read(&year).unwrap();
    let mut other_key = rewrite(&year, &thief, |entries| {
        if let Event::Sale(sale) = &mut entries[5].event {
            sale.cashier = "Mallory".into();
        }
    });
    let forged = store.path().join("forged.archive");
    std::fs::write(&forged, &other_key).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let key_arg = ["fiscal", "verify", forged.to_str().unwrap(), "--key", &read.header.public_key];
    for (dir, args) in [(elsewhere.path(), &key_arg[..]), (store.path(), &key_arg[..3])] {
        let refused = pos_tests::cli_refused(dir, args);
        assert!(refused.contains("NOT VALID") && refused.contains("not the terminal's key"), "{refused}");
    }
    let genuine = store.path().join("genuine.archive");
    std::fs::write(&genuine, &year).unwrap();
    let said =
        cli_ok(elsewhere.path(), &["fiscal", "verify", genuine.to_str().unwrap(), "--key", &read.header.public_key]);
    assert!(said.contains("valid") && said.contains(&read.header.public_key), "{said}");
    // Under the till's public key, as the header said before.
    let original_key = format!(r#""public_key":"{}""#, read.header.public_key);
    let thief_key = format!(r#""public_key":"{}""#, hex::encode(thief.public_key()));
    let text = String::from_utf8(other_key).unwrap().replace(&thief_key, &original_key);
    other_key = text.into_bytes();
    let err = archive::verify(&other_key).unwrap_err();
    assert!(err.contains(&format!("entry {}", read.header.first_seq)) && err.contains("signature"), "{err}");

    // A deleted closing (November's, with its Z reports).
    let deleted = rewrite(&year, &key, |entries| {
        let at = position(entries, "2030-11");
        entries.remove(at);
    });
    let err = archive::verify(&deleted).unwrap_err();
    assert!(err.contains("2030-11 was never closed"), "{err}");
    // An empty month's closing deleted: the next closing skips it.
    let empty_month = rewrite(&year, &key, |entries| {
        let at = position(entries, "2030-06");
        entries.remove(at);
    });
    let err = archive::verify(&empty_month).unwrap_err();
    assert!(err.contains("2030-06 was skipped"), "{err}");

    // A grand total reset to the month's own net.
    let reset = rewrite(&year, &key, |entries| {
        let at = position(entries, "2030-12");
        let december = closing_of(&mut entries[at]).unwrap();
        december.grand_total = december.totals.net_total;
    });
    let err = archive::verify(&reset).unwrap_err();
    assert!(err.contains("month 2030-12's grand total") && err.contains("reset"), "{err}");

    // A Z's grand total reset: named at the Z.
    let z_reset = rewrite(&year, &key, |entries| {
        let z = entries.iter_mut().rev().find_map(|e| match &mut e.event {
            Event::ZReport(z) => Some(z),
            _ => None,
        });
        let z = z.unwrap();
        z.grand_total = z.net_total;
    });
    assert!(archive::verify(&z_reset).unwrap_err().contains("grand total"));

    // A skipped month: January's sales recorded, its closing never made.
    let january = archive_of("2031-01");
    assert!(archive::verify(&january).is_ok());
    let skipped = rewrite(&january, &key, |entries| {
        let at = position(entries, "2031-01");
        let mut sale = entries.iter().position(|e| matches!(e.event, Event::Sale(_))).unwrap();
        // The month's last sale moved into March, as if the till had not closed January.
        while entries[sale + 1..at].iter().any(|e| matches!(e.event, Event::Sale(_))) {
            sale += 1;
        }
        entries[sale].at_ms = local(2031, 3, 2, 10);
    });
    let err = archive::verify(&skipped).unwrap_err();
    assert!(err.contains("2031-01 was never closed"), "{err}");

    // A sale dated back into a month already closed.
    let backdated = rewrite(&january, &key, |entries| {
        let sale = entries.iter().position(|e| matches!(e.event, Event::Sale(_))).unwrap();
        entries[sale].at_ms = local(2030, 12, 28, 10);
    });
    let err = archive::verify(&backdated).unwrap_err();
    assert!(err.contains("dated back in 2030-12, which was already closed"), "{err}");

    // A year never closed after its December.
    let no_year = rewrite(&january, &key, |entries| {
        let at = position(entries, "2030");
        entries.remove(at);
    });
    assert!(archive::verify(&no_year).unwrap_err().contains("year 2030 was not closed"));
}

#[test]
fn the_tills_own_journal_names_a_deleted_closing() {
    let (store, _clock, _) = history();
    let conn = rusqlite::Connection::open(store.path().join(pos_terminal::db::DB_FILE)).unwrap();
    conn.execute_batch("DROP TRIGGER period_closings_no_delete; DELETE FROM period_closings WHERE period = '2030-12';")
        .unwrap();
    let out = cli(store.path(), &["journal", "verify"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("closing of 2030-12"), "{stderr}");
}

/// A random history's steps: days forward, sales that day, a return or not.
fn steps() -> impl Strategy<Value = Vec<(i64, usize, bool)>> {
    proptest::collection::vec((1i64..45, 0usize..3, any::<bool>()), 2..7)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Each month's closing holds exactly the Z reports journaled in it,
    /// summed; each grand total is the one before plus the net; with no
    /// returns, sales only ever raise it.
    #[test]
    fn closings_are_the_sum_of_their_z_reports(steps in steps(), with_returns in any::<bool>()) {
        let start = local(2030, 11, 2, 9);
        let (mut store, clock, demo_z) = store_at(start);
        let first = store.terminal.closings().unwrap().len();
        let mut zs = vec![demo_z];
        let mut at = start;
        for (days, sales, a_return) in steps {
            at += days * 86_400_000;
            clock.0.store(at, Ordering::SeqCst);
            zs.push(day(&mut store, sales.max(usize::from(a_return)), with_returns && a_return));
        }
        clock.0.store(at + 62 * 86_400_000, Ordering::SeqCst);
        open(&mut store);
        let closings = store.terminal.closings().unwrap();
        let months: Vec<&PeriodClosing> = closings[first..].iter().map(|(_, c)| c).filter(|c| c.period.is_month()).collect();
        let mut previous = closings[..first].iter().rev().find(|(_, c)| c.period.is_month()).map_or(Money::ZERO, |(_, c)| c.grand_total);
        let mut covered = vec![];
        for month in months {
            let mut sum = PeriodTotals::default();
            for z in zs.iter().filter(|z| z.z_no >= month.first_z && z.z_no <= month.last_z && month.first_z.is_some()) {
                sum.add_z(z);
                covered.push(z.z_no);
            }
            prop_assert_eq!(&month.totals, &sum, "{}", month.period);
            prop_assert_eq!(month.grand_total, previous + sum.net_total);
            if !with_returns {
                prop_assert!(month.grand_total >= previous, "sales only raise the grand total");
            }
            previous = month.grand_total;
        }
        let made: Vec<_> = zs.iter().map(|z| z.z_no).collect();
        prop_assert_eq!(covered, made, "every Z in exactly one month, in order");
        prop_assert!(cli(store.path(), &["journal", "verify"]).status.success());
    }
}

#[test]
fn head_office_writes_the_same_archive_from_what_the_till_pushed() {
    use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, admin_refused, head_office};
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let clock = WeekClock(Arc::new(AtomicI64::new(local(2030, 11, 3, 9))));
    let mut till = pos_tests::week::till_on_clock(&db, &server.url, "S01", &work.path().join("till"), &clock);
    let manager = till.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    let count = CashCount::NotCounted("counted in the back office".into());
    till.z_report(&manager, &count, None).unwrap();
    till.open_session(&manager, Money::from_minor(10_000)).unwrap();
    crate::sync::random_sale(&mut till);
    crate::sync::random_sale(&mut till);
    till.z_report(&manager, &count, None).unwrap();
    pos_tests::week::sync(&mut till);
    let terminal = till.settings().terminal_id.to_string();
    let out = work.path().join("hq.archive");
    let args = |period: &str| {
        ["fiscal-archive", "--terminal", &terminal, "--period", period, "--out", out.to_str().unwrap()]
            .map(String::from)
    };
    let refused = admin_refused(&db, &args("2030-11").each_ref().map(String::as_str));
    assert!(refused.contains("2030-11 is not closed"), "{refused}");

    clock.0.store(local(2030, 12, 1, 8), Ordering::SeqCst);
    till.open_session(&manager, Money::from_minor(10_000)).unwrap();
    pos_tests::week::sync(&mut till);
    let said = admin_ok(&db, &args("2030-11").each_ref().map(String::as_str));
    assert!(said.contains("Archive of 2030-11"), "{said}");
    let from_head_office = std::fs::read(&out).unwrap();
    assert_eq!(from_head_office, till.fiscal_archive("2030-11".parse().unwrap()).unwrap(), "the same bytes");
    let verified = archive::verify(&from_head_office).unwrap();
    assert_eq!(verified.audit.z_reports, 2);
    let refused = admin_refused(&db, &["fiscal-archive", "--terminal", "S09-T09", "--period", "2030-11", "--out", "x"]);
    assert!(refused.contains("no terminal S09-T09"), "{refused}");
}

/// Parses a FEC amount: `1234,50`.
fn fec_amount(text: &str) -> Money {
    text.replace(',', ".").parse().unwrap()
}

#[test]
fn the_fec_export_has_one_balanced_entry_per_z_report() {
    let (store, _clock, zs) = history();
    let file = store.path().join("fec.txt");
    let said = cli_ok(store.path(), &["fiscal", "export", "--period", "2030-11", "--out", file.to_str().unwrap()]);
    assert!(said.contains("FEC of 2030-11 written"), "{said}");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(lines.next().unwrap(), pos_shared::fiscal::fec::FIELDS.join("\t"));
    let mut entries: std::collections::BTreeMap<String, (Money, Money)> = Default::default();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 18, "{line}");
        assert_eq!((fields[0], fields[3].len()), ("CAI", 8), "{line}");
        let entry = entries.entry(fields[2].to_string()).or_default();
        entry.0 += fec_amount(fields[11]);
        entry.1 += fec_amount(fields[12]);
    }
    // The demo's Z sold nothing: it has no lines.
    let traded = zs[..3].iter().filter(|z| z.sales_count + z.returns_count > 0);
    let numbers: Vec<String> = traded.map(|z| format!("Z{:06}", z.z_no.unwrap())).collect();
    assert_eq!(numbers.len(), 2);
    assert_eq!(entries.keys().cloned().collect::<Vec<_>>(), numbers, "one entry per Z of the month that traded");
    for (number, (debit, credit)) in &entries {
        assert_eq!(debit, credit, "{number} balances");
    }
    let takings: Money = zs[..3].iter().flat_map(|z| &z.tenders).map(|t| t.sales - t.refunds).sum();
    assert!(entries.values().map(|(d, _)| *d).sum::<Money>() >= takings);
    let refused = pos_tests::cli_refused(
        store.path(),
        &["fiscal", "export", "--period", "2031-02", "--out", file.to_str().unwrap()],
    );
    assert!(refused.contains("not closed"), "{refused}");
}
