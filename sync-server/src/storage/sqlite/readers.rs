//! Read-only connections beside the writer: taken from a pool, opened on
//! demand, put back when dropped. WAL gives each read transaction a
//! snapshot, so a report or a page reads while pushes commit.

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;

use crate::storage::StoreResult;

/// How many idle readers are kept open (more are opened when busy, and
/// closed when put back beyond this).
const KEEP_IDLE: usize = 8;

pub(super) struct Readers {
    path: PathBuf,
    options: pos_sqlite::Options,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub(super) fn new(path: &Path, options: pos_sqlite::Options) -> Readers {
        Readers { path: path.to_path_buf(), options, idle: Mutex::new(Vec::new()) }
    }

    pub(super) fn get(&self) -> StoreResult<Reader<'_>> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = pos_sqlite::open_reader(&self.path, self.options)?;
                super::with_store_clocks(&conn)?;
                conn
            }
        };
        Ok(Reader { conn: Some(conn), pool: self })
    }
}

/// A reader on loan from the pool.
pub(super) struct Reader<'a> {
    conn: Option<Connection>,
    pool: &'a Readers,
}

impl Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("a reader is on loan until dropped")
    }
}

impl DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("a reader is on loan until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        // A reader left inside a transaction (an early return) is not reused.
        if !conn.is_autocommit() {
            return;
        }
        let mut idle = self.pool.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
    }
}
