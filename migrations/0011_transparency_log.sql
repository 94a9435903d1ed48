CREATE TABLE "tlog_checkpoints" (
	"size" bigint PRIMARY KEY NOT NULL,
	"root" "bytea" NOT NULL,
	"note" text NOT NULL,
	"issued_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tlog_cosignatures" (
	"size" bigint NOT NULL,
	"witness" varchar(400) NOT NULL,
	"line" text NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tlog_cosignatures_size_witness_pk" PRIMARY KEY("size","witness")
);
--> statement-breakpoint
CREATE TABLE "tlog_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	"root" "bytea" NOT NULL,
	"rollback_local_size" bigint,
	"rollback_witnessed_size" bigint,
	"signing_halted" text,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tlog_state_single_row" CHECK ("tlog_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "tlog_tiles" (
	"level" smallint NOT NULL,
	"idx" bigint NOT NULL,
	"hashes" "bytea" NOT NULL,
	CONSTRAINT "tlog_tiles_level_idx_pk" PRIMARY KEY("level","idx"),
	CONSTRAINT "tlog_tiles_width" CHECK (octet_length("tlog_tiles"."hashes") between 32 and 8192 and octet_length("tlog_tiles"."hashes") % 32 = 0),
	CONSTRAINT "tlog_tiles_level" CHECK ("tlog_tiles"."level" between 0 and 63)
);
--> statement-breakpoint
CREATE TABLE "tlog_witnesses" (
	"witness" varchar(400) PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"last_cosigned_size" bigint,
	"reported_size" bigint,
	"last_attempt_size" bigint,
	"last_status" smallint,
	"last_error" text,
	"last_attempt_at" timestamp (3) with time zone,
	"lease_until" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "tlog_cosignatures" ADD CONSTRAINT "tlog_cosignatures_size_tlog_checkpoints_size_fk" FOREIGN KEY ("size") REFERENCES "public"."tlog_checkpoints"("size") ON DELETE cascade ON UPDATE no action;