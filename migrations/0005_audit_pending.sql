CREATE TABLE "audit_pending" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_pending_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"actor_key_id" uuid,
	"actor_role" text NOT NULL,
	"actor_organisation_id" uuid,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" uuid NOT NULL,
	"data" jsonb NOT NULL,
	"canonical_head" text NOT NULL,
	"canonical_tail" text NOT NULL,
	"outbox_programme_ids" uuid[],
	"outbox_municipality_ids" uuid[]
);
--> statement-breakpoint
CREATE INDEX "audit_pending_txid_idx" ON "audit_pending" USING btree ("txid");