-- Version 4: the customer a sale was made to.

ALTER TABLE sales ADD COLUMN customer TEXT;
CREATE INDEX sales_by_customer ON sales (customer) WHERE customer IS NOT NULL;
