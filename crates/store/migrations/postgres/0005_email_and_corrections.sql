-- An e-mail address per account, for follow-up reminders (optional).
ALTER TABLE users ADD COLUMN email TEXT;

-- Why a report was entered after its period closed (a documented correction).
ALTER TABLE progress_reports ADD COLUMN correction_reason TEXT NOT NULL DEFAULT '';
