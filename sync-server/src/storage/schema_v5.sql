-- Version 5: what goods were worth when they moved, what a customer paid
-- ahead for an order, and units a transfer lost on the way, so the books
-- of a day never change after it.

-- The unit cost (minor units per whole unit) the movement is valued at,
-- fixed when head office applies it: a purchase order's price for goods
-- received against it, a transfer's price for goods shipped or received
-- against it, else the product's average cost at that moment. NULL on
-- rows written before version 5 (they fall back to today's cost).
ALTER TABLE stock_movements ADD COLUMN cost_minor INTEGER;

-- What the customer paid before collection (prepaid orders): the order's
-- total when it was placed; raising the order later does not raise it.
-- NULL on a prepaid order placed before version 5: it paid its total.
ALTER TABLE orders ADD COLUMN paid_minor INTEGER CHECK (paid_minor >= 0);
-- What a hand-over took from the order's prepaid amount.
ALTER TABLE sales ADD COLUMN prepaid_minor INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sales_by_order ON sales (order_no) WHERE order_no IS NOT NULL;

-- Thousandths of a transfer line booked as lost on the way so far.
ALTER TABLE po_lines ADD COLUMN lost_milli INTEGER NOT NULL DEFAULT 0;

-- Units shipped that the receiving store did not receive, booked to the
-- receiving store on the day of the entry (terminal, seq) that showed it:
-- shipped minus received, once the store has received against the
-- transfer (negative when more came than was shipped).
CREATE TABLE transit_losses (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES stores (id),
    terminal_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    transfer TEXT NOT NULL,
    sku TEXT NOT NULL COLLATE NOCASE,
    qty_milli INTEGER NOT NULL,
    cost_minor INTEGER NOT NULL
) STRICT;
