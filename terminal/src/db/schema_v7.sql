-- Version 7: purchase orders pulled from head office for this store.
-- Received quantities include this terminal's receipts up to `through_seq`.

CREATE TABLE purchase_orders (
    number TEXT PRIMARY KEY,
    supplier TEXT NOT NULL,
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
    received_milli INTEGER NOT NULL,
    PRIMARY KEY (number, line_no)
) STRICT;

-- Goods this terminal received against a purchase order, by journal entry.
CREATE TABLE po_receipts (
    seq INTEGER NOT NULL REFERENCES journal (seq),
    number TEXT NOT NULL,
    sku TEXT NOT NULL,
    qty_milli INTEGER NOT NULL
) STRICT;
CREATE INDEX po_receipts_by_number ON po_receipts (number, sku);
