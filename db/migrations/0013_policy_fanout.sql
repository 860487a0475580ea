CREATE TABLE "policy_fanouts" (
	"version" integer PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"total" integer,
	"invoices_signalled" integer DEFAULT 0 NOT NULL,
	"outreach_signalled" integer DEFAULT 0 NOT NULL,
	"not_found" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "policy_fanouts_status_ck" CHECK ("policy_fanouts"."status" in ('running','done','failed','superseded'))
);
--> statement-breakpoint
ALTER TABLE "policy_fanouts" ADD CONSTRAINT "policy_fanouts_version_policies_version_fk" FOREIGN KEY ("version") REFERENCES "public"."policies"("version") ON DELETE no action ON UPDATE no action;