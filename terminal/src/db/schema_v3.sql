-- Version 3: the print queue. A job is written in the same transaction as
-- the sale or report it prints, and sent after COMMIT.

CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'copy', 'report', 'test', 'drawer')),
    reference TEXT NOT NULL,
    kick_drawer INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    printed_at_ms INTEGER
) STRICT;
CREATE INDEX print_jobs_pending ON print_jobs (id) WHERE printed_at_ms IS NULL;
