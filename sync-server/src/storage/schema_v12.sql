-- Version 12: price rules. Price lists per store and customer group with
-- their prices and quantity breaks, promotions (as their row of the
-- promotion file), packs (a case of 12 sold or bought as 12 units),
-- customer groups, each promotion's part of the sale
-- lines it discounted, and the coupons sales used.
CREATE TABLE price_lists (
    name TEXT PRIMARY KEY,
    store_code TEXT,
    customer_group TEXT,
    from_day TEXT,
    to_day TEXT,
    version INTEGER NOT NULL
) STRICT;
CREATE INDEX price_lists_by_version ON price_lists (version);

CREATE TABLE list_prices (
    list_name TEXT NOT NULL REFERENCES price_lists (name),
    sku TEXT NOT NULL REFERENCES products (sku),
    min_milli INTEGER NOT NULL,
    price_minor INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (list_name, sku, min_milli)
) STRICT;
CREATE INDEX list_prices_by_version ON list_prices (version);

CREATE TABLE promotions (
    code TEXT PRIMARY KEY,
    fields TEXT NOT NULL,
    coupon TEXT UNIQUE,
    uses_allowed INTEGER,
    version INTEGER NOT NULL
) STRICT;
CREATE INDEX promotions_by_version ON promotions (version);

ALTER TABLE customers ADD COLUMN customer_group TEXT;

CREATE TABLE promotion_lines (
    receipt_no TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    code TEXT NOT NULL,
    discount_minor INTEGER NOT NULL,
    PRIMARY KEY (receipt_no, line_no, code)
) STRICT;
CREATE INDEX promotion_lines_by_code ON promotion_lines (code);

CREATE TABLE coupon_uses (
    code TEXT NOT NULL,
    receipt_no TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (code, receipt_no)
) STRICT;

CREATE TABLE packs (
    sku TEXT NOT NULL REFERENCES products (sku),
    qty_milli INTEGER NOT NULL,
    barcode TEXT UNIQUE,
    price_minor INTEGER,
    version INTEGER NOT NULL,
    PRIMARY KEY (sku, qty_milli)
) STRICT;
CREATE INDEX packs_by_version ON packs (version);

-- The pack a supplier sells a product in, and what a pack costs.
ALTER TABLE product_suppliers ADD COLUMN pack_milli INTEGER;
ALTER TABLE product_suppliers ADD COLUMN pack_cost_minor INTEGER;
