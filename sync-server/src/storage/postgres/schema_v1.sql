-- Head office on PostgreSQL: the tables of the rules ported so far
-- (stores, terminals, enrollment), in the types the portable rules use:
-- BIGINT for every integer (money in minor units, quantities in
-- thousandths, flags as 0/1), TEXT, BYTEA.

CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters (name, value) VALUES ('catalog_version', 0), ('customer', 0);

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('epoch', md5(random()::text || clock_timestamp()::text));

CREATE TABLE stores (
    id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    tax_mode TEXT NOT NULL CHECK (tax_mode IN ('inclusive', 'exclusive'))
);
CREATE UNIQUE INDEX stores_name ON stores (lower(name));

CREATE TABLE terminals (
    id TEXT PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores (id),
    name TEXT NOT NULL,
    enroll_code_hash TEXT UNIQUE,
    enroll_expires_ms BIGINT,
    token_hash TEXT UNIQUE,
    revoked BIGINT NOT NULL DEFAULT 0,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_hash BYTEA NOT NULL
);

-- SKUs and user names compare without regard to case, as on the tills
-- (SQLite's NOCASE): a nondeterministic collation keeps `sku = ?1` and
-- the unique keys case-insensitive with the same SQL.
CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

CREATE TABLE products (
    sku TEXT COLLATE nocase PRIMARY KEY,
    name TEXT NOT NULL,
    price_minor BIGINT NOT NULL,
    unit TEXT NOT NULL,
    tax_rate TEXT NOT NULL,
    cost_minor BIGINT,
    category TEXT NOT NULL,
    reorder_point_milli BIGINT,
    archived BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL UNIQUE
);

CREATE TABLE barcodes (
    code TEXT PRIMARY KEY,
    sku TEXT COLLATE nocase NOT NULL REFERENCES products (sku)
);
CREATE INDEX barcodes_by_sku ON barcodes (sku);

CREATE TABLE users (
    name TEXT COLLATE nocase PRIMARY KEY,
    role TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL,
    store_id BIGINT REFERENCES stores (id)
);

CREATE TABLE customers (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    version BIGINT NOT NULL
);
