-- Version 7: purchase orders and transfers pulled from head office for
-- this store (to receive, or for a transfer out, to ship). Shipped and
-- received quantities include this terminal's own up to `through_seq`.

CREATE TABLE purchase_orders (
    number TEXT PRIMARY KEY,
    supplier TEXT NOT NULL,
    -- The store the goods go to, and for a transfer the one they come from.
    to_store TEXT NOT NULL,
    from_store TEXT,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    through_seq INTEGER NOT NULL
) STRICT;

CREATE TABLE po_lines (
    number TEXT NOT NULL REFERENCES purchase_orders (number) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    qty_milli INTEGER NOT NULL,
    cost_minor INTEGER NOT NULL,
    shipped_milli INTEGER NOT NULL,
    received_milli INTEGER NOT NULL,
    PRIMARY KEY (number, line_no)
) STRICT;

-- Goods this terminal received (positive) or shipped (negative) against a
-- purchase order or transfer, by journal entry.
CREATE TABLE po_movements (
    seq INTEGER NOT NULL REFERENCES journal (seq),
    number TEXT NOT NULL,
    sku TEXT NOT NULL,
    qty_milli INTEGER NOT NULL
) STRICT;
CREATE INDEX po_movements_by_number ON po_movements (number, sku);

-- Known stock sums a product's movements after the last synced seq: one
-- index on (sku, seq, qty_milli) covers that and the plain sum by product.
DROP INDEX stock_by_sku;
CREATE INDEX stock_by_sku_seq ON stock_movements (sku, seq, qty_milli);
