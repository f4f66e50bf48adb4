//! Head office on PostgreSQL: a pool of connections (deadpool-postgres on
//! tokio-postgres) driven by a small runtime of its own, so the rules run
//! the same blocking way as on SQLite, off the API's runtime. Writes are
//! SERIALIZABLE and retried when PostgreSQL says another transaction got
//! in the way: several servers on one database give the results of one.
//! Reads are REPEATABLE READ, READ ONLY: one snapshot per page or report.

mod values;

use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::{IsolationLevel, Statement};

use crate::storage::sql::{Database, Dialect, Param, Row, Tx, postgres_placeholders};
use crate::storage::{StoreError, StoreResult};

/// Migrations, in order; each runs once, under an advisory lock so servers
/// starting together do not race.
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
    include_str!("schema_v5.sql"),
    include_str!("schema_v6.sql"),
    include_str!("schema_v7.sql"),
    include_str!("schema_v8.sql"),
    include_str!("schema_v9.sql"),
];

/// The advisory lock taken while migrating (any number, the same for all).
const MIGRATION_LOCK: i64 = 0x0050_4f53_5f4d_4947;

/// Connections one server keeps to PostgreSQL unless told otherwise. Few
/// on purpose: every server of a chain opens its own, and past about twice
/// the database's cores more connections only queue inside it (on a
/// 2-core database, three servers of 16 each were 9 % slower than one;
/// of 4 each, as fast).
pub const DEFAULT_CONNECTIONS: usize = 4;

/// Times a write is tried when transactions conflict, and the longest
/// wait between tries (random up to it, growing with each try, so two
/// writers that keep colliding drift apart).
const WRITE_ATTEMPTS: u32 = 50;
const LONGEST_BACKOFF_MS: u64 = 100;

/// Runs `future` on the pool's runtime from any thread: a worker of
/// another runtime (the API runs a few look-ups in place) is let go of
/// its tasks for the while, as tokio allows.
fn block_on<F: std::future::Future>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => tokio::task::block_in_place(|| runtime.block_on(future)),
        Err(_) => runtime.block_on(future),
    }
}

/// No connection: with every cause ("connection refused" says more
/// than "error connecting to server").
fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    let mut text = format!("no database connection: {e}");
    let mut cause = std::error::Error::source(&e);
    while let Some(inner) = cause {
        let said = inner.to_string();
        if !text.ends_with(&said) {
            text.push_str(&format!(": {said}"));
        }
        cause = inner.source();
    }
    StoreError::Internal(text)
}

/// Where a configuration points, without its password.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("");
    format!("postgres://{user}@{host}:{port}/{}", config.get_dbname().unwrap_or(user))
}

/// Whether PostgreSQL asks for the transaction to be tried again.
fn must_retry(cause: Option<&tokio_postgres::Error>) -> bool {
    let code = cause.and_then(tokio_postgres::Error::code);
    code.is_some_and(|c| *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED)
}

pub struct PgDb {
    pool: Pool,
    runtime: Option<Arc<tokio::runtime::Runtime>>,
}

impl Drop for PgDb {
    /// The pool's runtime may be dropped from inside another runtime (the
    /// API's, at shutdown): let it go in the background.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take().and_then(|r| Arc::try_unwrap(r).ok()) {
            runtime.shutdown_background();
        }
    }
}

impl PgDb {
    /// Connects to `url` (`postgres://user@host/db`) with the default pool
    /// and migrates it.
    pub fn open(url: &str) -> StoreResult<PgDb> {
        PgDb::open_with_pool(url, DEFAULT_CONNECTIONS)
    }

    /// The same with at most `connections` connections from this server.
    pub fn open_with_pool(url: &str, connections: usize) -> StoreResult<PgDb> {
        if connections == 0 {
            return Err(StoreError::BadRequest("a server needs at least one database connection".into()));
        }
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e| StoreError::BadRequest(format!("not a PostgreSQL address: {e}")))?;
        let where_ = describe(&config);
        // Times shown without a store are the server's, as on SQLite.
        let zone = crate::storage::zones::process_zone();
        let options = format!("{} -c TimeZone={zone}", config.get_options().unwrap_or_default());
        config.options(options.trim());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("pos-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = {
            let _entered = runtime.enter();
            Pool::builder(manager)
                .max_size(connections)
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .build()
                .map_err(|e| StoreError::Internal(e.to_string()))?
        };
        let db = PgDb { pool, runtime: Some(Arc::new(runtime)) };
        db.migrate().map_err(|e| match e {
            StoreError::Internal(detail) => StoreError::Internal(format!("PostgreSQL at {where_}: {detail}")),
            other => other,
        })?;
        Ok(db)
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the runtime lives as long as the pool")
    }

    fn migrate(&self) -> StoreResult<()> {
        let runtime = self.runtime();
        let mut client = block_on(runtime, self.pool.get()).map_err(pool_error)?;
        block_on(runtime, async {
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
            tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)").await?;
            let version: i64 = match tx.query_opt("SELECT version FROM schema_version", &[]).await? {
                Some(row) => row.get(0),
                None => {
                    tx.execute("INSERT INTO schema_version (version) VALUES (0)", &[]).await?;
                    0
                }
            };
            for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.batch_execute(sql).await?;
                tx.execute("UPDATE schema_version SET version = $1", &[&(index as i64 + 1)]).await?;
            }
            if version <= MIGRATIONS.len() as i64 {
                let zone = crate::storage::zones::process_zone();
                tx.execute("UPDATE stores SET time_zone = $1 WHERE time_zone IS NULL", &[&zone]).await?;
            }
            tx.commit().await.map(|()| version)
        })
        .map_err(|e| StoreError::from(&e))
        .and_then(refuse_newer_schema)
    }

    /// Runs `work` in a transaction of `isolation`, committed when it
    /// returns `Ok`; tried again while PostgreSQL reports a conflict.
    fn transaction<T>(
        &self,
        isolation: IsolationLevel,
        read_only: bool,
        mut work: impl FnMut(&PgTx<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let runtime = self.runtime();
        let mut client = block_on(runtime, self.pool.get()).map_err(pool_error)?;
        for attempt in 1u32.. {
            let start = client.build_transaction().isolation_level(isolation).read_only(read_only).start();
            let tx = block_on(runtime, start).map_err(|e| StoreError::from(&e))?;
            let pg = PgTx { tx, runtime, failure: Default::default() };
            // A newer server migrated the database: this one writes nothing.
            let outcome = match read_only {
                false => tx_schema_version(&pg).and_then(refuse_newer_schema).and_then(|()| work(&pg)),
                true => work(&pg),
            };
            let failure = pg.failure.take();
            let done = match outcome {
                Ok(out) => block_on(runtime, pg.tx.commit()).map(|()| out).map_err(|e| (StoreError::from(&e), Some(e))),
                Err(error) => Err((error, failure)),
            };
            match done {
                Ok(out) => return Ok(out),
                Err((_, cause)) if attempt < WRITE_ATTEMPTS && must_retry(cause.as_ref()) => {
                    let ceiling = (1u64 << attempt.min(7)).min(LONGEST_BACKOFF_MS);
                    std::thread::sleep(std::time::Duration::from_millis(rand::random_range(0..=ceiling)));
                }
                Err((error, _)) => return Err(error),
            }
        }
        unreachable!("the loop returns")
    }
}

