-- A counter per user, raised on every password change or reset: a session records the
-- value it was opened with and is refused once they differ, so every other session of
-- that user ends at once.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
