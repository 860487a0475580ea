CREATE TABLE "autonomy_reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"audit_key" text NOT NULL,
	"workflow_id" text,
	"invoice_number" text,
	"customer_id" text,
	"scope_id" text,
	"policy_version" integer,
	"subject" text,
	"reasoning" text,
	"sampled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"verdict" text,
	"kind" text,
	"reason" text,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	CONSTRAINT "autonomy_reviews_verdict_ck" CHECK ("autonomy_reviews"."verdict" is null or "autonomy_reviews"."verdict" in ('right','wrong')),
	CONSTRAINT "autonomy_reviews_reason_ck" CHECK ("autonomy_reviews"."verdict" is null or ("autonomy_reviews"."reason" is not null and "autonomy_reviews"."reviewed_by" is not null))
);
--> statement-breakpoint
ALTER TABLE "autonomy_changes" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "autonomy_changes" ADD COLUMN "kind" text;--> statement-breakpoint
ALTER TABLE "autonomy_changes" ADD COLUMN "from_phase" integer;--> statement-breakpoint
ALTER TABLE "autonomy_changes" ADD COLUMN "to_phase" integer;--> statement-breakpoint
ALTER TABLE "autonomy_changes" ADD COLUMN "forced" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "autonomy_changes" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "shadow_scope" text;--> statement-breakpoint
CREATE UNIQUE INDEX "autonomy_reviews_audit_uq" ON "autonomy_reviews" USING btree ("audit_key");--> statement-breakpoint
CREATE INDEX "autonomy_reviews_open_idx" ON "autonomy_reviews" USING btree ("verdict","sampled_at");--> statement-breakpoint
CREATE UNIQUE INDEX "autonomy_changes_key_uq" ON "autonomy_changes" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "autonomy_changes_at_idx" ON "autonomy_changes" USING btree ("at");