-- The plan as imported from its document. PostgreSQL flavour; keep in step with
-- migrations/sqlite/0001_plans.sql (same tables, columns and constraints).

CREATE TABLE entities (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE plans (
    id                          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id                   BIGINT NOT NULL REFERENCES entities (id),
    title                       TEXT NOT NULL,
    year                        BIGINT NOT NULL,
    policy                      TEXT NOT NULL,
    strategic_objective_code    TEXT NOT NULL,
    strategic_objective_text    TEXT NOT NULL,
    office_objective_code       TEXT NOT NULL,
    office_objective_text       TEXT NOT NULL,
    strategic_initiative_code   TEXT NOT NULL,
    strategic_initiative_text   TEXT NOT NULL,
    legal_framework_text        TEXT NOT NULL,
    offices_text                TEXT NOT NULL,
    version_number              BIGINT,
    version_date                DATE,
    source_file                 TEXT,
    created_at                  TIMESTAMPTZ NOT NULL
);
CREATE INDEX plans_by_entity_year ON plans (entity_id, year);

CREATE TABLE plan_objectives (
    plan_id     BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (plan_id, position)
);

CREATE TABLE plan_norms (
    plan_id     BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    number      TEXT,
    year        BIGINT,
    PRIMARY KEY (plan_id, position)
);

CREATE TABLE plan_norm_articles (
    plan_id         BIGINT NOT NULL,
    norm_position   BIGINT NOT NULL,
    position        BIGINT NOT NULL,
    article         TEXT NOT NULL,
    PRIMARY KEY (plan_id, norm_position, position),
    FOREIGN KEY (plan_id, norm_position) REFERENCES plan_norms (plan_id, position) ON DELETE CASCADE
);

CREATE TABLE plan_offices (
    plan_id     BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    position    BIGINT NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('leader', 'support')),
    PRIMARY KEY (plan_id, code)
);

CREATE TABLE activities (
    plan_id             BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number              BIGINT NOT NULL CHECK (number > 0),
    description         TEXT NOT NULL,
    start_date          DATE NOT NULL,
    end_date            DATE NOT NULL,
    responsible_text    TEXT NOT NULL,
    deliverable         TEXT NOT NULL,
    PRIMARY KEY (plan_id, number),
    CHECK (end_date >= start_date)
);

CREATE TABLE activity_offices (
    plan_id         BIGINT NOT NULL,
    activity_number BIGINT NOT NULL,
    position        BIGINT NOT NULL,
    office_code     TEXT NOT NULL,
    PRIMARY KEY (plan_id, activity_number, position),
    FOREIGN KEY (plan_id, activity_number) REFERENCES activities (plan_id, number) ON DELETE CASCADE,
    FOREIGN KEY (plan_id, office_code) REFERENCES plan_offices (plan_id, code)
);
CREATE INDEX activity_offices_by_office ON activity_offices (plan_id, office_code);

CREATE TABLE plan_signatures (
    plan_id         BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position        BIGINT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('consolidated', 'reviewed', 'approved')),
    name            TEXT NOT NULL,
    signer_position TEXT NOT NULL,
    PRIMARY KEY (plan_id, position),
    UNIQUE (plan_id, role)
);
