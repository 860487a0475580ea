-- Approval limits per currency: a user has no limit (no rows) or one limit per currency.
CREATE TABLE "user_limits" (
	"user_id" integer NOT NULL,
	"currency" text NOT NULL,
	"limit_minor" bigint NOT NULL,
	CONSTRAINT "user_limits_user_id_currency_pk" PRIMARY KEY("user_id","currency"),
	CONSTRAINT "user_limits_currency_ck" CHECK ("user_limits"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "user_limits_amount_ck" CHECK ("user_limits"."limit_minor" >= 0)
);
--> statement-breakpoint
ALTER TABLE "user_limits" ADD CONSTRAINT "user_limits_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Each user's single limit becomes their limit in that currency. A limit_currency without a
-- limit_minor was read as unlimited, so it stays unlimited (no row). A value the new constraints
-- refuse fails the migration rather than being dropped silently.
INSERT INTO "user_limits" ("user_id", "currency", "limit_minor")
  SELECT "id", upper(trim("limit_currency")), "limit_minor" FROM "users"
  WHERE "limit_currency" IS NOT NULL AND "limit_minor" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "limit_currency";--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "limit_minor";