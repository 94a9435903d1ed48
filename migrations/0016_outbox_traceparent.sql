ALTER TABLE "audit_pending" ADD COLUMN "outbox_traceparent" text;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "traceparent" text;--> statement-breakpoint
-- The seal of migration 0007, now also copying the traceparent of the request that caused a
-- published event to its outbox row, so its deliveries carry it.
CREATE OR REPLACE FUNCTION "audit_seal_pending"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  me xid8 := pg_current_xact_id();
  head_seq bigint;
  head_hash varchar(64);
  next_hash varchar(64);
  occurred text;
  event_id uuid;
  decision uuid;
  pending record;
BEGIN
  -- The first firing in a transaction seals all of its events; the later ones find none.
  IF NOT EXISTS (SELECT 1 FROM audit_pending WHERE txid = me) THEN
    RETURN NULL;
  END IF;
  SELECT seq, hash INTO head_seq, head_hash FROM audit_head WHERE id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_head row is missing; migrations did not run';
  END IF;
  occurred := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  FOR pending IN SELECT * FROM audit_pending WHERE txid = me ORDER BY id LOOP
    head_seq := head_seq + 1;
    next_hash := encode(sha256(convert_to(
      head_hash || pending.canonical_head || occurred || pending.canonical_tail || head_seq::text || '}', 'UTF8')), 'hex');
    INSERT INTO audit_events (seq, occurred_at, actor_key_id, actor_role, actor_organisation_id, action,
                              resource_type, resource_id, data, prev_hash, hash)
    VALUES (head_seq, occurred::timestamptz, pending.actor_key_id, pending.actor_role, pending.actor_organisation_id,
            pending.action, pending.resource_type, pending.resource_id, pending.data, head_hash, next_hash);
    IF pending.outbox_programme_ids IS NOT NULL THEN
      event_id := gen_random_uuid();
      decision := CASE WHEN pending.resource_type = 'decision' THEN pending.resource_id END;
      INSERT INTO outbox_events (event_id, event_type, decision_id, resource_type, resource_id, ordering_key, audit_seq,
                                 programme_ids, municipality_ids, payload, traceparent)
      VALUES (event_id, pending.action, decision, pending.resource_type, pending.resource_id,
              coalesce(pending.outbox_ordering_key, pending.resource_id), head_seq, pending.outbox_programme_ids,
              coalesce(pending.outbox_municipality_ids, '{}'),
              jsonb_build_object('id', event_id, 'type', pending.action, 'occurredAt', occurred,
                                 'decisionId', decision, 'auditSeq', head_seq, 'data', pending.data),
              pending.outbox_traceparent);
      -- Feed readers waiting on any instance wake up (delivered at commit).
      PERFORM pg_notify('eszl_events', head_seq::text);
    END IF;
    head_hash := next_hash;
  END LOOP;
  DELETE FROM audit_pending WHERE txid = me;
  UPDATE audit_head SET seq = head_seq, hash = head_hash WHERE id = 1;
  RETURN NULL;
END;
$$;
