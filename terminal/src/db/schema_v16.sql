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
