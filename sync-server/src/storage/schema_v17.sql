-- A store's clock: the IANA time zone its days and hours are counted in.
-- Stores from before get head office's zone when the server opens the file.
ALTER TABLE stores ADD COLUMN time_zone TEXT;

-- A head-office key reads what its job needs: reports, or metrics. Keys
-- from before were issued to read reports.
ALTER TABLE office_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'reports';

-- Devices a person logged in from (a cookie's SHA-256): they skip the wait
-- that wrong passwords from elsewhere put on the account.
CREATE TABLE office_devices (
    user_id INTEGER NOT NULL REFERENCES office_users (id) ON DELETE CASCADE,
    device_hash TEXT NOT NULL,
    seen_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_hash)
) STRICT;

-- Wrong enrollment codes per address and for every address together,
-- shared by every server of a chain (a restart forgets nothing).
CREATE TABLE guard_failures (
    who TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start_ms INTEGER NOT NULL,
    pauses INTEGER NOT NULL,
    paused_until_ms INTEGER NOT NULL
) STRICT;
