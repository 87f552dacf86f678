-- Each sealed audit row records the id of the key (from the AUDIT_KEYS Worker secret) whose
-- HMAC-SHA-256 sealed it; rows sealed before keys existed keep NULL and verify with plain SHA-256.
-- The append-only triggers of 0001 already cover the new column: the sealer sets hash, prev_hash
-- and key_id in the one update allowed while hash is NULL, and nothing can change them after.
ALTER TABLE `audit_log` ADD `key_id` text;
