-- Identity digests are keyed with a secret kept outside the database (a key file or an
-- environment variable): digest = HMAC-SHA256(secret, SHA-256(identity_key, document)).
-- A copy of the database alone can no longer turn a document number into a digest.
-- Consultations answered under the old scheme (SHA-256 only) are re-keyed at startup,
-- once: this column says which already are. New consultations start re-keyed.
ALTER TABLE consultations ADD COLUMN identity_rekeyed BOOLEAN NOT NULL DEFAULT FALSE;

-- A fingerprint of the secret the digests use (HMAC of a fixed text, which reveals
-- nothing of the secret): a server started with another secret — a second server that
-- made its own key file, a lost file — is refused instead of silently no longer
-- recognising anybody.
CREATE TABLE identity_secret (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
