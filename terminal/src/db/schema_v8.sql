-- Version 8: what a customer paid ahead for an order, and what hand-overs
-- used of it at head office (up to the order's `through_seq`), so a
-- prepaid order raised after it was paid takes payment for the rest.

ALTER TABLE orders ADD COLUMN paid_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN prepaid_used_minor INTEGER NOT NULL DEFAULT 0;
-- Before amounts were kept, a prepaid order had paid its total.
UPDATE orders SET paid_minor = total_minor WHERE prepaid = 1;
