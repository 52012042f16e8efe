-- Changes an admin makes to the legal holiday calendar, oldest first; the latest row
-- for a date is the one in force. Rows are never updated: the table is the history.
-- Keep in step with the other backend's 0003_calendar.sql.

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
