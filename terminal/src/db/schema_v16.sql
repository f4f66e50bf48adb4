-- Version 16: fiscal closings. Each month's and year's closing, journaled by
-- the till at the first action after the period ends, with its totals and
-- the perpetual grand total; one per period, never changed.
CREATE TABLE period_closings (
    seq INTEGER PRIMARY KEY REFERENCES journal (seq),
    kind TEXT NOT NULL CHECK (kind IN ('month', 'year')),
    period TEXT NOT NULL UNIQUE,
    grand_total_minor INTEGER NOT NULL,
    payload BLOB NOT NULL
) STRICT;
CREATE TRIGGER period_closings_no_update BEFORE UPDATE ON period_closings BEGIN
    SELECT RAISE (ABORT, 'closings are never changed');
END;
CREATE TRIGGER period_closings_no_delete BEFORE DELETE ON period_closings BEGIN
    SELECT RAISE (ABORT, 'closings are never deleted');
END;

-- Every reprint of a receipt, numbered per receipt (the journal holds it as
-- receipt_reprinted); training receipts have their own series.
CREATE TABLE reprints (
    seq INTEGER PRIMARY KEY REFERENCES journal (seq),
    receipt_no TEXT NOT NULL,
    copy INTEGER NOT NULL,
    UNIQUE (receipt_no, copy)
) STRICT;
INSERT INTO counters (name, value) VALUES ('training', 0);

-- The print queue takes training receipts too.
CREATE TABLE print_jobs_v16 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'copy', 'report', 'test', 'drawer', 'training')),
    reference TEXT NOT NULL,
    kick_drawer INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    printed_at_ms INTEGER
) STRICT;
INSERT INTO print_jobs_v16 SELECT * FROM print_jobs;
DROP TABLE print_jobs;
ALTER TABLE print_jobs_v16 RENAME TO print_jobs;
CREATE INDEX print_jobs_pending ON print_jobs (id) WHERE printed_at_ms IS NULL;
