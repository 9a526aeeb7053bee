-- One raw table per stream. {{table}} is replaced by the quoted, schema-qualified name.
CREATE TABLE IF NOT EXISTS {{table}} (
  account                  text        NOT NULL,  -- the connector file's account (QuickBooks: the realm id)
  id                       text        NOT NULL,
  payload                  jsonb       NOT NULL,  -- the record exactly as the API returned it
  payload_hash             text,                  -- XXH3-128 of its text as received: unchanged records are skipped by it
  source_updated_at        timestamptz,           -- the record's own updated-at (QBO: MetaData.LastUpdatedTime)
  ingested_at_utc          timestamptz NOT NULL,
  extract_window_start_utc timestamptz NOT NULL,
  extract_window_end_utc   timestamptz NOT NULL,
  page_number              integer     NOT NULL,
  page_size                integer     NOT NULL,
  request_payload          jsonb       NOT NULL,  -- method, URL, query, parameters; never a secret
  run_id                   bigint,
  deleted_at_utc           timestamptz,           -- when the source deleted it (sync's deletion feed); NULL while it exists
  PRIMARY KEY (account, id)
)
