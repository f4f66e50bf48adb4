-- Version 16: the enrollment code a terminal spent, kept hashed, so a till
-- whose answer was lost can enroll again with the same code and key.
ALTER TABLE terminals ADD COLUMN spent_code_hash TEXT;
