-- Many entities on one deployment. The entity becomes a record with its identity and
-- settings, and everything an entity owns carries its `entity_id`: the tenant roots
-- below get the column, the rest belong through them (a plan's activities, a hearing's
-- registrations, a user's notifications). A database made before this migration served
-- one entity: all its data becomes the first entity's.

-- Today's databases have one entity per imported plan name; a fresh one has none. The
-- first entity (the lowest id) is the one the data belongs to; a placeholder is made
-- when there is none, and named when its first plan is imported.
INSERT INTO entities (name, created_at)
    SELECT 'Entidad', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM entities);
UPDATE plans SET entity_id = (SELECT MIN(id) FROM entities);
DELETE FROM entities WHERE id <> (SELECT MIN(id) FROM entities);

ALTER TABLE entities ADD COLUMN slug TEXT;
UPDATE entities SET slug = 'entidad';
CREATE UNIQUE INDEX entities_by_slug ON entities (slug);
ALTER TABLE entities ADD COLUMN nit TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN entity_order TEXT NOT NULL DEFAULT 'nacional'
    CHECK (entity_order IN ('nacional', 'territorial'));
ALTER TABLE entities ADD COLUMN sector TEXT NOT NULL DEFAULT '';
-- DIVIPOLA codes (DANE): two digits for the department, five for the municipality.
ALTER TABLE entities ADD COLUMN department_code TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN municipality_code TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN hours TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN privacy_policy_url TEXT;
ALTER TABLE entities ADD COLUMN privacy_contact TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN mail_from TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN colour TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN logo BLOB;
ALTER TABLE entities ADD COLUMN logo_type TEXT;
CREATE TRIGGER entities_need_slug BEFORE INSERT ON entities WHEN NEW.slug IS NULL
BEGIN SELECT RAISE(ABORT, 'entities.slug is required'); END;

-- The host names an entity's own site answers on (participa.entidad.gov.co).
CREATE TABLE entity_hosts (
    host       TEXT PRIMARY KEY,
    entity_id  INTEGER NOT NULL REFERENCES entities (id)
);
CREATE INDEX entity_hosts_by_entity ON entity_hosts (entity_id);

-- The tenant roots. SQLite cannot add a NOT NULL column with a foreign key to a table
-- with rows, so the column is added nullable, filled, and a trigger per table refuses
-- a row without it. Audit entries of the platform itself (an entity created) have none.
DROP TRIGGER audit_log_no_update;
ALTER TABLE audit_log ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE audit_log SET entity_id = (SELECT MIN(id) FROM entities);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE INDEX audit_log_by_entity ON audit_log (entity_id, id);

ALTER TABLE users ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE users SET entity_id = (SELECT MIN(id) FROM entities);
CREATE INDEX users_by_entity ON users (entity_id);
CREATE TRIGGER users_need_entity BEFORE INSERT ON users WHEN NEW.entity_id IS NULL
BEGIN SELECT RAISE(ABORT, 'users.entity_id is required'); END;

ALTER TABLE sessions ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE sessions SET entity_id = (SELECT MIN(id) FROM entities);
CREATE TRIGGER sessions_need_entity BEFORE INSERT ON sessions WHEN NEW.entity_id IS NULL
BEGIN SELECT RAISE(ABORT, 'sessions.entity_id is required'); END;

ALTER TABLE holiday_overrides ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE holiday_overrides SET entity_id = (SELECT MIN(id) FROM entities);
CREATE INDEX holiday_overrides_by_entity ON holiday_overrides (entity_id, day, id);
CREATE TRIGGER holiday_overrides_need_entity BEFORE INSERT ON holiday_overrides WHEN NEW.entity_id IS NULL
BEGIN SELECT RAISE(ABORT, 'holiday_overrides.entity_id is required'); END;

ALTER TABLE legal_parameter_values ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE legal_parameter_values SET entity_id = (SELECT MIN(id) FROM entities);
CREATE INDEX legal_parameter_values_by_entity ON legal_parameter_values (entity_id, key, applies_from, id);
CREATE TRIGGER legal_parameter_values_need_entity BEFORE INSERT ON legal_parameter_values WHEN NEW.entity_id IS NULL
BEGIN SELECT RAISE(ABORT, 'legal_parameter_values.entity_id is required'); END;

ALTER TABLE suggestions ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE suggestions SET entity_id = (SELECT MIN(id) FROM entities);
CREATE INDEX suggestions_by_entity ON suggestions (entity_id, status, created_at);
CREATE TRIGGER suggestions_need_entity BEFORE INSERT ON suggestions WHEN NEW.entity_id IS NULL
BEGIN SELECT RAISE(ABORT, 'suggestions.entity_id is required'); END;

