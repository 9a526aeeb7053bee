-- tributary schema v2: set-verified windows and quarantined records.

-- A window (or run) whose every record the source holds is in raw, except records that could
-- not be stored and were quarantined in state.rejected_records.
ALTER TABLE state.windows DROP CONSTRAINT windows_status_check;
ALTER TABLE state.windows ADD CONSTRAINT windows_status_check
  CHECK (status IN ('pending', 'running', 'done', 'done_with_rejects', 'failed'));
ALTER TABLE state.runs DROP CONSTRAINT runs_status_check;
ALTER TABLE state.runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('pending', 'running', 'done', 'done_with_rejects', 'failed'));

ALTER TABLE state.windows
  ADD COLUMN records_rejected bigint NOT NULL DEFAULT 0,  -- quarantined, see state.rejected_records
  ADD COLUMN guarantee        text,                       -- keyset | sweep | source_cursor | single_request | unverified
  ADD COLUMN sweeps           integer NOT NULL DEFAULT 0; -- verification passes the window took

COMMENT ON COLUMN state.windows.verified_count IS
  'records the source holds for the window (the agreed sweep set, or records read), all in raw or quarantined';

-- Records that cannot be stored (jsonb refuses them, no key or cursor, invalid UTF-8, too
-- large), written in the same transaction as their page. One row per record and window.
CREATE TABLE state.rejected_records (
  reject_id       bigserial   PRIMARY KEY,
  run_id          bigint      NOT NULL REFERENCES state.runs (run_id) ON DELETE CASCADE,
  window_id       bigint      NOT NULL REFERENCES state.windows (window_id) ON DELETE CASCADE,
  stream          text        NOT NULL,
  page_number     integer     NOT NULL,
  record_index    integer     NOT NULL,   -- 0-based, in the page as the source sent it
  record_id       text,                   -- NULL when the record has no readable key
  record_key      text        NOT NULL,   -- record_id, or md5 of the text when it has none
  reason          text        NOT NULL,
  raw_text        text        NOT NULL,   -- up to 64 KiB; invalid UTF-8 and NUL bytes as '?'
  raw_bytes       bigint      NOT NULL,
  rejected_at_utc timestamptz NOT NULL DEFAULT now(),
  UNIQUE (window_id, record_key)
);
CREATE INDEX rejected_records_run ON state.rejected_records (run_id);
