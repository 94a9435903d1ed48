ALTER TABLE "decisions" ADD COLUMN "adopted_on" date;--> statement-breakpoint
-- Decisions adopted before this column existed took effect on the day they were recorded.
UPDATE "decisions" SET "adopted_on" = ("adopted_at" AT TIME ZONE 'Europe/Amsterdam')::date WHERE "adopted_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_adopted_on_with_adopted_at" CHECK (("decisions"."adopted_at" is null) = ("decisions"."adopted_on" is null));
