-- Version 16: the enrollment code a terminal spent, kept hashed, so a till
-- whose answer was lost can enroll again with the same code and key.
ALTER TABLE terminals ADD COLUMN spent_code_hash TEXT;
-- A renewed token, issued in service: the old one works until this one is
-- first used, then this one takes its place.
ALTER TABLE terminals ADD COLUMN next_token_hash TEXT;
-- The certificate head office will present next, announced to the tills
-- before the switch, and the one it presented before the last switch.

-- Entries held for a person to decide: their bytes (also in journal, kind
-- 'held', while they hold their place in the chain), the reason, and who
-- accepted or rejected each, when and why. An entry the till's own key
-- signed may later take the place of held ones ('superseded', kept here).
CREATE TABLE quarantine (
    terminal_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payload BLOB NOT NULL,
    hash BLOB NOT NULL,
    signature BLOB,
    reason TEXT NOT NULL,
    held_at_ms INTEGER NOT NULL,
    decision TEXT,
    decided_by TEXT,
    decided_reason TEXT,
    decided_at_ms INTEGER
) STRICT;
CREATE UNIQUE INDEX quarantine_current ON quarantine (terminal_id, seq) WHERE decision IS NULL OR decision <> 'superseded';
