CREATE TABLE "audit_checkpoints" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"head_hash" varchar(64) NOT NULL,
	"issued_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"origin" varchar(200) NOT NULL,
	"key_name" varchar(200) NOT NULL,
	"note" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "co_financing" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"programme_id" uuid NOT NULL,
	"funder_organisation_id" uuid,
	"funder_name" varchar(200),
	"kind" text NOT NULL,
	"year" integer NOT NULL,
	"amount_cents" bigint NOT NULL,
	"reference" varchar(200) NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "co_financing_kind_check" CHECK ("co_financing"."kind" in ('regio_deal', 'employers', 'government', 'other')),
	CONSTRAINT "co_financing_funder_named" CHECK ("co_financing"."funder_organisation_id" is not null or "co_financing"."funder_name" is not null),
	CONSTRAINT "co_financing_amount_positive" CHECK ("co_financing"."amount_cents" > 0),
	CONSTRAINT "co_financing_year_range" CHECK ("co_financing"."year" between 2000 and 2100)
);
--> statement-breakpoint
CREATE TABLE "college_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"municipality_id" uuid NOT NULL,
	"decided_on" date NOT NULL,
	"reference" varchar(200) NOT NULL,
	"documents" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "disbursements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"decision_id" uuid NOT NULL,
	"commitment_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	"paid_on" date NOT NULL,
	"reference" varchar(200) NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "disbursements_amount_positive" CHECK ("disbursements"."amount_cents" > 0)
);
--> statement-breakpoint
CREATE TABLE "fund_contributions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"amount_cents" bigint NOT NULL,
	"received_on" date NOT NULL,
	"reference" varchar(200) NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_contributions_amount_positive" CHECK ("fund_contributions"."amount_cents" > 0),
	CONSTRAINT "fund_contributions_year_range" CHECK ("fund_contributions"."year" between 2000 and 2100)
);
--> statement-breakpoint
CREATE TABLE "indicator_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"indicator_id" uuid NOT NULL,
	"period" varchar(7) NOT NULL,
	"value" double precision NOT NULL,
	"reported_on" date NOT NULL,
	"documents" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indicators" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"decision_id" uuid NOT NULL,
	"code" varchar(50) NOT NULL,
	"name" varchar(300) NOT NULL,
	"unit" varchar(50) NOT NULL,
	"targets" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "statute_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version" integer NOT NULL,
	"effective_from" date NOT NULL,
	"threshold_cents" bigint NOT NULL,
	"splitting_scope" text NOT NULL,
	"splitting_action" text NOT NULL,
	"ratification_period_days" integer,
	"fund_check" text DEFAULT 'flag' NOT NULL,
	"reference" varchar(200) NOT NULL,
	"note" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "statute_rules_threshold_positive" CHECK ("statute_rules"."threshold_cents" > 0),
	CONSTRAINT "statute_rules_splitting_scope_check" CHECK ("statute_rules"."splitting_scope" in ('none', 'applicant_year', 'programme_year')),
	CONSTRAINT "statute_rules_splitting_action_check" CHECK ("statute_rules"."splitting_action" in ('flag', 'require_ratification')),
	CONSTRAINT "statute_rules_fund_check_check" CHECK ("statute_rules"."fund_check" in ('flag', 'block')),
	CONSTRAINT "statute_rules_period_range" CHECK ("statute_rules"."ratification_period_days" between 1 and 365)
);
--> statement-breakpoint
ALTER TABLE "decisions" DROP CONSTRAINT "decisions_status_check";--> statement-breakpoint
ALTER TABLE "outbox_events" ALTER COLUMN "decision_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_pending" ADD COLUMN "outbox_ordering_key" uuid;--> statement-breakpoint
ALTER TABLE "decision_commitments" ADD COLUMN "final_amount_cents" bigint;--> statement-breakpoint
ALTER TABLE "decision_commitments" ADD COLUMN "disbursed_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "decision_conditions" ADD COLUMN "blocks_disbursement" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "decision_conditions" ADD COLUMN "reference" varchar(200);--> statement-breakpoint
ALTER TABLE "decision_conditions" ADD COLUMN "documents" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "decision_conditions" ADD COLUMN "indicator_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "amends" uuid;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "documents" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "related_decisions" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "statute_rule_version" integer;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "threshold_cents" bigint;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "ratification_reason" text;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "ratification_due_date" date;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "ratification_overdue_notified_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "splitting_suspected" boolean;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "splitting_cumulative_cents" bigint;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "splitting_related_decision_ids" uuid[];--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "fund_uncommitted_cents_before" bigint;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "fund_sufficient" boolean;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "settled_on" date;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "settlement_reference" varchar(200);--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "settled_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "superseded_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "resource_type" text DEFAULT 'decision' NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "resource_id" uuid;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "ordering_key" uuid;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "audit_seq" bigint;--> statement-breakpoint
ALTER TABLE "ratification_votes" ADD COLUMN "college_decision_id" uuid;--> statement-breakpoint
ALTER TABLE "co_financing" ADD CONSTRAINT "co_financing_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_financing" ADD CONSTRAINT "co_financing_funder_organisation_id_organisations_id_fk" FOREIGN KEY ("funder_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "college_decisions" ADD CONSTRAINT "college_decisions_municipality_id_organisations_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disbursements" ADD CONSTRAINT "disbursements_decision_id_decisions_id_fk" FOREIGN KEY ("decision_id") REFERENCES "public"."decisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disbursements" ADD CONSTRAINT "disbursements_commitment_id_decision_commitments_id_fk" FOREIGN KEY ("commitment_id") REFERENCES "public"."decision_commitments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_contributions" ADD CONSTRAINT "fund_contributions_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_reports" ADD CONSTRAINT "indicator_reports_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicators" ADD CONSTRAINT "indicators_decision_id_decisions_id_fk" FOREIGN KEY ("decision_id") REFERENCES "public"."decisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "co_financing_programme_idx" ON "co_financing" USING btree ("programme_id","created_at","id");--> statement-breakpoint
CREATE INDEX "college_decisions_municipality_idx" ON "college_decisions" USING btree ("municipality_id","created_at","id");--> statement-breakpoint
CREATE INDEX "college_decisions_created_idx" ON "college_decisions" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "disbursements_decision_idx" ON "disbursements" USING btree ("decision_id","created_at","id");--> statement-breakpoint
CREATE INDEX "disbursements_commitment_idx" ON "disbursements" USING btree ("commitment_id");--> statement-breakpoint
CREATE INDEX "disbursements_created_idx" ON "disbursements" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "fund_contributions_created_idx" ON "fund_contributions" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "indicator_reports_indicator_idx" ON "indicator_reports" USING btree ("indicator_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "indicators_decision_code_key" ON "indicators" USING btree ("decision_id","code");--> statement-breakpoint
CREATE INDEX "indicators_decision_idx" ON "indicators" USING btree ("decision_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "statute_rules_version_key" ON "statute_rules" USING btree ("version");--> statement-breakpoint
CREATE UNIQUE INDEX "statute_rules_effective_from_key" ON "statute_rules" USING btree ("effective_from");--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_amends_decisions_id_fk" FOREIGN KEY ("amends") REFERENCES "public"."decisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratification_votes" ADD CONSTRAINT "ratification_votes_college_decision_id_college_decisions_id_fk" FOREIGN KEY ("college_decision_id") REFERENCES "public"."college_decisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "decisions_amends_idx" ON "decisions" USING btree ("amends");--> statement-breakpoint
CREATE INDEX "decisions_applicant_idx" ON "decisions" USING btree ("applicant_organisation_id","created_at","id");--> statement-breakpoint
CREATE INDEX "decisions_board_meeting_idx" ON "decisions" USING btree ("board_meeting_date","created_at","id");--> statement-breakpoint
CREATE INDEX "decisions_splitting_suspected_idx" ON "decisions" USING btree ("created_at","id") WHERE "decisions"."splitting_suspected";--> statement-breakpoint
CREATE INDEX "decisions_ratification_due_idx" ON "decisions" USING btree ("ratification_due_date") WHERE "decisions"."status" = 'pending_ratification';--> statement-breakpoint
CREATE INDEX "decisions_required_municipalities_idx" ON "decisions" USING gin ("required_municipality_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_events_audit_seq_key" ON "outbox_events" USING btree ("audit_seq");--> statement-breakpoint
CREATE INDEX "votes_municipality_idx" ON "ratification_votes" USING btree ("municipality_id","decision_id");--> statement-breakpoint
CREATE INDEX "votes_college_decision_idx" ON "ratification_votes" USING btree ("college_decision_id");--> statement-breakpoint
ALTER TABLE "decision_commitments" ADD CONSTRAINT "commitments_final_amount_range" CHECK ("decision_commitments"."final_amount_cents" between 0 and "decision_commitments"."amount_cents");--> statement-breakpoint
ALTER TABLE "decision_commitments" ADD CONSTRAINT "commitments_disbursed_within_amount" CHECK ("decision_commitments"."disbursed_cents" between 0 and coalesce("decision_commitments"."final_amount_cents", "decision_commitments"."amount_cents"));--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_ratification_reason_check" CHECK ("decisions"."ratification_reason" in ('threshold', 'splitting'));--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_settled_has_date" CHECK (("decisions"."status" = 'settled') = ("decisions"."settled_on" is not null));--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_status_check" CHECK ("decisions"."status" in ('draft', 'pending_ratification', 'adopted', 'ratified', 'rejected', 'withdrawn', 'superseded', 'settled'));--> statement-breakpoint
-- Version 1 of the statute rules: what the statute said before the rules became data.
INSERT INTO "statute_rules" ("version", "effective_from", "threshold_cents", "splitting_scope", "splitting_action",
                             "ratification_period_days", "fund_check", "reference", "note")
VALUES (1, '2000-01-01', 10000000, 'applicant_year', 'flag', NULL, 'flag', 'Statuten ESZL',
        'A contribution of EUR 100,000 or more binds only once the colleges of all centre municipalities have ratified it.');
--> statement-breakpoint
-- Decisions adopted before this migration were adopted under version 1: freeze it into them.
UPDATE "decisions"
   SET "statute_rule_version" = 1,
       "threshold_cents" = 10000000,
       "ratification_reason" = CASE WHEN cardinality("required_municipality_ids") > 0 THEN 'threshold' END,
       "splitting_suspected" = false,
       "splitting_related_decision_ids" = '{}'
 WHERE "adopted_at" IS NOT NULL;
--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_frozen_at_adoption" CHECK (("decisions"."adopted_at" is null) = ("decisions"."statute_rule_version" is null));
--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_statute_rule_version_fk" FOREIGN KEY ("statute_rule_version") REFERENCES "public"."statute_rules"("version") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- Outbox rows so far were all about decisions: their ordering key and resource are the decision.
UPDATE "outbox_events"
   SET "resource_id" = "decision_id",
       "ordering_key" = "decision_id",
       "audit_seq" = ("payload"->>'auditSeq')::bigint;
--> statement-breakpoint
ALTER TABLE "outbox_events" ALTER COLUMN "resource_id" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "outbox_events" ALTER COLUMN "ordering_key" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "outbox_events" ALTER COLUMN "audit_seq" SET NOT NULL;
--> statement-breakpoint
-- The seal of migration 0006, now also writing the event's resource, ordering key and audit seq
-- to its outbox row (the event feed reads the outbox by audit seq). `decisionId` in the payload
-- is the decision the event is about, null for events about other resources.
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
                                 programme_ids, municipality_ids, payload)
      VALUES (event_id, pending.action, decision, pending.resource_type, pending.resource_id,
              coalesce(pending.outbox_ordering_key, pending.resource_id), head_seq, pending.outbox_programme_ids,
              coalesce(pending.outbox_municipality_ids, '{}'),
              jsonb_build_object('id', event_id, 'type', pending.action, 'occurredAt', occurred,
                                 'decisionId', decision, 'auditSeq', head_seq, 'data', pending.data));
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
