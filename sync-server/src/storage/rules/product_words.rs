//! The catalog's search index: each product's words (its name, SKU and
//! category) in lower case and without accents, so a search as you type
//! reads an index by word prefix, on either database, instead of every
//! product's name; and "legumes" finds "Légumes".

use std::collections::BTreeSet;

use crate::storage::StoreResult;
use crate::storage::sql::{Param, Tx};

/// Words a search reads at most.
const MOST_WORDS: usize = 6;

/// `text` in lower case, its accented Latin letters plain.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            'ß' => "ss",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(plain);
    }
    out
}

/// The distinct words of `text`, folded.
pub fn words(text: &str) -> BTreeSet<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// Indexes a product again (after it was written).
pub fn index(tx: &impl Tx, sku: &str, name: &str, category: &str) -> StoreResult<()> {
    tx.run("DELETE FROM product_words WHERE sku = ?1", &[&sku])?;
    let mut all = words(&format!("{name} {category}"));
    all.insert(fold(sku));
    let all: Vec<String> = all.into_iter().collect();
    let values: Vec<String> = (0..all.len()).map(|i| format!("(?{}, ?1)", i + 2)).collect();
    let mut params: Vec<&dyn Param> = vec![&sku];
    params.extend(all.iter().map(|w| w as &dyn Param));
    tx.run(&format!("INSERT INTO product_words (word, sku) VALUES {}", values.join(", ")), &params)?;
    Ok(())
}

/// Indexes every product, when the index is empty and the catalog is not
/// (a database from before the index); how many were indexed.
pub fn index_missing(tx: &impl Tx) -> StoreResult<u64> {
    if tx.row("SELECT 1 FROM product_words LIMIT 1", &[])?.is_some() {
        return Ok(0);
    }
    let products = tx.rows("SELECT sku, name, category FROM products", &[])?;
    for row in &products {
        let (sku, name, category): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        index(tx, &sku, &name, &category)?;
    }
    Ok(products.len() as u64)
}

/// The SKUs of up to `limit` products with a word starting with each word
/// of `query` (the longest typed word leads: it narrows most).
pub fn matching(tx: &impl Tx, query: &str, limit: u32) -> StoreResult<Vec<String>> {
    let mut typed: Vec<String> = words(query).into_iter().collect();
    typed.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    typed.truncate(MOST_WORDS);
    if typed.is_empty() {
        return Ok(Vec::new());
    }
    // In byte order, every word starting with `w` sorts before `w` + U+10FFFF.
    let bounds: Vec<(String, String)> = typed.iter().map(|w| (w.clone(), format!("{w}\u{10FFFF}"))).collect();
    let mut params: Vec<&dyn Param> = vec![&limit];
    for (low, high) in &bounds {
        params.push(low);
        params.push(high);
    }
    let others: String = (1..bounds.len())
        .map(|i| {
            format!(
                " AND EXISTS (SELECT 1 FROM product_words w{i} WHERE w{i}.sku = w0.sku AND w{i}.word >= ?{} AND w{i}.word < ?{})",
                2 * i + 2,
                2 * i + 3
            )
        })
        .collect();
    let rows = tx.rows(
        &format!("SELECT w0.sku FROM product_words w0 WHERE w0.word >= ?2 AND w0.word < ?3{others} LIMIT ?1"),
        &params,
    )?;
    let mut skus = Vec::with_capacity(rows.len());
    for row in &rows {
        let sku: String = row.get(0)?;
        if !skus.contains(&sku) {
            skus.push(sku);
        }
    }
    Ok(skus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_split() {
        assert_eq!(fold("Légumes Crème brûlée ŒUF"), "legumes creme brulee oeuf");
        let found: Vec<String> = words("Pain de campagne, 500 g (bio)").into_iter().collect();
        assert_eq!(found, ["500", "bio", "campagne", "de", "g", "pain"]);
    }
}
