-- Moves the staged page into {{table}}. A record whose payload is unchanged is not rewritten
-- (its metadata stays), and an older version never replaces a newer one. A record the source
-- returns exists: writing it clears a deletion mark, even when its payload did not change.
-- $1 account, $2 window start, $3 window end, $4 page number, $5 page size,
-- $6 request_payload (json text), $7 run_id, $8 ingested_at
INSERT INTO {{table}} AS t
  (account, id, payload, source_updated_at, ingested_at_utc, extract_window_start_utc,
   extract_window_end_utc, page_number, page_size, request_payload, run_id)
SELECT DISTINCT ON (s.id)
  $1, s.id, s.payload::jsonb, NULLIF(s.source_updated_at, '')::timestamptz, $8::timestamptz,
  $2::timestamptz, $3::timestamptz, $4::integer, $5::integer, $6::jsonb, $7::bigint
FROM tributary_stage AS s
ORDER BY s.id, NULLIF(s.source_updated_at, '')::timestamptz DESC NULLS LAST
ON CONFLICT (account, id) DO UPDATE SET
  payload                  = EXCLUDED.payload,
  source_updated_at        = EXCLUDED.source_updated_at,
  ingested_at_utc          = EXCLUDED.ingested_at_utc,
  extract_window_start_utc = EXCLUDED.extract_window_start_utc,
  extract_window_end_utc   = EXCLUDED.extract_window_end_utc,
  page_number              = EXCLUDED.page_number,
  page_size                = EXCLUDED.page_size,
  request_payload          = EXCLUDED.request_payload,
  run_id                   = EXCLUDED.run_id,
  deleted_at_utc           = NULL
WHERE (t.payload IS DISTINCT FROM EXCLUDED.payload OR t.deleted_at_utc IS NOT NULL)
  AND (t.source_updated_at IS NULL OR EXCLUDED.source_updated_at IS NULL
       OR EXCLUDED.source_updated_at >= t.source_updated_at)
