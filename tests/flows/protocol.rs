//! Old protocol fixtures still decode: a terminal or server of this build
//! understands every message version 1 ever sent.

use std::path::Path;

use pos_shared::catalog::CatalogItem;
use pos_shared::journal::{CanonicalEntry, Event, chain_hash};
use pos_shared::orders::{Fulfilment, OrderStatus, ShortPolicy};
use pos_shared::protocol::{
    Availability, CatalogPage, EnrollRequest, EnrollResponse, ErrorBody, OrderRequest, OrdersPage, PushRequest,
    PushResponse, StockSnapshot,
};
use serde::de::DeserializeOwned;

fn fixture<T: DeserializeOwned>(version: &str, name: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(version).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} no longer decodes: {e}"))
}

#[test]
fn version_1_fixtures_decode() {
    let push: PushRequest = fixture("protocol-v1", "push_request.json");
    assert_eq!(push.entries.len(), 2);
    for entry in &push.entries {
        let bytes = entry.payload.get().as_bytes();
        assert_eq!(chain_hash(&entry.prev_hash, bytes), entry.hash, "payload bytes survive decoding exactly");
        let decoded = CanonicalEntry::from_bytes(bytes).expect("journal entry");
        assert_eq!(decoded.seq.0, entry.seq);
        assert_eq!(decoded.to_bytes(), bytes, "canonical bytes are stable");
    }
    assert_eq!(push.entries[0].hash, push.entries[1].prev_hash);
    let sale = CanonicalEntry::from_bytes(push.entries[1].payload.get().as_bytes()).unwrap();
    assert!(matches!(sale.event, Event::Sale(ref s) if s.lines.len() == 2));

    let page: CatalogPage = fixture("protocol-v1", "catalog_page.json");
    let items: Vec<CatalogItem> = page.products.iter().map(|p| CatalogItem::try_from(p).unwrap()).collect();
    assert!(items[1].archived && items[1].unit.is_measured());
    assert_eq!(items[0].price.minor(), 120);
    let ack: PushResponse = fixture("protocol-v1", "push_response.json");
    assert_eq!(ack.acked_through, 3);
    let snapshot: StockSnapshot = fixture("protocol-v1", "stock_snapshot.json");
    assert_eq!(snapshot.items[1].on_hand_milli, -500);
    let _: EnrollRequest = fixture("protocol-v1", "enroll_request.json");
    let enrolled: EnrollResponse = fixture("protocol-v1", "enroll_response.json");
    assert_eq!(enrolled.store.tax_mode, "inclusive");
    let gap: ErrorBody = fixture("protocol-v1", "error_gap.json");
    assert_eq!(gap.expected_seq, Some(4));
    let orders: OrdersPage = fixture("protocol-v1", "orders_page.json");
    assert_eq!((orders.orders[0].status, orders.through_seq), (OrderStatus::Confirmed, 12));
    assert!(orders.orders[0].history.is_empty(), "terminals get orders without their history");
    let request: OrderRequest = fixture("protocol-v1", "order_request.json");
    assert_eq!((request.fulfilment, request.on_short, request.quote), (Fulfilment::Pickup, ShortPolicy::Refuse, false));
    let available: Vec<Availability> = fixture("protocol-v1", "availability.json");
    assert_eq!(available[0].available, "6");
}
