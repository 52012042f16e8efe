-- Attempts to sign in (or to confirm a password) per key within a fixed window, shared
-- by every app server: a key is `u:` and a user name, `a:` and an address, `d:` and a
-- trusted device, `c:` and a user id (the current password on the change form).
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    attempts     INTEGER NOT NULL
);
-- Browsers where a user signed in with the right password: their own attempts are
-- counted apart, so a stranger's failures cannot lock that user out. Only the SHA-256
-- of the random token in the browser's cookie is kept.
CREATE TABLE trusted_devices (
    token_digest TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX trusted_devices_by_user ON trusted_devices (user_id, created_at);
CREATE INDEX login_throttle_by_start ON login_throttle (window_start);
