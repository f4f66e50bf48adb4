//! The portable SQL of [`crate::storage::sql`] on SQLite: a connection (or
//! a transaction, through it) runs statements with cached preparation.

use rusqlite::types::{Value as SqliteValue, ValueRef};

use crate::storage::sql::{Dialect, Param, Row, Tx, Value};
use crate::storage::{StoreError, StoreResult};

fn bind(params: &[&dyn Param]) -> StoreResult<Vec<SqliteValue>> {
    Ok(crate::storage::sql::values(params)?
        .into_iter()
        .map(|value| match value {
            Value::Null => SqliteValue::Null,
            Value::Int(i) => SqliteValue::Integer(i),
            Value::Text(t) => SqliteValue::Text(t),
            Value::Bytes(b) => SqliteValue::Blob(b),
        })
        .collect())
}

fn read(value: ValueRef<'_>) -> StoreResult<Value> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Text(t) => {
            Value::Text(String::from_utf8(t.to_vec()).map_err(|e| StoreError::Internal(e.to_string()))?)
        }
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
        ValueRef::Real(r) => return Err(StoreError::Internal(format!("a float ({r}) where none belongs"))),
    })
}

impl Tx for rusqlite::Connection {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn rows(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<Vec<Row>> {
        let mut stmt = self.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(bind(params)?))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(Row((0..columns).map(|i| read(row.get_ref(i)?)).collect::<StoreResult<_>>()?));
        }
        Ok(out)
    }

    fn run(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<u64> {
        Ok(self.prepare_cached(sql)?.execute(rusqlite::params_from_iter(bind(params)?))? as u64)
    }
}
