-- Deliverable reports staff publish for the public (the suggestions campaign, the
-- events, the channel figures, a consultation's or forum's results). What is published
-- is the report as staff saw it that day: its PDF and XLSX are kept here, so the public
-- downloads exactly that and no request draws a report again. Publishing again
-- replaces it; withdrawing deletes it. `subject_id` is the consultation (0 otherwise).
CREATE TABLE published_reports (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('sugerencias', 'eventos', 'canales', 'consulta')),
    subject_id   INTEGER NOT NULL DEFAULT 0,
    title        TEXT NOT NULL,
    pdf          BLOB NOT NULL,
    xlsx         BLOB NOT NULL,
    published_by INTEGER REFERENCES users (id),
    published_at TIMESTAMP NOT NULL,
    UNIQUE (kind, subject_id)
);
