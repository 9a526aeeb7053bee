-- Least privilege for running tributary (docs/reliability.md, "Running with least privilege").
--
-- tributary_writer is a NOLOGIN role to grant to the login user that runs backfill, resume,
-- status and check: it may create and write tables in `raw`, and read and write tributary's
-- state, and nothing else (no other schema, no DDL in `state`, no DROP, no TRUNCATE).
-- Schema changes stay with the owner: run this file as the role that ran `tributary migrate`
-- (it owns raw and state), after every `tributary migrate`; it is idempotent:
--
--   tributary --db "$OWNER_URL" migrate --config config/quickbooks.yaml
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -f sql/roles.sql
--   psql "$OWNER_URL" -c "CREATE ROLE etl LOGIN PASSWORD '...' IN ROLE tributary_writer"
--   psql "$OWNER_URL" -c "ALTER ROLE etl SET role TO tributary_writer"
--
-- The last line makes every session of `etl` act as tributary_writer, so raw tables that a run
-- creates for a new stream belong to tributary_writer and every member can write them.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tributary_writer') THEN
    CREATE ROLE tributary_writer NOLOGIN;
  END IF;
  -- Connecting, and the per-connection staging table every page is copied into.
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO tributary_writer', current_database());
END
$$;

-- raw: a table per stream, created on first use (CREATE TABLE IF NOT EXISTS) and upserted.
GRANT USAGE, CREATE ON SCHEMA raw TO tributary_writer;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA raw TO tributary_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw GRANT SELECT, INSERT, UPDATE ON TABLES TO tributary_writer;

-- state: runs, windows, rejected records and the rotated OAuth refresh token, read and written;
-- the migration ledger only read (every command checks it is current before it starts).
GRANT USAGE ON SCHEMA state TO tributary_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA state TO tributary_writer;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA state TO tributary_writer;
REVOKE INSERT, UPDATE, DELETE ON state.schema_migrations FROM tributary_writer;
-- Tables and sequences a later migration adds (this file is still to be run after it, for the
-- ledger's REVOKE above to hold whatever the defaults say).
ALTER DEFAULT PRIVILEGES IN SCHEMA state GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tributary_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA state GRANT USAGE, SELECT ON SEQUENCES TO tributary_writer;
