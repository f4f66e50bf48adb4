-- Version 13: customer accounts and gift cards. A customer's credit limit,
-- terms, VAT number and address; every move on an account (a sale on it,
-- a payment, a refund) or a gift card (sold, spent, refunded to) from the
-- entry that made it, or from head office (terminal_id NULL).
ALTER TABLE customers ADD COLUMN credit_limit_minor INTEGER;
ALTER TABLE customers ADD COLUMN terms_days INTEGER;
ALTER TABLE customers ADD COLUMN vat_number TEXT;
ALTER TABLE customers ADD COLUMN address TEXT;

CREATE TABLE credit_moves (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('account', 'giftcard')),
    code TEXT NOT NULL,
    terminal_id TEXT,
    seq INTEGER,
    receipt_no TEXT,
    what TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX credit_moves_by_code ON credit_moves (kind, code, id);
