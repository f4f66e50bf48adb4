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
