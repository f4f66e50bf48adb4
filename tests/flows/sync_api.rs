//! The sync API refuses bad input with a clear 4xx and applies nothing:
//! malformed JSON, wrong types, a future protocol version, an oversize
//! body, a bad or revoked token, another terminal's entries, a gap and a
//! broken chain.

use pos_shared::journal::Hash32;
use pos_shared::protocol::{PROTOCOL_VERSION, PushRequest, WireEntry};
use pos_terminal::Terminal;
use pos_tests::head_office::{HqDb, ServerProcess, admin, admin_ok, enrolled_terminal, head_office};
use serde_json::json;

use crate::sync::{random_sale, runtime};

struct Api {
    http: reqwest::Client,
    url: String,
}

impl Api {
    /// Sends a push with a raw body; returns status and the JSON error code.
    async fn push(&self, token: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
        let response = self
            .http
            .post(format!("{}/v1/push", self.url))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(serde_json::Value::Null))
    }
}

/// Announces a body over the limit: the server refuses it before reading
/// it (a raw request, since a client still uploading would see the
/// connection close instead of the answer).
fn oversize_status(url: &str, token: &str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = std::net::TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    let length = 17 * 1024 * 1024;
    write!(
        stream,
        "POST /v1/push HTTP/1.1\r\nHost: pos\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
    .unwrap();
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).unwrap();
    status.trim_end().to_string()
}

fn push_body(terminal_id: &str, terminal: &Terminal, version: u32) -> Vec<u8> {
    let entries = terminal.outbox_batch(100).unwrap();
    serde_json::to_vec(&PushRequest { protocol_version: version, terminal_id: terminal_id.into(), entries }).unwrap()
}

fn applied(db: &HqDb) -> i64 {
    db.count("SELECT COUNT(*) FROM journal", &[])
}

#[test]
fn bad_requests_get_a_clear_4xx_and_apply_nothing() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let mut lyon = enrolled_terminal(&db, &server.url, "S02", &work.path().join("lyon"));
    let paris = enrolled_terminal(&db, &server.url, "S01", &work.path().join("paris"));
    random_sale(&mut lyon);
    let token = |t: &Terminal| t.enrollment().unwrap().unwrap().token;
    let (paris_token, lyon_token) = (token(&paris), token(&lyon));
    let api = Api { http: reqwest::Client::new(), url: server.url.clone() };
    let rt = runtime();
    let lyon_id = lyon.settings().terminal_id.to_string();
    let paris_id = paris.settings().terminal_id.to_string();

    // Edited through the typed request: re-encoding through a JSON value
    // would reorder the payloads' keys and break every hash.
    let request = |edit: fn(&mut Vec<WireEntry>)| {
        let mut entries = lyon.outbox_batch(100).unwrap();
        edit(&mut entries);
        serde_json::to_vec(&PushRequest { protocol_version: 1, terminal_id: lyon_id.clone(), entries }).unwrap()
    };
    let tampered = request(|entries| entries[1].hash = Hash32([0; 32]));
    let gap = request(|entries| drop(entries.remove(0)));
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        ("malformed JSON", &lyon_token, b"{\"protocol_version\": 1, \"entries\": [".to_vec(), 400, "bad_body"),
        (
            "wrong types",
            &lyon_token,
            br#"{"protocol_version": "one", "terminal_id": 5, "entries": {}}"#.to_vec(),
            422,
            "bad_body",
        ),
        ("future version", &lyon_token, push_body(&lyon_id, &lyon, PROTOCOL_VERSION + 1), 400, "unsupported_version"),
        ("bad token", "not-a-token", push_body(&lyon_id, &lyon, 1), 401, "unauthorized"),
        ("another terminal's id", &paris_token, push_body(&lyon_id, &lyon, 1), 403, "forbidden"),
        ("another store's entries", &paris_token, push_body(&paris_id, &lyon, 1), 403, "forbidden"),
        ("a gap", &lyon_token, gap, 409, "gap"),
        ("a broken chain", &lyon_token, tampered, 422, "broken_chain"),
    ];
    for (name, token, body, status, code) in cases {
        let (got, error) = rt.block_on(api.push(token, body));
        assert_eq!((got, error["error"].as_str()), (status, Some(code)), "{name}: {error}");
        assert!(!error["message"].as_str().unwrap_or_default().is_empty(), "{name} says why");
        if code == "gap" {
            assert_eq!(error["expected_seq"], 1, "a gap names the seq expected");
        }
    }
    assert_eq!(applied(&db), 1, "only the first entry, before the broken link, was applied");
    assert_eq!(oversize_status(&server.url, &lyon_token), "HTTP/1.1 413 Payload Too Large");
    let flags = admin_ok(&db, &["flags"]);
    assert!(flags.contains(&format!("{lyon_id}\tseq 2")), "{flags}");

    let (status, error) = rt.block_on(async {
        let r = api.http.get(format!("{}/v1/catalog", api.url)).bearer_auth(&lyon_token).send().await.unwrap();
        (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
    });
    assert_eq!((status, error["error"].as_str()), (400, Some("unsupported_version")), "GETs name their version too");
    let enroll = rt.block_on(async {
        let body = json!({ "protocol_version": 1, "code": "nope", "public_key": pos_tests::ANY_KEY });
        api.http.post(format!("{}/v1/enroll", api.url)).json(&body).send().await.unwrap().status().as_u16()
    });
    assert_eq!(enroll, 404);
    assert!(admin(&db, &["terminal", "revoke", &lyon_id]).status.success());
    let (status, _) = rt.block_on(api.push(&lyon_token, push_body(&lyon_id, &lyon, 1)));
    assert_eq!(status, 401, "a revoked token is refused");
    assert_eq!(applied(&db), 1);
    let spec = rt.block_on(async {
        api.http.get(format!("{}/v1/openapi.json", api.url)).send().await.unwrap().text().await.unwrap()
    });
    assert!(spec.contains("\"openapi\": \"3.0.3\""), "the protocol description is served");
}

/// Cursors and page sizes out of range are a 400 naming the bound, never a
/// 500 (a cursor above i64::MAX was) and never silently clamped.
#[test]
fn cursors_and_page_sizes_out_of_range_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let till = enrolled_terminal(&db, &server.url, "S01", &work.path().join("till"));
    let token = till.enrollment().unwrap().unwrap().token;
    let http = reqwest::Client::new();
    let get = |path: String| {
        runtime().block_on(async {
            let response = http
                .get(format!("{}{path}", server.url))
                .bearer_auth(&token)
                .header(pos_shared::protocol::VERSION_HEADER, "1")
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.json::<serde_json::Value>().await.unwrap_or_default())
        })
    };
    for doc in ["catalog", "orders", "purchase-orders"] {
        for query in ["since=9223372036854775808", "since=18446744073709551615", "since=-1", "limit=5001", "limit=0"] {
            let (status, body) = get(format!("/v1/{doc}?{query}"));
            assert_eq!((status, body["error"].as_str()), (400, Some("bad_query")), "{doc}?{query}: {body}");
        }
        let (status, _) = get(format!("/v1/{doc}?since=0&limit=5000"));
        assert_eq!(status, 200, "{doc}: the largest page is fine");
        let (status, body) = get(format!("/v1/{doc}?since=9223372036854775807"));
        assert_eq!((status, body["error"].as_str()), (409, Some("cursor_ahead")), "{doc}: a cursor never issued");
    }
}
