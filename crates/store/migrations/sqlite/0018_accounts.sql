-- Accounts (issue 14, part 9): a password someone else saw must be changed at the next
-- sign-in; sessions say whose they are and where they came from, for the account page
-- and for ending the other sessions; password-recovery links keep only their digest.

-- Set when the password was generated for the user (first start, created by an admin,
-- reset by an admin or on the command line); cleared when the user chooses one.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- Copied from the session's data each time it is saved (the data stays the source).
ALTER TABLE sessions ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE sessions ADD COLUMN epoch INTEGER;
ALTER TABLE sessions ADD COLUMN started_at TIMESTAMP;
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP;
ALTER TABLE sessions ADD COLUMN address TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
-- Sessions opened before this migration: whose they are, from their data.
UPDATE sessions SET user_id = json_extract(data, '$.data.uid'),
                    epoch = json_extract(data, '$.data.epoch')
WHERE json_valid(data)
  AND json_extract(data, '$.data.uid') IN (SELECT id FROM users);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- A link that sets a new password once, for a short time. The token itself is only in
-- the e-mail; here is its SHA-256, so a copy of the database opens no account.
CREATE TABLE password_recoveries (
    token_digest TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    used_at      TIMESTAMP
);
CREATE INDEX password_recoveries_by_user ON password_recoveries (user_id);
