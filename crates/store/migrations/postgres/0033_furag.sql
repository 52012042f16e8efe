-- FURAG: an entity's corrected questionnaire for a year (replacing the built-in one),
-- and each plan's readiness as last computed (read by the national dashboard).
CREATE TABLE furag_questionnaires (
    entity_id   BIGINT NOT NULL REFERENCES entities (id),
    year        INTEGER NOT NULL,
    content     TEXT NOT NULL,
    loaded_by   BIGINT REFERENCES users (id),
    loaded_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entity_id, year)
);

CREATE TABLE furag_readiness (
    plan_id     BIGINT PRIMARY KEY REFERENCES plans (id),
    entity_id   BIGINT NOT NULL REFERENCES entities (id),
    ready       INTEGER NOT NULL,
    partial     INTEGER NOT NULL,
    missing     INTEGER NOT NULL,
    to_confirm  INTEGER NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX furag_readiness_by_entity ON furag_readiness (entity_id);

ALTER TABLE furag_questionnaires ENABLE ROW LEVEL SECURITY;
ALTER TABLE furag_questionnaires FORCE ROW LEVEL SECURITY;
CREATE POLICY entity_scope ON furag_questionnaires USING ((SELECT participa_sees_all())
    OR entity_id = ANY ((SELECT participa_scope())::BIGINT[]));
ALTER TABLE furag_readiness ENABLE ROW LEVEL SECURITY;
ALTER TABLE furag_readiness FORCE ROW LEVEL SECURITY;
CREATE POLICY entity_scope ON furag_readiness USING ((SELECT participa_sees_all())
    OR entity_id = ANY ((SELECT participa_scope())::BIGINT[]));
