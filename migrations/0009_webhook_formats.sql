ALTER TABLE "webhook_subscriptions" ADD COLUMN "format" text DEFAULT 'eszl-v1' NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "authorization_encrypted" text;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "allowed_rate" integer;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "ended_reason" text;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "ended_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "next_send_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_format_check" CHECK ("webhook_subscriptions"."format" in ('eszl-v1', 'cloudevents'));--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_ended_reason_check" CHECK ("webhook_subscriptions"."ended_reason" in ('gone'));--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_allowed_rate_check" CHECK ("webhook_subscriptions"."allowed_rate" > 0);