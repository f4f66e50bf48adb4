//! A PostgreSQL database of its own for one test: a fresh schema in the
//! server named by `POS_TEST_POSTGRES` (default: the local one every
//! machine of ours and CI's runs, `postgres://postgres@127.0.0.1:5432/test`),
//! dropped when the test ends. No PostgreSQL there is a failure, not a skip.

/// The server tests use unless `POS_TEST_POSTGRES` names another.
pub const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/test";

pub struct TestDatabase {
    server: String,
    schema: String,
    /// The address a head office is given: the server, in this schema.
    pub url: String,
}

fn run(server: &str, sql: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {server} (set POS_TEST_POSTGRES): {e}"));
        tokio::spawn(connection);
        client.batch_execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    });
}

impl TestDatabase {
    pub fn new() -> TestDatabase {
        let server = std::env::var("POS_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_SERVER.to_string());
        let schema = format!("t_{}_{}", std::process::id(), rand::random::<u32>());
        run(&server, &format!("CREATE SCHEMA {schema}"));
        let separator = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{separator}options=-csearch_path%3D{schema}");
        TestDatabase { server, schema, url }
    }
}

impl TestDatabase {
    /// Runs `sql` in this schema straight on the server, around head
    /// office's code (as another server or a person at psql would).
    pub fn execute(&self, sql: &str) {
        run(&self.server, &format!("SET search_path TO {}; {sql}", self.schema));
    }

    /// Writes the schema to `file` with `pg_dump`, as a chain's IT backs up.
    pub fn dump(&self, file: &std::path::Path) {
        let status = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--schema", &self.schema, "--file"])
            .arg(file)
            .arg(&self.server)
            .status()
            .expect("run pg_dump");
        assert!(status.success(), "pg_dump failed");
    }

    /// Puts the schema back as `file` holds it, with `pg_restore`: what was
    /// written since the dump is gone.
    pub fn restore(&self, file: &std::path::Path) {
        run(&self.server, &format!("DROP SCHEMA {} CASCADE", self.schema));
        let status = std::process::Command::new("pg_restore")
            .args(["--dbname", &self.server])
            .arg(file)
            .status()
            .expect("run pg_restore");
        assert!(status.success(), "pg_restore failed");
    }
}

impl Default for TestDatabase {
    fn default() -> TestDatabase {
        TestDatabase::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        run(&self.server, &format!("DROP SCHEMA {} CASCADE", self.schema));
    }
}
