-- Monthly figures of the service channels (contact center, social media, website); an
-- import replaces the months it carries for its channel and activity.
CREATE TABLE channel_figures (
    plan_id         BIGINT NOT NULL REFERENCES plans (id),
    activity_number BIGINT NOT NULL,
    channel         TEXT NOT NULL,
    year            BIGINT NOT NULL,
    month           BIGINT NOT NULL,
    metric          TEXT NOT NULL,
    value           DOUBLE PRECISION NOT NULL,
    imported_by     BIGINT REFERENCES users (id),
    imported_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (plan_id, activity_number, channel, year, month, metric)
);
