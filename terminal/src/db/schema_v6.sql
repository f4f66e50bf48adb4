-- Version 6: stock counts. A count is open until a manager closes it; each
-- product's expected on-hand is taken when it is first counted, so sales
-- during the count do not show as variance.

CREATE TABLE counts (
    id INTEGER PRIMARY KEY,
    -- NULL for the whole store, else the category counted.
    category TEXT,
    started_by TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_seq INTEGER
) STRICT;

CREATE TABLE count_lines (
    count_id INTEGER NOT NULL REFERENCES counts (id),
    sku TEXT NOT NULL,
    counted_milli INTEGER NOT NULL,
    expected_milli INTEGER NOT NULL,
    PRIMARY KEY (count_id, sku)
) STRICT;
