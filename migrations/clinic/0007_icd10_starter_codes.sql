-- The starter subset of ICD-10-CM codes (filled below).
SELECT 1;
