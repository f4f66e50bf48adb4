-- Version 2: sales channels with their API keys, customer orders and the
-- stock they reserve at their fulfilment store, and the order a sale collects.

INSERT INTO counters (name, value) VALUES ('order', 0), ('order_version', 0);

CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    -- SHA-256 of the channel's API key; NULL until one is issued.
    key_hash TEXT UNIQUE
) STRICT;
INSERT INTO channels (name) VALUES ('phone'), ('online'), ('sales');

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    customer TEXT NOT NULL REFERENCES customers (code),
    store_id INTEGER NOT NULL REFERENCES stores (id),
    fulfilment TEXT NOT NULL CHECK (fulfilment IN ('pickup', 'delivery')),
    status TEXT NOT NULL CHECK (status IN ('quote', 'confirmed', 'collected', 'cancelled')),
    prepaid INTEGER NOT NULL DEFAULT 0,
    -- A retried placement with the same key returns this order.
    idempotency_key TEXT,
    request_hash TEXT,
    created_ms INTEGER NOT NULL,
    -- Bumped on every change; terminals pull their store's orders by it.
    version INTEGER NOT NULL,
    UNIQUE (channel_id, idempotency_key)
) STRICT;
CREATE INDEX orders_by_store_version ON orders (store_id, version);

CREATE TABLE order_lines (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    line_no INTEGER NOT NULL,
    sku TEXT NOT NULL COLLATE NOCASE,
    qty_milli INTEGER NOT NULL CHECK (qty_milli > 0),
    unit_price_minor INTEGER NOT NULL,
    tax_rate TEXT NOT NULL,
    -- Held for this line (while the order is confirmed): open reservation
    -- is reserved minus collected, never below zero.
    reserved_milli INTEGER NOT NULL DEFAULT 0 CHECK (reserved_milli >= 0),
    collected_milli INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, line_no),
    UNIQUE (order_id, sku)
) STRICT;
CREATE INDEX order_lines_by_sku ON order_lines (sku);

CREATE TABLE order_events (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    at_ms INTEGER NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
) STRICT;
CREATE INDEX order_events_by_order ON order_events (order_id);

ALTER TABLE sales ADD COLUMN order_no TEXT;
