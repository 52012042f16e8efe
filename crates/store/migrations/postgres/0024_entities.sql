-- Many entities on one deployment. The entity becomes a record with its identity and
-- settings, and everything an entity owns carries its `entity_id`: the tenant roots
-- below get the column, the rest belong through them (a plan's activities, a hearing's
-- registrations, a user's notifications). A database made before this migration served
-- one entity: all its data becomes the first entity's.

-- Today's databases have one entity per imported plan name; a fresh one has none. The
-- first entity (the lowest id) is the one the data belongs to; a placeholder is made
-- when there is none, and named when its first plan is imported.
INSERT INTO entities (name, created_at)
    SELECT 'Entidad', now() WHERE NOT EXISTS (SELECT 1 FROM entities);
UPDATE plans SET entity_id = (SELECT MIN(id) FROM entities);
DELETE FROM entities WHERE id <> (SELECT MIN(id) FROM entities);

ALTER TABLE entities ADD COLUMN slug TEXT;
UPDATE entities SET slug = 'entidad';
ALTER TABLE entities ALTER COLUMN slug SET NOT NULL;
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
ALTER TABLE entities ADD COLUMN logo BYTEA;
ALTER TABLE entities ADD COLUMN logo_type TEXT;

-- The host names an entity's own site answers on (participa.entidad.gov.co).
CREATE TABLE entity_hosts (
    host       TEXT PRIMARY KEY,
    entity_id  BIGINT NOT NULL REFERENCES entities (id)
);
CREATE INDEX entity_hosts_by_entity ON entity_hosts (entity_id);

-- The tenant roots. Audit entries of the platform itself (an entity created) have no
-- entity, so there the column stays nullable.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;
ALTER TABLE audit_log ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE audit_log SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change;
CREATE INDEX audit_log_by_entity ON audit_log (entity_id, id);

ALTER TABLE users ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE users SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE users ALTER COLUMN entity_id SET NOT NULL;
CREATE INDEX users_by_entity ON users (entity_id);

ALTER TABLE sessions ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE sessions SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE sessions ALTER COLUMN entity_id SET NOT NULL;

ALTER TABLE holiday_overrides ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE holiday_overrides SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE holiday_overrides ALTER COLUMN entity_id SET NOT NULL;
CREATE INDEX holiday_overrides_by_entity ON holiday_overrides (entity_id, day, id);

ALTER TABLE legal_parameter_values ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE legal_parameter_values SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE legal_parameter_values ALTER COLUMN entity_id SET NOT NULL;
CREATE INDEX legal_parameter_values_by_entity ON legal_parameter_values (entity_id, key, applies_from, id);

ALTER TABLE suggestions ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE suggestions SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE suggestions ALTER COLUMN entity_id SET NOT NULL;
CREATE INDEX suggestions_by_entity ON suggestions (entity_id, status, created_at);

ALTER TABLE hearings ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE hearings SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE hearings ALTER COLUMN entity_id SET NOT NULL;
CREATE INDEX hearings_by_entity ON hearings (entity_id);

ALTER TABLE consultations ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE consultations SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE consultations ALTER COLUMN entity_id SET NOT NULL;
CREATE INDEX consultations_by_entity ON consultations (entity_id);

ALTER TABLE events ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE events SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE events ALTER COLUMN entity_id SET NOT NULL;
CREATE INDEX events_by_entity ON events (entity_id, held_on);

-- Uniqueness that becomes per entity.
ALTER TABLE value_groups ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE value_groups SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE value_groups ALTER COLUMN entity_id SET NOT NULL;
ALTER TABLE value_groups DROP CONSTRAINT value_groups_pkey;
ALTER TABLE value_groups ADD PRIMARY KEY (entity_id, code);

ALTER TABLE published_reports ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE published_reports SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE published_reports ALTER COLUMN entity_id SET NOT NULL;
ALTER TABLE published_reports DROP CONSTRAINT published_reports_kind_subject_id_key;
ALTER TABLE published_reports ADD CONSTRAINT published_reports_by_entity
    UNIQUE (entity_id, kind, subject_id);

-- Notifications belong to their user's entity; an e-mail to an address (a recovery
-- link) to the entity that sent it: the outbox writes each with that entity's name and
-- address.
ALTER TABLE notifications ADD COLUMN entity_id BIGINT REFERENCES entities (id);
UPDATE notifications SET entity_id = (SELECT MIN(id) FROM entities);
ALTER TABLE notifications ALTER COLUMN entity_id SET NOT NULL;

-- What a user may do across the deployment, beside its role in its own entity:
-- administer the platform (add entities and their first admins) or observe entities
-- (read their figures on the national dashboard).
CREATE TABLE platform_roles (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id),
    role       TEXT NOT NULL CHECK (role IN ('administrador', 'observador')),
    granted_at TIMESTAMPTZ NOT NULL
);
-- The entities an observer reads; none listed: every entity.
CREATE TABLE observed_entities (
    user_id   BIGINT NOT NULL REFERENCES platform_roles (user_id),
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    PRIMARY KEY (user_id, entity_id)
);

-- Reads that a national deployment's size would turn into scans: a plan's follow-up
-- reads its reports' evidence and its activities' status changes.
CREATE INDEX evidence_by_report ON evidence (report_id, id);
CREATE INDEX activity_status_changes_by_plan ON activity_status_changes (plan_id, id);
CREATE INDEX hearings_by_plan ON hearings (plan_id, activity_number);
CREATE INDEX consultations_by_plan ON consultations (plan_id, activity_number);
