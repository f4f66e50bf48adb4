//! A till (or anyone holding its token) that pushes well-chained but forged
//! entries: another terminal's receipt number, absurd quantities, totals
//! that do not add up, movements that do not match the lines, a receipt
//! number used twice, a time outside any plausible one. Another terminal's
//! entry is refused (403); the rest are held for a person, applied to
//! nothing, the chain going on after them. Each becomes one flag for head
//! office however often it is retried, and stops nobody else: the real
//! owner of the receipt number syncs, head office's stock and reports keep
//! answering, and the till's own signed entries take the place of held
//! entries it never wrote.

use pos_shared::journal::{Hash32, chain_hash};
use pos_shared::protocol::{PushRequest, WireEntry};
use pos_shared::signing::Signer;
use pos_terminal::Terminal;
use pos_terminal::signer::KeyFile;
use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, admin_refused, client, enrolled_terminal, head_office};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::sync::{random_sale, runtime};

/// An entry at `seq` after `prev` carrying `payload`, chained and signed
/// (with `key`) as a till would.
pub(crate) fn chained(prev: Hash32, seq: u64, payload: &Value, key: &dyn Signer) -> WireEntry {
    let bytes = serde_json::to_string(payload).unwrap();
    let hash = chain_hash(&prev, bytes.as_bytes());
    let signature = Some(hex::encode(key.sign(&hash)));
    WireEntry { seq, payload: RawValue::from_string(bytes).unwrap(), prev_hash: prev, hash, signature }
}

/// Pushes `entries` with `till`'s token; returns the status and error code.
pub(crate) fn push(url: &str, till: &Terminal, entries: Vec<WireEntry>) -> (u16, String, String) {
    let token = till.enrollment().unwrap().unwrap().token;
    let request = PushRequest { protocol_version: 1, terminal_id: till.settings().terminal_id.to_string(), entries };
    runtime().block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{url}/v1/push"))
            .bearer_auth(token)
            .json(&request)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (status, body["error"].as_str().unwrap_or_default().into(), body["message"].as_str().unwrap_or_default().into())
    })
}

fn flags(db: &HqDb) -> Vec<String> {
    admin_ok(db, &["flags"]).lines().map(str::to_string).collect()
}

