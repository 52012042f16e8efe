-- A staff member's position (cargo), printed under their name when they sign.
ALTER TABLE users ADD COLUMN position TEXT NOT NULL DEFAULT '';

-- The approval's signature as it was when the version was approved: the approver's
-- name and position at that moment (a later change of the account does not rewrite it).
ALTER TABLE plan_versions ADD COLUMN approved_name TEXT;
ALTER TABLE plan_versions ADD COLUMN approved_position TEXT;

-- Every return of a version to draft, with its reason (observations when the approver
-- sends it back). Only ever added.
CREATE TABLE plan_returns (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    from_status TEXT NOT NULL,
    reason      TEXT NOT NULL,
    returned_by INTEGER REFERENCES users (id),
    returned_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_returns_by_version ON plan_returns (plan_id, version);
