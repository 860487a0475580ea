ALTER TABLE "customers" ADD COLUMN "paused_by" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "pause_reason" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_pause_ck" CHECK (("customers"."paused_by" is null and "customers"."pause_reason" is null and "customers"."paused_at" is null) or ("customers"."paused_by" is not null and "customers"."pause_reason" is not null and "customers"."paused_at" is not null));