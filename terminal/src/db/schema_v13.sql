-- Version 13: shelf-edge labels. The price each product's label shows (the
-- price when it was last printed); a product whose price differs has a
-- label due. The labels on the shelves today are taken to be right.
CREATE TABLE label_prices (
    sku TEXT PRIMARY KEY COLLATE NOCASE,
    price_minor INTEGER NOT NULL,
    printed_at_ms INTEGER NOT NULL
) STRICT;
INSERT INTO label_prices (sku, price_minor, printed_at_ms) SELECT sku, price_minor, 0 FROM products;
