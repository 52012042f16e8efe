-- Changes an admin makes to the legal holiday calendar, oldest first; the latest row
-- for a date is the one in force. Rows are never updated: the table is the history.
-- Keep in step with the other backend's 0003_rules.sql.

CREATE TABLE holiday_overrides (
    id          INTEGER PRIMARY KEY,
    day         DATE NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('add', 'remove')),
    name        TEXT,
    reason      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    CHECK (kind = 'remove' OR name IS NOT NULL)
);
CREATE INDEX holiday_overrides_by_day ON holiday_overrides (day, id);

-- Values an admin set for the legal parameters (the defaults live in the code with
-- their sources). The value in force at a date is the latest row whose applies_from is
-- on or before it; rows are never updated, so the table is the history.
CREATE TABLE legal_parameter_values (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL,
    value         INTEGER NOT NULL,
    applies_from  DATE NOT NULL,
    reason        TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX legal_parameter_values_by_key ON legal_parameter_values (key, applies_from, id);

-- MIPG, MURC and FURAG tagging of activities: one row per value (kind: phase,
-- murc_stage, murc_element, value_group, influence, channel, medium, furag, covers).
CREATE TABLE activity_tags (
    plan_id         INTEGER NOT NULL,
    activity_number INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    position        INTEGER NOT NULL,
    value           TEXT NOT NULL,
    PRIMARY KEY (plan_id, activity_number, kind, position),
    FOREIGN KEY (plan_id, activity_number) REFERENCES activities (plan_id, number) ON DELETE CASCADE
);

-- Coverage-check findings accepted for a plan version, with the justification.
CREATE TABLE finding_acceptances (
    plan_id         INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    code            TEXT NOT NULL,
    justification   TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, version, code)
);

-- The entity's catalogue of groups of value: rows add to or replace the defaults the
-- code ships (domain::tagging::VALUE_GROUPS), by code.
CREATE TABLE value_groups (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    furag_group TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users (id),
    updated_at  TIMESTAMP NOT NULL
);
