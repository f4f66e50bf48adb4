//! Price rules on the wire: price lists, their prices and promotions, pulled
//! with the catalog. A promotion travels as its row of the promotion file,
//! read on the till by the same parser `promo import` uses.

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::pricing::PricingError;
use crate::pricing::rules::{ListPrice, PriceList, Promotion, parse_promotion};
use crate::quantity::{Quantity, Unit};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePriceList {
    pub name: String,
    pub store: Option<String>,
    pub group: Option<String>,
    /// `YYYY-MM-DD`, both included.
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireListPrice {
    pub list: String,
    pub sku: String,
    pub min_qty: String,
    pub price: String,
}

/// A pack of a product: sold by its own barcode as `qty` units, at its own
/// price when it has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePack {
    pub sku: String,
    pub qty: String,
    pub barcode: Option<String>,
    pub price: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePromotion {
    /// The promotion file's fields, in its column order.
    pub fields: Vec<String>,
}

impl WirePriceList {
    /// The list without its prices.
    pub fn to_list(&self) -> Result<PriceList, PricingError> {
        let day = |d: &Option<String>| d.as_deref().map(str::parse).transpose();
        Ok(PriceList {
            name: self.name.clone(),
            store: self.store.clone(),
            group: self.group.clone(),
            from: day(&self.from)?,
            to: day(&self.to)?,
            prices: Vec::new(),
        })
    }
}

/// A quantity of any unit (head office checked it against the product's).
fn any_quantity(text: &str) -> Result<Quantity, String> {
    Quantity::parse(text, Unit::Kg).map_err(|e| e.to_string())
}

impl WireListPrice {
    pub fn to_price(&self) -> Result<ListPrice, PricingError> {
        let bad = |e: String| PricingError::Invalid(format!("{} on {}: {e}", self.sku, self.list));
        Ok(ListPrice {
            sku: self.sku.clone(),
            min_milli: any_quantity(&self.min_qty).map_err(bad)?.milli(),
            price: self.price.parse::<Money>().map_err(|e| bad(e.to_string()))?,
        })
    }
}

impl WirePack {
    /// The units in the pack, and its own price when it has one.
    pub fn size_and_price(&self) -> Result<(Quantity, Option<Money>), PricingError> {
        let bad = |e: String| PricingError::Invalid(format!("pack of {}: {e}", self.sku));
        let size = any_quantity(&self.qty).map_err(bad)?;
        let price = self.price.as_deref().map(str::parse::<Money>).transpose().map_err(|e| bad(e.to_string()))?;
        Ok((size, price))
    }
}

impl WirePromotion {
    /// The promotion as both sides store it: its fields as a JSON array.
    pub fn stored(&self) -> String {
        serde_json::to_string(&self.fields).expect("strings serialise")
    }

    /// A promotion read back from [`WirePromotion::stored`].
    pub fn from_stored(text: &str) -> Result<WirePromotion, PricingError> {
        let fields =
            serde_json::from_str(text).map_err(|e| PricingError::Invalid(format!("a stored promotion: {e}")))?;
        Ok(WirePromotion { fields })
    }

    pub fn to_promotion(&self) -> Result<Promotion, PricingError> {
        let fields: Vec<&str> = self.fields.iter().map(String::as_str).collect();
        parse_promotion(&fields)
    }
}