ALTER TABLE hearings ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE hearings SET entity_id = (SELECT MIN(id) FROM entities);
CREATE INDEX hearings_by_entity ON hearings (entity_id);
CREATE TRIGGER hearings_need_entity BEFORE INSERT ON hearings WHEN NEW.entity_id IS NULL
BEGIN SELECT RAISE(ABORT, 'hearings.entity_id is required'); END;

ALTER TABLE consultations ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE consultations SET entity_id = (SELECT MIN(id) FROM entities);
CREATE INDEX consultations_by_entity ON consultations (entity_id);
CREATE TRIGGER consultations_need_entity BEFORE INSERT ON consultations WHEN NEW.entity_id IS NULL
BEGIN SELECT RAISE(ABORT, 'consultations.entity_id is required'); END;

ALTER TABLE events ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE events SET entity_id = (SELECT MIN(id) FROM entities);
CREATE INDEX events_by_entity ON events (entity_id, held_on);
CREATE TRIGGER events_need_entity BEFORE INSERT ON events WHEN NEW.entity_id IS NULL
BEGIN SELECT RAISE(ABORT, 'events.entity_id is required'); END;

-- Tables whose uniqueness becomes per entity are rebuilt (nothing refers to them).
CREATE TABLE value_groups_by_entity (
    entity_id   INTEGER NOT NULL REFERENCES entities (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    furag_group TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users (id),
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (entity_id, code)
);
INSERT INTO value_groups_by_entity (entity_id, code, name, furag_group, updated_by, updated_at)
    SELECT (SELECT MIN(id) FROM entities), code, name, furag_group, updated_by, updated_at
    FROM value_groups;
DROP TABLE value_groups;
ALTER TABLE value_groups_by_entity RENAME TO value_groups;

CREATE TABLE published_reports_by_entity (
    id           INTEGER PRIMARY KEY,
    entity_id    INTEGER NOT NULL REFERENCES entities (id),
    kind         TEXT NOT NULL CHECK (kind IN ('sugerencias', 'eventos', 'canales', 'consulta')),
    subject_id   INTEGER NOT NULL DEFAULT 0,
    title        TEXT NOT NULL,
    pdf          BLOB NOT NULL,
    xlsx         BLOB NOT NULL,
    published_by INTEGER REFERENCES users (id),
    published_at TIMESTAMP NOT NULL,
    UNIQUE (entity_id, kind, subject_id)
);
INSERT INTO published_reports_by_entity
    (id, entity_id, kind, subject_id, title, pdf, xlsx, published_by, published_at)
    SELECT id, (SELECT MIN(id) FROM entities), kind, subject_id, title, pdf, xlsx,
           published_by, published_at
    FROM published_reports;
DROP TABLE published_reports;
ALTER TABLE published_reports_by_entity RENAME TO published_reports;

-- Notifications belong to their user's entity; an e-mail to an address (a recovery
-- link) to the entity that sent it: the outbox writes each with that entity's name and
-- address.
ALTER TABLE notifications ADD COLUMN entity_id INTEGER REFERENCES entities (id);
UPDATE notifications SET entity_id = (SELECT MIN(id) FROM entities);
CREATE TRIGGER notifications_need_entity BEFORE INSERT ON notifications WHEN NEW.entity_id IS NULL
BEGIN SELECT RAISE(ABORT, 'notifications.entity_id is required'); END;

-- What a user may do across the deployment, beside its role in its own entity:
-- administer the platform (add entities and their first admins) or observe entities
-- (read their figures on the national dashboard).
CREATE TABLE platform_roles (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    role       TEXT NOT NULL CHECK (role IN ('administrador', 'observador')),
    granted_at TIMESTAMP NOT NULL
);
-- The entities an observer reads; none listed: every entity.
CREATE TABLE observed_entities (
    user_id   INTEGER NOT NULL REFERENCES platform_roles (user_id),
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    PRIMARY KEY (user_id, entity_id)
);

-- Reads that a national deployment's size would turn into scans: a plan's follow-up
-- reads its reports' evidence and its activities' status changes.
CREATE INDEX evidence_by_report ON evidence (report_id, id);
CREATE INDEX activity_status_changes_by_plan ON activity_status_changes (plan_id, id);
CREATE INDEX hearings_by_plan ON hearings (plan_id, activity_number);
CREATE INDEX consultations_by_plan ON consultations (plan_id, activity_number);
