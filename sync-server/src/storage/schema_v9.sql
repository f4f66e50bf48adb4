-- Version 9: staff belong to a store. A till gets the PIN hashes of its
-- own store's staff and of chain-wide staff (no store) only; everyone
-- else reaches it, if at all, as inactive without a hash.
ALTER TABLE users ADD COLUMN store_id INTEGER REFERENCES stores (id);
