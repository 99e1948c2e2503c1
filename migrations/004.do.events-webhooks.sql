-- Webhooks and their delivery outbox, and the trigger that fans every journal row out: it queues a
-- delivery for each subscribed webhook and sends a NOTIFY, both in the transaction that appends the
-- event, so a committed event always has its deliveries and a rolled-back one never does.

CREATE TABLE webhooks (
  id uuid PRIMARY KEY,
  url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  -- Exact event types or patterns with `*` (e.g. `plugin.*`, `*`).
  event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50),
  -- The HMAC key deliveries are signed with; returned once at creation, never afterwards.
  secret text NOT NULL CHECK (length(secret) BETWEEN 16 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  active boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_seq bigint NOT NULL REFERENCES events (seq),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- A worker that claims a delivery holds it until the lease expires; a crashed worker's claim lapses.
  lease_token uuid,
  lease_expires_at timestamptz,
  last_error text,
  last_status_code integer,
  redelivery_of uuid REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at DESC);

CREATE FUNCTION events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_deliveries (id, webhook_id, event_seq)
    SELECT gen_random_uuid(), w.id, NEW.seq
      FROM webhooks w
     WHERE w.active
       AND EXISTS (
         SELECT 1 FROM unnest(w.event_types) AS p (pattern)
          WHERE NEW.type LIKE replace(replace(p.pattern, '_', '\_'), '*', '%')
       );
  -- The channel is per schema (several registries may share one server); the payload is a hint only.
  PERFORM pg_notify('codex_events_' || left(md5(current_schema()), 16), NEW.seq::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER events_fan_out AFTER INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION events_fan_out();
