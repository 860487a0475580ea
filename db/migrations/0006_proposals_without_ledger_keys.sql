-- Proposals are the system's own records: they name an invoice and a customer of the ledger, which may
-- be an ERP, so no foreign keys into the built-in ledger's tables. The rows and columns stay as they are.
ALTER TABLE "proposals" DROP CONSTRAINT "proposals_invoice_number_invoices_number_fk";
--> statement-breakpoint
ALTER TABLE "proposals" DROP CONSTRAINT "proposals_customer_id_customers_id_fk";
