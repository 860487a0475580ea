DROP INDEX "contact_log_key_uq";--> statement-breakpoint
DROP INDEX "invoices_cursor_idx";--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "open_stated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "invoices_open_number_idx" ON "invoices" USING btree ("number") WHERE "invoices"."status" = 'open';--> statement-breakpoint
ALTER TABLE "contact_log" ADD CONSTRAINT "contact_log_key_uq" UNIQUE NULLS NOT DISTINCT("idempotency_key","invoice_number");--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_role_ck" CHECK ("contacts"."role" in ('billing','decision_maker','other'));--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_currency_ck" CHECK ("credit_notes"."currency" ~ '^[A-Z]{3}$');--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_status_ck" CHECK ("disputes"."status" in ('open','resolved_invalid','resolved_credit','resolved_write_off'));--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_paid_ck" CHECK ("invoices"."status" <> 'paid' or "invoices"."open_minor" = 0);--> statement-breakpoint
ALTER TABLE "promises" ADD CONSTRAINT "promises_currency_ck" CHECK ("promises"."currency" ~ '^[A-Z]{3}$');--> statement-breakpoint
ALTER TABLE "promises" ADD CONSTRAINT "promises_status_ck" CHECK ("promises"."status" in ('open','kept','broken'));--> statement-breakpoint
ALTER TABLE "write_offs" ADD CONSTRAINT "write_offs_amount_ck" CHECK ("write_offs"."amount_minor" > 0);--> statement-breakpoint
ALTER TABLE "write_offs" ADD CONSTRAINT "write_offs_currency_ck" CHECK ("write_offs"."currency" ~ '^[A-Z]{3}$');