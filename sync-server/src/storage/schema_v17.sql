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
