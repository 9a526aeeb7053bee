-- Per-connection staging table: a page's changed records are COPYed here, then upserted in one
-- statement. payload_hash is computed by tributary from the same bytes.
CREATE TEMP TABLE IF NOT EXISTS tributary_stage (
  id                text NOT NULL,
  payload           text NOT NULL,
  payload_hash      text NOT NULL,
  source_updated_at text
) ON COMMIT DELETE ROWS
