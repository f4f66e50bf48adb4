//! What the sale screen's product grid shows, for goods without a barcode:
//! the catalog's categories, a category's products by name, and the
//! favourites page a manager arranges.

use rusqlite::params;

use crate::catalog::{PRODUCT_COLUMNS, Product, product_from_row};
use crate::error::{CoreError, CoreResult};
use crate::users::Credentials;
use crate::{Operator, Terminal};

/// The most tiles a page shows (a category's first, by name).
pub const PAGE_TILES: usize = 120;
/// The most favourites a store keeps.
pub const MAX_FAVOURITES: usize = 48;

impl Terminal {
    /// The catalog's categories, by name (products with none left out).
    pub fn categories(&self) -> CoreResult<Vec<String>> {
        // One index seek per category (a loose index scan over
        // `products_by_category`), not a pass over every product.
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE c(name) AS (
               SELECT MIN(category) FROM products WHERE archived = 0 AND category > ''
               UNION ALL
               SELECT (SELECT MIN(category) FROM products WHERE archived = 0 AND category > c.name)
               FROM c WHERE c.name IS NOT NULL
             )
             SELECT name FROM c WHERE name IS NOT NULL",
        )?;
        Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
    }

    /// A category's products by name, at most [`PAGE_TILES`].
    pub fn category_products(&self, category: &str) -> CoreResult<Vec<Product>> {
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.archived = 0 AND p.category = ?1 ORDER BY p.name LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_map(params![category, PAGE_TILES as i64], product_from_row)?.collect::<Result<_, _>>()?)
    }

    /// The favourites page, in the manager's order (archived products left
    /// out). CROSS JOIN keeps the few favourites outside: the planner would
    /// otherwise walk all the products.
    pub fn favourites(&self) -> CoreResult<Vec<Product>> {
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM favourites f CROSS JOIN products p ON p.sku = f.sku
             WHERE p.archived = 0 ORDER BY f.position"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_map([], product_from_row)?.collect::<Result<_, _>>()?)
    }

    /// Puts `sku` on the favourites page (at the end) or takes it off: a
    /// manager's decision, approved by `approver` when `actor` is not one.
    pub fn toggle_favourite(&mut self, actor: &Operator, sku: &str, approver: Option<&Credentials>) -> CoreResult<()> {
        let mut skus: Vec<String> = self.favourites()?.into_iter().map(|p| p.sku).collect();
        match skus.iter().position(|s| s.eq_ignore_ascii_case(sku)) {
            Some(at) => drop(skus.remove(at)),
            None => skus.push(sku.to_string()),
        }
        self.set_favourites(actor, &skus, approver)
    }

    /// Replaces the favourites page with `skus`, in order. An unknown or
    /// repeated SKU, or more than [`MAX_FAVOURITES`], changes nothing.
    pub fn set_favourites(
        &mut self,
        actor: &Operator,
        skus: &[String],
        approver: Option<&Credentials>,
    ) -> CoreResult<()> {
        if skus.len() > MAX_FAVOURITES {
            return Err(CoreError::Invalid(format!("at most {MAX_FAVOURITES} favourites")));
        }
        let mut known = Vec::with_capacity(skus.len());
        for sku in skus {
            let product = self
                .product_by_sku(sku.trim())?
                .ok_or_else(|| CoreError::UnknownCode(pos_shared::entry_rules::excerpt(sku)))?;
            if known.iter().any(|k: &String| k.eq_ignore_ascii_case(&product.sku)) {
                return Err(CoreError::Invalid(format!("{} is on the list twice", product.sku)));
            }
            known.push(product.sku);
        }
        let permission = pos_shared::roles::Permission::ChangeSettings;
        self.authorize(actor, permission, approver, format!("favourites: {}", known.join(" ")))?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM favourites", [])?;
        for (position, sku) in known.iter().enumerate() {
            tx.execute("INSERT INTO favourites (position, sku) VALUES (?1, ?2)", params![position as i64, sku])?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::demo::{DEMO_CASHIER, DEMO_MANAGER};
    use crate::error::CoreError;
    use crate::test_support::demo;

    #[test]
    fn favourites_are_a_managers_and_bad_lists_change_nothing() {
        let (_dir, mut terminal, _) = demo();
        let marie = terminal.login(DEMO_MANAGER.0, DEMO_MANAGER.1).unwrap();
        let camille = terminal.login(DEMO_CASHIER.0, DEMO_CASHIER.1).unwrap();
        let list = |skus: &[&str]| skus.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        terminal.set_favourites(&marie, &list(&["bak0001", "WIN0003"]), None).unwrap();
        let before: Vec<String> = terminal.favourites().unwrap().into_iter().map(|p| p.sku).collect();
        assert_eq!(before, ["BAK0001", "WIN0003"], "stored as the catalog spells them, in order");
        let refused = [
            terminal.set_favourites(&marie, &list(&["BAK0001", "NOPE"]), None).unwrap_err(),
            terminal.set_favourites(&marie, &list(&["BAK0001", "bak0001"]), None).unwrap_err(),
            terminal.set_favourites(&marie, &vec!["BAK0001".to_string(); 49], None).unwrap_err(),
            terminal.set_favourites(&camille, &list(&["DAI0001"]), None).unwrap_err(),
        ];
        assert!(matches!(refused[0], CoreError::UnknownCode(_)));
        assert!(refused[1].to_string().contains("twice"));
        assert!(refused[2].to_string().contains("at most 48"));
        assert!(matches!(refused[3], CoreError::PermissionDenied { .. }));
        let after: Vec<String> = terminal.favourites().unwrap().into_iter().map(|p| p.sku).collect();
        assert_eq!(after, before, "refusals change nothing");
        assert!(terminal.categories().unwrap().contains(&"Boulangerie".to_string()));
        let bread = terminal.category_products("Boulangerie").unwrap();
        assert!(bread.windows(2).all(|w| w[0].name <= w[1].name) && bread.iter().all(|p| p.category == "Boulangerie"));
    }
}
