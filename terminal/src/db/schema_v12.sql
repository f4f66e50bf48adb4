-- Version 12: customer accounts and gift cards. A customer's credit limit,
-- terms, VAT number and address; what head office held on each account
-- and card at the last snapshot (it includes this till's entries up to
-- sync_state.central_through_seq); this till's own moves on them; the gift
-- cards sold and payments on account taken here; a sale's gift cards and
-- invoice.
ALTER TABLE customers ADD COLUMN credit_limit_minor INTEGER;
ALTER TABLE customers ADD COLUMN terms_days INTEGER;
ALTER TABLE customers ADD COLUMN vat_number TEXT;
ALTER TABLE customers ADD COLUMN address TEXT;

CREATE TABLE central_balances (
    kind TEXT NOT NULL CHECK (kind IN ('account', 'giftcard')),
    code TEXT NOT NULL,
    balance_minor INTEGER NOT NULL,
    PRIMARY KEY (kind, code)
) STRICT;

CREATE TABLE credit_moves (
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('account', 'giftcard')),
    code TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    -- Made while the till was offline: counts against the offline limits.
    offline INTEGER NOT NULL
) STRICT;
CREATE INDEX credit_moves_by_code ON credit_moves (kind, code, seq);

CREATE TABLE credit_sales (
    receipt_no TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    session_id INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    -- The card's balance or what the customer owed after it, as the till knew it.
    balance_minor INTEGER NOT NULL,
    payload TEXT NOT NULL
) STRICT;
CREATE INDEX credit_sales_by_session ON credit_sales (session_id);

CREATE TABLE credit_payments (
    receipt_no TEXT NOT NULL REFERENCES credit_sales (receipt_no),
    tender TEXT NOT NULL,
    amount_minor INTEGER NOT NULL
) STRICT;
CREATE INDEX credit_payments_by_receipt ON credit_payments (receipt_no);

ALTER TABLE sales ADD COLUMN gift_cards TEXT;
ALTER TABLE sales ADD COLUMN invoice TEXT;

-- Invoices have their own gapless series.
INSERT INTO counters (name, value) VALUES ('invoice', 0);
