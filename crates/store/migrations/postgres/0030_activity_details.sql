-- What an entity's own activity table says beyond the fields every plan has (its
-- numbering, the dates as written, goal, indicator, component and any other column),
-- as JSON; '' when there is nothing.
ALTER TABLE activities ADD COLUMN details TEXT NOT NULL DEFAULT '';
