CREATE TABLE "delivery_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"provider_message_id" text,
	"to_address" text,
	"customer_id" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sends_switch" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"held" boolean DEFAULT false NOT NULL,
	"reason" text,
	"changed_by" text NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sends_switch_one_row_ck" CHECK ("sends_switch"."id" = 1),
	CONSTRAINT "sends_switch_reason_ck" CHECK (not "sends_switch"."held" or "sends_switch"."reason" is not null)
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "email_invalid_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "email_invalid_reason" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "paused_by" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "pause_reason" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "delivery_events_type_at_idx" ON "delivery_events" USING btree ("type","occurred_at");--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_pause_ck" CHECK (("customers"."paused_by" is null and "customers"."pause_reason" is null and "customers"."paused_at" is null) or ("customers"."paused_by" is not null and "customers"."pause_reason" is not null and "customers"."paused_at" is not null));