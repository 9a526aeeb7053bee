-- tributary schema v4: rate and in-flight limits shared by every process working on one account
-- (docs/operations.md "Limits shared by many processes"). A scope is "<connector name>:<account>".

-- The takes of the last span per scope (the rate limit's interval plus a token's lifetime and a
-- transit margin), as a flat array of pairs: database clock in microseconds since the epoch,
-- tokens taken then. A process reads the row with the database clock, decides
-- (http::take_tokens) and writes back only if `generation` has not moved meanwhile: no lock
-- outlives a statement, so a stopped or dead process blocks nobody.
CREATE TABLE state.rate_budgets (
  scope                 text        PRIMARY KEY,
  recent_takes          bigint[]    NOT NULL,
  generation            bigint      NOT NULL,
  -- As the last process to take tokens was configured, who it was and when: for operators.
  requests_per_interval integer     NOT NULL,
  interval_ms           integer     NOT NULL,
  updated_by            text        NOT NULL,
  updated_at            timestamptz NOT NULL
);

-- One row per slot, numbered 1..rate_limit.max_concurrent. A request holds a slot from before it
-- is sent until its answer, or the process hands it to its next queued request. A slot whose
-- holder died comes back when expires_at passes.
CREATE TABLE state.inflight_slots (
  scope      text        NOT NULL,
  slot       integer     NOT NULL CHECK (slot >= 1),
  holder     text,  -- the holding process's instance id
  expires_at timestamptz,
  PRIMARY KEY (scope, slot),
  CHECK ((holder IS NULL) = (expires_at IS NULL))
);
