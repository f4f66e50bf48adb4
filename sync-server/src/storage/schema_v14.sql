-- Version 14: each terminal's Ed25519 public key, registered at
-- enrollment; every entry it pushes must carry a signature of its hash
-- that this key verifies (terminals enrolled before have none).
ALTER TABLE terminals ADD COLUMN public_key BLOB;
