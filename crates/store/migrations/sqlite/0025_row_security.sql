-- PostgreSQL's migration of this name puts row-level security on the tables that carry
-- an entity_id. SQLite has no row-level security: there the store's own entity filter
-- (and the tests that prove it) is the wall, and an embedded database serves the
-- entities of one deployment that owns the file.
SELECT 1;
