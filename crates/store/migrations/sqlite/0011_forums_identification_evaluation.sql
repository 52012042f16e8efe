-- A consultation is a survey or a forum. A survey may require identification: one
-- answer per person, the document kept only as a keyed digest with the consent proof.
-- A forum has topics opened by staff and threaded comments by citizens, moderated
-- before or after publication, hidden with a reason, and reported for abuse.
-- A hearing links to its evaluation survey.
ALTER TABLE consultations ADD COLUMN kind TEXT NOT NULL DEFAULT 'encuesta';
ALTER TABLE consultations ADD COLUMN moderation TEXT NOT NULL DEFAULT 'previa';
ALTER TABLE consultations ADD COLUMN identification BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE consultations ADD COLUMN identity_key TEXT NOT NULL DEFAULT '';

ALTER TABLE consultation_responses ADD COLUMN identity TEXT;
ALTER TABLE consultation_responses ADD COLUMN consent_purpose TEXT;
ALTER TABLE consultation_responses ADD COLUMN consent_at TIMESTAMP;
CREATE UNIQUE INDEX consultation_responses_one_per_person
    ON consultation_responses (consultation_id, identity);

CREATE TABLE forum_topics (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX forum_topics_by_consultation ON forum_topics (consultation_id, id);

CREATE TABLE forum_comments (
    id              INTEGER PRIMARY KEY,
    topic_id        INTEGER NOT NULL REFERENCES forum_topics (id),
    parent_id       INTEGER REFERENCES forum_comments (id),
    body            TEXT NOT NULL,
    -- A name published with the comment, only with consent.
    author          TEXT,
    consent_at      TIMESTAMP,
    status          TEXT NOT NULL,
    hidden_reason   TEXT NOT NULL DEFAULT '',
    moderated_by    INTEGER REFERENCES users (id),
    moderated_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX forum_comments_by_topic ON forum_comments (topic_id, id);
CREATE INDEX forum_comments_by_status ON forum_comments (status);

CREATE TABLE forum_abuse_reports (
    id              INTEGER PRIMARY KEY,
    comment_id      INTEGER NOT NULL REFERENCES forum_comments (id),
    reason          TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    resolved_by     INTEGER REFERENCES users (id),
    resolved_at     TIMESTAMP
);
CREATE INDEX forum_abuse_reports_by_comment ON forum_abuse_reports (comment_id);

ALTER TABLE hearings ADD COLUMN evaluation_id INTEGER REFERENCES consultations (id);
