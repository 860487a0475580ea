CREATE INDEX "credit_notes_invoice_idx" ON "credit_notes" USING btree ("invoice_number");--> statement-breakpoint
CREATE INDEX "payment_applications_invoice_idx" ON "payment_applications" USING btree ("invoice_number");--> statement-breakpoint
CREATE INDEX "write_offs_invoice_idx" ON "write_offs" USING btree ("invoice_number");