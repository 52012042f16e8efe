-- An uploaded plan file waiting in the import preview for its «Importar» (kept a day at
-- most), and the columns an entity chose last time (a mapping file's text).
CREATE TABLE pending_imports (
    id          INTEGER PRIMARY KEY,
    entity_id   INTEGER NOT NULL REFERENCES entities (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    file_name   TEXT NOT NULL,
    content     BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX pending_imports_by_entity ON pending_imports (entity_id, created_at);

CREATE TABLE import_mappings (
    entity_id   INTEGER PRIMARY KEY REFERENCES entities (id),
    content     TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
