-- tributary schema v3: deletions.

-- How far each stream's deletion feed (QuickBooks: CDC; a connector file's `deletions:`) has
-- been read: sync marks the raw rows of every deletion before checked_until_utc, and reads on
-- from there (less the stream's lookback) next time.
CREATE TABLE state.deletion_points (
  connector         text        NOT NULL,
  account           text        NOT NULL,
  stream            text        NOT NULL,
  checked_until_utc timestamptz NOT NULL,
  -- Deletions the source no longer kept when sync came to read them (QuickBooks keeps 30 days):
  -- rows deleted in [gap_start_utc, gap_end_utc) may be unmarked. NULL: no such gap.
  gap_start_utc     timestamptz,
  gap_end_utc       timestamptz,
  updated_at_utc    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector, account, stream),
  CHECK ((gap_start_utc IS NULL) = (gap_end_utc IS NULL))
);
