-- A store's clock: the IANA time zone its days and hours are counted in.
-- Stores from before get head office's zone when the server opens the file.
ALTER TABLE stores ADD COLUMN time_zone TEXT;
