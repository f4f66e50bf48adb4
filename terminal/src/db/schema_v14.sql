-- Version 14: the card terminal. Each payment or refund through it is
-- written down before the terminal is asked (the sale or return it pays
-- for, whole, as JSON), with the terminal's last trace number from just
-- before the request once it is known; the till resolves it from the
-- terminal's answer, or after a crash from the terminal's last transaction.
-- A sale records how its card was taken (`card_via`); a Z what the
-- terminal said when its day closed (in the Z's journaled report).
CREATE TABLE card_payments (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sale', 'return')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    -- pending: written, not sent; sent: asked, answer not yet read;
    -- approved (its sale is sale_seq), declined, cancelled.
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'approved', 'declined', 'cancelled')),
    -- The terminal's last trace number before the request (-1: it had none).
    trace_before INTEGER,
    pending TEXT NOT NULL,
    outcome TEXT,
    sale_seq INTEGER,
    created_at_ms INTEGER NOT NULL,
    resolved_at_ms INTEGER
) STRICT;
CREATE INDEX card_payments_open ON card_payments (state) WHERE state IN ('pending', 'sent');
ALTER TABLE sales ADD COLUMN card_via TEXT;
