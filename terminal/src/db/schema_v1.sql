-- Terminal database, version 1. Money is INTEGER minor units, quantities
-- INTEGER thousandths; never a NUMERIC column.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
INSERT INTO counters (name, value) VALUES ('receipt', 0), ('z', 0);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
    pin_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE pin_guard (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    failures INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL
) STRICT;
INSERT INTO pin_guard (id, failures, locked_until_ms) VALUES (1, 0, 0);

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    price_minor INTEGER NOT NULL,
    unit TEXT NOT NULL,
    tax_rate TEXT NOT NULL,
    cost_minor INTEGER,
    category TEXT NOT NULL DEFAULT '',
    reorder_point_milli INTEGER,
    archived INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE barcodes (
    code TEXT PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id)
) STRICT, WITHOUT ROWID;
CREATE INDEX barcodes_by_product ON barcodes (product_id);

CREATE VIRTUAL TABLE product_search USING fts5 (
    name, sku, content = 'products', content_rowid = 'id',
    prefix = '2 3', tokenize = 'unicode61 remove_diacritics 2'
);
-- Kept by the catalog code, not triggers: a bulk load rebuilds it once.

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    opened_by TEXT NOT NULL,
    opened_at_ms INTEGER NOT NULL,
    float_minor INTEGER NOT NULL,
    open_seq INTEGER NOT NULL,
    closed_at_ms INTEGER,
    z_no INTEGER UNIQUE
) STRICT;

CREATE TABLE journal (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    payload BLOB NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
) STRICT;
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN
    SELECT RAISE (ABORT, 'the journal is append-only');
END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN
    SELECT RAISE (ABORT, 'the journal is append-only');
END;

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY REFERENCES journal (seq),
    acked_at_ms INTEGER
) STRICT;

CREATE TABLE sales (
    id INTEGER PRIMARY KEY,
    receipt_no TEXT NOT NULL UNIQUE,
    number INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('sale', 'return')),
    seq INTEGER NOT NULL UNIQUE REFERENCES journal (seq),
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    cashier TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    discount_minor INTEGER NOT NULL,
    tax_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    cash_tendered_minor INTEGER NOT NULL,
    change_minor INTEGER NOT NULL,
    cash_rounding_minor INTEGER NOT NULL,
    original_receipt TEXT
) STRICT;
CREATE INDEX sales_by_session ON sales (session_id);
CREATE INDEX sales_by_original ON sales (original_receipt) WHERE original_receipt IS NOT NULL;

CREATE TABLE sale_lines (
    sale_id INTEGER NOT NULL REFERENCES sales (id),
    line_no INTEGER NOT NULL,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    qty_milli INTEGER NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    tax_rate TEXT NOT NULL,
    gross_minor INTEGER NOT NULL,
    line_discount_minor INTEGER NOT NULL,
    sale_discount_minor INTEGER NOT NULL,
    net_minor INTEGER NOT NULL,
    tax_minor INTEGER NOT NULL,
    original_line INTEGER,
    PRIMARY KEY (sale_id, line_no)
) STRICT;

CREATE TABLE sale_taxes (
    sale_id INTEGER NOT NULL REFERENCES sales (id),
    rate TEXT NOT NULL,
    base_minor INTEGER NOT NULL,
    tax_minor INTEGER NOT NULL,
    PRIMARY KEY (sale_id, rate)
) STRICT;

CREATE TABLE payments (
    sale_id INTEGER NOT NULL REFERENCES sales (id),
    idx INTEGER NOT NULL,
    tender TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (sale_id, idx)
) STRICT;

CREATE TABLE stock_movements (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL REFERENCES journal (seq),
    sku TEXT NOT NULL COLLATE NOCASE,
    qty_milli INTEGER NOT NULL,
    reason TEXT NOT NULL
) STRICT;
CREATE INDEX stock_by_sku ON stock_movements (sku, qty_milli);
CREATE INDEX stock_by_seq ON stock_movements (seq);
CREATE TRIGGER stock_no_update BEFORE UPDATE ON stock_movements BEGIN
    SELECT RAISE (ABORT, 'stock movements are append-only');
END;
CREATE TRIGGER stock_no_delete BEFORE DELETE ON stock_movements BEGIN
    SELECT RAISE (ABORT, 'stock movements are append-only');
END;

CREATE TABLE cash_moves (
    seq INTEGER PRIMARY KEY REFERENCES journal (seq),
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    amount_minor INTEGER NOT NULL,
    reason TEXT NOT NULL,
    by_user TEXT NOT NULL
) STRICT;

CREATE TABLE z_reports (
    z_no INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL UNIQUE REFERENCES sessions (id),
    seq INTEGER NOT NULL UNIQUE REFERENCES journal (seq),
    grand_total_minor INTEGER NOT NULL,
    payload BLOB NOT NULL
) STRICT;

CREATE TABLE parked (
    id INTEGER PRIMARY KEY,
    parked_at_ms INTEGER NOT NULL,
    by_user TEXT NOT NULL,
    label TEXT NOT NULL,
    cart BLOB NOT NULL
) STRICT;
