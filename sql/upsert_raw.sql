-- Moves the staged page into {{table}}. A record whose text is what raw already holds (same
-- md5, not marked deleted) is left alone before any jsonb conversion, metadata included: a
-- re-run over unchanged data rewrites nothing and casts nothing. An older version never replaces
-- a newer one. A record the source returns exists: writing it clears a deletion mark, even when
-- its payload did not change.
-- $1 account, $2 window start, $3 window end, $4 page number, $5 page size,
-- $6 request_payload (json text), $7 run_id, $8 ingested_at
INSERT INTO {{table}} AS t
  (account, id, payload, payload_md5, source_updated_at, ingested_at_utc, extract_window_start_utc,
   extract_window_end_utc, page_number, page_size, request_payload, run_id)
SELECT $1, p.id, p.payload::jsonb, p.md5, p.source_updated_at, $8::timestamptz,
  $2::timestamptz, $3::timestamptz, $4::integer, $5::integer, $6::jsonb, $7::bigint
FROM (SELECT DISTINCT ON (s.id) s.id, s.payload, md5(s.payload) AS md5,
             NULLIF(s.source_updated_at, '')::timestamptz AS source_updated_at
      FROM tributary_stage AS s
      ORDER BY s.id, NULLIF(s.source_updated_at, '')::timestamptz DESC NULLS LAST) AS p
-- One primary-key probe per staged record (LATERAL ... LIMIT 1 keeps it a probe): joining the
-- whole table instead, which the planner picks when raw's statistics lag a bulk load, costs a
-- scan of every row of the account per page.
LEFT JOIN LATERAL (SELECT r.payload_md5, r.deleted_at_utc FROM {{table}} AS r
                   WHERE r.account = $1 AND r.id = p.id LIMIT 1) AS r ON true
WHERE r.payload_md5 IS NULL OR r.payload_md5 <> p.md5 OR r.deleted_at_utc IS NOT NULL
ON CONFLICT (account, id) DO UPDATE SET
  payload                  = EXCLUDED.payload,
  payload_md5              = EXCLUDED.payload_md5,
  source_updated_at        = EXCLUDED.source_updated_at,
  ingested_at_utc          = EXCLUDED.ingested_at_utc,
  extract_window_start_utc = EXCLUDED.extract_window_start_utc,
  extract_window_end_utc   = EXCLUDED.extract_window_end_utc,
  page_number              = EXCLUDED.page_number,
  page_size                = EXCLUDED.page_size,
  request_payload          = EXCLUDED.request_payload,
  run_id                   = EXCLUDED.run_id,
  deleted_at_utc           = NULL
WHERE t.source_updated_at IS NULL OR EXCLUDED.source_updated_at IS NULL
   OR EXCLUDED.source_updated_at >= t.source_updated_at
