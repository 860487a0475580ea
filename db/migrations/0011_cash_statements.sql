CREATE TABLE "bank_files" (
	"sha256" text PRIMARY KEY NOT NULL,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"byte_size" integer NOT NULL,
	"imported_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bank_statements" (
	"id" text PRIMARY KEY NOT NULL,
	"file_sha256" text NOT NULL,
	"statement_id" text NOT NULL,
	"account_id" text NOT NULL,
	"iban" text,
	"format" text NOT NULL,
	"currency" text NOT NULL,
	"opening_balance" jsonb,
	"closing_balance" jsonb,
	"transaction_count" integer NOT NULL,
	"rejected" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bank_statements_currency_ck" CHECK ("bank_statements"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "bank_transactions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"statement_key" text NOT NULL,
	"seq" integer NOT NULL,
	"entry_ref" text,
	"booking_date" date NOT NULL,
	"value_date" date,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"direction" text NOT NULL,
	"payer_name" text,
	"payer_account" text,
	"remittance" text DEFAULT '' NOT NULL,
	"structured_refs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"end_to_end_id" text,
	"is_return" boolean DEFAULT false NOT NULL,
	"return_reason" text,
	"bank_tx_code" text,
	"additional_info" text,
	"booked" boolean DEFAULT true NOT NULL,
	"raw" text NOT NULL,
	"location" text NOT NULL,
	"status" text DEFAULT 'unapplied' NOT NULL,
	"confidence" double precision,
	"customer_id" text,
	"allocations" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"candidates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"short_payment" jsonb,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"returns_transaction_id" bigint,
	"apply_round" integer DEFAULT 0 NOT NULL,
	"policy_version" integer,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bank_transactions_amount_ck" CHECK ("bank_transactions"."amount_minor" > 0),
	CONSTRAINT "bank_transactions_currency_ck" CHECK ("bank_transactions"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "bank_transactions_confidence_ck" CHECK ("bank_transactions"."confidence" is null or ("bank_transactions"."confidence" >= 0 and "bank_transactions"."confidence" <= 1)),
	CONSTRAINT "bank_transactions_debit_ignored_ck" CHECK ("bank_transactions"."direction" = 'credit' or "bank_transactions"."status" = 'ignored')
);
--> statement-breakpoint
ALTER TABLE "bank_statements" ADD CONSTRAINT "bank_statements_file_sha256_bank_files_sha256_fk" FOREIGN KEY ("file_sha256") REFERENCES "public"."bank_files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_transactions" ADD CONSTRAINT "bank_transactions_statement_key_bank_statements_id_fk" FOREIGN KEY ("statement_key") REFERENCES "public"."bank_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bank_statements_account_statement_uq" ON "bank_statements" USING btree ("account_id","statement_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_transactions_statement_seq_uq" ON "bank_transactions" USING btree ("statement_key","seq");--> statement-breakpoint
CREATE INDEX "bank_transactions_status_idx" ON "bank_transactions" USING btree ("status");--> statement-breakpoint
CREATE INDEX "bank_transactions_e2e_idx" ON "bank_transactions" USING btree ("end_to_end_id");