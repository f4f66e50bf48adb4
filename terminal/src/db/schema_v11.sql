-- Version 11: price rules pulled from head office (price lists, their
-- prices, promotions as their row of the promotion file), packs, customer
-- groups,
-- and what set each sold line's price: its price list and promotions, and
-- the coupons a sale used.
CREATE TABLE price_lists (
    name TEXT PRIMARY KEY,
    store_code TEXT,
    customer_group TEXT,
    from_day TEXT,
    to_day TEXT
) STRICT;
CREATE TABLE list_prices (
    list_name TEXT NOT NULL,
    sku TEXT NOT NULL,
    min_milli INTEGER NOT NULL,
    price_minor INTEGER NOT NULL,
    PRIMARY KEY (list_name, sku, min_milli)
) STRICT;
CREATE TABLE promotions (
    code TEXT PRIMARY KEY,
    fields TEXT NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('price_rules', 0);
ALTER TABLE customers ADD COLUMN customer_group TEXT;

ALTER TABLE sale_lines ADD COLUMN price_list TEXT;
ALTER TABLE sale_lines ADD COLUMN manual_discount TEXT;
ALTER TABLE sale_lines ADD COLUMN pack_size_milli INTEGER;
-- A pack's own barcode sells or receives `qty_milli` of its product, at
-- the pack's price when it has one.
CREATE TABLE packs (
    sku TEXT NOT NULL COLLATE NOCASE,
    qty_milli INTEGER NOT NULL,
    barcode TEXT UNIQUE,
    price_minor INTEGER,
    PRIMARY KEY (sku, qty_milli)
) STRICT;
CREATE TABLE sale_line_promotions (
    sale_id INTEGER NOT NULL REFERENCES sales (id),
    line_no INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    basket INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sale_id, line_no, code)
) STRICT;
ALTER TABLE sales ADD COLUMN coupons TEXT NOT NULL DEFAULT '';
