CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(200) NOT NULL,
	"role" text NOT NULL,
	"organisation_id" uuid,
	"key_hash" varchar(64) NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_role_check" CHECK ("api_keys"."role" in ('admin', 'secretariat', 'college', 'auditor', 'reader')),
	CONSTRAINT "api_keys_college_bound" CHECK (("api_keys"."role" = 'college') = ("api_keys"."organisation_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"actor_key_id" uuid,
	"actor_role" text NOT NULL,
	"actor_organisation_id" uuid,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" uuid NOT NULL,
	"data" jsonb NOT NULL,
	"prev_hash" varchar(64) NOT NULL,
	"hash" varchar(64) NOT NULL,
	CONSTRAINT "audit_events_seq_positive" CHECK ("audit_events"."seq" > 0)
);
--> statement-breakpoint
CREATE TABLE "audit_head" (
	"id" smallint PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" varchar(64) NOT NULL,
	CONSTRAINT "audit_head_single_row" CHECK ("audit_head"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "decision_commitments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"decision_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"programme_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"amount_cents" bigint NOT NULL,
	"purpose" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "commitments_amount_positive" CHECK ("decision_commitments"."amount_cents" > 0),
	CONSTRAINT "commitments_year_range" CHECK ("decision_commitments"."year" between 2000 and 2100)
);
--> statement-breakpoint
CREATE TABLE "decision_conditions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"decision_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"description" text NOT NULL,
	"due_date" date NOT NULL,
	"fulfilled_on" date,
	"evidence" text,
	CONSTRAINT "conditions_fulfilled_has_evidence" CHECK (("decision_conditions"."fulfilled_on" is null) = ("decision_conditions"."evidence" is null))
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" varchar(100) NOT NULL,
	"title" varchar(300) NOT NULL,
	"summary" text,
	"board_meeting_date" date NOT NULL,
	"applicant_organisation_id" uuid,
	"status" text DEFAULT 'draft' NOT NULL,
	"total_amount_cents" bigint NOT NULL,
	"required_municipality_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"adopted_at" timestamp (3) with time zone,
	"withdrawn_at" timestamp (3) with time zone,
	"withdrawal_reason" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "decisions_status_check" CHECK ("decisions"."status" in ('draft', 'pending_ratification', 'adopted', 'ratified', 'rejected', 'withdrawn')),
	CONSTRAINT "decisions_total_positive" CHECK ("decisions"."total_amount_cents" > 0),
	CONSTRAINT "decisions_adopted_at_matches_status" CHECK ("decisions"."status" = 'withdrawn' or ("decisions"."adopted_at" is null) = ("decisions"."status" = 'draft'))
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(200) NOT NULL,
	"kind" text NOT NULL,
	"centre_municipality" boolean DEFAULT false NOT NULL,
	"kvk_number" varchar(8),
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_kind_check" CHECK ("organisations"."kind" in ('foundation', 'municipality', 'applicant', 'employer', 'government', 'other')),
	CONSTRAINT "organisations_centre_is_municipality" CHECK (not "organisations"."centre_municipality" or "organisations"."kind" = 'municipality')
);
--> statement-breakpoint
CREATE TABLE "programmes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" varchar(32) NOT NULL,
	"name" varchar(200) NOT NULL,
	"description" text,
	"owner_organisation_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "programmes_code_format" CHECK ("programmes"."code" ~ '^[A-Z0-9][A-Z0-9-]{0,31}$')
);
--> statement-breakpoint
CREATE TABLE "ratification_votes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"decision_id" uuid NOT NULL,
	"municipality_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"decided_on" date NOT NULL,
	"reference" varchar(200),
	"note" text,
	"cast_at" timestamp (3) with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "votes_outcome_check" CHECK ("ratification_votes"."outcome" in ('approve', 'reject'))
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decision_commitments" ADD CONSTRAINT "decision_commitments_decision_id_decisions_id_fk" FOREIGN KEY ("decision_id") REFERENCES "public"."decisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decision_commitments" ADD CONSTRAINT "decision_commitments_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decision_conditions" ADD CONSTRAINT "decision_conditions_decision_id_decisions_id_fk" FOREIGN KEY ("decision_id") REFERENCES "public"."decisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_applicant_organisation_id_organisations_id_fk" FOREIGN KEY ("applicant_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programmes" ADD CONSTRAINT "programmes_owner_organisation_id_organisations_id_fk" FOREIGN KEY ("owner_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratification_votes" ADD CONSTRAINT "ratification_votes_decision_id_decisions_id_fk" FOREIGN KEY ("decision_id") REFERENCES "public"."decisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratification_votes" ADD CONSTRAINT "ratification_votes_municipality_id_organisations_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_created_idx" ON "api_keys" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "audit_events_resource_idx" ON "audit_events" USING btree ("resource_type","resource_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "commitments_decision_position_key" ON "decision_commitments" USING btree ("decision_id","position");--> statement-breakpoint
CREATE INDEX "commitments_programme_year_idx" ON "decision_commitments" USING btree ("programme_id","year");--> statement-breakpoint
CREATE INDEX "commitments_created_idx" ON "decision_commitments" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "conditions_decision_position_key" ON "decision_conditions" USING btree ("decision_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "decisions_reference_key" ON "decisions" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "decisions_created_idx" ON "decisions" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "decisions_status_created_idx" ON "decisions" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "organisations_created_idx" ON "organisations" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "programmes_code_key" ON "programmes" USING btree ("code");--> statement-breakpoint
CREATE INDEX "programmes_created_idx" ON "programmes" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "votes_decision_municipality_key" ON "ratification_votes" USING btree ("decision_id","municipality_id");