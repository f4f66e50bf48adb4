//! Parked (held) carts: put aside for another customer and resumed later,
//! kept on disk so a restart does not lose them.

use pos_shared::money::Money;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::error::{CoreError, CoreResult};
use crate::{Cart, Operator, Terminal};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParkedCart {
    pub id: i64,
    pub parked_at_ms: i64,
    pub by: String,
    pub label: String,
    pub lines: usize,
    /// What the cart comes to at today's prices.
    pub total: Money,
}

impl Terminal {
    pub fn park(&mut self, actor: &Operator, cart: &Cart, label: &str) -> CoreResult<i64> {
        if cart.is_empty() {
            return Err(CoreError::EmptyCart);
        }
        let bytes = serde_json::to_vec(cart).expect("carts serialise");
        self.conn.execute(
            "INSERT INTO parked (parked_at_ms, by_user, label, cart) VALUES (?1, ?2, ?3, ?4)",
            params![self.clock.now_ms(), actor.name, label.trim(), bytes],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn parked_carts(&self) -> CoreResult<Vec<ParkedCart>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, parked_at_ms, by_user, label, cart FROM parked ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            let cart: Vec<u8> = r.get(4)?;
            let cart = serde_json::from_slice::<Cart>(&cart).unwrap_or_default();
            let parked = ParkedCart {
                id: r.get(0)?,
                parked_at_ms: r.get(1)?,
                by: r.get(2)?,
                label: r.get(3)?,
                lines: cart.lines.len(),
                total: Money::ZERO,
            };
            Ok((parked, cart))
        })?;
        let parked = rows.collect::<Result<Vec<_>, _>>()?;
        Ok(parked
            .into_iter()
            .map(|(parked, cart)| ParkedCart {
                total: self.cart_totals(&cart).map(|t| t.total).unwrap_or(Money::ZERO),
                ..parked
            })
            .collect())
    }

    /// Takes a parked cart back; it is no longer parked.
    pub fn resume(&mut self, id: i64) -> CoreResult<Cart> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let bytes: Option<Vec<u8>> =
            tx.query_row("SELECT cart FROM parked WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        let bytes = bytes.ok_or_else(|| CoreError::Invalid(format!("no parked cart {id}")))?;
        let cart = serde_json::from_slice(&bytes)
            .map_err(|e| CoreError::Invalid(format!("parked cart {id} is unreadable: {e}")))?;
        tx.execute("DELETE FROM parked WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(cart)
    }
}
