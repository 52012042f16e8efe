-- Accounts, sessions, plan versions with their lifecycle, and the audit log.
-- SQLite flavour; keep in step with migrations/postgres/0002_platform.sql.

CREATE TABLE users (
    id                      INTEGER PRIMARY KEY,
    username                TEXT NOT NULL UNIQUE,
    full_name               TEXT NOT NULL,
    role                    TEXT NOT NULL CHECK (role IN ('admin', 'reporter', 'auditor', 'approver')),
    password_hash           TEXT NOT NULL,
    active                  BOOLEAN NOT NULL,
    created_at              TIMESTAMP NOT NULL
);

CREATE TABLE user_offices (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    office_code TEXT NOT NULL,
    PRIMARY KEY (user_id, office_code)
);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

ALTER TABLE plans ADD COLUMN current_version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE plan_versions (
    plan_id         INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL CHECK (version > 0),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'consolidated', 'reviewed', 'approved', 'published')),
    reason          TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    consolidated_by INTEGER REFERENCES users (id),
    consolidated_at TIMESTAMP,
    reviewed_by     INTEGER REFERENCES users (id),
    reviewed_at     TIMESTAMP,
    approved_by     INTEGER REFERENCES users (id),
    approved_at     TIMESTAMP,
    acta_number     TEXT,
    acta_date       DATE,
    published_by    INTEGER REFERENCES users (id),
    published_at    TIMESTAMP,
    content         TEXT NOT NULL,
    PRIMARY KEY (plan_id, version)
);
CREATE INDEX plan_versions_published ON plan_versions (status, plan_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    user_id     INTEGER,
    username    TEXT,
    address     TEXT,
    action      TEXT NOT NULL,
    plan_id     INTEGER,
    subject     TEXT NOT NULL,
    before_data TEXT,
    after_data  TEXT
);
CREATE INDEX audit_log_by_plan ON audit_log (plan_id, at);
CREATE INDEX audit_log_by_user ON audit_log (user_id, at);
CREATE INDEX audit_log_by_time ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
