-- Participation events (service fairs, trainings, housing fairs…): what happened and how
-- many took part. An attendee list is read for its counts; names are not kept.
CREATE TABLE events (
    id                  INTEGER PRIMARY KEY,
    plan_id             INTEGER REFERENCES plans (id),
    activity_number     INTEGER,
    title               TEXT NOT NULL,
    held_on             DATE NOT NULL,
    modality            TEXT NOT NULL,
    place               TEXT NOT NULL,
    territory           TEXT NOT NULL,
    attendees           INTEGER NOT NULL,
    by_group            TEXT NOT NULL,
    satisfaction_sum    INTEGER NOT NULL,
    satisfaction_count  INTEGER NOT NULL,
    created_by          INTEGER REFERENCES users (id),
    created_at          TIMESTAMP NOT NULL
);
CREATE INDEX events_by_activity ON events (plan_id, activity_number);
