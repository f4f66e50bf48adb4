-- Version 7: the database's epoch, a random id every response carries.
-- Restoring a backup gives the database a new one, so every till sees
-- that head office went back in time and pulls its picture whole again.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(16))));
