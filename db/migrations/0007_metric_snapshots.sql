CREATE TABLE "metric_snapshots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"as_of" date NOT NULL,
	"note" text,
	"taken_by" text NOT NULL,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	"report" jsonb NOT NULL,
	CONSTRAINT "metric_snapshots_kind_ck" CHECK ("metric_snapshots"."kind" in ('daily','baseline'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "metric_snapshots_daily_uq" ON "metric_snapshots" USING btree ("as_of") WHERE "metric_snapshots"."kind" = 'daily';