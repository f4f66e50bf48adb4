-- Version 7: each entry's signature as the till pushed it, so head office
-- can write a terminal's fiscal archive from what it holds.
ALTER TABLE journal ADD COLUMN signature BYTEA;
