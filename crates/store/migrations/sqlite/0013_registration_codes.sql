-- A hearing registration gets a code (IN-XXXX-XXXX) with which the citizen sees and
-- erases their personal data; erasing keeps the group of value for the statistics.
ALTER TABLE hearing_registrations ADD COLUMN code TEXT;
ALTER TABLE hearing_registrations ADD COLUMN erased_at TIMESTAMP;
CREATE UNIQUE INDEX hearing_registrations_by_code ON hearing_registrations (code);
