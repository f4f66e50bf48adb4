-- Version 2: what sync needs on the terminal.

CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE customers (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT
) STRICT;

-- The store's central on-hand at the last sync; it includes this
-- terminal's own entries up to sync_state.central_through_seq.
CREATE TABLE central_stock (
    sku TEXT PRIMARY KEY COLLATE NOCASE,
    on_hand_milli INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_pending ON outbox (seq) WHERE acked_at_ms IS NULL;
