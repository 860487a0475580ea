ALTER TABLE "proposals" ADD COLUMN "edit_category" text;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "edit_note" text;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_edit_category_known" CHECK (edit_category is null or edit_category in ('tone', 'amount', 'contact', 'timing', 'wording', 'other'));