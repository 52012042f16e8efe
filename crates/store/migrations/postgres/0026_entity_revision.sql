-- An entity's settings (name, footer data, colour, logo) can change: each change moves
-- its revision, so every app server rebuilds that entity's site within a second.
ALTER TABLE entities ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
