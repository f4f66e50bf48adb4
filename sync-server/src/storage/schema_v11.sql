-- Version 11: the web back office. Its accounts (argon2 password hashes,
-- failed log-ins and lock-outs kept here so every server sees them), their
-- sessions (SHA-256 of the cookie only), the audit log of every change made
-- there, and when each till last pushed and what it still held then.
CREATE TABLE office_users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'buyer', 'accountant', 'viewer')),
    password_hash TEXT NOT NULL,
    must_change INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE office_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES office_users (id),
    csrf TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    seen_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX office_sessions_by_user ON office_sessions (user_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before TEXT,
    after TEXT
) STRICT;
CREATE INDEX audit_by_time ON audit_log (at_ms);

ALTER TABLE terminals ADD COLUMN last_push_ms INTEGER;
ALTER TABLE terminals ADD COLUMN pending_entries INTEGER;

-- The catalog's search index: each product's words (name, SKU, category)
-- in lower case without accents, read by word prefix.
CREATE TABLE product_words (
    word TEXT NOT NULL,
    sku TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (word, sku)
) STRICT, WITHOUT ROWID;
CREATE INDEX product_words_by_sku ON product_words (sku, word);
