-- Deliveries: the record and the work queue in one table. A pending row with a live lease is being
-- planned by `lease_owner`; outcomes are written only by the current owner (see postgres-store.ts).
CREATE TABLE deliveries (
  id text PRIMARY KEY,
  -- Insertion order, to break ties of created_at in listings.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  recipient text NOT NULL,
  destination text NOT NULL,
  origin text NOT NULL,
  gift text,
  status text NOT NULL CHECK (status IN ('pending', 'planned', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_owner text,
  lease_until timestamptz,
  -- The claim owner that wrote the outcome (planned or failed): who did it, across replicas.
  outcome_owner text,
  last_error text,
  failure_reason text,
  -- json, not jsonb: the route is stored and returned as written, never queried inside.
  route json,
  client_id text,
  idempotency_key text,
  request_hash text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  planned_at timestamptz
);

-- One delivery per (client, key), across every replica; NULLS NOT DISTINCT so a caller without a
-- client id is one caller too.
CREATE UNIQUE INDEX deliveries_idempotency ON deliveries (client_id, idempotency_key)
  NULLS NOT DISTINCT WHERE idempotency_key IS NOT NULL;

-- The claim query's scan: due pending rows, oldest due first.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, seq) WHERE status = 'pending';

CREATE INDEX deliveries_created ON deliveries (created_at DESC, seq DESC);
CREATE INDEX deliveries_status_created ON deliveries (status, created_at DESC, seq DESC);
