-- A second wall between entities: row-level security on every table that carries an
-- entity_id. The store filters every query by its entity in the SQL; these policies
-- make a query that forgot that filter see (and write) nothing of any other entity.
--
-- The entities a connection may see are in the setting `participa.entities`, an array
-- literal such as '{7}', which the store sets on every connection it hands out
-- (`SELECT set_config(...)`) and in every transaction (`SET LOCAL` through the same
-- function). Unset, it lets nothing through. FORCE makes the policies bind the tables'
-- owner too, the role the application connects as. A superuser, or a role with
-- BYPASSRLS, is never bound: connect the application as an ordinary role (README).
--
-- A later migration that has to change rows of these tables sets the scope first:
-- SELECT set_config('participa.entities', (SELECT array_agg(id)::text FROM entities), true);

CREATE FUNCTION participa_scope() RETURNS BIGINT[]
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('participa.entities', true), '')::BIGINT[] $$;

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
            'CREATE POLICY entity_scope ON %I USING (entity_id = ANY (participa_scope()))', t);
    END LOOP;
END
$$;
