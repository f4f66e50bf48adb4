-- Version 15: signatures. Every entry carries its till's Ed25519 signature
-- of its hash, made right after the sale is committed (when its receipt
-- is printed, or before it is pushed, whichever comes first); entries made
-- before signatures have none. The journal stays append-only: the one
-- change allowed is an entry's signature, once, from none to one.
ALTER TABLE journal ADD COLUMN signature BLOB;
DROP TRIGGER journal_no_update;
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
WHEN NOT (
    OLD.signature IS NULL AND NEW.signature IS NOT NULL AND NEW.seq = OLD.seq AND NEW.kind = OLD.kind
    AND NEW.at_ms = OLD.at_ms AND NEW.payload = OLD.payload AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
) BEGIN
    SELECT RAISE (ABORT, 'the journal is append-only');
END;
CREATE INDEX journal_unsigned ON journal (seq) WHERE signature IS NULL;
