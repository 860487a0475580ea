ALTER TABLE "email_outbox" ADD COLUMN "contact_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "email_outbox_customer_idx" ON "email_outbox" USING btree ("customer_id");