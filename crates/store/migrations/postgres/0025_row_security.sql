-- A second wall between entities: row-level security on every table that carries an
-- entity_id. The store filters every query by its entity in the SQL; these policies
-- make a query that forgot that filter see (and write) nothing of any other entity.
--
-- The entities a connection may see are in the setting `participa.entities`: an array
-- literal such as '{7}' (an observer's: '{7,9,12}'), or '*' for the deployment-wide
-- work that reads every entity on purpose (the outbox, the platform's figures). The
-- store sets it on every connection it hands out and in every transaction. Unset or
-- empty, it lets nothing through. Each policy reads the setting through scalar
-- subqueries, evaluated once per statement rather than once per row. FORCE makes the policies bind the tables'
-- owner too, the role the application connects as. A superuser, or a role with
-- BYPASSRLS, is never bound: connect the application as an ordinary role (README).
--
-- A later migration that has to change rows of these tables sets the scope first:
-- SELECT set_config('participa.entities', '*', true);

CREATE FUNCTION participa_sees_all() RETURNS BOOLEAN
    LANGUAGE sql STABLE
    AS $$ SELECT COALESCE(current_setting('participa.entities', true) = '*', FALSE) $$;

CREATE FUNCTION participa_scope() RETURNS BIGINT[]
    LANGUAGE sql STABLE
    AS $$ SELECT CASE WHEN s = '*' THEN NULL ELSE NULLIF(s, '')::BIGINT[] END
          FROM (SELECT current_setting('participa.entities', true) AS s) AS setting $$;

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'plans', 'users', 'audit_log', 'sessions', 'holiday_overrides', 'legal_parameter_values',
        'suggestions', 'hearings', 'consultations', 'events', 'value_groups',
        'published_reports', 'notifications'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY entity_scope ON %I USING ((SELECT participa_sees_all()) '
            'OR entity_id = ANY ((SELECT participa_scope())::BIGINT[]))', t);
    END LOOP;
END
$$;