#[test]
fn forged_entries_are_held_or_refused_flagged_once_and_stop_nobody_else() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let mut paris = enrolled_terminal(&db, &server.url, "S01", &work.path().join("paris"));
    let mut lyon = enrolled_terminal(&db, &server.url, "S02", &work.path().join("lyon"));
    // Whoever forges them holds the till's own key: only the rules stop them.
    let key = KeyFile::load_or_create(&work.path().join("lyon")).unwrap();
    let paris_receipt = random_sale(&mut paris);
    random_sale(&mut lyon);
    random_sale(&mut lyon);
    // Lyon's journal: the session it opened (1), then two sales (2, 3).
    let honest = lyon.outbox_batch(10).unwrap();
    let payload = |entry: &WireEntry| serde_json::from_str::<Value>(entry.payload.get()).unwrap();
    let (opened, sale) = (honest[0].clone(), payload(&honest[1]));
    let after_opening = |edit: &dyn Fn(&mut Value)| {
        let mut forged = sale.clone();
        edit(&mut forged);
        forged
    };
    let own = lyon.settings().terminal_id.to_string();
    let stolen = paris_receipt.clone();
    let cases: Vec<(&str, Value, u16, &str, &str)> = vec![
        (
            "another terminal's receipt number",
            after_opening(&|v| v["event"]["receipt_no"] = Value::String(stolen.clone())),
            403,
            "forbidden",
            "numbered for another terminal",
        ),
        (
            "a quantity of 1e19 thousandths",
            after_opening(&|v| v["event"]["lines"][0]["qty"] = "10000000000000000".into()),
            200,
            "",
            "not valid",
        ),
        (
            "a movement of 9e18",
            after_opening(&|v| v["event"]["movements"][0]["qty_milli"] = (-9_000_000_000_000_000_000i64).into()),
            200,
            "",
            "out of bounds",
        ),
        (
            "a total that does not add up",
            after_opening(&|v| v["event"]["total"] = "999.00".into()),
            200,
            "",
            "is not the sum of its lines",
        ),
        (
            "movements that are not the lines'",
            after_opening(&|v| v["event"]["movements"][0]["sku"] = "NOT-SOLD".into()),
            200,
            "",
            "do not match its lines",
        ),
        (
            "a delivery inside a sale",
            after_opening(&|v| v["event"]["movements"][0]["reason"] = "delivery".into()),
            200,
            "",
            "does not belong to this entry",
        ),
        (
            "a gift card that paid nothing the payments say",
            after_opening(&|v| {
                v["event"]["gift_cards"] = serde_json::json!([{ "card": "GC12345678", "amount": "5.00" }])
            }),
            200,
            "",
            "its gift cards (5.00) are not its gift card payments",
        ),
        (
            "a sale on nobody's account",
            after_opening(&|v| {
                v["event"]["payments"] =
                    serde_json::json!([{ "kind": "account", "amount": v["event"]["total"].clone() }]);
                v["event"]["cash_rounding"] = "0.00".into();
            }),
            200,
            "",
            "goes on an account but names no customer",
        ),
        (
            "a gift card paid for with another",
            after_opening(&|v| {
                v["event"] = serde_json::json!({
                    "type": "credit_sold", "receipt_no": v["event"]["receipt_no"].clone(), "session_id": 1,
                    "by": "Camille", "credit": { "gift_card": "GC12345678" }, "amount": "50.00",
                    "payments": [{ "kind": "giftcard", "amount": "50.00" }], "cash_tendered": "0.00", "change": "0.00",
                });
            }),
            200,
            "",
            "is paid with money, not credit",
        ),
        (
            "a name that reads backwards",
            after_opening(&|v| v["event"]["lines"][0]["name"] = "Pain\u{202E}sniaP".into()),
            200,
            "",
            "invisible character",
        ),
        (
            "no tax on a taxed line",
            after_opening(&|v| v["event"]["lines"][0]["tax"] = "0.00".into()),
            200,
            "",
            "a tax of 0.00 is not",
        ),
        (
            "a product head office never had",
            after_opening(&|v| {
                let sku = v["event"]["lines"][0]["sku"].clone();
                for list in ["lines", "movements"] {
                    for item in v["event"][list].as_array_mut().unwrap() {
                        if item["sku"] == sku {
                            item["sku"] = "NOSUCH-1".into();
                        }
                    }
                }
            }),
            200,
            "",
            "NOSUCH-1, a product head office's catalog does not have",
        ),
        (
            "an unknown field of 100 kB",
            after_opening(&|v| v["padding"] = "x".repeat(100_000).into()),
            200,
            "",
            "bytes in fields head office does not know",
        ),
        (
            "a name with a NUL byte",
            after_opening(&|v| v["event"]["lines"][0]["name"] = "Pain\u{0}".into()),
            200,
            "",
            "control character",
        ),
    ];
    // Lyon's session goes up as it is; each forgery follows it, chained.
    let (status, _, message) = push(&server.url, &lyon, vec![opened.clone()]);
    assert_eq!(status, 200, "{message}");
    let (mut prev, mut seq) = (opened.hash, 2);
    for (name, forged, status, code, says) in cases {
        let before = flags(&db).len();
        let mut forged = forged;
        forged["seq"] = seq.into();
        let entry = chained(prev, seq, &forged, &key);
        for attempt in 0..2 {
            let (got, error, message) = push(&server.url, &lyon, vec![entry.clone()]);
            assert_eq!((got, error.as_str()), (status, code), "{name}: {message}");
            assert!(message.contains(says) || status == 200, "{name}: {message}");
            let flags = flags(&db);
            if status == 403 {
                // Another till's record is not this till's history: refused whole, nothing flagged.
                assert_eq!(flags.len(), before, "{name}: no flag, also after retry {attempt}");
                continue;
            }
            assert_eq!(flags.len(), before + 1, "{name}: one flag, also after retry {attempt}");
            assert!(flags.last().unwrap().contains(says), "{name}: {flags:?}");
        }
        if status == 200 {
            // Held for a person with its reason; the chain goes on after it.
            let held = admin_ok(&db, &["quarantine", "list", "--terminal", &own]);
            assert!(held.contains(&format!("seq {seq}\t")) && held.contains(says), "{name}: {held}");
            (prev, seq) = (entry.hash, seq + 1);
        }
    }
    assert!(flags(&db).last().unwrap().starts_with(&format!("{own}\tseq {}", seq - 1)));
    // Another till's sale pushed at a seq Lyon's history already holds: the
    // same 403, not a rewritten history flagged against Lyon.
    let before = flags(&db).len();
    let mut theirs = sale.clone();
    theirs["seq"] = 2.into();
    theirs["event"]["receipt_no"] = Value::String(paris_receipt.clone());
    let (status, error, message) = push(&server.url, &lyon, vec![chained(opened.hash, 2, &theirs, &key)]);
    assert_eq!((status, error.as_str()), (403, "forbidden"), "{message}");
    assert_eq!(flags(&db).len(), before, "nothing flagged against Lyon");

    // The owner of the receipt number syncs as if nothing happened.
    let sync = client(&paris);
    runtime().block_on(pos_terminal::sync::run::sync_once(&mut paris, &sync)).unwrap();
    assert_eq!(paris.pending_sync_count().unwrap(), 0);
    let sales = admin_ok(&db, &["report", "sales", "--by", "store"]);
    assert!(sales.contains("S01"), "{sales}");
    for report in [["report", "valuation"], ["report", "low-stock"]] {
        admin_ok(&db, &report);
    }
    admin_ok(&db, &["stock", "--store", "S02"]);

    // A receipt number its own till already used cannot be recorded: held
    // like the rest, not a 500. Lyon's honest sale goes first.
    let mut first = sale.clone();
    first["seq"] = seq.into();
    let first = chained(prev, seq, &first, &key);
    let (status, _, message) = push(&server.url, &lyon, vec![first.clone()]);
    assert_eq!(status, 200, "{message}");
    let mut reused = payload(&honest[2]);
    reused["seq"] = (seq + 1).into();
    reused["event"]["receipt_no"] = sale["event"]["receipt_no"].clone();
    let (status, _, message) = push(&server.url, &lyon, vec![chained(first.hash, seq + 1, &reused, &key)]);
    assert_eq!(status, 200, "{message}");
    let held = admin_ok(&db, &["quarantine", "list", "--terminal", &own]);
    assert!(held.contains(&format!("seq {}\tit cannot be recorded", seq + 1)), "{held}");
    assert_eq!(db.count("SELECT COUNT(*) FROM sales WHERE terminal_id = ?1", &[&own]), 1, "only the honest sale");
}

