-- Version 4: sales rolled up for head office's reports. Each report first
-- brings the rollups up to date with the entries applied since
-- `rollup_mark` (a journal id), then reads them instead of every line.

INSERT INTO counters (name, value) VALUES ('rollup_mark', 0);
CREATE INDEX sales_by_entry ON sales (terminal_id, seq);

-- Per local day, store and product; receipts count each receipt once per product.
CREATE TABLE sales_by_day_sku (
    day TEXT NOT NULL,
    store_id INTEGER NOT NULL,
    sku TEXT NOT NULL,
    receipts INTEGER NOT NULL,
    qty_milli INTEGER NOT NULL,
    net_minor INTEGER NOT NULL,
    gross_minor INTEGER NOT NULL,
    PRIMARY KEY (day, store_id, sku)
) STRICT, WITHOUT ROWID;

-- Per local day, store and category (the product's category when rolled up).
CREATE TABLE sales_by_day_category (
    day TEXT NOT NULL,
    store_id INTEGER NOT NULL,
    category TEXT NOT NULL,
    receipts INTEGER NOT NULL,
    qty_milli INTEGER NOT NULL,
    net_minor INTEGER NOT NULL,
    gross_minor INTEGER NOT NULL,
    PRIMARY KEY (day, store_id, category)
) STRICT, WITHOUT ROWID;

-- Per local day and hour, store, cashier and channel.
CREATE TABLE sales_by_receipt_group (
    day TEXT NOT NULL,
    hour TEXT NOT NULL,
    store_id INTEGER NOT NULL,
    cashier TEXT NOT NULL,
    channel TEXT NOT NULL,
    receipts INTEGER NOT NULL,
    qty_milli INTEGER NOT NULL,
    net_minor INTEGER NOT NULL,
    gross_minor INTEGER NOT NULL,
    PRIMARY KEY (day, hour, store_id, cashier, channel)
) STRICT, WITHOUT ROWID;

-- Keys that may read head office's reports over the API (SHA-256 only).
CREATE TABLE office_keys (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    key_hash TEXT NOT NULL UNIQUE
) STRICT;

-- Per month, store and product: a year by product reads twelve months,
-- not 365 days (days are read only for a period's partial months).
CREATE TABLE sales_by_month_sku (
    month TEXT NOT NULL,
    store_id INTEGER NOT NULL,
    sku TEXT NOT NULL,
    receipts INTEGER NOT NULL,
    qty_milli INTEGER NOT NULL,
    net_minor INTEGER NOT NULL,
    gross_minor INTEGER NOT NULL,
    PRIMARY KEY (month, store_id, sku)
) STRICT, WITHOUT ROWID;
