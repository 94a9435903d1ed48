CREATE TABLE "ratification_reminders" (
	"decision_id" uuid NOT NULL,
	"municipality_id" uuid NOT NULL,
	"days_before" integer NOT NULL,
	"raised_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ratification_reminders_decision_id_municipality_id_days_before_pk" PRIMARY KEY("decision_id","municipality_id","days_before"),
	CONSTRAINT "ratification_reminders_days_range" CHECK ("ratification_reminders"."days_before" between 0 and 365)
);
--> statement-breakpoint
ALTER TABLE "ratification_reminders" ADD CONSTRAINT "ratification_reminders_decision_id_decisions_id_fk" FOREIGN KEY ("decision_id") REFERENCES "public"."decisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratification_reminders" ADD CONSTRAINT "ratification_reminders_municipality_id_organisations_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;