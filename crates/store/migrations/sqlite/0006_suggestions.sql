-- The suggestions campaign. Contact data only with consent (its purpose, the policy
-- version and the moment are kept); a citizen can erase them with the tracking code.
CREATE TABLE suggestions (
    id                          INTEGER PRIMARY KEY,
    code                        TEXT NOT NULL UNIQUE,
    category                    TEXT NOT NULL,
    text                        TEXT NOT NULL,
    status                      TEXT NOT NULL,
    contact_name                TEXT,
    contact_email               TEXT,
    contact_phone               TEXT,
    consent_purpose             TEXT,
    consent_policy              TEXT,
    consent_at                  TIMESTAMP,
    personal_data_erased_at     TIMESTAMP,
    created_at                  TIMESTAMP NOT NULL,
    due_on                      DATE NOT NULL,
    answer                      TEXT NOT NULL DEFAULT '',
    answered_at                 TIMESTAMP,
    answered_by                 INTEGER REFERENCES users (id),
    updated_at                  TIMESTAMP NOT NULL
);
CREATE INDEX suggestions_by_status ON suggestions (status, created_at);
