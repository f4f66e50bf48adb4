-- Version 10: sales and returns wait in a queue to be rolled up, instead
-- of behind a high-water mark on journal ids (an id is taken when a push
-- inserts, not when it commits: with several servers on one database a
-- mark could step over an entry committed late). `rollup_mark` stays as
-- the row each roll-up locks, so one runs at a time.
CREATE TABLE rollup_pending (journal_id INTEGER PRIMARY KEY) STRICT;
INSERT INTO rollup_pending (journal_id)
SELECT id FROM journal
WHERE kind IN ('sale', 'return') AND id > (SELECT value FROM counters WHERE name = 'rollup_mark');
