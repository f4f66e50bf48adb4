//! SQL written once for every database head office runs on: statements
//! with `?1`-style placeholders in the portable subset both SQLite and
//! PostgreSQL speak, run through [`Tx`] on whichever the server opened.
//! Values cross as [`Value`]: integers (money in minor units, quantities
//! in thousandths, flags as 0/1), text and bytes; never floats.
//!
//! Portable spelling the business rules keep to: `CAST(SUM(x) AS BIGINT)`
//! (PostgreSQL sums integers to NUMERIC), `flag = 1` rather than a bare
//! integer as a condition, `CAST(?1 AS BIGINT) IS NULL` for an optional
//! parameter (PostgreSQL must know its type), `string_agg`, `ON CONFLICT
//! (...) DO UPDATE` and `RETURNING` (both speak them), and no date
//! functions (times are milliseconds).

use crate::storage::{StoreError, StoreResult};

/// A parameter or a column value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// What can be bound as a parameter.
pub trait Param {
    fn value(&self) -> Value;
}

/// Every parameter's value, checked: PostgreSQL holds no NUL byte in text,
/// so neither database takes one (a 400 on both, never a 500 on one and a
/// "not found" on the other).
pub fn values(params: &[&dyn Param]) -> StoreResult<Vec<Value>> {
    params
        .iter()
        .map(|p| match p.value() {
            Value::Text(text) if text.contains('\0') => {
                Err(StoreError::BadRequest("a text with a NUL byte (\\0) in it is never stored or looked up".into()))
            }
            value => Ok(value),
        })
        .collect()
}

impl Param for i64 {
    fn value(&self) -> Value {
        Value::Int(*self)
    }
}

impl Param for i32 {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl Param for u32 {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

/// Cursors and sequence numbers are below 2^63 (the API refuses more).
impl Param for u64 {
    fn value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl Param for bool {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl Param for str {
    fn value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl Param for String {
    fn value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl Param for [u8] {
    fn value(&self) -> Value {
        Value::Bytes(self.to_vec())
    }
}

impl<const N: usize> Param for [u8; N] {
    fn value(&self) -> Value {
        Value::Bytes(self.to_vec())
    }
}

impl Param for Value {
    fn value(&self) -> Value {
        self.clone()
    }
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value {
        (**self).value()
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value {
        self.as_ref().map_or(Value::Null, Param::value)
    }
}

/// A column value read back as a Rust value.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<i64> {
        match value {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl FromValue for u64 {
    fn from_value(value: &Value) -> Option<u64> {
        i64::from_value(value).and_then(|i| u64::try_from(i).ok())
    }
}

impl FromValue for u32 {
    fn from_value(value: &Value) -> Option<u32> {
        i64::from_value(value).and_then(|i| u32::try_from(i).ok())
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<bool> {
        i64::from_value(value).map(|i| i != 0)
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<String> {
        match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Option<Vec<u8>> {
        match value {
            Value::Bytes(bytes) => Some(bytes.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Option<T>> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One result row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `index` as `T`; a missing column or another type is a storage failure.
    pub fn get<T: FromValue>(&self, index: usize) -> StoreResult<T> {
        let value = self.0.get(index).ok_or_else(|| StoreError::Internal(format!("no column {index}")))?;
        T::from_value(value).ok_or_else(|| {
            StoreError::Internal(format!("column {index} is {value:?}, not a {}", std::any::type_name::<T>()))
        })
    }
}

/// Which database a statement runs on, for the few expressions the two
/// spell differently (local dates and hours of a time in milliseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The local date (`2026-11-27`) of `ms`, milliseconds since the epoch,
    /// in the time zone `zone` names (an SQL expression: a store's zone, see
    /// `zones`), whatever the process's.
    pub fn local_date(self, ms: &str, zone: &str) -> String {
        match self {
            Dialect::Sqlite => format!("pos_local_time({ms}, {zone}, '%Y-%m-%d')"),
            Dialect::Postgres => format!("to_char(to_timestamp({ms} / 1000.0) AT TIME ZONE {zone}, 'YYYY-MM-DD')"),
        }
    }

    /// The local hour (`09:00`) of `ms` in `zone`.
    pub fn local_hour(self, ms: &str, zone: &str) -> String {
        match self {
            Dialect::Sqlite => format!("pos_local_time({ms}, {zone}, '%H:00')"),
            Dialect::Postgres => format!("to_char(to_timestamp({ms} / 1000.0) AT TIME ZONE {zone}, 'HH24') || ':00'"),
        }
    }
}

/// A transaction (or a read snapshot) on either database.
pub trait Tx {
    /// The database it runs on.
    fn dialect(&self) -> Dialect;
    /// Every row a statement returns.
    fn rows(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<Vec<Row>>;
    /// Runs a statement; how many rows it changed.
    fn run(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<u64>;

    /// The first row, if any.
    fn row(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<Option<Row>> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// The one row a statement must return (none is a storage failure).
    fn one_row(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<Row> {
        self.row(sql, params)?.ok_or_else(|| StoreError::Internal(format!("no row where one was expected: {sql}")))
    }

    /// The first column of the one row a statement must return.
    fn one<T: FromValue>(&self, sql: &str, params: &[&dyn Param]) -> StoreResult<T>
    where
        Self: Sized,
    {
        self.one_row(sql, params)?.get(0)
    }
}

/// A database head office runs on: transactions around the rules.
pub trait Database: Send + Sync + 'static {
    /// What a transaction looks like to the rules.
    type Tx<'a>: Tx
    where
        Self: 'a;

    /// Runs `work` in a write transaction, committed when it returns `Ok`
    /// (run again from the start when the database reports a conflict).
    fn write<T>(&self, work: impl FnMut(&Self::Tx<'_>) -> StoreResult<T>) -> StoreResult<T>;

    /// Runs `work` in a write transaction that records what a till pushed
    /// (see [`crate::storage::rules::ingest`]): rows of its own, its
    /// terminal's row locked first, and shared rows changed only in place,
    /// so a database may run it with less isolation than [`Database::write`]
    /// (no predicate locks) and still give the results of one server.
    fn append<T>(&self, work: impl FnMut(&Self::Tx<'_>) -> StoreResult<T>) -> StoreResult<T> {
        self.write(work)
    }

    /// Runs `work` on one read-only snapshot.
    fn snapshot<T>(&self, work: impl FnMut(&Self::Tx<'_>) -> StoreResult<T>) -> StoreResult<T>;

    /// Whether its schema is the one this build migrates to.
    fn schema_current(&self) -> StoreResult<bool>;
}

/// Turns `?1`-style placeholders into PostgreSQL's `$1` (the statements
/// hold no `?` elsewhere: no string literal in them contains one).
pub fn postgres_placeholders(sql: &str) -> String {
    sql.replace('?', "$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_refuse_the_wrong_type() {
        let row = Row(vec![Value::Int(7), Value::Text("a".into()), Value::Null, Value::Int(-1)]);
        assert_eq!(row.get::<i64>(0).unwrap(), 7);
        assert_eq!(row.get::<String>(1).unwrap(), "a");
        assert_eq!(row.get::<Option<i64>>(2).unwrap(), None);
        assert!(row.get::<u64>(3).is_err(), "a negative count is not a u64");
        assert!(row.get::<String>(0).is_err());
        assert!(row.get::<i64>(9).is_err());
        assert_eq!(Some(3u32).value(), Value::Int(3));
        assert_eq!(None::<&str>.value(), Value::Null);
        assert_eq!(postgres_placeholders("WHERE a = ?1 AND b = ?12"), "WHERE a = $1 AND b = $12");
    }
}
