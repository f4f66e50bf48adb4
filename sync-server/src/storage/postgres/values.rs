//! Values between the portable rules and PostgreSQL's typed protocol: a
//! parameter takes the type the statement expects (an integer binds as
//! `BIGINT`, `INTEGER`, `SMALLINT` or `BOOLEAN`), and a column comes back
//! by its type. A `NUMERIC` column is refused: the rules cast sums to
//! `BIGINT`, so money never passes through a decimal the database chose.

use bytes::BytesMut;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::storage::sql::{Param, Row, Value};
use crate::storage::{StoreError, StoreResult};

#[derive(Debug)]
pub(super) struct Bound(Value);

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Bound {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match (&self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(i), &Type::INT8) => i.to_sql(ty, out),
            (Value::Int(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::INT2) => i16::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
            (Value::Text(t), _) => t.as_str().to_sql(ty, out),
            (Value::Bytes(b), _) => b.as_slice().to_sql(ty, out),
            (value, ty) => Err(format!("cannot bind {value:?} as {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

pub(super) fn bind(params: &[&dyn Param]) -> StoreResult<Vec<Bound>> {
    Ok(crate::storage::sql::values(params)?.into_iter().map(Bound).collect())
}

pub(super) fn refs(values: &[Bound]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// A row of PostgreSQL values as portable ones.
pub(super) fn row(row: &tokio_postgres::Row) -> StoreResult<Row> {
    let value = |i: usize| -> Result<Value, tokio_postgres::Error> {
        let ty = row.columns()[i].type_();
        Ok(match *ty {
            Type::INT8 => row.get::<_, Option<i64>>(i).map_or(Value::Null, Value::Int),
            Type::INT4 => row.get::<_, Option<i32>>(i).map_or(Value::Null, |v| Value::Int(v.into())),
            Type::INT2 => row.get::<_, Option<i16>>(i).map_or(Value::Null, |v| Value::Int(v.into())),
            Type::BOOL => row.get::<_, Option<bool>>(i).map_or(Value::Null, |v| Value::Int(v.into())),
            Type::BYTEA => row.get::<_, Option<Vec<u8>>>(i).map_or(Value::Null, Value::Bytes),
            _ => row.try_get::<_, Option<String>>(i)?.map_or(Value::Null, Value::Text),
        })
    };
    let values = (0..row.len())
        .map(|i| {
            value(i).map_err(|e| {
                StoreError::Internal(format!("column {} ({}): {e}", row.columns()[i].name(), row.columns()[i].type_()))
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(Row(values))
}