#[test]
fn entries_dated_outside_any_plausible_time_are_held_and_every_report_keeps_answering() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let mut lyon = enrolled_terminal(&db, &server.url, "S02", &work.path().join("lyon"));
    let key = KeyFile::load_or_create(&work.path().join("lyon")).unwrap();
    random_sale(&mut lyon);
    let honest = lyon.outbox_batch(10).unwrap();
    let (opened, sale) = (honest[0].clone(), serde_json::from_str::<Value>(honest[1].payload.get()).unwrap());
    let (status, _, message) = push(&server.url, &lyon, vec![opened.clone()]);
    assert_eq!(status, 200, "{message}");
    // The year 10000, the ends of i64, before 2000: each held, none applied.
    let mut prev = opened.hash;
    let times = [253_402_300_800_000i64, i64::MAX, i64::MIN, -1, 0, 946_684_799_999];
    for (seq, at_ms) in (2u64..).zip(times) {
        let mut forged = sale.clone();
        forged["at_ms"] = at_ms.into();
        forged["seq"] = seq.into();
        let entry = chained(prev, seq, &forged, &key);
        let (status, _, message) = push(&server.url, &lyon, vec![entry.clone()]);
        assert_eq!(status, 200, "{at_ms}: {message}");
        prev = entry.hash;
    }
    let held = admin_ok(&db, &["quarantine", "list"]);
    assert_eq!(held.matches("is outside 2000 to 2099: the till's clock is wrong").count(), times.len(), "{held}");
    let refused = admin_refused(&db, &["quarantine", "accept", "S02-T01", "2", "--by", "Claire"]);
    assert!(refused.contains("cannot be applied") && refused.contains("reject it instead"), "{refused}");
    for by in ["day", "hour", "store", "product"] {
        admin_ok(&db, &["report", "sales", "--by", by]);
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM sales", &[]), 0);
    // The till's own sale, signed with its key, takes the place of the forgeries.
    let (status, _, message) = push(&server.url, &lyon, honest);
    assert_eq!(status, 200, "the till's honest entries go on: {message}");
    assert_eq!(db.count("SELECT COUNT(*) FROM sales", &[]), 1);
}
