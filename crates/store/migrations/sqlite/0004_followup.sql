-- Follow-up (seguimiento). Activities are keyed by (plan_id, activity_number): the number
-- is stable across versions, and the plan's activity rows are rewritten on every save.

-- How a plan is followed up: the period frequency and the traffic-light thresholds.
CREATE TABLE followup_settings (
    plan_id         INTEGER PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
    frequency       TEXT NOT NULL,
    at_risk         REAL NOT NULL,
    late            REAL NOT NULL,
    updated_by      INTEGER REFERENCES users (id),
    updated_at      TIMESTAMP NOT NULL
);

-- Indicators an activity declares; figures reference them, so they are never deleted,
-- only retired.
CREATE TABLE indicators (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    activity_number INTEGER NOT NULL,
    name            TEXT NOT NULL,
    unit            TEXT NOT NULL,
    target          REAL NOT NULL,
    aggregation     TEXT NOT NULL,
    retired         BOOLEAN NOT NULL DEFAULT FALSE,
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX indicators_by_activity ON indicators (plan_id, activity_number);

-- Weights of the activities in the plan's progress (absent: equal weights).
CREATE TABLE activity_weights (
    plan_id         INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    activity_number INTEGER NOT NULL,
    weight          REAL NOT NULL,
    PRIMARY KEY (plan_id, activity_number)
);

-- Rescheduled or cancelled by hand, with the justification; the latest row rules, and
-- kind 'clear' returns the activity to its computed status.
CREATE TABLE activity_status_changes (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    activity_number INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    justification   TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL
);

-- One row per submission of a report (a resubmission is a new row; nothing is updated).
CREATE TABLE progress_reports (
    id                      INTEGER PRIMARY KEY,
    plan_id                 INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    activity_number         INTEGER NOT NULL,
    period                  INTEGER NOT NULL,
    percent                 REAL NOT NULL,
    narrative               TEXT NOT NULL,
    difficulties            TEXT NOT NULL,
    corrective_actions      TEXT NOT NULL,
    decrease_justification  TEXT NOT NULL,
    -- A documented correction entered after the period closed.
    correction              BOOLEAN NOT NULL DEFAULT FALSE,
    created_by              INTEGER REFERENCES users (id),
    created_at              TIMESTAMP NOT NULL
);
CREATE INDEX progress_reports_by_activity ON progress_reports (plan_id, activity_number, period, id);

CREATE TABLE indicator_figures (
    report_id       INTEGER NOT NULL REFERENCES progress_reports (id),
    indicator_id    INTEGER NOT NULL REFERENCES indicators (id),
    value           REAL NOT NULL,
    PRIMARY KEY (report_id, indicator_id)
);

-- Evidence files: the bytes live in the object store under object_key.
CREATE TABLE evidence (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES progress_reports (id),
    file_name       TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    object_key      TEXT NOT NULL UNIQUE,
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL
);

-- Internal control's review of one submission.
CREATE TABLE report_reviews (
    id                  INTEGER PRIMARY KEY,
    report_id           INTEGER NOT NULL REFERENCES progress_reports (id),
    decision            TEXT NOT NULL,
    verified_percent    REAL,
    sufficiency         TEXT NOT NULL,
    observations        TEXT NOT NULL,
    recommendations     TEXT NOT NULL,
    created_by          INTEGER REFERENCES users (id),
    created_at          TIMESTAMP NOT NULL
);
CREATE INDEX report_reviews_by_report ON report_reviews (report_id, id);

-- A closed period's reports are locked.
CREATE TABLE period_closures (
    plan_id         INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    period          INTEGER NOT NULL,
    closed_by       INTEGER REFERENCES users (id),
    closed_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, period)
);

-- History is never rewritten: reports, figures, evidence, reviews and closures are
-- append-only (a plan deleted as a whole still takes them along).
CREATE TRIGGER progress_reports_no_update BEFORE UPDATE ON progress_reports
BEGIN SELECT RAISE(ABORT, 'progress_reports is append-only'); END;
CREATE TRIGGER indicator_figures_no_update BEFORE UPDATE ON indicator_figures
BEGIN SELECT RAISE(ABORT, 'indicator_figures is append-only'); END;
CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;
CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;
CREATE TRIGGER report_reviews_no_update BEFORE UPDATE ON report_reviews
BEGIN SELECT RAISE(ABORT, 'report_reviews is append-only'); END;
CREATE TRIGGER period_closures_no_update BEFORE UPDATE ON period_closures
BEGIN SELECT RAISE(ABORT, 'period_closures is append-only'); END;
