-- Evidence is private by default. The office responsible for the activity (or the
-- planning office) may show a file on the public plan page once it has confirmed that
-- it holds no personal data, and withdraw it again. Evidence itself is append-only, so
-- each change of visibility is a row of its own (the latest one counts); each is audited.
CREATE TABLE evidence_visibility (
    id              INTEGER PRIMARY KEY,
    evidence_id     INTEGER NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    public          BOOLEAN NOT NULL,
    changed_by      INTEGER REFERENCES users (id),
    changed_at      TIMESTAMP NOT NULL
);
CREATE INDEX evidence_visibility_by_evidence ON evidence_visibility (evidence_id, id);
