//! Head office for tests: the real `pos-sync-server` process on a temporary
//! database (killable and restartable), its CLI, and enrolled terminals.
//! The database is SQLite, or a fresh PostgreSQL schema when the tests run
//! with `POS_TEST_BACKEND=postgres` (`scripts/test` runs the head-office
//! flows both ways).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, OnceLock};

use pos_terminal::Terminal;
use pos_terminal::sync::client::SyncClient;
use pos_terminal::sync::run::{client_for, enroll};

use crate::binary;
use crate::postgres::TestDatabase;
use pos_sync_server::storage::postgres::PgDb;
use pos_sync_server::storage::sql::{Database, Param, Row, Tx};
use pos_sync_server::storage::sqlite::SqliteDb;

/// Which database head office runs on in these tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `POS_TEST_BACKEND`: `sqlite` (the default) or `postgres`.
    pub fn chosen() -> Backend {
        match std::env::var("POS_TEST_BACKEND").as_deref() {
            Ok("postgres") => Backend::Postgres,
            Ok("sqlite") | Err(_) => Backend::Sqlite,
            Ok(other) => panic!("POS_TEST_BACKEND={other}: say sqlite or postgres"),
        }
    }
}

/// Head office's database for one test, in its work directory: what
/// `--db` is given. A PostgreSQL schema is dropped with the last clone.
#[derive(Clone)]
pub struct HqDb {
    address: String,
    dir: PathBuf,
    /// The database as the test itself opened it, once, to look behind the
    /// API (before the schema, so it is closed before the schema is dropped).
    opened: Arc<OnceLock<Opened>>,
    _schema: Option<Arc<TestDatabase>>,
}

enum Opened {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

impl HqDb {
    /// On the backend the tests run on.
    pub fn new(dir: &Path) -> HqDb {
        match Backend::chosen() {
            Backend::Sqlite => HqDb::sqlite(dir),
            Backend::Postgres => HqDb::postgres(dir),
        }
    }

    /// A fresh PostgreSQL schema whatever the tests run on (its benchmarks).
    pub fn postgres(dir: &Path) -> HqDb {
        let schema = TestDatabase::new();
        HqDb {
            address: schema.url.clone(),
            dir: dir.to_path_buf(),
            _schema: Some(Arc::new(schema)),
            opened: Arc::default(),
        }
    }

    /// A SQLite file whatever the tests run on (backups and restores are SQLite's).
    pub fn sqlite(dir: &Path) -> HqDb {
        let address = dir.join("server.sqlite").to_str().expect("UTF-8 path").to_string();
        HqDb { address, dir: dir.to_path_buf(), _schema: None, opened: Arc::default() }
    }

    /// What `--db` is given.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The SQLite file, when it is one.
    pub fn path(&self) -> Option<&Path> {
        self._schema.is_none().then(|| Path::new(&self.address))
    }