fn tx_schema_version(tx: &PgTx<'_>) -> StoreResult<i64> {
    tx.one("SELECT version FROM schema_version", &[])
}

/// The schema `version` this build can write, or why not.
fn refuse_newer_schema(version: i64) -> StoreResult<()> {
    match usize::try_from(version) {
        Ok(version) if version <= MIGRATIONS.len() => Ok(()),
        _ => Err(crate::storage::newer_schema(version, MIGRATIONS.len())),
    }
}

impl From<&tokio_postgres::Error> for StoreError {
    /// With the database's own message ("db error" alone says nothing).
    fn from(e: &tokio_postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) if *db.code() == tokio_postgres::error::SqlState::DISK_FULL => crate::storage::disk_full(),
            Some(db) => StoreError::Internal(format!("{}: {}", db.code().code(), db.message())),
            None => StoreError::Internal(e.to_string()),
        }
    }
}

/// A transaction on one pooled connection; each statement blocks on the
/// pool's runtime. The last database error is kept, so the transaction
/// can tell a conflict (try again) from a real failure.
pub struct PgTx<'a> {
    tx: deadpool_postgres::Transaction<'a>,
    runtime: &'a tokio::runtime::Runtime,
    failure: std::cell::Cell<Option<tokio_postgres::Error>>,
}

impl PgTx<'_> {
    fn failed(&self, error: tokio_postgres::Error) -> StoreError {
        let store_error = StoreError::from(&error);
        self.failure.set(Some(error));
        store_error
    }
}

impl PgTx<'_> {
    /// The statement (prepared once per connection) and its parameters.
    fn prepare(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<(Statement, Vec<values::Bound>)> {
        let prepared = block_on(self.runtime, self.tx.prepare_cached(&postgres_placeholders(sql)));
        Ok((prepared.map_err(|e| self.failed(e))?, values::bind(params)?))
    }
}

impl Tx for PgTx<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn rows(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<Vec<Row>> {
        let (statement, values) = self.prepare(sql, params)?;
        let rows = block_on(self.runtime, self.tx.query(&statement, &values::refs(&values)));
        rows.map_err(|e| self.failed(e))?.iter().map(values::row).collect()
    }

    fn run(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<u64> {
        let (statement, values) = self.prepare(sql, params)?;
        let changed = block_on(self.runtime, self.tx.execute(&statement, &values::refs(&values)));
        changed.map_err(|e| self.failed(e))
    }
}

impl Database for PgDb {
    type Tx<'a> = PgTx<'a>;

    fn write<T>(&self, work: impl FnMut(&PgTx<'_>) -> StoreResult<T>) -> StoreResult<T> {
        self.transaction(IsolationLevel::Serializable, false, work)
    }

    /// REPEATABLE READ: pushes of different tills never abort each other
    /// over predicate locks (a scan of a small table locks all of it under
    /// SERIALIZABLE); a push of the same till, or one changing a shared row
    /// another changed (a counter, an order, a cost price), still fails to
    /// serialise and runs again.
    fn append<T>(&self, work: impl FnMut(&PgTx<'_>) -> StoreResult<T>) -> StoreResult<T> {
        self.transaction(IsolationLevel::RepeatableRead, false, work)
    }

    fn snapshot<T>(&self, work: impl FnMut(&PgTx<'_>) -> StoreResult<T>) -> StoreResult<T> {
        self.transaction(IsolationLevel::RepeatableRead, true, work)
    }

    fn schema_current(&self) -> StoreResult<bool> {
        let version: i64 = self.snapshot(|tx| tx.one("SELECT version FROM schema_version", &[]))?;
        Ok(version == MIGRATIONS.len() as i64)
    }
}
