-- Sync server database, version 1. Money is INTEGER minor units,
-- quantities INTEGER thousandths.

CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
INSERT INTO counters (name, value) VALUES ('catalog_version', 0), ('customer', 0);

CREATE TABLE stores (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    currency TEXT NOT NULL,
    tax_mode TEXT NOT NULL CHECK (tax_mode IN ('inclusive', 'exclusive'))
) STRICT;

CREATE TABLE terminals (
    id TEXT PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES stores (id),
    name TEXT NOT NULL,
    enroll_code_hash TEXT UNIQUE,
    token_hash TEXT UNIQUE,
    revoked INTEGER NOT NULL DEFAULT 0,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_hash BLOB NOT NULL
) STRICT;

-- Every entry applied, once: (terminal_id, seq) is the idempotency key.
CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL REFERENCES terminals (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    payload BLOB NOT NULL,
    hash BLOB NOT NULL,
    UNIQUE (terminal_id, seq)
) STRICT;

-- Pushes refused for a broken chain or a rewritten entry, for head office.
CREATE TABLE chain_flags (
    id INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    reason TEXT NOT NULL,
    at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE sales (
    receipt_no TEXT PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    store_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    cashier TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    tax_minor INTEGER NOT NULL,
    discount_minor INTEGER NOT NULL,
    customer TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX sales_by_time ON sales (at_ms);

CREATE TABLE sale_lines (
    receipt_no TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    sku TEXT NOT NULL,
    qty_milli INTEGER NOT NULL,
    -- signed: negative on returns; before tax, and with tax
    net_minor INTEGER NOT NULL,
    gross_minor INTEGER NOT NULL,
    PRIMARY KEY (receipt_no, line_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE stock_movements (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL,
    terminal_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    sku TEXT NOT NULL COLLATE NOCASE,
    qty_milli INTEGER NOT NULL,
    reason TEXT NOT NULL
) STRICT;
CREATE INDEX stock_by_store_sku ON stock_movements (store_id, sku, qty_milli);
CREATE TRIGGER stock_no_update BEFORE UPDATE ON stock_movements BEGIN
    SELECT RAISE (ABORT, 'stock movements are append-only');
END;
CREATE TRIGGER stock_no_delete BEFORE DELETE ON stock_movements BEGIN
    SELECT RAISE (ABORT, 'stock movements are append-only');
END;

CREATE TABLE z_reports (
    terminal_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (terminal_id, seq)
) STRICT;

CREATE TABLE products (
    sku TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL,
    price_minor INTEGER NOT NULL,
    unit TEXT NOT NULL,
    tax_rate TEXT NOT NULL,
    cost_minor INTEGER,
    category TEXT NOT NULL,
    reorder_point_milli INTEGER,
    archived INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX products_by_version ON products (version);

CREATE TABLE barcodes (
    code TEXT PRIMARY KEY,
    sku TEXT NOT NULL REFERENCES products (sku)
) STRICT, WITHOUT ROWID;
CREATE INDEX barcodes_by_sku ON barcodes (sku);

CREATE TABLE users (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    role TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL
) STRICT;

CREATE TABLE customers (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    version INTEGER NOT NULL
) STRICT;