    /// The test's work directory (files to import, certificates).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl HqDb {
    /// The rows `sql` returns (`?1` placeholders), read straight from the
    /// database, as a test looks behind the API.
    pub fn query(&self, sql: &str, params: &[&dyn Param]) -> Vec<Row> {
        let opened = self.opened.get_or_init(|| match self.path() {
            Some(path) => Opened::Sqlite(SqliteDb::open(path).expect("open SQLite")),
            None => Opened::Postgres(PgDb::open(&self.address).expect("open PostgreSQL")),
        });
        match opened {
            Opened::Sqlite(db) => db.write(|tx| tx.rows(sql, params)),
            Opened::Postgres(db) => db.write(|tx| tx.rows(sql, params)),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The one integer `sql` returns.
    pub fn count(&self, sql: &str, params: &[&dyn Param]) -> i64 {
        self.query(sql, params)[0].get(0).expect("an integer")
    }
}

impl HqDb {
    /// Backs head office up to `file` as its IT would: `pos-sync-server
    /// backup` on SQLite, `pg_dump` on PostgreSQL.
    pub fn back_up(&self, file: &Path) {
        match &self._schema {
            None => drop(admin_ok(self, &["backup", "--out", file.to_str().expect("UTF-8 path")])),
            Some(schema) => schema.dump(file),
        }
    }

    /// The PostgreSQL schema, to act on it around head office's code.
    pub fn postgres_schema(&self) -> Option<&TestDatabase> {
        self._schema.as_deref()
    }

    /// Restores head office from `file` (its server stopped): `pos-sync-server
    /// restore` on SQLite, `pg_restore` then `epoch new` on PostgreSQL.
    pub fn restore(&self, file: &Path) {
        match &self._schema {
            None => drop(admin_ok(self, &["restore", "--from", file.to_str().expect("UTF-8 path")])),
            Some(schema) => {
                schema.restore(file);
                admin_ok(self, &["epoch", "new"]);
            }
        }
    }
}

impl AsRef<OsStr> for HqDb {
    fn as_ref(&self) -> &OsStr {
        OsStr::new(&self.address)
    }
}

/// A running sync server.
pub struct ServerProcess {
    db: HqDb,
    child: Child,
    pub url: String,
}

impl ServerProcess {
    /// Starts `pos-sync-server serve` on a free loopback port.
    pub fn start(db: &HqDb) -> ServerProcess {
        ServerProcess::start_on(db, "127.0.0.1:0")
    }

    /// Starts it on `address` (say, the address of one that was killed).
    pub fn start_on(db: &HqDb, address: &str) -> ServerProcess {
        ServerProcess::start_with(db, &["--listen", address])
    }

    /// Starts `pos-sync-server serve ARGS...` (which must name `--listen`).
    pub fn start_with(db: &HqDb, args: &[&str]) -> ServerProcess {
        let mut child = Command::new(binary("pos-sync-server"))
            .arg("--db")
            .arg(db)
            .arg("serve")
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pos-sync-server");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut line).expect("server address");
        let url =
            line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("server said {line:?}")).to_string();
        // Whatever else it prints is read, so it never writes to a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        ServerProcess { db: db.clone(), child, url }
    }

    /// SIGKILL, whatever it is doing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills and starts again on the same database (on a new port).
    pub fn restart(&mut self) {
        self.kill();
        *self = ServerProcess::start(&self.db.clone());
    }

    pub fn db(&self) -> &HqDb {
        &self.db
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `pos-sync-server --db DB ARGS...`.
pub fn admin(db: &HqDb, args: &[&str]) -> Output {
    Command::new(binary("pos-sync-server")).arg("--db").arg(db).args(args).output().expect("run pos-sync-server")
}

/// Runs an admin command that must be refused; returns its stderr.
pub fn admin_refused(db: &HqDb, args: &[&str]) -> String {
    let out = admin(db, args);
    assert!(!out.status.success(), "{args:?} should have been refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs an admin command that must succeed and returns its stdout.
pub fn admin_ok(db: &HqDb, args: &[&str]) -> String {
    let out = admin(db, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Head office with stores S01 and S02, the demo catalog, the demo's
/// manager and cashier (their names and PINs).
pub fn head_office(db: &HqDb) {
    admin_ok(db, &["store", "add", "--name", "Paris Halles"]);
    admin_ok(db, &["store", "add", "--name", "Lyon Part-Dieu"]);
    let catalog = db.dir().join("catalog.csv");
    std::fs::write(&catalog, pos_terminal::demo::DEMO_CATALOG).expect("write catalog");
    admin_ok(db, &["catalog", "import", catalog.to_str().expect("path")]);
    admin_ok(db, &["user", "add", "--name", "Marie", "--role", "manager", "--pin", crate::MANAGER_PIN]);
    admin_ok(db, &["user", "add", "--name", "Camille", "--role", "cashier", "--pin", crate::CASHIER_PIN]);
}

/// Adds a terminal to `store` at head office and returns its enrollment code.
pub fn new_terminal_code(db: &HqDb, store: &str, name: &str) -> String {
    let out = admin_ok(db, &["--json", "terminal", "add", "--store", store, "--name", name]);
    let created: serde_json::Value = serde_json::from_str(&out).expect("json");
    created["enrollment_code"].as_str().expect("code").to_string()
}

/// A terminal enrolled with the server at `url`, its till open.
pub fn enrolled_terminal(db: &HqDb, url: &str, store: &str, dir: &Path) -> Terminal {
    let code = new_terminal_code(db, store, &format!("till in {}", dir.display()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (mut terminal, first) = runtime.block_on(enroll(dir, url, &code, &Default::default())).expect("enroll");
    first.expect("first sync");
    let manager = terminal.login(crate::MANAGER_NAME, crate::MANAGER_PIN).expect("manager pulled from head office");
    terminal.open_session(&manager, "100".parse().expect("float")).expect("open till");
    terminal
}

/// A client for an enrolled terminal, sending `batch` entries per push,
/// through `url` (a proxy, say) instead of the enrolled address.
pub fn client_via(terminal: &Terminal, url: &str, batch: usize) -> SyncClient {
    let enrollment = terminal.enrollment().expect("read enrollment").expect("enrolled");
    let id = terminal.settings().terminal_id.to_string();
    SyncClient::new(url, &enrollment.token, &id, &enrollment.trust).expect("client").with_push_batch(batch)
}

/// The enrolled client of a terminal.
pub fn client(terminal: &Terminal) -> SyncClient {
    client_for(terminal).expect("client").expect("enrolled")
}

/// Enrolls the data directory `till` at `store` through `pos-terminal
/// enroll` and opens its till with a 100.00 float.
pub fn enroll_till_cli(db: &HqDb, url: &str, store: &str, till: &Path) {
    let code = new_terminal_code(db, store, "Caisse 1");
    crate::cli_ok(till, &["enroll", "--server", url, "--code", &code]);
    crate::cli_ok(till, &crate::as_manager(&["session", "open", "--float", "100"]));
}

/// Head office ([`head_office`]) served from `work`, with a till of S01
/// enrolled through `pos-terminal enroll` and open, in `work/till`.
pub fn shop_with_a_till(work: &Path) -> (HqDb, ServerProcess, PathBuf) {
    let db = HqDb::new(work);
    head_office(&db);
    let server = ServerProcess::start(&db);
    let till = work.join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    (db, server, till)
}
