-- The clinic's country (ISO 3166 alpha-2): phone numbers typed without a country code are read as
-- this country's and stored in E.164. Existing clinics are in the United States.
ALTER TABLE `clinics` ADD `country` text DEFAULT 'US' NOT NULL;
