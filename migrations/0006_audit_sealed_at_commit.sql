-- Seals a transaction's audit events into the chain while it commits (see audit_pending in
-- src/db/schema.ts). Deferred to commit, the lock on the single audit_head row is taken as late
-- as possible and held only for the commit itself: appenders still queue on it, so sequence
-- numbers follow commit order without gaps, but never while the service computes or a round
-- trip is under way. Hash: hex(SHA-256(prevHash || RFC 8785 form of the event)), the RFC 8785
-- form being canonical_head || occurredAt || canonical_tail || seq || '}' (built by the service).
CREATE OR REPLACE FUNCTION "audit_seal_pending"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  me xid8 := pg_current_xact_id();
  head_seq bigint;
  head_hash varchar(64);
  next_hash varchar(64);
  occurred text;
  event_id uuid;
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
      INSERT INTO outbox_events (event_id, event_type, decision_id, programme_ids, municipality_ids, payload)
      VALUES (event_id, pending.action, pending.resource_id, pending.outbox_programme_ids,
              coalesce(pending.outbox_municipality_ids, '{}'),
              jsonb_build_object('id', event_id, 'type', pending.action, 'occurredAt', occurred,
                                 'decisionId', pending.resource_id, 'auditSeq', head_seq, 'data', pending.data));
    END IF;
    head_hash := next_hash;
  END LOOP;
  DELETE FROM audit_pending WHERE txid = me;
  UPDATE audit_head SET seq = head_seq, hash = head_hash WHERE id = 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "audit_pending_seal" AFTER INSERT ON "audit_pending"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "audit_seal_pending"();
