//! The sync protocol's wire types, version 1. They are not domain types:
//! amounts travel as decimal strings, journal entries as their exact
//! canonical bytes, and every request names the protocol version it speaks.
//! Conversions to and from the domain are written out by hand below.

mod orders;
mod prices;
mod purchases;

pub use orders::*;
pub use prices::*;
pub use purchases::*;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::catalog::CatalogItem;
use crate::journal::Hash32;
use crate::money::Money;
use crate::quantity::Quantity;

/// The version this build speaks; a server refuses any other.
pub const PROTOCOL_VERSION: u32 = 1;

/// Header carrying the protocol version on requests without a body.
pub const VERSION_HEADER: &str = "pos-protocol-version";
/// Response header naming head office's database epoch: it changes when
/// the database is restored from a backup, and a till that sees it change
/// pulls everything again.
pub const EPOCH_HEADER: &str = "pos-epoch";
/// Request header on a push: how many entries the till still had to send
/// (this push's included), for head office's view of who is behind.
pub const PENDING_HEADER: &str = "pos-pending";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub protocol_version: u32,
    pub code: String,
    /// The till's Ed25519 public key (64 hex characters): its entries are
    /// then accepted only signed with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The till's own id when it enrolls again with its journal (head
    /// office was restored from before it enrolled): a code for another
    /// terminal is then refused before it is spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
}

/// A till whose token head office no longer knows (its database was
/// restored from before the till enrolled or renewed its token) proves it
/// is the till it says with the key it enrolled with (`POST /v1/recognize`):
/// head office then takes the token the till holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecognizeRequest {
    pub protocol_version: u32,
    pub terminal_id: String,
    pub token: String,
    /// When the till signed (milliseconds since the epoch): head office
    /// refuses a signature more than [`RECOGNIZE_WINDOW_MS`] from its clock.
    pub signed_at_ms: i64,
    /// The till's signature of [`recognition_hash`], hex.
    pub signature: String,
}

/// How far a recognition's signing time may be from head office's clock.
pub const RECOGNIZE_WINDOW_MS: i64 = 10 * 60 * 1000;

/// What a till signs to be recognised: its id, its token's SHA-256 (the
/// token itself is never signed into anything kept) and the time.
pub fn recognition_hash(terminal_id: &str, token: &str, signed_at_ms: i64) -> Hash32 {
    use sha2::{Digest, Sha256};
    let token_hash = hex::encode(Sha256::digest(token.as_bytes()));
    Hash32(Sha256::digest(format!("pos-recognize\n{terminal_id}\n{token_hash}\n{signed_at_ms}").as_bytes()).into())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreInfo {
    pub code: String,
    pub name: String,
    pub currency: String,
    /// `inclusive` or `exclusive`.
    pub tax_mode: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub protocol_version: u32,
    pub terminal_id: String,
    pub terminal_name: String,
    /// The bearer token of every later call; shown once.
    pub token: String,
    pub store: StoreInfo,
}

/// One journal entry as the terminal recorded it: `payload` is its
/// canonical bytes, untouched, so the server can check the hash.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WireEntry {
    pub seq: u64,
    pub payload: Box<RawValue>,
    pub prev_hash: Hash32,
    pub hash: Hash32,
    /// The till's Ed25519 signature of `hash`, in hex (entries made before
    /// signatures have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl WireEntry {
    /// Whether it carries a signature of its hash that `public_key` verifies.
    pub fn signed_by(&self, public_key: &[u8]) -> bool {
        let signature = self.signature.as_deref().and_then(|text| hex::decode(text).ok());
        signature.is_some_and(|signature| crate::signing::verify(public_key, &self.hash, &signature))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol_version: u32,
    pub terminal_id: String,
    /// Consecutive entries in seq order.
    pub entries: Vec<WireEntry>,
}

/// The acknowledgement of a push: everything up to `acked_through` is
/// applied. A replayed push gets the same acknowledgement again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub protocol_version: u32,
    pub acked_through: u64,
}

