-- Version 8: which sales channel may see which customer. A channel sees
-- the customers it created (its orders named them) and those head office
-- linked to it (`customer link`); head office sees all.
ALTER TABLE customers ADD COLUMN channel_id INTEGER REFERENCES channels (id);
CREATE TABLE customer_channels (
    customer TEXT NOT NULL REFERENCES customers (code),
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    PRIMARY KEY (customer, channel_id)
) STRICT, WITHOUT ROWID;
-- Customers channels named before version 8 stay visible to them.
INSERT OR IGNORE INTO customer_channels (customer, channel_id)
SELECT DISTINCT customer, channel_id FROM orders;
