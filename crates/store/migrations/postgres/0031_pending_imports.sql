-- An uploaded plan file waiting in the import preview for its «Importar» (kept a day at
-- most), and the columns an entity chose last time (a mapping file's text).
CREATE TABLE pending_imports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id   BIGINT NOT NULL REFERENCES entities (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    file_name   TEXT NOT NULL,
    content     BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX pending_imports_by_entity ON pending_imports (entity_id, created_at);

CREATE TABLE import_mappings (
    entity_id   BIGINT PRIMARY KEY REFERENCES entities (id),
    content     TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

ALTER TABLE pending_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE pending_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY entity_scope ON pending_imports USING ((SELECT participa_sees_all())
    OR entity_id = ANY ((SELECT participa_scope())::BIGINT[]));
ALTER TABLE import_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY entity_scope ON import_mappings USING ((SELECT participa_sees_all())
    OR entity_id = ANY ((SELECT participa_scope())::BIGINT[]));
