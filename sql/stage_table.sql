-- Per-connection staging table: a page is COPYed here, then upserted in one statement.
CREATE TEMP TABLE IF NOT EXISTS tributary_stage (
  id                text NOT NULL,
  payload           text NOT NULL,
  source_updated_at text
) ON COMMIT DELETE ROWS
