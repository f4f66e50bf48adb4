-- Version 5: customer orders pulled from head office for this store, and
-- the order a sale hands over.

ALTER TABLE sales ADD COLUMN order_no TEXT;
CREATE INDEX sales_by_order ON sales (order_no) WHERE order_no IS NOT NULL;

-- Head office owns orders: each pull replaces an order whole. Collected
-- quantities include this terminal's sales up to `through_seq`.
CREATE TABLE orders (
    number TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    customer TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    status TEXT NOT NULL,
    fulfilment TEXT NOT NULL,
    prepaid INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    through_seq INTEGER NOT NULL
) STRICT;

CREATE TABLE order_lines (
    number TEXT NOT NULL REFERENCES orders (number) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    qty_milli INTEGER NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    tax_rate TEXT NOT NULL,
    reserved_milli INTEGER NOT NULL,
    collected_milli INTEGER NOT NULL,
    PRIMARY KEY (number, line_no)
) STRICT;
CREATE INDEX order_lines_by_sku ON order_lines (sku);
