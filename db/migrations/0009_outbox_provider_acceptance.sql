ALTER TABLE "email_outbox" ADD COLUMN "provider_accepted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD COLUMN "send_attempted_at" timestamp with time zone;