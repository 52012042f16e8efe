-- Monthly figures of the service channels (contact center, social media, website); an
-- import replaces the months it carries for its channel and activity.
CREATE TABLE channel_figures (
    plan_id         INTEGER NOT NULL REFERENCES plans (id),
    activity_number INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    year            INTEGER NOT NULL,
    month           INTEGER NOT NULL,
    metric          TEXT NOT NULL,
    value           REAL NOT NULL,
    imported_by     INTEGER REFERENCES users (id),
    imported_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, activity_number, channel, year, month, metric)
);
