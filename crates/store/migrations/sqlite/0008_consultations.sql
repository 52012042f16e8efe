-- Online consultations (surveys): questions in order, and each response with its
-- answers (one row per chosen value). Responses are only ever added.
CREATE TABLE consultations (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    opens_on        DATE NOT NULL,
    closes_on       DATE NOT NULL,
    results_public  BOOLEAN NOT NULL DEFAULT FALSE,
    plan_id         INTEGER REFERENCES plans (id),
    activity_number INTEGER,
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL
);

CREATE TABLE consultation_questions (
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    number          INTEGER NOT NULL,
    text            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    options         TEXT NOT NULL,
    required        BOOLEAN NOT NULL,
    cond_question   INTEGER,
    cond_answer     TEXT,
    PRIMARY KEY (consultation_id, number)
);

CREATE TABLE consultation_responses (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX consultation_responses_by_consultation ON consultation_responses (consultation_id, id);

CREATE TABLE consultation_answers (
    response_id     INTEGER NOT NULL REFERENCES consultation_responses (id),
    question        INTEGER NOT NULL,
    value           TEXT NOT NULL
);
CREATE INDEX consultation_answers_by_response ON consultation_answers (response_id);
