-- tributary schema v1: the raw landing schema and the run/window/token state.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS state;

-- One row per invocation of a backfill (or, later, a sync).
CREATE TABLE state.runs (
  run_id              bigserial PRIMARY KEY,
  connector           text        NOT NULL,
  account             text        NOT NULL,           -- QBO realm id
  streams             text[]      NOT NULL,
  mode                text        NOT NULL CHECK (mode IN ('backfill', 'sync')),
  requested_start_utc timestamptz NOT NULL,
  requested_end_utc   timestamptz NOT NULL,
  chunk               interval    NOT NULL,
  page_size           integer     NOT NULL CHECK (page_size >= 0), -- --page-size; 0: the file's per stream
  config_path         text,                           -- absolute path, so resume finds it
  status              text        NOT NULL DEFAULT 'pending'
                                  CHECK (status IN ('pending', 'running', 'done', 'failed')),
  created_at_utc      timestamptz NOT NULL DEFAULT now(),
  started_at_utc      timestamptz,
  finished_at_utc     timestamptz,
  last_error          text,
  CHECK (requested_end_utc > requested_start_utc)
);

-- One row per stream and half-open window [window_start_utc, window_end_utc) of a run.
-- The checkpoint (next_position, next_page_number, pages/records) moves in the same
-- transaction as the page's rows.
CREATE TABLE state.windows (
  window_id            bigserial PRIMARY KEY,
  run_id               bigint      NOT NULL REFERENCES state.runs (run_id) ON DELETE CASCADE,
  stream               text        NOT NULL,
  window_start_utc     timestamptz NOT NULL,
  window_end_utc       timestamptz NOT NULL,
  status               text        NOT NULL DEFAULT 'pending'
                                   CHECK (status IN ('pending', 'running', 'done', 'failed')),
  next_position        text,                        -- the connector's opaque position
  next_page_number     integer     NOT NULL DEFAULT 1,
  paging_complete      boolean     NOT NULL DEFAULT false, -- last page committed; reconcile next
  pages_loaded         integer     NOT NULL DEFAULT 0,
  records_loaded       bigint      NOT NULL DEFAULT 0,  -- records fetched and upserted
  rows_changed         bigint      NOT NULL DEFAULT 0,  -- of those, raw rows inserted or changed
  records_reconciled   bigint      NOT NULL DEFAULT 0,  -- missed by offset paging, fetched by id
  expected_count       bigint,                          -- the source's COUNT(*) for the window
  verified_count       bigint,                          -- of the source's ids, how many raw holds
  attempts             integer     NOT NULL DEFAULT 0,
  last_error           text,
  claimed_by           text,
  lease_expires_at_utc timestamptz,
  started_at_utc       timestamptz,
  finished_at_utc      timestamptz,
  updated_at_utc       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, stream, window_start_utc),
  CHECK (window_end_utc > window_start_utc)
);
CREATE INDEX windows_run_status ON state.windows (run_id, status);

-- OAuth refresh tokens as last rotated by the source. The only table holding a secret:
-- nobody but the owner reads it.
CREATE TABLE state.oauth_tokens (
  token_key          text        PRIMARY KEY,
  refresh_token      text        NOT NULL,
  origin_fingerprint text        NOT NULL,
  updated_at_utc     timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON state.oauth_tokens FROM PUBLIC;
