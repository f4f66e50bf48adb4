-- Version 6: enrollment codes expire. A code not used by then is refused;
-- head office issues a new one (`pos-sync-server terminal code`).
ALTER TABLE terminals ADD COLUMN enroll_expires_ms INTEGER;
-- Codes issued before expiry existed get the default day from now.
UPDATE terminals SET enroll_expires_ms = CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 86400000
WHERE enroll_code_hash IS NOT NULL;
