-- Version 3: suppliers, purchase orders and transfers between stores. A purchase order asks a
-- supplier for goods for one store; the store's terminals receive against
-- it, in full or in part, and each receipt moves the product's cost price
-- to the weighted average of the stock held and the goods received.

INSERT INTO counters (name, value) VALUES ('purchase_order', 0), ('transfer', 0), ('po_version', 0);

CREATE TABLE suppliers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    lead_time_days INTEGER NOT NULL CHECK (lead_time_days >= 0)
) STRICT;

-- A purchase order (from a supplier) or a transfer (from another store).
CREATE TABLE purchase_orders (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    supplier_id INTEGER REFERENCES suppliers (id),
    from_store_id INTEGER REFERENCES stores (id),
    store_id INTEGER NOT NULL REFERENCES stores (id),
    -- A draft stays at head office until it is sent to the store; a
    -- transfer is in transit once the sending store shipped it.
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'in-transit', 'partial', 'received', 'cancelled')),
    created_ms INTEGER NOT NULL,
    -- Bumped on every change; terminals pull their store's orders by it.
    version INTEGER NOT NULL,
    CHECK ((supplier_id IS NULL) <> (from_store_id IS NULL)),
    CHECK (from_store_id IS NULL OR from_store_id <> store_id)
) STRICT;
CREATE INDEX purchase_orders_by_from_store ON purchase_orders (from_store_id, version);
CREATE INDEX purchase_orders_by_store_version ON purchase_orders (store_id, version);

CREATE TABLE po_lines (
    po_id INTEGER NOT NULL REFERENCES purchase_orders (id),
    line_no INTEGER NOT NULL,
    sku TEXT NOT NULL COLLATE NOCASE,
    qty_milli INTEGER NOT NULL CHECK (qty_milli > 0),
    cost_minor INTEGER NOT NULL CHECK (cost_minor >= 0),
    shipped_milli INTEGER NOT NULL DEFAULT 0,
    received_milli INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (po_id, line_no),
    UNIQUE (po_id, sku)
) STRICT;

-- Reorder settings per store and product, set by hand; without them the
-- suggestion comes from sales velocity and the supplier's lead time.
CREATE TABLE reorder_levels (
    store_id INTEGER NOT NULL REFERENCES stores (id),
    sku TEXT NOT NULL COLLATE NOCASE,
    point_milli INTEGER NOT NULL CHECK (point_milli >= 0),
    up_to_milli INTEGER NOT NULL,
    PRIMARY KEY (store_id, sku),
    CHECK (up_to_milli > point_milli)
) STRICT;

-- Who a product is bought from.
CREATE TABLE product_suppliers (
    sku TEXT PRIMARY KEY COLLATE NOCASE,
    supplier_id INTEGER NOT NULL REFERENCES suppliers (id)
) STRICT;
