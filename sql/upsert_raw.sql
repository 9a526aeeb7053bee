-- Moves the staged page into {{table}}. Only records raw lacks, holds in another text (by hash)
-- or has marked deleted are staged (RawTableWriter compares them first), so a re-run over
-- unchanged data sends, casts and rewrites nothing. An older version never replaces a newer
-- one. A record the source returns exists: writing it clears a deletion mark, even when its
-- payload did not change. The hash test is repeated at the conflict for a concurrent writer.
-- The stage holds each id once, its latest version (RawTableWriter chooses it): no sort here.
-- $1 account, $2 window start, $3 window end, $4 page number, $5 page size,
-- $6 request_payload (json text), $7 run_id, $8 ingested_at
INSERT INTO {{table}} AS t
  (account, id, payload, payload_hash, source_updated_at, ingested_at_utc, extract_window_start_utc,
   extract_window_end_utc, page_number, page_size, request_payload, run_id)
SELECT $1, p.id, p.payload::jsonb, p.payload_hash, p.source_updated_at, $8::timestamptz,
  $2::timestamptz, $3::timestamptz, $4::integer, $5::integer, $6::jsonb, $7::bigint
FROM (SELECT s.id, s.payload, s.payload_hash, s.source_updated_at::timestamptz AS source_updated_at
      FROM tributary_stage AS s) AS p
ON CONFLICT (account, id) DO UPDATE SET
  payload                  = EXCLUDED.payload,
  payload_hash             = EXCLUDED.payload_hash,
  source_updated_at        = EXCLUDED.source_updated_at,
  ingested_at_utc          = EXCLUDED.ingested_at_utc,
  extract_window_start_utc = EXCLUDED.extract_window_start_utc,
  extract_window_end_utc   = EXCLUDED.extract_window_end_utc,
  page_number              = EXCLUDED.page_number,
  page_size                = EXCLUDED.page_size,
  request_payload          = EXCLUDED.request_payload,
  run_id                   = EXCLUDED.run_id,
  deleted_at_utc           = NULL
WHERE (t.payload_hash IS DISTINCT FROM EXCLUDED.payload_hash OR t.deleted_at_utc IS NOT NULL)
  AND (t.source_updated_at IS NULL OR EXCLUDED.source_updated_at IS NULL
       OR EXCLUDED.source_updated_at >= t.source_updated_at)
