-- Notifications: what a workflow step tells the people who must act next, written in
-- the step's own transaction (an outbox). Each row is one recipient: a user (shown in
-- the app) and, when the recipient has an address and wants mail, an e-mail that the
-- delivery task inside `participa serve` sends with retries.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    read_at         TIMESTAMP,
    -- The e-mail: none (in the app only), pending, sent, failed (gave up) or expired.
    mail_state      TEXT NOT NULL CHECK (mail_state IN ('none', 'pending', 'sent', 'failed', 'expired')),
    mail_to         TEXT,
    mail_name       TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    claimed_until   TIMESTAMP,
    claim_token     TEXT,
    sent_at         TIMESTAMP,
    last_error      TEXT,
    -- Set for notifications that must be written at most once (reminders: one per
    -- person, plan, period and stage), whichever server or restart writes them.
    once_key        TEXT UNIQUE
);
CREATE INDEX notifications_by_user ON notifications (user_id, created_at);
CREATE INDEX notifications_to_send ON notifications (mail_state, next_attempt_at);
-- Whether the user wants notifications by e-mail too (they always show in the app).
ALTER TABLE users ADD COLUMN email_notifications BOOLEAN NOT NULL DEFAULT TRUE;
