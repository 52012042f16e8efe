-- Builders that can be corrected. A consultation created from now on starts as a
-- draft: until its opening date only staff see it (the public gets a 404), unless staff
-- announce it or open it now. Consultations from before are not drafts.
-- A scale question keeps the meaning of its two ends in `options` (low, then high).
-- Every wording fix made after the first answer is kept with who made it and when.
ALTER TABLE consultations ADD COLUMN draft BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE consultation_corrections (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    subject         TEXT NOT NULL,
    before_text     TEXT NOT NULL,
    after_text      TEXT NOT NULL,
    corrected_by    INTEGER REFERENCES users (id),
    corrected_at    TIMESTAMP NOT NULL
);
CREATE INDEX consultation_corrections_by_consultation
    ON consultation_corrections (consultation_id, id);
