-- The public accountability hearing: its data, citizens' registrations (personal data
-- with consent) and questions with their written answers.
CREATE TABLE hearings (
    id                  INTEGER PRIMARY KEY,
    title               TEXT NOT NULL,
    held_on             DATE NOT NULL,
    starts_at           TEXT NOT NULL,
    place               TEXT NOT NULL,
    stream_url          TEXT NOT NULL,
    report_url          TEXT NOT NULL,
    report_published_on DATE,
    convocation         TEXT NOT NULL,
    -- The plan activity the hearing carries out: its counts feed that activity.
    plan_id             INTEGER REFERENCES plans (id),
    activity_number     INTEGER,
    created_by          INTEGER REFERENCES users (id),
    created_at          TIMESTAMP NOT NULL
);

CREATE TABLE hearing_registrations (
    id              INTEGER PRIMARY KEY,
    hearing_id      INTEGER NOT NULL REFERENCES hearings (id),
    name            TEXT NOT NULL,
    email           TEXT,
    phone           TEXT,
    value_group     TEXT NOT NULL,
    consent_purpose TEXT NOT NULL,
    consent_at      TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX hearing_registrations_by_hearing ON hearing_registrations (hearing_id);

CREATE TABLE hearing_questions (
    id              INTEGER PRIMARY KEY,
    hearing_id      INTEGER NOT NULL REFERENCES hearings (id),
    code            TEXT NOT NULL UNIQUE,
    text            TEXT NOT NULL,
    asker           TEXT,
    consent_at      TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    answer          TEXT NOT NULL DEFAULT '',
    answered_at     TIMESTAMP,
    answered_by     INTEGER REFERENCES users (id)
);
CREATE INDEX hearing_questions_by_hearing ON hearing_questions (hearing_id, id);