/// A refused request: a stable `error` code, a sentence for people, and for
/// a gap the seq the server expects next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireProduct {
    pub sku: String,
    pub name: String,
    pub price: String,
    pub unit: String,
    pub tax_rate: String,
    pub cost: Option<String>,
    pub category: String,
    pub barcodes: Vec<String>,
    pub reorder_point: Option<String>,
    pub archived: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireUser {
    pub name: String,
    pub role: String,
    /// argon2 PHC string; PINs never travel.
    pub pin_hash: String,
    pub active: bool,
}

#[derive(Clone, Default, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCustomer {
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The customer group whose price lists apply (trade, staff...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// How much they may owe on account; none: no account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_limit: Option<Money>,
    /// Days they have to pay what went on account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_days: Option<u32>,
    /// A business customer's VAT number: their sales are invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// What a customer's account owes, or what a gift card holds, at head
/// office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireBalance {
    pub code: String,
    pub balance: Money,
}

/// One page of catalog changes after a cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPage {
    pub protocol_version: u32,
    pub products: Vec<WireProduct>,
    pub users: Vec<WireUser>,
    pub customers: Vec<WireCustomer>,
    /// Price lists and list prices changed up to the cursor.
    #[serde(default)]
    pub price_lists: Vec<WirePriceList>,
    #[serde(default)]
    pub list_prices: Vec<WireListPrice>,
    /// Promotions added or changed up to the cursor.
    #[serde(default)]
    pub promotions: Vec<WirePromotion>,
    /// Packs added or changed up to the cursor.
    #[serde(default)]
    pub packs: Vec<WirePack>,
    /// Pass this as `since` for the next page.
    pub next_cursor: u64,
    pub more: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireStock {
    pub sku: String,
    pub on_hand_milli: i64,
}

/// Central on-hand of the terminal's store, including this terminal's own
/// entries up to `through_seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockSnapshot {
    pub protocol_version: u32,
    pub store: String,
    pub through_seq: u64,
    pub items: Vec<WireStock>,
    /// What each customer with an account owes, as of the same moment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<WireBalance>,
    /// What each gift card holds, as of the same moment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gift_cards: Vec<WireBalance>,
    /// This terminal's entries head office holds for a person to decide,
    /// applied to nothing meanwhile (its later entries are applied).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<WireHeld>,
    /// The certificates (SHA-256 fingerprints) a pinned till accepts from
    /// head office, the one it presents now first, then the one announced
    /// next and the one before the last switch: how tills follow a new
    /// certificate without a visit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<String>,
}

/// A till's renewed token (`POST /v1/token`): the old one works until
/// this one is first used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub protocol_version: u32,
    pub token: String,
}

/// An entry head office holds instead of applying it, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireHeld {
    pub seq: u64,
    pub reason: String,
}

impl From<&CatalogItem> for WireProduct {
    fn from(item: &CatalogItem) -> WireProduct {
        WireProduct {
            sku: item.sku.clone(),
            name: item.name.clone(),
            price: item.price.to_string(),
            unit: item.unit.as_str().to_string(),
            tax_rate: item.tax_rate.percent().to_string(),
            cost: item.cost.map(|c| c.to_string()),
            category: item.category.clone(),
            barcodes: item.barcodes.clone(),
            reorder_point: item.reorder_point.map(|q| q.display()),
            archived: item.archived,
        }
    }
}

impl TryFrom<&WireProduct> for CatalogItem {
    type Error = String;
    fn try_from(wire: &WireProduct) -> Result<CatalogItem, String> {
        let bad = |what: &str, e: &dyn std::fmt::Display| format!("product {}: {what}: {e}", wire.sku);
        let unit = wire.unit.parse().map_err(|e| bad("unit", &e))?;
        let money = |text: &str| text.parse::<Money>().map_err(|e| bad("amount", &e));
        Ok(CatalogItem {
            sku: wire.sku.clone(),
            name: wire.name.clone(),
            price: money(&wire.price)?,
            barcodes: wire.barcodes.clone(),
            unit,
            tax_rate: wire.tax_rate.parse().map_err(|e| bad("tax rate", &e))?,
            cost: wire.cost.as_deref().map(money).transpose()?,
            category: wire.category.clone(),
            reorder_point: wire
                .reorder_point
                .as_deref()
                .map(|q| Quantity::parse(q, unit).map_err(|e| bad("reorder point", &e)))
                .transpose()?,
            archived: wire.archived,
        })
    }
}
