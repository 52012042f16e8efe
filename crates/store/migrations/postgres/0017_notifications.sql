-- Notifications: what a workflow step tells the people who must act next, written in
-- the step's own transaction (an outbox). Each row is one recipient: a user (shown in
-- the app) and, when the recipient has an address and wants mail, an e-mail that the
-- delivery task inside `participa serve` sends with retries.
CREATE TABLE notifications (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    read_at         TIMESTAMPTZ,
    -- The e-mail: none (in the app only), pending, sent, failed (gave up) or expired.
    mail_state      TEXT NOT NULL CHECK (mail_state IN ('none', 'pending', 'sent', 'failed', 'expired')),
    mail_to         TEXT,
    mail_name       TEXT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    claimed_until   TIMESTAMPTZ,
    claim_token     TEXT,
    sent_at         TIMESTAMPTZ,
    last_error      TEXT,
    -- Set for notifications that must be written at most once (reminders: one per
    -- person, plan, period and stage), whichever server or restart writes them.
    once_key        TEXT UNIQUE
);
CREATE INDEX notifications_by_user ON notifications (user_id, created_at);
CREATE INDEX notifications_to_send ON notifications (mail_state, next_attempt_at);
-- Whether the user wants notifications by e-mail too (they always show in the app).
ALTER TABLE users ADD COLUMN email_notifications BOOLEAN NOT NULL DEFAULT TRUE;
