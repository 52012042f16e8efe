-- An e-mail address per account, for follow-up reminders (optional).
ALTER TABLE users ADD COLUMN email TEXT;
