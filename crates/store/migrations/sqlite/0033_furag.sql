-- FURAG: an entity's corrected questionnaire for a year (replacing the built-in one),
-- and each plan's readiness as last computed (read by the national dashboard).
CREATE TABLE furag_questionnaires (
    entity_id   INTEGER NOT NULL REFERENCES entities (id),
    year        INTEGER NOT NULL,
    content     TEXT NOT NULL,
    loaded_by   INTEGER REFERENCES users (id),
    loaded_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (entity_id, year)
);

CREATE TABLE furag_readiness (
    plan_id     INTEGER PRIMARY KEY REFERENCES plans (id),
    entity_id   INTEGER NOT NULL REFERENCES entities (id),
    ready       INTEGER NOT NULL,
    partial     INTEGER NOT NULL,
    missing     INTEGER NOT NULL,
    to_confirm  INTEGER NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
CREATE INDEX furag_readiness_by_entity ON furag_readiness (entity_id);
