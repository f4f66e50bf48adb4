-- Version 9: lockouts escalate. How many times PIN entry has locked since
-- the last good PIN: each lockout lasts twice as long as the one before.
ALTER TABLE pin_guard ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;
